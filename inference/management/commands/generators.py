"""``manage.py generators``: list the installed generators and which categories they serve."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from inference.serving.registry import GeneratorCard, active_map, discover, generators_dir


def describe(card: GeneratorCard, active_for: list[str]) -> dict[str, Any]:
    """The JSON object ``generators --json`` prints for one generator."""
    return {
        "name": card.name,
        "categories": list(card.category_slugs),
        "labels": {
            category.slug: {
                "en": category.label_en,
                "ko": category.label_ko,
                "emoji": category.emoji,
            }
            for category in card.categories
        },
        "path": str(card.weights_path),
        "card": str(card.card_path),
        "sha256": card.sha256,
        "dtype": card.dtype,
        "priority": card.priority,
        "active_for": active_for,
        "architecture": card.config.to_dict(),
    }


class Command(BaseCommand):
    """List installed generators as a table, or as JSON with ``--json``.

    Cards that cannot be read are reported on stderr and left out; they never stop the listing.
    """

    help = "List the installed generators (name, categories, weights file, sha256)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print a JSON list, one object per generator, for scripts.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = generators_dir()
        problems: list[str] = []
        # Operators see a card whose architecture cannot be built here, not at the first drawing.
        cards = discover(directory, problems=problems, check_architecture=True)
        for problem in problems:
            self.stderr.write(f"Skipped: {problem}")
        active = active_map(cards)
        rows = [
            describe(card, [slug for slug in card.category_slugs if active[slug] == card])
            for card in cards
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write(
                f"No generators installed in {directory}. Train one (see README) or copy a "
                ".safetensors + .json pair there."
            )
            return
        self.stdout.write(f"Generators in {directory}:")
        headers = ("NAME", "PRIORITY", "DTYPE", "CATEGORIES (* = active)", "SHA256")
        table = [
            (
                row["name"],
                str(row["priority"]),
                row["dtype"],
                ", ".join(
                    f"{slug}{'*' if slug in row['active_for'] else ''}"
                    for slug in row["categories"]
                ),
                row["sha256"][:12],
            )
            for row in rows
        ]
        widths = [max(len(line[i]) for line in (headers, *table)) for i in range(len(headers))]
        for line in (headers, *table):
            self.stdout.write(
                "  ".join(
                    cell.ljust(width) for cell, width in zip(line, widths, strict=True)
                ).rstrip()
            )
