"""Drawn animals: butterfly, rabbit, bear, dog, fish."""

from __future__ import annotations

import math

from inference.lab.datasets.drawn_parts import (
    PINKS,
    SIDE,
    WHITE,
    Pen,
    circle,
    ellipse,
    leaf,
    path,
    pd,
    polygon,
    rect,
    shade,
)

C = SIDE / 2
WINGS = (
    ("#ff8c1a", "#ffd43b"),
    ("#3fa9f5", "#a5f3fc"),
    ("#ff5fa2", "#ffd23f"),
    ("#9b5de5", "#ffd23f"),
    ("#ffd23f", "#ff7b2e"),
    ("#2ecc71", "#fff275"),
    ("#ff4d4d", "#ffe3e3"),
    ("#4dabf7", "#ff8fab"),
)
RABBITS = ("#fbf8f4", "#f4f1ec", "#d9d9de", "#bfc0c8", "#a9a9b3", "#b07a4f", "#c89566", "#e6d3bd")
BEARS = ("#8b5a2b", "#a0522d", "#9c6b3f", "#7a4a26", "#b5793f", "#c68e4e")
DOGS = ("#a0522d", "#8b5a2b", "#e0a84f", "#d4a24c", "#c68e4e", "#fbf8f3", "#f6efe4", "#e9c48f")
FISH = (
    ("#ff8c1a", WHITE),
    ("#ff7b00", "#ffd8a8"),
    ("#3a86ff", "#ffd43b"),
    ("#4cc9f0", WHITE),
    ("#ffd43b", "#3a86ff"),
    ("#ffd43b", "#ff8c1a"),
    ("#f15bb5", "#ffd43b"),
    ("#2ec4b6", "#ffd43b"),
)
BOWS = ("#e63946", "#3a86ff", "#ff70a6", "#40c057", "#ffd43b")


def butterfly(pen: Pen) -> str:
    rng = pen.rng
    wing, accent = rng.choice(WINGS)
    spread, lower = rng.uniform(0.85, 1.15), rng.uniform(0.6, 0.9)
    pattern = rng.choice(("dots", "band", "eyes"))
    for side in (-1, 1):
        wings = (
            (C + side * 105 * spread, C - 70, 110 * spread, 90, side * -25),
            (C + side * 80 * spread, C + 85, 85 * lower, 75 * lower, side * 30),
        )
        for x, y, rx, ry, turn in wings:
            pen.add(ellipse(x, y, rx, ry, turn), wing)
            if pattern == "band":
                pen.add(ellipse(x + side * 8, y, rx * 0.6, ry * 0.55, turn), accent, 0.5)
            elif pattern == "eyes":
                pen.add(circle(x + side * rx * 0.2, y, ry * 0.4), accent, 0.6)
                pen.add(circle(x + side * rx * 0.2, y, ry * 0.18), pen.ink, False)
            else:
                for k in range(3):
                    a = math.radians(turn + (k - 1) * 35 + (0 if side > 0 else 180))
                    dot = circle(
                        x + rx * 0.62 * math.cos(a), y + ry * 0.62 * math.sin(a), ry * 0.14
                    )
                    pen.add(dot, accent, 0.5)
    body = rng.choice(("#3b2a20", "#2b2b33", "#5c3d1e", "#343a40"))
    pen.add(ellipse(C, C + 20, 20, 110), body)
    pen.add(circle(C, C - 100, 30), body)
    for side in (-1, 1):
        tip = (C + side * 65, C - 200)
        pen.line(
            pd("M", (C + side * 10, C - 125), "Q", (C + side * 15, C - 190), tip),
            width=max(4.0, pen.width * 0.7),
        )
        pen.add(circle(*tip, 11), body, 0.6)
    if rng.random() < 0.3:
        pen.face(C, C - 102, 45, cheeks=False)
    return pen.svg(tilt=rng.uniform(-20, 20))


def _whiskers(pen: Pen, cx: float, y: float, r: float) -> None:
    for side in (-1, 1):
        for k in (-1, 0, 1):
            d = pd(
                "M",
                (cx + side * r * 0.3, y + k * r * 0.06),
                "L",
                (cx + side * r * 0.85, y + k * r * 0.16),
            )
            pen.line(d, width=max(2.0, pen.width * 0.4))


def _snout(pen: Pen, cx: float, cy: float, r: float, nose: str) -> None:
    """Eyes, a nose and a smiling mouth on a head of radius ``r`` centred at (cx, cy)."""
    for side in (-1, 1):
        pen.eye(cx + side * r * 0.38, cy - r * 0.08, r * 0.11)
    ny = cy + r * 0.28
    pen.add(ellipse(cx, ny, r * 0.13, r * 0.09), nose, 0.6)
    mouth = pd(
        "M",
        (cx - r * 0.18, ny + r * 0.18),
        "Q",
        (cx - r * 0.08, ny + r * 0.3),
        (cx, ny + r * 0.1),
        "Q",
        (cx + r * 0.08, ny + r * 0.3),
        (cx + r * 0.18, ny + r * 0.18),
    )
    pen.line(pd("M", (cx, ny + r * 0.08), "L", (cx, ny + r * 0.15)), width=max(3.0, r * 0.035))
    pen.line(mouth, width=max(3.0, r * 0.035))
    if pen.rng.random() < 0.5:
        pink = pen.rng.choice(PINKS)
        for side in (-1, 1):
            pen.add(ellipse(cx + side * r * 0.62, ny, r * 0.12, r * 0.08), pink, False)


