"""Staff review reported share links in ``/admin/``: restore a link, or keep it down for good."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from drawings.downloads import MissingFile, png_response
from sharing import services
from sharing.models import ShareLink


class ReportedFilter(admin.SimpleListFilter):
    title = _("report")
    parameter_name = "reported"

    def lookups(self, request: HttpRequest, model_admin: object) -> list[tuple[str, str]]:
        return [("waiting", str(_("Waiting for review"))), ("reviewed", str(_("Reviewed")))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ShareLink]) -> QuerySet[ShareLink]:
        if self.value() == "waiting":
            return queryset.filter(reported_at__isnull=False)
        if self.value() == "reviewed":
            return queryset.filter(reviewed_at__isnull=False)
        return queryset


@admin.register(ShareLink)
class ShareLinkReviewAdmin(admin.ModelAdmin[ShareLink]):
    list_display = ("id", "picture", "reported_at", "report_reason", "expires_at", "revoked_at")
    list_filter = (ReportedFilter,)
    readonly_fields = (
        "picture",
        "drawing",
        "created_at",
        "expires_at",
        "show_sketch",
        "show_nickname",
        "revoked_at",
        "reported_at",
        "report_reason",
        "reviewed_at",
        "views",
    )
    fields = readonly_fields
    actions = ("restore", "keep_down")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # links are a parent's decision

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=_("picture"))
    def picture(self, link: ShareLink) -> str:
        url = reverse("admin:sharing_sharelink_picture", args=[link.pk])
        return format_html('<img src="{}" alt="" width="160" height="160" loading="lazy">', url)

    def get_urls(self) -> list[URLPattern]:
        picture = path(
            "<int:pk>/picture.png",
            self.admin_site.admin_view(self.picture_view),
            name="sharing_sharelink_picture",
        )
        return [picture, *super().get_urls()]

    def picture_view(self, request: HttpRequest, pk: int) -> FileResponse:
        if not self.has_view_permission(request):
            raise Http404
        link = ShareLink.objects.select_related("drawing").filter(pk=pk).first()
        if link is None or not link.drawing.result:
            raise Http404
        try:
            return png_response(link.drawing.result, filename=f"icanvas-{link.drawing_id}.png")
        except MissingFile as missing:
            raise Http404 from missing

    @admin.action(description=_("Restore the link (the report was wrong)"))
    def restore(self, request: HttpRequest, queryset: QuerySet[ShareLink]) -> None:
        changed = services.review_reports(links=queryset, restore=True)
        message = ngettext("%(count)d link restored.", "%(count)d links restored.", changed)
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Keep the link down for good"))
    def keep_down(self, request: HttpRequest, queryset: QuerySet[ShareLink]) -> None:
        changed = services.review_reports(links=queryset, restore=False)
        message = ngettext("%(count)d link revoked.", "%(count)d links revoked.", changed)
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)
