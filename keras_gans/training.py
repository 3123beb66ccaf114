"""One training run, from a `TrainConfig` to files on disk.

`train(config)` is what `python -m keras_gans train` runs: it picks the
distribution strategy, builds the data pipeline and the model (a GAN or the
energy-based model), attaches the callbacks (image grids, loss curves,
checkpoints, export) and calls `fit`.
Each step is a small function a tutorial can call on its own.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
from pathlib import Path

import keras
import tensorflow as tf

from keras_gans import callbacks, data, distribution, ebm, export, gans, metrics, models, precision
from keras_gans.config import TrainConfig, get_recipe

DEFAULT_OUTPUT_ROOT = Path("saved_models")


def make_graphs_repeatable() -> None:
    """Turns off Grappler's constant folding for the graphs this process builds from now on.

    With it on, two processes training the same recipe from the same seed on
    one machine drifted apart from the first step in recipes whose R1
    penalty differentiates through the DCGAN discriminator twice (`vanilla`,
    `lsgan`, `dcgan`): the discriminator's gradients differed in their last
    bits, with one thread as with two and with oneDNN on or off, and
    `tf.config.experimental.enable_op_determinism()` did not help. With it
    off, two processes training `vanilla` for a full epoch ended with the
    same losses to the bit (`tests/test_cli.py` checks a short run). A
    200-step `train dcgan` took the same CPU time either way (median ratio
    1.03 of three pairs, range 0.95 to 1.09, 2026-12-04, AMD EPYC, 2 cores).
    Process-wide, like `keras.utils.set_random_seed`: `train` calls it; call
    it yourself before your own `fit` for runs that repeat.
    """
    tf.config.optimizer.set_experimental_options({"constant_folding": False})


@dataclasses.dataclass
class TrainResult:
    """What a run produced."""

    run_dir: Path | None  # None on the workers of a cluster that are not the chief
    model: keras.Model
    history: dict[str, list[float]]
    epochs_done: int
    files: dict[str, Path]


def build_gan(config: TrainConfig, steps_per_execution: int = 1, jit_compile: bool | None = None) -> gans.GAN:
    """Builds and compiles the GAN of `config` (call inside the strategy scope).

    The recipe's objective on `config.architecture`, its networks computing
    in `config.precision`.

    `jit_compile=None` means the config's choice (`TrainConfig.use_xla`).
    """
    recipe = config.recipe
    with precision.dtype_policy(config.precision):
        generator, discriminator = models.build_preset(
            config.architecture, latent_dim=config.latent_dim, **config.architecture_options
        )
    gan_class = getattr(gans, recipe.gan_class)
    gan = gan_class(
        generator,
        discriminator,
        n_critic=config.critic_updates,
        ema_decay=config.generator_ema,
        r1_weight=config.r1_penalty_weight,
        r1_samples=recipe.r1_samples,
        r1_interval=recipe.r1_interval,
        seed=config.seed,
        **recipe.gan_options,
    )
    d_optimizer, g_optimizer = recipe_optimizers(gan, config.learning_rate, recipe.beta_1)
    gan.compile(
        d_optimizer=d_optimizer,
        g_optimizer=g_optimizer,
        loss=recipe.loss,
        label_smoothing=recipe.label_smoothing,
        steps_per_execution=steps_per_execution,
        jit_compile=config.use_xla if jit_compile is None else jit_compile,
    )
    return gan


def recipe_optimizers(
    gan: gans.GAN, learning_rate: float | None, beta_1: float | None
) -> tuple[keras.optimizers.Optimizer | None, keras.optimizers.Optimizer | None]:
    """The GAN class's optimizers with the recipe's rate and Adam β1.

    Each objective keeps its optimizer family (Adam, RMSprop) and its other
    settings.

    Args:
        gan: the GAN whose `default_optimizers()` to start from.
        learning_rate: rate of both optimizers, > 0; `None` keeps the class's.
        beta_1: Adam's β1 of both, in [0, 1); `None` keeps the class's.

    Returns:
        `(d_optimizer, g_optimizer)`, or `(None, None)` (the class defaults)
        when both arguments are `None`.

    Raises:
        ValueError: for a `beta_1` when the class's optimizer has none.
    """
    if learning_rate is None and beta_1 is None:
        return None, None
    optimizers = []
    for optimizer in gan.default_optimizers():
        settings = optimizer.get_config()
        if learning_rate is not None:
            settings["learning_rate"] = learning_rate
        if beta_1 is not None:
            if "beta_1" not in settings:
                raise ValueError(
                    f"beta_1 needs an Adam-like optimizer; {type(gan).__name__} trains with "
                    f"{type(optimizer).__name__}, received beta_1={beta_1!r}"
                )
            settings["beta_1"] = beta_1
        optimizers.append(type(optimizer).from_config(settings))
    return optimizers[0], optimizers[1]


def build_ebm(
    config: TrainConfig, steps_per_execution: int = 1, jit_compile: bool | None = None
) -> ebm.EnergyBasedModel:
    """Builds and compiles the energy-based model (inside the strategy scope).

    `jit_compile=None` means off, the model's default (see `EnergyBasedModel.compile`).
    """
    with precision.dtype_policy(config.precision):
        energy_network = ebm.energy_network()
    sample_steps = {} if config.sample_steps is None else {"sample_steps": config.sample_steps}
    model = ebm.EnergyBasedModel(energy_network, seed=config.seed, **sample_steps)
    optimizer = None
    if config.learning_rate is not None:
        optimizer = keras.optimizers.Adam(config.learning_rate, beta_1=0.0, clipnorm=0.1)
    model.compile(optimizer=optimizer, steps_per_execution=steps_per_execution, jit_compile=bool(jit_compile))
    return model


def plan_steps(config: TrainConfig, num_examples: int, n_critic: int) -> tuple[int, int]:
    """Returns `(steps_per_epoch, steps_per_execution)` that fit together.

    Keras runs whole executions of `steps_per_execution` steps, so an epoch
    that is not a multiple of it silently runs longer. An epoch of one pass
    over the data (or of the recipe's `max_steps_per_epoch`, if fewer) is
    rounded down to a multiple (the stream continues into the next epoch, so
    no image is skipped for good); an explicit `steps_per_epoch` is kept and
    the execution size shrinks to a divisor.
    """
    step_batch = n_critic * config.real_batch_size
    if num_examples < step_batch:
        raise ValueError(
            f"one training step needs n_critic * batch_size = {step_batch} images, "
            f"but the dataset has only {num_examples}"
        )
    wanted = config.steps_per_execution
    if config.steps_per_epoch is not None:
        steps = config.steps_per_epoch
        per_call = max(d for d in range(1, min(wanted, steps) + 1) if steps % d == 0)
        return steps, per_call
    steps = num_examples // step_batch
    if config.recipe.max_steps_per_epoch is not None:
        steps = min(steps, config.recipe.max_steps_per_epoch)
    per_call = min(wanted, steps)
    return steps - steps % per_call, per_call


def _newest_run(base: Path) -> Path:
    """The highest-numbered non-empty run among `base`, `base-2`, `base-3`, ..."""
    numbered = {
        int(path.name.rsplit("-", 1)[1]): path
        for path in base.parent.glob(f"{base.name}-*")
        if path.name.rsplit("-", 1)[1].isdigit()
    }
    runs = [base] + [numbered[number] for number in sorted(numbered)]
    non_empty = [path for path in runs if path.is_dir() and any(path.iterdir())]
    return non_empty[-1] if non_empty else base


def _refuse_file(path: Path, option: str) -> None:
    """Fails in one line when the folder `option` names is an existing file."""
    if path.exists() and not path.is_dir():
        raise FileExistsError(f"{option}={str(path)!r} is an existing file, not a folder: choose another path")


def make_folder(path: Path, option: str) -> None:
    """Creates `path` (and its parents), or fails in one line naming `option`."""
    _refuse_file(path, option)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OSError(f"cannot create the {option} folder {path}: {error.strerror}") from error


def resolved_settings(config: TrainConfig) -> dict:
    """What the recipe filled in where `config` says None, as `config.json` records it.

    A recipe can change between versions; these values say what the run
    really trained, so a resume can be checked against them.
    """
    if not config.is_gan:
        return {"architecture": None, "n_critic": 1, "batch_size": config.real_batch_size}
    recipe = config.recipe
    n_critic = config.critic_updates or getattr(gans, recipe.gan_class).default_n_critic
    return {
        "architecture": config.architecture,
        "architecture_options": config.architecture_options,
        "n_critic": n_critic,
        "batch_size": config.real_batch_size,
        "learning_rate": config.learning_rate,
        "beta_1": recipe.beta_1,
        "ema_decay": config.generator_ema,
        "r1_weight": config.r1_penalty_weight,
        "r1_samples": recipe.r1_samples,
        "r1_interval": recipe.r1_interval,
        "max_steps_per_epoch": recipe.max_steps_per_epoch,
        "label_smoothing": recipe.label_smoothing,
        "gan_options": dict(recipe.gan_options),
    }


def check_resumable(config: TrainConfig, run_dir: Path) -> None:
    """Refuses to resume `run_dir` as a different model than it trained.

    The checkpoint holds float32 weights whatever the precision, so a changed
    `--precision` would restore cleanly and then silently train on in the
    other one; a changed architecture would fail deep inside the restore.
    Both are compared with the run's `config.json` here instead.

    Raises:
        ValueError: naming each setting that differs, or a `config.json`
            that is not a JSON object.
    """
    saved = read_run_record(run_dir)
    if saved is None:
        return
    # Older runs did not record preset or precision: they trained the
    # recipe's architecture (as far as this version knows it) in float32.
    saved_model = saved.get("model", config.model)
    resolved = resolved_settings(config)
    saved_resolved = saved.get("resolved", {})
    fields = {
        "model": (saved_model, config.model),
        "architecture": (
            saved_resolved.get("architecture", saved.get("preset") or get_recipe(saved_model).preset),
            resolved["architecture"],
        ),
        "latent_dim": (saved.get("latent_dim"), config.latent_dim),
        "precision": (saved.get("precision", "float32"), config.precision),
        # Both set what one training step reads, so the resumed data stream.
        "n_critic": (saved_resolved.get("n_critic", resolved["n_critic"]), resolved["n_critic"]),
        "batch_size": (saved_resolved.get("batch_size", resolved["batch_size"]), resolved["batch_size"]),
    }
    # The objective's options that only a recipe sets (no flag changes them):
    # a run recorded before they existed trained without them.
    for name, before in (
        ("label_smoothing", 0.0),
        ("beta_1", None),
        ("gan_options", {}),
        ("architecture_options", {}),
        ("r1_interval", 1),
        # Where each epoch starts in the data stream, as n_critic and batch_size.
        ("max_steps_per_epoch", None),
    ):
        if name in resolved:
            fields[name] = (saved_resolved.get(name, before), resolved[name])
    if "r1_samples" in resolved and "r1_samples" in saved_resolved:
        fields["r1_samples"] = (saved_resolved["r1_samples"], resolved["r1_samples"])
    changed = [f"{name} {old!r} -> {new!r}" for name, (old, new) in fields.items() if old != new]
    if changed:
        raise ValueError(
            f"cannot resume {run_dir} as a different model ({'; '.join(changed)}): "
            "resume with the options the run was started with"
        )


def read_run_record(run_dir: Path) -> dict | None:
    """The run's `config.json` as a dict; None when the run has none.

    Raises:
        ValueError: when the file is not a JSON object.
    """
    path = run_dir / "config.json"
    if not path.is_file():
        return None
    remedy = "repair it, or move it away to resume without its checks"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:  # not UTF-8, or not JSON
        raise ValueError(f"{path} is not valid JSON ({error}); {remedy}") from None
    if not isinstance(record, dict):
        raise ValueError(f"{path} holds the JSON value {json.dumps(record)[:40]}, not an object of settings; {remedy}")
    return record


def write_run_record(config: TrainConfig, run_dir: Path) -> None:
    """Writes `config.json`: the run's settings and what the recipe resolved.

    A resumed run records its own invocation (e.g. more `epochs`) and keeps
    what the earlier ones recorded under `"earlier_invocations"`, oldest
    first: the folder never loses how its run was started. It is written
    before training starts, so an invocation that then fails stays on
    record too.
    """
    record = {**dataclasses.asdict(config), "resolved": resolved_settings(config)}
    earlier = read_run_record(run_dir) if config.resume else None
    if earlier is not None:
        record["earlier_invocations"] = [*earlier.pop("earlier_invocations", []), earlier]
    (run_dir / "config.json").write_text(json.dumps(record, indent=2))


def resolve_run_dir(config: TrainConfig) -> Path:
    """Chooses the run folder without ever destroying a previous run.

    `out` (default `saved_models/<model>`) is used as is when it is new or
    empty, when resuming, or with `overwrite`. Otherwise the next free
    numbered sibling (`<out>-2`, `<out>-3`, ...) is used. When resuming
    without `out`, the newest numbered run of the model is continued.
    """
    base = Path(config.out) if config.out else DEFAULT_OUTPUT_ROOT / config.model
    _refuse_file(base, "out")
    if config.resume:
        run_dir = base if config.out else _newest_run(base)
        if not (run_dir / "checkpoints").is_dir():
            raise FileNotFoundError(f"nothing to resume: {run_dir / 'checkpoints'} does not exist")
        check_resumable(config, run_dir)
        return run_dir
    if config.overwrite and base.exists():
        shutil.rmtree(base)
    return export.next_free_dir(base)


def make_dataset(config: TrainConfig, conditional: bool, n_critic: int) -> tuple[tf.data.Dataset, int]:
    """The training pipeline, repeated, and the number of training images.

    Each Keras step is one generator step and consumes `n_critic` real
    batches, so batches hold `n_critic * batch_size` images. Every pass
    reshuffles from the seed, so the repeated stream is the same in every run
    and a resumed run can skip to where the previous one stopped.
    """
    dataset, info = data.load_dataset(
        config.dataset,
        split="train",
        batch_size=n_critic * config.real_batch_size,
        labels=conditional,
        seed=config.seed,
        limit=config.limit,
        drop_remainder=True,
        with_info=True,
    )
    # Across worker processes, each takes its share of every global batch
    # (DATA sharding). The data do not come from files, so TF's default of
    # sharding by file would only fall back to this with a warning.
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.repeat().with_options(options), info.num_examples


def make_callbacks(config: TrainConfig, run_dir: Path, metadata: dict) -> list[keras.callbacks.Callback]:
    """Guards, grids, curves, checkpoints and export for a run."""
    run_callbacks = [callbacks.StopOnNonFinite()]
    if not config.is_gan:
        run_callbacks.append(ebm.DivergenceGuard())
    run_callbacks += [
        callbacks.ImageGrid(run_dir / "images"),
        callbacks.SampleGrid(run_dir),
    ]
    if config.evaluate_every and config.is_gan:
        # Before LossCurves, so the CSV records the metrics it adds.
        classifier = metrics.load_classifier(config.dataset)
        test_images, _ = data.load_arrays(config.dataset, split="test")
        run_callbacks.append(callbacks.SampleQuality(classifier, test_images, every_n_epochs=config.evaluate_every))
    run_callbacks += [
        callbacks.LossCurves(run_dir),
        callbacks.Checkpoint(run_dir / "checkpoints"),
    ]
    if config.export and config.is_gan:
        run_callbacks.append(callbacks.ExportGenerator(run_dir / "generator", metadata=metadata, overwrite=True))
    if config.tensorboard:
        run_callbacks.append(keras.callbacks.TensorBoard(config.tensorboard))
        run_callbacks.append(callbacks.TensorBoardImages(config.tensorboard))
    return run_callbacks


def _files_written_by(run_callbacks: list[keras.callbacks.Callback]) -> dict[str, Path]:
    """What the run's callbacks wrote, by the paths they own."""
    files = {}
    for callback in run_callbacks:
        if isinstance(callback, callbacks.ImageGrid):
            files["grids"] = callback.out_dir
        elif isinstance(callback, callbacks.SampleGrid):
            files["samples"] = callback.out_dir / callback.filename
        elif isinstance(callback, callbacks.LossCurves):
            files["loss curves"], files["loss table"] = callback.png_path, callback.csv_path
        elif isinstance(callback, callbacks.Checkpoint):
            files["checkpoints"] = callback.directory
        elif isinstance(callback, callbacks.ExportGenerator):
            files["generator"] = callback.export_path or callback.export_dir
    return files


def train(config: TrainConfig) -> TrainResult:
    """Runs one training job as configured; returns where everything went.

    Under `strategy="multi-worker"` every worker process calls `train` with
    the same config. Only the chief writes the run folder; the others save
    into temporary folders that are removed at the end (every worker must
    take part in saving, TF's multi-worker guide), and their result has
    `run_dir=None`. Resuming reads the chief's checkpoints on every worker,
    so the run folder must be on a disk they all see.
    """
    # MultiWorkerMirroredStrategy must exist before other TensorFlow work.
    strategy = distribution.make_strategy(config.strategy)
    keras.utils.set_random_seed(config.seed)
    make_graphs_repeatable()
    # The data first: a dataset that cannot serve this model fails before
    # any folder is made.
    plan = _plan_run(config, strategy)
    if distribution.is_chief(strategy):
        if config.tensorboard:
            make_folder(Path(config.tensorboard), "tensorboard")
        run_dir = resolve_run_dir(config)
        make_folder(run_dir, "out")
        write_run_record(config, run_dir)
        return _fit(config, strategy, plan, run_dir, run_dir)
    # Resolving has side effects (overwrite deletes) except when resuming.
    checkpoint_dir = resolve_run_dir(config) if config.resume else None
    scratch = Path(tempfile.mkdtemp(prefix="keras_gans_worker_"))
    try:
        result = _fit(config, strategy, plan, checkpoint_dir, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return dataclasses.replace(result, run_dir=None, files={})


@dataclasses.dataclass(frozen=True)
class _RunPlan:
    """The input stream of a run and how `fit` steps through it."""

    dataset: tf.data.Dataset  # repeated; one element per training step
    steps_per_epoch: int
    steps_per_execution: int
    jit_compile: bool


def _plan_run(config: TrainConfig, strategy: tf.distribute.Strategy) -> _RunPlan:
    conditional = config.is_gan and models.get_preset(config.architecture).conditional
    n_critic = resolved_settings(config)["n_critic"]
    dataset, num_examples = make_dataset(config, conditional, n_critic)
    per_call, jit_compile = distribution.supported_execution(strategy, config.steps_per_execution, config.use_xla)
    steps, per_call = plan_steps(dataclasses.replace(config, steps_per_execution=per_call), num_examples, n_critic)
    return _RunPlan(dataset, steps, per_call, jit_compile)


def _fit(
    config: TrainConfig, strategy: tf.distribute.Strategy, plan: _RunPlan, resume_dir: Path | None, run_dir: Path
) -> TrainResult:
    """Builds the model, restores from `resume_dir`, fits; writes into `run_dir`."""
    build_model = build_gan if config.is_gan else build_ebm
    with strategy.scope():
        model = build_model(config, steps_per_execution=plan.steps_per_execution, jit_compile=plan.jit_compile)
    initial_epoch = 0
    if config.resume:
        initial_epoch = callbacks.restore_latest(model, resume_dir / "checkpoints")
    metadata = {
        "objective": config.model,
        "architecture": config.architecture,
        "precision": config.precision,
        "dataset": config.dataset,
    }
    run_callbacks = make_callbacks(config, run_dir, metadata)
    try:
        history = model.fit(
            plan.dataset.skip(initial_epoch * plan.steps_per_epoch),
            epochs=config.total_epochs,
            initial_epoch=initial_epoch,
            steps_per_epoch=plan.steps_per_epoch,
            callbacks=run_callbacks,
            verbose=config.verbose,
            shuffle=False,  # the pipeline shuffles, reproducibly, by itself
        )
    except tf.errors.UnavailableError as error:
        # A worker of the cluster died: the others fail at their next
        # collective operation, with pages of gRPC detail.
        raise ConnectionError(
            "a worker of the cluster stopped responding (tf.errors.UnavailableError); restart "
            "every worker with --resume to continue from the last checkpoint"
        ) from error
    files = {"config": run_dir / "config.json", **_files_written_by(run_callbacks)}
    if config.export and not config.is_gan:
        files["model"] = run_dir / "ebm.keras"
        model.save(files["model"])
    return TrainResult(run_dir, model, history.history, config.total_epochs, files)
