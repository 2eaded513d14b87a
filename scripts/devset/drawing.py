"""The base drawing of a thing and seed, and what each variant draws of it."""

from __future__ import annotations

import math
import random

from inference.serving.crayons import CRAYONS
from inference.serving.things import THINGS

# Importing the recipe modules registers every recipe in RECIPES, in this order (the themes').
# isort: off
from . import recipes_animals, recipes_food, recipes_fashion, recipes_play  # noqa: F401

# isort: on
from .childlike import _childlike, _frame
from .model import (
    BLACK,
    LINE_BRUSH,
    RECIPES,
    BaseDrawing,
    Fill,
    Kit,
    Part,
    Point,
    Stroke,
    polygon_area,
)
from .scribble import _scribble

DEFAULT_THINGS = [t.slug for t in THINGS if t.slug in RECIPES]


def make_base(thing: str, seed: int) -> BaseDrawing:
    """The drawing of ``thing`` for ``seed``: always the same lines, crayons and scribbles."""
    rng = random.Random(f"icanvas-devset:{thing}:{seed}")  # noqa: S311 - not for secrets
    kit = Kit(rng)
    RECIPES[thing](kit)
    frame = _frame(rng, kit.parts)
    lines: list[Stroke] = []
    outlines: dict[int, Part] = {}
    loops: dict[int, Part] = {}
    for part in kit.parts:
        canvas_points = [frame(p) for p in part.points]
        drawn, loop = _childlike(rng, canvas_points, closed=part.closed)
        lines.append(Stroke(drawn))
        if loop is not None:
            loops[len(lines) - 1] = Part(loop, True, part.fill, part.rank)
        if part.fill is not None and loop is not None:
            outlines[len(lines) - 1] = Part(loop, True, part.fill, part.rank)
    fills: list[Fill] = []
    for rank in (1, 2):
        shapes = [(i, p) for i, p in outlines.items() if p.rank == rank]
        if not shapes or (rank == 2 and rng.random() < 0.4):
            continue
        first = shapes[0][1].fill
        crayon = first.pick(rng) if first else BLACK
        for i, shape in shapes:
            # Other lines inside the shape (eyes, windows, a door) are coloured round.
            others = [s.points for j, s in enumerate(lines) if j != i]
            fill = _scribble(rng, shape.points, crayon, others)
            if fill is not None:
                fills.append(fill)
    twin = rng.choice([h for h, _ in CRAYONS if h != BLACK])
    parts = _small_parts(thing, seed, lines, loops)
    return BaseDrawing(
        thing=thing, seed=seed, lines=lines, fills=fills, twin_crayon=twin, parts=parts
    )


# Small parts, as fractions of the canvas: at 512 px about 150 to 4,000 px (under ~1,000 px at
# 256: an eye, a cheek, a window, a candle's flame) - the areas the issue found vanishing.
SMALL_PART = (0.0006, 0.015)


def _small_parts(thing: str, seed: int, lines: list[Stroke], loops: dict[int, Part]) -> list[Fill]:
    """The "parts" variant's colouring: up to three small closed parts, each in a crayon of its
    own, with the small brush (a dab where a scribble has no room). A separate random stream,
    so the other variants stay the drawings they were."""
    rng = random.Random(f"icanvas-devset-parts:{thing}:{seed}")  # noqa: S311 - not for secrets
    small = [
        (i, p) for i, p in loops.items() if SMALL_PART[0] <= polygon_area(p.points) <= SMALL_PART[1]
    ]
    rng.shuffle(small)
    crayons = [h for h, name in CRAYONS if name not in ("Black", "Grey")]
    fills: list[Fill] = []
    for i, shape in small[:3]:
        crayon = shape.fill.pick(rng) if shape.fill else BLACK
        if crayon not in crayons:  # a black or grey part is not a coloured one
            crayon = rng.choice(crayons)
        others = [s.points for j, s in enumerate(lines) if j != i]
        fill = _scribble(rng, shape.points, crayon, others, brush="small") or _dab(
            shape.points, crayon
        )
        fills.append(fill)
    return fills


def _dab(polygon: list[Point], crayon: str) -> Fill:
    """A small circle of crayon round the middle of a part too small for a scribble."""
    cx = sum(x for x, _ in polygon) / len(polygon)
    cy = sum(y for _, y in polygon) / len(polygon)
    r = 0.35 * math.sqrt(polygon_area(polygon) / math.pi)
    ring = [
        (cx + r * math.cos(a / 8 * math.tau), cy + r * math.sin(a / 8 * math.tau)) for a in range(9)
    ]
    return Fill(crayon=crayon, polygon=polygon, brush="small", strokes=[Stroke(ring)])


def variant_plan(base: BaseDrawing, variant: str) -> list[tuple[list[Stroke], str, str]]:
    """What to draw for one variant: (strokes, crayon, brush) in the order a child draws them."""
    if variant == "black":
        return [(base.lines, BLACK, LINE_BRUSH)]
    if variant == "crayon":
        return [(base.lines, base.twin_crayon, LINE_BRUSH)]
    if variant == "parts":
        return [(base.lines, BLACK, LINE_BRUSH)] + [
            (f.strokes, f.crayon, f.brush) for f in base.parts
        ]
    return [(base.lines, BLACK, LINE_BRUSH)] + [(f.strokes, f.crayon, f.brush) for f in base.fills]
