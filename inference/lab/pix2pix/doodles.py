"""Simple sketches drawn the way a young child draws: wobbly, unclosed, uneven.

No OpenMoji outline looks like this, which is the point: checkpoints are chosen on these
(the seed project's warning about edges at training time versus strokes at serving time), the
model card's contact sheet shows them, and the tests use them as ready-made sketches.

Each doodle is a list of strokes in unit coordinates, jittered with a seeded generator and drawn
with round pen ends in a fixed brush width, like the site's canvas exports.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection

import numpy as np
from PIL import Image, ImageDraw

Stroke = list[tuple[float, float]]


def _ellipse(
    cx: float, cy: float, rx: float, ry: float, *, start: float = 0.0, sweep: float = 6.6
) -> Stroke:
    # A sweep a little over 2π overshoots the start, as a child's circle rarely closes exactly.
    steps = 48
    return [
        (
            cx + rx * math.cos(start + sweep * t / steps),
            cy + ry * math.sin(start + sweep * t / steps),
        )
        for t in range(steps + 1)
    ]


def _dot(cx: float, cy: float, r: float = 0.02) -> Stroke:
    return _ellipse(cx, cy, r, r, sweep=2 * math.pi)


def face() -> list[Stroke]:
    """A smiley: round head, two eyes, a smile."""
    return [
        _ellipse(0.5, 0.5, 0.34, 0.33, start=-1.2),
        _dot(0.38, 0.42),
        _dot(0.62, 0.42),
        _ellipse(0.5, 0.55, 0.17, 0.12, start=0.3, sweep=2.5),
    ]


def cat() -> list[Stroke]:
    """A cat's head: ears, eyes, nose, whiskers."""
    return [
        _ellipse(0.5, 0.56, 0.3, 0.26, start=-1.9, sweep=5.6),
        [(0.27, 0.42), (0.25, 0.18), (0.42, 0.32)],
        [(0.58, 0.32), (0.75, 0.18), (0.73, 0.42)],
        _dot(0.41, 0.52, 0.025),
        _dot(0.59, 0.52, 0.025),
        [(0.47, 0.61), (0.5, 0.64), (0.53, 0.61)],
        [(0.43, 0.64), (0.2, 0.6)],
        [(0.43, 0.67), (0.21, 0.72)],
        [(0.57, 0.64), (0.8, 0.6)],
        [(0.57, 0.67), (0.79, 0.72)],
    ]


def apple() -> list[Stroke]:
    """An apple with a stem and a leaf."""
    return [
        _ellipse(0.5, 0.58, 0.3, 0.28, start=-1.5),
        [(0.5, 0.32), (0.52, 0.22), (0.55, 0.16)],
        [(0.54, 0.24), (0.64, 0.16), (0.74, 0.19), (0.64, 0.26), (0.54, 0.24)],
    ]


def car() -> list[Stroke]:
    """A side view of a car: body, cabin, two wheels."""
    return [
        [(0.12, 0.66), (0.12, 0.5), (0.3, 0.48), (0.38, 0.33), (0.66, 0.33), (0.74, 0.48),
         (0.9, 0.5), (0.9, 0.66), (0.12, 0.66)],
        [(0.4, 0.46), (0.45, 0.37), (0.53, 0.37), (0.53, 0.46), (0.4, 0.46)],
        [(0.58, 0.46), (0.58, 0.37), (0.64, 0.37), (0.69, 0.46), (0.58, 0.46)],
        _ellipse(0.3, 0.68, 0.08, 0.08),
        _ellipse(0.72, 0.68, 0.08, 0.08),
    ]  # fmt: skip


def flower() -> list[Stroke]:
    """A flower: a centre, five petals, a stem with a leaf."""
    strokes = [_ellipse(0.5, 0.35, 0.07, 0.07)]
    for k in range(5):
        angle = 2 * math.pi * k / 5 - math.pi / 2
        cx, cy = 0.5 + 0.15 * math.cos(angle), 0.35 + 0.15 * math.sin(angle)
        strokes.append(_ellipse(cx, cy, 0.075, 0.075, start=angle))
    strokes += [
        [(0.5, 0.5), (0.49, 0.7), (0.5, 0.9)],
        [(0.5, 0.75), (0.62, 0.66), (0.7, 0.68), (0.6, 0.76), (0.5, 0.77)],
    ]
    return strokes


