"""Energy-based model of images, trained by contrastive divergence with Langevin sampling.

An energy-based model (EBM) defines an unnormalised density over images,
p(x) ∝ exp(−E(x)), with a single network and no generator. Training lowers the
energy of real images and raises the energy of samples drawn from the model
itself by Langevin dynamics (Du & Mordatch, "Implicit Generation and Modeling
with Energy-Based Models", 2019, arXiv:1903.08689; the recipe follows the UvA
Deep Learning tutorial 8, "Deep Energy-Based Generative Models").

Sign convention: the network outputs a *score* s(x) = −E(x), so higher means
more likely (more like the training data). `EnergyBasedModel.score` returns
s(x), which doubles as an out-of-distribution (OOD) score: in-distribution
images should score higher than anything else.

Images are float32 in [-1, 1] with shape (batch, 28, 28, 1), like everywhere
in keras_gans.

- `energy`: `energy_network`, the Swish CNN computing s(x), and
  `SpaceToDepthConv2D`, its faster first layer.
- `langevin`: `langevin_dynamics`, the sampler (noisy ascent of s(x)), and
  `set_threads_for_chain_groups`, which lets its chain groups run side by side.
- `model`: `EnergyBasedModel` (replay buffer, contrastive-divergence
  `train_step`, `generate`, `score`).
- `guards`: `DivergenceGuard` stops (and rolls back) a diverging run,
  raising `TrainingDivergedError`.
- `validation`: `validate_images` checks shape, dtype and range.
- `probes`: OOD probe images (`uniform_noise_images`, `flip_horizontal`,
  `flip_vertical`, `rotate`, `invert`, `shift`, `add_gaussian_noise`,
  `overlay`).
- `ood`: `auroc`, `ood_table` (`OODRow` per probe), `format_ood_table`.

The recipe:

```python
model = EnergyBasedModel(energy_network(), seed=0)
model.compile()
model.fit(real_images_dataset, epochs=3, callbacks=[DivergenceGuard()])
images = model.generate(16)
print(format_ood_table(ood_table(model, test_images)))
```
"""

from keras_gans.ebm.energy import SpaceToDepthConv2D, energy_network
from keras_gans.ebm.guards import DivergenceGuard, TrainingDivergedError
from keras_gans.ebm.langevin import DEFAULT_CHAIN_GROUPS, langevin_dynamics, set_threads_for_chain_groups
from keras_gans.ebm.model import EnergyBasedModel
from keras_gans.ebm.ood import OODRow, auroc, format_ood_table, ood_table
from keras_gans.ebm.probes import (
    add_gaussian_noise,
    flip_horizontal,
    flip_vertical,
    invert,
    overlay,
    rotate,
    shift,
    uniform_noise_images,
)
from keras_gans.ebm.validation import validate_images

__all__ = [
    "DEFAULT_CHAIN_GROUPS",
    "DivergenceGuard",
    "EnergyBasedModel",
    "OODRow",
    "SpaceToDepthConv2D",
    "TrainingDivergedError",
    "add_gaussian_noise",
    "auroc",
    "energy_network",
    "flip_horizontal",
    "flip_vertical",
    "format_ood_table",
    "invert",
    "langevin_dynamics",
    "ood_table",
    "overlay",
    "rotate",
    "set_threads_for_chain_groups",
    "shift",
    "uniform_noise_images",
    "validate_images",
]
