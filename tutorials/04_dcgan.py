"""
Title: DCGAN: convolutions for the generator and the discriminator
Author: keras_gans
Description: The CS231n DCGAN (Radford et al. 2016) on MNIST and, when it is available, Fashion-MNIST.

What you will learn:

- how a DCGAN generator grows an image from a 7x7 feature map with strided
  transposed convolutions, and how its discriminator shrinks it back;
- the recipe of the CS231n GAN assignment: batch norm in the generator,
  LeakyReLU in the discriminator, tanh output, Adam(1e-3, beta_1=0.5) and
  batches of 128, which learns digits within two epochs;
- how to load a TensorFlow Datasets dataset such as Fashion-MNIST, and what
  happens without network access;
- why sampling from an exponential moving average (EMA) of the generator's
  weights gives cleaner images than the last training step's weights;
- how to compare real and generated images in one figure.

How to run:

    python tutorials/04_dcgan.py [--quick] [--epochs 2] [--data-dir DIR] [--out DIR]

The default 2 epochs take about 5 minutes per dataset on 2 CPU cores.
Fashion-MNIST needs a download the first time (or its IDX files in
`--data-dir`); offline, the tutorial says so and trains on MNIST only.
"""

"""
## Setup
"""

import _common  # noqa: I001  (must come before keras)

import keras
import numpy as np

from keras_gans import callbacks, data, gans, metrics, models, parameters

parser = _common.parser(__file__, epochs=2)
parser.add_argument("--data-dir", help="TFDS data dir or folder of Fashion-MNIST IDX files")
args = _common.start(parser)
files = []

"""
## The architecture

The generator maps z (96 numbers) through a Dense layer of 1024 units to a
7x7x128 feature map, then doubles the resolution twice with stride-2
transposed convolutions: 7x7 -> 14x14 -> 28x28. The kernel size 4 is
divisible by the stride, which avoids the checkerboard artefacts of
overlapping kernels. The discriminator shrinks the image back with two 5x5
convolutions, each followed by 2x2 max-pooling (28 -> 24 -> 12 -> 8 -> 4),
then a Dense layer of 1024 units and one logit. This is the architecture of
the CS231n GAN assignment.
"""

print(models.get_preset("dcgan").description)
generator, discriminator = models.build_preset("dcgan")
for model in (generator, discriminator):
    print(f"\n{model.name}:")
    for layer in model.layers:
        print(f"  {layer.name:<16} {type(layer).__name__:<20} -> {tuple(layer.output.shape)[1:]}")

"""
Convolutions share their weights across positions and build the image from
local strokes that can appear anywhere. Most of the generator's parameters
sit in the Dense layer that makes the 7x7x128 map; the convolutions
themselves are small.
"""

mlp_generator, _ = models.build_preset("vanilla")
print(
    f"\ntrainable parameters: DCGAN generator {parameters.count_parameters(generator):,}, "
    f"MLP generator of tutorial 02 {parameters.count_parameters(mlp_generator):,}"
)

"""
## The datasets

`load_dataset("fashion_mnist")` goes through TensorFlow Datasets: it reads the
prepared dataset from the TFDS data directory, or downloads and prepares it
(about 30 MB). Without network access it fails within seconds with a
`ConnectionError` that explains how to point it at local files (TFDS
`data_dir`, or a folder with the four Fashion-MNIST IDX files). We catch it
and continue with MNIST alone.
"""

batch_size = 64 if args.quick else 128  # the recipe's batch
limit = 512 if args.quick else None
datasets = {"mnist": data.load_dataset("mnist", batch_size=batch_size, drop_remainder=True, limit=limit)}
try:
    datasets["fashion_mnist"] = data.load_dataset(
        "fashion_mnist", batch_size=batch_size, drop_remainder=True, limit=limit, data_dir=args.data_dir
    )
    print("Fashion-MNIST loaded: training on MNIST and Fashion-MNIST")
except ConnectionError as error:
    print(f"Fashion-MNIST is not available offline ({str(error).splitlines()[0]})")
    print("-> falling back to MNIST only")

"""
## Training

`gans.GAN` with the default non-saturating loss, and Adam(1e-3,
beta_1=0.5) for both networks: five times the DCGAN paper's rate, which is
what lets this network learn digits in two epochs on a CPU.
`jit_compile=False` because XLA runs transposed convolutions slower than
TensorFlow's own kernels on a CPU. `ImageGrid(gif=True)` also writes
`progress.gif`, one frame per epoch.

One addition: `ema_decay=0.999` keeps an exponential moving average of the
generator's weights, `w_ema <- d w_ema + (1 - d) w`, updated after every
generator step (Yazici et al. 2019, "The Unusual Effectiveness of Averaging
in GAN Training"). The training generator jitters from step to step as it
chases the discriminator, the more so at a high learning rate; its average
does not, and draws cleaner digits. The decay `d` warms up as
`min(0.999, (1 + t) / (10 + t))` after `t` steps, so early in training the
average covers the last tenth of the steps instead of clinging to the
random initial weights. `gan.generate` and the grids sample from the
average; training is unchanged.
"""

trained, final_scores = {}, {}
for name, dataset in datasets.items():
    print(f"\n--- DCGAN on {name} ---")
    keras.utils.set_random_seed(args.seed)
    generator, discriminator = models.build_preset("dcgan")
    gan = gans.GAN(generator, discriminator, ema_decay=0.999, seed=args.seed)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        jit_compile=False,
    )
    history = gan.fit(
        dataset,
        epochs=args.epochs,
        verbose=2,
        callbacks=[
            callbacks.StopOnNonFinite(),
            callbacks.ImageGrid(args.out / name / "progress", gif=True),
            callbacks.LossCurves(args.out / name),
            callbacks.SampleGrid(args.out / name),
        ],
    )
    files += [f"{name}/progress/progress.gif", f"{name}/loss_curves.png", f"{name}/samples_10x10.png"]
    trained[name] = gan
    final_scores[name] = {key: values[-1] for key, values in history.history.items()}

"""
## Real vs fake

`plot_real_vs_fake` puts 32 test images next to 32 samples. Look at the
strokes: too thin or broken lines, blobs, and shapes that belong to no class
are the usual tells. One number helps too: about 80 % of a real image is
background at exactly -1, which the generator's tanh must learn to reach.
"""

for name, gan in trained.items():
    real_images, _ = data.load_arrays(name, split="test", limit=32, data_dir=args.data_dir)
    real_images = data.normalize(real_images)
    fake_images = keras.ops.convert_to_numpy(gan.generate(32))
    metrics.plot_real_vs_fake(real_images, fake_images, str(args.out / f"{name}_real_vs_fake.png"))
    files.append(f"{name}_real_vs_fake.png")
    print(
        f"{name}: pixels below -0.9: {np.mean(real_images < -0.9):.1%} of real, "
        f"{np.mean(fake_images < -0.9):.1%} of generated; mean pixel {real_images.mean():+.3f} real, "
        f"{fake_images.mean():+.3f} generated"
    )

"""
The last epoch's numbers. `real_score` and `fake_score` are mean logits of
the discriminator: if it were winning outright they would drift far apart
(and `g_loss` climb); the generator keeps fake scores close behind.
"""

for name, scores in final_scores.items():
    print(f"{name}: " + ", ".join(f"{key} {value:.3f}" for key, value in scores.items()))

_common.finish(args, files)
