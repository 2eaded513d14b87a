"""A child's writes to a drawing: submit a sketch, and send a failed one again.

The database row is the truth: a submission is validated, stored and queued in one
transaction, and only then are workers woken. What happens next (claim, finish, give
back, reap) is ``drawings.lifecycle``.
"""

from __future__ import annotations

import re
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Child
from core import error_codes as codes
from core.errors import ApplicationError
from drawings import selectors, sketch_handoff
from drawings.events import drawing_changed, wake_workers
from drawings.models import MAX_VERSIONS, Drawing, DrawingStatus, NewColours, PictureVersion
from drawings.selectors import can_paint_new_colours, installed_categories
from inference.serving.sketch_files import (
    STORED_SKETCH_SIZE,
    SketchRejected,
    encode_sketch_png,
    normalise_sketch,
)

CLIENT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")


class SubmissionRejected(ApplicationError, ValueError):
    """A submission that can't be accepted (nothing was stored), told so a person can act."""


def _read_capped(sketch: bytes | IO[bytes]) -> bytes:
    if isinstance(sketch, bytes | bytearray):
        return bytes(sketch)
    # Read one byte past the cap: enough to know it is too big, never the whole of a huge file.
    return sketch.read(settings.SKETCH_MAX_BYTES + 1)


def _check_category(category: str) -> None:
    slugs = [c.slug for c in installed_categories()]
    if category not in slugs:  # a generator installed since the cards were read
        slugs = [c.slug for c in installed_categories(refresh=True)]
    if not slugs:
        raise SubmissionRejected(
            _(
                "No picture-makers are installed yet, so drawings can't be turned into pictures. "
                "A grown-up can install one (see the README)."
            ),
            code=codes.NO_GENERATORS,
            field="category",
        )
    if category not in slugs:
        raise SubmissionRejected(
            _("We can't draw “%(category)s” yet. Pick one of: %(choices)s.")
            % {"category": category, "choices": ", ".join(slugs)},
            code=codes.UNKNOWN_CATEGORY,
            field="category",
        )


def submit_drawing(
    *, child: Child, category: str, sketch: bytes | IO[bytes], client_id: str
) -> tuple[Drawing, bool]:
    """Validate, normalise and store a sketch; queue it for a generator.

    Returns ``(drawing, created)``. A retry with a ``client_id`` this child has
    already used returns the existing drawing and stores nothing new.
    Raises :class:`SubmissionRejected` (nothing stored) for bad input.
    """
    if not isinstance(client_id, str) or not CLIENT_ID_PATTERN.match(client_id):
        raise SubmissionRejected(
            _("client_id must be 1–64 letters, digits or . _ : - (a UUID is ideal)."),
            code=codes.BAD_CLIENT_ID,
            field="client_id",
        )
    existing = Drawing.objects.filter(child=child, client_id=client_id).first()
    if existing is not None:
        return _retry_if_failed(_same_submission(existing, category)), False

    _check_category(category)
    try:
        image = normalise_sketch(_read_capped(sketch), size=STORED_SKETCH_SIZE)
    except SketchRejected as exc:
        raise SubmissionRejected(exc.message, code=exc.code, field="sketch") from exc
    png = encode_sketch_png(image)

    stored_name: str | None = None
    try:
        with transaction.atomic():
            drawing = Drawing(child=child, category=category, client_id=client_id)
            drawing.sketch.save("sketch.png", ContentFile(png), save=False)
            stored_name = drawing.sketch.name
            drawing.save()
            # Pixels first, for a worker in this process to take, then the wake-up.
            transaction.on_commit(lambda: sketch_handoff.keep(drawing.sketch.name, image))
            transaction.on_commit(lambda: wake_workers([drawing.pk]))
    except IntegrityError:
        # Two identical retries raced: the other one won; drop our copy of the file.
        if stored_name:
            default_storage.delete(stored_name)
        existing = Drawing.objects.filter(child=child, client_id=client_id).first()
        if existing is None:
            raise
        return _same_submission(existing, category), False
    except Exception:
        if stored_name:
            default_storage.delete(stored_name)
        raise
    return drawing, True


def _retry_if_failed(drawing: Drawing) -> Drawing:
    """Sending a failed drawing again ("Try again") queues the same row once more.

    failed → queued is a transition like the worker's: the child's pages hear of it.
    """
    if drawing.status != DrawingStatus.FAILED:
        return drawing
    with transaction.atomic():
        requeued = Drawing.objects.filter(pk=drawing.pk, status=DrawingStatus.FAILED).update(
            status=DrawingStatus.QUEUED,
            attempts=0,
            error_message="",
            lease_until=None,
            started_at=None,
            finished_at=None,
            queued_at=timezone.now(),
        )
        drawing.refresh_from_db()
        if requeued:
            drawing_changed(drawing)
            transaction.on_commit(lambda: wake_workers([drawing.pk]))
    return drawing


def retry_drawing(*, child: Child, drawing_id: int) -> Drawing | None:
    """The child asks for a failed drawing again: the web's "Try again", for the API.

    The same row is queued once more (as when the failed ``client_id`` is sent again).
    ``None`` if the child has no such drawing; :class:`SubmissionRejected` (409,
    ``not_failed``) if it did not fail, so nothing is drawn twice.
    """
    drawing = selectors.drawing_of_child(child=child, drawing_id=drawing_id)
    if drawing is None:
        return None
    if drawing.status != DrawingStatus.FAILED:
        raise SubmissionRejected(
            _("Only a drawing that could not be drawn can be tried again."),
            code=codes.NOT_FAILED,
        )
    return _retry_if_failed(drawing)


