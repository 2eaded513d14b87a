"""``manage.py judge_pictures``: generators v3's measures on the canvas dev set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser
from PIL import Image

from inference.pix2pix import picture_judge as pj


class Command(BaseCommand):
    """Draw every canvas dev-set sketch with each generator and print what a child notices
    (:mod:`inference.pix2pix.picture_judge`): chroma of uncoloured outlines per thing, line
    colour kept, hue kept in coloured areas (small ones apart), mottle, waffle, paper dirty and
    picture size. Installed generators draw as served (``--model``); palette painters from a
    checkpoint (``--checkpoint``). ``--pictures DIR`` keeps each one's pictures in
    ``DIR/<name>/`` for contact sheets::

        manage.py judge_pictures --devset data/devsets/canvas --model kids2p \\
            --checkpoint data/runs/kids3/checkpoints/epoch-0010.safetensors --out judge.json
    """

    help = "Judge generators on the canvas dev set by what a child notices (issue 19)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--devset", type=Path, required=True)
        parser.add_argument("--model", action="append", default=[], help="installed generator")
        parser.add_argument("--checkpoint", action="append", default=[], type=Path)
        parser.add_argument("--out", type=Path, help="write the JSON report here too")
        parser.add_argument("--pictures", type=Path, help="keep the pictures under DIR/<name>/")
        parser.add_argument(
            "--regions",
            type=Path,
            help="judge each checkpoint also with this region model (train_region_colours)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        devset: Path = options["devset"]
        manifest = devset / "devset.json"
        if not manifest.is_file():
            raise CommandError(f"No {manifest}: build it with scripts/canvas_devset.py first.")
        entries = json.loads(manifest.read_text(encoding="utf-8"))["drawings"]
        if not options["model"] and not options["checkpoint"]:
            raise CommandError("Name at least one --model or --checkpoint to judge.")
        sketches = [np.asarray(Image.open(devset / e["file"]).convert("RGB")) for e in entries]
        report = {}
        for name, draw in self._drawers(options):
            pictures = draw(sketches, [e["thing"] for e in entries])
            if options["pictures"]:
                folder = options["pictures"] / name
                folder.mkdir(parents=True, exist_ok=True)
                for entry, picture in zip(entries, pictures, strict=True):
                    Image.fromarray(picture).save(folder / entry["file"])
            rows = [
                (e["thing"], e["variant"], pj.judge_picture(s, p, e["variant"], _fills(e)))
                for e, s, p in zip(entries, sketches, pictures, strict=True)
            ]
            report[name] = pj.summarise(rows)
        text = json.dumps(report, indent=2, ensure_ascii=False)
        if options["out"]:
            options["out"].write_text(text + "\n", encoding="utf-8")
        self.stdout.write(text)

    def _drawers(self, options: dict[str, Any]) -> list[tuple[str, Any]]:
        drawers = []
        for model in options["model"]:
            drawers.append((model, _installed(model)))
        for checkpoint in options["checkpoint"]:
            drawers.append((checkpoint.stem, _palette(checkpoint)))
            if options["regions"]:
                name = f"{checkpoint.stem}+{options['regions'].stem}"
                drawers.append((name, _palette(checkpoint, options["regions"])))
        return drawers


def _installed(name: str) -> Any:
    from inference.runtime import SKETCH_SIZE, get_runtime

    loaded = get_runtime().generator(name)

    def draw(sketches: list[np.ndarray], things: list[str]) -> list[np.ndarray]:
        pictures = []
        for start in range(0, len(sketches), 8):
            chunk = [
                Image.fromarray(s).resize((SKETCH_SIZE, SKETCH_SIZE), Image.Resampling.LANCZOS)
                for s in sketches[start : start + 8]
            ]
            drawn = loaded.draw(chunk, things[start : start + 8], exact=True)
            pictures += [np.asarray(p.convert("RGB")) for p in drawn]
        return pictures

    return draw


def _palette(checkpoint: Path, regions: Path | None = None) -> Any:
    from inference.palette.painter import PalettePainter

    painter = PalettePainter.load(checkpoint)
    if regions is not None:
        painter = painter.with_regions(regions)

    def draw(sketches: list[np.ndarray], things: list[str]) -> list[np.ndarray]:
        pictures = []
        for start in range(0, len(sketches), 8):
            pictures += painter.paint(sketches[start : start + 8], things[start : start + 8])
        return pictures

    return draw


def _fills(entry: dict[str, Any]) -> list[tuple[tuple[int, int, int], np.ndarray]]:
    from inference.crayons import crayon_rgb

    fills = []
    kernel = np.ones((2 * pj.INSET_PX + 1, 2 * pj.INSET_PX + 1), np.uint8)
    for fill in entry.get("fills", []):
        mask = np.zeros((pj.SIDE, pj.SIDE), np.uint8)
        polygon = np.round(np.array(fill["polygon"], dtype=np.float64) * pj.SIDE).astype(np.int32)
        cv2.fillPoly(mask, [polygon], 1)
        inside = cv2.erode(mask, kernel) > 0
        if inside.sum() < pj.MIN_INSIDE_PX:  # a small part: keep clear of its line only just
            inside = cv2.erode(mask, np.ones((5, 5), np.uint8)) > 0
        fills.append((crayon_rgb(fill["crayon"]), inside))
    return fills
