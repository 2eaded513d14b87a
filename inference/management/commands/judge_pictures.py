"""``manage.py judge_pictures``: generators v3's measures on the canvas dev set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser
from PIL import Image

from inference.lab.pix2pix import canvas_judge
from inference.lab.pix2pix import picture_judge as pj
from inference.management.candidates import Drawer, installed_drawer, palette_drawer


class Command(BaseCommand):
    """Draw every canvas dev-set sketch with each generator and print what a child notices
    (:mod:`inference.lab.pix2pix.picture_judge`): chroma of uncoloured outlines per thing, line
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
        try:
            entries = canvas_judge.read_manifest(devset)
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
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
                (
                    e["thing"],
                    e["variant"],
                    pj.judge_picture(s, p, e["variant"], pj.fill_insides(e.get("fills", []))),
                )
                for e, s, p in zip(entries, sketches, pictures, strict=True)
            ]
            report[name] = pj.summarise(rows)
        text = json.dumps(report, indent=2, ensure_ascii=False)
        if options["out"]:
            options["out"].write_text(text + "\n", encoding="utf-8")
        self.stdout.write(text)

    def _drawers(self, options: dict[str, Any]) -> list[tuple[str, Drawer]]:
        drawers = []
        for model in options["model"]:
            drawers.append((model, installed_drawer(model)))
        for checkpoint in options["checkpoint"]:
            drawers.append((checkpoint.stem, palette_drawer(checkpoint)))
            if options["regions"]:
                name = f"{checkpoint.stem}+{options['regions'].stem}"
                drawers.append((name, palette_drawer(checkpoint, options["regions"])))
        return drawers
