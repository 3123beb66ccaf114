"""Loss curves: every logged metric to CSV as training goes, and a plot of them.

`LossCurves` writes one CSV row per epoch (and optionally one per logged
step) and redraws `loss_curves.png` after each epoch. Rows are appended as
epochs finish, so a crash keeps everything logged before it, and a resumed
run (`fit(initial_epoch=k)`) continues the same files.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import keras
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

_LOSS_KEYS = ("d_loss", "g_loss", "gradient_penalty")
_SCORE_KEYS = ("real_score", "fake_score", "critic_gap", "real_energy", "fake_energy")


# Keras sorts the logs by name; the CSV columns put the GAN's own metrics
# first, in this order, then the others.
_COLUMN_ORDER = (
    "d_loss",
    "g_loss",
    "real_score",
    "fake_score",
    "gradient_penalty",
    "critic_gap",
    "d_grad_norm",
    "g_grad_norm",
)


def _numeric(logs: Mapping | None) -> dict[str, float]:
    """The scalar numbers of a logs dict as floats (other entries dropped),
    in column order."""
    values = {}
    for name, value in (logs or {}).items():
        try:
            values[name] = float(value)
        except (TypeError, ValueError):
            continue
    rank = {name: index for index, name in enumerate(_COLUMN_ORDER)}
    ordered = sorted(values, key=lambda name: rank.get(name, len(rank)))
    return {name: values[name] for name in ordered}


def _parse(column: str, text: str) -> float:
    # Counters stay integers, so rewriting a file keeps "3" as "3".
    return int(float(text)) if column in ("epoch", "step") else float(text)


class _CsvTable:
    """A CSV file mirrored in memory, appended one row at a time.

    Columns are those of the first row, extended when a later row brings a
    new key (e.g. an evaluation metric logged every few epochs); the file is
    then rewritten with the wider header, earlier rows left blank there.
    """

    def __init__(self, path: Path, index: Sequence[str]):
        self.path = path
        self.columns = list(index)
        self.rows: list[dict[str, float]] = []

    def load(self) -> None:
        """Reads the rows already in the file, if any."""
        if not self.path.is_file():
            return
        with self.path.open(newline="") as file:
            reader = csv.DictReader(file)
            for name in reader.fieldnames or []:
                if name not in self.columns:
                    self.columns.append(name)
            self.rows = [
                {name: _parse(name, value) for name, value in row.items() if value not in ("", None)} for row in reader
            ]

    def resume(self, keep_up_to_epoch: int) -> None:
        """Keeps the file's rows of epochs <= `keep_up_to_epoch`; later ones
        (written after the last checkpoint of a crashed run) are dropped."""
        self.load()
        kept = [row for row in self.rows if row.get("epoch", math.inf) <= keep_up_to_epoch]
        if len(kept) < len(self.rows):
            self.rows = kept
            self._rewrite()

    def append(self, row: dict[str, float]) -> None:
        self.rows.append(row)
        new_columns = [name for name in row if name not in self.columns]
        if new_columns or not self.path.is_file():
            self.columns.extend(new_columns)
            self._rewrite()
            return
        with self.path.open("a", newline="") as file:
            csv.DictWriter(file, self.columns).writerow(row)

    def clear(self) -> None:
        """Empties the file (header only)."""
        self.rows = []
        self._rewrite()

    def _rewrite(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("w", newline="") as file:
            writer = csv.DictWriter(file, self.columns)
            writer.writeheader()
            writer.writerows(self.rows)

    def column(self, name: str) -> list[float]:
        return [row.get(name, math.nan) for row in self.rows]


def read_loss_curves(path: str | Path) -> dict[str, list[float]]:
    """Reads a `loss_curves.csv` into `{column: values}` (blanks become NaN)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no loss curves file at {path}")
    table = _CsvTable(path, [])
    table.load()
    return {name: table.column(name) for name in table.columns}


