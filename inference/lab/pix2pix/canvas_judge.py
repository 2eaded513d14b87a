"""Judge generators on the canvas dev set: drawings made in a browser on the real canvas.

The dev set (``scripts/canvas_devset.py``) holds, for each of many things, a child-like drawing
in three variants that share their strokes: ``black`` lines, the same lines in a ``crayon``,
and black lines with ``coloured`` shapes (a crayon scribbled inside, its shape recorded as a
polygon). :func:`judge` draws every sketch with a generator (each as its thing) and measures
what the child would notice (:mod:`.colour_metrics`):

* **hint kept** — in every coloured shape, is the picture the crayon's colour there?
* **crayon lines** — how far the picture of the crayon twin is from the black one's;
* **fill spread** — how much colour wanders inside the sketch's closed shapes (cleanliness);
* **colour plausibility** — the picture of the uncoloured drawing against the hue profile of
  the thing's real pictures;
* **suggestion** (optional) — does the sketch classifier name the thing in its top 3?

Plain numpy/torch/Pillow, no Django; the caller brings a ``draw`` function.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import fmean
from typing import Any

import cv2
import numpy as np
from PIL import Image

from inference.serving.crayons import crayon_rgb
from inference.serving.pix2pix import colour_metrics as cm

SIDE = 256
# A coloured shape is judged a little inside its outline, clear of the line and its soft edge.
INSET_PX = 6

DrawFn = Callable[[Sequence[Image.Image], Sequence[str | None]], list[Image.Image]]
SuggestFn = Callable[[Sequence[Image.Image]], list[list[str]]]


@dataclass(frozen=True)
class Drawing:
    """One dev-set sketch and what is known about it."""

    file: Path
    thing: str
    variant: str  # black | crayon | coloured
    base: str  # shared by the variants of one drawing
    fills: tuple[tuple[tuple[int, int, int], np.ndarray], ...]  # (crayon RGB, area mask)

    def sketch(self) -> Image.Image:
        """The submitted PNG on white, fitted to the generators' side."""
        with Image.open(self.file) as image:
            rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, "white")
        flat = Image.alpha_composite(paper, rgba).convert("RGB")
        return flat.resize((SIDE, SIDE), Image.Resampling.LANCZOS)


def polygon_area(points: Sequence[Sequence[float]], side: int) -> np.ndarray:
    """A coloured shape's polygon (0-1 coordinates) filled on a ``side`` x ``side`` uint8 mask."""
    mask = np.zeros((side, side), np.uint8)
    polygon = np.round(np.array(points, dtype=np.float64) * side).astype(np.int32)
    cv2.fillPoly(mask, [polygon], 1)
    return mask


def _polygon_mask(points: Sequence[Sequence[float]]) -> np.ndarray:
    mask = polygon_area(points, SIDE)
    inset = cv2.erode(mask, np.ones((2 * INSET_PX + 1, 2 * INSET_PX + 1), np.uint8))
    return inset > 0


def read_manifest(folder: Path) -> list[dict[str, Any]]:
    """The entries of ``folder/devset.json`` as written; ``FileNotFoundError`` if there is none."""
    manifest = Path(folder) / "devset.json"
    if not manifest.is_file():
        raise FileNotFoundError(
            f"{manifest} does not exist: build it with scripts/canvas_devset.py --out {folder}"
        )
    entries: list[dict[str, Any]] = json.loads(manifest.read_text(encoding="utf-8"))["drawings"]
    return entries


def load_devset(folder: Path) -> list[Drawing]:
    """The drawings listed in ``folder/devset.json``; ``FileNotFoundError`` if there is none."""
    drawings = []
    for entry in read_manifest(folder):
        fills = tuple(
            (crayon_rgb(fill["crayon"]), _polygon_mask(fill["polygon"]))
            for fill in entry.get("fills", [])
        )
        drawings.append(
            Drawing(
                file=Path(folder) / entry["file"],
                thing=entry["thing"],
                variant=entry["variant"],
                base=str(entry["base"]),
                fills=tuple((rgb, mask) for rgb, mask in fills if mask.any()),
            )
        )
    return drawings


