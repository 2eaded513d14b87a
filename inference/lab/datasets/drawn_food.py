"""Drawn food: banana, strawberry, ice cream, cake, apple."""

from __future__ import annotations

import math

from inference.lab.datasets.drawn_parts import (
    SIDE,
    WHITE,
    Pen,
    circle,
    drop,
    ellipse,
    leaf,
    path,
    pd,
    polygon,
    rect,
    shade,
    star_points,
)

C = SIDE / 2
BANANAS = ("#ffd93b", "#ffe135", "#f7d21e", "#ffdb4d", "#ffd000")
BROWN_TIPS = ("#5c3d1e", "#6b4a2b", "#4a3222")
REDS = ("#e63946", "#d62828", "#f03e3e", "#e8283c", "#ff3b4a")
GREENS = ("#51cf66", "#40c057", "#5aa845", "#69db7c", "#37b24d")
SCOOPS = ("#ff9ec4", "#ffb3cf", "#fff3e0", "#fffaf0", "#8b5a3c", "#6f4530", "#a8e6cf", "#ffe8a3")
CONES = ("#e8b56a", "#dca35a", "#f0c27b", "#d99b4e")
SPRINKLES = ("#ff4d6d", "#4dabf7", "#ffd43b", "#51cf66", "#cc5de8", WHITE)
SPONGES = ("#f7d9a6", "#f3c98b", "#8b5a3c", "#ffc2d1", "#fde2b8")
ICINGS = ("#fff8f0", "#ff9ec4", "#ffb3cf", "#6b3f2a", "#fdf0d5", "#d0bfff", WHITE)
APPLES = (*REDS, *REDS, "#8bc34a", "#94d82d", "#74b816", "#ffd43b", "#fcc419")


def _banana(pen: Pen, stem: tuple[float, float], tip: tuple[float, float], sag: float) -> None:
    (x0, y0), (x1, y1) = stem, tip
    length = math.hypot(x1 - x0, y1 - y0)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    nx, ny, mx, my = uy, -ux, (x0 + x1) / 2, (y0 + y1) / 2
    thick = length * pen.rng.uniform(0.2, 0.27)
    colour = pen.rng.choice(BANANAS)

    def bend(depth: float) -> tuple[float, float]:
        return mx + nx * depth * 2, my + ny * depth * 2

    pen.tube(
        pd("M", stem, "L", (x0 - ux * thick * 0.45, y0 - uy * thick * 0.45)),
        pen.rng.choice(("#8a6a2f", "#7a8a2a", "#6b4a2b")),
        thick * 0.22,
        cap="butt",
    )
    pen.add(path(pd("M", stem, "Q", bend(sag), tip, "Q", bend(sag - thick), stem, "Z")), colour)
    pen.line(
        pd("M", stem, "Q", bend(sag - thick * 0.4), tip), shade(colour, -0.25), pen.width * 0.5
    )
    pen.add(circle(x1 - ux * 3, y1 - uy * 3, thick * 0.12), pen.rng.choice(BROWN_TIPS), 0.5)
    if pen.rng.random() < 0.3:  # ripe spots, along the middle of the banana
        bx, by = bend(sag - thick / 2)
        for k in (0.3, 0.45, 0.62):
            x = (1 - k) ** 2 * x0 + 2 * k * (1 - k) * bx + k**2 * x1
            y = (1 - k) ** 2 * y0 + 2 * k * (1 - k) * by + k**2 * y1
            pen.add(circle(x, y, thick * 0.05), pen.rng.choice(BROWN_TIPS), outline=False)


def banana(pen: Pen) -> str:
    rng = pen.rng
    count = rng.choice((1, 1, 2, 3, 3, 4))
    if count == 1:
        _banana(pen, (420, 190), (90, 200), rng.uniform(90, 130))
        return pen.svg(tilt=rng.uniform(-35, 35), flip=rng.random() < 0.5)
    for k in range(count):  # a bunch: the stems meet at the crown
        angle = math.radians(200 + (k - (count - 1) / 2) * 18)
        tip = (330 + 300 * math.cos(angle), 120 - 300 * math.sin(angle))
        _banana(pen, (330, 120), tip, rng.uniform(70, 90))
    pen.add(rect(318, 92, 30, 40, 8), rng.choice(("#8a6a2f", "#6b4a2b")))
    return pen.svg(tilt=rng.uniform(-25, 25), flip=rng.random() < 0.5)


