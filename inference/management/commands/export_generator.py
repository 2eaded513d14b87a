"""``manage.py export_generator``: the ONNX graph of an installed generator, for serving."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inference.serving import registry


class Command(BaseCommand):
    """Export installed generators to ONNX beside their weights (promotion does it for new
    pix2pix ones): a pix2pix generator whole, a palette painter's network (the painting after
    it stays numpy); each card then records the graph's sha256, which the runtime checks on
    load.

        python manage.py export_generator kids2p
        python manage.py export_generator --all
    """

    help = (
        "Export installed generators to ONNX (served by ONNX Runtime; the card keeps its sha256)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("names", nargs="*", help="Generator names.")
        parser.add_argument("--all", action="store_true", help="Every installed generator.")

    def handle(self, *args: Any, **options: Any) -> None:
        from inference.lab.exporting import export_installed

        cards = registry.discover()
        by_name = {card.name: card for card in cards}
        if options["all"]:
            chosen = cards
        else:
            unknown = [name for name in options["names"] if name not in by_name]
            if unknown or not options["names"]:
                installed = ", ".join(sorted(by_name)) or "none"
                raise CommandError(
                    f"Name installed generators, or --all (unknown: {', '.join(unknown) or '-'}; "
                    f"installed: {installed})."
                )
            chosen = [by_name[name] for name in options["names"]]
        for card in chosen:
            try:
                exported = export_installed(card)
            except registry.RegistryError as exc:
                raise CommandError(str(exc)) from exc
            assert exported.onnx_path is not None  # export_installed wrote it
            self.stdout.write(
                f"{card.name}: {exported.onnx_path.name} sha256 {exported.onnx_sha256} "
                f"({exported.onnx_path.stat().st_size / 1e6:.1f} MB)"
            )
