"""Drawn things of the sky and space: sun, star, cloud (and rainbow), planet, rocket."""

from __future__ import annotations

import math

from inference.lab.datasets.drawn_parts import (
    SIDE,
    WHITE,
    Pen,
    circle,
    drop,
    ellipse,
    path,
    pd,
    polygon,
    rect,
    shade,
    star_points,
)

C = SIDE / 2
YELLOWS = ("#ffd43b", "#ffdd33", "#ffc93c", "#ffe14d", "#fcc419", "#ffcc00")
ORANGES = ("#ff9f1c", "#ff8c00", "#ffb02e", "#ff7b25", "#ffa94d")
RAINBOW = ("#ff4d4d", "#ff9f1c", "#ffd23f", "#5fd35f", "#3fa9f5", "#9b5de5")
CLOUD_WHITES = ("#eef4fb", "#e6eef8", "#f2f6fc", "#dfe9f5", "#e9eef4", "#e3ecf7")
CLOUD_GREYS = ("#c9d3df", "#b8c3d1", "#aab4c2", "#cfd6de", "#9faabb")
PLANETS = ("#f4a259", "#ff9f43", "#9b5de5", "#7b61ff", "#4cc9f0", "#3a86ff", "#2ec4b6", "#f15bb5")
GLASS = ("#7fd1ff", "#4dabf7", "#74c0fc", "#66d9e8")


def sun(pen: Pen) -> str:
    rng = pen.rng
    r, n, turn = rng.uniform(80, 110), rng.randint(8, 14), rng.uniform(0, 360)
    body, ray = rng.choice(YELLOWS), rng.choice((*ORANGES, *ORANGES, *YELLOWS))
    style = rng.choice(("spikes", "bars", "flames"))
    if style == "spikes":
        pen.add(
            polygon(star_points(C, C, r * rng.uniform(1.5, 1.85), r * 1.05, n=n, turn=turn)), ray
        )
    for k in range(n if style != "spikes" else 0):
        a = math.radians(turn + k * 360 / n)
        if style == "bars":
            inner, outer = r * 1.3, r * rng.uniform(1.6, 1.75)
            d = pd(
                "M",
                (C + inner * math.cos(a), C + inner * math.sin(a)),
                "L",
                (C + outer * math.cos(a), C + outer * math.sin(a)),
            )
            pen.tube(d, ray, r * 0.15)
        else:
            x, y = C + r * 1.3 * math.cos(a), C + r * 1.3 * math.sin(a)
            pen.add(drop(x, y, r * 0.17, r * 0.5, math.degrees(a) + 90), ray)
    pen.add(circle(C, C, r), body)
    if rng.random() < 0.5:
        pen.add(circle(C - r * 0.12, C - r * 0.12, r * 0.62), shade(body, 0.35), outline=False)
    if rng.random() < 0.6:
        pen.face(C, C - r * 0.1, r * 1.1)
    return pen.svg(tilt=rng.uniform(-10, 10))


def _star(pen: Pen, cx: float, cy: float, r: float, colour: str, *, face: bool) -> None:
    fat = pen.rng.uniform(0.42, 0.54)
    pen.add(polygon(star_points(cx, cy, r, r * fat)), colour)
    if pen.rng.random() < 0.5:
        shine = star_points(cx - r * 0.06, cy - r * 0.06, r * 0.55, r * 0.55 * fat)
        pen.add(polygon(shine), shade(colour, 0.4), outline=False)
    if face:
        pen.face(cx, cy + r * 0.08, r * 0.62)


def star(pen: Pen) -> str:
    rng = pen.rng
    colour, design = rng.choice(YELLOWS), rng.choice(("single", "single", "shooting", "cluster"))
    face = rng.random() < 0.45
    if design == "shooting":
        colours = RAINBOW[:: rng.choice((1, -1))] if rng.random() < 0.4 else ORANGES[:3]
        width = 26 if len(colours) > 3 else 34
        for k, band in enumerate(colours):
            off = (k - (len(colours) - 1) / 2) * width
            start, end = (300 + off * 0.7, 210 + off * 0.7), (80 + off * 0.7, 430 + off * 0.7)
            pen.tube(pd("M", start, "L", end), band, width - pen.width, cap="butt")
        _star(pen, 330, 180, rng.uniform(100, 130), colour, face=face)
    elif design == "cluster":
        _star(pen, 230, 280, rng.uniform(130, 160), colour, face=face)
        for x, y in ((400, 120), (410, 390))[: rng.randint(1, 2)]:
            _star(pen, x, y, rng.uniform(40, 65), rng.choice(YELLOWS), face=False)
    else:
        _star(pen, C, C, rng.uniform(170, 210), colour, face=face)
        if rng.random() < 0.4:
            for x, y in ((80, 90), (440, 430), (430, 80))[: rng.randint(1, 3)]:
                pen.sparkle(x, y, rng.uniform(22, 34), rng.choice((WHITE, *YELLOWS)))
    return pen.svg(tilt=rng.uniform(-15, 15), flip=rng.random() < 0.5)


