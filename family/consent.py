"""Consent records: read-only evidence of what a parent agreed to, and when it was withdrawn."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.models import ConsentRecord
from family.scoping import FamilyModelAdmin
from family.sites import family_site


@admin.register(ConsentRecord, site=family_site)
class ConsentRecordsAdmin(FamilyModelAdmin):
    family_path = "parent"
    list_display = ("whom", "method", "version", "verified_email", "granted_at", "withdrawn_at")
    list_filter = ("method",)
    list_select_related = ("child",)
    fields = ("whom", "method", "version", "verified_email", "granted_at", "withdrawn_at")
    readonly_fields = fields

    @admin.display(description=_("child"))
    def whom(self, record: ConsentRecord) -> str:
        if record.child is None:
            return str(_("(profile deleted when consent was withdrawn)"))
        return record.child.nickname