def judge(
    drawings: Sequence[Drawing],
    draw: DrawFn,
    *,
    references: Mapping[str, np.ndarray] | None = None,
    suggest: SuggestFn | None = None,
    batch: int = 8,
) -> dict[str, Any]:
    """Every measure of the module's docstring for one generator, with per-thing detail."""
    sketches = [d.sketch() for d in drawings]
    pictures: list[np.ndarray] = []
    for start in range(0, len(drawings), batch):
        chunk = drawings[start : start + batch]
        drawn = draw(sketches[start : start + batch], [d.thing for d in chunk])
        pictures += [np.asarray(p.convert("RGB").resize((SIDE, SIDE))) for p in drawn]

    kept: list[bool] = []
    delta_e: list[float] = []
    spread: dict[str, list[float]] = defaultdict(list)
    plausible: dict[str, list[float]] = defaultdict(list)
    by_base: dict[str, dict[str, np.ndarray]] = defaultdict(dict)
    per_thing_kept: dict[str, list[bool]] = defaultdict(list)
    for drawing, sketch, picture in zip(drawings, sketches, pictures, strict=True):
        by_base[drawing.base][drawing.variant] = picture
        value = cm.fill_spread(picture, cm.closed_shapes(np.asarray(sketch)))
        if value is not None:
            spread[drawing.variant].append(value)
        for crayon, area in drawing.fills:
            result = cm.hint_kept(picture, area, crayon)
            kept.append(result["kept"])
            per_thing_kept[drawing.thing].append(result["kept"])
            delta_e.append(result["delta_e"])
        if references and drawing.variant == "black" and drawing.thing in references:
            overlap = cm.histogram_overlap(cm.hue_histogram(picture), references[drawing.thing])
            plausible[drawing.thing].append(overlap)
    twins = [
        cm.twin_distance(variants["black"], variants["crayon"])
        for variants in by_base.values()
        if "black" in variants and "crayon" in variants
    ]
    report: dict[str, Any] = {
        "drawings": len(drawings),
        "hint_kept": _share(kept),
        "hint_delta_e": _mean(delta_e),
        "coloured_shapes": len(kept),
        "crayon_twin_distance": _mean(twins),
        "crayon_twins": len(twins),
        "fill_spread": _mean([v for values in spread.values() for v in values]),
        "fill_spread_by_variant": {k: _mean(v) for k, v in sorted(spread.items())},
        "hint_kept_by_thing": {k: _share(v) for k, v in sorted(per_thing_kept.items())},
    }
    if plausible:
        report["colour_plausibility"] = _mean([v for values in plausible.values() for v in values])
        report["colour_plausibility_by_thing"] = {k: _mean(v) for k, v in sorted(plausible.items())}
    if suggest is not None:
        guesses = suggest(sketches)
        hits = [d.thing in top[:3] for d, top in zip(drawings, guesses, strict=True)]
        firsts = [bool(top) and top[0] == d.thing for d, top in zip(drawings, guesses, strict=True)]
        report["suggestion_top3"] = _share(hits)
        report["suggestion_top1"] = _share(firsts)
    return report


def reference_profiles(
    pictures_by_thing: Mapping[str, Sequence[np.ndarray]],
) -> dict[str, np.ndarray]:
    """Each thing's mean hue profile over its real pictures (``H x W x 3`` uint8)."""
    return {
        thing: np.mean([cm.hue_histogram(p) for p in pictures], axis=0)
        for thing, pictures in pictures_by_thing.items()
        if pictures
    }


def _share(values: Sequence[bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _mean(values: Sequence[float]) -> float | None:
    return round(fmean(values), 3) if values else None