def _sitting_body(pen: Pen, cx: float, top: float, r: float, *, fur: str, belly: str) -> None:
    """A round body sitting below a head: feet, arms, a lighter tummy."""
    by = top + r * 0.85
    for side in (-1, 1):
        pen.add(ellipse(cx + side * r * 0.5, by + r * 0.72, r * 0.38, r * 0.24), fur)
    pen.add(ellipse(cx, by, r * 0.85, r * 0.9), fur)
    pen.add(ellipse(cx, by + r * 0.15, r * 0.52, r * 0.6), belly, 0.6)
    for side in (-1, 1):
        pen.add(ellipse(cx + side * r * 0.72, by - r * 0.05, r * 0.2, r * 0.42, side * -25), fur)
        pen.add(ellipse(cx + side * r * 0.5, by + r * 0.75, r * 0.2, r * 0.13), belly, 0.5)


def rabbit(pen: Pen) -> str:
    rng = pen.rng
    fur = rng.choice(RABBITS)
    whole, r = rng.random() < 0.45, rng.uniform(95, 120)
    cy = 250 if not whole else 200
    if whole:
        pen.add(circle(C + r * 0.85, cy + r * 2.0, r * 0.28), WHITE)
        _sitting_body(pen, C, cy + r * 0.6, r, fur=fur, belly=shade(fur, 0.5))
    length, lop = r * rng.uniform(1.3, 1.7), rng.random() < 0.25
    for side in (-1, 1):
        turn = 110 if lop and side == 1 else side * rng.uniform(3, 22)
        bx, by = C + side * r * 0.38, cy - r * 0.6
        ex = bx + length / 2 * math.sin(math.radians(turn))
        ey = by - length / 2 * math.cos(math.radians(turn))
        pen.add(ellipse(ex, ey, r * 0.3, length / 2, turn), fur)
        pen.add(ellipse(ex, ey, r * 0.15, length * 0.37, turn), rng.choice(PINKS), False)
    pen.add(ellipse(C, cy, r, r * rng.uniform(0.85, 0.95)), fur)
    _snout(pen, C, cy, r, rng.choice(PINKS))
    if rng.random() < 0.4:  # buck teeth
        pen.add(rect(C - r * 0.1, cy + r * 0.44, r * 0.2, r * 0.15, 3), WHITE, 0.5)
    _whiskers(pen, C, cy + r * 0.32, r * 1.2)
    return pen.svg(tilt=rng.uniform(-12, 12))


def bear(pen: Pen) -> str:
    rng = pen.rng
    fur = rng.choice(BEARS)
    light = shade(fur, rng.uniform(0.4, 0.55))
    whole, r = rng.random() < 0.45, rng.uniform(100, 125)
    cy = 250 if not whole else 190
    if whole:
        _sitting_body(pen, C, cy + r * 0.55, r * 1.1, fur=fur, belly=light)
    for side in (-1, 1):
        ex, ey = C + side * r * 0.72, cy - r * 0.68
        pen.add(circle(ex, ey, r * 0.3), fur)
        pen.add(circle(ex, ey, r * 0.16), light, 0.5)
    pen.add(ellipse(C, cy, r, r * rng.uniform(0.85, 0.95)), fur)
    pen.add(ellipse(C, cy + r * 0.35, r * 0.38, r * 0.28), light, 0.7)
    _snout(pen, C, cy + r * 0.05, r, rng.choice(("#2b1d14", "#3b2a20", pen.ink)))
    if rng.random() < 0.4:  # a bow tie
        bow, y = rng.choice(BOWS), cy + r * 0.98
        for side in (-1, 1):
            pen.add(
                polygon(
                    [(C, y), (C + side * r * 0.35, y - r * 0.2), (C + side * r * 0.35, y + r * 0.2)]
                ),
                bow,
            )
        pen.add(circle(C, y, r * 0.09), bow)
    return pen.svg(tilt=rng.uniform(-12, 12))


