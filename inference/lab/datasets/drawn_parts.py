"""The pen the drawn things (:mod:`inference.lab.datasets.drawn_things`) are drawn with.

Shapes are SVG elements without paint (:func:`ellipse`, :func:`rect`, :func:`path`...); a
:class:`Pen` paints them in a flat colour with the picture's dark outline, whose ink and width
it picks once per picture, and wraps everything in a 512 px SVG, tilted or mirrored.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

SIDE = 512
INKS = ("#111111", "#1c1c1c", "#262626", "#2b2b33", "#2a1f1a", "#1d2433")
WHITE = "#ffffff"
PINKS = ("#f7a8b8", "#f5b3c1", "#ff9fb5", "#f29bb0")
Point = tuple[float, float]


def pd(*items: object) -> str:
    """Path data from commands, numbers and (x, y) points: ``pd("M", (1, 2), "L", 3, 4)``."""
    words: list[str] = []
    for item in items:
        if isinstance(item, tuple):
            words.extend(f"{v:.1f}" for v in item)
        elif isinstance(item, int):
            words.append(str(item))  # arc flags must be integers
        elif isinstance(item, float):
            words.append(f"{item:.1f}")
        else:
            words.append(str(item))
    return " ".join(words)


def _turn(rotate: float, cx: float, cy: float) -> str:
    return f' transform="rotate({rotate:.1f} {cx:.1f} {cy:.1f})"' if rotate else ""


def ellipse(cx: float, cy: float, rx: float, ry: float, rotate: float = 0.0) -> str:
    return (
        f'<ellipse cx="{cx:.1f}" cy="{cy:.1f}" rx="{rx:.1f}" ry="{ry:.1f}"{_turn(rotate, cx, cy)}/>'
    )


def circle(cx: float, cy: float, r: float) -> str:
    return ellipse(cx, cy, r, r)


def rect(x: float, y: float, w: float, h: float, r: float = 0.0, *, rotate: float = 0.0) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="{r:.1f}"'
        f"{_turn(rotate, x + w / 2, y + h / 2)}/>"
    )


def polygon(points: Sequence[Point]) -> str:
    return f'<polygon points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in points)}"/>'


def path(d: str) -> str:
    return f'<path d="{d}"/>'


def star_points(
    cx: float, cy: float, r_out: float, r_in: float, *, n: int = 5, turn: float = -90.0
) -> list[Point]:
    """The corners of an ``n``-pointed star, its first point at ``turn`` degrees."""
    points = []
    for k in range(2 * n):
        angle = math.radians(turn + k * 180 / n)
        r = r_out if k % 2 == 0 else r_in
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    return points


def drop(cx: float, cy: float, r: float, length: float, angle: float = 0.0) -> str:
    """A drop (a flame, a raindrop): round at (cx, cy), its tip ``length`` above, turned."""
    tip, mid = (cx, cy - length), cy - length * 0.45
    d = pd("M", tip, "Q", (cx + r * 1.05, mid), (cx + r, cy), "A", r, r, 0, 0, 1, (cx - r, cy))
    return f'<path d="{d} {pd("Q", (cx - r * 1.05, mid), tip, "Z")}"{_turn(angle, cx, cy)}/>'


def leaf(start: Point, end: Point, width: float) -> str:
    """A pointed leaf (a lens) from ``start`` to ``end``, ``width`` across."""
    (x0, y0), (x1, y1) = start, end
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    nx, ny = -(y1 - y0) / length * width, (x1 - x0) / length * width
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    return path(pd("M", start, "Q", (mx + nx, my + ny), end, "Q", (mx - nx, my - ny), start, "Z"))


def shade(colour: str, amount: float) -> str:
    """``colour`` mixed toward white (``amount`` > 0) or black (< 0) by ``|amount|``."""
    target = 255 if amount > 0 else 0
    channels = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c + (target - c) * abs(amount)):02x}" for c in channels)


class Pen:
    """Paints shapes in flat colours with one picture's outline; ``rng`` draws the picture."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.ink = rng.choice(INKS)
        self.width = rng.uniform(3.0, 10.0)
        self.parts: list[str] = []
        self._clips = 0

    def _style(self, fill: str, outline: bool | float) -> str:
        style = f'fill="{fill}"'
        if outline:
            width = self.width * (1.0 if outline is True else float(outline))
            style += f' stroke="{self.ink}" stroke-width="{width:.1f}" stroke-linejoin="round"'
        return style

    def add(self, element: str, fill: str, outline: bool | float = True) -> None:
        """``element`` filled with ``fill``, outlined (``outline`` scales the line) or not."""
        self.parts.append(f"{element[:-2]} {self._style(fill, outline)}/>")

    def union(self, elements: Sequence[str], fill: str, outline: bool | float = True) -> None:
        """Overlapping shapes as one (a cloud, a scoop): one outline around them all."""
        if outline:
            scale = 2.0 * (1.0 if outline is True else float(outline))
            for element in elements:
                self.add(element, self.ink, scale)
        for element in elements:
            self.add(element, fill, outline=False)

    def line(
        self, d: str, colour: str | None = None, width: float | None = None, cap: str = "round"
    ) -> None:
        """An unfilled stroke along path data ``d`` (the outline's ink and width by default)."""
        self.parts.append(
            f'<path d="{d}" fill="none" stroke="{colour or self.ink}" '
            f'stroke-width="{width or self.width:.1f}" stroke-linecap="{cap}" '
            'stroke-linejoin="round"/>'
        )

    def tube(self, d: str, colour: str, width: float, cap: str = "round") -> None:
        """A thick outlined stroke (a handle, a stem, a ray)."""
        self.line(d, self.ink, width + 2 * self.width, cap)
        self.line(d, colour, width, cap)

    @contextmanager
    def clipped(self, element: str) -> Iterator[None]:
        """Whatever is drawn inside stays inside ``element`` (stripes on a fish)."""
        self._clips += 1
        self.parts.append(f'<clipPath id="clip{self._clips}">{element}</clipPath>')
        self.parts.append(f'<g clip-path="url(#clip{self._clips})">')
        yield
        self.parts.append("</g>")

    @contextmanager
    def moved(self, transform: str) -> Iterator[None]:
        """Whatever is drawn inside is moved by the SVG ``transform``."""
        self.parts.append(f'<g transform="{transform}">')
        yield
        self.parts.append("</g>")

    def svg(self, tilt: float = 0.0, flip: bool = False) -> str:
        """The picture as SVG, turned by ``tilt`` degrees and mirrored when ``flip``."""
        mirror = f" translate({SIDE} 0) scale(-1 1)" if flip else ""
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIDE}" height="{SIDE}" '
            f'viewBox="0 0 {SIDE} {SIDE}"><g transform="rotate({tilt:.1f} {SIDE / 2} '
            f'{SIDE / 2}){mirror}">{"".join(self.parts)}</g></svg>'
        )

    # Small parts many things share.
    def eye(self, x: float, y: float, r: float) -> None:
        self.add(circle(x, y, r), self.ink, outline=False)
        self.add(circle(x - r * 0.3, y - r * 0.35, r * 0.35), WHITE, outline=False)

    def face(self, cx: float, cy: float, size: float, cheeks: bool | None = None) -> None:
        """Eyes, a smile and maybe rosy cheeks, ``size`` wide, centred at (cx, cy)."""
        rng, dx = self.rng, size * 0.5
        if rng.random() < 0.75:
            for side in (-1, 1):
                self.eye(cx + side * dx * 0.6, cy, size * 0.09)
        else:  # happy closed eyes
            for side in (-1, 1):
                x = cx + side * dx * 0.6
                self.line(
                    pd(
                        "M",
                        (x - size * 0.1, cy + 4),
                        "Q",
                        (x, cy - size * 0.1),
                        (x + size * 0.1, cy + 4),
                    ),
                    width=max(3.0, size * 0.045),
                )
        smile = size * rng.uniform(0.12, 0.22)
        self.line(
            pd(
                "M",
                (cx - smile, cy + size * 0.2),
                "Q",
                (cx, cy + size * 0.2 + smile * 1.3),
                (cx + smile, cy + size * 0.2),
            ),
            width=max(3.0, size * 0.045),
        )
        if cheeks if cheeks is not None else rng.random() < 0.5:
            pink = rng.choice(PINKS)
            for side in (-1, 1):
                self.add(
                    ellipse(cx + side * dx * 0.82, cy + size * 0.17, size * 0.1, size * 0.065),
                    pink,
                    outline=False,
                )

    def sparkle(self, x: float, y: float, r: float, colour: str = WHITE) -> None:
        self.add(polygon(star_points(x, y, r, r * 0.3, n=4)), colour, outline=0.5)
