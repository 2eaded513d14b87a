"""A picture drawn the way a child draws it: the outline of the whole thing and of its biggest
parts, wobbly, in one pen, the small details left out.

The guesser used to learn only from the pictures' line art roughened
(:mod:`inference.serving.pix2pix .sketchify`): every inner detail an illustrator drew was still
there, so it learned that style and guessed a third of the children's drawings right. A child draws
less: the shape of the thing, a few big parts (a head, two ears, a window, wheels), often rounder or
more angular than they are, with a pen of any width, lines that do not quite close, sometimes
coloured in. This module draws that from any picture on white paper:

* the thing's silhouette (the picture's ink, holes filled) and its parts (areas of one colour
  found by k-means in CIELAB), each kept or left out by chance;
* its small details (eyes, a mouth, whiskers, windows, candles: the areas too small or too
  thin to be parts) drawn, in most drawings, as a child marks them: a dot or a little ring for
  a round one, one stroke along an elongated one (a smile is a curve), never more than a few;
* each outline simplified (a polygon of a few corners, sometimes its ellipse), resampled,
  bent by a slow wobble and a little tremor, sometimes left open or overshooting where it
  closes;
* one pen width and one line colour a drawing (black, a crayon, or a crayon a stroke), and,
  sometimes, parts coloured in with :func:`inference.serving.pix2pix.colouring.scribble` in their
  own colour or the nearest crayon.

Plain numpy + OpenCV; every random choice comes from the ``numpy.random.Generator`` passed in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from inference.serving.crayons import CRAYON_RGB
from inference.serving.pix2pix.colouring import scribble

_CRAYONS = np.array(CRAYON_RGB, dtype=np.float32)
_WORK = 128  # parts are found at this side (fast), outlines are drawn at the picture's


@dataclass(frozen=True)
class OutlineStyle:
    """How far :func:`outline_drawing` may vary a drawing (distances in pixels at 256)."""

    pen_px: tuple[float, float] = (1.5, 8.0)
    max_parts: int = 8
    part_share: tuple[float, float] = (0.004, 0.06)  # smallest part drawn, of the thing's area
    keep_part: tuple[float, float] = (0.35, 0.95)  # chance each big-enough part is drawn
    corners: tuple[float, float] = (0.004, 0.035)  # polygon tolerance, of the outline's length
    ellipse_probability: float = 0.2  # a part drawn as its ellipse ("a round head")
    wobble_px: tuple[float, float] = (0.3, 4.0)
    open_probability: float = 0.35  # an outline left open, or overshooting, where it closes
    colour_in_probability: float = 0.45
    crayon_lines_probability: float = 0.35
    details_probability: float = 0.7  # a drawing with some small details marked
    max_details: int = 8
    keep_detail: tuple[float, float] = (0.4, 1.0)  # chance each detail is marked
    detail_share: float = 0.08  # the largest detail, of the thing's area
    detail_speck: float = 0.0015  # the smallest (anti-aliasing fringes are not details)
    upright_probability: float = 0.5  # a slanted thing drawn square to the page


def thing_mask(picture: np.ndarray) -> np.ndarray:
    """Where the thing is (bool, H x W): whatever is not white paper, its holes filled."""
    spread = picture.max(axis=2).astype(np.int16) - picture.min(axis=2)
    ink = ((picture.min(axis=2) < 232) | (spread > 20)).astype(np.uint8)
    ink = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    contours, _ = cv2.findContours(ink, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    filled = np.zeros_like(ink)
    cv2.drawContours(filled, contours, -1, 1, thickness=cv2.FILLED)
    return filled.astype(bool)


def colour_parts(
    picture: np.ndarray, mask: np.ndarray, rng: np.random.Generator, clusters: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The picture's parts inside ``mask``: ``(part mask, mean RGB)`` for each connected area of
    one k-means colour (CIELAB), thick enough to be a part rather than a line, biggest first."""
    return picture_parts(picture, mask, rng, clusters)[0]


