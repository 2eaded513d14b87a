"""The child's own marks in a sketch: how much ink a pixel holds, the areas coloured in, ink of
another crayon than the drawing's lines, the coloured areas painted flat in the child's colours,
and the child's strokes laid over the finished fills at full size.

Split from :mod:`inference.serving.palette.painting` (which finds the shapes and chooses their
colours); plain numpy/OpenCV on one picture.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from scipy import ndimage

from inference.serving.palette.colours import rgb_to_lab

WORK_SIDE = 256  # where shapes and colours are decided (the network's input side)
SCRIBBLE_GAP_PX = 2  # at 256 px: gaps this small between a scribble's strokes are closed
WIDER_THAN = 1.6  # ... and ink this many times wider than the drawing's strokes is an area
SCRIBBLE_REACH_PX = 8  # at 256 px: a coloured area takes a scribble's colour this far round it
STROKE_HINT_MIN_PX = 4  # fewer pixels of another crayon than this are not colouring
CRAYON_CHROMA = 12.0  # ink at least this colourful is a crayon's, not black or grey
OTHER_HUE_DEG = 40.0  # ... and this far round the hue circle from coloured lines, another one
MERGE_DELTA_E = 25.0  # scribbles this close in colour are one crayon


def darkest_channel(sketch: np.ndarray) -> np.ndarray:
    """Per pixel, the lowest of an ``H x W x 3`` image's channels (``min(axis=2)``, without the
    strided reduction that makes that several times slower)."""
    return np.minimum(np.minimum(sketch[..., 0], sketch[..., 1]), sketch[..., 2])


def ink_alpha(sketch: np.ndarray) -> np.ndarray:
    """How much ink each pixel of an RGB uint8 sketch holds (0 paper .. 1 full crayon)."""
    low = darkest_channel(sketch).astype(np.float32) / 255.0
    return np.clip((1.0 - low - 0.04) / 0.5, 0.0, 1.0)


def stroke_width(ink: np.ndarray) -> float:
    """The typical width of a drawing's strokes in pixels: area over half the rim (a stroke of
    width w and length L has area L·w and a rim of 2L)."""
    rim = ink & ~(cv2.erode(ink.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0)
    return 2.0 * float(ink.sum()) / max(float(rim.sum()), 1.0)


def colouring_areas(sketch: np.ndarray) -> np.ndarray:
    """Areas of a work-size sketch the child coloured in (bool), in any crayon or black: ink
    whose strokes lie close together (gaps of a few pixels closed) and which is well wider
    than the drawing's own strokes. An outline, however thick the brush, stays a line, and so
    does one whose lines run close (a car's two windows) — stricter than the split's hints,
    which the network reads, because here a mistake paints a whole shape."""
    ink = ink_alpha(sketch) > 0.5
    if not ink.any():
        return ink
    reach = math.ceil(WIDER_THAN * stroke_width(ink) / 2) + 1
    gap = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * SCRIBBLE_GAP_PX + 1,) * 2)
    wide = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1,) * 2)
    closed = cv2.morphologyEx(ink.astype(np.uint8), cv2.MORPH_CLOSE, gap)
    return (cv2.morphologyEx(closed, cv2.MORPH_OPEN, wide) > 0) & (closed > 0)


def off_colour_ink(sketch: np.ndarray, colouring: np.ndarray) -> np.ndarray:
    """Ink of another crayon than the drawing's lines, anywhere in the sketch: coloured ink
    (chroma at least :data:`CRAYON_CHROMA`) where the lines are black or grey, or of another
    hue (:data:`OTHER_HUE_DEG`) than coloured lines. Hue rather than a colour distance: a thin
    stroke scaled down to the work size is paler, not another hue. None without lines."""
    ink = ink_alpha(sketch) > 0.5
    lines = ink & ~colouring
    if not lines.any():
        return np.zeros_like(ink)
    # Colour is read on the inked pixels alone (the paper, most of the picture, is never ink).
    where = np.flatnonzero(ink)
    lab = rgb_to_lab(sketch.reshape(-1, 3)[where])
    chroma = np.hypot(lab[:, 1], lab[:, 2])
    centre = np.median(lab[lines.reshape(-1)[where]][:, 1:], axis=0)
    keep = chroma >= CRAYON_CHROMA
    if np.hypot(*centre) >= CRAYON_CHROMA:
        hue = np.degrees(np.arctan2(lab[:, 2], lab[:, 1]))
        turn = np.abs((hue - np.degrees(np.arctan2(centre[1], centre[0])) + 180) % 360 - 180)
        keep &= turn > OTHER_HUE_DEG
    result = np.zeros(ink.size, bool)
    result[where[keep]] = True
    return result.reshape(ink.shape)


def paint_colouring(
    fills: np.ndarray,
    hint_rgb: np.ndarray,
    areas: np.ndarray,
    inked: np.ndarray,
    off_colour: np.ndarray,
) -> None:
    # Every area the child coloured keeps the child's colour, flat: a nose, a cheek, a window,
    # a blob scribbled on the paper without an outline.
    if not areas.any():
        return
    count, pieces = cv2.connectedComponents(areas.astype(np.uint8), connectivity=8)
    for piece in range(1, count):
        inside = pieces == piece
        drawn = inside & inked
        colour = np.median(hint_rgb[drawn if drawn.any() else inside], axis=0)
        fills[inside] = colour.round().astype(np.uint8)
    # Small parts' outlines are dense ink too, so one coloured area can hold several parts and
    # their black outlines (a bus's windows, a nose inside a muzzle): near each scribble in
    # another crayon than the lines, the area takes that scribble's colour.
    other = areas & inked & off_colour
    if other.sum() < STROKE_HINT_MIN_PX:
        return
    joined = cv2.morphologyEx(other.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    count, blobs = cv2.connectedComponents(joined & areas.astype(np.uint8), connectivity=8)
    colours = np.zeros((count, 3), np.float32)
    for blob in range(1, count):
        mine = (blobs == blob) & other
        colours[blob] = np.median(hint_rgb[mine if mine.any() else blobs == blob], axis=0)
    merge_alike(colours)
    distance, (rows, cols) = ndimage.distance_transform_edt(blobs == 0, return_indices=True)
    near = areas & (distance <= SCRIBBLE_REACH_PX)
    fills[near] = colours[blobs[rows[near], cols[near]]].round().astype(np.uint8)


def merge_alike(colours: np.ndarray) -> None:
    """Scribbles of one crayon (within ΔE*ab 25 of each other) share one colour, in place, so
    a fill scribbled in several strokes stays flat."""
    lab = rgb_to_lab(colours.round().astype(np.uint8))
    for i in range(1, len(colours)):
        for j in range(1, i):
            if np.linalg.norm(lab[i] - lab[j]) < MERGE_DELTA_E:
                colours[i], lab[i] = colours[j], lab[j]
                break


def lay_lines(fills: np.ndarray, sketch: np.ndarray, colouring: np.ndarray) -> np.ndarray:
    """The child's strokes from the full-size ``sketch`` (``H x W x 3`` uint8) over ``fills``
    (any side; brought to the sketch's), in the colours drawn; colouring-in (``colouring``, at
    the work side) is not a stroke, its fill is already there. Only the inked pixels are
    computed (a drawing's strokes are a few per cent of the picture)."""
    side = sketch.shape[0]
    if fills.shape[0] != side:
        fills = cv2.resize(fills, (side, side), interpolation=cv2.INTER_NEAREST)
    out = fills.copy()
    # alpha > 0 below: 1 - low/255 - 0.04 > 0. Flat indices, taken once: a boolean mask over
    # the whole picture costs as much again every time it is applied.
    inked = np.flatnonzero(darkest_channel(sketch) < 245)
    if not len(inked):
        return out
    rgb = sketch.reshape(-1, 3)[inked].astype(np.float32) / 255.0
    low, high = rgb.min(axis=1), rgb.max(axis=1)
    alpha = np.clip((1.0 - low - 0.04) / 0.5, 0.0, 1.0)
    luminance = rgb @ np.array([0.299, 0.587, 0.114], np.float32)
    dark = np.clip((0.48 - luminance) / 0.1, 0.0, 1.0) * np.clip((0.24 - (high - low)) / 0.06, 0, 1)
    near = cv2.resize(colouring.astype(np.uint8), (side, side), interpolation=cv2.INTER_NEAREST)
    reach = max(1, round(3 * side / WORK_SIDE))
    near = cv2.dilate(near, np.ones((2 * reach + 1, 2 * reach + 1), np.uint8)).reshape(-1)[inked]
    alpha = alpha * np.maximum(dark, 1.0 - near.astype(np.float32))
    # The stroke's own colour: the sketch pixel unmixed from the white paper under it.
    a = np.maximum(alpha, 1e-3)[:, None]
    ink = np.where(alpha[:, None] > 0.02, np.clip(1.0 - (1.0 - rgb) / a, 0.0, 1.0), 0.0)
    flat = out.reshape(-1, 3)
    mixed = flat[inked].astype(np.float32) / 255.0 * (1.0 - alpha[:, None]) + ink * alpha[:, None]
    flat[inked] = (mixed * 255.0).round().clip(0, 255).astype(np.uint8)
    return out
