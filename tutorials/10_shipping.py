"""
Title: Shipping a generator: SavedModel, serving signatures, TFSMLayer
Author: keras_gans
Description: Export a trained generator and use it from plain TensorFlow, without keras_gans.

What you will learn:

- what `export_generator` writes: a TensorFlow SavedModel with two serving
  signatures, plus `generator.json` describing it;
- how a program that has never heard of keras_gans loads and runs it (we
  prove it in a separate Python process), and that it computes exactly what
  the trained model computes;
- how a service would call the `sample` signature: a number of images, a
  seed, a label, and uint8 pixels back;
- how to reuse the export as a layer of a new Keras model with
  `keras.layers.TFSMLayer`.

How to run:

    python tutorials/10_shipping.py [--quick] [--epochs 5] [--out DIR]

Trains a conditional GAN for the default 5 epochs (1-2 minutes on 2 CPU
cores), then exports and serves it in seconds.
"""

"""
## Setup
"""

import _common  # noqa: I001  (must come before keras)

import json
import subprocess
import sys

import keras
import numpy as np
import tensorflow as tf

from keras_gans import callbacks, data, export, gans, grids, models

args = _common.start(_common.parser(__file__, epochs=5))
files = []

"""
## A generator worth shipping

A conditional MLP GAN (tutorial 06), so that the exported model takes a
label as well as z.
"""

batch_size = 64 if args.quick else 128
limit = 512 if args.quick else None
generator, discriminator = models.build_preset("conditional_mlp")
gan = gans.GAN(generator, discriminator, seed=args.seed)
gan.compile(  # the optimizers of tutorial 06
    d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
    g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
)
dataset = data.load_dataset("mnist", batch_size=batch_size, labels=True, drop_remainder=True, limit=limit)
gan.fit(dataset, epochs=args.epochs, verbose=2, callbacks=[callbacks.StopOnNonFinite()])

"""
## Export

`export_generator` writes the generator (the EMA copy when the GAN keeps
one) as a SavedModel with two signatures:

- `serving_default(z, labels)`: float32 z (n, latent_dim) and int32 class
  indices (n,) -> `{"images": float32 (n, 28, 28, 1) in [-1, 1]}`;
- `sample(n, seed, label)`: how many, which seed, which class (-1 cycles
  0, 1, 2, ...) -> `{"images": uint8 (n, 28, 28, 1)}`. z is drawn inside
  with a stateless op, so the same seed always gives the same images.

`generator.json` records what a caller needs: latent size, image shape,
classes, versions. `overwrite=True` replaces a previous export of this
tutorial (never anything that is not an export).
"""

export_dir = export.export_generator(
    gan, args.out / "generator", metadata={"dataset": "mnist", "epoch": args.epochs}, overwrite=True
)
for path in sorted(export_dir.rglob("*")):
    if path.is_file():
        print(f"  {path.relative_to(args.out)}  ({path.stat().st_size:,} bytes)")
metadata = json.loads((export_dir / "generator.json").read_text())
print(json.dumps({key: metadata[key] for key in ("latent_dim", "image_shape", "conditional", "num_classes")}))
files += ["generator/saved_model.pb", "generator/generator.json"]

"""
## Loading it without keras_gans

The consumer below needs only TensorFlow and NumPy. We write it to a file and
run it in a *separate Python process*, so nothing of keras_gans (or of the
trained model in this process) can leak in. It lists the signatures, runs
`serving_default` on z and labels we give it, saves the images, and reports
whether keras_gans got imported.
"""

SERVE_SCRIPT = '''"""Runs an exported keras_gans generator with TensorFlow alone.

    python serve_without_keras_gans.py EXPORT_DIR INPUTS.npz OUTPUT.npy
"""
import sys

import numpy as np
import tensorflow as tf

export_dir, inputs_path, output_path = sys.argv[1:4]
generator = tf.saved_model.load(export_dir)
for name, function in generator.signatures.items():
    specs = function.structured_input_signature[1]
    inputs = {key: (spec.shape.as_list(), spec.dtype.name) for key, spec in specs.items()}
    print(f"signature {name}: inputs {inputs}")
inputs = np.load(inputs_path)
images = generator.signatures["serving_default"](
    z=tf.constant(inputs["z"]), labels=tf.constant(inputs["labels"])
)["images"]
np.save(output_path, images.numpy())
print(f"wrote images {images.shape} {images.dtype.name}; keras_gans imported: {'keras_gans' in sys.modules}")
'''