def _berry_shape(cx: float, top: float, w: float, h: float) -> str:
    return path(
        pd(
            "M",
            (cx, top),
            "C",
            (cx + w * 0.55, top - h * 0.1),
            (cx + w * 0.62, top + h * 0.35),
            (cx + w * 0.35, top + h * 0.7),
            "Q",
            (cx + w * 0.12, top + h),
            (cx, top + h),
            "Q",
            (cx - w * 0.12, top + h),
            (cx - w * 0.35, top + h * 0.7),
            "C",
            (cx - w * 0.62, top + h * 0.35),
            (cx - w * 0.55, top - h * 0.1),
            (cx, top),
            "Z",
        )
    )


def _strawberry(pen: Pen, cx: float, top: float, w: float, sliced: bool) -> None:
    rng = pen.rng
    h = w * rng.uniform(1.0, 1.2)
    red = rng.choice(REDS)
    pen.add(_berry_shape(cx, top, w, h), red)
    if sliced:
        pen.add(_berry_shape(cx, top + h * 0.12, w * 0.62, h * 0.7), "#ffc9d2", outline=0.4)
    seed = rng.choice(("#ffe066", "#fff3bf", "#ffd43b", "#fff9db"))
    for row, t in enumerate((0.2, 0.36, 0.52, 0.68, 0.83)):
        half = w * 0.46 * (1 - max(0.0, (t - 0.25) / 0.75) ** 1.5) * 0.72
        count = max(1, round(2 * half / (w * 0.17)))
        for k in range(count + row % 2):
            x = cx - half + 2 * half * (k + 0.5 * (1 - row % 2)) / max(count, 1)
            if not sliced or abs(x - cx) > w * 0.3 or t > 0.8:
                pen.add(ellipse(x, top + t * h, w * 0.022, w * 0.035), seed, outline=0.35)
    points = star_points(cx, top, w * 0.42, w * 0.12, n=rng.choice((5, 6, 7)), turn=90)
    pen.add(polygon([(x, top + (y - top) * 0.5 + h * 0.03) for x, y in points]), rng.choice(GREENS))
    pen.tube(
        pd("M", (cx, top), "Q", (cx + 4, top - h * 0.1), (cx + w * 0.08, top - h * 0.2)),
        rng.choice(GREENS),
        w * 0.06,
    )
    if rng.random() < 0.5 and not sliced:
        pen.add(ellipse(cx - w * 0.25, top + h * 0.3, w * 0.05, w * 0.11, 20), WHITE, False)


def strawberry(pen: Pen) -> str:
    rng = pen.rng
    if rng.random() < 0.3:
        _strawberry(pen, 190, 130, 210, sliced=False)
        _strawberry(pen, 340, 190, 190, sliced=rng.random() < 0.3)
    else:
        _strawberry(pen, C, 140, rng.uniform(250, 300), sliced=rng.random() < 0.2)
    return pen.svg(tilt=rng.uniform(-25, 25), flip=rng.random() < 0.5)


def _cone(pen: Pen, top: float, half: float, depth: float) -> None:
    cone = polygon([(C - half, top), (C + half, top), (C, top + depth)])
    colour = pen.rng.choice(CONES)
    pen.add(cone, colour)
    with pen.clipped(cone):
        for k in range(-8, 9):
            for direction in (-1, 1):
                x = C + k * 34
                d = pd("M", (x, top), "L", (x + direction * depth, top + depth))
                pen.line(d, shade(colour, -0.3), pen.width * 0.5)
    pen.add(cone, "none")


def _scoop(pen: Pen, y: float, r: float, colour: str) -> None:
    drips = [circle(C, y, r)]
    for k in range(5):
        x = C + r * (-0.85 + 1.7 * k / 4)
        drips.append(circle(x, y + r * 0.55 + pen.rng.uniform(0, r * 0.3), r * 0.24))
    pen.union(drips, colour)


def _toppings(pen: Pen, y: float, r: float) -> None:
    rng = pen.rng
    if rng.random() < 0.5:
        for _ in range(rng.randint(5, 9)):
            x, dy = C + rng.uniform(-0.6, 0.6) * r, rng.uniform(-0.6, 0.2) * r
            spr = rect(x, y + dy, r * 0.18, r * 0.06, r * 0.03, rotate=rng.uniform(0, 180))
            pen.add(spr, rng.choice(SPRINKLES), outline=0.3)
    if rng.random() < 0.45:
        pen.line(pd("M", (C, y - r * 0.9), "Q", (C + 10, y - r * 1.4), (C + 28, y - r * 1.5)))
        pen.add(circle(C, y - r * 0.95, r * 0.25), rng.choice(REDS))


