"""The palette a painter chooses from: fitted to the training pictures, with rebalancing weights.

Colours are compared in CIELAB (OpenCV's float conversion: L in 0..100, a and b about
-128..127), where distances are close to how different colours look. The palette is fitted by
k-means on the coloured pixels of the training pictures, plus paper white and ink black; each
colour also gets a training weight that lifts rare colours (Zhang et al. 2016's rebalancing:
``w ∝ 1 / ((1 - λ) p + λ / K)``, normalised so the expected weight is 1), so the loss does not
teach "when unsure, say the common brownish colour".
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

WHITE = (255, 255, 255)
BLACK = (24, 24, 24)
PAPER_MIN = 245  # a pixel whose darkest channel is this bright is paper
INK_MAX = 48  # ... and one whose brightest channel is this dark is ink


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """``... x 3`` uint8 RGB to float32 CIELAB."""
    flat = np.ascontiguousarray(rgb.reshape(-1, 1, 3), dtype=np.float32) / 255.0
    return cv2.cvtColor(flat, cv2.COLOR_RGB2LAB).reshape(*rgb.shape[:-1], 3)


@dataclass(frozen=True)
class Palette:
    """K colours (uint8 RGB, ``K x 3``) and their training weights (``K``)."""

    rgb: np.ndarray
    weights: np.ndarray

    @property
    def size(self) -> int:
        return len(self.rgb)

    @property
    def lab(self) -> np.ndarray:
        return rgb_to_lab(self.rgb)

    def nearest(self, rgb: np.ndarray) -> np.ndarray:
        """The index of the nearest palette colour (CIELAB) of every pixel of ``H x W x 3``
        uint8 RGB, as ``H x W`` int64."""
        lab = rgb_to_lab(rgb).reshape(-1, 3)
        centres = self.lab
        # |x - c|^2 = |x|^2 - 2 x.c + |c|^2; |x|^2 is the same for every c.
        scores = lab @ centres.T * -2.0 + (centres**2).sum(axis=1)
        return scores.argmin(axis=1).reshape(rgb.shape[:-1]).astype(np.int64)

    def to_dict(self) -> dict[str, list]:
        return {
            "rgb": self.rgb.astype(int).tolist(),
            "weights": [round(float(w), 5) for w in self.weights],
        }

    @classmethod
    def from_dict(cls, data: dict[str, list]) -> Palette:
        return cls(
            rgb=np.asarray(data["rgb"], dtype=np.uint8),
            weights=np.asarray(data["weights"], dtype=np.float32),
        )


def fit_palette(
    pictures: np.ndarray,
    *,
    size: int = 64,
    rebalance: float = 0.5,
    samples: int = 400_000,
    seed: int = 0,
) -> Palette:
    """A palette of ``size`` colours for ``N x H x W x 3`` uint8 pictures on white paper.

    White and black are always in it (paper and ink); the rest are k-means centres of the
    coloured pixels. Weights come from how often each colour is the nearest, over all pixels
    that are not paper.
    """
    if size < 4:
        raise ValueError(f"a palette needs at least 4 colours, not {size}")
    rng = np.random.default_rng(seed)
    pixels = pictures.reshape(-1, 3)
    drawn = pixels[pixels.min(axis=1) < PAPER_MIN]
    if len(drawn) == 0:
        raise ValueError("the pictures hold no colour to fit a palette to")
    picked = drawn[rng.choice(len(drawn), size=min(samples, len(drawn)), replace=False)]
    coloured = picked[picked.max(axis=1) > INK_MAX]
    lab = rgb_to_lab(coloured).astype(np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 60, 0.1)
    cv2.setRNGSeed(seed)
    labels = np.zeros((len(lab), 1), np.int32)  # written by kmeans (no initial labels used)
    _, _, centres = cv2.kmeans(lab, size - 2, labels, criteria, 3, cv2.KMEANS_PP_CENTERS)
    rgb = _lab_to_rgb(centres)
    order = np.lexsort((rgb_to_lab(rgb)[:, 2], rgb_to_lab(rgb)[:, 1], rgb_to_lab(rgb)[:, 0]))
    palette_rgb = np.concatenate([np.array([WHITE, BLACK], np.uint8), rgb[order]])
    unweighted = Palette(palette_rgb, np.ones(size, np.float32))
    counts = np.bincount(unweighted.nearest(picked[None]).ravel(), minlength=size)
    share = counts / counts.sum()
    raw = 1.0 / ((1.0 - rebalance) * share + rebalance / size)
    raw /= (share * raw).sum()
    return Palette(palette_rgb, raw.astype(np.float32))


def _lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    rgb = cv2.cvtColor(lab.reshape(-1, 1, 3).astype(np.float32), cv2.COLOR_LAB2RGB)
    return (rgb.reshape(-1, 3).clip(0, 1) * 255).round().astype(np.uint8)
