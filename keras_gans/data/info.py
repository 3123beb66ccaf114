"""`DatasetInfo`: what a loaded dataset split contains."""

import dataclasses

import numpy as np

# Class names of datasets whose files do not carry them (IDX files hold only
# label indices).
KNOWN_CLASS_NAMES = {
    "mnist": tuple(str(digit) for digit in range(10)),
    "fashion_mnist": (
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ),
}


@dataclasses.dataclass(frozen=True)
class DatasetInfo:
    """Description of one loaded split (after `limit` and resizing).

    Attributes:
        name: the dataset name or path as given to the loader.
        split: "train", "test" or another TFDS split name.
        num_examples: number of images.
        num_classes: number of label values (labels are 0..num_classes-1).
        class_names: one name per class when known, else None.
        image_shape: (image_size, image_size, 1).
        class_counts: number of examples of each class, length num_classes.
        source: where the data was read from (files, TFDS directory).
    """

    name: str
    split: str
    num_examples: int
    num_classes: int
    class_names: tuple[str, ...] | None
    image_shape: tuple[int, int, int]
    class_counts: tuple[int, ...]
    source: str

    @classmethod
    def from_arrays(
        cls,
        name: str,
        split: str,
        images: np.ndarray,
        labels: np.ndarray,
        source: str,
        num_classes: int | None = None,
        class_names: tuple[str, ...] | None = None,
    ) -> "DatasetInfo":
        """Builds the info of uint8 images (N, H, W, 1) and int labels (N,).

        `num_classes` defaults to `len(class_names)`, else to `max(labels) + 1`.
        `num_classes=0` describes unlabeled images (labels are all -1).
        """
        if num_classes is None:
            num_classes = len(class_names) if class_names else int(labels.max(initial=-1)) + 1
        if num_classes == 0 or not len(labels):
            counts = np.zeros(num_classes, int)
        else:
            counts = np.bincount(labels, minlength=num_classes)
        return cls(
            name=str(name),
            split=split,
            num_examples=int(len(images)),
            num_classes=int(num_classes),
            class_names=tuple(class_names) if class_names else None,
            image_shape=tuple(int(size) for size in images.shape[1:]),
            class_counts=tuple(int(count) for count in counts),
            source=source,
        )

    @property
    def labeled(self) -> bool:
        """Whether the images come with class labels."""
        return self.num_classes > 0

    def __str__(self) -> str:
        height, width, channels = self.image_shape
        if not self.labeled:
            return (
                f"{self.name} ({self.split} split): {self.num_examples:,} images of "
                f"{height}x{width}x{channels}, unlabeled\n"
                f"  source: {self.source}"
            )
        names = self.class_names or tuple(str(index) for index in range(self.num_classes))
        classes = ", ".join(f"{label} ({count:,})" for label, count in zip(names, self.class_counts))
        return (
            f"{self.name} ({self.split} split): {self.num_examples:,} images of "
            f"{height}x{width}x{channels}, {self.num_classes} classes\n"
            f"  source: {self.source}\n"
            f"  classes: {classes}"
        )
