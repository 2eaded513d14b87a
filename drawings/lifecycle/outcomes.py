"""What the lifecycle's actions take and return, and the messages a child reads when one fails."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_noop

from drawings.models import Drawing

# Stored in English (the worker has no reader's language); translated when shown,
# see drawings.payloads.error_message_for.
FRIENDLY_FAILURE = gettext_noop(
    "Oh no, the picture-maker got stuck on this one. Your sketch is safe — try again in a moment!"
)
FRIENDLY_NO_GENERATOR = gettext_noop(
    "There is no picture-maker for this kind of drawing right now. Your sketch is safe."
)
FRIENDLY_NO_NEW_COLOURS = gettext_noop(
    "The picture-maker for this drawing can't paint new colours. Your picture is safe."
)


@dataclass(frozen=True)
class Claim:
    """A drawing this worker now owns until its lease ends (``attempt`` and ``worker_id`` are
    the owner's key)."""

    drawing: Drawing
    attempt: int
    worker_id: str = ""
    # 0: the drawing's first picture; n >= 1: "New colours", its version n (the variant drawn).
    variant: int = 0


@dataclass(frozen=True)
class Picture:
    """What a worker drew for one claim: the PNG, which generator, how long it took."""

    claim: Claim
    png: bytes
    generator_name: str
    inference_ms: int


@dataclass(frozen=True)
class Finished:
    """The picture is stored and the drawing done; ``payout`` is what the "drawings finished"
    hooks made of it (``drawings.hooks``: the game's payout), None when none made anything."""

    drawing: Drawing
    payout: Any


@dataclass(frozen=True)
class Requeued:
    """The drawing waits for another try."""

    drawing: Drawing


@dataclass(frozen=True)
class Failed:
    """The drawing failed for good, with a message for the child."""

    drawing: Drawing


@dataclass
class Reaped:
    """What one pass of the reaper did: woke ``resent``, gave up ``failed``, queued ``requeued``."""

    resent: list[int] = field(default_factory=list)
    failed: list[Drawing] = field(default_factory=list)
    requeued: list[Drawing] = field(default_factory=list)
