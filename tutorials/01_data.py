"""
Title: Data for GANs: bundled MNIST, your own image folder, and the [-1, 1] range
Author: keras_gans
Description: Load, describe and look at the images a GAN learns from.

What you will learn:

- how to load the MNIST digits that ship inside keras_gans (no download) and
  what they contain: size, classes, how balanced the labels are;
- how to train on your own pictures: a folder with one sub-folder per class,
  loaded with the same `load_dataset` call;
- why every image in keras_gans is a float32 tensor in [-1, 1], and how that
  matches the `tanh` output of every generator.

How to run:

    python tutorials/01_data.py [--quick] [--out DIR]

`--quick` writes a smaller custom dataset. Figures go to
`tutorial_outputs/01_data/` unless `--out` says otherwise.
"""

"""
## Setup

`_common` (next to this file) parses the flags shared by all tutorials and
selects the TensorFlow backend before Keras is imported.
"""

import _common  # noqa: I001  (must come before keras)

import numpy as np
from matplotlib.figure import Figure
from PIL import Image, ImageDraw

from keras_gans import data, metrics, models
from keras_gans.grids import save_image_grid

args = _common.start(_common.parser(__file__, epochs=1))
files = []

"""
## The bundled MNIST

70,000 handwritten digits of 28x28 grey pixels (60,000 for training, 10,000 for
testing). The gzip IDX files live in `keras_gans/data/mnist/`, so `"mnist"`
works offline. `describe` loads a split and summarises it.
"""

print(data.describe("mnist", split="train"))
print(data.describe("mnist", split="test"))

"""
`load_arrays` gives the raw arrays: uint8 pixels 0-255 with shape
(N, 28, 28, 1) and integer labels. The labels are not perfectly balanced:
there are about a quarter more ones than fives. A generator that learned the data
distribution reproduces these proportions, which the histogram lets you
check later (tutorials 07 and 09).
"""

images, labels = data.load_arrays("mnist", split="train")
print(f"images: {images.dtype} {images.shape}, pixel range [{images.min()}, {images.max()}]")
print(f"labels: {labels.dtype} {labels.shape}, values {sorted(set(labels.tolist()))}")
counts = np.bincount(labels, minlength=10)
print("label counts:", dict(enumerate(counts.tolist())))
print(
    f"most frequent digit: {counts.argmax()} ({counts.max():,}), least frequent: {counts.argmin()} ({counts.min():,})"
)

metrics.plot_class_histogram(labels, str(args.out / "mnist_label_histogram.png"), title="MNIST training labels")
files.append("mnist_label_histogram.png")

"""
Ten examples of each digit, one row per digit. `save_image_grid` takes uint8
images or floats in [-1, 1] and writes a PNG of exact size (every image
scaled 2x).
"""

first_of_each = np.concatenate([images[labels == digit][:10] for digit in range(10)])
save_image_grid(first_of_each, args.out / "mnist_digits.png", nrows=10, ncols=10)
files.append("mnist_digits.png")

"""
## From pixels to [-1, 1]

`load_dataset` returns a `tf.data` pipeline for training: shuffled batches of
float32 images, mapped from [0, 255] to [-1, 1] by `pixels / 127.5 - 1`
(0 -> -1, 255 -> 1). `to_uint8` inverts it exactly.
"""

dataset = data.load_dataset("mnist", batch_size=256)
batch = next(iter(dataset)).numpy()
print(f"a batch: {batch.dtype} {batch.shape}, min {batch.min():.3f}, max {batch.max():.3f}")

pixels = images[:1000]
assert np.array_equal(data.to_uint8(data.normalize(pixels)), pixels)
print("to_uint8(normalize(x)) == x for every pixel: True")

"""
Why [-1, 1]? Every generator in keras_gans ends in `tanh`, whose outputs lie
in (-1, 1): the data and the generator then live in the same range, centred on
0, and the discriminator sees real and fake images on the same scale. (With
[0, 1] data a `sigmoid` output would do, but tanh's symmetric, zero-centred
output and its stronger gradients near 0 made it the DCGAN default.)

A freshly initialised generator already produces values strictly inside
(-1, 1). Note how much of an MNIST digit is pure background: about 80 % of the
pixels are exactly -1, a value tanh only approaches asymptotically, so a
generator has to push those pre-activations far negative.
"""

