"""Deterministic stand-in sketches for the inference tests (no Django needed)."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw


def sketch(seed: int, size: int = 256) -> Image.Image:
    """A black-on-white line drawing, different for every seed, same for the same seed."""
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", (size, size), "white")
    pen = ImageDraw.Draw(image)
    for _ in range(6):
        points = [tuple(int(v) for v in rng.integers(0, size, 2)) for _ in range(4)]
        pen.line(points, fill="black", width=int(rng.integers(2, 7)))
    x0, y0 = (int(v) for v in rng.integers(20, size // 2, 2))
    pen.ellipse((x0, y0, x0 + 80, y0 + 60), outline="black", width=3)
    return image


def pixels(image: Image.Image) -> np.ndarray:
    """The image as a uint8 array, for exact comparisons."""
    return np.asarray(image, dtype=np.uint8)
