"""The canvas dev set builder draws on the real page and keeps exactly what the page sends."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from PIL import Image, ImageDraw

from inference.serving.crayons import crayon_rgb

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
THINGS = ("sun", "star")


def load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "canvas_devset", ROOT / "scripts" / "canvas_devset.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


def coverage(path: Path, crayon: str) -> np.ndarray:
    """How much of each pixel the crayon covers (0 white paper .. 1 the crayon itself)."""
    rgb = np.asarray(Image.open(path).convert("RGB"), dtype=float)
    depth = 255.0 - np.asarray(crayon_rgb(crayon), dtype=float)
    channel = int(depth.argmax())  # the channel where the crayon differs most from white
    return np.clip((255.0 - rgb[..., channel]) / depth[channel], 0.0, 1.0)


def near(path: Path, crayon: str, tolerance: float = 40.0) -> np.ndarray:
    rgb = np.asarray(Image.open(path).convert("RGB"), dtype=float)
    return np.abs(rgb - np.asarray(crayon_rgb(crayon), dtype=float)).max(axis=2) <= tolerance


def polygon_mask(polygon: list[list[float]], side: int, grow: int) -> np.ndarray:
    mask = Image.new("L", (side, side), 0)
    pen = ImageDraw.Draw(mask)
    points = [(x * side, y * side) for x, y in polygon]
    pen.polygon(points, fill=255)
    pen.line([*points, points[0]], fill=255, width=2 * grow)  # a child's edge of the line
    return np.asarray(mask) > 0


@pytest.fixture(scope="module")
def devset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, ModuleType]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    builder = load_builder()
    out = tmp_path_factory.mktemp("devset")
    builder.build(out, things=list(THINGS), seeds=1, log=lambda _line: None)
    return out, json.loads((out / "devset.json").read_text()), builder


def test_every_drawing_is_listed_and_is_the_png_the_canvas_exports(devset) -> None:
    out, manifest, builder = devset
    drawings = manifest["drawings"]
    assert {(d["thing"], d["variant"]) for d in drawings} == {
        (t, v) for t in THINGS for v in ("black", "crayon", "coloured")
    }
    assert sorted(p.name for p in out.glob("*.png")) == sorted(d["file"] for d in drawings)
    for drawing in drawings:
        picture = Image.open(out / drawing["file"])
        assert picture.format == "PNG"
        assert picture.size == (builder.EXPORT_SIDE, builder.EXPORT_SIDE)
    assert "Playwright" in manifest["made_by"]
    assert manifest["command"] and manifest["created_at"]


def test_the_crayon_twin_has_the_same_lines_in_another_colour(devset) -> None:
    out, manifest, _ = devset
    by_key = {(d["base"], d["variant"]): d for d in manifest["drawings"]}
    for base in {d["base"] for d in manifest["drawings"]}:
        black, twin = by_key[base, "black"], by_key[base, "crayon"]
        assert twin["line_crayon"] != black["line_crayon"] == "#111111"
        ink_black = coverage(out / black["file"], black["line_crayon"]) >= 0.5
        ink_twin = coverage(out / twin["file"], twin["line_crayon"]) >= 0.5
        differ = np.logical_xor(ink_black, ink_twin).sum()
        assert ink_black.sum() > 2000
        assert differ <= 0.03 * ink_black.sum(), f"{base}: the twin's strokes moved"
        # ... and it really is the other crayon, not black.
        assert near(out / twin["file"], twin["line_crayon"])[ink_twin].mean() > 0.5
        assert near(out / black["file"], "#111111")[ink_black].mean() > 0.5


def test_the_colouring_in_lies_inside_the_recorded_shape(devset) -> None:
    out, manifest, _ = devset
    coloured = [d for d in manifest["drawings"] if d["variant"] == "coloured"]
    assert coloured and all(d["fills"] for d in coloured)
    for drawing in coloured:
        side = Image.open(out / drawing["file"]).size[0]
        for fill in drawing["fills"]:
            assert fill["crayon"] != drawing["line_crayon"]
            assert 0 < fill["area_fraction"] < 1
            scribble = near(out / drawing["file"], fill["crayon"])
            assert scribble.sum() > 300, f"{drawing['file']}: no {fill['crayon']} scribble"
            # Two shapes may share a crayon (a fish and its tail): either is the right place.
            inside = np.zeros((side, side), dtype=bool)
            for same in drawing["fills"]:
                if same["crayon"] == fill["crayon"]:
                    inside |= polygon_mask(same["polygon"], side, grow=3)
            assert scribble[inside].sum() >= 0.97 * scribble.sum(), drawing["file"]
