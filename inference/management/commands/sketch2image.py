"""``manage.py sketch2image``: turn sketch files into pictures from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from inference.serving.loaded_generator import UNMEASURED_BATCH
from inference.serving.registry import GeneratorCard, RegistryError
from inference.serving.runtime import get_runtime


class Command(BaseCommand):
    """Draw pictures for sketch files: ``DIR/<input stem>.png`` for each input.

    Inputs go through the same validation and normalisation as the site's uploads, so what
    this prints is what a child would see. The category's active generator draws unless
    ``--model`` names one (which must draw that category).
    """

    help = "Turn sketches into pictures: writes DIR/<input stem>.png for each FILE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help="Sketch images to draw.")
        parser.add_argument("--category", required=True, help="Category slug, e.g. face.")
        parser.add_argument("--model", default=None, help="Generator name (default: active).")
        parser.add_argument(
            "--out", required=True, type=Path, help="Output directory (created if needed)."
        )

    def _pick_generator(self, category: str, model: str | None) -> GeneratorCard:
        """Resolve the generator before reading any file, so a typo fails fast."""
        runtime = get_runtime()
        try:
            if model is None:
                return runtime.active_card_for(category)
            card = runtime.card(model)
        except RegistryError as exc:
            installed = sorted({slug for c in runtime.cards() for slug in c.category_slugs})
            hint = f" Installed categories: {', '.join(installed) or 'none'}."
            raise CommandError(f"{exc}{hint}") from exc
        if not card.serves(category):
            raise CommandError(
                f'Generator "{model}" does not draw the category "{category}" '
                f"(it draws: {', '.join(card.category_slugs)})."
            )
        return card

    def handle(self, *args: Any, **options: Any) -> None:
        from inference.serving.sketch_files import SketchRejected, normalise_sketch

        category: str = options["category"]
        model: str | None = options["model"]
        out_dir: Path = options["out"]
        runtime = get_runtime()
        card = self._pick_generator(category, model)

        inputs = [Path(name) for name in options["files"]]
        seen: dict[str, Path] = {}
        for path in inputs:
            if path.stem in seen:
                raise CommandError(
                    f"{seen[path.stem]} and {path} would both be written to {path.stem}.png; "
                    "rename one of them."
                )
            seen[path.stem] = path

        sketches = []
        for path in inputs:
            try:
                data = path.read_bytes()
            except FileNotFoundError as exc:
                raise CommandError(f"{path}: no such file.") from exc
            except OSError as exc:
                raise CommandError(f"{path}: cannot be read ({exc.strerror}).") from exc
            try:
                sketches.append(normalise_sketch(data))
            except SketchRejected as exc:
                raise CommandError(f"{path}: {exc.message}") from exc

        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"{out_dir}: cannot create the output directory ({exc}).") from exc

        try:
            generator = runtime.generator(card.name)
        except RegistryError as exc:
            raise CommandError(str(exc)) from exc
        batch_size = int(getattr(settings, "INFERENCE_BATCH_SIZE", 0)) or UNMEASURED_BATCH
        for start in range(0, len(inputs), batch_size):
            chunk = inputs[start : start + batch_size]
            pictures = generator.draw(sketches[start : start + batch_size], [category] * len(chunk))
            for path, picture in zip(chunk, pictures, strict=True):
                target = out_dir / f"{path.stem}.png"
                picture.save(target, format="PNG")
                self.stdout.write(f"{path} -> {target} ({card.name})")
