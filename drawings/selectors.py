"""Reading drawings (always through the child or family that owns them) and what can be drawn."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from accounts.models import Child, User
from drawings.models import Drawing, DrawingStatus, PictureVersion
from inference.serving.registry import Category, RegistryError
from inference.serving.runtime import get_runtime

__all__ = [
    "Category",
    "can_paint_new_colours",
    "drawing_of_child",
    "drawing_visible_to",
    "drawings_for_canvas",
    "drawings_of_child",
    "drawings_of_family",
    "installed_categories",
    "picture_version",
]


def drawings_of_child(*, child: Child) -> QuerySet[Drawing]:
    """What the child sees of their drawings, newest first, in a constant number of queries.

    A drawing a parent hid is left out here, so every child-facing read (gallery, canvas cards,
    REST, the images) forgets it; the parent still sees it through ``drawings_of_family``.
    """
    return Drawing.objects.filter(child=child, hidden=False).order_by("-created_at", "-id")


def drawing_of_child(*, child: Child, drawing_id: int) -> Drawing | None:
    return drawings_of_child(child=child).filter(pk=drawing_id).first()


def drawings_of_family(*, parent: User) -> QuerySet[Drawing]:
    """Every drawing of the parent's children, hidden ones included, newest first."""
    return Drawing.objects.filter(child__parent=parent).order_by("-created_at", "-id")


def drawing_visible_to(*, user: User, child: Child | None, drawing_id: int) -> Drawing | None:
    """The drawing if this request may see it: the playing child's own, or the parent's family."""
    if child is not None:
        return drawing_of_child(child=child, drawing_id=drawing_id)
    if user.is_authenticated:
        return drawings_of_family(parent=user).filter(pk=drawing_id).first()
    return None


def installed_categories(*, refresh: bool = False) -> list[Category]:
    """What a child can draw now: the categories of the installed generators, by slug.

    The one way apps ask. Read once per process from the cached runtime (never the registry
    directory on a request path); ``refresh`` re-reads the directory, for a generator installed
    since.
    """
    return get_runtime().categories(refresh=refresh)


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


def can_paint_new_colours(category: str) -> bool:
    """Whether the generator serving ``category`` now can redraw a picture in other colours
    ("New colours": the palette painter can, a pix2pix generator draws one picture a sketch).
    Read from the cached cards: no torch, no query."""
    try:
        return get_runtime().active_card_for(category).architecture_kind.makes_variants
    except RegistryError:
        return False


def picture_version(*, drawing: Drawing, number: int) -> FieldFile | None:
    """The stored picture of version ``number`` of a done drawing, or None if it has none.

    A drawing never re-rolled has only version 0, its ``result`` (no row); one re-rolled has a
    row for every version."""
    if drawing.status != DrawingStatus.DONE or not 0 <= number < drawing.picture_count:
        return None
    if number == drawing.version:
        return drawing.result
    row = PictureVersion.objects.filter(drawing=drawing, number=number).first()
    return row.picture if row is not None else None