def _cloud(pen: Pen, cx: float, base: float, width: float, colour: str) -> None:
    rng, n = pen.rng, pen.rng.randint(3, 5)
    height = width * rng.uniform(0.18, 0.26)
    elements = [rect(cx - width / 2, base - height, width, height, height / 2)]
    for k in range(n):
        middle = 1 - abs(2 * (k + 0.5) / n - 1)
        r = width / n * rng.uniform(0.55, 0.7) * (1 + 0.7 * middle)
        x = cx - width / 2 + width * (k + 0.5) / n + rng.uniform(-6, 6)
        elements.append(circle(x, base - height * 0.6 - r * 0.55, r))
    pen.union(elements, colour)
    if rng.random() < 0.5:
        pen.add(
            ellipse(
                cx - width * 0.12, base - height * 1.7, width * 0.14, height * 0.25, rotate=-15
            ),
            WHITE,
            outline=False,
        )


def _rainbow(pen: Pen, cx: float, base: float, radius: float) -> None:
    colours = RAINBOW[: pen.rng.randint(5, 6)]
    band = radius * 0.1

    def arc(r: float) -> str:
        return pd("M", (cx - r, base), "A", r, r, 0, 0, 1, (cx + r, base))

    pen.line(
        arc(radius - band * (len(colours) - 1) / 2),
        None,
        band * len(colours) + 2 * pen.width,
        "butt",
    )
    for k, colour in enumerate(colours):
        pen.line(arc(radius - k * band), colour, band + 0.5, "butt")


def cloud(pen: Pen) -> str:
    rng = pen.rng
    design = rng.choice(("cloud", "cloud", "rain", "rainbow", "two"))
    colour = rng.choice(CLOUD_GREYS if design == "rain" else CLOUD_WHITES)
    if design == "rainbow":
        _rainbow(pen, C, 340, rng.uniform(150, 190))
        for side in (-1, 1):
            _cloud(pen, C + side * rng.uniform(150, 190), 370, rng.uniform(150, 190), colour)
        return pen.svg(tilt=rng.uniform(-8, 8))
    if design == "rain":
        for k in range(rng.randint(3, 6)):
            x, y = 130 + k * rng.uniform(45, 55), 360 + (k % 2) * 45
            pen.add(drop(x, y, 14, 34), rng.choice(("#4dabf7", "#339af0", "#74c0fc")), 0.6)
    if design == "two":
        _cloud(pen, 320, 220, rng.uniform(220, 260), shade(colour, -0.08))
    _cloud(pen, C, 320, rng.uniform(300, 360), colour)
    if rng.random() < 0.4:
        pen.face(C, 250, 110)
    return pen.svg(tilt=rng.uniform(-6, 6), flip=rng.random() < 0.5)


