"""Recipes for the animals: panda, cat, dog, rabbit, bear, fish, bird, butterfly."""

from __future__ import annotations

from .model import Kit, palette, recipe


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
