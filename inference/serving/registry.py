"""The registry of installed generators: a directory of ``<name>.safetensors`` + ``<name>.json``.

The JSON file is the model card: which categories the generator draws, its architecture, the
sha256 of its weights, and free-form provenance (data and licences, epochs, seed, metrics).
Cards are read fresh on every call, so copying a new pair into the directory is all it takes to
install a generator; the runtime keeps loaded weights, not this module.

Reading cards needs no torch, so a web process whose worker runs elsewhere learns what can be
drawn without importing it: discovery checks the architecture's type and condition list, and
the rest of it is checked when ``GeneratorCard.config`` is first built — when the generator is
loaded, by ``manage.py generators``, or with ``check_architecture=True``.

Weights are only ever read with ``safetensors`` after their sha256 matched the card: a
generator file is data, never code, so nothing here can unpickle.

The cards themselves (their fields, how each is checked, the registry's errors) are
:mod:`inference.serving.cards`; their names are this module's too, so callers ask the registry.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inference.serving.cards import (
    ARCHITECTURE_TYPE,
    CARD_SUFFIX,
    DTYPES,
    NAME_PATTERN,
    ONNX_SUFFIX,
    SLUG_PATTERN,
    WEIGHTS_SUFFIX,
    Category,
    GeneratorCard,
    GeneratorNotFound,
    RegistryError,
    UnknownCategory,
    WeightsMismatch,
    parse_card,
)

# The one hash of weights files, re-exported for cards, promotion and tests (no torch needed).
from inference.serving.pix2pix.checkpoints import file_sha256

if TYPE_CHECKING:
    import torch

__all__ = [
    "ARCHITECTURE_TYPE",
    "CARD_SUFFIX",
    "DTYPES",
    "NAME_PATTERN",
    "ONNX_SUFFIX",
    "SLUG_PATTERN",
    "WEIGHTS_SUFFIX",
    "Category",
    "GeneratorCard",
    "GeneratorNotFound",
    "RegistryError",
    "UnknownCategory",
    "WeightsMismatch",
    "active_map",
    "categories_of",
    "discover",
    "file_sha256",
    "generators_dir",
    "get_card",
    "load_generator",
    "parse_card",
    "pick_active",
]

logger = logging.getLogger(__name__)


def generators_dir(directory: Path | str | None = None) -> Path:
    """The directory to read: ``directory`` when given, else ``settings.GENERATORS_DIR``."""
    if directory is not None:
        return Path(directory)
    from django.conf import settings

    return Path(settings.GENERATORS_DIR)


def discover(
    directory: Path | str | None = None,
    *,
    problems: list[str] | None = None,
    check_architecture: bool = False,
) -> list[GeneratorCard]:
    """All valid generators in the directory, sorted by name.

    A malformed card never stops discovery: it is skipped, logged as a warning and, when a
    ``problems`` list is given, described there. A missing directory means no generators.
    Reads JSON only, unless ``check_architecture`` (see ``parse_card``).
    """
    root = generators_dir(directory)
    if not root.is_dir():
        return []
    cards: list[GeneratorCard] = []
    for card_path in sorted(root.glob(f"*{CARD_SUFFIX}")):
        try:
            cards.append(parse_card(card_path, check_architecture=check_architecture))
        except RegistryError as exc:
            logger.warning("Skipping generator card: %s", exc)
            if problems is not None:
                problems.append(str(exc))
    return sorted(cards, key=lambda card: card.name)


def get_card(name: str, directory: Path | str | None = None) -> GeneratorCard:
    """The installed generator called ``name``; raises ``GeneratorNotFound``."""
    cards = discover(directory)
    for card in cards:
        if card.name == name:
            return card
    installed = ", ".join(card.name for card in cards) or "none"
    raise GeneratorNotFound(f'No generator named "{name}" is installed (installed: {installed}).')


def _ranked(cards: Iterable[GeneratorCard]) -> list[GeneratorCard]:
    # Highest priority first; the name breaks ties so the choice never depends on disk order.
    return sorted(cards, key=lambda card: (-card.priority, card.name))


def pick_active(cards: Iterable[GeneratorCard], category_slug: str) -> GeneratorCard:
    """The generator that serves ``category_slug`` among ``cards``: highest priority, then name.

    Raises ``UnknownCategory`` when none of them draws it.
    """
    candidates = [card for card in cards if card.serves(category_slug)]
    if not candidates:
        raise UnknownCategory(f'No installed generator draws the category "{category_slug}".')
    return _ranked(candidates)[0]


def active_map(cards: Iterable[GeneratorCard]) -> dict[str, GeneratorCard]:
    """Category slug -> the generator that serves it, for all categories of ``cards``."""
    active: dict[str, GeneratorCard] = {}
    for card in _ranked(cards):
        for slug in card.category_slugs:
            active.setdefault(slug, card)
    return active


def categories_of(cards: Iterable[GeneratorCard]) -> list[Category]:
    """Unique categories of ``cards``, ordered by slug, labelled by the serving generator.

    When the serving generator's (older) card names no theme for a category and another card
    does, that theme is kept, so one thing never shows under two themes.
    """
    cards = list(cards)
    active = active_map(cards)
    themes = {c.slug: c.theme for card in _ranked(cards) for c in card.categories if c.theme}
    categories = []
    for slug in sorted(active):
        category = next(c for c in active[slug].categories if c.slug == slug)
        if category.theme is None and slug in themes:
            category = dataclasses.replace(category, theme=themes[slug])
        categories.append(category)
    return categories


def load_generator(card: GeneratorCard, device: str | torch.device = "cpu") -> Any:
    """Build the generator described by ``card`` and load its weights, ready for inference:
    a torch module for pix2pix, a painter for the palette kind
    (:mod:`inference.serving.architectures`).

    Through the one checked reader (:func:`inference.serving.pix2pix.checkpoints.read_weights`): the
    weights file is hashed first and refused (``WeightsMismatch``) unless it matches the card;
    it is then read with ``safetensors`` only, so a pickle renamed ``.safetensors`` is a
    ``RegistryError``, never executed. Weights are cast to float32 (half precision is only a
    storage format here), in eval mode with gradients off.
    """
    from inference.serving.pix2pix import checkpoints

    try:
        return card.architecture_kind.load(
            card.weights_path,
            card.config,
            sha256=card.sha256,
            device=device,
            card=card.extra,
        )
    except checkpoints.WeightsMismatch as exc:
        raise WeightsMismatch(f"Generator {card.name}: {exc}") from exc
    except checkpoints.CheckpointError as exc:
        raise RegistryError(f"Generator {card.name}: {exc}") from exc
