"""Every message that crosses the channel layer, in one place: what travels and how it is read.

Three conversations with the inference workers and one kind of news:

* **wake-up** — web → ``INFERENCE_CHANNEL``: ``{"type": "inference.wake", "ids": [...]}``. A hint
  only: the database row is the truth, a lost wake-up is found by the reaper.
* **preview** — a child's socket → ``PREVIEW_CHANNEL``: a :class:`PreviewRequest` carrying the
  socket's own channel; the worker answers that channel ``preview.ready`` (``image``, a data
  URL) or ``preview.busy`` (``reason``: one of ``BUSY_REASONS``).
* **suggestions** — web → ``SUGGESTIONS_CHANNEL``: ``suggest`` (``reply_to``, ``sketch`` PNG bytes,
  ``allowed`` slugs, ``deadline`` epoch seconds); the worker answers ``reply_to`` with
  ``suggest.answer``: ``ranked`` ``[[slug, probability], ...]`` or ``unavailable``.
* **news** — the lifecycle → a child's (or a family's) group: ``drawing.status`` with the
  ``drawing`` payload, what finishing it paid (``progress``) and, for a parent's devices,
  ``child_id`` and ``hidden``.

A ``type`` with a dot reaches a consumer's method of the same name with ``_`` (``preview.ready``
→ ``preview_ready``). Readers never raise on a malformed message: they return ``None`` and the
caller drops it. This module imports no other module of the project (a contract keeps it so).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import (
    AsyncGenerator,
    Awaitable,
    Callable,
    Collection,
    Iterable,
    Iterator,
    Sequence,
)
from dataclasses import dataclass
from typing import Any, Final

from channels.layers import BaseChannelLayer

logger = logging.getLogger(__name__)

INFERENCE_CHANNEL: Final = "inference"
PREVIEW_CHANNEL: Final = "inference.preview"
SUGGESTIONS_CHANNEL: Final = "inference.suggestions"

WAKE: Final = "inference.wake"
PREVIEW_REQUEST: Final = "inference.preview"
PREVIEW_READY: Final = "preview.ready"
PREVIEW_BUSY: Final = "preview.busy"
SUGGEST: Final = "suggest"
SUGGEST_ANSWER: Final = "suggest.answer"
DRAWING_STATUS: Final = "drawing.status"

# Why a preview was not drawn: the page waits (too_fast, saturated) or sends it again (stale).
TOO_FAST: Final = "too_fast"
SATURATED: Final = "saturated"
STALE: Final = "stale"
NO_GENERATOR: Final = "no_generator"
BUSY_REASONS: Final = (TOO_FAST, SATURATED, STALE, NO_GENERATOR)

# A preview request older than this when the generator gets to it is dropped: the child drew on.
PREVIEW_MAX_AGE_SECONDS = 2.0

Ranked = list[tuple[str, float]]


# Wake-ups ------------------------------------------------------------------------------------


def wake(drawing_ids: Iterable[int]) -> dict[str, Any]:
    """What a worker reads on the ``inference`` channel: the ids that wait."""
    return {"type": WAKE, "ids": [int(i) for i in drawing_ids]}


def read_wake(message: dict[str, Any]) -> list[int] | None:
    """The ids of a wake-up, or None when it is not a list of ids."""
    try:
        return [int(drawing_id) for drawing_id in message.get("ids", [])]
    except (TypeError, ValueError, AttributeError):
        return None


# Previews ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewRequest:
    """One socket's latest sketch for a preview, as a worker holds it."""

    reply: str  # the socket's channel name
    seq: int
    category: str
    sketch_png: bytes
    sent: float  # time.time() when the socket passed it on

    def stale(self, now: float | None = None) -> bool:
        return (now if now is not None else time.time()) - self.sent > PREVIEW_MAX_AGE_SECONDS

    def to_message(self) -> dict[str, Any]:
        return {
            "type": PREVIEW_REQUEST,
            "reply": self.reply,
            "seq": self.seq,
            "category": self.category,
            "sketch": self.sketch_png,
            "sent": self.sent,
        }

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> PreviewRequest | None:
        """The request in a channel message, or None when it is not one (never raises)."""
        try:
            request = cls(
                reply=str(message["reply"]),
                seq=int(message["seq"]),
                category=str(message["category"]),
                sketch_png=bytes(message["sketch"]),
                sent=float(message["sent"]),
            )
        except (KeyError, TypeError, ValueError):
            return None
        return request if request.reply and request.sketch_png else None


