"""A drawing: the sketch a child made, and the picture the generator drew from it."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Child


def _sketch_path(instance: Drawing, filename: str) -> str:
    # Names are random: nothing about the child or the upload's filename leaks into storage.
    return f"sketches/{uuid.uuid4().hex}.png"


def _result_path(instance: Drawing, filename: str) -> str:
    return f"results/{uuid.uuid4().hex}.png"


class DrawingStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for its turn")
    RUNNING = "running", _("Being drawn")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Could not be drawn")


class NewColours(models.TextChoices):
    """Where a finished picture's "New colours" (🎲) stands; the drawing itself stays done."""

    NONE = "", _("No new colours asked for")
    QUEUED = "queued", _("New colours are waiting for their turn")
    RUNNING = "running", _("New colours are being painted")
    FAILED = "failed", _("New colours could not be painted")


# How many versions (colourways) one drawing may have: a child re-rolls a lot, storage is finite.
MAX_VERSIONS = 20


class Drawing(models.Model):
    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="drawings", verbose_name=_("child")
    )
    category = models.SlugField(_("category"), max_length=40)
    client_id = models.CharField(
        max_length=64,
        help_text="Chosen by the client for each new drawing; a retry with the same id "
        "returns the same drawing instead of making a second one.",
    )
    sketch = models.ImageField(upload_to=_sketch_path)
    result = models.ImageField(upload_to=_result_path, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DrawingStatus.choices,
        default=DrawingStatus.QUEUED,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    # Who holds a running drawing (drawings.worker_identity) and when it last said it was alive:
    # a dead holder's rows are taken back without waiting out the lease.
    worker_id = models.CharField(max_length=120, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    generator_name = models.CharField(max_length=80, blank=True)
    error_message = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("drawn"), auto_now_add=True, db_index=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(_("drawing started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("picture ready"), null=True, blank=True)
    inference_ms = models.PositiveIntegerField(_("generator time (ms)"), null=True, blank=True)
    # A parent's decision: the child no longer sees it (web, REST, socket); the parent still does.
    hidden = models.BooleanField(_("hidden from the child"), default=False)
    # The child pressed "Show a grown-up": the picture waits in the family admin for a look.
    grownup_asked_at = models.DateTimeField(
        _("a grown-up was asked to look"), null=True, blank=True
    )
    # "New colours" (🎲): a done drawing redrawn in another colourway becomes a new version of
    # itself. ``result`` is always the version shown; versions are numbered 0..count-1 (0 the
    # first picture) and the worker draws version n with the generator's variant n. A drawing
    # re-rolled once has a PictureVersion row for every version; one never re-rolled has none
    # (its only picture is ``result``), so old drawings need no rows.
    version = models.PositiveSmallIntegerField(_("version shown"), default=0)
    version_count = models.PositiveSmallIntegerField(_("versions"), default=0)
    new_colours = models.CharField(
        _("new colours"), max_length=10, choices=NewColours.choices, default="", blank=True
    )

    class Meta:
        verbose_name = _("drawing")
        verbose_name_plural = _("drawings")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "client_id"], name="unique_client_id_per_child"
            ),
        ]
        indexes = [models.Index(fields=["child", "-created_at"], name="drawing_child_recent")]

    def __str__(self) -> str:
        return f"{self.category} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (DrawingStatus.DONE, DrawingStatus.FAILED)

    @property
    def picture_count(self) -> int:
        """How many versions the picture has: a done drawing has at least its first one (also
        when a worker of before versions finished it after the migration counted them)."""
        if self.status != DrawingStatus.DONE or not self.result:
            return 0
        return max(1, self.version_count)

    @property
    def painting_new_colours(self) -> bool:
        """A new colourway is on its way (the shown picture stays until it arrives)."""
        return self.new_colours in (NewColours.QUEUED, NewColours.RUNNING)


class PictureVersion(models.Model):
    """One colourway of a drawing's picture ("New colours"): kept so the child can go back to it.

    Written when a drawing is first re-rolled (version 0, its first picture) and for every new
    colourway after; deleted with its drawing, files included (``drawings.erasure``).
    """

    drawing = models.ForeignKey(
        Drawing, on_delete=models.CASCADE, related_name="versions", verbose_name=_("drawing")
    )
    number = models.PositiveSmallIntegerField(_("version"))
    picture = models.ImageField(upload_to=_result_path)
    generator_name = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(_("painted"))

    class Meta:
        verbose_name = _("picture version")
        verbose_name_plural = _("picture versions")
        ordering = ["drawing", "number"]
        constraints = [
            models.UniqueConstraint(fields=["drawing", "number"], name="unique_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.drawing_id} v{self.number}"


class FileDeletion(models.Model):
    """A stored file whose deletion failed: kept until ``retry_file_deletions`` removes it.

    Deleting a child's data must never leave a file behind silently; the name is random and says
    nothing about the child.
    """

    name = models.CharField(max_length=255, unique=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_tried_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.name} (tried {self.attempts}x)"
