"""What other apps do when drawings finish, inside the transaction that marks them done.

A drawing's life knows nothing of the game: an app that reacts to finished pictures registers a
function here from its ``AppConfig.ready`` (``gamification`` pays XP, streaks, quests and
achievements). :func:`drawings.lifecycle.finish_drawings` calls every registered function with
the batch it just marked done, in batch order; each answers one outcome per drawing (None: it
made nothing of that one). An outcome's ``to_event()`` is its part of the ``progress`` the
drawing's event carries (XP, level, new achievements...).

The lifecycle runs them through :func:`run_finished_hooks`. A hook writes in a savepoint of its
own: if it raises, it is logged and called again with each drawing alone (in a savepoint), and a
drawing that still fails is done without it — a bug in a hook never loses a child's picture.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.db import transaction

if TYPE_CHECKING:
    from drawings.models import Drawing

logger = logging.getLogger(__name__)


class Outcome(Protocol):
    """What a hook made of one finished drawing."""

    def to_event(self) -> dict[str, Any]:
        """Its part of the ``progress`` of the drawing's event (JSON-ready)."""
        ...


WhenFinished = Callable[..., Sequence[Outcome | None]]  # called as hook(drawings=[...])

_when_finished: list[WhenFinished] = []


def when_drawings_finish(hook: WhenFinished) -> WhenFinished:
    """Register ``hook(drawings=...)`` for every batch of drawings just done (once per hook)."""
    if hook not in _when_finished:
        _when_finished.append(hook)
    return hook


def finished_hooks() -> tuple[WhenFinished, ...]:
    """The registered hooks, in the order they were registered."""
    return tuple(_when_finished)


@dataclass(frozen=True)
class Outcomes:
    """Several hooks' outcomes for one drawing, as one: their event parts merged in order."""

    parts: tuple[Outcome, ...]

    def to_event(self) -> dict[str, Any]:
        event: dict[str, Any] = {}
        for part in self.parts:
            event.update(part.to_event())
        return event


def combined(outcomes: Sequence[Outcome | None]) -> Any:
    """One drawing's outcomes as one: None when no hook made anything of it, the outcome
    itself when one did, their merge when several did."""
    made = tuple(outcome for outcome in outcomes if outcome is not None)
    if not made:
        return None
    return made[0] if len(made) == 1 else Outcomes(made)


def run_finished_hooks(drawings: list[Drawing]) -> list[Any]:
    """Run every registered hook inside the caller's transaction; for each drawing, what they
    made of it (:func:`combined`)."""
    if not drawings:
        return []
    made = [_run_safely(hook, drawings) for hook in finished_hooks()]
    return [combined([by_hook[i] for by_hook in made]) for i in range(len(drawings))]


def _run_safely(hook: WhenFinished, drawings: list[Drawing]) -> list[Outcome | None]:
    """One hook on the batch; on a failure, on each drawing alone.

    A bug in a hook (a game rule) must never lose a child's picture: the hook runs in a
    savepoint of its own; if the batch fails, each drawing is given to it alone, and one that
    still fails is done without it (the game's ``backfill_gamification`` pays it later, never
    twice).
    """
    try:
        outcomes = list(hook(drawings=drawings))  # in a savepoint of its own
        if len(outcomes) != len(drawings):
            raise ValueError(f"{len(outcomes)} outcomes for {len(drawings)} drawings")
        return outcomes
    except Exception:
        logger.exception(
            "a finished-drawings hook failed on a batch of %d; each alone", len(drawings)
        )
    alone: list[Outcome | None] = []
    for drawing in drawings:
        try:
            with transaction.atomic():
                (outcome,) = hook(drawings=[drawing])
        except Exception:
            logger.exception("a finished-drawings hook failed on drawing %s", drawing.pk)
            outcome = None
        alone.append(outcome)
    return alone