def ice_cream(pen: Pen) -> str:
    rng = pen.rng
    design = rng.choice(("cone", "cone", "cone", "soft", "popsicle"))
    if design == "popsicle":
        colour = rng.choice(("#ff9ec4", "#ff8787", "#ffa94d", "#8b5a3c", "#b197fc", "#fff3e0"))
        pen.add(rect(C - 22, 320, 44, 150, 18), "#e3c28d")
        body = rect(C - 95, 60, 190, 290, 80)
        pen.add(body, colour)
        with pen.clipped(body):
            if rng.random() < 0.5:
                dip = rng.choice(("#6f4530", "#ff9ec4", "#fff3e0"))
                pen.union(
                    [rect(C - 120, 40, 240, 95)]
                    + [circle(C - 70 + 47 * k, 135 + rng.uniform(0, 25), 22) for k in range(4)],
                    dip,
                    outline=0.5,
                )
        pen.add(body, "none")
        pen.add(rect(C - 62, 120, 22, 150, 11), shade(colour, 0.45), outline=False)
        return pen.svg(tilt=rng.uniform(-25, 25), flip=rng.random() < 0.5)
    _cone(pen, 250, 95, 220)
    if design == "soft":
        colour = rng.choice(SCOOPS)
        for k in range(4):
            pen.add(ellipse(C, 235 - k * 48, 118 - k * 25, 40), colour)
        pen.add(drop(C + 8, 70, 30, 60, 25), colour)
        _toppings(pen, 130, 80)
        return pen.svg(tilt=rng.uniform(-15, 15), flip=rng.random() < 0.5)
    count = rng.choice((1, 2, 2, 3))
    r = rng.uniform(85, 105) if count < 3 else 80
    for k in reversed(range(count)):
        _scoop(pen, 230 - k * r * 1.25, r, rng.choice(SCOOPS))
    _toppings(pen, 230 - (count - 1) * r * 1.25, r)
    return pen.svg(tilt=rng.uniform(-15, 15), flip=rng.random() < 0.5)


def _tier(pen: Pen, top: float, w: float, h: float) -> None:
    rng, ry = pen.rng, w * 0.12
    sponge, icing = rng.choice(SPONGES), rng.choice(ICINGS)
    side = path(
        pd(
            "M",
            (C - w / 2, top),
            "L",
            (C - w / 2, top + h),
            "A",
            w / 2,
            ry,
            0,
            0,
            0,
            (C + w / 2, top + h),
            "L",
            (C + w / 2, top),
            "Z",
        )
    )
    pen.add(side, sponge)
    filling = rng.choice(("#ff8fab", "#fff8f0", "#e03131", "#6b3f2a"))
    for k in range(1, rng.randint(2, 3)):
        y = top + h * k / 2.6 + ry * 0.5
        arc = pd("M", (C - w / 2, y), "A", w / 2, ry, 0, 0, 0, (C + w / 2, y))
        pen.line(arc, filling, h * 0.1, cap="butt")
    pen.add(side, "none")
    icing_parts = [ellipse(C, top, w / 2, ry), rect(C - w / 2, top, w, ry * 0.9)]
    for k in range(7):
        x = C - w / 2 + w * (k + 0.5) / 7
        length = ry * rng.uniform(0.9, 2.2) * math.sqrt(1 - ((x - C) / (w / 2)) ** 2 * 0.8)
        icing_parts.append(rect(x - w / 16, top, w / 8, ry * 0.6 + length, w / 16))
    pen.union(icing_parts, icing)


def _cupcake(pen: Pen) -> None:
    rng = pen.rng
    wrapper = polygon([(C - 130, 270), (C + 130, 270), (C + 95, 450), (C - 95, 450)])
    paper = rng.choice(("#74c0fc", "#ff8fab", "#ffd43b", "#b197fc", "#63e6be"))
    pen.add(wrapper, paper)
    for k in range(1, 7):
        x = C - 130 + 260 * k / 7
        pen.line(pd("M", (x, 275), "L", (C + (x - C) * 0.73, 445)), shade(paper, -0.3), 4)
    frosting = rng.choice(ICINGS)
    blobs = [ellipse(C, 265, 150, 45), ellipse(C, 205, 120, 45), ellipse(C, 150, 80, 40)]
    for blob in blobs:
        pen.add(blob, frosting)
    pen.add(drop(C, 130, 35, 70, 15), frosting)
    _toppings(pen, 180, 110)


