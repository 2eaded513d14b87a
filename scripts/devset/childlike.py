"""An ideal path made child-like: where it sits on the paper, wobble, tremor, gaps, overshoots."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable

from .model import Part, Point, _rotate


def _frame(rng: random.Random, parts: list[Part]) -> Callable[[Point], Point]:
    """Where this drawing sits on the paper: off-centre, its own size, a little tilted."""
    scale = rng.uniform(0.3, 0.4)
    sx, sy = scale * rng.uniform(0.88, 1.12), scale * rng.uniform(0.88, 1.12)
    angle = rng.uniform(-0.14, 0.14)
    cx, cy = 0.5 + rng.uniform(-0.07, 0.07), 0.5 + rng.uniform(-0.06, 0.06)
    points = [p for part in parts for p in part.points]

    def place(p: Point, fit: float = 1.0) -> Point:
        x, y = _rotate((p[0] * sx * fit, p[1] * sy * fit), angle)
        return cx + x, cy + y

    placed = [place(p) for p in points]
    # Keep every stroke on the paper, with a margin for the wobble.
    reach = max(
        max(abs(x - cx) for x, _ in placed) / (min(cx, 1 - cx) - 0.05),
        max(abs(y - cy) for _, y in placed) / (min(cy, 1 - cy) - 0.05),
    )
    fit = 1.0 / reach if reach > 1 else 1.0
    return lambda p: place(p, fit)


def _resample(points: list[Point], step: float) -> list[Point]:
    out = [points[0]]
    for a, b in itertools.pairwise(points):
        length = math.dist(a, b)
        n = max(1, math.ceil(length / step))
        out += [
            (a[0] + (b[0] - a[0]) * i / n, a[1] + (b[1] - a[1]) * i / n) for i in range(1, n + 1)
        ]
    return out


def _wobble(
    rng: random.Random, points: list[Point], amplitude: float, tremor: float
) -> list[Point]:
    """Push each point off the ideal path: a slow waver of the hand plus a little tremor."""
    waves = [
        (rng.uniform(4, 11), rng.uniform(0, 2 * math.pi), rng.uniform(0.4, 1)) for _ in range(2)
    ]
    out: list[Point] = []
    travelled = 0.0
    for i, p in enumerate(points):
        if i:
            travelled += math.dist(points[i - 1], p)
        a, b = points[max(0, i - 1)], points[min(len(points) - 1, i + 1)]
        dx, dy = b[0] - a[0], b[1] - a[1]
        norm = math.hypot(dx, dy) or 1.0
        nx, ny = -dy / norm, dx / norm
        offset = amplitude * sum(
            w * math.sin(2 * math.pi * f * travelled + ph) for f, ph, w in waves
        )
        out.append(
            (
                p[0] + nx * offset + rng.gauss(0, tremor),
                p[1] + ny * offset + rng.gauss(0, tremor),
            )
        )
    return out


def _childlike(
    rng: random.Random, points: list[Point], *, closed: bool
) -> tuple[list[Point], list[Point] | None]:
    """The stroke a child's hand makes of an ideal path; for a closed one also the loop it made.

    A closed shape starts anywhere on its outline and ends with a little gap or runs past its
    start; an open line sometimes overshoots its end.
    """
    if len(points) < 3 and not closed:
        # A dot or a short tick: no room for a waver.
        return [(x + rng.gauss(0, 0.001), y + rng.gauss(0, 0.001)) for x, y in points], None
    path = [*points, points[0]] if closed else points
    dense = _resample(path, 0.015)
    if closed:
        dense = dense[:-1]
        start = rng.randrange(len(dense))
        dense = dense[start:] + dense[:start]
    amplitude = rng.uniform(0.002, 0.0055)
    wobbly = _wobble(rng, dense, amplitude, tremor=0.0009)
    if not closed:
        if rng.random() < 0.3:  # overshoot past the end
            (ax, ay), (bx, by) = wobbly[-2], wobbly[-1]
            d = math.hypot(bx - ax, by - ay) or 1.0
            extra = rng.uniform(0.008, 0.02)
            wobbly.append((bx + (bx - ax) / d * extra, by + (by - ay) / d * extra))
        return _clip(wobbly), None
    loop = list(wobbly)
    ending = rng.random()
    if ending < 0.35:  # runs past the start, a little outside the first pass
        extra = max(2, int(len(loop) * rng.uniform(0.04, 0.1)))
        drift = rng.uniform(0.003, 0.008)
        cx = sum(x for x, _ in loop) / len(loop)
        cy = sum(y for _, y in loop) / len(loop)
        tail = []
        for i, (x, y) in enumerate(loop[:extra]):
            d = math.hypot(x - cx, y - cy) or 1.0
            grow = drift * (i + 1) / extra
            tail.append((x + (x - cx) / d * grow, y + (y - cy) / d * grow))
        drawn = [*loop, *tail]
    elif ending < 0.55:  # stops short of the start
        drawn = loop[: max(3, len(loop) - max(1, int(len(loop) * rng.uniform(0.02, 0.045))))]
    else:
        drawn = [*loop, loop[0]]
    return _clip(drawn), _clip(loop)


def _clip(points: list[Point]) -> list[Point]:
    return [(min(0.995, max(0.005, x)), min(0.995, max(0.005, y))) for x, y in points]
