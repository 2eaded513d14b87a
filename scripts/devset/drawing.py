"""The base drawing of a thing and seed, and what each variant draws of it."""

from __future__ import annotations

import random

from inference.crayons import CRAYONS
from inference.datasets.things import THINGS

# Importing the recipe modules registers every recipe in RECIPES, in this order (the themes').
# isort: off
from . import recipes_animals, recipes_food, recipes_fashion, recipes_play  # noqa: F401

# isort: on
from .childlike import _childlike, _frame
from .model import BLACK, LINE_BRUSH, RECIPES, BaseDrawing, Fill, Kit, Part, Stroke
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
    for part in kit.parts:
        canvas_points = [frame(p) for p in part.points]
        drawn, loop = _childlike(rng, canvas_points, closed=part.closed)
        lines.append(Stroke(drawn))
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
    return BaseDrawing(thing=thing, seed=seed, lines=lines, fills=fills, twin_crayon=twin)


def variant_plan(base: BaseDrawing, variant: str) -> list[tuple[list[Stroke], str, str]]:
    """What to draw for one variant: (strokes, crayon, brush) in the order a child draws them."""
    if variant == "black":
        return [(base.lines, BLACK, LINE_BRUSH)]
    if variant == "crayon":
        return [(base.lines, base.twin_crayon, LINE_BRUSH)]
    return [(base.lines, BLACK, LINE_BRUSH)] + [(f.strokes, f.crayon, f.brush) for f in base.fills]
