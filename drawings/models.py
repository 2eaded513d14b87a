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


class Drawing(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="drawings")
    category = models.SlugField(max_length=40)
    client_id = models.CharField(
        max_length=64,
        help_text="Chosen by the client for each new drawing; a retry with the same id "
        "returns the same drawing instead of making a second one.",
    )
    sketch = models.ImageField(upload_to=_sketch_path)
    result = models.ImageField(upload_to=_result_path, blank=True)
    status = models.CharField(
        max_length=10, choices=DrawingStatus.choices, default=DrawingStatus.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    generator_name = models.CharField(max_length=80, blank=True)
    error_message = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    inference_ms = models.PositiveIntegerField(null=True, blank=True)
    # A parent's decision: the child no longer sees it (web, REST, socket); the parent still does.
    hidden = models.BooleanField(_("hidden from the child"), default=False)

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
        return f"{self.category} by {self.child_id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (DrawingStatus.DONE, DrawingStatus.FAILED)


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