def cake(pen: Pen) -> str:
    rng = pen.rng
    if rng.random() < 0.3:
        _cupcake(pen)
        return pen.svg(tilt=rng.uniform(-10, 10), flip=rng.random() < 0.5)
    if rng.random() < 0.6:
        pen.add(ellipse(C, 440, 230, 45), rng.choice(("#e9ecef", "#dbe4ff", "#fff3bf")))
    tiers, top = rng.choice((1, 1, 2)), 430.0
    for w in (360, 230)[:tiers]:
        h = rng.uniform(110, 150) if tiers == 1 else rng.uniform(85, 100)
        top -= h
        _tier(pen, top, w, h)
    candles, spread = rng.choice((0, 1, 3, 3, 4, 5)), 130 if tiers == 1 else 80
    for k in range(candles):
        x = C if candles == 1 else C - spread + 2 * spread * k / (candles - 1)
        colour = rng.choice(("#74c0fc", "#ff8fab", "#ffd43b", "#b197fc", "#63e6be"))
        pen.add(rect(x - 9, top - 85, 18, 85, 4), colour, 0.7)
        pen.add(drop(x, top - 100, 13, 34), "#ff922b", 0.6)
        pen.add(drop(x, top - 98, 6, 18), "#ffe066", outline=False)
    if not candles:
        for k in range(rng.randint(3, 5)):
            pen.add(circle(C - 80 + k * 40, top - 10, 20), rng.choice(REDS))
    return pen.svg(tilt=rng.uniform(-8, 8), flip=rng.random() < 0.5)


def _apple(pen: Pen, cx: float, top: float, w: float) -> None:
    rng = pen.rng
    h, colour = w * rng.uniform(0.88, 1.0), rng.choice(APPLES)
    body = path(
        pd(
            "M",
            (cx, top + h * 0.12),
            "C",
            (cx + w * 0.25, top - h * 0.05),
            (cx + w * 0.55, top + h * 0.02),
            (cx + w * 0.53, top + h * 0.42),
            "C",
            (cx + w * 0.51, top + h * 0.85),
            (cx + w * 0.25, top + h * 1.02),
            (cx + w * 0.1, top + h * 0.97),
            "Q",
            (cx, top + h * 0.93),
            (cx - w * 0.1, top + h * 0.97),
            "C",
            (cx - w * 0.25, top + h * 1.02),
            (cx - w * 0.51, top + h * 0.85),
            (cx - w * 0.53, top + h * 0.42),
            "C",
            (cx - w * 0.55, top + h * 0.02),
            (cx - w * 0.25, top - h * 0.05),
            (cx, top + h * 0.12),
            "Z",
        )
    )
    pen.tube(
        pd(
            "M",
            (cx, top + h * 0.14),
            "Q",
            (cx - 4, top - h * 0.04),
            (cx + w * 0.06, top - h * 0.16),
        ),
        rng.choice(("#6b4a2b", "#7a5230", "#5c3d1e")),
        w * 0.05,
    )
    if rng.random() < 0.85:
        stem_top = (cx + w * 0.05, top - h * 0.06)
        tip = (cx + w * rng.uniform(0.25, 0.38), top - h * rng.uniform(0.1, 0.22))
        pen.add(leaf(stem_top, tip, w * 0.09), rng.choice(GREENS))
        pen.line(pd("M", stem_top, "L", tip), shade(GREENS[2], -0.3), pen.width * 0.4)
    pen.add(body, colour)
    if rng.random() < 0.7:
        pen.add(ellipse(cx - w * 0.28, top + h * 0.32, w * 0.06, w * 0.13, 25), WHITE, False)


def apple(pen: Pen) -> str:
    rng = pen.rng
    if rng.random() < 0.25:
        _apple(pen, 180, 160, 220)
        _apple(pen, 340, 200, 220)
    else:
        _apple(pen, C, 120, rng.uniform(260, 320))
    return pen.svg(tilt=rng.uniform(-15, 15), flip=rng.random() < 0.5)
