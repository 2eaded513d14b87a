"""What other apps do when drawings finish, inside the transaction that marks them done.

A drawing's life knows nothing of the game: an app that reacts to finished pictures registers a
function here from its ``AppConfig.ready`` (``gamification`` pays XP, streaks, quests and
achievements). :func:`drawings.lifecycle.finish_drawings` calls every registered function with
the batch it just marked done, in batch order; each answers one outcome per drawing (None: it
made nothing of that one). An outcome's ``to_event()`` is its part of the ``progress`` the
drawing's event carries (XP, level, new achievements...).

A hook writes in a savepoint of its own: if it raises, the lifecycle logs it and calls it again
with each drawing alone (in a savepoint), and a drawing that still fails is done without it —
a bug in a hook never loses a child's picture.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


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
