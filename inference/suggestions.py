""" "What did you draw?": the shipped sketch classifier, found and asked without Django's apps.

Classifiers ship beside the generators, in ``<GENERATORS_DIR>/classifiers/<name>.safetensors``
with a ``<name>.json`` card (:func:`inference.pix2pix.classifier.save_classifier`). Finding one
reads only the JSON, so a page can tell whether suggestions exist without importing torch; the
weights are hash-checked and loaded by :func:`inference.pix2pix.classifier.load_classifier`,
once per process, through :mod:`inference.runtime`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

from inference.registry import RegistryError

if TYPE_CHECKING:
    from PIL import Image

    from inference.pix2pix.classifier import CategoryClassifier

logger = logging.getLogger(__name__)

CLASSIFIERS_DIR = "classifiers"
TOP = 3
NO_SUGGESTIONS = gettext_lazy("Guessing what you drew is not available right now.")


class SuggestionsUnavailable(RegistryError):
    """No sketch classifier is installed (or none knows an installed thing): 503."""

    code = "suggestions_unavailable"

    def __init__(self, message: str | None = None) -> None:
        # Translated when raised, in the request's language.
        super().__init__(message or str(NO_SUGGESTIONS))


# A card from before calibration: no temperature, and the canvas's old fixed line.
DEFAULT_CONFIDENT_AT = 0.2


@dataclass(frozen=True)
class ClassifierCard:
    """An installed sketch classifier: its card's path, the things it knows, the temperature
    its logits are divided by and how sure its best guess must be to be shown."""

    name: str
    card_path: Path
    categories: tuple[str, ...]
    temperature: float = 1.0
    confident_at: float = DEFAULT_CONFIDENT_AT


def classifiers_dir(generators_directory: Path) -> Path:
    """Where classifiers sit for a generators directory."""
    return Path(generators_directory) / CLASSIFIERS_DIR


def find_classifier(generators_directory: Path) -> ClassifierCard | None:
    """The first (by name) readable classifier card with its weights beside it, or None.

    Reads JSON only; a malformed card is skipped with a warning.
    """
    root = classifiers_dir(generators_directory)
    if not root.is_dir():
        return None
    for card_path in sorted(root.glob("*.json")):
        try:
            data = json.loads(card_path.read_text(encoding="utf-8"))
            categories = tuple(str(slug) for slug in data["categories"])
            temperature = float(data.get("temperature", 1.0))
            confident_at = float(data.get("confident_at", DEFAULT_CONFIDENT_AT))
            if not (0.05 <= temperature <= 100 and 0.0 <= confident_at <= 1.0):
                raise ValueError(f"temperature {temperature} or confident_at {confident_at}")
        except (
            OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError
        ) as exc:  # fmt: skip
            logger.warning("Skipping sketch classifier card %s: %s", card_path, exc)
            continue
        if not card_path.with_suffix(".safetensors").is_file():
            logger.warning("Skipping sketch classifier %s: its weights are missing", card_path)
            continue
        return ClassifierCard(
            card_path.stem, card_path.resolve(), categories, temperature, confident_at
        )
    return None


@dataclass(frozen=True)
class LoadedClassifier:
    """A sketch classifier loaded on the CPU, ready to guess."""

    card: ClassifierCard
    model: CategoryClassifier

    def suggest(
        self, sketch: Image.Image, allowed: Collection[str], top: int = TOP
    ) -> list[tuple[str, float]]:
        """The ``top`` likeliest of the ``allowed`` things for one RGB sketch, best first, as
        ``(slug, probability)``; probabilities (calibrated by the card's temperature) are shared
        out among the allowed things only."""
        import torch

        from inference.pix2pix.imaging import images_to_batch
        from inference.pix2pix.sketch_classifier import suggest

        known = len(self.model.config.categories)
        with torch.inference_mode():
            [ranked] = suggest(
                self.model,
                images_to_batch([sketch.convert("RGB")]),
                top=known,
                temperature=self.card.temperature,
            )
        kept = [(slug, p) for slug, p in ranked if slug in allowed]
        total = sum(p for _, p in kept) or 1.0
        return [(slug, p / total) for slug, p in kept[:top]]


def load(card: ClassifierCard) -> LoadedClassifier:
    """Load ``card``'s weights (sha256-checked); raises ``SuggestionsUnavailable``."""
    from inference.pix2pix.classifier import load_classifier

    try:
        model = load_classifier(card.card_path)
    except (OSError, ValueError, RuntimeError) as exc:
        logger.error("Sketch classifier %s cannot be loaded: %s", card.name, exc)
        raise SuggestionsUnavailable() from exc
    return LoadedClassifier(card=card, model=model)