def picture_parts(
    picture: np.ndarray, mask: np.ndarray, rng: np.random.Generator, clusters: int
) -> tuple[list[tuple[np.ndarray, np.ndarray]], list[np.ndarray]]:
    """``(parts, thin)``: the connected areas of one k-means colour (CIELAB) inside ``mask``,
    the parts as :func:`colour_parts` gives them and, apart, the thin ones (an illustrator's
    lines: a mouth, whiskers), as masks. Areas of fewer than 3 pixels are neither."""
    lab = cv2.cvtColor(picture, cv2.COLOR_RGB2LAB).reshape(-1, 3).astype(np.float32)
    inside = mask.reshape(-1)
    samples = lab[inside]
    if len(samples) < clusters * 4:
        return [], []
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 8, 1.0)
    cv2.setRNGSeed(int(rng.integers(1 << 30)))
    start = np.zeros((len(samples), 1), np.int32)
    _, found, _ = cv2.kmeans(samples, clusters, start, criteria, 1, cv2.KMEANS_PP_CENTERS)
    flat = np.full(inside.shape, -1, np.int32)
    flat[inside] = np.asarray(found).reshape(-1)
    labels = flat.reshape(mask.shape)
    parts, thin = [], []
    for cluster in range(clusters):
        count, components, stats, _ = cv2.connectedComponentsWithStats(
            (labels == cluster).astype(np.uint8), connectivity=4
        )
        for index in range(1, count):
            area = int(stats[index, cv2.CC_STAT_AREA])
            if area < 3:
                continue
            part = components == index
            perimeter = cv2.countNonZero(
                part.astype(np.uint8) - cv2.erode(part.astype(np.uint8), np.ones((3, 3)))
            )
            if area < 6 or 2.0 * area / max(perimeter, 1) < 1.6:
                thin.append(part)  # a line of the illustration (or a speck), not a part
                continue
            parts.append((part, picture[part].mean(axis=0)))
    parts.sort(key=lambda item: -int(item[0].sum()))
    return parts, thin


