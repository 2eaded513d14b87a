"""The sketches the load test's children draw: random crayon doodles, and the 256 px PNGs Peek
sends.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Sequence
from typing import Any

from PIL import Image, ImageDraw

CRAYONS = ["#e63946", "#f4a261", "#2a9d8f", "#457b9d", "#ffb703", "#8338ec", "#06d6a0"]


def _wobbly(rng: random.Random, points: list[tuple[float, float]], amount: float) -> list[Any]:
    return [(x + rng.uniform(-amount, amount), y + rng.uniform(-amount, amount)) for x, y in points]


# What the canvas uploads (static/js/sketch-pad.js, EXPORT_SIDE): a 512 px PNG with an alpha
# channel, as a browser's canvas.toBlob writes it, the strokes flattened onto white paper.
CANVAS_SIDE = 512


def child_sketch(rng: random.Random) -> bytes:
    """A PNG like a child's from the canvas: a wobbly blob with eyes, a few uneven strokes,
    sometimes crayon scribbles (the colour hints), black lines on white, drawn on a 256 grid
    and scaled to the canvas's 512 px RGBA export."""
    image = Image.new("RGBA", (CANVAS_SIDE, CANVAS_SIDE), "white")
    grid = ImageDraw.Draw(image)
    scale = CANVAS_SIDE / 256

    class Pen:  # the 256 grid's coordinates and widths, drawn at the canvas's side
        @staticmethod
        def line(xy: Any, fill: str, width: int, joint: str | None = None) -> None:
            flat = [
                float(v) for point in xy for v in (point if isinstance(point, tuple) else (point,))
            ]
            grid.line([v * scale for v in flat], fill=fill, width=round(width * scale), joint=joint)

        @staticmethod
        def ellipse(box: tuple[float, ...], outline: str, width: int) -> None:
            grid.ellipse([v * scale for v in box], outline=outline, width=round(width * scale))

    pen = Pen()
    cx, cy = rng.uniform(90, 166), rng.uniform(90, 166)
    radius = rng.uniform(40, 80)
    squash = rng.uniform(0.6, 1.1)
    outline = [
        (
            cx + radius * (1 + rng.uniform(-0.12, 0.12)) * math.cos(2 * math.pi * k / 28),
            cy + radius * squash * (1 + rng.uniform(-0.12, 0.12)) * math.sin(2 * math.pi * k / 28),
        )
        for k in range(28)
    ]
    gap = rng.randrange(len(outline))  # children leave gaps and overshoot
    closed = outline[gap:] + outline[: gap - 1 if rng.random() < 0.4 else gap + 2]
    pen.line(closed, fill="black", width=rng.randint(2, 4), joint="curve")
    for _ in range(2):  # eyes
        ex = cx + rng.choice((-1, 1)) * radius * rng.uniform(0.2, 0.45)
        ey = cy - radius * squash * rng.uniform(0.1, 0.35)
        r = rng.uniform(3, 8)
        pen.ellipse((ex - r, ey - r, ex + r, ey + r), outline="black", width=2)
    for _ in range(rng.randint(2, 5)):  # legs, wheels' spokes, petals: uneven strokes
        start = (cx + rng.uniform(-radius, radius), cy + rng.uniform(-radius, radius))
        steps = [start]
        for _ in range(rng.randint(2, 5)):
            x, y = steps[-1]
            steps.append((x + rng.uniform(-35, 35), y + rng.uniform(-35, 35)))
        pen.line(_wobbly(rng, steps, 2), fill="black", width=rng.randint(1, 5))
    if rng.random() < 0.6:  # crayon scribbles inside the shape
        colour = rng.choice(CRAYONS)
        for _ in range(rng.randint(3, 8)):
            x = cx + rng.uniform(-radius * 0.6, radius * 0.6)
            y = cy + rng.uniform(-radius * 0.5, radius * 0.5)
            pen.line((x, y, x + rng.uniform(-20, 20), y + rng.uniform(-8, 8)), fill=colour, width=6)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def small_sketches(pool: Sequence[bytes]) -> list[bytes]:
    """The sketches as the canvas's Peek sends them: 256 px PNG."""
    out = []
    for data in pool:
        image = Image.open(io.BytesIO(data)).convert("RGB").resize((256, 256))
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        out.append(buffer.getvalue())
    return out


def sketch_pool(count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    return [child_sketch(rng) for _ in range(count)]
