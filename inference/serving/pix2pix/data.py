"""Paired sketch→picture data for pix2pix training.

Two folder layouts are read, as in the pix2pix datasets and the seed project:

* aligned: every image is ``A|B`` side by side (left the sketch, right the picture);
* split: ``sketch/`` and ``picture/`` folders whose files pair up by name (stem);
* pictures only (:func:`find_pictures`): sketches are extracted from each picture when the
  dataset loads (XDoG and/or Canny with the HED-style clean-up of :mod:`.edges`).

A file named ``<category>__<anything>.png`` (as our dataset builders write) carries its
category, which a category-conditioned generator trains on.

Random jitter (resize up, crop, mirror) is always applied identically to both halves, so the
picture stays under its sketch. Plain torch + Pillow, no Django.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

# The image files training reads (the one list; dataset builders read these and more).
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
# Where a training sketch comes from: the pair's own line art, or edges of the picture.
SKETCH_STYLES = ("given", "xdog", "canny")

PairAugment = Callable[
    [torch.Tensor, torch.Tensor, np.random.Generator], tuple[torch.Tensor, torch.Tensor]
]


@dataclass(frozen=True)
class PairSource:
    """Where one training pair lives: an ``A|B`` file, a sketch file and a picture file, or
    (``picture_only``) a plain picture in ``sketch`` whose sketches are extracted."""

    sketch: Path
    picture: Path | None = None  # None: ``sketch`` is an aligned A|B image (or a plain picture)
    picture_only: bool = False

    @property
    def category(self) -> str | None:
        """The category named by the file (``<slug>__<key>.png``, as our builders write), if any."""
        stem = self.sketch.stem
        return stem.split("__", 1)[0] if "__" in stem else None

    def load(self, size: int) -> tuple[Image.Image, Image.Image]:
        """The pair as two RGB ``size`` x ``size`` images."""
        if self.picture_only:
            raise ValueError(f"{self.sketch} is a picture without a sketch; use load_parts()")
        if self.picture is None:
            with Image.open(self.sketch) as image:
                both = image.convert("RGB")
            half = both.width // 2
            a, b = both.crop((0, 0, half, both.height)), both.crop((half, 0, 2 * half, both.height))
        else:
            with Image.open(self.sketch) as sketch, Image.open(self.picture) as picture:
                a, b = sketch.convert("RGB"), picture.convert("RGB")
        return _fit(a, size), _fit(b, size)

    def load_parts(self, size: int) -> tuple[Image.Image | None, Image.Image]:
        """``(sketch, picture)`` as :meth:`load`, or ``(None, picture)`` for a plain picture
        (put on white where it is transparent)."""
        if not self.picture_only:
            return self.load(size)
        with Image.open(self.sketch) as image:
            rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, "white")
        return None, _fit(Image.alpha_composite(paper, rgba).convert("RGB"), size)


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


def find_pictures(root: Path) -> list[PairSource]:
    """Every picture file directly in ``root``, as pairs whose sketches will be extracted.

    Raises ``FileNotFoundError`` when there are none.
    """
    root = Path(root)
    found = [PairSource(p, picture_only=True) for p in _images(root)] if root.is_dir() else []
    if not found:
        raise FileNotFoundError(
            f"no pictures in {root}: expected {', '.join(IMAGE_SUFFIXES)} files"
        )
    return found


def to_tensor(image: Image.Image) -> torch.Tensor:
    """RGB image to a 3 x H x W float tensor in [-1, 1]."""
    array = torch.from_numpy(np.asarray(image, dtype=np.uint8).copy())
    return array.permute(2, 0, 1).float() / 127.5 - 1.0


def sketch_styles(
    given: Image.Image | None, picture: Image.Image, styles: tuple[str, ...]
) -> list[np.ndarray | None]:
    """Each requested style of sketch for one picture as an ``S x S x 3`` uint8 array, or None
    where it cannot be had (``given`` for a plain picture)."""
    from inference.serving.pix2pix.edges import EdgeMethod, extract_sketch

    drawn: list[np.ndarray | None] = []
    for style in styles:
        if style == "given":
            drawn.append(None if given is None else np.asarray(given))
        elif style in ("xdog", "canny"):
            drawn.append(np.asarray(extract_sketch(picture, cast("EdgeMethod", style))))
        else:
            raise ValueError(f"unknown sketch style {style!r}")
    return drawn


Sample = tuple[torch.Tensor, torch.Tensor, torch.Tensor]


class AlignedDataset(torch.utils.data.Dataset[Sample]):
    """Pairs held in memory as uint8, jittered and augmented afresh on every read.

    Each read returns ``(sketch, picture, label)``: the label is the pair's index in
    ``condition`` (-1 when it has no category there, and with probability ``label_dropout``
    so a conditioned generator also learns the no-category input). With several ``styles``
    every picture keeps one sketch per style (``given`` is the pair's own line art; ``xdog``
    and ``canny`` are extracted from the picture once, at load) and each read picks one, so
    the generator sees more than one kind of line for the same picture. ``ink_targets`` draws
    each read's (augmented) sketch into its target picture, so every stroke stays a line;
    ``colouring`` goes further (:func:`inference.serving.pix2pix.colouring.colour_in`): crayon
    lines, child-like colour scribbles from the picture's own shapes, and the target inked to match.
    A pair whose category is not in ``condition`` takes its ``label_fallback`` (a thing's
    theme, say) when that is.

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
        styles: tuple[str, ...] = ("given",),
        condition: tuple[str, ...] = (),
        label_dropout: float = 0.0,
        ink_targets: bool = False,
        colouring: bool = False,
        label_fallback: dict[str, str] | None = None,
        progress: Callable[[Iterable[PairSource]], Iterable[PairSource]] | None = None,
    ) -> None:
        unknown = sorted(set(styles) - set(SKETCH_STYLES))
        if not styles or unknown:
            raise ValueError(
                f"sketch styles must be some of {', '.join(SKETCH_STYLES)}, not {list(styles)}"
            )
        self.size = size
        self.load_size = load_size or size
        self.flip = flip
        self.augment = augment
        self.seed = seed
        self.epoch = 0
        self.styles = tuple(styles)
        self.label_dropout = label_dropout
        self.ink_targets = ink_targets
        self.colouring = colouring
        index = {slug: i for i, slug in enumerate(condition)}
        fallback = label_fallback or {}
        self.labels = torch.tensor(
            [index.get(p.category or "", index.get(fallback.get(p.category or "", ""), -1))
             for p in pairs],
            dtype=torch.long,
        )  # fmt: skip
        pictures, sketches, available = [], [], []
        blank = np.full((size, size, 3), 255, dtype=np.uint8)
        for source in progress(pairs) if progress else pairs:
            given, picture = source.load_parts(size)
            drawn = sketch_styles(given, picture, self.styles)
            if all(d is None for d in drawn):
                raise ValueError(
                    f"{source.sketch} has no sketch of style "
                    f"{', '.join(self.styles)}; add xdog or canny to extract one"
                )
            pictures.append(np.asarray(picture))
            sketches.append(np.stack([blank if d is None else d for d in drawn]))
            available.append([d is not None for d in drawn])
        # ~200 KB a picture and as much again per sketch style at 256 px: thousands fit.
        self.pictures = torch.from_numpy(np.stack(pictures)).permute(0, 3, 1, 2).contiguous()
        # N x styles x 3 x S x S
        self.sketches = torch.from_numpy(np.stack(sketches)).permute(0, 1, 4, 2, 3).contiguous()
        self.available = torch.tensor(available, dtype=torch.bool)

    def __len__(self) -> int:
        return len(self.pictures)

    def __getitem__(self, index: int) -> Sample:
        rng = np.random.default_rng([self.seed, self.epoch, index])
        choices = np.flatnonzero(self.available[index].numpy())
        style = int(choices[0] if len(choices) == 1 else rng.choice(choices))
        sketch = self.sketches[index, style]
        both = torch.cat([sketch, self.pictures[index]]).float() / 127.5 - 1.0
        both = jitter(both, rng, size=self.size, load_size=self.load_size, flip=self.flip)
        sketch, picture = both[:3], both[3:]
        if self.augment is not None:
            sketch, picture = self.augment(sketch, picture, rng)
        if self.colouring:
            # Crayon lines and colouring-in, the target repainted and inked to match.
            from inference.serving.pix2pix.colouring import colour_in

            sketch, picture = colour_in(sketch, picture, rng)
        elif self.ink_targets:
            # The strokes as given (after augmentation) stay in the picture, like ink under
            # paint: the generator learns to keep every line the child drew, thin ones too.
            picture = torch.minimum(picture, sketch)
        label = self.labels[index]
        if self.label_dropout and rng.random() < self.label_dropout:
            label = torch.tensor(-1)  # sometimes "any category", so no planes still works
        return sketch.contiguous(), picture.contiguous(), label


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
