"""One line that says where a benchmark ran: date, CPU, cores, TensorFlow.

Figures from different machines are not comparable, so every benchmark of
this folder prints this line above its figures.
"""

import datetime
import os
import platform


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (Linux), else `platform.processor()`."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def onednn_state() -> str:
    """Whether TensorFlow runs its oneDNN CPU kernels: "oneDNN on" or "oneDNN off".

    They change a step's time by a fifth on some CPUs (keras_gans/__init__.py),
    so a figure's line says which ran. TensorFlow has no public call for it.
    """
    try:
        from tensorflow.python.util import _pywrap_util_port
    except ImportError:
        return "oneDNN unknown"
    return "oneDNN on" if _pywrap_util_port.IsMklEnabled() else "oneDNN off"


def describe_machine() -> str:
    """E.g. `2026-11-30, AMD EPYC, 2 cores, TensorFlow 2.21.0, Keras 3.15.1, oneDNN on`."""
    import keras
    import tensorflow as tf

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{datetime.date.today().isoformat()}, {cpu_model()}, {cores} cores, "
        f"TensorFlow {tf.__version__}, Keras {keras.__version__}, {onednn_state()}"
    )
