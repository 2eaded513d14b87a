"""``manage.py promote_generator``: install a training checkpoint as a site generator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inference import promotion, registry


class Command(BaseCommand):
    """Copy ``CHECKPOINT`` (``epoch-NNNN.safetensors`` from a training run) into the registry.

    Writes ``<name>.safetensors`` (fp16) and the model card ``<name>.json`` with its sha256,
    categories and the data's source and licence (from the dataset's ``dataset.json``), then
    loads it through the registry to prove the site can serve it.
    """

    help = "Promote a training checkpoint into the generator registry (fp16 + model card)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("checkpoint", type=Path, help="checkpoints/epoch-NNNN.safetensors")
        parser.add_argument("--name", required=True, help="Generator name, e.g. starter.")
        parser.add_argument(
            "--dataset",
            type=Path,
            required=True,
            help="Dataset folder with dataset.json (categories, source, licence, counts).",
        )
        parser.add_argument("--priority", type=int, default=0)
        parser.add_argument("--dir", type=Path, default=None, help="Registry directory.")
        parser.add_argument(
            "--contact-sheet",
            type=Path,
            default=None,
            help="Also save sketch | picture cells for held-out sketches to this PNG.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint: Path = options["checkpoint"]
        if not checkpoint.is_file() or not checkpoint.with_suffix(".json").is_file():
            raise CommandError(f"{checkpoint} and its .json card must both exist.")
        try:
            categories, data = promotion.dataset_entries(options["dataset"])
        except (OSError, KeyError, json.JSONDecodeError) as exc:
            raise CommandError(f"Cannot read {options['dataset']}/dataset.json: {exc}") from exc
        try:
            card = promotion.promote_checkpoint(
                checkpoint=checkpoint,
                name=options["name"],
                directory=registry.generators_dir(options["dir"]),
                categories=categories,
                data=data,
                priority=options["priority"],
            )
        except (ValueError, RuntimeError, registry.RegistryError) as exc:
            raise CommandError(str(exc)) from exc
        if options["contact_sheet"]:
            sketches = promotion.held_out_sketches(options["dataset"])
            promotion.write_contact_sheet(card, sketches, options["contact_sheet"])
            self.stdout.write(f"Wrote {options['contact_sheet']} ({len(sketches)} sketches)")
        self.stdout.write(
            f"Promoted {checkpoint} as {card.name} ({', '.join(card.category_slugs)}); "
            f"sha256 {card.sha256}"
        )
