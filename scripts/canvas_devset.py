"""Build the child-like dev set: drawings made with the mouse on the real canvas page.

Generators are judged on sketches that look like a child's, never on the training edges
(issue 12, item 6). This script starts a throw-away iCanvas site (its own SQLite file, media
and generator folders in a temporary directory; the embedded worker off), signs in as the demo
parent, enters play mode as a demo child and draws, through Playwright and Debian's Chromium,
one simple drawing per thing and seed: a small recipe of polylines (a panda is a round head,
two round ears, eye patches and a nose) made child-like by the seed (position, size, a slight
tilt, uneven proportions, wobble and tremor on every stroke, a gap or an overshoot where a
shape closes).

Each base drawing is drawn three times:

* ``black``: the lines in the black crayon, medium brush;
* ``crayon``: the very same strokes in another crayon (the twin for crayon robustness);
* ``coloured``: the black lines plus a back-and-forth scribble in a crayon inside the
  drawing's biggest closed shape (sometimes a second, smaller one too).

The PNG kept is the exact file the page sends: the POST to ``/api/v1/drawings/`` is intercepted,
its multipart body parsed and the sketch's bytes saved as they are; the request then goes on
to the throw-away server, so the page behaves as it does for a child. ``devset.json`` lists
every drawing with its thing, variant, crayons, the filled polygons and how it was made.

    .venv/bin/python scripts/canvas_devset.py --out data/devsets/canvas [--seeds 2]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import itertools
import json
import math
import os
import random
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inference.crayons import CRAYONS
from inference.datasets.things import THINGS

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    # Mouse moves are otherwise held for a 60 Hz frame each: drawing takes twice as long.
    "--disable-gpu-vsync",
    "--disable-frame-rate-limit",
]
DRAWINGS_API = "/api/v1/drawings/"
EXPORT_SIDE = 512  # the side of the PNG the canvas page sends (static/js/sketch-pad.js)
# Brush widths as a fraction of the canvas side, as the page draws them.
BRUSH_WIDTHS = {"small": 4 / 512, "medium": 9 / 512, "large": 18 / 512}
LINE_BRUSH = "medium"
VARIANTS = ("black", "crayon", "coloured")

Point = tuple[float, float]
CRAYON_HEX = {name.lower(): hex_colour for hex_colour, name in CRAYONS}
BLACK = CRAYON_HEX["black"]


# --- the drawings: recipes in a [-1, 1] frame, made child-like on the way to the canvas -------


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


@recipe("panda")
def _panda(k: Kit) -> None:
    black = palette("black")  # the head stays white paper; ears and patches are coloured black
    r = k.v(0.78, 0.06)
    k.ellipse(0, 0.05, r, k.v(r * 0.88, 0.06))
    for side in (-1, 1):
        k.ellipse(side * k.v(0.6, 0.08), k.v(-0.66, 0.06), k.v(0.22), fill=black)
        k.ellipse(
            side * k.v(0.3, 0.1), k.v(-0.02, 0.5), k.v(0.16), k.v(0.22), rot=side * 0.5, fill=black
        )
        k.dot(side * 0.28, k.v(-0.02, 0.5))
    k.ellipse(0, k.v(0.3, 0.1), k.v(0.09), k.v(0.06), fill=black)
    k.arc(-0.08, 0.38, 0.08, 0.08, 0.2, 2.9)
    k.arc(0.08, 0.38, 0.08, 0.08, 0.2, 2.9)


@recipe("cat")
def _cat(k: Kit) -> None:
    r = k.v(0.62, 0.08)
    head = palette("orange grey yellow brown", "purple pink sky_blue")
    k.ellipse(0, 0.12, r, k.v(r * 0.85), fill=head)
    for side in (-1, 1):
        base = side * k.v(0.5, 0.08)
        k.poly(
            (base, -0.25), (side * k.v(0.55, 0.1), k.v(-0.85, 0.08)), (side * k.v(0.15, 0.2), -0.4)
        )
        k.dot(side * k.v(0.24), k.v(0.0, 0.5))
        for dy in (-0.06, 0.06):
            k.line((side * 0.18, 0.3 + dy), (side * k.v(0.85, 0.08), 0.28 + dy * 2.5))
    k.poly((-0.06, 0.2), (0.06, 0.2), (0, 0.27), closed=True)
    k.arc(-0.08, 0.33, 0.08, 0.07, 0.3, 2.8)
    k.arc(0.08, 0.33, 0.08, 0.07, 0.3, 2.8)


@recipe("dog")
def _dog(k: Kit) -> None:
    head = palette("brown orange yellow", "sky_blue pink green")
    k.ellipse(0, 0, k.v(0.55, 0.08), k.v(0.62, 0.08), fill=head)
    ears = palette("brown black", "purple red")
    for side in (-1, 1):
        k.ellipse(
            side * k.v(0.62, 0.06),
            k.v(0.05, 0.5),
            k.v(0.18),
            k.v(0.42),
            rot=-side * 0.35,
            fill=ears,
            rank=2,
        )
        k.dot(side * k.v(0.22), k.v(-0.15, 0.3))
    k.ellipse(0, k.v(0.2, 0.1), k.v(0.12), k.v(0.08))
    k.poly((-0.2, 0.38), (0, 0.45), (0.2, 0.38))
    if k.chance(0.5):
        k.ellipse(0.05, 0.52, 0.07, 0.1)  # the tongue


@recipe("rabbit")
def _rabbit(k: Kit) -> None:
    head = palette("grey pink", "sky_blue yellow purple")
    k.ellipse(0, 0.3, k.v(0.55, 0.06), k.v(0.5, 0.06), fill=head)
    ears = palette("pink", "red purple")
    for side in (-1, 1):
        k.ellipse(
            side * k.v(0.25, 0.1),
            k.v(-0.5, 0.06),
            k.v(0.14),
            k.v(0.45, 0.08),
            rot=side * 0.12,
            fill=ears,
            rank=2,
        )
        k.dot(side * 0.2, k.v(0.2, 0.15))
        k.line((side * 0.12, 0.42), (side * k.v(0.75, 0.1), k.v(0.38, 0.1)))
    k.ellipse(0, 0.36, 0.05, 0.04)
    k.arc(0, 0.42, 0.1, 0.07, 0.3, 2.8)


@recipe("bear")
def _bear(k: Kit) -> None:
    fur = palette("brown orange", "purple pink yellow")
    for side in (-1, 1):
        k.ellipse(side * k.v(0.55, 0.08), k.v(-0.55, 0.08), k.v(0.2))
    k.ellipse(0, 0.05, k.v(0.68, 0.06), k.v(0.62, 0.06), fill=fur)
    k.ellipse(0, k.v(0.28, 0.1), k.v(0.26), k.v(0.2), fill=palette("yellow", "pink"), rank=2)
    for side in (-1, 1):
        k.dot(side * k.v(0.25), k.v(-0.1, 0.3))
    k.ellipse(0, 0.2, 0.08, 0.05)
    k.arc(0, 0.3, 0.1, 0.07, 0.3, 2.8)


@recipe("fish")
def _fish(k: Kit) -> None:
    body = palette("orange yellow sky_blue", "pink purple red")
    k.ellipse(k.v(-0.15), 0, k.v(0.62, 0.06), k.v(0.38, 0.1), fill=body)
    tail_x = 0.42
    k.poly(
        (tail_x, 0),
        (k.v(0.92, 0.05), k.v(-0.35)),
        (k.v(0.92, 0.05), k.v(0.35)),
        closed=True,
        fill=palette("orange yellow", "green red"),
        rank=2,
    )
    k.dot(-0.5, k.v(-0.08, 0.5))
    k.arc(-0.72, 0.05, 0.08, 0.07, 1.0, 2.4)
    k.poly((-0.2, -0.33), (0.0, -0.6), (0.15, -0.3))
    if k.chance(0.5):
        k.arc(0, 0, 0.12, 0.18, -1.2, 1.2)  # a gill


@recipe("bird")
def _bird(k: Kit) -> None:
    body = palette("sky_blue red yellow blue", "pink green purple")
    k.ellipse(0, 0.1, k.v(0.6, 0.08), k.v(0.45, 0.08), fill=body)
    k.ellipse(k.v(-0.55), k.v(-0.35), k.v(0.26), fill=body, rank=2)
    k.poly((-0.78, -0.4), (-1.0, -0.3), (-0.78, -0.25), closed=True)
    k.dot(-0.6, -0.42)
    k.poly((-0.1, 0.05), (0.25, -0.05), (0.45, 0.12), (0.1, 0.22))
    k.poly((0.55, 0.0), (0.95, -0.2), (0.9, 0.1), (0.58, 0.15))
    for x in (-0.15, 0.12):
        k.poly((x, 0.52), (x, 0.82), (x - 0.1, 0.9))


@recipe("butterfly")
def _butterfly(k: Kit) -> None:
    wings = palette("purple pink yellow sky_blue orange", "red green blue")
    lower = palette("yellow orange pink", "sky_blue green")
    k.ellipse(0, 0.05, 0.07, k.v(0.55, 0.06))
    for side in (-1, 1):
        k.ellipse(
            side * k.v(0.45, 0.06), k.v(-0.3, 0.1), k.v(0.42), k.v(0.36), rot=side * 0.5, fill=wings
        )
        k.ellipse(
            side * k.v(0.36, 0.08),
            k.v(0.4, 0.08),
            k.v(0.28),
            k.v(0.24),
            rot=-side * 0.4,
            fill=lower,
            rank=2,
        )
        k.poly((0, -0.48), (side * 0.18, -0.78), (side * 0.28, -0.86))
        k.dot(side * 0.28, -0.88)


@recipe("apple")
def _apple(k: Kit) -> None:
    w, h = k.v(0.72, 0.06), k.v(0.72, 0.08)
    points = []
    for i in range(48):
        t = 2 * math.pi * i / 48
        dent = 0.3 * max(0.0, math.cos(t + math.pi / 2)) ** 8  # the dip at the stem
        points.append((w * math.cos(t), 0.12 + h * math.sin(t) * (1 - dent) + dent * 0.3))
    k.add(points, closed=True, fill=palette("red green yellow", "pink orange purple"))
    k.poly((0, -0.5), (k.v(0.05, 1), -0.85))
    k.ellipse(0.2, -0.72, k.v(0.18), k.v(0.08), rot=-0.5, fill=palette("green light_green"), rank=2)


@recipe("banana")
def _banana(k: Kit) -> None:
    outer = [(0.9 * math.cos(t), 0.7 * math.sin(t) - 0.25) for t in _steps(0.35, 2.8, 20)]
    inner = [(0.7 * math.cos(t), 0.08 * math.sin(t) - 0.02) for t in _steps(2.65, 0.5, 18)]
    k.add(outer + inner, closed=True, fill=palette("yellow", "green orange pink"))
    k.poly((0.78, 0.18), (0.92, 0.08), (0.98, 0.14))


@recipe("strawberry")
def _strawberry(k: Kit) -> None:
    w = k.v(0.62, 0.08)
    points = [
        (w * math.cos(t), -0.25 + 0.35 * math.sin(t)) for t in _steps(math.pi, 2 * math.pi, 14)
    ]
    points += [(w * 0.9, 0.15), (0.3, 0.6), (0, k.v(0.85, 0.05)), (-0.3, 0.6), (-w * 0.9, 0.15)]
    k.add(points, closed=True, fill=palette("red", "pink purple orange"))
    k.poly(
        (-0.45, -0.45),
        (-0.25, -0.7),
        (-0.1, -0.5),
        (0.05, -0.78),
        (0.15, -0.5),
        (0.35, -0.7),
        (0.45, -0.45),
    )
    for x, y in ((-0.3, -0.05), (0.1, -0.1), (0.35, 0.1), (-0.1, 0.25), (0.1, 0.45), (-0.35, 0.3)):
        k.dot(x + k.u(-0.05, 0.05), y + k.u(-0.05, 0.05))


@recipe("cake")
def _cake(k: Kit) -> None:
    w, top, bottom = k.v(0.78, 0.06), k.v(-0.1, 0.3), k.v(0.75, 0.05)
    k.poly(
        (-w, top),
        (w, top),
        (w, bottom),
        (-w, bottom),
        closed=True,
        fill=palette("pink brown yellow", "purple sky_blue green"),
    )
    k.poly(
        (-w, top + 0.25),
        (-w / 2, top + 0.38),
        (0, top + 0.25),
        (w / 2, top + 0.38),
        (w, top + 0.25),
    )
    for place in (-0.4, 0.0, 0.4)[: 2 + int(k.chance(0.7))]:
        x = k.v(place, 0.15)
        k.poly((x - 0.06, top), (x - 0.06, top - 0.38), (x + 0.06, top - 0.38), (x + 0.06, top))
        k.ellipse(x, top - 0.52, 0.06, 0.1, fill=palette("orange yellow", "red"), rank=2)


@recipe("ice_cream")
def _ice_cream(k: Kit) -> None:
    r = k.v(0.5, 0.08)
    k.ellipse(0, -0.35, r, k.v(r * 0.9), fill=palette("pink brown light_green", "sky_blue purple"))
    k.poly(
        (-0.45, 0.0),
        (0, k.v(0.95, 0.04)),
        (0.45, 0.0),
        closed=True,
        fill=palette("brown orange yellow"),
        rank=2,
    )
    k.line((-0.3, 0.15), (0.1, 0.6))
    k.line((0.3, 0.15), (-0.1, 0.6))
    if k.chance(0.5):
        k.ellipse(0.05, -0.9, 0.1)  # a cherry


@recipe("car")
def _car(k: Kit) -> None:
    w, roof = k.v(0.92, 0.04), k.v(-0.5, 0.1)
    body = [
        (-w, 0.35),
        (-w, -0.05),
        (-0.5, -0.08),
        (-0.3, roof),
        (0.35, roof),
        (0.55, -0.08),
        (w, -0.05),
        (w, 0.35),
    ]
    k.add(body, closed=True, fill=palette("red blue pink", "green purple yellow orange"))
    k.poly((-0.36, -0.12), (-0.22, roof + 0.1), (-0.02, roof + 0.1), (-0.02, -0.12), closed=True)
    k.poly((0.08, -0.12), (0.08, roof + 0.1), (0.28, roof + 0.1), (0.42, -0.12), closed=True)
    wheels = palette("black grey")
    for x in (-0.5, 0.5):
        k.ellipse(k.v(x, 0.08), 0.38, k.v(0.2), fill=wheels, rank=2)


@recipe("bus")
def _bus(k: Kit) -> None:
    w, top = k.v(0.95, 0.03), k.v(-0.5, 0.1)
    k.poly(
        (-w, top),
        (w, top),
        (w, 0.4),
        (-w, 0.4),
        closed=True,
        fill=palette("yellow orange red", "green pink"),
    )
    n = 3 + int(k.chance(0.5))
    for i in range(n):
        x0 = -w + 0.12 + i * (1.35 / n)
        k.poly(
            (x0, top + 0.12), (x0 + 0.3, top + 0.12), (x0 + 0.3, -0.05), (x0, -0.05), closed=True
        )
    k.poly((w - 0.35, 0.35), (w - 0.35, top + 0.12), (w - 0.1, top + 0.12), (w - 0.1, 0.35))
    for x in (-0.55, 0.5):
        k.ellipse(x, 0.45, k.v(0.17), fill=palette("black grey"), rank=2)


@recipe("train")
def _train(k: Kit) -> None:
    k.poly(
        (-0.9, -0.15),
        (0.35, -0.15),
        (0.35, 0.4),
        (-0.9, 0.4),
        closed=True,
        fill=palette("red blue green", "purple pink yellow"),
    )
    k.poly(
        (0.35, -0.6),
        (0.9, -0.6),
        (0.9, 0.4),
        (0.35, 0.4),
        closed=True,
        fill=palette("blue red yellow"),
        rank=2,
    )
    k.poly((0.48, -0.5), (0.76, -0.5), (0.76, -0.25), (0.48, -0.25), closed=True)
    k.poly((-0.65, -0.15), (-0.65, -0.5), (-0.45, -0.5), (-0.45, -0.15))
    for i in range(k.rng.choice((2, 3))):
        k.ellipse(-0.55 + i * 0.25 + k.u(-0.05, 0.05), -0.7 - i * 0.15, k.v(0.1 + 0.04 * i))
    for x in (-0.65, -0.15, 0.6):
        k.ellipse(k.v(x, 0.05), 0.48, k.v(0.15))


@recipe("airplane")
def _airplane(k: Kit) -> None:
    k.ellipse(
        0, 0, k.v(0.92, 0.04), k.v(0.2, 0.1), fill=palette("sky_blue grey red", "pink yellow")
    )
    wings = palette("grey blue red")
    k.poly(
        (-0.15, -0.16), (0.15, -0.75), (0.35, -0.75), (0.2, -0.18), closed=True, fill=wings, rank=2
    )
    k.poly((-0.15, 0.16), (0.15, 0.75), (0.35, 0.75), (0.2, 0.18), closed=True, fill=wings, rank=2)
    k.poly((0.7, -0.12), (0.85, -0.5), (0.98, -0.5), (0.92, -0.05))
    for i in range(4):
        k.dot(-0.6 + i * 0.2, -0.02)


@recipe("boat")
def _boat(k: Kit) -> None:
    k.poly(
        (-0.9, 0.2),
        (0.9, 0.2),
        (0.6, 0.6),
        (-0.6, 0.6),
        closed=True,
        fill=palette("brown red blue", "pink purple green"),
    )
    mast = k.v(0.05, 1)
    k.line((mast, 0.2), (mast, -0.9))
    k.poly(
        (mast + 0.05, -0.85),
        (mast + 0.05, 0.1),
        (mast + k.v(0.65, 0.1), 0.1),
        closed=True,
        fill=palette("yellow red orange", "pink sky_blue"),
        rank=2,
    )
    k.poly(
        (-0.95, 0.8),
        (-0.65, 0.7),
        (-0.35, 0.82),
        (-0.05, 0.7),
        (0.25, 0.82),
        (0.55, 0.7),
        (0.9, 0.8),
    )


@recipe("handbag")
def _handbag(k: Kit) -> None:
    k.poly(
        (-0.8, -0.2),
        (0.8, -0.2),
        (0.7, 0.7),
        (-0.7, 0.7),
        closed=True,
        fill=palette("red pink purple brown", "green sky_blue yellow"),
    )
    k.arc(0, -0.2, k.v(0.42, 0.1), k.v(0.5, 0.1), math.pi, 2 * math.pi)
    k.poly((-0.08, -0.05), (0.08, -0.05), (0.08, 0.1), (-0.08, 0.1), closed=True)


@recipe("shoe")
def _shoe(k: Kit) -> None:
    upper = [
        (-0.85, 0.35),
        (-0.85, -0.45),
        (-0.45, -0.45),
        (-0.35, -0.15),
        (0.25, -0.05),
        (0.75, 0.05),
        (0.9, 0.35),
    ]
    k.add(upper, closed=True, fill=palette("blue red pink", "green purple orange yellow"))
    k.poly(
        (-0.9, 0.35),
        (0.95, 0.35),
        (0.9, 0.5),
        (-0.9, 0.5),
        closed=True,
        fill=palette("grey black"),
        rank=2,
    )
    for i in range(3):
        x = -0.3 + i * 0.18
        k.line((x, -0.2 + i * 0.03), (x + 0.1, 0.05 + i * 0.03))


@recipe("shirt")
def _shirt(k: Kit) -> None:
    points = [
        (-0.25, -0.75),
        (-0.9, -0.4),
        (-0.7, -0.05),
        (-0.5, -0.2),
        (-0.5, 0.85),
        (0.5, 0.85),
        (0.5, -0.2),
        (0.7, -0.05),
        (0.9, -0.4),
        (0.25, -0.75),
        (0, -0.6),
    ]
    k.add(points, closed=True, fill=palette("red blue green yellow", "pink purple orange"))
    if k.chance(0.6):
        k.ellipse(0, 0.2, 0.15, fill=palette("yellow", "red"), rank=2)


@recipe("hat")
def _hat(k: Kit) -> None:
    k.ellipse(0, 0.35, k.v(0.95, 0.04), k.v(0.22, 0.15))
    crown = [(-0.5, 0.3), (-0.45, -0.35)]
    crown += [
        (0.45 * math.cos(t), -0.35 + 0.3 * math.sin(t)) for t in _steps(math.pi, 2 * math.pi, 10)
    ]
    crown += [(0.45, -0.35), (0.5, 0.3)]
    k.add(crown, closed=True, fill=palette("purple pink red yellow", "green sky_blue"))
    k.poly((-0.48, 0.1), (0.48, 0.1))


@recipe("planet")
def _planet(k: Kit) -> None:
    r = k.v(0.55, 0.06)
    k.ellipse(0, 0, r, fill=palette("orange purple sky_blue", "pink green red"))
    k.ellipse(0, 0, k.v(0.98, 0.04), k.v(0.26, 0.15), rot=k.u(-0.35, -0.1))  # the ring
    for _ in range(k.rng.choice((2, 3))):
        x, y = k.rng.choice((-0.8, 0.8)), k.rng.choice((-0.8, 0.75))
        k.line((x - 0.08, y), (x + 0.08, y))
        k.line((x, y - 0.08), (x, y + 0.08))


@recipe("sun")
def _sun(k: Kit) -> None:
    r = k.v(0.48, 0.08)
    k.ellipse(0, 0, r, fill=palette("yellow orange", "brown red pink"))
    n = k.rng.choice((7, 8, 9, 10, 12))
    start = k.u(0, 1)
    for i in range(n):
        a = start + 2 * math.pi * i / n + k.u(-0.12, 0.12)
        inner, outer = r + k.u(0.06, 0.14), r + k.u(0.3, 0.48)
        k.line(
            (inner * math.cos(a), inner * math.sin(a)), (outer * math.cos(a), outer * math.sin(a))
        )
    if k.chance(0.5):
        k.dot(-0.15, -0.1)
        k.dot(0.15, -0.1)
        k.arc(0, 0.05, 0.2, 0.15, 0.4, 2.7)


@recipe("moon")
def _moon(k: Kit) -> None:
    outer = [
        (0.75 * math.cos(t), 0.75 * math.sin(t))
        for t in _steps(0.7 * math.pi / 2, 2 * math.pi - 0.7 * math.pi / 2, 26)
    ]
    inner = [
        (0.3 + 0.55 * math.cos(t), -0.05 + 0.58 * math.sin(t))
        for t in _steps(1.35 * math.pi, 0.62 * math.pi, 20)
    ]
    k.add(outer + inner, closed=True, fill=palette("yellow grey", "orange sky_blue purple"))
    if k.chance(0.5):
        k.dot(-0.35, -0.1)


@recipe("star")
def _star(k: Kit) -> None:
    outer, inner = k.v(0.92, 0.05), k.v(0.4, 0.12)
    spin = k.u(-0.15, 0.15)
    points = []
    for i in range(10):
        a = -math.pi / 2 + spin + math.pi * i / 5
        radius = (outer if i % 2 == 0 else inner) * k.v(1, 0.06)
        points.append((radius * math.cos(a), 0.08 + radius * math.sin(a)))
    k.add(points, closed=True, fill=palette("yellow orange", "pink red sky_blue"))


@recipe("rocket")
def _rocket(k: Kit) -> None:
    w = k.v(0.3, 0.08)
    body = [(-w, 0.45), (-w, -0.3), (0, k.v(-0.92, 0.04)), (w, -0.3), (w, 0.45)]
    k.add(body, closed=True, fill=palette("grey red sky_blue", "pink purple yellow"))
    k.ellipse(0, -0.2, k.v(0.13))
    fins = palette("red blue", "green orange")
    k.poly((-w, 0.1), (-w - 0.3, 0.55), (-w, 0.45), closed=True, fill=fins, rank=2)
    k.poly((w, 0.1), (w + 0.3, 0.55), (w, 0.45), closed=True, fill=fins, rank=2)
    k.poly((-w * 0.7, 0.45), (-0.1, 0.85), (0, 0.6), (0.1, 0.88), (w * 0.7, 0.45))


@recipe("cloud")
def _cloud(k: Kit) -> None:
    for i in range(k.rng.choice((2, 3))):  # the rainbow behind the cloud
        r = 0.92 - i * 0.17
        k.arc(0, 0.5, r, r * 1.1, math.pi * 1.02, math.pi * 1.98)
    bumps, cy, w = k.rng.choice((3, 4)), k.v(0.75, 0.04), k.v(0.8, 0.06)
    points: list[Point] = []
    for i in range(bumps):  # a row of round puffs on a flat bottom, as children draw clouds
        r = w / bumps * k.v(1.0, 0.1)
        cx = -w + 2 * w * (i + 0.5) / bumps
        points += [
            (cx + r * math.cos(t), cy + r * 1.6 * math.sin(t))
            for t in _steps(math.pi, 2 * math.pi, 10)
        ]
    k.add(points, closed=True, fill=palette("sky_blue grey", "pink purple yellow"))


@recipe("tree")
def _tree(k: Kit) -> None:
    tw = k.v(0.15, 0.2)
    k.poly(
        (-tw, -0.1),
        (-tw * 1.1, 0.9),
        (tw * 1.1, 0.9),
        (tw, -0.1),
        fill=palette("brown"),
        rank=2,
        closed=True,
    )
    r = k.v(0.62, 0.08)
    bumps = k.rng.choice((0, 6, 7, 8))
    if bumps:
        points = []
        for i in range(bumps * 6):
            t = 2 * math.pi * i / (bumps * 6)
            bump = 0.1 * abs(math.sin(bumps * t / 2))
            points.append(((r + bump) * math.cos(t), -0.38 + (r * 0.85 + bump) * math.sin(t)))
        k.add(points, closed=True, fill=palette("green light_green", "pink yellow orange"))
    else:
        k.ellipse(0, -0.38, r, r * 0.85, fill=palette("green light_green", "pink yellow orange"))
    if k.chance(0.5):
        for x, y in ((-0.25, -0.45), (0.2, -0.25), (0.05, -0.65)):
            k.ellipse(x, y, 0.07)  # apples


@recipe("flower")
def _flower(k: Kit) -> None:
    k.poly((0, 0.05), (k.u(-0.08, 0.08), 0.5), (0, 0.95))
    k.ellipse(-0.22, 0.6, 0.2, 0.08, rot=-0.5)
    if k.chance(0.5):  # a tulip
        cup = [(-0.4, -0.7), (-0.2, -0.45), (0, -0.75), (0.2, -0.45), (0.4, -0.7), (0.42, -0.3)]
        cup += [(0.42 * math.cos(t), -0.3 + 0.38 * math.sin(t)) for t in _steps(0, math.pi, 10)]
        k.add(cup, closed=True, fill=palette("red pink purple yellow", "sky_blue orange"))
    else:  # a daisy: a big middle and petals round it
        k.ellipse(0, -0.45, k.v(0.22), fill=palette("yellow orange", "brown red"))
        n = k.rng.choice((5, 6, 7))
        for i in range(n):
            a = 2 * math.pi * i / n + k.u(-0.1, 0.1)
            k.ellipse(0.43 * math.cos(a), -0.45 + 0.43 * math.sin(a), 0.2, 0.13, rot=a)


@recipe("house")
def _house(k: Kit) -> None:
    w, top = k.v(0.7, 0.06), k.v(-0.1, 0.3)
    k.poly(
        (-w, top),
        (w, top),
        (w, 0.9),
        (-w, 0.9),
        closed=True,
        fill=palette("yellow red blue orange", "pink purple green"),
    )
    k.poly(
        (-w - 0.12, top),
        (k.u(-0.1, 0.1), k.v(-0.85, 0.06)),
        (w + 0.12, top),
        closed=True,
        fill=palette("red brown", "blue purple"),
        rank=2,
    )
    dx = k.v(0.25, 0.3)
    k.poly((dx - 0.15, 0.9), (dx - 0.15, 0.45), (dx + 0.15, 0.45), (dx + 0.15, 0.9))
    wx = -w + 0.2
    k.poly(
        (wx, top + 0.2),
        (wx + 0.35, top + 0.2),
        (wx + 0.35, top + 0.5),
        (wx, top + 0.5),
        closed=True,
    )
    k.line((wx + 0.175, top + 0.2), (wx + 0.175, top + 0.5))
    k.line((wx, top + 0.35), (wx + 0.35, top + 0.35))


@recipe("gemstone")
def _gemstone(k: Kit) -> None:
    w, top, girdle = k.v(0.8, 0.06), k.v(-0.55, 0.08), k.v(-0.15, 0.3)
    outline = [(-w * 0.55, top), (w * 0.55, top), (w, girdle), (0, k.v(0.85, 0.05)), (-w, girdle)]
    k.add(outline, closed=True, fill=palette("sky_blue purple pink red green", "yellow orange"))
    k.line((-w, girdle), (w, girdle))
    k.poly((-w * 0.55, top), (-w * 0.3, girdle), (0, top), (w * 0.3, girdle), (w * 0.55, top))
    k.line((-w * 0.3, girdle), (0, 0.85))
    k.line((w * 0.3, girdle), (0, 0.85))


@recipe("game_character")
def _game_character(k: Kit) -> None:
    w = k.v(0.6, 0.08)
    body = [
        (-w, -0.45),
        (w, -0.45),
        (w, 0.35),
        (w * 0.7, 0.6),
        (w * 0.35, 0.35),
        (0, 0.6),
        (-w * 0.35, 0.35),
        (-w * 0.7, 0.6),
        (-w, 0.35),
    ]
    k.add(body, closed=True, fill=palette("purple green light_green", "pink orange sky_blue"))
    for side in (-1, 1):
        k.poly((side * 0.25, -0.45), (side * 0.4, -0.8))
        k.dot(side * 0.42, -0.83)
        k.poly(
            (side * 0.32, -0.25),
            (side * 0.12, -0.25),
            (side * 0.12, -0.02),
            (side * 0.32, -0.02),
            closed=True,
        )
        k.poly((side * w, 0.0), (side * (w + 0.3), -0.25))
    k.poly((-0.2, 0.15), (0.2, 0.15))


@recipe("ball")
def _ball(k: Kit) -> None:
    r = k.v(0.75, 0.06)
    k.ellipse(0, 0, r, k.v(r, 0.05), fill=palette("red blue orange", "pink purple green"))
    k.arc(-r * 1.3, 0, r * 0.9, r * 0.9, -0.75, 0.75)
    k.arc(r * 1.3, 0, r * 0.9, r * 0.9, math.pi - 0.75, math.pi + 0.75)


@recipe("cartoon_face")
def _cartoon_face(k: Kit) -> None:
    k.ellipse(
        0,
        0.1,
        k.v(0.58, 0.06),
        k.v(0.7, 0.06),
        fill=palette("orange yellow pink brown", "green sky_blue"),
    )
    for side in (-1, 1):
        k.ellipse(side * 0.62, 0.1, 0.1, 0.15)
        k.ellipse(side * 0.22, -0.05, k.v(0.11), k.v(0.13))
        k.dot(side * 0.22, -0.02)
        k.line((side * 0.1, -0.25), (side * 0.33, -0.28))
    hair = []
    for t in _steps(math.pi * 1.1, math.pi * 1.9, 30):
        curl = 1 + 0.07 * abs(math.sin(7 * t))
        hair.append((0.64 * curl * math.cos(t), 0.1 + 0.78 * curl * math.sin(t)))
    k.add(hair)
    k.poly(*[(-0.5 + i / 6, -0.38 + (0.08 if i % 2 else 0.0)) for i in range(7)])
    k.line((0, 0.05), (-0.03, 0.2))
    k.arc(0, 0.33, 0.22, 0.14, 0.3, 2.8)


@recipe("smiley")
def _smiley(k: Kit) -> None:
    r = k.v(0.8, 0.05)
    k.ellipse(0, 0, r, k.v(r, 0.06), fill=palette("yellow orange", "green pink red sky_blue"))
    for side in (-1, 1):
        if k.chance(0.5):
            k.line((side * 0.28, -0.35), (side * 0.28, -0.12))
        else:
            k.ellipse(side * 0.28, -0.25, 0.07, 0.1)
    k.arc(0, 0.1, k.v(0.45, 0.1), k.v(0.35, 0.15), 0.3, math.pi - 0.3)


def _steps(start: float, end: float, n: int) -> list[float]:
    return [start + (end - start) * i / n for i in range(n + 1)]


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


def polygon_area(polygon: list[Point]) -> float:
    """The area of a polygon in canvas fractions (the shoelace formula)."""
    total = 0.0
    for (x0, y0), (x1, y1) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        total += x0 * y1 - x1 * y0
    return abs(total) / 2


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
    rng: random.Random, polygon: list[Point], crayon: str, others: list[list[Point]]
) -> Fill | None:
    """Colouring in: back-and-forth strokes across the shape, kept off its lines.

    Rows run at a child's slant, a little apart (white shows through) and stop short of the
    lines by varying amounts; the crayon is lifted every several rows, where a row would
    leave the shape and round what is drawn inside it (eyes, windows).
    """
    import numpy as np

    area = polygon_area(polygon)
    brush = "large" if area > 0.03 else "medium"
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


# --- the throw-away site ------------------------------------------------------------------------


@dataclass
class Site:
    url: str
    email: str
    password: str
    pin: str
    home: Path
    log: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return done.stdout


def _write_generator(directory: Path, things: list[str]) -> None:
    """A small random generator offering every thing drawn, so the page lists each as a card.

    Its pictures are never looked at (no worker runs); it only makes the categories real.
    """
    from inference.testing import write_random_generator

    by_slug = {t.slug: t for t in THINGS}
    write_random_generator(
        directory,
        name="devset-canvas",
        categories=[
            (s, by_slug[s].label_en, by_slug[s].label_ko, by_slug[s].emoji) for s in things
        ],
        ngf=4,
        num_downs=5,
    )


@contextlib.contextmanager
def throwaway_site(things: list[str]) -> Iterator[Site]:
    """Migrate, seed and serve a private copy of the site; everything is deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="icanvas-devset-") as tmp:
        home = Path(tmp)
        generators = home / "generators"
        _write_generator(generators, things)
        env = {
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
            "DJANGO_SETTINGS_MODULE": "icanvas_site.settings",
            "DATABASE_URL": f"sqlite:///{home / 'db.sqlite3'}",
            "MEDIA_ROOT": str(home / "media"),
            "GENERATORS_DIR": str(generators),
            "INFERENCE_EMBEDDED_WORKER": "0",
            # DEBUG lets WhiteNoise serve static/ as it is now, without collectstatic.
            "DEBUG": "1",
            "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "LOG_LEVEL": "WARNING",
        }
        _manage(env, "migrate", "--noinput", "-v", "0")
        seeded = _manage(env, "seed_demo")
        email = _seeded(seeded, r"email:\s+(\S+)", "demo@icanvas.local")
        password = _seeded(seeded, r"password:\s+(\S+)", "draw-together")
        pin = _seeded(seeded, r":\s+PIN\s+(\d{4})", "1234")
        port = _free_port()
        log = home / "server.log"
        with log.open("wb") as handle:
            server = subprocess.Popen(  # noqa: S603 - our own interpreter and uvicorn
                [sys.executable, "-m", "uvicorn", "icanvas_site.asgi:application",
                 "--host", "127.0.0.1", "--port", str(port), "--lifespan", "on",
                 "--ws", "websockets-sansio"],
                cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
            )  # fmt: skip
        site = Site(f"http://127.0.0.1:{port}", email, password, pin, home, log, server)
        try:
            _wait_for(site)
            yield site
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


