"""The canvas's twelve crayons, as ``#rrggbb``: one list for the drawing page and for training.

Training draws its sketches' lines and colour scribbles in these crayons, so a generator meets
at serving time exactly the colours a child can pick. Plain data: importing it loads nothing.
"""

from __future__ import annotations

# (hex, English name); the drawing page translates the names.
CRAYONS: tuple[tuple[str, str], ...] = (
    ("#111111", "Black"),
    ("#8a8f98", "Grey"),
    ("#7c4a1e", "Brown"),
    ("#e02424", "Red"),
    ("#f97316", "Orange"),
    ("#facc15", "Yellow"),
    ("#84cc16", "Light green"),
    ("#15803d", "Green"),
    ("#38bdf8", "Sky blue"),
    ("#1d4ed8", "Blue"),
    ("#7e3af2", "Purple"),
    ("#f472b6", "Pink"),
)


def crayon_rgb(hex_colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` as three 0-255 integers."""
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


CRAYON_RGB: tuple[tuple[int, int, int], ...] = tuple(crayon_rgb(h) for h, _ in CRAYONS)
