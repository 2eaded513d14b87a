"""What a child notices in a picture, measured on canvas drawings at the picture's own size.

Generators v3 (issue 19) is judged on the canvas dev set (``scripts/canvas_devset.py``: drawings
made with the mouse on the real canvas, a procedure no generator trains on) by:

* **chroma of uncoloured outlines** — mean CIELAB chroma C*ab inside the closed shapes of the
  ``black`` and ``crayon`` drawings (nothing coloured in), per thing: a drab picture is ~15,
  a cheerful one 40+;
* **line colour kept** — in each ``crayon`` drawing, the core of the child's strokes (their
  inner pixels) in the picture against the crayon: kept when 80 % of them are within ΔE*ab 25;
* **coloured areas keep their hue** — every coloured shape of a ``coloured`` drawing (and,
  separately, those under 4,000 px at 512 — 1,000 at 256 — the ``parts`` drawings' small
  parts among them): the picture's median there against the crayon
  (:func:`inference.serving.pix2pix.colour_metrics.hint_kept`);
* **mottle** — in each closed shape, the mean ΔE*ab of its pixels from the shape's mean colour
  (a colouring-book fill is ~0);
* **waffle** — RMS of the lightness left after a 5 x 5 box blur inside the shapes: periodic
  texture of 2-4 px (a transposed-convolution checkerboard) shows here, flat fills are ~0;
* **paper dirty** — share of the paper around the drawing (clear of the strokes by 12 px)
  that is not white (ΔE*ab > 10 from white);
* **size** — the picture's side in pixels.

Every picture is judged at 512 x 512 (a smaller one is scaled up, as the site shows it), the
sketch at the same size. Plain numpy/OpenCV.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from statistics import fmean, median
from typing import Any

import cv2
import numpy as np

from inference.lab.pix2pix.canvas_judge import polygon_area
from inference.serving.crayons import crayon_rgb
from inference.serving.pix2pix import colour_metrics as cm

SIDE = 512
SMALL_AREA_PX = 4000  # at 512 (1,000 at 256, as the issue counted): a cheek, a window, a candle
MIN_INSIDE_PX = 40  # a coloured part's inside once kept clear of its line, before a smaller inset
MIN_SHAPE_PX = 400  # at 512: smaller shapes are not judged for chroma, mottle and waffle
INSET_PX = 6
PAPER_CLEARANCE_PX = 12
PAPER_GAP_PX = 16  # at 512 (8 at 256, the painter's LEAK_CLOSE_PX): gaps closed for the paper
PAPER_DELTA_E = 10.0
LINE_DELTA_E = 25.0
LINE_KEPT_SHARE = 0.8
WHITE_LAB = np.array([100.0, 0.0, 0.0], np.float32)


def at_side(image: np.ndarray) -> np.ndarray:
    """An RGB uint8 image at the judging side (bicubic when scaled up, area when down)."""
    if image.shape[0] == SIDE:
        return image
    method = cv2.INTER_CUBIC if image.shape[0] < SIDE else cv2.INTER_AREA
    return cv2.resize(image, (SIDE, SIDE), interpolation=method)


def lab(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)


def strokes(sketch: np.ndarray) -> np.ndarray:
    """Pixels the child put ink on (any crayon), bool."""
    return sketch.min(axis=2) < 200


def _areas(sketch: np.ndarray, gap: int = 2) -> tuple[np.ndarray, list[int], list[int]]:
    """The areas the strokes part (labels) with gaps up to about ``2 * gap`` px closed, and
    which of them are the paper around the drawing (touching the border) and which are closed
    shapes."""
    walls = cv2.dilate(strokes(sketch).astype(np.uint8), np.ones((2 * gap + 1,) * 2, np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        (1 - walls).astype(np.uint8), connectivity=4
    )
    paper: list[int] = []
    closed: list[int] = []
    for label in range(1, count):
        x, y, w, h, _area = stats[label]
        touches = x == 0 or y == 0 or x + w == SIDE or y + h == SIDE
        (paper if touches else closed).append(label)
    return labels, paper, closed


def closed_shapes(sketch: np.ndarray) -> list[np.ndarray]:
    """Masks of the shapes the strokes close (not touching the border), inset from the lines."""
    labels, _paper, closed = _areas(sketch)
    kernel = np.ones((2 * INSET_PX + 1, 2 * INSET_PX + 1), np.uint8)
    shapes = []
    for label in closed:
        inside = cv2.erode((labels == label).astype(np.uint8), kernel) > 0
        if inside.sum() >= MIN_SHAPE_PX:
            shapes.append(inside)
    return shapes


def paper_around(sketch: np.ndarray) -> np.ndarray:
    """The paper outside every shape, clear of the strokes. A shape whose outline a child left
    open by a small gap (up to ~2 x :data:`PAPER_GAP_PX`: a bag's bottom line drawn in
    dashes, a handle not quite meeting the bag) is a shape, not paper: the painter fills it
    (it closes gaps of that size too) and a child sees a bag, not paper."""
    labels, paper, _closed = _areas(sketch, PAPER_GAP_PX)
    outside = np.isin(labels, paper)
    reach = 2 * PAPER_CLEARANCE_PX + 1
    near = cv2.dilate(strokes(sketch).astype(np.uint8), np.ones((reach, reach), np.uint8)) > 0
    return outside & ~near


def shape_chroma(picture_lab: np.ndarray, shapes: Sequence[np.ndarray]) -> float | None:
    """Mean chroma over all the shapes' pixels."""
    if not shapes:
        return None
    inside = np.any(np.stack(shapes), axis=0)
    return float(np.hypot(picture_lab[inside, 1], picture_lab[inside, 2]).mean())