def sun() -> list[Stroke]:
    """A sun with rays."""
    strokes = [_ellipse(0.5, 0.5, 0.18, 0.18)]
    for k in range(10):
        angle = 2 * math.pi * k / 10
        strokes.append(
            [(0.5 + 0.25 * math.cos(angle), 0.5 + 0.25 * math.sin(angle)),
             (0.5 + 0.38 * math.cos(angle), 0.5 + 0.38 * math.sin(angle))]
        )  # fmt: skip
    return strokes


def fish() -> list[Stroke]:
    """A fish: body, tail, eye."""
    return [
        _ellipse(0.45, 0.5, 0.27, 0.16, start=0.6, sweep=5.1),
        [(0.7, 0.42), (0.88, 0.3), (0.86, 0.7), (0.7, 0.58)],
        _dot(0.3, 0.46, 0.025),
    ]


def house() -> list[Stroke]:
    """A house: walls, roof, door, window."""
    return [
        [(0.22, 0.45), (0.22, 0.85), (0.78, 0.85), (0.78, 0.45)],
        [(0.15, 0.47), (0.5, 0.15), (0.85, 0.47), (0.15, 0.47)],
        [(0.44, 0.85), (0.44, 0.65), (0.56, 0.65), (0.56, 0.85)],
        [(0.28, 0.55), (0.38, 0.55), (0.38, 0.65), (0.28, 0.65), (0.28, 0.55)],
    ]


DOODLES: dict[str, tuple[str, Callable[[], list[Stroke]]]] = {
    "face": ("face", face),
    "cat": ("animal", cat),
    "fish": ("animal", fish),
    "apple": ("food", apple),
    "car": ("vehicle", car),
    "flower": ("nature", flower),
    "sun": ("nature", sun),
    "house": ("nature", house),  # no "building" category yet; shows what happens off-topic
}


def shoe() -> list[Stroke]:
    """A sneaker from the side: sole, upper, toe cap, laces."""
    return [
        [(0.12, 0.7), (0.88, 0.7), (0.9, 0.62), (0.84, 0.55), (0.62, 0.5), (0.5, 0.36),
         (0.3, 0.34), (0.16, 0.36), (0.12, 0.5), (0.12, 0.7)],
        [(0.12, 0.62), (0.9, 0.62)],
        [(0.3, 0.42), (0.36, 0.5)],
        [(0.38, 0.4), (0.44, 0.48)],
        [(0.46, 0.4), (0.52, 0.47)],
    ]  # fmt: skip


def shirt() -> list[Stroke]:
    """A T-shirt: body, short sleeves, round collar."""
    return [
        [(0.4, 0.18), (0.2, 0.25), (0.1, 0.42), (0.24, 0.48), (0.3, 0.4), (0.3, 0.85),
         (0.7, 0.85), (0.7, 0.4), (0.76, 0.48), (0.9, 0.42), (0.8, 0.25), (0.6, 0.18)],
        _ellipse(0.5, 0.18, 0.1, 0.07, start=0.0, sweep=3.1),
    ]  # fmt: skip


def rocket() -> list[Stroke]:
    """A rocket: pointed body, round window, two fins, a flame."""
    return [
        [(0.5, 0.1), (0.62, 0.28), (0.62, 0.68), (0.38, 0.68), (0.38, 0.28), (0.5, 0.1)],
        _ellipse(0.5, 0.38, 0.06, 0.06),
        [(0.38, 0.52), (0.26, 0.68), (0.26, 0.76), (0.38, 0.68)],
        [(0.62, 0.52), (0.74, 0.68), (0.74, 0.76), (0.62, 0.68)],
        [(0.43, 0.7), (0.46, 0.86), (0.5, 0.78), (0.54, 0.88), (0.57, 0.7)],
    ]  # fmt: skip


def moon() -> list[Stroke]:
    """A crescent moon: two arcs that meet at the tips."""
    return [
        _ellipse(0.5, 0.5, 0.32, 0.32, start=0.9, sweep=4.5),
        _ellipse(0.62, 0.46, 0.26, 0.27, start=2.1, sweep=2.3),
    ]


def star() -> list[Stroke]:
    """A five-pointed star drawn in one zigzag line."""
    points = []
    for k in range(11):
        angle = math.pi * k / 5 - math.pi / 2
        radius = 0.38 if k % 2 == 0 else 0.16
        points.append((0.5 + radius * math.cos(angle), 0.53 + radius * math.sin(angle)))
    return [points]


