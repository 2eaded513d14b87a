"""The drawing model: crayons, a recipe's parts, the strokes drawn and the kit recipes draw with."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from inference.serving.crayons import CRAYONS

EXPORT_SIDE = 512  # the side of the PNG the canvas page sends (static/js/sketch-pad.js)
# Brush widths as a fraction of the canvas side, as the page draws them.
BRUSH_WIDTHS = {"small": 4 / 512, "medium": 9 / 512, "large": 18 / 512}
LINE_BRUSH = "medium"
VARIANTS = ("black", "crayon", "coloured", "parts")

Point = tuple[float, float]
CRAYON_HEX = {name.lower(): hex_colour for hex_colour, name in CRAYONS}
BLACK = CRAYON_HEX["black"]


@dataclass(frozen=True)
class Palette:
    """Crayons a child might colour a shape with: the expected ones, and surprises."""

    plausible: tuple[str, ...]
    surprising: tuple[str, ...] = ()

    def pick(self, rng: random.Random) -> str:
        names = self.surprising if self.surprising and rng.random() < 0.3 else self.plausible
        return CRAYON_HEX[rng.choice(names)]


def palette(plausible: str, surprising: str = "") -> Palette:
    """``palette("yellow orange", "brown pink")``; multi-word crayon names use underscores."""
    split = lambda words: tuple(w.replace("_", " ") for w in words.split())  # noqa: E731
    return Palette(split(plausible), split(surprising))


@dataclass
class Part:
    """One stroke of a recipe in its frame; ``rank`` 1 or 2 makes it a shape to colour in."""

    points: list[Point]
    closed: bool
    fill: Palette | None = None
    rank: int = 0


@dataclass
class Stroke:
    points: list[Point]  # canvas fractions, as the mouse moves


@dataclass
class Fill:
    crayon: str
    polygon: list[Point]
    brush: str
    strokes: list[Stroke]

    @property
    def area_fraction(self) -> float:
        return polygon_area(self.polygon)


@dataclass
class BaseDrawing:
    thing: str
    seed: int
    lines: list[Stroke]
    fills: list[Fill]
    twin_crayon: str
    parts: list[Fill] = field(default_factory=list)  # small closed parts coloured in ("parts")


class Kit:
    """What a recipe draws with; every number it asks for varies with the seed."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.parts: list[Part] = []

    def u(self, low: float, high: float) -> float:
        return self.rng.uniform(low, high)

    def v(self, value: float, spread: float = 0.12) -> float:
        """``value`` give or take ``spread`` of itself: a child's uneven proportions."""
        return value * (1 + self.rng.uniform(-spread, spread))

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def add(
        self,
        points: list[Point],
        *,
        closed: bool = False,
        fill: Palette | None = None,
        rank: int = 1,
    ) -> list[Point]:
        self.parts.append(Part(list(points), closed, fill, rank if fill else 0))
        return points

    def ellipse(
        self,
        cx: float,
        cy: float,
        rx: float,
        ry: float | None = None,
        *,
        rot: float = 0.0,
        fill: Palette | None = None,
        rank: int = 1,
    ) -> list[Point]:
        ry = rx if ry is None else ry
        n = max(16, int(60 * max(rx, ry)))
        points = [
            _rotate((rx * math.cos(2 * math.pi * i / n), ry * math.sin(2 * math.pi * i / n)), rot)
            for i in range(n)
        ]
        return self.add([(cx + x, cy + y) for x, y in points], closed=True, fill=fill, rank=rank)

    def arc(  # noqa: PLR0917 - centre, radii and angles, in the order they are read
        self, cx: float, cy: float, rx: float, ry: float, start: float, end: float
    ) -> list[Point]:
        """An open arc from angle ``start`` to ``end`` (radians, y down)."""
        n = max(6, int(30 * abs(end - start) * max(rx, ry)))
        points = [
            (
                cx + rx * math.cos(start + (end - start) * i / n),
                cy + ry * math.sin(start + (end - start) * i / n),
            )
            for i in range(n + 1)
        ]
        return self.add(points)

    def poly(
        self, *points: Point, closed: bool = False, fill: Palette | None = None, rank: int = 1
    ) -> list[Point]:
        return self.add(list(points), closed=closed, fill=fill, rank=rank)

    def line(self, a: Point, b: Point) -> list[Point]:
        return self.add([a, b])

    def dot(self, x: float, y: float) -> list[Point]:
        """An eye or a seed: the crayon put down and wiggled a little."""
        d = 0.015
        return self.add([(x, y), (x + d, y + d * 0.5), (x - d * 0.3, y + d)])


def _rotate(point: Point, angle: float) -> Point:
    c, s = math.cos(angle), math.sin(angle)
    return point[0] * c - point[1] * s, point[0] * s + point[1] * c


# Each recipe draws one thing as a 5-8-year-old would: few shapes, big and simple.
Recipe = Callable[[Kit], None]
RECIPES: dict[str, Recipe] = {}


def recipe(slug: str) -> Callable[[Recipe], Recipe]:
    def register(fn: Recipe) -> Recipe:
        RECIPES[slug] = fn
        return fn

    return register


def _steps(start: float, end: float, n: int) -> list[float]:
    return [start + (end - start) * i / n for i in range(n + 1)]


def polygon_area(polygon: list[Point]) -> float:
    """The area of a polygon in canvas fractions (the shoelace formula)."""
    total = 0.0
    for (x0, y0), (x1, y1) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        total += x0 * y1 - x1 * y0
    return abs(total) / 2