def principal_axes(
    mask: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(points N x 2 as x, y; their centre; variances short then long; axes as columns)`` of
    a bool mask's pixels: how long, how wide and which way a shape lies."""
    ys, xs = np.nonzero(mask)
    points = np.stack([xs, ys], axis=1).astype(np.float32)
    centre = points.mean(axis=0) if len(points) else np.zeros(2, np.float32)
    spread = np.cov((points - centre).T) if len(points) > 2 else np.eye(2)
    values, vectors = np.linalg.eigh(spread)
    return points, centre, values, vectors


def detail_mark(detail: np.ndarray, pen: float, rng: np.random.Generator) -> tuple[str, np.ndarray]:
    """How a child marks one small detail (a bool mask): ``("dot", [[x, y, r]])`` for a round
    one (a filled dot, or ``"ring"`` when it is big enough to draw round), else ``("stroke",
    N x 2 points)`` along it: the mean of the detail across its long axis, bin by bin, so a smile
    comes out a curve and a whisker a line. Coordinates are the mask's pixels."""
    points, centre, values, vectors = principal_axes(detail)
    long_axis, across = vectors[:, 1], vectors[:, 0]
    length = 4.0 * math.sqrt(max(float(values[1]), 0.0)) + 1.0
    width = 4.0 * math.sqrt(max(float(values[0]), 0.0)) + 1.0
    if length < 2.2 * width:
        radius = max(math.sqrt(len(points) / math.pi), 0.6)
        kind = "ring" if radius > 1.5 * pen and rng.random() < 0.5 else "dot"
        return kind, np.array([[*centre, radius]], np.float32)
    along = (points - centre) @ long_axis
    side = (points - centre) @ across
    bins = int(np.clip(length / 3.0, 2, 8))
    edges = np.linspace(along.min(), along.max() + 1e-3, bins + 1)
    which = np.clip(np.searchsorted(edges, along, side="right") - 1, 0, bins - 1)
    stroke = []
    for b in range(bins):
        chosen = which == b
        if chosen.any():
            a, c = float(along[chosen].mean()), float(side[chosen].mean())
            stroke.append(centre + a * long_axis + c * across)
    stroke_points = np.array(stroke, np.float32)
    return "stroke", stroke_points + rng.normal(0, 0.25, stroke_points.shape).astype(np.float32)


def small_details(
    candidates: list[np.ndarray], mask: np.ndarray, rng: np.random.Generator, style: OutlineStyle
) -> list[np.ndarray]:
    """The details a child marks. The candidates are joined where they touch (an eye and its
    glint, a mouth split between two k-means colours are one detail); of those, the ones inside
    the thing (not its rim: the outline is drawn anyway), small beside it but not specks, are
    each kept by chance, at most a few, the biggest first."""
    if not candidates:
        return []
    area = max(int(mask.sum()), 1)
    joined = np.logical_or.reduce(candidates).astype(np.uint8)
    count, components = cv2.connectedComponents(joined, connectivity=8)
    inner = cv2.erode(mask.astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool)
    smallest = max(4.0, style.detail_speck * area)
    kept = []
    for index in range(1, count):
        detail = components == index
        size = int(detail.sum())
        if smallest <= size <= style.detail_share * area and (detail & inner).sum() >= 0.8 * size:
            kept.append(detail)
    kept.sort(key=lambda d: -int(d.sum()))
    keep = rng.uniform(*style.keep_detail)
    chosen = [d for d in kept if rng.random() < keep]
    return chosen[: int(rng.integers(1, style.max_details + 1))]


def _outline(part: np.ndarray) -> np.ndarray | None:
    """The longest outer contour of a bool mask as N x 2 float points, or None."""
    contours, _ = cv2.findContours(part.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    longest = max(contours, key=len)
    return longest.reshape(-1, 2).astype(np.float32) if len(longest) >= 4 else None


def _resample(points: np.ndarray, step: float, closed: bool) -> np.ndarray:
    """Points every ``step`` pixels along the polyline (closed: back to the start)."""
    path = np.vstack([points, points[:1]]) if closed else points
    lengths = np.hypot(*np.diff(path, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(lengths)])
    if along[-1] < step:
        return path
    at = np.arange(0.0, along[-1], step)
    return np.stack([np.interp(at, along, path[:, 0]), np.interp(at, along, path[:, 1])], axis=1)


def _chaikin(points: np.ndarray) -> np.ndarray:
    """One pass of Chaikin's corner cutting on a closed polygon: each corner becomes two points
    a quarter of the way along its sides."""
    following = np.roll(points, -1, axis=0)
    return np.stack(
        [0.75 * points + 0.25 * following, 0.25 * points + 0.75 * following], axis=1
    ).reshape(-1, 2)


def childlike_stroke(
    contour: np.ndarray, rng: np.random.Generator, style: OutlineStyle, *, as_ellipse: bool
) -> np.ndarray:
    """One outline as a child draws it: simplified, wobbly, maybe open (N x 2 float points)."""
    if as_ellipse and len(contour) >= 5:
        (cx, cy), (w, h), angle = cv2.fitEllipse(contour)
        t = np.linspace(0.0, 2 * math.pi, 48, endpoint=False)
        a, b, theta = w / 2, h / 2, math.radians(angle)
        x, y = a * np.cos(t), b * np.sin(t)
        shape = np.stack(
            [cx + x * math.cos(theta) - y * math.sin(theta),
             cy + x * math.sin(theta) + y * math.cos(theta)], axis=1,
        )  # fmt: skip
    else:
        tolerance = rng.uniform(*style.corners) * cv2.arcLength(contour, True)
        shape = cv2.approxPolyDP(contour, tolerance, True).reshape(-1, 2).astype(np.float32)
        if len(shape) < 3:
            shape = contour
        for _ in range(int(rng.choice([0, 1, 2, 3], p=[0.3, 0.2, 0.2, 0.3]))):
            shape = _chaikin(shape)  # rounder, as most children draw round things
    points = _resample(shape, 2.0, closed=True)
    n = len(points)
    # A slow wobble along the stroke and a little tremor, both across the page.
    s = np.linspace(0.0, 1.0, n)
    wobble = np.zeros((n, 2), np.float32)
    amplitude = rng.uniform(*style.wobble_px)
    for _ in range(3):
        frequency = rng.uniform(0.5, 4.0)
        phase = rng.uniform(0, 2 * math.pi, size=2)
        wobble += amplitude / 3 * np.sin(2 * math.pi * frequency * s[:, None] + phase)
    tremor = cv2.GaussianBlur(rng.normal(0, 0.6, (n, 2)).astype(np.float32), (1, 5), 0)
    points = points + wobble + tremor
    if rng.random() < style.open_probability:
        start = int(rng.integers(n))
        points = np.roll(points, -start, axis=0)
        if rng.random() < 0.6:  # a gap where the outline should close
            points = points[: max(3, int(n * (1.0 - rng.uniform(0.03, 0.15))))]
        else:  # an overshoot past the start
            points = np.vstack([points, points[: int(n * rng.uniform(0.02, 0.1))]])
    else:
        points = np.vstack([points, points[:1]])
    return points


def _colour_in(
    canvas: np.ndarray, chosen: list[tuple[np.ndarray, np.ndarray]], rng: np.random.Generator
) -> np.ndarray:
    """One to three of the drawn parts scribbled in their own colour or the nearest crayon."""
    side = canvas.shape[0]
    for index in rng.permutation(len(chosen))[: int(rng.integers(1, 4))]:
        part, colour = chosen[int(index)]
        if colour.min() > 225:
            continue  # white on white paper: nothing to colour
        if rng.random() < 0.6:  # children colour with the crayon nearest the colour
            colour = _CRAYONS[1:][np.argmin(((_CRAYONS[1:] - colour) ** 2).sum(axis=1))]
        big = cv2.resize(part.astype(np.uint8), (side, side), interpolation=cv2.INTER_NEAREST)
        coverage = scribble(big.astype(bool), rng)[:, :, None]
        canvas = canvas * (1.0 - coverage) + colour * coverage
    return canvas


def _line_crayon(
    roll: float, one_crayon: int, rng: np.random.Generator, style: OutlineStyle
) -> int:
    """The crayon of one stroke (0: black): black lines, one crayon for all, or one a stroke."""
    if roll < 1.0 - style.crayon_lines_probability:
        return 0
    if roll < 1.0 - style.crayon_lines_probability / 2:
        return one_crayon
    return int(rng.integers(len(_CRAYONS)))


def _draw_mark(mark: tuple[str, np.ndarray], scale: float, pen: int, side: int) -> np.ndarray:
    """One detail's mark (from :func:`detail_mark`, at the work size) drawn at ``side``."""
    kind, points = mark
    drawn = np.zeros((side, side), np.uint8)
    points = points.copy()
    points[:, :2] = points[:, :2] * scale + (scale - 1) / 2
    if kind == "stroke":
        stroke = np.round(points * 16).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(drawn, [stroke], False, 255, pen, cv2.LINE_AA, shift=4)
        return drawn
    x, y, radius = (float(value) for value in points[0])
    radius = radius * scale
    centre = (round(x * 16), round(y * 16))
    if kind == "ring":
        cv2.circle(drawn, centre, round(radius * 16), 255, pen, cv2.LINE_AA, shift=4)
    else:
        filled = max(radius, pen / 2.0)
        cv2.circle(drawn, centre, round(filled * 16), 255, -1, cv2.LINE_AA, shift=4)
    return drawn


def square_to_page(picture: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``picture`` turned so the thing's long axis lies along the page's nearest axis: the
    illustrator's rocket flies at 45°, a child's stands upright; a plane is drawn level. A
    thing about as wide as it is long (or already square) is left as it is."""
    points, centre, values, vectors = principal_axes(thing_mask(picture))
    if len(points) < 30:
        return picture
    if values[1] < 1.5 * values[0]:
        return picture  # round-ish: no long axis to straighten
    angle = math.degrees(math.atan2(vectors[1, 1], vectors[0, 1])) % 180.0  # long axis, 0-180
    off = angle % 90.0  # how far past the last page axis
    turn = -off if off < 45.0 or (off == 45.0 and rng.random() < 0.5) else 90.0 - off
    if abs(turn) < 8.0:
        return picture
    side = picture.shape[0]
    cx, cy = float(centre[0]), float(centre[1])
    matrix = cv2.getRotationMatrix2D((cx, cy), -turn, 1.0)
    matrix[:, 2] += (side / 2 - cx, side / 2 - cy)  # and back to the middle
    return cv2.warpAffine(
        picture, matrix, (side, side), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255)
    )


def outline_drawing(
    picture: np.ndarray, rng: np.random.Generator, style: OutlineStyle | None = None
) -> np.ndarray | None:
    """A child-like drawing (S x S x 3 uint8, on white) of ``picture`` (S x S x 3 uint8 on white
    paper), or None when the picture shows nothing."""
    style = style or OutlineStyle()
    side = picture.shape[0]
    if rng.random() < style.upright_probability:
        picture = square_to_page(picture, rng)
    small = cv2.resize(picture, (_WORK, _WORK), interpolation=cv2.INTER_AREA)
    mask = thing_mask(small)
    area = int(mask.sum())
    if area < 30:
        return None
    chosen: list[tuple[np.ndarray, np.ndarray]] = [(mask, small[mask].mean(axis=0))]
    smallest = rng.uniform(*style.part_share) * area
    keep = rng.uniform(*style.keep_part)
    parts, candidates = picture_parts(small, mask, rng, int(rng.integers(3, 8)))
    for part, colour in parts:
        if len(chosen) > style.max_parts or part.sum() < smallest:
            candidates.append(part)  # too small to outline: a detail, maybe
        elif part.sum() < 0.93 * area and rng.random() < keep:
            chosen.append((part, colour))
    details = (
        small_details(candidates, mask, rng, style)
        if rng.random() < style.details_probability
        else []
    )

    scale = side / _WORK
    canvas = np.full((side, side, 3), 255.0, np.float32)
    if rng.random() < style.colour_in_probability:
        canvas = _colour_in(canvas, chosen, rng)
    pen = max(1, round(rng.uniform(*style.pen_px) * side / 256))
    lines = rng.random()
    ink = np.zeros((side, side), np.uint8)
    colours = np.zeros((side, side), np.int32)  # per stroke, into the crayons (0: black)
    one_crayon = int(rng.integers(len(_CRAYONS)))
    for number, (part, _) in enumerate(chosen):
        contour = _outline(part)
        if contour is None:
            continue
        contour = contour * scale + (scale - 1) / 2
        stroke = childlike_stroke(
            contour, rng, style, as_ellipse=number > 0 and rng.random() < style.ellipse_probability
        )
        stroke = np.round(stroke * 16).astype(np.int32).reshape(-1, 1, 2)
        drawn = np.zeros_like(ink)
        cv2.polylines(drawn, [stroke], False, 255, pen, cv2.LINE_AA, shift=4)
        crayon = _line_crayon(lines, one_crayon, rng, style)
        colours[drawn > ink] = crayon
        ink = np.maximum(ink, drawn)
    for detail in details:
        drawn = _draw_mark(detail_mark(detail, pen / scale, rng), scale, pen, side)
        colours[drawn > ink] = _line_crayon(lines, one_crayon, rng, style)
        ink = np.maximum(ink, drawn)
    alpha = ink.astype(np.float32)[:, :, None] / 255.0
    drawing = canvas * (1.0 - alpha) + _CRAYONS[colours] * alpha
    return np.clip(drawing, 0, 255).astype(np.uint8)
