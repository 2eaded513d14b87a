"""Drawn objects: gemstone, bus, airplane, handbag."""

from __future__ import annotations

from inference.lab.datasets.drawn_parts import (
    SIDE,
    WHITE,
    Pen,
    circle,
    ellipse,
    path,
    pd,
    polygon,
    rect,
    shade,
)

C = SIDE / 2
GEMS = ("#2f7de1", "#e0303a", "#8e44d8", "#21b26b", "#ff5fa2", "#27c4d9", "#4263eb")
GLASS = ("#a5d8ff", "#74c0fc", "#99e9f2", "#bac8ff")
STRIPES = ("#1d6fd8", "#e63946", "#ff8c00", "#2ec4b6", "#7048e8", "#f03e3e", "#1c7ed6")
BAGS = ("#e63946", "#d62828", "#ff70a6", "#f783ac", "#8b5a2b", "#a0522d", "#c68e4e", "#9b5de5")
BUS_YELLOWS = ("#ffc928", "#ffd23f", "#f7b801")
GOLD = ("#ffc933", "#fcc419", "#f2b705")


def _brilliant(pen: Pen, cx: float, top: float, w: float, colour: str) -> None:
    """A cut gem, the emoji way: a crown of light and dark triangles over a pointed pavilion."""
    crown, girdle = top + w * 0.28, top + w * 0.28
    tops = [(cx + w * f, top) for f in (-0.3, -0.1, 0.1, 0.3)]
    rims = [(cx + w * f, girdle) for f in (-0.5, -0.25, 0.0, 0.25, 0.5)]
    tip = (cx, crown + w * 0.62)
    zigzag = [rims[0], tops[0], rims[1], tops[1], rims[2], tops[2], rims[3], tops[3], rims[4]]
    facets = [zigzag[k : k + 3] for k in range(len(zigzag) - 2)]
    facets += [[rims[k], rims[k + 1], tip] for k in range(4)]
    tones = (0.45, 0.15, 0.3, 0.0, 0.3, 0.15, 0.45, 0.1, -0.2, 0.25, -0.1)
    for facet, tone in zip(facets, tones, strict=True):
        pen.add(polygon(facet), shade(colour, tone) if tone else colour, 0.4)
    pen.add(polygon([tops[0], tops[3], rims[4], tip, rims[0]]), "none")


def _emerald_cut(pen: Pen, colour: str) -> None:
    w, h = pen.rng.uniform(300, 380), pen.rng.uniform(220, 300)

    def octagon(scale: float) -> list[tuple[float, float]]:
        cut, x, y = 0.3 * scale * min(w, h), scale * w / 2, scale * h / 2
        return [
            (C - x + cut, C - y),
            (C + x - cut, C - y),
            (C + x, C - y + cut),
            (C + x, C + y - cut),
            (C + x - cut, C + y),
            (C - x + cut, C + y),
            (C - x, C + y - cut),
            (C - x, C - y + cut),
        ]

    outer, inner = octagon(1.0), octagon(0.55)
    for k in range(8):
        facet = [outer[k], outer[(k + 1) % 8], inner[(k + 1) % 8], inner[k]]
        pen.add(
            polygon(facet), shade(colour, (0.4, 0.25, 0.1, -0.1, -0.25, -0.1, 0.1, 0.3)[k]), 0.4
        )
    pen.add(polygon(inner), shade(colour, 0.2), 0.4)
    pen.add(polygon(outer), "none")


def gemstone(pen: Pen) -> str:
    rng = pen.rng
    colour, design = rng.choice(GEMS), rng.choice(("brilliant", "brilliant", "emerald", "pile"))
    if design == "brilliant":
        _brilliant(pen, C, 120, rng.uniform(300, 380), colour)
    elif design == "emerald":
        _emerald_cut(pen, colour)
    else:
        for cx, top, w in ((170, 220, 200), (350, 240, 190), (260, 120, 230)):
            _brilliant(pen, cx, top, w, rng.choice(GEMS))
    for _ in range(rng.choice((0, 1, 2, 3))):
        pen.sparkle(rng.choice((70, 440)), rng.uniform(60, 440), rng.uniform(20, 34))
    return pen.svg(tilt=rng.uniform(-15, 15))


def _wheels(pen: Pen, xs: tuple[float, ...], y: float, r: float) -> None:
    for x in xs:
        pen.add(circle(x, y, r), "#2b2b2b")
        pen.add(circle(x, y, r * 0.45), pen.rng.choice(("#adb5bd", "#dee2e6")), 0.6)