def mottle(picture_lab: np.ndarray, shape: np.ndarray) -> float:
    """Mean ΔE*ab of a shape's pixels from its mean colour."""
    pixels = picture_lab[shape]
    return float(np.linalg.norm(pixels - pixels.mean(axis=0), axis=1).mean())


def waffle(picture_lab: np.ndarray, shape: np.ndarray) -> float:
    """RMS lightness left after a 5 x 5 box blur, over the shape's inner pixels."""
    light = picture_lab[:, :, 0]
    high = light - cv2.blur(light, (5, 5))
    inner = cv2.erode(shape.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    return float(np.sqrt((high[inner] ** 2).mean())) if inner.any() else 0.0


def line_kept(picture_lab: np.ndarray, sketch: np.ndarray) -> float | None:
    """Share of the strokes' core pixels whose colour in the picture is within ΔE 25 of the
    sketch's (None when the sketch has no stroke core)."""
    core = cv2.erode(strokes(sketch).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    if not core.any():
        return None
    distance = np.linalg.norm(picture_lab[core] - lab(sketch)[core], axis=1)
    return float((distance <= LINE_DELTA_E).mean())


def judge_picture(
    sketch: np.ndarray, picture: np.ndarray, variant: str, fills: Sequence[tuple[tuple, np.ndarray]]
) -> dict[str, Any]:
    """Every measure for one drawing; ``fills`` are (crayon RGB, mask at 512) of its coloured
    shapes (``coloured`` drawings)."""
    size = int(min(picture.shape[:2]))
    sketch, picture = at_side(sketch), at_side(picture)
    picture_lab = lab(picture)
    shapes = closed_shapes(sketch)
    result: dict[str, Any] = {"size": size}
    if variant in ("black", "crayon"):
        result["chroma"] = shape_chroma(picture_lab, shapes)
    if variant == "crayon":
        result["line_kept"] = line_kept(picture_lab, sketch)
    result["mottle"] = [mottle(picture_lab, s) for s in shapes]
    result["waffle"] = [waffle(picture_lab, s) for s in shapes]
    paper = paper_around(sketch)
    if paper.any():
        off_white = np.linalg.norm(picture_lab[paper] - WHITE_LAB, axis=1) > PAPER_DELTA_E
        result["paper_dirty"] = float(off_white.mean())
    result["hints"] = [
        {**cm.hint_kept(picture, mask, crayon), "area_px": int(mask.sum())}
        for crayon, mask in fills
        if mask.any()
    ]
    return result


def summarise(results: Sequence[tuple[str, str, dict[str, Any]]]) -> dict[str, Any]:
    """The dev set's numbers from ``(thing, variant, judge_picture result)`` rows."""
    chroma: dict[str, list[float]] = defaultdict(list)
    lines, mottles, waffles, dirty, sizes = [], [], [], [], []
    hints, small = [], []
    for thing, _variant, r in results:
        if r.get("chroma") is not None:
            chroma[thing].append(r["chroma"])
        if r.get("line_kept") is not None:
            lines.append(r["line_kept"] >= LINE_KEPT_SHARE)
        mottles += r["mottle"]
        waffles += r["waffle"]
        if "paper_dirty" in r:
            dirty.append(r["paper_dirty"])
        sizes.append(r["size"])
        for hint in r["hints"]:
            hints.append(hint["kept"])
            if hint["area_px"] < SMALL_AREA_PX:
                small.append(hint["kept"])
    per_thing = {t: round(fmean(v), 1) for t, v in sorted(chroma.items())}
    drab = sorted(t for t, v in per_thing.items() if v < 30 and t != "panda")
    return {
        "drawings": len(results),
        "chroma_by_thing": per_thing,
        "chroma_min_thing": min(per_thing.items(), key=lambda kv: kv[1]) if per_thing else None,
        "drab_things": drab,
        "line_colour_kept": _share(lines),
        "crayon_drawings": len(lines),
        "hue_kept": _share(hints),
        "coloured_areas": len(hints),
        "small_hue_kept": _share(small),
        "small_areas": len(small),
        "mottle_median": round(median(mottles), 2) if mottles else None,
        "mottle_mean": round(fmean(mottles), 2) if mottles else None,
        "waffle_median": round(median(waffles), 2) if waffles else None,
        "waffle_max": round(max(waffles), 2) if waffles else None,
        "paper_dirty_worst": round(max(dirty), 4) if dirty else None,
        "paper_dirty_mean": round(fmean(dirty), 4) if dirty else None,
        "picture_side_min": min(sizes) if sizes else None,
    }


def fill_insides(
    fills: Sequence[dict[str, Any]],
) -> list[tuple[tuple[int, int, int], np.ndarray]]:
    """A dev-set entry's coloured shapes (``fills``: crayon and polygon) as (crayon RGB, inside)
    at :data:`SIDE`: each kept :data:`INSET_PX` clear of its line, a small part only just."""
    insides = []
    kernel = np.ones((2 * INSET_PX + 1, 2 * INSET_PX + 1), np.uint8)
    for fill in fills:
        mask = polygon_area(fill["polygon"], SIDE)
        inside = cv2.erode(mask, kernel) > 0
        if inside.sum() < MIN_INSIDE_PX:  # a small part: keep clear of its line only just
            inside = cv2.erode(mask, np.ones((5, 5), np.uint8)) > 0
        insides.append((crayon_rgb(fill["crayon"]), inside))
    return insides


def _share(values: Sequence[bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None
