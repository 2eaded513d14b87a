"""Pandas drawn here, as SVG: the one thing every child knows is black and white.

The registry sources hold two panda pictures in all (OpenMoji's and Twemoji's), against hundreds
of warm cartoon faces, so a generator learns "round face → peach" and paints pandas so. These are
cartoon pandas the way picture books and children draw them — a white head with black ears, black
eye patches and a black nose, sometimes a white body with black arms and legs, sometimes bamboo —
varied in proportions, pose, outline and tilt; every seed draws the same pandas. They are this
project's own drawings (no third-party material).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator

from PIL import Image

from inference.lab.datasets.pictures import Picture, render_svg

SIDE = 512
INKS = ("#111111", "#1c1c1c", "#262626", "#2b2b33")
WHITES = ("#ffffff", "#fbfbf8", "#f6f6f2", "#f2f3f5")
CHEEKS = ("#f7a8b8", "#f5b3c1", "#f29bb0")
BAMBOO = ("#5aa845", "#6cbf4a", "#4f9a3c")


def _ellipse(cx: float, cy: float, rx: float, ry: float, fill: str, *, extra: str = "") -> str:
    return (
        f'<ellipse cx="{cx:.1f}" cy="{cy:.1f}" rx="{rx:.1f}" ry="{ry:.1f}" fill="{fill}" {extra}/>'
    )


def panda_svg(rng: random.Random) -> str:
    """One cartoon panda, drawn with ``rng``."""
    ink, white = rng.choice(INKS), rng.choice(WHITES)
    outline = f'stroke="{ink}" stroke-width="{rng.uniform(3, 10):.1f}"'
    whole_body = rng.random() < 0.45
    scale = rng.uniform(0.62, 0.8) if whole_body else rng.uniform(0.78, 1.0)
    rx = 150 * scale
    ry = rx * rng.uniform(0.82, 0.98)
    cx = SIDE / 2 + rng.uniform(-25, 25)
    cy = (SIDE * 0.36 if whole_body else SIDE / 2) + rng.uniform(-20, 20)
    parts: list[str] = []
    if rng.random() < 0.3:  # a stem of bamboo behind the panda
        bx = cx + rng.choice((-1, 1)) * rx * rng.uniform(0.9, 1.3)
        green = rng.choice(BAMBOO)
        parts.append(
            f'<rect x="{bx - 9:.1f}" y="40" width="18" height="{SIDE - 80}" rx="8" '
            f'fill="{green}" stroke="{ink}" stroke-width="3"/>'
        )
        for leaf in range(rng.randint(2, 4)):
            ly = 70 + leaf * rng.uniform(80, 110)
            side = rng.choice((-1, 1))
            parts.append(
                _ellipse(
                    bx + side * 34,
                    ly,
                    34,
                    11,
                    green,
                    extra=f'stroke="{ink}" stroke-width="3" '
                    f'transform="rotate({side * -25} {bx + side * 34:.1f} {ly:.1f})"',
                )
            )
    if whole_body:
        by, brx = cy + ry * 1.45, rx * rng.uniform(0.95, 1.15)
        bry = ry * rng.uniform(0.95, 1.15)
        for side in (-1, 1):  # legs, then arms, then the white tummy over them
            parts.append(
                _ellipse(
                    cx + side * brx * 0.55,
                    by + bry * 0.75,
                    brx * 0.36,
                    bry * 0.3,
                    ink,
                    extra=outline,
                )
            )
        for side in (-1, 1):
            parts.append(
                _ellipse(
                    cx + side * brx * 0.82,
                    by - bry * 0.1,
                    brx * 0.24,
                    bry * 0.5,
                    ink,
                    extra=outline,
                )
            )
        parts.append(_ellipse(cx, by, brx * 0.78, bry * 0.85, white, extra=outline))
        if rng.random() < 0.5:  # the black band over the shoulders
            parts.append(_ellipse(cx, by - bry * 0.62, brx * 0.7, bry * 0.2, ink, extra=outline))
    ear_angle = math.radians(rng.uniform(38, 52))
    ear_r = rx * rng.uniform(0.26, 0.36)
    for side in (-1, 1):
        ex = cx + side * rx * math.sin(ear_angle) * 0.92
        ey = cy - ry * math.cos(ear_angle) * 0.92
        parts.append(_ellipse(ex, ey, ear_r, ear_r, ink, extra=outline))
    parts.append(_ellipse(cx, cy, rx, ry, white, extra=outline))
    patch_tilt = rng.uniform(18, 40)
    patch_rx, patch_ry = rx * rng.uniform(0.17, 0.25), rx * rng.uniform(0.24, 0.33)
    eye_dx, eye_dy = rx * rng.uniform(0.32, 0.42), ry * rng.uniform(-0.12, 0.04)
    for side in (-1, 1):
        px, py = cx + side * eye_dx, cy + eye_dy
        parts.append(
            _ellipse(
                px,
                py,
                patch_rx,
                patch_ry,
                ink,
                extra=f'transform="rotate({side * -patch_tilt:.1f} {px:.1f} {py:.1f})"',
            )
        )
        eye_r = patch_rx * rng.uniform(0.35, 0.55)
        ox = px + side * patch_rx * 0.15
        parts.append(_ellipse(ox, py - patch_ry * 0.1, eye_r, eye_r, white))
        parts.append(_ellipse(ox, py - patch_ry * 0.05, eye_r * 0.55, eye_r * 0.55, ink))
    ny = cy + ry * rng.uniform(0.22, 0.32)
    parts.append(_ellipse(cx, ny, rx * rng.uniform(0.1, 0.15), ry * rng.uniform(0.06, 0.1), ink))
    mouth = ry * rng.uniform(0.1, 0.16)
    parts.append(
        f'<path d="M {cx - mouth:.1f} {ny + mouth * 0.7:.1f} Q {cx - mouth / 2:.1f} '
        f"{ny + mouth * 1.5:.1f} {cx:.1f} {ny + mouth * 0.6:.1f} Q {cx + mouth / 2:.1f} "
        f'{ny + mouth * 1.5:.1f} {cx + mouth:.1f} {ny + mouth * 0.7:.1f}" fill="none" '
        f'stroke="{ink}" stroke-width="{max(3.0, rx * 0.03):.1f}" stroke-linecap="round"/>'
    )
    if rng.random() < 0.35:  # rosy cheeks, as children often add
        cheek = rng.choice(CHEEKS)
        for side in (-1, 1):
            parts.append(_ellipse(cx + side * rx * 0.62, ny, rx * 0.11, ry * 0.07, cheek))
    tilt = rng.uniform(-14, 14)
    body = "".join(parts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIDE}" height="{SIDE}" '
        f'viewBox="0 0 {SIDE} {SIDE}"><g transform="rotate({tilt:.1f} {SIDE / 2} {SIDE / 2})">'
        f"{body}</g></svg>"
    )


def panda_pictures(count: int, seed: int = 0, side: int = SIDE) -> Iterator[Picture]:
    """``count`` drawn pandas; the same seed draws the same pandas, each on its own."""
    for index in range(count):
        key = f"panda-{seed}-{index:05d}"

        def load(key: str = key) -> Image.Image:
            drawing = panda_svg(random.Random(key))  # noqa: S311 - art, not secrets
            return render_svg(drawing.encode(), side)

        yield Picture(key=key, category="panda", load=load)