def dog(pen: Pen) -> str:
    rng = pen.rng
    fur = rng.choice(DOGS)
    white = fur.startswith(("#f", "#e9"))
    ears = rng.choice(("#8b5a2b", "#a0522d", "#5c3d1e")) if white else shade(fur, -0.3)
    whole, r = rng.random() < 0.45, rng.uniform(95, 120)
    cy = 250 if not whole else 190
    if whole:
        side = rng.choice((-1, 1))
        tail = pd(
            "M",
            (C + side * r * 0.6, cy + r * 2.0),
            "Q",
            (C + side * r * 1.3, cy + r * 1.9),
            (C + side * r * 1.3, cy + r * 1.3),
        )
        pen.tube(tail, fur, r * 0.16)
        _sitting_body(
            pen, C, cy + r * 0.6, r, fur=fur, belly=shade(fur, 0.45) if not white else "#fff9f0"
        )
        collar = pd(
            "M", (C - r * 0.6, cy + r * 0.75), "Q", (C, cy + r * 1.05), (C + r * 0.6, cy + r * 0.75)
        )
        pen.tube(collar, rng.choice(BOWS), r * 0.12)
        pen.add(circle(C, cy + r * 1.05, r * 0.1), "#ffd43b", 0.6)
    pen.add(ellipse(C, cy, r, r * rng.uniform(0.88, 1.0)), fur)
    if rng.random() < 0.35 or white:  # a patch round one eye
        pen.add(ellipse(C + r * 0.38, cy - r * 0.1, r * 0.26, r * 0.24, 20), ears, outline=False)
    pen.add(ellipse(C, cy + r * 0.4, r * 0.45, r * 0.32), shade(fur, 0.45), 0.6)
    _snout(pen, C, cy + r * 0.02, r, pen.ink)
    if rng.random() < 0.4:
        pen.add(
            path(
                pd(
                    "M",
                    (C - r * 0.1, cy + r * 0.5),
                    "Q",
                    (C, cy + r * 0.85),
                    (C + r * 0.1, cy + r * 0.5),
                    "Z",
                )
            ),
            rng.choice(PINKS),
            0.5,
        )
    droop = rng.uniform(10, 30)
    for side in (-1, 1):
        pen.add(ellipse(C + side * r * 0.92, cy + r * 0.05, r * 0.28, r * 0.6, side * droop), ears)
    return pen.svg(tilt=rng.uniform(-12, 12))


def fish(pen: Pen) -> str:
    rng = pen.rng
    body, accent = rng.choice(FISH)
    fin = rng.choice((shade(body, -0.2), accent, shade(body, 0.3)))
    shape = rng.choice(("oval", "round", "long"))
    length, height = {"oval": (300, 190), "round": (250, 230), "long": (340, 150)}[shape]
    cx, cy = 280, C
    back = cx - length * 0.45
    tail = [
        (back + 10, cy),
        (back - length * 0.3, cy - height * 0.45),
        (back - length * 0.18, cy),
        (back - length * 0.3, cy + height * 0.45),
    ]
    pen.add(polygon(tail), fin)
    pen.add(
        path(
            pd(
                "M",
                (cx - length * 0.25, cy - height * 0.4),
                "Q",
                (cx - length * 0.05, cy - height * 0.9),
                (cx + length * 0.18, cy - height * 0.42),
                "Z",
            )
        ),
        fin,
    )
    pen.add(
        leaf(
            (cx - length * 0.05, cy + height * 0.4),
            (cx - length * 0.2, cy + height * 0.7),
            height * 0.12,
        ),
        fin,
    )
    outline = ellipse(cx, cy, length / 2, height / 2)
    pen.add(outline, body)
    with pen.clipped(outline):
        pattern = rng.choice(("stripes", "scales", "spots", "plain"))
        if pattern == "stripes":
            for k in range(rng.randint(2, 3)):
                pen.add(
                    ellipse(cx + length * (0.25 - k * 0.25), cy, length * 0.06, height), accent, 0.8
                )
        elif pattern == "scales":
            for k in range(4):
                for j in range(-2, 3):
                    x, y = (
                        cx - length * 0.2 + k * length * 0.1,
                        cy + j * height * 0.2 + (k % 2) * 12,
                    )
                    pen.line(
                        pd("M", (x, y - 14), "A", 16, 16, 0, 0, 1, (x, y + 14)),
                        shade(body, -0.25),
                        pen.width * 0.5,
                    )
        elif pattern == "spots":
            for _ in range(5):
                x, y = cx + rng.uniform(-0.3, 0.15) * length, cy + rng.uniform(-0.3, 0.3) * height
                pen.add(circle(x, y, height * 0.07), accent, 0.4)
    pen.add(outline, "none")
    pen.line(
        pd(
            "M",
            (cx + length * 0.2, cy - height * 0.3),
            "Q",
            (cx + length * 0.12, cy),
            (cx + length * 0.2, cy + height * 0.3),
        ),
        width=pen.width * 0.7,
    )
    eye_r = height * (0.16 if shape == "round" else 0.12)
    pen.add(circle(cx + length * 0.3, cy - height * 0.12, eye_r), WHITE, 0.7)
    pen.eye(cx + length * 0.31, cy - height * 0.12, eye_r * 0.55)
    pen.line(
        pd(
            "M",
            (cx + length * 0.44, cy + height * 0.1),
            "Q",
            (cx + length * 0.4, cy + height * 0.16),
            (cx + length * 0.36, cy + height * 0.12),
        ),
        width=pen.width * 0.7,
    )
    for k in range(rng.choice((0, 0, 1, 2, 3))):
        bubble = circle(cx + length * 0.6 + k * 15, cy - height * 0.3 - k * 45, 12 + k * 5)
        pen.add(bubble, rng.choice(("#d0ebff", "#a5d8ff", "#e3fafc")), 0.5)
    return pen.svg(tilt=rng.uniform(-15, 15), flip=rng.random() < 0.5)