def _seeded(output: str, pattern: str, default: str) -> str:
    found = re.search(pattern, output)
    return found.group(1) if found else default


def _wait_for(site: Site, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    host, port = "127.0.0.1", int(site.url.rsplit(":", 1)[1])
    while time.monotonic() < deadline:
        if site.process is not None and site.process.poll() is not None:
            raise RuntimeError(f"the site exited early:\n{site.log.read_text()[-3000:]}")
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
            return
        time.sleep(0.3)
    raise RuntimeError(f"the site did not start:\n{site.log.read_text()[-3000:]}")


# --- the browser: a child at the canvas ---------------------------------------------------------


def sketch_from_multipart(body: bytes, content_type: str, field_name: str = "sketch") -> bytes:
    """The bytes of one file field of a multipart/form-data body, exactly as sent."""
    found = re.search(r'boundary="?([^";]+)"?', content_type)
    if not found:
        raise ValueError(f"not a multipart body: {content_type!r}")
    delimiter = b"--" + found.group(1).encode()
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, content = chunk.partition(b"\r\n\r\n")
        if re.search(rb'name="' + field_name.encode() + rb'"', head):
            return content[:-2] if content.endswith(b"\r\n") else content
    raise ValueError(f"no {field_name!r} field in the multipart body")


class Child:
    """Drives the canvas page as a child does: crayon, brush, strokes, thing, submit, clear."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.captured: list[bytes] = []
        page.route(f"**{DRAWINGS_API}", self._intercept)

    def _intercept(self, route: Any) -> None:
        request = route.request
        if request.method != "POST":
            route.continue_()
            return
        body = request.post_data_buffer or b""
        self.captured.append(sketch_from_multipart(body, request.headers.get("content-type", "")))
        route.continue_()  # the throw-away server takes it, so the page carries on as usual

    def sign_in_and_play(self, site: Site) -> None:
        page = self.page
        page.goto(site.url + "/login/")
        page.fill("input[name=username]", site.email)
        page.fill("input[name=password]", site.password)
        page.click("main button[type=submit]")
        page.wait_for_url("**/family/")
        page.goto(site.url + "/play/")
        page.locator("a.avatar").first.click()
        page.wait_for_url("**/play/*/")
        page.fill("input[name=pin]", site.pin)
        page.wait_for_url("**/draw/")
        page.locator("canvas#sketch").wait_for()

    def pick(self, name: str, value: str) -> None:
        """Tap a crayon, a brush or a thing: its label when shown, else the radio itself."""
        label = self.page.locator(f'label:has(> input[name="{name}"][value="{value}"])').first
        if label.count() and label.is_visible():
            label.click()
        else:
            self.page.evaluate(
                """([name, value]) => {
                  const input = document.querySelector(`input[name="${name}"][value="${value}"]`);
                  if (!input) throw new Error(`no ${name} ${value} on the page`);
                  input.checked = true;
                  input.dispatchEvent(new Event("change", { bubbles: true }));
                }""",
                [name, value],
            )

    def draw(self, strokes: list[Stroke], crayon: str, brush: str) -> None:
        self.pick("color", crayon)
        self.pick("brush", brush)
        box = self.page.locator("canvas#sketch").bounding_box()
        if box is None:
            raise RuntimeError("the canvas is not on the page")
        mouse = self.page.mouse
        for stroke in strokes:
            xs = [box["x"] + x * box["width"] for x, _ in stroke.points]
            ys = [box["y"] + y * box["height"] for _, y in stroke.points]
            mouse.move(xs[0], ys[0])
            mouse.down()
            for x, y in zip(xs[1:], ys[1:], strict=True):
                mouse.move(x, y)
            mouse.up()

    def submit(self, thing: str, theme: str) -> bytes:
        """Pick the thing, press "Make my picture!" and return the PNG the page sent."""
        page = self.page
        # Two taps: the theme's card, then the thing's (a flat list has no theme cards).
        if page.locator(f'input[name="theme"][value="{theme}"]').count():
            self.pick("theme", theme)
        if page.locator(f'input[name="category"][value="{thing}"]').count():
            self.pick("category", thing)
        else:
            first = page.locator('input[name="category"]').first.get_attribute("value")
            self.pick("category", first or "")
        submit = page.locator("[data-submit]")
        if submit.is_disabled():
            hint = page.locator("[data-hint]").inner_text()
            raise RuntimeError(f"the page will not send the drawing of {thing}: {hint!r}")
        before = len(self.captured)
        with page.expect_response(
            lambda r: DRAWINGS_API in r.url and r.request.method == "POST", timeout=60_000
        ):
            submit.click()
        if len(self.captured) != before + 1:
            raise RuntimeError("the sketch was not intercepted")
        return self.captured[-1]

    def reload(self) -> None:
        """A fresh page with empty paper: the draft forgotten, the page's script running."""
        page = self.page
        page.evaluate(
            """() => {
              const key = document.getElementById("canvas-app")?.dataset.draftKey;
              if (key) localStorage.removeItem(key);
            }"""
        )
        page.reload(wait_until="load")
        page.locator("canvas#sketch").wait_for()
        page.wait_for_function("() => document.querySelector('[data-submit]')?.disabled")
        page.evaluate("() => window.scrollTo(0, 0)")

    def clear(self) -> None:
        """Wipe the paper (Clear, then "Yes, wipe it") and the child's draft on this device."""
        page = self.page
        page.locator("[data-clear]").click()
        page.locator('#clear-dialog button[value="yes"]').click()
        page.wait_for_function("() => document.querySelector('[data-submit]').disabled")
        page.evaluate(
            """() => {
              const key = document.getElementById("canvas-app").dataset.draftKey;
              if (key) localStorage.removeItem(key);
            }"""
        )
        page.evaluate("() => window.scrollTo(0, 0)")


# --- the dev set ----------------------------------------------------------------------------------


DEFAULT_THINGS = [t.slug for t in THINGS if t.slug in RECIPES]


def variant_plan(base: BaseDrawing, variant: str) -> list[tuple[list[Stroke], str, str]]:
    """What to draw for one variant: (strokes, crayon, brush) in the order a child draws them."""
    if variant == "black":
        return [(base.lines, BLACK, LINE_BRUSH)]
    if variant == "crayon":
        return [(base.lines, base.twin_crayon, LINE_BRUSH)]
    return [(base.lines, BLACK, LINE_BRUSH)] + [(f.strokes, f.crayon, f.brush) for f in base.fills]


def build(
    out: Path, *, things: list[str], seeds: int, log: Callable[[str], None] = print
) -> dict[str, Any]:
    """Draw every thing × seed × variant on a throw-away site; write the PNGs and devset.json."""
    from playwright.sync_api import sync_playwright

    unknown = sorted(set(things) - set(RECIPES))
    if unknown:
        raise SystemExit(f"no recipe for: {', '.join(unknown)} (known: {', '.join(RECIPES)})")
    out.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob("[0-9]*-*-*.png"), out / "devset.json"]:
        old.unlink(missing_ok=True)
    themes = {t.slug: t.theme for t in THINGS}
    entries: list[dict[str, Any]] = []
    started = time.monotonic()
    with throwaway_site(things) as site, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1024, "height": 1100})
        page = context.new_page()
        page.set_default_timeout(60_000)
        child = Child(page)
        child.sign_in_and_play(site)
        index = 0
        for seed in range(seeds):
            for thing in things:
                base = make_base(thing, seed)
                base_id = f"{index:03d}-{thing}"
                for variant in VARIANTS:
                    name = f"{base_id}-{variant}.png"
                    (out / name).write_bytes(_draw_variant(child, base, variant, themes[thing]))
                    entries.append(_entry(name, base, base_id, variant, themes[thing]))
                _write_manifest(out, things, seeds, entries, complete=False)
                log(f"{base_id} ({time.monotonic() - started:.0f} s)")
                index += 1
                if index % 12 == 0:  # a fresh page now and then keeps the cards column short
                    child.reload()
        browser.close()
    return _write_manifest(out, things, seeds, entries, complete=True)


