"""Recipes for fashion, space and plants: bag, shoe, shirt, hat; sky things; tree, flower."""

from __future__ import annotations

import math

from .model import Kit, Point, _steps, palette, recipe


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
