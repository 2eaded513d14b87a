"""Training sketches drawn the way children draw on the canvas: crayon lines and colouring-in.

:func:`colour_in` takes one training pair after jitter and the stroke augmentation (a grey
sketch and its picture, ``3 x S x S`` in [-1, 1]) and returns what a child could have drawn
for that picture, and the picture the generator should make of it:

* **lines in crayons**: the sketch's strokes in black, in one of the canvas's twelve crayons,
  or in a different crayon per stroke;
* **colour hints**: in up to four of the picture's own shapes (flat areas between its edges and
  the sketch's lines) a child-like scribble — zigzags, a patch, a few dabs — in the shape's
  colour, or in a random crayon, in which case the shape is repainted that crayon in the target
  too (so a pink car teaches "this shape is pink"); about a third of the sketches get none;
* **the target**: the picture, repainted where a crayon was chosen, with the sketch's strokes
  inked in dark (the child's lines stay lines whatever crayon drew them).

Hints come only from the target's own colours and only inside its shapes. The generator never
sees these RGB sketches directly: :func:`inference.serving.pix2pix.hints.split_sketch` turns them
into line and hint planes, exactly as it does a submitted drawing. Plain numpy + OpenCV, no Django.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import torch

from inference.serving.crayons import CRAYON_RGB

# The crayons a child colours with (black colours nothing: it draws lines).
_COLOURING = np.array(CRAYON_RGB[1:], dtype=np.float32)
_ALL = np.array(CRAYON_RGB, dtype=np.float32)


@dataclass(frozen=True)
class ColouringOptions:
    """How often each kind of child-like colouring appears (shares in [0, 1])."""

    no_hints: float = 0.35  # sketches with no colouring-in at all
    max_shapes: int = 4
    recolour: float = 0.5  # a coloured shape gets a random crayon (and the target with it)
    black_lines: float = 0.45  # lines stay black; else one crayon, or one per stroke
    one_crayon_lines: float = 0.55  # of the coloured-line sketches: the same crayon everywhere
    min_shape_fraction: float = 0.004  # smallest shape a child would colour, of the picture


def _to_uint8(image: torch.Tensor) -> np.ndarray:
    return ((image.permute(1, 2, 0).numpy() + 1.0) * 127.5).clip(0, 255).astype(np.uint8)


def _to_tensor(image: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(image.astype(np.float32) / 127.5 - 1.0).permute(2, 0, 1).contiguous()


def shapes_of(picture: np.ndarray, line_alpha: np.ndarray, min_area: int) -> np.ndarray:
    """Label map of the picture's flat areas (0: none): regions of similar colour cut by the
    picture's own edges, the sketch's lines and the white paper."""
    lab = cv2.cvtColor(picture, cv2.COLOR_RGB2LAB).astype(np.float32)
    gradient = np.zeros(picture.shape[:2], np.float32)
    for c in range(3):
        gx = cv2.Sobel(lab[:, :, c], cv2.CV_32F, 1, 0, ksize=3)
        gy = cv2.Sobel(lab[:, :, c], cv2.CV_32F, 0, 1, ksize=3)
        gradient = np.maximum(gradient, np.hypot(gx, gy))
    paper = picture.min(axis=2) > 235
    boundary = (gradient > 60) | (line_alpha > 0.25) | paper
    boundary = cv2.dilate(boundary.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    _, labels, stats, _ = cv2.connectedComponentsWithStats(
        (~boundary).astype(np.uint8), connectivity=4
    )
    small = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] < min_area)
    labels[np.isin(labels, small)] = 0
    labels[boundary] = 0
    return labels


def scribble(mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A child's colouring of the area ``mask`` (bool): zigzags across all or part of it, a
    solid patch, or a few dabs; returns coverage in [0, 1] (anti-aliased, float32)."""
    height, width = mask.shape
    ys, xs = np.nonzero(mask)
    drawn = np.zeros((height, width), np.uint8)
    brush = int(rng.choice([3, 4, 5, 7, 9]))
    kind = rng.choice(["zigzag", "zigzag", "zigzag", "patch", "dabs"])
    if kind == "dabs":
        for _ in range(int(rng.integers(2, 6))):
            i = int(rng.integers(len(xs)))
            length = int(rng.integers(6, 24))
            angle = rng.uniform(0, math.pi)
            dx, dy = length * math.cos(angle), length * math.sin(angle)
            p0 = (int(xs[i] - dx / 2), int(ys[i] - dy / 2))
            p1 = (int(xs[i] + dx / 2), int(ys[i] + dy / 2))
            cv2.line(drawn, p0, p1, 255, brush, cv2.LINE_AA)
    else:
        x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
        if rng.random() < 0.35:  # only part of the shape: a sparse hint
            fx, fy = rng.uniform(0.3, 0.7, size=2)
            cx, cy = rng.uniform(x0, x1), rng.uniform(y0, y1)
            half_w, half_h = (x1 - x0) * fx / 2, (y1 - y0) * fy / 2
            x0, x1 = int(max(x0, cx - half_w)), int(min(x1, cx + half_w))
            y0, y1 = int(max(y0, cy - half_h)), int(min(y1, cy + half_h))
        angle = rng.uniform(0, math.pi)
        spacing = brush * (rng.uniform(0.6, 1.0) if kind == "patch" else rng.uniform(1.05, 1.8))
        cx, cy, radius = (x0 + x1) / 2, (y0 + y1) / 2, math.hypot(x1 - x0, y1 - y0) / 2 + brush
        along = np.array([math.cos(angle), math.sin(angle)])
        across = np.array([-along[1], along[0]])
        points = []
        for k, offset in enumerate(np.arange(-radius, radius + 1e-6, spacing)):
            wobble = rng.normal(0, brush * 0.3, size=2)
            end = radius if k % 2 == 0 else -radius
            points.append(np.array([cx, cy]) + across * offset + along * end + wobble)
        if len(points) >= 2:
            polyline = np.round(np.array(points)).astype(np.int32).reshape(-1, 1, 2)
            cv2.polylines(drawn, [polyline], False, 255, brush, cv2.LINE_AA)
    region: np.ndarray = mask.astype(np.uint8)
    if rng.random() < 0.3:  # children go over the edge a little
        region = cv2.dilate(region, np.ones((5, 5), np.uint8))
    elif rng.random() < 0.5:
        region = cv2.erode(region, np.ones((5, 5), np.uint8))
    return (drawn.astype(np.float32) / 255.0) * region


