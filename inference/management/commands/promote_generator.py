"""``manage.py promote_generator``: install a training checkpoint as a site generator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inference.lab import promotion
from inference.serving import registry


class Command(BaseCommand):
    """Copy ``CHECKPOINT`` (``epoch-NNNN.safetensors`` from a training run) into the registry.

    Writes ``<name>.safetensors`` (fp16) and the model card ``<name>.json`` with its sha256,
    categories and the data's source and licence (from the dataset's ``dataset.json``), then
    loads it through the registry to prove the site can serve it.

    A generator trained on several datasets names each with ``--dataset``; the card lists
    every source and licence and a note on the obligations the combined weights inherit.
    ``--categories`` sets exactly which kid categories the card serves.

        python manage.py promote_generator data/runs/kids7/checkpoints/epoch-0006.safetensors \\
            --name kids7 --priority 1 --dataset data/datasets/openmoji \\
            --dataset data/datasets/twemoji \\
            --categories face,animal,food,vehicle,fashion,space,plant
    """

    help = "Promote a training checkpoint into the generator registry (fp16 + model card)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("checkpoint", type=Path, help="checkpoints/epoch-NNNN.safetensors")
        parser.add_argument("--name", required=True, help="Generator name, e.g. starter.")
        parser.add_argument(
            "--dataset",
            type=Path,
            required=True,
            action="append",
            help="Dataset folder with dataset.json (categories, source, licence, counts); "
            "repeat for a generator trained on several.",
        )
        parser.add_argument(
            "--categories",
            default=None,
            help="Comma-separated slugs the card serves (default: all the datasets' categories).",
        )
        parser.add_argument(
            "--sheet-val",
            type=int,
            default=None,
            help="Contact sheet: at most this many val sketches per dataset (default: all).",
        )
        parser.add_argument("--priority", type=int, default=0)
        parser.add_argument("--dir", type=Path, default=None, help="Registry directory.")
        parser.add_argument(
            "--contact-sheet",
            type=Path,
            default=None,
            help="Also save sketch | picture cells for held-out sketches to this PNG.",
        )
        parser.add_argument(
            "--evaluation",
            type=Path,
            action="append",
            help="metrics.json of an evaluate_generators run that scored this checkpoint; its "
            "dev-set scores go into the card (repeatable).",
        )

        parser.add_argument(
            "--clean-fills",
            type=float,
            default=None,
            metavar="S",
            help="Serve with fill cleaning of strength S, 0-1 (inference.serving.pix2pix.fills; "
            "default: the checkpoint's, usually 0).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint: Path = options["checkpoint"]
        if not checkpoint.is_file() or not checkpoint.with_suffix(".json").is_file():
            raise CommandError(f"{checkpoint} and its .json card must both exist.")
        datasets: list[Path] = options["dataset"]
        only = options["categories"].split(",") if options["categories"] else None
        config = json.loads(checkpoint.with_suffix(".json").read_text()).get("config", {})
        caps = config.get("max_per_source")
        try:
            categories, data = promotion.combined_entries(
                datasets, only=only, caps=caps if isinstance(caps, dict) else None
            )
        except (OSError, KeyError, json.JSONDecodeError) as exc:
            raise CommandError(f"Cannot read a dataset.json in {datasets}: {exc}") from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        extra: dict[str, Any] = {"licence_note": promotion.licence_note(data)}
        for path in options["evaluation"] or []:
            try:
                extra.setdefault("evaluation", []).append(promotion.devset_scores(path, checkpoint))
            except (OSError, json.JSONDecodeError, ValueError) as exc:
                raise CommandError(f"--evaluation {path}: {exc}") from exc
        try:
            card = promotion.promote_checkpoint(
                checkpoint=checkpoint,
                name=options["name"],
                directory=registry.generators_dir(options["dir"]),
                categories=categories,
                data=data,
                priority=options["priority"],
                extra=extra,
                clean_fills=options["clean_fills"],
            )
        except (ValueError, RuntimeError, registry.RegistryError) as exc:
            raise CommandError(str(exc)) from exc
        if options["contact_sheet"]:
            sketches = promotion.held_out_sketches(
                datasets, categories=card.category_slugs, per_dataset=options["sheet_val"]
            )
            promotion.write_contact_sheet(card, sketches, options["contact_sheet"])
            self.stdout.write(f"Wrote {options['contact_sheet']} ({len(sketches)} sketches)")
        self.stdout.write(
            f"Promoted {checkpoint} as {card.name} ({', '.join(card.category_slugs)}); "
            f"sha256 {card.sha256}"
        )
