""" "What did you draw?" when the worker runs elsewhere: the web asks a worker over the channel
layer, so a web process never loads the sketch classifier (nor torch).

The conversation, both ends in this module (its messages: ``drawings.protocol``):

1. The web process (``ask_a_worker``) opens a reply channel of its own and sends
   ``{"type": "suggest", "reply_to", "sketch" (the normalised 256×256 sketch as PNG bytes),
   "allowed" (slugs), "deadline" (epoch seconds)}`` to ``SUGGESTIONS_CHANNEL``; the channel
   layer hands it to one worker.
2. A worker (``SuggestionResponder``, started by ``manage.py inference_worker``) drops a
   request already past its deadline (the web has given up on it), checks the sketch again,
   ranks it with its classifier in a thread of its own (never the generator's), and answers
   ``{"type": "suggest.answer", "ranked": [[slug, probability], ...]}``, or
   ``{"type": "suggest.answer", "unavailable": true}`` when it has no classifier.
3. No answer within ``SUGGESTIONS_TIMEOUT_SECONDS`` (no worker running, all busy) is "no
   guesses right now": ``None`` here, a 503 with ``Retry-After`` for the canvas, which asks
   again later.

Nothing is stored and nothing is paid; a guess lost on the way costs a bubble, nothing more.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import BaseChannelLayer, get_channel_layer

from drawings import protocol
from drawings.protocol import SUGGESTIONS_CHANNEL, Ranked, SuggestionRequest
from inference.serving.sketch_files import SketchRejected, normalise_sketch
from inference.serving.suggestions import SuggestionsUnavailable

logger = logging.getLogger(__name__)


class WorkerUnavailable(Exception):
    """A worker answered that it cannot guess (no classifier installed there)."""


async def ask_a_worker(
    sketch_png: bytes,
    allowed: Collection[str],
    *,
    within: float,
    channel_layer: BaseChannelLayer | None = None,
) -> Ranked | None:
    """A worker's ranking of ``sketch_png`` among ``allowed``, best first, or None when no
    worker answered within ``within`` seconds; ``WorkerUnavailable`` when one said it can't."""
    layer = channel_layer or get_channel_layer()
    if layer is None:
        return None
    reply_to = await layer.new_channel("suggestions.reply.")
    request = SuggestionRequest(
        reply_to=reply_to,
        sketch_png=sketch_png,
        allowed=list(allowed),
        deadline=time.time() + within,
    )
    try:
        await layer.send(SUGGESTIONS_CHANNEL, request.to_message())
        answer = await asyncio.wait_for(layer.receive(reply_to), within)
    except (TimeoutError, ChannelFull):
        return None
    ranked = protocol.read_suggestion_answer(answer, allowed)
    if ranked is None:
        raise WorkerUnavailable()
    return ranked


class SuggestionResponder:
    """Answers the web's "What did you draw?" requests in a worker process, one at a time."""

    def __init__(self, channel_layer: BaseChannelLayer | None = None) -> None:
        self.channel_layer = channel_layer or get_channel_layer()
        # The classifier is tiny: one thread, beside (never inside) the generator's.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="suggestions")
        self.answered = 0

    async def run(self) -> None:
        """Answer until cancelled."""
        messages = protocol.receive_forever(
            self.channel_layer, SUGGESTIONS_CHANNEL, name="suggestions: channel layer"
        )
        try:
            async for message in messages:
                try:
                    await self.answer(message)
                except asyncio.CancelledError:
                    raise
                except Exception:  # one bad request must not stop the answering
                    logger.exception("suggestions: a request failed")
        finally:
            self._executor.shutdown(wait=False, cancel_futures=True)

    async def answer(self, message: dict[str, Any]) -> None:
        """Answer one request; a malformed one, or one past its deadline, gets no answer."""
        request = SuggestionRequest.from_message(message)
        if request is None or time.time() > request.deadline:
            return  # past the deadline the web stopped waiting: a late guess helps nobody
        loop = asyncio.get_running_loop()
        ranked: Ranked | None
        try:
            ranked = await loop.run_in_executor(
                self._executor, self._rank, request.sketch_png, request.allowed
            )
        except SuggestionsUnavailable:
            ranked = None
        except SketchRejected:
            return  # the web checked it already; nothing sensible to say
        with contextlib.suppress(ChannelFull):
            await self.channel_layer.send(request.reply_to, protocol.suggestion_answer(ranked))
            self.answered += 1

    @staticmethod
    def _rank(sketch_png: bytes, allowed: list[str]) -> Ranked:
        from inference.serving.runtime import get_runtime

        image = normalise_sketch(sketch_png)
        return get_runtime().classifier().suggest(image, set(allowed))