def tree() -> list[Stroke]:
    """A tree: a bumpy round crown on a trunk."""
    return [
        _ellipse(0.5, 0.36, 0.28, 0.24, start=1.3, sweep=5.9),
        [(0.44, 0.58), (0.44, 0.88), (0.56, 0.88), (0.56, 0.58)],
    ]


# Doodles for the categories the starter did not have. Kept out of ``DOODLES`` so the held-out
# set (and every card's ``doodles_*`` metrics) stays the same for all generators.
MORE_DOODLES: dict[str, tuple[str, Callable[[], list[Stroke]]]] = {
    "shoe": ("fashion", shoe),
    "shirt": ("fashion", shirt),
    "rocket": ("space", rocket),
    "moon": ("space", moon),
    "star": ("space", star),
    "tree": ("plant", tree),
}


def _wobble(points: Stroke, rng: np.random.Generator, amount: float) -> np.ndarray:
    """Resample a stroke densely and bend it with slow drift plus a little tremor."""
    pts = np.asarray(points, dtype=np.float64)
    seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
    length = np.concatenate([[0.0], np.cumsum(seg)])
    n = max(2, int(length[-1] * 200))
    t = np.linspace(0.0, length[-1], n)
    dense = np.stack([np.interp(t, length, pts[:, 0]), np.interp(t, length, pts[:, 1])], axis=1)
    drift = np.cumsum(rng.normal(0.0, amount, size=(n, 2)), axis=0)
    # A hand drifts smoothly; the canvas also smooths pointer samples into curves.
    window = np.ones(15) / 15
    drift = np.stack([np.convolve(drift[:, i], window, mode="same") for i in (0, 1)], axis=1)
    drift -= np.linspace(0, 1, n)[:, None] * drift[-1] * rng.uniform(0.3, 1.0)
    tremor = rng.normal(0.0, amount * 0.05, size=(n, 2))
    return dense + drift + tremor


def draw_doodle(
    name: str, *, size: int = 256, seed: int = 0, brush: float = 4.5, wobble: float = 0.0025
) -> Image.Image:
    """Draw the doodle ``name`` as a black-on-white RGB sketch, ``size`` pixels square.

    ``brush`` is in pixels at 256 (the site's medium brush is 9/512 of the side).
    """
    rng = np.random.default_rng(seed)
    scale = rng.uniform(0.85, 1.0)
    offset = rng.uniform(-0.05, 0.05, size=2)
    # Drawn at twice the size and scaled down: the canvas's strokes are anti-aliased too.
    side = 2 * size
    image = Image.new("RGB", (side, side), "white")
    pen = ImageDraw.Draw(image)
    width = max(1, round(brush * side / 256))
    for stroke in (DOODLES.get(name) or MORE_DOODLES[name])[1]():
        pts = (_wobble(stroke, rng, wobble) - 0.5) * scale + 0.5 + offset
        xy = [(float(x * side), float(y * side)) for x, y in pts]
        pen.line(xy, fill="black", width=width, joint="curve")
        for x, y in (xy[0], xy[-1]):
            pen.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill="black")
    return image.resize((size, size), Image.Resampling.LANCZOS)


def doodle_category(name: str) -> str:
    """The category slug a doodle (``face``, ``shoe``...) is a drawing of."""
    return (DOODLES.get(name) or MORE_DOODLES[name])[0]


# The held-out set: every doodle with a thin (small brush) and a thick (large brush) pen.
HELD_OUT_PENS = ((1, 4.5), (2, 9.0))


def held_out_doodles(size: int = 256, categories: Collection[str] = ()) -> dict[str, Image.Image]:
    """The doodles checkpoints are judged on, by file stem (``face-0``, ``face-1``...), plus
    the :data:`MORE_DOODLES` of any of ``categories`` (``shoe-0``...)."""
    names = list(DOODLES) + [n for n, (slug, _) in MORE_DOODLES.items() if slug in categories]
    return {
        f"{name}-{pen}": draw_doodle(name, size=size, seed=seed, brush=brush)
        for pen, (seed, brush) in enumerate(HELD_OUT_PENS)
        for name in names
    }


if __name__ == "__main__":
    # python -m inference.lab.pix2pix.doodles DIR [CATEGORY...]: write the held-out doodles (and
    # the extra ones of those categories) as DIR/<stem>.png
    import sys
    from pathlib import Path

    target = Path(sys.argv[1])
    target.mkdir(parents=True, exist_ok=True)
    for stem, image in held_out_doodles(categories=sys.argv[2:]).items():
        image.save(target / f"{stem}.png")
