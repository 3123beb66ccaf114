"""What this machine gives TensorFlow: the cores a process may use, and whether oneDNN kernels run.

`ebm.langevin` sizes TensorFlow's thread pools by the cores, and every
benchmark prints both facts above its figures (`benchmarks/machine.py`):
oneDNN changed a training step's time by up to a fifth on a 2-core CPU
(see `keras_gans/__init__.py`), and a figure must say which kernels ran.

This module imports nothing of keras_gans: every other module may use it.
"""

from __future__ import annotations

import os


def usable_cores() -> int:
    """The CPU cores this process may run on: its affinity mask on Linux, else all of them (at least 1).

    A container or `taskset` may allow fewer cores than the machine has;
    TensorFlow's thread pools should be sized by what the process may use.
    """
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def onednn_enabled() -> bool | None:
    """Whether TensorFlow runs its oneDNN CPU kernels; None if this TensorFlow build cannot say.

    TensorFlow decides once, when it is first imported (`TF_ENABLE_ONEDNN_OPTS`
    and the CPU's features), and has no public call that reports it, so
    this asks its private `_pywrap_util_port` module. Imports TensorFlow.
    """
    try:
        from tensorflow.python.util import _pywrap_util_port
    except ImportError:
        return None
    return bool(_pywrap_util_port.IsMklEnabled())