def _same_submission(existing: Drawing, category: str) -> Drawing:
    if existing.category != category:
        raise SubmissionRejected(
            _(
                "This client_id was already used for a different drawing. "
                "Use a new client_id for each new drawing."
            ),
            code=codes.CLIENT_ID_CONFLICT,
            field="client_id",
        )
    return existing


class NewColoursRefused(ApplicationError, ValueError):
    """New colours or a version that can't be had for this picture, told so a child can act."""


def ask_for_new_colours(*, child: Child, drawing_id: int) -> Drawing | None:
    """The child presses 🎲 "New colours" on a finished picture.

    The drawing is queued for its next version (the generator's next variant: the child's own
    colours kept, the rest of the picture in another colourway); the picture shown stays until
    the new one arrives, then the new one is shown. Nothing is paid for it. Pressing again while
    one is on its way changes nothing. ``None`` if the child has no such drawing;
    :class:`NewColoursRefused` (409) if the picture is not finished (``not_done``), its
    generator draws one picture a sketch (``no_new_colours``) or it has ``MAX_VERSIONS``
    already (``too_many_versions``).
    """
    drawing = selectors.drawing_of_child(child=child, drawing_id=drawing_id)
    if drawing is None:
        return None
    _check_finished(drawing)
    if drawing.painting_new_colours:
        return drawing
    if not can_paint_new_colours(drawing.category):
        raise NewColoursRefused(
            _("This picture-maker paints one picture for each drawing, so it can't make new "
              "colours. Draw a new one instead!"),
            code=codes.NO_NEW_COLOURS,
        )  # fmt: skip
    if drawing.picture_count >= MAX_VERSIONS:
        raise NewColoursRefused(
            _("This picture has %(count)d colourways already — that's the most. Pick your "
              "favourite, or draw a new one!") % {"count": drawing.picture_count},
            code=codes.TOO_MANY_VERSIONS,
        )  # fmt: skip
    with transaction.atomic():
        if drawing.picture_count == 1 and not drawing.versions.exists():
            # The first re-roll keeps the first picture as version 0, so the child can go back.
            PictureVersion.objects.create(
                drawing=drawing,
                number=0,
                picture=drawing.result.name,
                generator_name=drawing.generator_name,
                created_at=drawing.finished_at or timezone.now(),
            )
        asked = Drawing.objects.filter(
            pk=drawing.pk,
            status=DrawingStatus.DONE,
            version_count=drawing.version_count,
            result=drawing.result.name,
            new_colours__in=[NewColours.NONE, NewColours.FAILED],
        ).update(
            version_count=drawing.picture_count,
            new_colours=NewColours.QUEUED,
            attempts=0,
            queued_at=timezone.now(),
            lease_until=None,
            worker_id="",
            heartbeat_at=None,
        )
        drawing.refresh_from_db()
        if asked:
            drawing_changed(drawing)
            transaction.on_commit(lambda: wake_workers([drawing.pk]))
    return drawing


def show_version(*, child: Child, drawing_id: int, number: int) -> Drawing | None:
    """The child picks which of a picture's versions is shown (gallery, canvas, share links,
    the family's export all show that one). ``None`` if the child has no such drawing;
    :class:`NewColoursRefused` for a picture not finished (409 ``not_done``) or a version it
    does not have (400 ``no_such_version``)."""
    drawing = selectors.drawing_of_child(child=child, drawing_id=drawing_id)
    if drawing is None:
        return None
    _check_finished(drawing)
    version = selectors.picture_version(drawing=drawing, number=number)
    if version is None:
        raise NewColoursRefused(
            _("This picture has no version %(number)d.") % {"number": number},
            code=codes.NO_SUCH_VERSION,
            field="version",
        )
    if drawing.version != number:
        with transaction.atomic():
            Drawing.objects.filter(pk=drawing.pk, status=DrawingStatus.DONE).update(
                result=version.name, version=number
            )
            drawing.refresh_from_db()
            drawing_changed(drawing)
    return drawing


def _check_finished(drawing: Drawing) -> None:
    if drawing.status != DrawingStatus.DONE or not drawing.result:
        raise NewColoursRefused(
            _("This picture isn't finished yet. Wait for it, then try again."),
            code=codes.NOT_DONE,
        )


def set_drawings_hidden(*, drawings: QuerySet[Drawing], hidden: bool) -> int:
    """A parent hides drawings from their child's gallery (or shows them again).

    Hidden drawings stay in the family (the parent still reviews them) but leave every
    child-facing read and are never sent on the child's socket again. Returns how many changed.
    """
    return drawings.exclude(hidden=hidden).update(hidden=hidden)


def ask_a_grownup(*, child: Child, drawing_id: int) -> Drawing | None:
    """The child presses "Show a grown-up" on one of their pictures.

    It only puts the picture in the parent's family admin as a request to look (nothing leaves
    the family); pressing again changes nothing. ``None`` if the child has no such drawing.
    """
    drawing = selectors.drawing_of_child(child=child, drawing_id=drawing_id)
    if drawing is None:
        return None
    if drawing.grownup_asked_at is None:
        drawing.grownup_asked_at = timezone.now()
        Drawing.objects.filter(pk=drawing.pk, grownup_asked_at__isnull=True).update(
            grownup_asked_at=drawing.grownup_asked_at
        )
    return drawing


def answer_grownup_requests(*, drawings: QuerySet[Drawing]) -> int:
    """A parent has looked at pictures their child asked them to see."""
    return drawings.filter(grownup_asked_at__isnull=False).update(grownup_asked_at=None)
