"""Clean fills: inside each shape the child closed with lines, one colour, not a smear.

A pix2pix generator paints a shape with colour that wanders — a few levels of texture, a
second hue creeping in — where an emoji or a colouring book has one flat colour. The shapes are
known: they are the areas the child's own lines close (:func:`colour_metrics.closed_shapes`,
without the erosion the measure uses, so a fill reaches its lines). :func:`clean_fills` pulls
each pixel of such a shape toward the shape's median colour by ``strength``, fully for small
wanderings and less the further a pixel is from that colour, and not at all from
``KEEP_DELTA_E`` on: a black eye patch the generator painted on a white panda face, or a
highlight, is a feature and stays.

Distances are CIELAB ΔE*ab, as the fill measure's. The child's lines, the paper around the
drawing and shapes smaller than a detail are left as the generator drew them. Plain numpy +
OpenCV on one picture at a time (so batching never changes a result), a few milliseconds at
256 x 256.
"""

from __future__ import annotations

import cv2
import numpy as np

from inference.serving.pix2pix.colour_metrics import fill_regions

# From this far (ΔE*ab) from the shape's colour on, a pixel is a feature and keeps its colour.
KEEP_DELTA_E = 30.0


def clean_fills(picture: np.ndarray, sketch: np.ndarray, strength: float) -> np.ndarray:
    """``picture`` (H x W x 3 uint8 RGB) with the fills inside ``sketch``'s closed shapes
    flattened by ``strength`` (0: unchanged, 1: a wandering pixel takes the shape's colour)."""
    if not 0.0 <= strength <= 1.0:
        raise ValueError(f"strength must be between 0 and 1, not {strength!r}")
    if picture.shape != sketch.shape or picture.ndim != 3 or picture.shape[2] != 3:
        raise ValueError(f"picture {picture.shape} and sketch {sketch.shape} must be H x W x 3")
    regions = fill_regions(sketch)
    if strength == 0.0 or not regions.any():
        return picture.copy()
    flat = regions.ravel()
    inside = np.flatnonzero(flat)
    inside = inside[np.argsort(flat[inside], kind="stable")]  # grouped by shape
    sorted_labels = flat[inside]
    starts = np.flatnonzero(np.diff(sorted_labels, prepend=-1))
    rgb01 = picture.reshape(-1, 3)[inside].astype(np.float32).reshape(-1, 1, 3) / 255.0
    lab = cv2.cvtColor(rgb01, cv2.COLOR_RGB2LAB).reshape(-1, 3)
    out = np.empty_like(lab)
    for start, end in zip(starts, [*starts[1:], len(lab)], strict=True):
        colours = lab[start:end]
        median = np.median(colours, axis=0)
        offset = colours - median
        distance = np.linalg.norm(offset, axis=1, keepdims=True)
        # Full pull near the shape's colour, fading to none at KEEP_DELTA_E.
        pull = strength * np.clip(1.0 - distance / KEEP_DELTA_E, 0.0, 1.0) ** 0.5
        out[start:end] = median + offset * (1.0 - pull)
    # Only the shapes' pixels are written back: the rest keep their exact levels.
    rgb = cv2.cvtColor(out.reshape(-1, 1, 3), cv2.COLOR_LAB2RGB).reshape(-1, 3)
    result = picture.copy()
    result.reshape(-1, 3)[inside] = np.clip(np.rint(rgb * 255.0), 0, 255).astype(np.uint8)
    return result
