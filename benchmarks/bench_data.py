"""Throughput of the MNIST input pipeline (`keras_gans.data.load_dataset`).

Times one full epoch of the 60,000 training images twice: the first (cold)
epoch fills the tf.data cache and the shuffle buffer, the second reads the
cache. Also prints the time to read the bundled IDX files into NumPy and,
for comparison, a second epoch of the same pipeline built with cache=False.

    python benchmarks/bench_data.py [--batch-size 64]
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from machine import describe_machine  # noqa: E402  (benchmarks/machine.py)

from keras_gans import data  # noqa: E402


def time_epoch(dataset) -> tuple[int, float]:
    """(images seen, seconds) for one full pass over `dataset`."""
    start = time.perf_counter()
    count = 0
    for images in dataset:
        count += int(images.shape[0])
    return count, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()
    print(describe_machine(), flush=True)

    start = time.perf_counter()
    images, _ = data.load_arrays("mnist", split="train")
    print(f"load_arrays('mnist'): {len(images):,} images in {time.perf_counter() - start:.2f} s")

    for cache in (True, False):
        start = time.perf_counter()
        dataset = data.load_dataset("mnist", batch_size=args.batch_size, cache=cache)
        print(
            f"\nload_dataset(batch_size={args.batch_size}, cache={cache}): built in {time.perf_counter() - start:.2f} s"
        )
        for epoch, label in ((1, "cold, fills cache" if cache else "cold"), (2, "cached" if cache else "uncached")):
            count, seconds = time_epoch(dataset)
            print(
                f"  epoch {epoch} ({label}): {count:,} images in {seconds:.2f} s = "
                f"{count / seconds:,.0f} images/s ({count / args.batch_size / seconds:,.0f} batches/s)"
            )


if __name__ == "__main__":
    main()
