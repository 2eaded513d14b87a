"""Everything sent to a child's live connection goes through here.

Events are small (ids, status, URLs, timings — never image bytes) and only
wake the page: the database row stays the truth, and a page that missed an
event re-reads it over REST.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

INFERENCE_CHANNEL = "inference"
DRAWING_STATUS = "drawing.status"


def child_group(child_id: int) -> str:
    """The channel-layer group that reaches every open page of one child."""
    return f"child-{child_id}"


def wake_message(drawing_ids: Iterable[int]) -> dict[str, Any]:
    return {"type": "inference.wake", "ids": [int(i) for i in drawing_ids]}


def status_event(payload: dict[str, Any], progress: dict[str, Any] | None = None) -> dict[str, Any]:
    """A drawing's new state; when finishing it paid the child, what it paid (``progress``)."""
    event: dict[str, Any] = {"type": DRAWING_STATUS, "drawing": payload}
    if progress is not None:
        event["progress"] = progress
    return event


def wake_workers(drawing_ids: list[int]) -> None:
    """Tell some inference worker that these drawings wait. Losing this is harmless."""
    layer = get_channel_layer()
    if layer is None or not drawing_ids:
        return
    try:
        async_to_sync(layer.send)(INFERENCE_CHANNEL, wake_message(drawing_ids))
    except Exception:  # the reaper will find the rows; never fail a saved submission
        logger.warning("could not wake inference workers for %s", drawing_ids, exc_info=True)


async def send_drawing_status(
    child_id: int, payload: dict[str, Any], progress: dict[str, Any] | None = None
) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        await layer.group_send(child_group(child_id), status_event(payload, progress))
    except Exception:  # a lost event costs nothing: the page re-reads over REST
        logger.warning("could not send drawing event to child %s", child_id, exc_info=True)
