""" "What did you draw?": the shipped sketch classifier, found and asked without Django's apps.

Classifiers ship beside the generators, in ``<GENERATORS_DIR>/classifiers/<name>.safetensors``
with a ``<name>.json`` card (:func:`inference.serving.pix2pix.classifier.save_classifier`). Finding
one reads only the JSON, so a page can tell whether suggestions exist without importing torch; the
weights are hash-checked and loaded by :func:`inference.serving.pix2pix.classifier.load_classifier`,
once per process, through :mod:`inference.serving.runtime`.

Guesses are served on ONNX Runtime (:func:`inference.serving.engine.open_classifier`) when the card
records an exported graph (``"onnx": {"file": "<name>.onnx", "sha256": ...}``, written by
:func:`inference.lab.exporting.export_classifier`) and the runtime serves on the onnx engine; the
torch module guesses otherwise, and for audits (``exact=True``). A graph that is missing or is
not the one its card describes is refused with one error line, and torch guesses, as a
generator's refused graph leaves it on the exact torch path.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

from inference.serving.registry import RegistryError

if TYPE_CHECKING:
    from PIL import Image

    from inference.serving.engine import OnnxClassifier
    from inference.serving.pix2pix.classifier import CategoryClassifier

logger = logging.getLogger(__name__)

CLASSIFIERS_DIR = "classifiers"
ONNX_SUFFIX = ".onnx"
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
    its logits are divided by, how sure its best guess must be to be shown, and the sha256 of
    its exported ONNX graph (``<name>.onnx`` beside it) when it has one."""

    name: str
    card_path: Path
    categories: tuple[str, ...]
    temperature: float = 1.0
    confident_at: float = DEFAULT_CONFIDENT_AT
    onnx_sha256: str | None = None

    @property
    def onnx_path(self) -> Path:
        """Where its exported graph is (whether or not there is one)."""
        return self.card_path.with_suffix(ONNX_SUFFIX)


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
            card = read_card(card_path)
        except (
            OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError
        ) as exc:  # fmt: skip
            logger.warning("Skipping sketch classifier card %s: %s", card_path, exc)
            continue
        if not card_path.with_suffix(".safetensors").is_file():
            logger.warning("Skipping sketch classifier %s: its weights are missing", card_path)
            continue
        return card
    return None


def read_card(card_path: Path) -> ClassifierCard:
    """The classifier card at ``card_path`` (JSON only); ``OSError``, ``ValueError`` (JSON's
    own errors among them), ``KeyError`` or ``TypeError`` when it cannot be read."""
    data = json.loads(Path(card_path).read_text(encoding="utf-8"))
    categories = tuple(str(slug) for slug in data["categories"])
    temperature = float(data.get("temperature", 1.0))
    confident_at = float(data.get("confident_at", DEFAULT_CONFIDENT_AT))
    if not (0.05 <= temperature <= 100 and 0.0 <= confident_at <= 1.0):
        raise ValueError(f"temperature {temperature} or confident_at {confident_at}")
    name = Path(card_path).stem
    onnx_sha256 = _exported_graph(data, name)
    return ClassifierCard(
        name, Path(card_path).resolve(), categories, temperature, confident_at, onnx_sha256
    )


def _exported_graph(data: dict[str, object], name: str) -> str | None:
    """The sha256 of the card's exported graph, None when it has none; ``ValueError`` when the
    entry is malformed or names another file than ``<name>.onnx``."""
    exported = data.get("onnx")
    if exported is None:
        return None
    if not isinstance(exported, dict) or exported.get("file") != f"{name}{ONNX_SUFFIX}":
        raise ValueError(f'"onnx" must name the file "{name}{ONNX_SUFFIX}"')
    sha256 = str(exported.get("sha256", "")).lower()
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError('"onnx" "sha256" must be 64 hex digits')
    return sha256


@dataclass(frozen=True)
class LoadedClassifier:
    """A sketch classifier loaded on the CPU, ready to guess: the torch module, and its
    exported graph in an ONNX Runtime session when that serves."""

    card: ClassifierCard
    model: CategoryClassifier
    graph: OnnxClassifier | None = None

    @property
    def engine(self) -> str:
        """What guesses: "onnxruntime" or "torch"."""
        return "onnxruntime" if self.graph is not None else "torch"

    def rank(
        self, sketches: Sequence[Image.Image], *, exact: bool = False
    ) -> list[list[tuple[str, float]]]:
        """Every thing it knows for each sketch, likeliest first, as ``(slug, probability)``
        (calibrated by the card's temperature); on the graph when it serves, on the torch
        module with ``exact`` or without one. The sketches go through the one pre-processing
        either way (:func:`inference.serving.pix2pix.sketch_classifier.classifier_input`)."""
        import torch

        from inference.serving.pix2pix.imaging import images_to_batch
        from inference.serving.pix2pix.sketch_classifier import ranked, suggest

        batch = images_to_batch([sketch.convert("RGB") for sketch in sketches])
        slugs = self.model.config.categories
        temperature = self.card.temperature
        with torch.inference_mode():
            if self.graph is not None and not exact:
                return ranked(self.graph(batch), slugs, top=len(slugs), temperature=temperature)
            return suggest(self.model, batch, top=len(slugs), temperature=temperature)

    def suggest(
        self, sketch: Image.Image, allowed: Collection[str], top: int = TOP
    ) -> list[tuple[str, float]]:
        """The ``top`` likeliest of the ``allowed`` things for one RGB sketch, best first, as
        ``(slug, probability)``; probabilities (calibrated by the card's temperature) are shared
        out among the allowed things only."""
        [ranking] = self.rank([sketch])
        kept = [(slug, p) for slug, p in ranking if slug in allowed]
        total = sum(p for _, p in kept) or 1.0
        return [(slug, p / total) for slug, p in kept[:top]]


def load(card: ClassifierCard, *, engine: str = "onnx", threads: int = 0) -> LoadedClassifier:
    """Load ``card``'s weights (sha256-checked), and with ``engine`` "onnx" its exported graph
    (sha256-checked) in an ONNX Runtime session of ``threads`` intra-op threads (0: one per
    core); raises ``SuggestionsUnavailable`` when the weights cannot be loaded. A graph that
    cannot serve leaves torch guessing (logged)."""
    from inference.serving.pix2pix.classifier import load_classifier

    try:
        model = load_classifier(card.card_path)
    except (OSError, ValueError, RuntimeError) as exc:
        logger.error("Sketch classifier %s cannot be loaded: %s", card.name, exc)
        raise SuggestionsUnavailable() from exc
    graph = _open_graph(card, threads) if engine == "onnx" else None
    return LoadedClassifier(card=card, model=model, graph=graph)


def _open_graph(card: ClassifierCard, threads: int) -> OnnxClassifier | None:
    """The card's exported graph in an ONNX Runtime session, or None (logged) where torch
    guesses: no graph exported, no onnxruntime here, or a graph missing or changed."""
    from inference.serving import engine

    if card.onnx_sha256 is None:
        return None
    try:
        return engine.open_classifier(card.onnx_path, sha256=card.onnx_sha256, threads=threads)
    except engine.EngineUnavailable:
        logger.warning(
            "onnxruntime is not installed: sketch classifier %s guesses with torch.", card.name
        )
    except engine.GraphMismatch as exc:
        logger.error(
            "Sketch classifier %s: %s Refused the ONNX graph; torch guesses.", card.name, exc
        )
    return None
