"""One process of `test_multi_worker.py`: a tiny `training.train` run.

    python tests/multi_worker_job.py STRATEGY RUN_DIR REPORT.npz

STRATEGY is "multi-worker" (the cluster comes from `TF_CONFIG`) or
"mirrored" (two logical CPUs in this one process: the same two replicas and
global batches without a cluster). Besides the run folder that `train`
writes, the process saves a report: its final weights, its loss history and,
for every step, the replica and the sum of the real images that replica
trained on.
"""

import json
import os
import sys

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

strategy_name, run_dir, report_path = sys.argv[1:4]
if strategy_name == "mirrored":
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

from keras_gans import gans, training  # noqa: E402
from keras_gans.config import TrainConfig  # noqa: E402

real_image_sums: list[tuple[int, float]] = []
unpack = gans.GAN._unpack


def recording_unpack(self, data):
    """`GAN._unpack` that also notes which replica saw which real images."""
    images, labels = unpack(self, data)
    replica_id = tf.distribute.get_replica_context().replica_id_in_sync_group

    def record(replica, total):
        real_image_sums.append((int(replica), float(total)))
        return 0

    # Pixels are multiples of 1/127.5 - 1 in float32: their float64 sum is
    # exact in any order, whatever the thread count.
    tf.py_function(record, [replica_id, tf.reduce_sum(tf.cast(images, tf.float64))], tf.int32)
    return images, labels


gans.GAN._unpack = recording_unpack

# The vanilla MLP has no batch norm, so two replicas of 32 images train
# exactly like one batch of 64: the runs can be compared weight by weight.
config = TrainConfig(
    model="vanilla",
    preset="vanilla",
    strategy=strategy_name,
    out=run_dir,
    limit=512,
    batch_size=64,
    epochs=2,
    steps_per_epoch=3,
    seed=3,
    verbose=0,
)
result = training.train(config)
weights = result.model.generator.get_weights() + result.model.discriminator.get_weights()
np.savez(
    report_path,
    *weights,
    real_image_sums=np.array(real_image_sums),
    history=json.dumps(result.history),
    run_dir=str(result.run_dir),
)
