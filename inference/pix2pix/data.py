"""Paired sketch→picture data for pix2pix training.

Two folder layouts are read, as in the pix2pix datasets and the seed project:

* aligned: every image is ``A|B`` side by side (left the sketch, right the picture);
* split: ``sketch/`` and ``picture/`` folders whose files pair up by name (stem).

Random jitter (resize up, crop, mirror) is always applied identically to both halves, so the
picture stays under its sketch. Plain torch + Pillow, no Django.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")

PairAugment = Callable[
    [torch.Tensor, torch.Tensor, np.random.Generator], tuple[torch.Tensor, torch.Tensor]
]


@dataclass(frozen=True)
class PairSource:
    """Where one training pair lives: an ``A|B`` file, or a sketch file and a picture file."""

    sketch: Path
    picture: Path | None = None  # None: ``sketch`` is an aligned A|B image

    def load(self, size: int) -> tuple[Image.Image, Image.Image]:
        """The pair as two RGB ``size`` x ``size`` images."""
        if self.picture is None:
            with Image.open(self.sketch) as image:
                both = image.convert("RGB")
            half = both.width // 2
            a, b = both.crop((0, 0, half, both.height)), both.crop((half, 0, 2 * half, both.height))
        else:
            with Image.open(self.sketch) as sketch, Image.open(self.picture) as picture:
                a, b = sketch.convert("RGB"), picture.convert("RGB")
        return _fit(a, size), _fit(b, size)


def _fit(image: Image.Image, size: int) -> Image.Image:
    if image.size == (size, size):
        return image
    return image.resize((size, size), Image.Resampling.BICUBIC)


def _images(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)


def find_pairs(root: Path) -> list[PairSource]:
    """Every pair under ``root``: ``sketch/`` + ``picture/`` matched by stem, else ``A|B`` files.

    Raises ``FileNotFoundError`` when the folder holds no pairs, naming the layouts we read.
    """
    root = Path(root)
    sketch_dir, picture_dir = root / "sketch", root / "picture"
    if sketch_dir.is_dir() and picture_dir.is_dir():
        pictures = {p.stem: p for p in _images(picture_dir)}
        pairs = [PairSource(s, pictures[s.stem]) for s in _images(sketch_dir) if s.stem in pictures]
    else:
        pairs = [PairSource(p) for p in _images(root)] if root.is_dir() else []
    if not pairs:
        raise FileNotFoundError(
            f"no training pairs in {root}: expected A|B images, or sketch/ and picture/ folders "
            "with matching file names"
        )
    return pairs


def to_tensor(image: Image.Image) -> torch.Tensor:
    """RGB image to a 3 x H x W float tensor in [-1, 1]."""
    array = torch.from_numpy(np.asarray(image, dtype=np.uint8).copy())
    return array.permute(2, 0, 1).float() / 127.5 - 1.0


class AlignedDataset(torch.utils.data.Dataset[tuple[torch.Tensor, torch.Tensor]]):
    """Pairs held in memory as uint8, jittered and augmented afresh on every read.

    Randomness comes from ``(seed, epoch, index)``, so an epoch is reproducible and a resumed
    run sees the same samples it would have seen. Set :attr:`epoch` before each epoch.
    """

    def __init__(
        self,
        pairs: list[PairSource],
        *,
        size: int = 256,
        load_size: int | None = None,
        flip: bool = True,
        augment: PairAugment | None = None,
        seed: int = 0,
    ) -> None:
        self.size = size
        self.load_size = load_size or size
        self.flip = flip
        self.augment = augment
        self.seed = seed
        self.epoch = 0
        stacks = []
        for source in pairs:
            a, b = source.load(size)
            stacks.append(np.concatenate([np.asarray(a), np.asarray(b)], axis=2))
        # N x 6 x S x S uint8: ~400 KB a pair, so thousands of pairs fit in memory.
        self.pairs = torch.from_numpy(np.stack(stacks)).permute(0, 3, 1, 2).contiguous()

    def __len__(self) -> int:
        return len(self.pairs)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        rng = np.random.default_rng([self.seed, self.epoch, index])
        both = self.pairs[index].float() / 127.5 - 1.0
        both = jitter(both, rng, size=self.size, load_size=self.load_size, flip=self.flip)
        sketch, picture = both[:3], both[3:]
        if self.augment is not None:
            sketch, picture = self.augment(sketch, picture, rng)
        return sketch.contiguous(), picture.contiguous()


def jitter(
    both: torch.Tensor, rng: np.random.Generator, *, size: int, load_size: int, flip: bool
) -> torch.Tensor:
    """pix2pix random jitter on stacked channels: resize to ``load_size``, crop, maybe mirror.

    Sketch and picture travel as one tensor, so they always get the same crop and flip.
    """
    if load_size != both.shape[-1]:
        both = F.interpolate(
            both[None], size=(load_size, load_size), mode="bilinear", align_corners=False
        )[0]
    top, left = (int(v) for v in rng.integers(0, load_size - size + 1, size=2))
    both = both[:, top : top + size, left : left + size]
    if flip and rng.random() < 0.5:
        both = both.flip(-1)
    return both