generator, _ = models.build_preset("vanilla")
untrained = generator(np.random.default_rng(args.seed).standard_normal((64, 96)).astype("float32")).numpy()
print(f"untrained vanilla generator output: min {untrained.min():.3f}, max {untrained.max():.3f}")
normalized = data.normalize(images[:5000])
background = float(np.mean(normalized == -1.0))
print(f"fraction of MNIST pixels exactly -1 (background): {background:.1%}")

figure = Figure(figsize=(9, 3.2), layout="constrained")
raw_axes, scaled_axes, tanh_axes = figure.subplots(1, 3)
raw_axes.hist(images[:5000].ravel(), bins=64, color="tab:gray", log=True)
raw_axes.set(title="uint8 pixels", xlabel="value", ylabel="count (log)")
scaled_axes.hist(normalized.ravel(), bins=64, color="tab:blue", log=True)
scaled_axes.set(title="normalized: x / 127.5 - 1", xlabel="value")
x = np.linspace(-4, 4, 200)
tanh_axes.plot(x, np.tanh(x), color="tab:red")
tanh_axes.axhspan(-1, 1, color="tab:blue", alpha=0.1, label="data range")
tanh_axes.set(title="generator output: tanh(a)", xlabel="pre-activation a")
tanh_axes.legend(loc="upper left", fontsize=8)
figure.savefig(args.out / "pixel_histogram.png", dpi=100)
files.append("pixel_histogram.png")

"""
## Your own images: a folder with one sub-folder per class

Any folder laid out as `root/<class name>/<image>.png` is a dataset: the class
names are the sorted sub-folder names, and colour images of any size are
converted to grey and resized to 28x28. (With `root/train/...` and
`root/test/...` sub-folders you also get a test split.)

To have something to load, we draw one: circles, squares and triangles of
random size, position and colour, as 56x56 RGB PNGs.
"""

shapes_dir = args.out / "shapes"
per_class = 20 if args.quick else 200
rng = np.random.default_rng(args.seed)
for shape in ("circle", "square", "triangle"):
    (shapes_dir / shape).mkdir(parents=True, exist_ok=True)
    for index in range(per_class):
        picture = Image.new("RGB", (56, 56), color=(0, 0, 0))
        draw = ImageDraw.Draw(picture)
        radius = rng.uniform(10, 22)
        cx, cy = rng.uniform(radius + 2, 54 - radius, size=2)
        colour = tuple(int(c) for c in rng.integers(120, 256, size=3))
        if shape == "circle":
            draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=colour)
        elif shape == "square":
            draw.rectangle((cx - radius, cy - radius, cx + radius, cy + radius), fill=colour)
        else:
            corners = [(cx, cy - radius), (cx - radius, cy + radius), (cx + radius, cy + radius)]
            draw.polygon(corners, fill=colour)
        picture.save(shapes_dir / shape / f"{index:03d}.png")
print(f"wrote {3 * per_class} PNGs into {shapes_dir}/{{circle,square,triangle}}/")
files.append("shapes/circle/000.png")

"""
The folder's path is all `load_dataset` needs. With `labels=True` it yields
`(images, labels)` batches, which is what a conditional GAN trains on
(tutorial 06).
"""

print(data.describe(shapes_dir))
shapes, info = data.load_dataset(shapes_dir, batch_size=64, labels=True, with_info=True)
shape_images, shape_labels = next(iter(shapes))
print(
    f"a batch: images {shape_images.dtype.name} {tuple(shape_images.shape)}, "
    f"range [{shape_images.numpy().min():.2f}, {shape_images.numpy().max():.2f}]; "
    f"labels {shape_labels.numpy()[:12].tolist()} ... ({', '.join(info.class_names)})"
)
save_image_grid(shape_images[:48], args.out / "shapes_grid.png", ncols=12)
files.append("shapes_grid.png")

"""
## Summary

- `data.describe(name)`, `data.load_arrays(name)`, `data.load_dataset(name)`
  accept `"mnist"`, a TensorFlow Datasets name such as `"fashion_mnist"`
  (tutorial 04), an `.npz` file, a folder of IDX files or a folder of class
  sub-folders of images.
- Training pipelines yield float32 (batch, 28, 28, 1) images in [-1, 1], the
  range of a tanh generator.
"""

_common.finish(args, files)
