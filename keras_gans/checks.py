"""Argument checks shared by the package, with errors in one style.

Every check returns the value in its plain Python form (a `numpy.int64`
becomes an `int`, a list of sizes a tuple) or raises `ValueError` with the
message `"<name> must be <rule>, received <name>=<value>"`, so a user
reads which argument was wrong and what was passed.

This module imports nothing of keras_gans: every other module may use it.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def is_int(value) -> bool:
    """True for Python and NumPy integers; False for bools (True is not a size)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_choice(name: str, value: T, choices: Sequence[T]) -> T:
    """`value` if it is one of `choices`; the error lists them."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(str, choices))}, received {name}={value!r}")
    return value


def check_positive_int(name: str, value) -> int:
    """`value` as an int if it is an integer > 0."""
    if not is_int(value) or value <= 0:
        raise ValueError(f"{name} must be an integer > 0, received {name}={value!r}")
    return int(value)


def check_fraction(name: str, value) -> float:
    """`value` as a float if it is a real number in [0, 1) (a slope, a rate)."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be a number in [0, 1), received {name}={value!r}")
    return float(value)


def check_positive_ints(name: str, value) -> tuple[int, ...]:
    """`value` as a tuple if it is a sequence (not a string) of integers > 0."""
    if (
        isinstance(value, (str, bytes))
        or not isinstance(value, Sequence)
        or not all(is_int(item) and item > 0 for item in value)
    ):
        raise ValueError(f"{name} must be a sequence of integers > 0, received {name}={value!r}")
    return tuple(int(item) for item in value)


def check_image_shape(value, name: str = "image_shape") -> tuple[int, int, int]:
    """`value` as a tuple if it is `(height, width, channels)` of integers > 0."""
    if (
        isinstance(value, (str, bytes))
        or not isinstance(value, Sequence)
        or len(value) != 3
        or not all(is_int(size) and size > 0 for size in value)
    ):
        raise ValueError(f"{name} must be (height, width, channels) of integers > 0, received {name}={value!r}")
    return tuple(int(size) for size in value)
