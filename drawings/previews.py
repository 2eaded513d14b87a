"""The magic preview: while a child draws, a faded picture of what the sketch would become.

The canvas (opt-in "peek" toggle) sends the current sketch over its socket at most every
``PREVIEW_MIN_INTERVAL_SECONDS`` while it changes. The consumer checks it like an upload
(``inference.serving.sketch_files.normalise_sketch``, off the event loop) and passes it to the
workers on the ``inference.preview`` channel with the socket's own reply channel. A worker keeps
only the latest request of each socket (a stale one is dropped, never queued behind), draws previews
on the fast path only when no submitted drawing waits, and answers the socket directly (the channel
messages: ``drawings.protocol``; the worker's side: ``drawings.worker.previews``). Nothing is
stored and nothing is paid; a saturated server answers ``preview.busy`` and the page waits.

Messages (JSON on the socket):

* page → server: ``{"type": "preview", "seq": 7, "category": "animal",
  "sketch": "data:image/png;base64,..."}`` (``type`` first; at most ``WS_MAX_PREVIEW_BYTES``);
* server → page: ``{"type": "preview", "seq": 7, "image": "data:image/webp;base64,..."}`` or
  ``{"type": "preview.busy", "seq": 7, "reason": "too_fast" | "saturated"}``.
"""

from __future__ import annotations

import base64
import binascii
import io
from typing import Any

from inference.serving.sketch_files import SketchRejected, encode_sketch_png, normalise_sketch

PREVIEW_MIN_INTERVAL_SECONDS = 0.4
DATA_URL_PREFIX = "data:image/png;base64,"
MAX_SEQ = 2**31 - 1


class PreviewRefused(ValueError):
    """A preview request that cannot be drawn; ``code`` and the sentence go back to the page."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


# The refusal a page shows in words: the preview needs a thing and none is picked or guessed.
NEEDS_THING = "preview_needs_thing"


def read_request(content: dict[str, Any], *, categories: set[str]) -> tuple[int, str, bytes]:
    """Check a page's preview message: its ``seq``, category and sketch as a checked 256x256
    PNG. CPU work (decoding, re-encoding): call it off the event loop. Raises
    :class:`PreviewRefused`."""
    seq = content.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq <= MAX_SEQ:
        raise PreviewRefused("bad_preview", "A preview needs a whole number seq.")
    category = content.get("category")
    if category in (None, "") and len(categories) == 1:
        (category,) = categories  # one thing installed: the sketch can only be that
    elif category in (None, ""):
        # Peek from the first stroke asks before a thing is picked: the page says why it waits.
        raise PreviewRefused(NEEDS_THING, "Pick what you drew: then the peek can start.")
    if not isinstance(category, str) or category not in categories:
        raise PreviewRefused("bad_preview", "Pick something to draw first.")
    sketch = content.get("sketch")
    if not isinstance(sketch, str) or not sketch.startswith(DATA_URL_PREFIX):
        raise PreviewRefused("bad_preview", "Send the sketch as a PNG data URL.")
    try:
        data = base64.b64decode(sketch[len(DATA_URL_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise PreviewRefused("bad_preview", "That sketch is not valid base64.") from None
    try:
        image = normalise_sketch(data)
    except SketchRejected as refused:
        raise PreviewRefused("bad_preview", str(refused)) from None
    return seq, category, encode_sketch_png(image)


def image_data_url(image: Any, *, quality: int = 70) -> str:
    """A picture as a small WebP data URL, for showing only (nothing is stored)."""
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", quality=quality, method=0)
    return "data:image/webp;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