def _bus_side(pen: Pen, colour: str, decks: int) -> None:
    rng = pen.rng
    left, right, top, bottom = 40.0, 470.0, 300.0 - decks * 110, 370.0
    pen.add(rect(left, top, right - left, bottom - top, 28), colour)
    stripe = rng.choice(("#212529", WHITE, "#343a40", shade(colour, -0.3)))
    pen.add(rect(left, bottom - 55, right - left, 18), stripe, 0.6)
    glass, windows = rng.choice(GLASS), rng.randint(3, 5)
    for deck in range(decks):
        y = top + 22 + deck * 110
        step = (right - left - 140) / windows
        for k in range(windows):
            pen.add(rect(left + 20 + k * step, y, step - 16, 65, 10), glass, 0.7)
    pen.add(rect(right - 105, bottom - decks * 110 + 12, 50, decks * 110 - 75, 6), glass, 0.7)
    pen.add(
        path(
            pd(
                "M",
                (right - 40, top + 22),
                "L",
                (right - 8, top + 22),
                "L",
                (right - 8, top + 110),
                "L",
                (right - 40, top + 110),
                "Z",
            )
        ),
        glass,
        0.7,
    )
    pen.add(circle(right - 16, bottom - 28, 11), "#ffe066", 0.6)
    pen.add(rect(left + 4, bottom - 32, 14, 22, 4), "#ff6b6b", 0.6)
    _wheels(pen, (left + 95, right - 115), bottom, 42)


def _bus_front(pen: Pen, colour: str) -> None:
    rng = pen.rng
    pen.add(rect(C - 175, 380, 70, 70, 14), "#2b2b2b")
    pen.add(rect(C + 105, 380, 70, 70, 14), "#2b2b2b")
    pen.add(rect(C - 195, 50, 390, 360, 40), colour)
    pen.add(rect(C - 150, 62, 300, 38, 8), "#343a40", 0.6)
    pen.add(rect(C - 90, 72, 180, 18, 4), rng.choice(("#ffd43b", "#ff922b")), False)
    pen.add(rect(C - 170, 115, 340, 150, 24), rng.choice(GLASS), 0.8)
    pen.line(pd("M", (C, 115), "L", (C, 265)), width=pen.width * 0.8)
    for side in (-1, 1):
        pen.add(circle(C + side * 135, 320, 28), "#fff3bf")
        pen.add(rect(C + side * 215 - 12, 120, 24, 70, 8), "#343a40", 0.6)
    for k in range(3):
        pen.add(rect(C - 70, 300 + k * 18, 140, 10, 4), shade(colour, -0.35), 0.4)
    pen.add(rect(C - 200, 380, 400, 34, 12), "#495057")


def bus(pen: Pen) -> str:
    rng = pen.rng
    colour = rng.choice((*BUS_YELLOWS, *BUS_YELLOWS, "#e63946", "#d62828", "#3a86ff", "#2a9d8f"))
    design = rng.choice(("side", "side", "side", "side", "front", "front", "double"))
    if design == "front":
        _bus_front(pen, colour)
    else:
        _bus_side(pen, "#e03131" if design == "double" else colour, 2 if design == "double" else 1)
    return pen.svg(tilt=rng.uniform(-6, 6), flip=rng.random() < 0.5)


def _jet_side(pen: Pen, white: str, stripe: str) -> None:
    rng = pen.rng
    top, bottom = 200.0, 275.0
    pen.add(polygon([(290, 230), (250, 230), (170, 150), (200, 150)]), shade(white, -0.12))
    pen.add(polygon([(60, 215), (30, 110), (80, 110), (140, 215)]), stripe)
    body = path(
        pd(
            "M",
            (70, top),
            "L",
            (400, top),
            "Q",
            (480, top),
            (490, bottom - 12),
            "Q",
            (490, bottom),
            (460, bottom),
            "L",
            (110, bottom),
            "Q",
            (60, bottom),
            (30, top - 5),
            "Z",
        )
    )
    pen.add(body, white)
    with pen.clipped(body):
        pen.add(rect(0, bottom - 28, 512, 14), stripe, 0.5)
    pen.add(body, "none")
    pen.add(
        path(
            pd(
                "M",
                (430, top + 12),
                "L",
                (462, top + 12),
                "Q",
                (474, top + 20),
                (478, top + 30),
                "L",
                (440, top + 30),
                "Z",
            )
        ),
        "#364fc7",
        0.6,
    )
    for k in range(rng.randint(6, 9)):
        pen.add(circle(140 + k * 32, top + 22, 8), rng.choice(GLASS), 0.5)
    pen.add(polygon([(300, 245), (220, 245), (150, 360), (195, 360)]), shade(white, -0.05))
    pen.add(rect(205, 290, 75, 32, 14), rng.choice(("#adb5bd", "#ced4da")))
    pen.add(polygon([(75, 230), (30, 250), (50, 255), (120, 240)]), shade(white, -0.05))


