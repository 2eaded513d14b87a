""" "What did you draw?": the installed things a sketch looks most like, for the canvas bubble.

A read, like the selectors: nothing is stored. The sketch passes the same checks as a drawing
(:func:`inference.sketch_files.normalise_sketch`), and the classifier is asked only about
things some installed generator draws.
"""

from __future__ import annotations

from typing import IO, Any

from django.conf import settings

from drawings.selectors import installed_categories
from inference.runtime import get_runtime
from inference.sketch_files import normalise_sketch
from inference.suggestions import SuggestionsUnavailable


def _guessable() -> set[str]:
    """Installed things the shipped classifier knows (no torch: the cards only)."""
    card = get_runtime().classifier_card()
    if card is None:
        return set()
    return set(card.categories) & {c.slug for c in installed_categories()}


def suggestions_available() -> bool:
    """Whether the canvas should ask: a classifier is installed and knows an installed thing."""
    return bool(_guessable())


def suggest_things(*, sketch: bytes | IO[bytes], language: str) -> list[dict[str, Any]]:
    """The top three installed things ``sketch`` looks like, best first, labelled in
    ``language``: ``{slug, label, emoji, theme, probability}`` (shared among those things).

    Raises ``SuggestionsUnavailable`` (503) when nothing can be guessed and ``SketchRejected``
    (4xx, with a sentence) for an upload that is not a usable sketch.
    """
    allowed = _guessable()
    if not allowed:
        raise SuggestionsUnavailable()
    data = sketch if isinstance(sketch, bytes) else sketch.read(settings.SKETCH_MAX_BYTES + 1)
    image = normalise_sketch(data)
    ranked = get_runtime().classifier().suggest(image, allowed)
    categories = {c.slug: c for c in installed_categories()}
    return [
        {
            "slug": slug,
            "label": categories[slug].label(language),
            "emoji": categories[slug].emoji,
            "theme": categories[slug].theme_slug,
            "probability": round(probability, 4),
        }
        for slug, probability in ranked
    ]
