"""Recipes for food and vehicles: fruit, cake and ice cream; car, bus, train, plane, boat."""

from __future__ import annotations

import math

from .model import Kit, _steps, palette, recipe


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