def preview_ready(seq: int, image: str) -> dict[str, Any]:
    """The worker's answer: the preview of sketch ``seq`` as a data URL."""
    return {"type": PREVIEW_READY, "seq": seq, "image": image}


def preview_busy(seq: Any, reason: str | None) -> dict[str, Any]:
    """No preview of sketch ``seq`` now (one of ``BUSY_REASONS``); the page shows the same."""
    return {"type": PREVIEW_BUSY, "seq": seq, "reason": reason}


# Suggestions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SuggestionRequest:
    """The web's "What did you draw?", as a worker reads it."""

    reply_to: str
    sketch_png: bytes
    allowed: list[str]
    deadline: float  # epoch seconds: past it, the web has stopped waiting

    def to_message(self) -> dict[str, Any]:
        return {
            "type": SUGGEST,
            "reply_to": self.reply_to,
            "sketch": self.sketch_png,
            "allowed": sorted(self.allowed),
            "deadline": self.deadline,
        }

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> SuggestionRequest | None:
        """The request in a channel message, or None when it is not a usable one."""
        reply_to, deadline = message.get("reply_to"), message.get("deadline")
        if message.get("type") != SUGGEST or not isinstance(reply_to, str):
            return None
        if not isinstance(deadline, int | float):
            return None
        allowed = [slug for slug in message.get("allowed", []) if isinstance(slug, str)]
        sketch = message.get("sketch")
        if not isinstance(sketch, bytes) or not allowed:
            return None
        return cls(reply_to=reply_to, sketch_png=sketch, allowed=allowed, deadline=deadline)


def suggestion_answer(ranked: Sequence[tuple[str, float]] | None) -> dict[str, Any]:
    """A worker's ranking, best first; ``None`` says it has no classifier."""
    if ranked is None:
        return {"type": SUGGEST_ANSWER, "unavailable": True}
    return {"type": SUGGEST_ANSWER, "ranked": [[slug, p] for slug, p in ranked]}


def read_suggestion_answer(message: dict[str, Any], allowed: Collection[str]) -> Ranked | None:
    """The ranking in a worker's answer (only ``allowed`` slugs), or None when it said it
    cannot guess."""
    if message.get("unavailable"):
        return None
    return [
        (str(slug), float(probability))
        for slug, probability in message.get("ranked", [])
        if slug in allowed
    ]


# News ----------------------------------------------------------------------------------------


def drawing_status(
    payload: dict[str, Any], progress: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A drawing's new state; when finishing it paid the child, what it paid (``progress``)."""
    event: dict[str, Any] = {"type": DRAWING_STATUS, "drawing": payload}
    if progress is not None:
        event["progress"] = progress
    return event


def for_family(event: dict[str, Any], *, child_id: int, hidden: bool) -> dict[str, Any]:
    """The same news for a parent's devices, which hear several children (hidden ones too)."""
    return {**event, "child_id": child_id, "hidden": hidden}


# Receiving -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Backoff:
    """How long a reader waits before trying an unreachable channel layer (Redis) again:
    ``first`` seconds, twice as long after each further failure, never more than ``longest``."""

    first: float = 0.5
    longest: float = 30.0

    def waits(self) -> Iterator[float]:
        wait = self.first
        while True:
            yield wait
            wait = min(wait * 2, self.longest)


async def receive_forever(
    layer: BaseChannelLayer,
    channel: str,
    *,
    name: str = "channel layer",
    backoff: Backoff = Backoff(),  # frozen: one shared default is safe
    pause: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> AsyncGenerator[dict[str, Any], None]:
    """Every message on ``channel``, for ever.

    While a receive fails (Redis unreachable) it is tried again after the ``backoff``'s waits
    (``pause`` sleeps them), which grow until the layer answers: one warning line when receiving
    stops working and one line with the first message received again, never a traceback a try.
    """
    waits: Iterator[float] | None = None  # None: receiving works
    while True:
        try:
            message = await layer.receive(channel)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if waits is None:
                waits = backoff.waits()
                cause = str(error).splitlines()[0][:200] if str(error) else ""
                logger.warning(
                    "%s: receiving on %r failed (%s: %s); retrying, waiting longer each time "
                    "(up to %g s) until it answers",
                    name,
                    channel,
                    type(error).__name__,
                    cause,
                    backoff.longest,
                )
            await pause(next(waits))
            continue
        if waits is not None:
            logger.info("%s: receiving on %r works again", name, channel)
            waits = None
        yield message
