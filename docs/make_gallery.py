"""Copies the README gallery out of the tutorials' outputs, as small PNGs.

Run the tutorials in full first (each writes into `tutorial_outputs/NN_name/`),
then:

    python docs/make_gallery.py [--outputs tutorial_outputs] [--out docs/gallery] [--only NAME ...]

Every gallery image is a figure a tutorial wrote; this script only picks them,
shrinks the wide ones to at most `--max-width` pixels and stores them as
palette PNGs (a few tens of kB each), so the repository stays small. It also
copies tutorial 09's metrics table as text.
"""

import argparse
import shutil
from pathlib import Path

from PIL import Image

# (file in tutorial_outputs, name in the gallery)
GALLERY = (
    ("02_vanilla_gan/samples_10x10.png", "vanilla_samples.png"),
    ("03_lsgan/vanilla_vs_lsgan.png", "vanilla_vs_lsgan.png"),
    ("04_dcgan/mnist_real_vs_fake.png", "dcgan_real_vs_fake.png"),
    ("05_wgan/wgan_gp/samples_10x10.png", "wgan_gp_samples.png"),
    ("05_wgan/wgan_vs_wgangp_curves.png", "wgan_vs_wgangp_curves.png"),
    ("06_conditional_gan/samples_10x10.png", "cgan_one_row_per_digit.png"),
    ("06_conditional_gan/latent_arithmetic.png", "cgan_latent_arithmetic.png"),
    ("08_energy_based_model/mcmc_steps.png", "ebm_mcmc_steps.png"),
    ("08_energy_based_model/ood_probes.png", "ebm_ood_probes.png"),
    ("09_evaluating_gans/class_histogram_collapsed.png", "class_histogram_collapsed.png"),
    ("09_evaluating_gans/metrics_table.txt", "metrics_table.txt"),
)


def shrink_png(source: Path, target: Path, max_width: int) -> None:
    """Writes `source` to `target` at most `max_width` wide, as a 64-colour palette PNG."""
    with Image.open(source) as image:
        image = image.convert("RGB")
        if image.width > max_width:
            height = round(image.height * max_width / image.width)
            image = image.resize((max_width, height), Image.Resampling.LANCZOS)
        # The figures are greyscale digits and a few plot colours: 64 colours
        # keep them sharp at a fraction of the size of 24-bit PNGs.
        image.quantize(colors=64).save(target, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outputs", type=Path, default=Path("tutorial_outputs"))
    parser.add_argument("--out", type=Path, default=Path("docs/gallery"))
    parser.add_argument("--max-width", type=int, default=720)
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="GALLERY_NAME",
        help="refresh only these gallery files, after re-running their tutorials",
    )
    args = parser.parse_args()

    known = [gallery_name for _, gallery_name in GALLERY]
    unknown = sorted(set(args.only or ()) - set(known))
    if unknown:
        raise SystemExit(f"unknown gallery files {', '.join(unknown)}; known: {', '.join(known)}")
    gallery = [(name, gallery_name) for name, gallery_name in GALLERY if gallery_name in (args.only or known)]
    missing = [name for name, _ in gallery if not (args.outputs / name).exists()]
    if missing:
        raise SystemExit(
            f"missing tutorial outputs in {args.outputs}/: {', '.join(missing)}; run those tutorials in full first"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    for name, gallery_name in gallery:
        source, target = args.outputs / name, args.out / gallery_name
        if source.suffix == ".png":
            shrink_png(source, target, args.max_width)
        else:
            shutil.copyfile(source, target)
        print(f"{target}  ({target.stat().st_size / 1024:.0f} kB)  <- {source}")


if __name__ == "__main__":
    main()
