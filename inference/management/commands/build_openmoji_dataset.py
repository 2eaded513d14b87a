"""``manage.py build_openmoji_dataset``: render OpenMoji line art and colour into A|B pairs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from inference.lab.datasets import openmoji


class Command(BaseCommand):
    """Fetch the OpenMoji npm package (once, with ``npm pack``) and build a training set.

    Writes ``OUT/train/*.png`` and ``OUT/val/*.png`` (left half line art, right half colour)
    and ``OUT/dataset.json`` with the source, licence (CC BY-SA 4.0) and per-image metadata.
    """

    help = "Build an A|B sketch→picture dataset from the OpenMoji npm package."

    def add_arguments(self, parser: CommandParser) -> None:
        data_dir = Path(settings.BASE_DIR) / "data"
        parser.add_argument("--out", type=Path, default=data_dir / "datasets" / "openmoji")
        parser.add_argument("--cache", type=Path, default=data_dir / "cache" / "openmoji")
        parser.add_argument("--package-version", dest="package_version", default=openmoji.VERSION)
        parser.add_argument("--size", type=int, default=256, help="Side of each half, in pixels.")
        parser.add_argument(
            "--categories",
            nargs="*",
            help="Only these categories (default: all of the chosen scheme).",
        )
        parser.add_argument(
            "--kid-categories",
            action="store_true",
            help="Sort into the seven kid categories the other sources use (face, animal, food, "
            "vehicle, fashion, space, plant) instead of the starter's five (with nature).",
        )
        parser.add_argument("--val-fraction", type=float, default=0.05)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            package = openmoji.fetch_package(options["cache"], options["package_version"])
        except (OSError, ValueError) as exc:
            raise CommandError(f"Could not fetch the openmoji package: {exc}") from exc
        try:
            document = openmoji.build_dataset(
                package_dir=package,
                out_dir=options["out"],
                size=options["size"],
                categories=tuple(options["categories"] or ()) or None,
                val_fraction=options["val_fraction"],
                kid_categories=options["kid_categories"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for slug, counts in document["counts"].items():
            self.stdout.write(f"{slug}: {counts['train']} train, {counts['val']} val")
        self.stdout.write(f"Wrote {options['out']} ({document['package']}, {document['licence']})")
