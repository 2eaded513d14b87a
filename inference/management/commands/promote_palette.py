"""``manage.py promote_palette``: install a palette painter checkpoint as a site generator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    """Install a palette U-Net checkpoint (``train_palette``) with its region model
    (``train_region_colours``) as a generator: fp16 weights and a card with the palette, the
    sources and licences of every dataset it learned from, its training and the canvas judge's
    numbers (``judge_pictures --out``). The card is read back through the registry and the
    painter loaded once, so a promotion the site could not serve fails here::

        manage.py promote_palette data/runs/kids3/checkpoints/epoch-0008.safetensors \\
            --regions data/runs/kids3/regions.safetensors --name kids3 --priority 5 \\
            --dataset data/datasets/noto --dataset data/datasets/twemoji ... \\
            --judge docs/generators/kids3-training/judge.json
    """

    help = "Promote a palette painter checkpoint (+ its region model) into the registry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("checkpoint", type=Path, help="checkpoints/epoch-NNNN.safetensors")
        parser.add_argument("--regions", type=Path, required=True, help="regions.safetensors")
        parser.add_argument("--name", required=True)
        parser.add_argument("--dataset", type=Path, required=True, action="append")
        parser.add_argument("--priority", type=int, default=0)
        parser.add_argument("--dir", type=Path, default=None, help="Registry directory.")
        parser.add_argument("--judge", type=Path, help="judge_pictures JSON for the card")
        parser.add_argument(
            "--no-sure-areas",
            action="store_true",
            help="Paint no area from the U-Net's certainty, so serving does not run the U-Net "
            "(when the judge finds its sure areas change no picture; see kids3.md).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from inference.lab import promotion
        from inference.lab.exporting import export_installed
        from inference.lab.palette.install import install_painter
        from inference.serving import registry
        from inference.serving.palette.painter import PalettePainter

        checkpoint: Path = options["checkpoint"]
        for path in (checkpoint, checkpoint.with_suffix(".json"), options["regions"],
                     options["regions"].with_suffix(".json")):  # fmt: skip
            if not path.is_file():
                raise CommandError(f"No {path}.")
        painter = PalettePainter.load(checkpoint).with_regions(options["regions"])
        if painter.regions is None:  # pragma: no cover - with_regions always sets one
            raise CommandError("The region model did not load.")
        labels = painter.net.config.labels
        try:
            categories, data = promotion.combined_entries(options["dataset"])
        except (OSError, KeyError, json.JSONDecodeError, ValueError) as exc:
            raise CommandError(
                f"Cannot read a dataset.json in {options['dataset']}: {exc}"
            ) from exc
        served = [c for c in categories if c["slug"] in labels]
        card = json.loads(checkpoint.with_suffix(".json").read_text(encoding="utf-8"))
        region_card = json.loads(options["regions"].with_suffix(".json").read_text())
        extra: dict[str, Any] = {
            "licence_note": promotion.licence_note(data),
            "data": data,
            "training": {k: v for k, v in card.items() if k not in ("architecture", "palette")},
            "region_model": {k: v for k, v in region_card.items() if k != "regions"},
            "trained_on": promotion.describe_machine(),
        }
        if options["no_sure_areas"]:
            extra["painting"] = {
                "sure_areas": False,
                "why": "promoted with --no-sure-areas: the region model chooses every colour and "
                "the U-Net is not run (check it with manage.py check_sure_areas)",
            }
        if options["judge"]:
            extra["canvas_judge"] = json.loads(options["judge"].read_text(encoding="utf-8"))
        try:
            installed = install_painter(
                painter.net,
                painter.palette,
                registry.generators_dir(options["dir"]),
                name=options["name"],
                categories=served,
                priority=options["priority"],
                extra=extra,
                regions=painter.regions,
            )
            # The network exported for serving (ONNX Runtime), checked against the exact one.
            installed = export_installed(installed)
            registry.discover(registry.generators_dir(options["dir"]))
        except (ValueError, RuntimeError, registry.RegistryError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Promoted {checkpoint} + {options['regions'].name} as {installed.name} "
            f"({len(served)} categories); sha256 {installed.sha256}; ONNX sha256 "
            f"{installed.onnx_sha256}"
        )
