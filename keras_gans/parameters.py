"""Trainable parameter counts of models, and per-layer tables of them.

`count_parameters` counts one model. A `ParameterTable` lists, layer by
layer, the counts of a generator/discriminator pair built at several latent
sizes (`tabulate_parameters`), which shows where a larger z adds weights;
`keras_gans.models.parameter_table` builds one for a preset, for the `params`
command and the tutorials.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import keras


def _trainable_size(weights) -> int:
    return sum(math.prod(weight.shape) for weight in weights)


def count_parameters(model: keras.Model) -> int:
    """Number of trainable parameters of a model (BN moving statistics excluded)."""
    return int(_trainable_size(model.trainable_weights))


@dataclasses.dataclass(frozen=True)
class ParameterRow:
    """Trainable parameters of one layer, one count per latent_dim."""

    model: str
    layer: str
    counts: tuple[int, ...]

    @property
    def growth(self) -> tuple[int, ...]:
        """Each count minus the count at the first latent_dim."""
        return tuple(count - self.counts[0] for count in self.counts)


@dataclasses.dataclass(frozen=True)
class ParameterTable:
    """Per-layer trainable parameter counts of a preset for several latent_dims.

    `str(table)` formats it as text; `rows` holds the numbers. Layers without
    weights are left out.
    """

    preset: str
    latent_dims: tuple[int, ...]
    rows: tuple[ParameterRow, ...]

    def total(self, model: str) -> tuple[int, ...]:
        """Total counts of "generator" or "discriminator", one per latent_dim."""
        counts = [row.counts for row in self.rows if row.model == model]
        return tuple(sum(column) for column in zip(*counts))

    def __str__(self) -> str:
        base = self.latent_dims[0]
        header = ["model", "layer"] + [f"latent_dim={d}" for d in self.latent_dims]
        header += [f"growth {base}->{d}" for d in self.latent_dims[1:]]
        lines = [header]
        for model in ("generator", "discriminator"):
            model_rows = [row for row in self.rows if row.model == model]
            model_rows.append(ParameterRow(model, "TOTAL", self.total(model)))
            for row in model_rows:
                lines.append(
                    [row.model, row.layer]
                    + [f"{count:,}" for count in row.counts]
                    + [f"{grow:+,}" for grow in row.growth[1:]]
                )
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        text = [f"Trainable parameters of preset {self.preset!r}"]
        for line in lines:
            cells = [line[0].ljust(widths[0]), line[1].ljust(widths[1])]
            cells += [cell.rjust(width) for cell, width in zip(line[2:], widths[2:])]
            text.append("  ".join(cells))
        return "\n".join(text)


def tabulate_parameters(
    preset: str, latent_dims: Sequence[int], pairs: Sequence[tuple[keras.Model, keras.Model]]
) -> ParameterTable:
    """Counts each layer's trainable parameters of `(generator, discriminator)` pairs.

    Args:
        preset: name shown in the table's title.
        latent_dims: the latent size each pair was built with, one per pair.
        pairs: the built networks, in the order of `latent_dims`.

    Returns:
        A `ParameterTable`; layers without weights are left out.
    """
    if len(latent_dims) != len(pairs):
        raise ValueError(
            f"need one (generator, discriminator) pair per latent_dim, received "
            f"{len(pairs)} pairs for latent_dims={tuple(latent_dims)!r}"
        )
    counts: dict[tuple[str, str], list[int]] = {}
    for generator, discriminator in pairs:
        for model_kind, model in (("generator", generator), ("discriminator", discriminator)):
            for layer in model.layers:
                if layer.trainable_weights:
                    key = (model_kind, layer.name)
                    counts.setdefault(key, []).append(_trainable_size(layer.trainable_weights))
    rows = tuple(
        ParameterRow(model=model_kind, layer=layer_name, counts=tuple(layer_counts))
        for (model_kind, layer_name), layer_counts in counts.items()
    )
    return ParameterTable(preset=preset, latent_dims=tuple(latent_dims), rows=rows)