def plot_loss_curves(curves: Mapping[str, Sequence[float]], path: str | Path, x_key: str = "epoch") -> Path:
    """Plots training curves into a PNG (headless, matplotlib's Agg canvas).

    Panels, each drawn only if it has something to show: losses (d_loss,
    g_loss, gradient_penalty and any other `*loss`), critic scores
    (real_score, fake_score, critic_gap, energies), then one panel for each
    other metric. A metric computed only every few epochs (NaN elsewhere) is
    drawn as its points joined.

    Args:
        curves: `{name: values}`, e.g. `read_loss_curves(...)` or
            `History.history`; all columns of equal length.
        path: PNG to write (its folder is created if needed).
        x_key: column of the x axis; 1, 2, ... when absent.

    Returns:
        The path written.
    """
    names = [name for name in curves if name != x_key]
    lengths = {len(values) for values in curves.values()}
    if len(lengths) > 1:
        raise ValueError(f"all curves must have the same length, received lengths {sorted(lengths)}")
    x = list(curves.get(x_key) or range(1, (lengths.pop() if lengths else 0) + 1))
    losses = [n for n in names if n in _LOSS_KEYS or n.endswith("loss")]
    scores = [n for n in names if n in _SCORE_KEYS]
    others = [n for n in names if n not in losses and n not in scores]
    # Other metrics (Fréchet distance, class counts, ...) live on scales
    # too different to share an axis: one panel each.
    panels = [(title, keys) for title, keys in (("loss", losses), ("critic score", scores)) if keys]
    panels += [(name, [name]) for name in others]
    figure = Figure(figsize=(7, 2.6 * max(len(panels), 1)), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(max(len(panels), 1), 1, sharex=True, squeeze=False)[:, 0]
    for ax, (ylabel, keys) in zip(axes, panels):
        for key in keys:
            # Join the points of a metric computed only every few epochs.
            points = [(step, value) for step, value in zip(x, curves[key]) if not math.isnan(value)]
            sparse = len(points) < len(x)
            ax.plot(*zip(*points), marker="o" if sparse or len(x) < 30 else None, markersize=3, label=key)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.legend(loc="best", fontsize="small")
    axes[0].set_title("Training curves")
    axes[-1].set_xlabel(x_key)
    # Epochs and steps are whole numbers: no 1.25, 1.5, ... ticks on short runs.
    axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    return path


class LossCurves(keras.callbacks.Callback):
    """Logs every metric to CSV after each epoch and plots them.

    Files in `out_dir` (created if needed):
    - `loss_curves.csv`: column `epoch` (completed epochs, from 1) and one
      column per logged metric: d_loss, g_loss, real_score, fake_score,
      gradient_penalty, ... and metrics that callbacks placed *before* this
      one in the `callbacks` list add to the epoch logs (Keras passes the
      same logs dict to each callback in turn). A row is appended as each
      epoch ends.
    - `loss_curves.png`: the curves, redrawn after each epoch.
    - with `per_step=True`, `loss_curves_steps.csv`: columns `step`
      (global train step, from 1), `epoch`, then per metric its mean over
      the steps since the previous row and `<metric>_smooth`, an
      exponential moving average with bias correction (as in Adam and
      TensorBoard): `s = smoothing * s + (1 - smoothing) * value` once per
      step, reported as `s / (1 - smoothing ** steps)`.

    With `compile(steps_per_execution=N)` Keras calls batch hooks once per N
    steps with the metrics' running means over the epoch. The per-step
    values are recovered from consecutive means: with means `m_j` after `j`
    steps and `m_k` after `k`, the mean of steps j+1..k is
    `(k * m_k - j * m_j) / (k - j)`. This assumes the logs are such running
    means, as Keras metrics (and the GAN's trackers) report them.

    Resuming: when the first epoch of `fit` is k > 0 and the CSVs exist,
    their rows of epochs <= k are kept and new rows appended; a run
    starting at epoch 0 starts the files afresh.

    Args:
        out_dir: folder of the files.
        per_step: also write the per-step CSV.
        smoothing: EMA factor of the per-step CSV, in [0, 1); 0 = none.
        filename: stem of the file names.

    Example:

    ```python
    gan.fit(dataset, epochs=10, callbacks=[LossCurves("runs/dcgan")])
    read_loss_curves("runs/dcgan/loss_curves.csv")["d_loss"]  # one value per epoch
    ```
    """

    def __init__(
        self,
        out_dir: str | Path,
        per_step: bool = False,
        smoothing: float = 0.9,
        filename: str = "loss_curves",
    ):
        super().__init__()
        if not 0.0 <= smoothing < 1.0:
            raise ValueError(f"smoothing must be in [0, 1), received smoothing={smoothing}")
        self.out_dir = Path(out_dir)
        self.per_step = per_step
        self.smoothing = smoothing
        self.filename = filename
        self.csv_path = self.out_dir / f"{filename}.csv"
        self.png_path = self.out_dir / f"{filename}.png"
        self.steps_csv_path = self.out_dir / f"{filename}_steps.csv"
        self._reset()

    def _reset(self) -> None:
        self.epochs = None
        self.steps = None
        self._global_step = 0
        self._epoch = 0
        self._epoch_steps = 0
        self._epoch_means: dict[str, float] = {}
        self._ema: dict[str, float] = {}

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._epoch_steps = 0
        self._epoch_means = {}
        if self.epochs is None:
            self._open_tables(first_epoch=epoch)

    def _open_tables(self, first_epoch: int) -> None:
        self.epochs = _CsvTable(self.csv_path, ["epoch"])
        if self.per_step:
            self.steps = _CsvTable(self.steps_csv_path, ["step", "epoch"])
        if first_epoch == 0:
            # A new run: replace whatever an earlier run left.
            for table in (self.epochs, self.steps):
                if table is not None:
                    table.clear()
            return
        self.epochs.resume(keep_up_to_epoch=first_epoch)
        if self.steps is None:
            return
        self.steps.resume(keep_up_to_epoch=first_epoch)
        if self.steps.rows:
            last = self.steps.rows[-1]
            self._global_step = int(last["step"])
            # Continue the smoothed curves: undo the bias correction of the
            # last row to get the raw EMA state back.
            debias = 1.0 - self.smoothing**self._global_step
            self._ema = {
                name[: -len("_smooth")]: value * debias for name, value in last.items() if name.endswith("_smooth")
            }
        elif self.params.get("steps"):
            self._global_step = first_epoch * self.params["steps"]

    def on_train_batch_end(self, batch, logs=None):
        if not self.per_step:
            return
        steps_done = batch + 1
        new_steps = steps_done - self._epoch_steps
        if new_steps <= 0:
            return
        means = _numeric(logs)
        row = {"step": self._global_step + steps_done, "epoch": self._epoch + 1}
        total_steps = self._global_step + steps_done
        for name, mean in means.items():
            previous = self._epoch_means.get(name, 0.0)
            value = (steps_done * mean - self._epoch_steps * previous) / new_steps
            # Feeding `value` new_steps times: s <- b^n s + (1 - b^n) value.
            decay = self.smoothing**new_steps
            self._ema[name] = decay * self._ema.get(name, 0.0) + (1.0 - decay) * value
            row[name] = value
            row[f"{name}_smooth"] = self._ema[name] / (1.0 - self.smoothing**total_steps)
        self.steps.append(row)
        self._epoch_steps = steps_done
        self._epoch_means = means

    def on_epoch_end(self, epoch, logs=None):
        self._global_step += self._epoch_steps
        self.epochs.append({"epoch": epoch + 1, **_numeric(logs)})
        curves = {name: self.epochs.column(name) for name in self.epochs.columns}
        plot_loss_curves(curves, self.png_path)
