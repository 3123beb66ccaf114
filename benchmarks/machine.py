"""One line that says where a benchmark ran: date, CPU, cores, TensorFlow.

Figures from different machines are not comparable, so every benchmark of
this folder prints this line above its figures.
"""

import datetime
import platform

from keras_gans.hardware import onednn_enabled, usable_cores


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


def describe_machine() -> str:
    """E.g. `2026-11-30, AMD EPYC, 2 cores, TensorFlow 2.21.0, Keras 3.15.1, oneDNN on`."""
    import keras
    import tensorflow as tf

    onednn = {True: "oneDNN on", False: "oneDNN off", None: "oneDNN unknown"}[onednn_enabled()]
    return (
        f"{datetime.date.today().isoformat()}, {cpu_model()}, {usable_cores()} cores, "
        f"TensorFlow {tf.__version__}, Keras {keras.__version__}, {onednn}"
    )
