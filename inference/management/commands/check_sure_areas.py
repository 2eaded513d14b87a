"""``manage.py check_sure_areas``: does a palette painter's U-Net still change any picture?"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser
from PIL import Image

from inference.serving import registry


class Command(BaseCommand):
    """Paint every drawing twice with an installed palette painter that has a region model:
    with the U-Net's sure areas (the network runs and paints paper it is sure of) and without
    them (the network is not run). Prints how many pictures differ and by how much; when none
    do, the card may say ``"painting": {"sure_areas": false}`` and serving skips the network
    (``docs/generators/kids3.md``, "Served without the network"):

        python manage.py check_sure_areas --model kids3 [--devset data/devsets/canvas2] [--json]
    """

    help = "Whether a palette painter's U-Net sure areas change any picture (doodles, dev set)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--model", default="kids3", help="An installed palette painter.")
        parser.add_argument("--devset", type=Path, help="A canvas dev set (its devset.json).")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **options: Any) -> None:
        from inference.lab.pix2pix.canvas_judge import read_manifest
        from inference.lab.pix2pix.evaluation.devset import doodle_items

        cards = [card for card in registry.discover() if card.name == options["model"]]
        if not cards:
            raise CommandError(f'No installed generator "{options["model"]}".')
        card = cards[0]
        if not card.architecture_kind.makes_variants:
            raise CommandError(f"{card.name} is not a palette painter: it has no sure areas.")
        painter = registry.load_generator(card)
        if painter.regions is None:
            raise CommandError(f"{card.name} has no region model: its U-Net chooses every colour.")
        doodles = doodle_items(categories=card.category_slugs)
        drawings = [(f"doodle {i}", np.asarray(item.sketch.convert("RGB")), item.category)
                    for i, item in enumerate(doodles)]  # fmt: skip
        if options["devset"]:
            try:
                entries = read_manifest(options["devset"])
            except (OSError, ValueError, KeyError) as exc:
                raise CommandError(f"Cannot read the dev set {options['devset']}: {exc}") from exc
            drawings += [(e["file"], np.asarray(Image.open(options["devset"] / e["file"])
                                                .convert("RGB")), e["thing"])
                         for e in entries]  # fmt: skip
        with_net, without = painter.with_sure_areas(True), painter.with_sure_areas(False)
        changed = []
        for name, sketch, thing in drawings:
            a = with_net.paint([sketch], [thing])[0].astype(int)
            b = without.paint([sketch], [thing])[0].astype(int)
            share = float((np.abs(a - b).max(axis=2) > 0).mean())
            if share > 0:
                changed.append({"drawing": name, "pixels_changed": round(share, 5)})
        result = {"model": card.name, "drawings": len(drawings), "changed": changed}
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        lines = [f"\n  {c['drawing']}: {c['pixels_changed']:.2%} of pixels" for c in changed]
        self.stdout.write(
            f"{card.name}: {len(changed)} of {len(drawings)} pictures change with the U-Net's "
            "sure areas" + "".join(lines)
        )
