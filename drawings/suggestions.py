""" "What did you draw?": the installed things a sketch looks most like, for the canvas bubble.

A read, like the selectors: nothing is stored. The sketch passes the same checks as a drawing
(:func:`inference.serving.sketch_files.normalise_sketch`), and the classifier is asked only about
things some installed generator draws.

Where the classifier runs follows the worker: inside this process in the embedded default, and
in an inference worker when ``INFERENCE_EMBEDDED_WORKER`` is off (over the channel layer,
:mod:`drawings.remote_suggestions`), so a web-only process never imports torch. Whether to offer
guessing at all is read from the cards (JSON) either way.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import IO, TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.utils.translation import gettext_lazy

from core import error_codes as codes
from drawings import remote_suggestions
from drawings.selectors import installed_categories
from inference.serving.runtime import get_runtime
from inference.serving.sketch_files import encode_png, normalise_sketch
from inference.serving.suggestions import SuggestionsUnavailable

if TYPE_CHECKING:
    from PIL import Image

NOT_NOW = gettext_lazy("No guesses right now. Pick what you drew, and I'll guess again soon!")
# Seconds the canvas waits before asking again after "no guesses right now".
RETRY_AFTER = 30


class SuggestionsNotNow(SuggestionsUnavailable):
    """No worker answered in time (none running, or all busy): 503, ask again later."""

    code = codes.SUGGESTIONS_BUSY

    def __init__(self) -> None:
        super().__init__(str(NOT_NOW))


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
    ``language``: ``{slug, label, emoji, theme, probability, confident}`` (probability shared
    among those things; ``confident`` only for a best guess as sure as the classifier's card
    says a guess must be to be shown to a child).

    Raises ``SuggestionsUnavailable`` (503) when nothing can be guessed and ``SketchRejected``
    (4xx, with a sentence) for an upload that is not a usable sketch.
    """
    allowed = _guessable()
    card = get_runtime().classifier_card()
    if not allowed or card is None:
        raise SuggestionsUnavailable()
    data = sketch if isinstance(sketch, bytes) else sketch.read(settings.SKETCH_MAX_BYTES + 1)
    image = normalise_sketch(data)
    ranked = _rank(image, allowed)
    categories = {c.slug: c for c in installed_categories()}
    return [
        {
            "slug": slug,
            "label": categories[slug].label(language),
            "emoji": categories[slug].emoji,
            "theme": categories[slug].theme_slug,
            "probability": round(probability, 4),
            "confident": rank == 0 and probability >= card.confident_at,
        }
        for rank, (slug, probability) in enumerate(ranked)
    ]


def _rank(image: Image.Image, allowed: Collection[str]) -> list[tuple[str, float]]:
    """The classifier's ranking: here in the embedded default, else a worker's (or refused)."""
    if settings.INFERENCE_EMBEDDED_WORKER:
        return get_runtime().classifier().suggest(image, allowed)
    try:
        ranked = async_to_sync(remote_suggestions.ask_a_worker)(
            encode_png(image), allowed, within=settings.SUGGESTIONS_TIMEOUT_SECONDS
        )
    except remote_suggestions.WorkerUnavailable as exc:
        raise SuggestionsUnavailable() from exc
    if ranked is None:
        raise SuggestionsNotNow()
    return ranked