def planet(pen: Pen) -> str:
    rng = pen.rng
    r, base = rng.uniform(95, 125), rng.choice(PLANETS)
    ring = rng.choice([p for p in PLANETS if p != base])
    ringed = rng.random() < 0.65
    rx, ry, ring_width = r * rng.uniform(1.6, 1.95), r * rng.uniform(0.28, 0.42), r * 0.22

    def half(sweep: int) -> str:
        return pd("M", (C - rx, C), "A", rx, ry, 0, 0, sweep, (C + rx, C))

    with pen.moved(f"rotate({rng.uniform(-30, 30):.1f} {C} {C})"):
        if ringed:
            pen.tube(half(1), ring, ring_width, cap="butt")
        pen.add(circle(C, C, r), base)
        with pen.clipped(circle(C, C, r)):
            for k in range(rng.randint(2, 5)):
                y = C - r + (k + 0.7) * 2 * r / 5.5 + rng.uniform(-8, 8)
                tone = shade(base, rng.choice((0.3, 0.45, -0.15, -0.25)))
                pen.add(ellipse(C, y, r * 1.4, r * rng.uniform(0.06, 0.12)), tone, outline=False)
            if not ringed and rng.random() < 0.6:
                spot = ellipse(C + r * 0.3, C + r * 0.3, r * 0.22, r * 0.13)
                pen.add(spot, shade(rng.choice(PLANETS), -0.1), 0.5)
        pen.add(circle(C, C, r), "none")
        if ringed:
            pen.tube(half(0), ring, ring_width, cap="butt")
            pen.line(half(0), shade(ring, 0.4), ring_width * 0.25, cap="butt")
    if rng.random() < 0.35:  # a little moon
        pen.add(circle(C + r * 1.6, C - r * 1.2, r * 0.22), rng.choice(("#d8dee9", "#e9ecef")))
    return pen.svg(tilt=rng.uniform(-8, 8), flip=rng.random() < 0.5)


def rocket(pen: Pen) -> str:
    rng = pen.rng
    w, h, top = rng.uniform(60, 80), rng.uniform(230, 280), 80
    body = rng.choice(("#f8f9fa", "#ffffff", "#dee2e6", "#ced4da", "#e63946"))
    trim = (
        rng.choice(("#f8f9fa", "#ffd43b"))
        if body == "#e63946"
        else rng.choice(("#e63946", "#e63946", "#f03e3e", "#3a86ff", "#ff8c00"))
    )
    bottom = top + h
    flame = rng.uniform(0.35, 0.55) * h
    pen.add(drop(C, bottom + h * 0.1, w * 0.6, flame, 180), rng.choice(("#ff6b1a", "#ff8c1a")))
    pen.add(drop(C, bottom + h * 0.08, w * 0.32, flame * 0.6, 180), "#ffd43b", outline=False)
    pen.add(rect(C - w * 0.45, bottom - 6, w * 0.9, h * 0.07, 4), "#8d99ae")
    for side in (-1, 1):
        fin = [
            (C + side * w * 0.85, top + h * 0.58),
            (C + side * w * 1.6, top + h * 0.92),
            (C + side * w * 1.5, bottom + h * 0.08),
            (C + side * w * 0.6, bottom - h * 0.02),
        ]
        pen.add(polygon(fin), trim)
    shape = path(
        pd(
            "M",
            (C, top),
            "C",
            (C + w * 1.5, top + h * 0.18),
            (C + w * 1.1, top + h * 0.75),
            (C + w * 0.75, bottom),
            "L",
            (C - w * 0.75, bottom),
            "C",
            (C - w * 1.1, top + h * 0.75),
            (C - w * 1.5, top + h * 0.18),
            (C, top),
            "Z",
        )
    )
    pen.add(shape, body)
    with pen.clipped(shape):
        nose = top + h * rng.uniform(0.2, 0.28)
        pen.add(rect(C - w * 2, top - 10, w * 4, nose - top + 10), trim, outline=False)
        pen.line(pd("M", (C - w * 2, nose), "L", (C + w * 2, nose)), width=pen.width * 0.8)
        if rng.random() < 0.5:
            pen.add(rect(C - w * 2, top + h * 0.72, w * 4, h * 0.07), trim, 0.8)
    pen.add(shape, "none")
    windows = rng.choice((1, 1, 2, 3))
    radius = w * (0.5 if windows == 1 else 0.36)
    glass = rng.choice(GLASS)
    for k in range(windows):
        y = top + h * 0.42 + k * radius * 2.5
        pen.add(circle(C, y, radius), rng.choice(("#adb5bd", "#ced4da", trim)))
        pen.add(circle(C, y, radius * 0.7), glass, 0.7)
        pen.add(
            ellipse(C - radius * 0.25, y - radius * 0.25, radius * 0.2, radius * 0.13, -40),
            WHITE,
            outline=False,
        )
    if rng.random() < 0.3:
        pen.add(ellipse(C, bottom - h * 0.05, w * 0.14, h * 0.16), trim)
    return pen.svg(tilt=rng.choice((-1, 1)) * rng.uniform(0, 45))
