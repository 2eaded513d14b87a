"""Colouring in: a back-and-forth crayon scribble inside a shape, kept off its lines."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from .childlike import _clip, _resample, _wobble
from .model import BRUSH_WIDTHS, LINE_BRUSH, Fill, Point, Stroke, _rotate, polygon_area


def _segments(polylines: list[list[Point]], *, closed: bool) -> tuple[Any, Any]:
    import numpy as np

    starts, ends = [], []
    for points in polylines:
        pts = points + points[:1] if closed else points
        if len(pts) == 1:
            pts = pts * 2
        starts += pts[:-1]
        ends += pts[1:]
    return np.asarray(starts, dtype=float), np.asarray(ends, dtype=float)


def _distances(points: Any, segments: tuple[Any, Any]) -> Any:
    """Each point's distance to the nearest of the segments (numpy, points × segments)."""
    import numpy as np

    a, b = segments
    if not len(a):
        return np.full(len(points), np.inf)
    d = b - a
    length2 = np.maximum((d * d).sum(axis=1), 1e-12)
    rel = points[:, None, :] - a[None, :, :]
    t = np.clip((rel * d[None]).sum(axis=2) / length2[None], 0.0, 1.0)
    nearest = a[None] + t[..., None] * d[None]
    return np.sqrt(((points[:, None, :] - nearest) ** 2).sum(axis=2)).min(axis=1)


def _row_intervals(polygon: list[Point], y: float) -> list[tuple[float, float]]:
    xs = []
    for (ax, ay), (bx, by) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        if (ay <= y < by) or (by <= y < ay):
            xs.append(ax + (y - ay) * (bx - ax) / (by - ay))
    xs.sort()
    return list(zip(xs[0::2], xs[1::2], strict=False))


Row = tuple[float, float, float]  # (x from, x to, y) in the scribble's turned frame


def _scribble(
    rng: random.Random,
    polygon: list[Point],
    crayon: str,
    others: list[list[Point]],
    *,
    brush: str | None = None,
) -> Fill | None:
    """Colouring in: back-and-forth strokes across the shape, kept off its lines.

    Rows run at a child's slant, a little apart (white shows through) and stop short of the
    lines by varying amounts; the crayon is lifted every several rows, where a row would
    leave the shape and round what is drawn inside it (eyes, windows).
    """
    import numpy as np

    if brush is None:
        brush = "large" if polygon_area(polygon) > 0.03 else "medium"
    width = BRUSH_WIDTHS[brush]
    keep_off = width / 2 + BRUSH_WIDTHS[LINE_BRUSH] / 2 + 0.002
    if rng.random() < 0.7:
        angle = rng.uniform(-0.45, 0.45)
    else:
        angle = rng.choice((-1, 1)) * rng.uniform(0.6, 1.1)
    turned = [_rotate(p, -angle) for p in polygon]
    walls = (
        _segments([turned], closed=True),
        _segments([[_rotate(p, -angle) for p in line] for line in others], closed=False),
    )

    def clearance(points: Any) -> Any:
        return np.minimum(_distances(points, walls[0]), _distances(points, walls[1]))

    rows = _scribble_rows(rng, turned, width, keep_off, clearance)
    strokes = _zigzags(rng, rows, keep_off, clearance)
    if not strokes:
        return None
    drawn = []
    for points in strokes:
        dense = _resample([_rotate(p, angle) for p in points], 0.022)
        drawn.append(Stroke(_clip(_wobble(rng, dense, 0.0015, tremor=0.0008))))
    return Fill(crayon=crayon, polygon=polygon, brush=brush, strokes=drawn)


def _scribble_rows(
    rng: random.Random,
    turned: list[Point],
    width: float,
    keep_off: float,
    clearance: Callable[[Any], Any],
) -> list[list[Row]]:
    """The rows of a scribble: where the crayon can pass, row by row, a child's spacing apart."""
    import numpy as np

    ys = [y for _, y in turned]
    spacing = width * rng.uniform(0.75, 1.35)
    rows: list[list[Row]] = []
    y = min(ys) + keep_off
    while y < max(ys) - keep_off:
        row: list[Row] = []
        for left, right in _row_intervals(turned, y):
            xs = np.arange(left, right, 0.003)
            if not len(xs):
                continue
            free = clearance(np.stack([xs, np.full_like(xs, y)], axis=1)) >= keep_off
            edges = np.flatnonzero(np.diff(np.concatenate([[0], free.astype(int), [0]])))
            for start, stop in zip(edges[0::2], edges[1::2], strict=True):
                a = float(xs[start]) + rng.uniform(0, 0.012)
                b = float(xs[stop - 1]) - rng.uniform(0, 0.012)
                if b - a > width * 0.5:
                    row.append((a, b, y))
        rows.append(row)
        y += spacing * rng.uniform(0.85, 1.15)
    return rows


def _zigzags(
    rng: random.Random, rows: list[list[Row]], keep_off: float, clearance: Callable[[Any], Any]
) -> list[list[Point]]:
    """Rows joined back and forth into strokes; the crayon lifts every several rows, or where
    the turn to the next row would cross a line."""
    import numpy as np

    strokes: list[list[Point]] = []
    for i in range(len(rows)):
        while rows[i]:
            current: list[Point] = []
            interval: Row | None = rows[i].pop(0)
            leftwards, j = False, i
            lift_after = 2 * rng.randint(6, 12)
            while interval is not None:
                a, b, yy = interval
                ends = [(b, yy), (a, yy)] if leftwards else [(a, yy), (b, yy)]
                if current:
                    turn = np.asarray([_mid(current[-1], ends[0])])
                    if float(clearance(turn)[0]) < keep_off * 0.8 or len(current) >= lift_after:
                        strokes.append(current)
                        current = []
                current += ends
                leftwards = not leftwards
                j += 1
                interval = None
                if j < len(rows):
                    for candidate in rows[j]:
                        if candidate[0] < b and candidate[1] > a:
                            interval = candidate
                            rows[j].remove(candidate)
                            break
            strokes.append(current)
    return strokes


def _mid(a: Point, b: Point) -> Point:
    return (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
