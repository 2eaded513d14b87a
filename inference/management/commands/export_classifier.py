"""``manage.py export_classifier``: the "What did you draw?" guesser's ONNX graph, for serving."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from inference.serving import registry


class Command(BaseCommand):
    """Export the installed sketch classifier (``<GENERATORS_DIR>/classifiers/``) to ONNX
    beside its weights, its pre-processing traced in; its card then records the graph's
    sha256, which the runtime checks on load (``train_sketch_classifier`` does this when it
    installs one).

        python manage.py export_classifier
    """

    help = "Export the installed sketch classifier to ONNX (served by ONNX Runtime)."

    def handle(self, *args: Any, **options: Any) -> None:
        from inference.lab.exporting import export_classifier
        from inference.serving.suggestions import classifiers_dir, find_classifier

        card = find_classifier(settings.GENERATORS_DIR)
        if card is None:
            raise CommandError(
                f"No sketch classifier is installed in {classifiers_dir(settings.GENERATORS_DIR)}"
                " (train one with train_sketch_classifier)."
            )
        try:
            exported = export_classifier(card)
        except registry.RegistryError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{card.name}: {exported.onnx_path.name} sha256 {exported.onnx_sha256} "
            f"({exported.onnx_path.stat().st_size / 1e6:.2f} MB)"
        )
