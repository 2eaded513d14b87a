"""Every channel message the web and the lifecycle send leaves through here: wake-ups for workers,
news for children's pages and for their parents' devices (their shapes: ``drawings.protocol``).

Events are small (ids, status, URLs, timings, what a picture paid — never image bytes) and only
wake their reader: the database row stays the truth, a lost wake-up is found by the reaper and a
page that missed an event re-reads it over REST. Write paths send on commit, so nobody hears of a
state that was rolled back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from core.infrastructure import INFRASTRUCTURE_ERRORS, describe
from drawings import protocol
from drawings.models import Drawing
from drawings.payloads import child_drawing_payload, drawing_payload, family_drawing_payload
from drawings.protocol import INFERENCE_CHANNEL

logger = logging.getLogger(__name__)

# The events of the batch being written (``sent_together``), or None: each event on its own.
_together: ContextVar[list[tuple[str, dict[str, Any]]] | None] = ContextVar(
    "drawing_events_together", default=None
)


def child_group(child_id: int) -> str:
    """The channel-layer group that reaches every open page of one child."""
    return f"child-{child_id}"


def family_group(parent_id: int) -> str:
    """The group that reaches every socket a parent's device token opened: news of all their
    children's drawings, hidden ones included."""
    return f"family-{parent_id}"


def wake_workers(drawing_ids: list[int]) -> None:
    """Tell some inference worker that these drawings wait. Losing this is harmless."""
    layer = get_channel_layer()
    if layer is None or not drawing_ids:
        return
    try:
        async_to_sync(layer.send)(INFERENCE_CHANNEL, protocol.wake(drawing_ids))
    except Exception as error:  # the reaper will find the rows; never fail a saved submission
        _warn(error, "could not wake inference workers for %s", drawing_ids)


def wake_workers_on_commit(drawing_ids: list[int]) -> None:
    """Wake workers once the transaction that queued these drawings commits."""
    ids = list(drawing_ids)
    transaction.on_commit(lambda: wake_workers(ids))


def _send(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception as error:  # the page re-reads over REST
        _warn(error, "could not send a drawing event to %s", group)


def _send_all(messages: list[tuple[str, dict[str, Any]]]) -> None:
    """Several events in one hop onto the channel layer's loop (``async_to_sync`` costs about
    as much as the send itself), each still on its own: one lost costs only itself."""
    layer = get_channel_layer()
    if layer is None or not messages:
        return

    async def send_each() -> None:
        for group, event in messages:
            try:
                await layer.group_send(group, event)
            except Exception as error:  # the page re-reads over REST
                _warn(error, "could not send a drawing event to %s", group)

    async_to_sync(send_each)()


@contextmanager
def sent_together() -> Iterator[None]:
    """The events ``drawing_changed`` makes in this block leave together, in one hop, once the
    transaction commits (at once outside one), in the order they were made: a batch's claim or
    finish sends its drawings' news in one go. Nothing is sent when the block raises. Put it
    inside any savepoint that may roll back, so what it holds was all written."""
    if _together.get() is not None:  # already inside one: the outer block sends
        yield
        return
    pending: list[tuple[str, dict[str, Any]]] = []
    token = _together.set(pending)
    try:
        yield
    finally:
        _together.reset(token)
    if pending:
        transaction.on_commit(lambda: _send_all(pending))


def _warn(error: Exception, message: str, *args: Any) -> None:
    """One line when the cause is known (Redis unreachable: a worker finishing a batch would
    print a traceback a drawing), the traceback otherwise."""
    if isinstance(error, INFRASTRUCTURE_ERRORS):
        logger.warning(f"{message}: %s", *args, describe(error))
    else:
        logger.warning(message, *args, exc_info=True)


def send_to_child(child_id: int, event: dict[str, Any]) -> None:
    """Deliver one event to every open page of a child. Losing it costs nothing."""
    _send(child_group(child_id), event)


def send_to_family(parent_id: int, event: dict[str, Any]) -> None:
    """Deliver one event to every socket of the parent's devices. Losing it costs nothing."""
    _send(family_group(parent_id), event)


def drawing_changed(
    drawing: Drawing, *, progress: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """Tell the child's pages and the parent's devices a drawing's new state once the
    transaction commits.

    The payload is read now, from the row as this write left it; the child's event is returned
    so a caller (or a test) can see exactly what was sent: the child API's drawing, its image
    addresses working with a play token. The parent's devices hear the same news with the
    family API's download addresses instead, whose drawing it is (``child_id``) and whether it
    is ``hidden``. A drawing a parent hid is never sent to the child: the child no longer sees
    it anywhere (``None`` comes back); the parent still hears of it.
    """
    shared = drawing_payload(drawing)  # read once: a finishing batch sends one per drawing
    event = protocol.drawing_status(child_drawing_payload(drawing, shared), progress)
    child_id, parent_id = drawing.child_id, drawing.child.parent_id
    to_family = protocol.for_family(
        protocol.drawing_status(family_drawing_payload(drawing, shared), progress),
        child_id=child_id,
        hidden=drawing.hidden,
    )
    messages = [(family_group(parent_id), to_family)]
    if not drawing.hidden:
        messages.insert(0, (child_group(child_id), event))
    together = _together.get()
    if together is not None:
        together.extend(messages)
    else:
        transaction.on_commit(lambda: _send_all(messages))
    return None if drawing.hidden else event