def _draw_variant(child: Child, base: BaseDrawing, variant: str, theme: str) -> bytes:
    """Draw one variant and send it; after a hiccup (a page mid-edit) reload and draw it again."""
    for attempt in range(2):
        try:
            for strokes, crayon, brush in variant_plan(base, variant):
                child.draw(strokes, crayon, brush)
            png = child.submit(base.thing, theme)
            child.clear()
            return png
        except Exception:
            if attempt:
                raise
            child.reload()
    raise AssertionError("unreachable")


def _write_manifest(
    out: Path, things: list[str], seeds: int, entries: list[dict[str, Any]], *, complete: bool
) -> dict[str, Any]:
    """``devset.json``, rewritten after every base drawing so an interrupted run keeps its work."""
    manifest = {
        "name": "canvas child-like dev set",
        "made_by": (
            "scripts/canvas_devset.py: scripted mouse strokes (child-like recipes with per-seed "
            "wobble, tremor, gaps and overshoots) drawn on the real canvas page of a throw-away "
            "iCanvas site in headless Chromium via Playwright; each PNG is the sketch file the "
            "page POSTed to /api/v1/drawings/, intercepted and saved byte for byte. Never traced "
            "from any dataset picture or training edge."
        ),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": shlex.join([Path(sys.executable).name, *sys.argv]),
        "complete": complete,
        "export_side": EXPORT_SIDE,
        "line_brush": LINE_BRUSH,
        "brush_widths_px": {k: round(v * EXPORT_SIDE) for k, v in BRUSH_WIDTHS.items()},
        "variants": {
            "black": "the lines in the black crayon",
            "crayon": "the same strokes in another crayon (line_crayon)",
            "coloured": "the black lines plus a crayon scribble inside the biggest closed shape",
        },
        "things": things,
        "seeds": seeds,
        "drawings": entries,
    }
    (out / "devset.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def _entry(name: str, base: BaseDrawing, base_id: str, variant: str, theme: str) -> dict[str, Any]:
    rounded = lambda poly: [[round(x, 4), round(y, 4)] for x, y in poly]  # noqa: E731
    return {
        "file": name,
        "thing": base.thing,
        "theme": theme,
        "variant": variant,
        "base": base_id,
        "seed": base.seed,
        "line_crayon": base.twin_crayon if variant == "crayon" else BLACK,
        "brush": LINE_BRUSH,
        "fills": [
            {
                "crayon": f.crayon,
                "polygon": rounded(f.polygon),
                "area_fraction": round(f.area_fraction, 4),
                "brush": f.brush,
            }
            for f in base.fills
        ]
        if variant == "coloured"
        else [],
    }


def contact_sheet(out: Path, manifest: dict[str, Any], tile: int = 128) -> Path:
    """``sheet.png``: one row per base drawing (black | crayon | coloured), two bases a row."""
    from PIL import Image, ImageDraw

    bases: dict[str, list[dict[str, Any]]] = {}
    for entry in manifest["drawings"]:
        bases.setdefault(entry["base"], []).append(entry)
    per_row, label_h, gap = 2, 14, 6
    cell_w = 3 * tile + gap
    rows = math.ceil(len(bases) / per_row)
    sheet = Image.new("RGB", (per_row * cell_w, rows * (tile + label_h + gap)), "#d8d8d8")
    pen = ImageDraw.Draw(sheet)
    for i, (base_id, entries) in enumerate(bases.items()):
        x0 = (i % per_row) * cell_w
        y0 = (i // per_row) * (tile + label_h + gap)
        pen.text((x0 + 2, y0 + 1), base_id, fill="black")
        for j, entry in enumerate(sorted(entries, key=lambda e: VARIANTS.index(e["variant"]))):
            picture = Image.open(out / entry["file"]).convert("RGB").resize((tile, tile))
            sheet.paste(picture, (x0 + j * tile, y0 + label_h))
    path = out / "sheet.png"
    sheet.save(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--out", type=Path, required=True, help="folder for the PNGs and devset.json"
    )
    parser.add_argument("--seeds", type=int, default=2, help="drawings per thing (default 2)")
    parser.add_argument(
        "--things", default=",".join(DEFAULT_THINGS), help="comma-separated slugs (default: all)"
    )
    parser.add_argument("--no-sheet", action="store_true", help="skip the contact sheet")
    args = parser.parse_args(argv)
    things = [t.strip() for t in args.things.split(",") if t.strip()]
    manifest = build(args.out, things=things, seeds=args.seeds)
    if not args.no_sheet:
        print(f"contact sheet: {contact_sheet(args.out, manifest)}")
    print(f"{len(manifest['drawings'])} drawings in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
