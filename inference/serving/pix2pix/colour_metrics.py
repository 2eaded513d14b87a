"""Does the picture honour what the child drew? Colour measures for generated pictures.

* :func:`closed_shapes` — the closed areas of a sketch (between its lines, not the paper
  around the drawing), the unit every measure below works in.
* :func:`fill_spread` — how much the colour wanders inside each closed shape of the sketch
  (median CIELAB distance to the shape's own median colour, ΔE*ab, area-weighted): an emoji or
  a colouring book is near 0, a muddy multi-colour smear is 15 and more. Lower is cleaner.
* :func:`hint_kept` — for a shape the child coloured in with a crayon: the picture's colour
  there against the crayon's (ΔE*ab and hue angle); kept when either is close.
* :func:`twin_distance` — how far the picture of a sketch drawn in a crayon is from the picture
  of the same sketch in black (mean absolute difference, 0-255 levels).
* :func:`hue_histogram` / :func:`histogram_overlap` — per-thing colour plausibility: how much
  of a picture's colour (hue, weighted by chroma) falls where the thing's real pictures have
  theirs.

All take ``H x W x 3`` uint8 RGB arrays. Plain numpy + OpenCV, no Django.
"""

from __future__ import annotations

import cv2
import numpy as np

# A shape smaller than this share of the picture is a detail (an eye), not something to fill.
MIN_SHAPE_FRACTION = 0.004
# "Kept": the picture's colour is within this ΔE*ab of the crayon, or within this hue angle of
# it where both are clearly coloured (chroma at least KEPT_MIN_CHROMA).
KEPT_DELTA_E = 35.0
KEPT_HUE_DEGREES = 30.0
KEPT_MIN_CHROMA = 20.0


def _lab(image: np.ndarray) -> np.ndarray:
    # OpenCV's 8-bit Lab scales L to 0-255 and offsets a, b by 128; the float path is true Lab.
    return cv2.cvtColor(image.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)


def line_mask(sketch: np.ndarray, level: int = 160) -> np.ndarray:
    """The sketch's ink (any crayon): pixels whose darkest channel is below ``level``."""
    return sketch.min(axis=2) < level


def fill_regions(sketch: np.ndarray, min_fraction: float = MIN_SHAPE_FRACTION) -> np.ndarray:
    """Label map (0: none) of the closed areas between a sketch's lines (any crayon), up to
    the lines, without the paper around the drawing or areas under ``min_fraction``."""
    ink = cv2.dilate(line_mask(sketch).astype(np.uint8), np.ones((3, 3), np.uint8))
    _, labels, stats, _ = cv2.connectedComponentsWithStats(1 - ink, connectivity=4)
    height, width = ink.shape
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    keep = stats[:, cv2.CC_STAT_AREA] >= min_fraction * height * width
    keep[0] = False  # the ink itself
    keep[edge] = False
    return np.where(keep[labels], labels, 0)


def closed_shapes(sketch: np.ndarray, min_fraction: float = MIN_SHAPE_FRACTION) -> np.ndarray:
    """Label map (0: none) of the areas the sketch's lines close: connected non-ink regions
    that do not touch the picture's border (that is the paper around the drawing), each at
    least ``min_fraction`` of the picture, shrunk by 2 px so soft edges do not count."""
    shapes = fill_regions(sketch, min_fraction)
    inner = cv2.erode((shapes > 0).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    return np.where(inner, shapes, 0)


def fill_spread(picture: np.ndarray, shapes: np.ndarray) -> float | None:
    """Area-weighted median ΔE*ab to each shape's median colour (None: no shapes)."""
    lab = _lab(picture)
    total, weight = 0.0, 0
    for label in np.unique(shapes):
        if label == 0:
            continue
        pixels = lab[shapes == label]
        if len(pixels) < 20:
            continue
        spread = np.linalg.norm(pixels - np.median(pixels, axis=0), axis=1)
        total += float(np.median(spread)) * len(pixels)
        weight += len(pixels)
    return total / weight if weight else None


def _hue_chroma(lab_colour: np.ndarray) -> tuple[float, float]:
    a, b = float(lab_colour[1]), float(lab_colour[2])
    return float(np.degrees(np.arctan2(b, a)) % 360), float(np.hypot(a, b))


def hint_kept(picture: np.ndarray, area: np.ndarray, crayon: tuple[int, int, int]) -> dict:
    """The picture's median colour in ``area`` (bool mask) against ``crayon`` (RGB): ΔE*ab,
    hue difference in degrees (None when either is nearly grey) and whether it was kept."""
    if not area.any():
        raise ValueError("the coloured area is empty")
    got = np.median(_lab(picture)[area], axis=0)
    want = _lab(np.array([[crayon]], dtype=np.uint8))[0, 0]
    delta_e = float(np.linalg.norm(got - want))
    (hue_got, chroma_got), (hue_want, chroma_want) = _hue_chroma(got), _hue_chroma(want)
    hue = None
    if min(chroma_got, chroma_want) >= KEPT_MIN_CHROMA:
        hue = abs((hue_got - hue_want + 180) % 360 - 180)
    kept = delta_e <= KEPT_DELTA_E or (hue is not None and hue <= KEPT_HUE_DEGREES)
    return {"delta_e": delta_e, "hue_degrees": hue, "kept": kept}


def twin_distance(picture: np.ndarray, twin: np.ndarray) -> float:
    """Mean absolute difference between two pictures, in 0-255 levels."""
    return float(np.abs(picture.astype(np.float32) - twin.astype(np.float32)).mean())


def hue_histogram(picture: np.ndarray, bins: int = 18, min_chroma: float = 12.0) -> np.ndarray:
    """Hue histogram (``bins`` bins over 360°) of the clearly coloured pixels, each weighted by
    its chroma, normalised to sum 1; plus a last bin for near-grey ink (dark or grey, not
    paper), so a black-and-white panda has a colour profile too."""
    lab = _lab(picture).reshape(-1, 3)
    light = lab[:, 0]
    chroma = np.hypot(lab[:, 1], lab[:, 2])
    hue = np.degrees(np.arctan2(lab[:, 2], lab[:, 1])) % 360
    coloured = chroma >= min_chroma
    histogram = np.zeros(bins + 1)
    np.add.at(histogram, (hue[coloured] / (360 / bins)).astype(int) % bins, chroma[coloured])
    grey_ink = (~coloured) & (light < 75)
    histogram[bins] = grey_ink.sum() * min_chroma
    total = histogram.sum()
    return histogram / total if total else histogram


def histogram_overlap(histogram: np.ndarray, reference: np.ndarray) -> float:
    """Histogram intersection in [0, 1]: 1 when the colours fall exactly where the
    reference's do."""
    return float(np.minimum(histogram, reference).sum())
