"""A share link: one finished picture, shown by an unguessable token until it expires."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from drawings.models import Drawing


class ShareLinkQuerySet(models.QuerySet["ShareLink"]):
    def live(self) -> ShareLinkQuerySet:
        """Links a visitor may open now: not expired, revoked or waiting for a staff review, and
        of a picture the parent has not hidden (hidden means not shared, at once)."""
        return self.filter(
            expires_at__gt=timezone.now(),
            revoked_at__isnull=True,
            reported_at__isnull=True,
            drawing__status="done",
            drawing__hidden=False,
        ).exclude(drawing__result="")


class ShareLink(models.Model):
    """Made only by a parent, for one of their children's finished pictures.

    Only a hash of the token is stored: the link is shown to the parent once, when it is made,
    and a database leak does not open anyone's picture. A visitor's report takes the link down
    (``reported_at``) until staff look at it in ``/admin/``.
    """

    drawing = models.ForeignKey(
        Drawing, on_delete=models.CASCADE, related_name="share_links", verbose_name=_("picture")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_links"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("made"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    show_sketch = models.BooleanField(_("show the sketch too"), default=False)
    show_nickname = models.BooleanField(_("show the child's nickname"), default=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True)
    report_reason = models.CharField(_("why it was reported"), max_length=300, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed by staff"), null=True, blank=True)
    views = models.PositiveIntegerField(_("times opened"), default=0)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("share link")
        verbose_name_plural = _("share links")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"share link {self.pk} of drawing {self.drawing_id}"

    @property
    def is_live(self) -> bool:
        return (
            self.revoked_at is None
            and self.reported_at is None
            and self.expires_at > timezone.now()
            and not self.drawing.hidden
        )
