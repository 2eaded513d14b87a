"""Reading drawings: always through the child (or family) that owns them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Child, User
from drawings.models import Drawing, DrawingStatus


def drawings_of_child(*, child: Child) -> QuerySet[Drawing]:
    """A child's drawings, newest first, in a constant number of queries."""
    return Drawing.objects.filter(child=child).order_by("-created_at", "-id")


def drawing_of_child(*, child: Child, drawing_id: int) -> Drawing | None:
    return Drawing.objects.filter(child=child, pk=drawing_id).first()


def drawing_visible_to(*, user: User, child: Child | None, drawing_id: int) -> Drawing | None:
    """The drawing if this request may see it: the playing child's own, or the parent's family."""
    if child is not None:
        return drawing_of_child(child=child, drawing_id=drawing_id)
    if user.is_authenticated:
        return Drawing.objects.filter(child__parent=user, pk=drawing_id).first()
    return None


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def error_message_for(drawing: Drawing) -> str | None:
    """The failure message in the active language (it is stored in English), or None."""
    return gettext(drawing.error_message) if drawing.error_message else None


def drawing_payload(drawing: Drawing) -> dict[str, Any]:
    """The one shape of a drawing that REST responses and live events share."""
    done = drawing.status == DrawingStatus.DONE and bool(drawing.result)
    return {
        "id": drawing.pk,
        "client_id": drawing.client_id,
        "category": drawing.category,
        "status": drawing.status,
        "sketch_url": reverse("drawings:sketch_image", args=[drawing.pk]),
        "result_url": reverse("drawings:result_image", args=[drawing.pk]) if done else None,
        "error_message": error_message_for(drawing),
        "attempts": drawing.attempts,
        "created_at": _iso(drawing.created_at),
        "started_at": _iso(drawing.started_at),
        "finished_at": _iso(drawing.finished_at),
        "inference_ms": drawing.inference_ms,
    }


def drawings_for_canvas(
    *, child: Child, finished_within: timedelta, limit: int, now: datetime | None = None
) -> list[Drawing]:
    """The drawings whose cards the canvas page shows when it opens, newest first, in one query.

    Those still waiting for their picture, and those that finished (or failed) within
    ``finished_within``, so a picture that arrived while the page was reloading is still revealed.
    """
    since = (now or timezone.now()) - finished_within
    waiting = Q(status__in=[DrawingStatus.QUEUED, DrawingStatus.RUNNING])
    return list(drawings_of_child(child=child).filter(waiting | Q(finished_at__gte=since))[:limit])