script = args.out / "serve_without_keras_gans.py"
script.write_text(SERVE_SCRIPT)
rng = np.random.default_rng(args.seed)
z = rng.standard_normal((20, metadata["latent_dim"])).astype("float32")
labels = (np.arange(20) % 10).astype("int32")
np.savez(args.out / "request.npz", z=z, labels=labels)
result = subprocess.run(
    [sys.executable, str(script), str(export_dir), str(args.out / "request.npz"), str(args.out / "served.npy")],
    capture_output=True,
    text=True,
    check=False,
)
print(result.stdout)
if result.returncode != 0:
    raise RuntimeError(f"the consumer process failed:\n{result.stderr[-2000:]}")
files += ["serve_without_keras_gans.py", "served.npy"]

"""
## Same numbers?

The served images must be the trained model's images for the same inputs,
up to float round-off.
"""

served = np.load(args.out / "served.npy")
expected = gan.sampling_generator.predict([z, np.eye(10, dtype="float32")[labels]], verbose=0)
difference = float(np.abs(served - expected).max())
print(f"max |served - trained| = {difference:.2e}")
if difference > 1e-5:
    raise AssertionError(f"the export does not reproduce the trained generator (max difference {difference})")
grids.save_image_grid(served, args.out / "served_by_tensorflow.png", nrows=2, ncols=10)
files.append("served_by_tensorflow.png")

"""
## Calling `sample` like a service

A web service would turn a request such as `{"n": 20, "seed": 42, "label":
7}` into one call of the `sample` signature and send back uint8 pixels,
ready for a PNG encoder. The same request always gets the same images.
"""

saved_model = tf.saved_model.load(str(export_dir))
sample = saved_model.signatures["sample"]


def handle(request):
    return sample(
        n=tf.constant(request["n"], tf.int32),
        seed=tf.constant(request["seed"], tf.int64),
        label=tf.constant(request.get("label", -1), tf.int32),
    )["images"].numpy()


sevens = handle({"n": 20, "seed": 42, "label": 7})
print(f"response: {sevens.dtype} {sevens.shape}, pixel range [{sevens.min()}, {sevens.max()}]")
print(
    f"same request, same images: {np.array_equal(sevens, handle({'n': 20, 'seed': 42, 'label': 7}))}; "
    f"another seed differs: {not np.array_equal(sevens, handle({'n': 20, 'seed': 43, 'label': 7}))}"
)
grids.save_image_grid(sevens, args.out / "served_sevens.png", nrows=2, ncols=10)
grids.save_image_grid(handle({"n": 30, "seed": 0}), args.out / "served_all_digits.png", nrows=3, ncols=10)
files += ["served_sevens.png", "served_all_digits.png"]

"""
## The export as a Keras layer

`keras.layers.TFSMLayer` wraps an endpoint of a SavedModel as a layer, with
no access to the original Python code, so an export can become part of a
new model. Here a small model turns the generator's [-1, 1] images into
[0, 1] intensities; the signature's second input is passed as a keyword.
"""

served_layer = keras.layers.TFSMLayer(str(export_dir), call_endpoint="serving_default")
z_input = keras.Input(shape=(metadata["latent_dim"],), name="z")
label_input = keras.Input(shape=(), dtype="int32", name="labels")
images = served_layer(z_input, labels=label_input)["images"]
intensities = keras.layers.Rescaling(0.5, offset=0.5, name="to_unit_range")(images)
wrapper = keras.Model([z_input, label_input], intensities, name="served_generator")
wrapper.summary()
unit_images = wrapper.predict([z, labels], verbose=0)
print(
    f"wrapper output range [{unit_images.min():.3f}, {unit_images.max():.3f}], "
    f"matches the export: {np.allclose(unit_images, (served + 1) / 2, atol=1e-5)}"
)

"""
## The same, with keras_gans installed

keras_gans has shortcuts for all of this: `load_exported_generator(path)`
returns a NumPy-in, NumPy-out function and the metadata;
`sample_exported_generator(path, n, seed, label)` calls `sample`; and the
command line draws a grid:

    python -m keras_gans sample tutorial_outputs/10_shipping/generator --n 100 --label 3 --out threes.png
"""

generate, _ = export.load_exported_generator(export_dir)
print(f"load_exported_generator agrees: {np.allclose(generate(z, labels), served, atol=1e-6)}")
threes, _ = export.sample_exported_generator(export_dir, n=10, seed=1, label=3)
print(f"sample_exported_generator(label=3): {threes.shape} {threes.dtype}")

_common.finish(args, files)