def colour_in(
    sketch: torch.Tensor,
    picture: torch.Tensor,
    rng: np.random.Generator,
    options: ColouringOptions | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(child_sketch, target)`` for one pair (see the module docstring), both 3 x S x S in
    [-1, 1]."""
    options = options or ColouringOptions()
    grey = _to_uint8(sketch)
    target = _to_uint8(picture).astype(np.float32)
    side = grey.shape[0]
    line_alpha = 1.0 - grey.min(axis=2).astype(np.float32) / 255.0  # 0 paper .. 1 black

    child = np.full_like(target, 255.0)
    if rng.random() >= options.no_hints:
        shapes = shapes_of(
            target.astype(np.uint8), line_alpha, int(options.min_shape_fraction * side * side)
        )
        found = np.unique(shapes)
        found = found[found > 0]
        if len(found):
            areas = np.array([(shapes == s).sum() for s in found], dtype=np.float64)
            wanted = min(len(found), int(rng.integers(1, options.max_shapes + 1)))
            chosen = rng.choice(
                found, size=wanted, replace=False, p=np.sqrt(areas) / np.sqrt(areas).sum()
            )
            for shape in chosen:
                inside = shapes == shape
                own = np.median(target[inside], axis=0)
                if rng.random() < options.recolour:
                    colour = _COLOURING[int(rng.integers(len(_COLOURING)))]
                    # Repaint the shape flat in the crayon, keeping a little of its shading.
                    target[inside] = np.clip(colour + 0.25 * (target[inside] - own), 0, 255)
                elif own.min() > 225:
                    continue  # white on white paper: nothing a child could draw
                else:
                    colour = own
                coverage = scribble(inside, rng)[:, :, None]
                child = child * (1.0 - coverage) + colour * coverage

    # The lines, in black or crayons, drawn over the colouring.
    roll = rng.random()
    if roll < options.black_lines:
        ink = np.broadcast_to(grey.astype(np.float32), child.shape)
        child = np.minimum(child, ink)  # the grey strokes as drawn (pencil or black)
    else:
        alpha = line_alpha[:, :, None]
        if rng.random() < options.one_crayon_lines:
            colours = np.broadcast_to(_ALL[int(rng.integers(len(_ALL)))], child.shape)
        else:
            count, strokes = cv2.connectedComponents((line_alpha > 0.2).astype(np.uint8))
            palette = _ALL[rng.integers(len(_ALL), size=count)]
            # Soft rims take the colour of the nearest stroke (a 3x3 max of the labels).
            strokes = cv2.dilate(strokes.astype(np.float32), np.ones((3, 3), np.uint8))
            colours = palette[strokes.astype(np.int64)]
        child = child * (1.0 - alpha) + colours * alpha

    # Ink the target: every stroke stays a dark line in the picture, whatever its crayon.
    target = np.minimum(target, grey.astype(np.float32))
    return _to_tensor(child), _to_tensor(target)
