"""Recipes for home, play and faces: house, gemstone, game character, ball, faces."""

from __future__ import annotations

import math

from .model import Kit, _steps, palette, recipe


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