def _jet_top(pen: Pen, white: str, stripe: str) -> None:
    shade_white = shade(white, -0.1)
    for side in (-1, 1):
        pen.add(
            polygon([(C, 210), (C + side * 230, 300), (C + side * 230, 330), (C, 290)]), shade_white
        )
        pen.add(rect(C + side * 110 - 14, 265, 28, 55, 12), "#adb5bd", 0.7)
        pen.add(polygon([(C, 400), (C + side * 90, 445), (C + side * 90, 465), (C, 450)]), stripe)
        pen.add(
            polygon(
                [
                    (C + side * 200, 288),
                    (C + side * 230, 300),
                    (C + side * 230, 330),
                    (C + side * 200, 322),
                ]
            ),
            stripe,
            0.6,
        )
    body = ellipse(C, C, 36, 220)
    pen.add(body, white)
    with pen.clipped(body):
        pen.add(rect(C - 40, 150, 80, 22), stripe, 0.6)
    pen.add(body, "none")
    pen.add(rect(C - 6, 340, 12, 120, 6), stripe, 0.6)
    pen.add(
        path(
            pd(
                "M",
                (C - 20, 80),
                "Q",
                (C, 62),
                (C + 20, 80),
                "L",
                (C + 16, 95),
                "L",
                (C - 16, 95),
                "Z",
            )
        ),
        "#364fc7",
        0.6,
    )


def airplane(pen: Pen) -> str:
    rng = pen.rng
    white, stripe = rng.choice(("#ffffff", "#f8f9fa", "#e9ecef", "#dee2e6")), rng.choice(STRIPES)
    if rng.random() < 0.7:
        _jet_side(pen, white, stripe)
        return pen.svg(tilt=rng.uniform(-20, 10), flip=rng.random() < 0.5)
    _jet_top(pen, white, stripe)
    return pen.svg(tilt=rng.uniform(-60, 60))


def handbag(pen: Pen) -> str:
    rng = pen.rng
    colour, gold = rng.choice(BAGS), rng.choice(GOLD)
    design = rng.choice(("flap", "tote", "purse"))
    if design == "tote":
        for x in (C - 70, C + 70):
            pen.tube(pd("M", (x - 40, 200), "Q", (x, 60), (x + 40, 200)), shade(colour, -0.2), 20)
        pen.add(polygon([(C - 170, 180), (C + 170, 180), (C + 150, 430), (C - 150, 430)]), colour)
        pen.add(rect(C - 170, 180, 340, 40, 6), shade(colour, -0.2), 0.7)
    else:
        pen.tube(
            pd("M", (C - 110, 220), "C", (C - 110, 60), (C + 110, 60), (C + 110, 220)),
            rng.choice((shade(colour, -0.25), gold)),
            22,
        )
        body = path(
            pd(
                "M",
                (C - 160, 190),
                "L",
                (C + 160, 190),
                "Q",
                (C + 210, 430),
                (C + 150, 430),
                "L",
                (C - 150, 430),
                "Q",
                (C - 210, 430),
                (C - 160, 190),
                "Z",
            )
        )
        pen.add(body, colour)
        if design == "flap":
            flap = path(
                pd(
                    "M",
                    (C - 165, 192),
                    "L",
                    (C + 165, 192),
                    "L",
                    (C + 150, 270),
                    "Q",
                    (C, 330),
                    (C - 150, 270),
                    "Z",
                )
            )
            pen.add(flap, shade(colour, -0.15))
            pen.add(rect(C - 26, 290, 52, 36, 8), gold)
        else:
            pen.tube(pd("M", (C - 150, 200), "L", (C + 150, 200)), gold, 14)
            for side in (-1, 1):
                pen.add(circle(C + side * 14, 180, 14), gold)
    if rng.random() < 0.5:  # stitches or polka dots
        for k in range(6):
            x = C - 110 + k * 44
            pen.add(circle(x, 380 - (k % 2) * 40, 9), rng.choice((WHITE, "#ffe3ec", gold)), 0.4)
    return pen.svg(tilt=rng.uniform(-12, 12), flip=rng.random() < 0.5)
