"""The dev set: child-like sketches no checkpoint trained on, with a target picture where one
is known.

* the dataset's ``val`` line art pushed through
  :func:`~inference.serving.pix2pix.sketchify.sketchify_pair` at its strongest
  (:data:`DEVSET_STYLE`), which moves the colour picture with the shared geometry, so these sketches
  keep a paired target picture;
* the hand-drawn-style doodles of :mod:`inference.lab.pix2pix.doodles` (no target picture).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from inference.lab.pix2pix.doodles import (
    DOODLES,
    MORE_DOODLES,
    doodle_category,
    draw_doodle,
    held_out_doodles,
)
from inference.serving.pix2pix.data import find_pairs, to_tensor
from inference.serving.pix2pix.imaging import batch_to_images, image_to_array
from inference.serving.pix2pix.sketchify import SketchStyle, sketchify_pair

SIZE = 256
DEVSET_FILE = "devset.json"

# The project's sketch augmentation at its strongest: the training style's full ranges (small,
# off-centre, rotated, wobbly, uneven, gappy strokes in pencil or crayon) with the tidy
# pass-through switched off, so every dev sketch is damaged.
DEVSET_STYLE = SketchStyle(clean_probability=0.0)
# Canvas brushes: the site's medium pen and its large one (pixels at 256).
DOODLE_BRUSHES = (4.5, 9.0)


@dataclass(frozen=True)
class DevSketch:
    """One dev-set sketch: its category, the sketch, and the target picture when known."""

    stem: str
    category: str
    kind: str  # "sketchified-val" or "doodle"
    sketch: Image.Image
    target: Image.Image | None = None


def val_categories(dataset_dir: Path) -> dict[str, str]:
    """``val/<file>`` -> category slug, from ``dataset.json`` when it lists its images."""
    manifest = dataset_dir / "dataset.json"
    if not manifest.is_file():
        return {}
    document = json.loads(manifest.read_text(encoding="utf-8"))
    return {entry["file"]: entry["category"] for entry in document.get("images", [])}


def build_devset(
    dataset_dir: Path,
    out_dir: Path,
    *,
    variants: int = 3,
    seed: int = 0,
    doodles: bool = True,
    pens: Sequence[float] = DOODLE_BRUSHES,
    more_doodles: bool = False,
    size: int = SIZE,
) -> list[dict[str, Any]]:
    """Write a deterministic dev set to ``out_dir``; return its items (as in ``devset.json``).

    Each ``val`` pair of ``dataset_dir`` (``A|B`` files named ``<category>__<id>.png``, or
    listed in ``dataset.json``) gives ``variants`` child-like sketches, each with its target
    picture moved by the same placement (``variants`` 0: none, and ``val`` is not read); the
    doodles add one sketch per pen width in ``pens`` (pixels at 256), the fashion/space/plant
    doodles too with ``more_doodles``. The same arguments always give byte-identical files.
    Raises ``FileNotFoundError`` when ``val`` has no pairs.
    """
    dataset_dir, out_dir = Path(dataset_dir), Path(out_dir)
    pairs = find_pairs(dataset_dir / "val") if variants > 0 else []
    categories = val_categories(dataset_dir)
    (out_dir / "sketches").mkdir(parents=True, exist_ok=True)
    (out_dir / "targets").mkdir(parents=True, exist_ok=True)
    items: list[dict[str, Any]] = []
    for index, source in enumerate(pairs):
        origin = f"val/{source.sketch.name}"
        category = categories.get(origin, source.sketch.stem.split("__")[0])
        line_art, picture = (to_tensor(image) for image in source.load(size))
        for variant in range(variants):
            rng = np.random.default_rng([seed, index, variant])
            child, target = sketchify_pair(line_art, picture, rng, DEVSET_STYLE)
            stem = f"{source.sketch.stem}-{variant}"
            sketch_image, target_image = batch_to_images(torch.stack([child, target]))
            sketch_image.save(out_dir / "sketches" / f"{stem}.png")
            target_image.save(out_dir / "targets" / f"{stem}.png")
            items.append({
                "stem": stem, "category": category, "kind": "sketchified-val",
                "sketch": f"sketches/{stem}.png", "target": f"targets/{stem}.png",
                "origin": origin, "seed": [seed, index, variant],
            })  # fmt: skip
    shapes = {**DOODLES, **(MORE_DOODLES if more_doodles else {})}
    if doodles:
        for pen, brush in enumerate(pens):
            for number, (name, (category, _)) in enumerate(shapes.items()):
                doodle_seed = 1000 * (seed + 1) + 10 * number + pen
                stem = f"doodle-{name}-{pen}"
                draw_doodle(name, size=size, seed=doodle_seed, brush=brush).save(
                    out_dir / "sketches" / f"{stem}.png"
                )
                items.append({
                    "stem": stem, "category": category, "kind": "doodle",
                    "sketch": f"sketches/{stem}.png", "target": None,
                    "origin": f"inference.lab.pix2pix.doodles:{name}", "seed": doodle_seed,
                    "brush_px": brush,
                })  # fmt: skip
    document = {
        "description": "Child-like dev sketches for choosing checkpoints (never training edges).",
        "dataset": str(dataset_dir),
        "seed": seed,
        "variants": variants,
        "size": size,
        "style": dataclasses.asdict(DEVSET_STYLE),
        "items": items,
    }
    (out_dir / DEVSET_FILE).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return items


def load_devset(devset_dir: Path, size: int = SIZE) -> list[DevSketch]:
    """Read a dev set written by :func:`build_devset` (or by hand, in the same layout).

    Raises ``FileNotFoundError`` naming the missing file and ``ValueError`` for a malformed
    ``devset.json``.
    """
    devset_dir = Path(devset_dir)
    manifest = devset_dir / DEVSET_FILE
    if not manifest.is_file():
        raise FileNotFoundError(f"{manifest} does not exist: build one with --build-devset DIR")
    try:
        document = json.loads(manifest.read_text(encoding="utf-8"))
        entries = document["items"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ValueError(f"{manifest} is not a dev-set manifest ({exc})") from exc
    items = []
    for entry in entries:
        try:
            stem, category, sketch_name = entry["stem"], entry["category"], entry["sketch"]
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{manifest}: each item needs stem, category, sketch") from exc
        target_name = entry.get("target")
        items.append(
            DevSketch(
                stem=stem,
                category=category,
                kind=entry.get("kind", "sketch"),
                sketch=_read_image(devset_dir / sketch_name, size),
                target=_read_image(devset_dir / target_name, size) if target_name else None,
            )
        )
    if not items:
        raise ValueError(f"{manifest} lists no sketches")
    return items


def _read_image(path: Path, size: int) -> Image.Image:
    if not path.is_file():
        raise FileNotFoundError(f"{path} is listed in the dev set but does not exist")
    with Image.open(path) as image:
        return Image.fromarray(image_to_array(image, size))


def doodle_items(size: int = SIZE, categories: Collection[str] = ()) -> list[DevSketch]:
    """The held-out doodles (thin and thick pen, plus the extra doodles of ``categories``) as
    dev sketches without targets, each with its category."""
    return [
        DevSketch(stem, doodle_category(stem.rsplit("-", 1)[0]), "doodle", sketch)
        for stem, sketch in held_out_doodles(size, categories).items()
    ]
