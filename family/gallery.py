"""Gallery review: the family's drawings, sketch and picture side by side; hide, delete, export.

Images come through the family-checked views (``drawings:sketch_image``/``result_image``), never
public media URLs. Deleting goes through ``drawings.erasure`` (rows now, files on commit; the XP
ledger is kept), hiding through ``drawings.services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.permissions import ask_to_sign_in_again, fresh_sign_in_required
from drawings import erasure, services
from drawings.models import Drawing, DrawingStatus
from drawings.selectors import installed_categories
from family import services as family_services
from family.export import zip_response
from family.scoping import FamilyModelAdmin
from family.sites import family_site
from gamification.selectors import xp_paid_for_drawings


def _pictures(drawing: Drawing, *, css_class: str, versions: bool = False) -> str:
    images = [(reverse("drawings:sketch_image", args=[drawing.pk]), str(_("Sketch")))]
    if drawing.status == DrawingStatus.DONE and drawing.result:
        if versions and drawing.picture_count > 1:
            # "New colours": every colourway the child made, the one the child shows marked.
            for number in range(drawing.picture_count):
                label = _("Version %(number)d") % {"number": number + 1}
                if number == drawing.version:
                    label = _("%(version)s (shown)") % {"version": label}
                url = reverse("drawings:version_image", args=[drawing.pk, number])
                images.append((url, str(label)))
        else:
            images.append((reverse("drawings:result_image", args=[drawing.pk]), str(_("Picture"))))
    return format_html(
        '<span class="{}">{}</span>',
        css_class,
        format_html_join(
            "",
            '<figure><img src="{}" alt="{}" loading="lazy"><figcaption>{}</figcaption></figure>',
            ((url, label, label) for url, label in images),
        ),
    )


class AskedToLookFilter(admin.SimpleListFilter):
    title = _("asked to look")
    parameter_name = "asked"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", str(_("A child asked you to look")))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Drawing]) -> QuerySet[Drawing]:
        if self.value() == "yes":
            return queryset.filter(grownup_asked_at__isnull=False)
        return queryset


def _category_name(slug: str) -> str:
    """A category as the parent reads it: its emoji and its label in the parent's language."""
    language = get_language() or "en"
    for category in installed_categories():
        if category.slug == slug:
            return f"{category.emoji} {category.label(language)}"
    return slug


class CategoryFilter(admin.SimpleListFilter):
    """ "By category": the things the family's children drew, named in the parent's language."""

    title = _("category")
    parameter_name = "category"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        drawn = (
            model_admin.get_queryset(request)
            .order_by()
            .values_list("category", flat=True)
            .distinct()
        )
        return sorted(((slug, _category_name(slug)) for slug in drawn), key=lambda c: c[1])

    def queryset(self, request: HttpRequest, queryset: QuerySet[Drawing]) -> QuerySet[Drawing]:
        if self.value():
            return queryset.filter(category=self.value())
        return queryset


def _export_name() -> str:
    return f"icanvas-family-{timezone.localdate().isoformat()}.zip"


@admin.register(Drawing, site=family_site)
class GalleryAdmin(FamilyModelAdmin):
    family_path = "child__parent"
    list_display = (
        "thumbnails",
        "child",
        "category_label",
        "status",
        "versions",
        "shown",
        "asked_to_look",
        "created_at",
    )
    list_display_links = ("thumbnails",)
    list_filter = (
        AskedToLookFilter,
        ("child", admin.RelatedOnlyFieldListFilter),
        CategoryFilter,
        "status",
        "hidden",
    )
    date_hierarchy = "created_at"
    search_fields = ("category",)
    list_select_related = ("child",)
    list_per_page = 24
    ordering = ("-created_at", "-id")
    actions = ("hide_from_child", "show_to_child", "export_selected")
    fields = (
        "large_pictures",
        "child",
        "category_label",
        "status",
        "hidden",
        "created_at",
        "started_at",
        "finished_at",
        "inference_ms",
        "xp_paid",
        "share",
    )
    readonly_fields = tuple(f for f in fields if f != "hidden")
    change_list_template = "family_admin/drawings/change_list.html"

    # --- what a parent may do ------------------------------------------------------------

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request)  # only "hidden" is editable

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request)

    # --- columns -------------------------------------------------------------------------

    @admin.display(description=_("Sketch and picture"))
    def thumbnails(self, drawing: Drawing) -> str:
        return _pictures(drawing, css_class="pair pair-small")

    @admin.display(description=_("Sketch and picture"))
    def large_pictures(self, drawing: Drawing) -> str:
        return _pictures(drawing, css_class="pair pair-large", versions=True)

    @admin.display(description=_("Versions"), ordering="version_count")
    def versions(self, drawing: Drawing) -> int:
        """How many colourways the picture has ("New colours"; 1 when never re-rolled)."""
        return drawing.picture_count

    @admin.display(description=_("category"), ordering="category")
    def category_label(self, drawing: Drawing) -> str:
        return _category_name(drawing.category)

    @admin.display(description=_("Child sees it"), boolean=True, ordering="hidden")
    def shown(self, drawing: Drawing) -> bool:
        return not drawing.hidden

    @admin.display(description=_("A child asked you to look"), boolean=True)
    def asked_to_look(self, drawing: Drawing) -> bool:
        return drawing.grownup_asked_at is not None

    @admin.display(description=_("Share"))
    def share(self, drawing: Drawing) -> str:
        if drawing.status != DrawingStatus.DONE or not drawing.result:
            return str(_("Only a finished picture can be shared."))
        url = reverse("family_admin:sharing_sharelink_add")
        return format_html(
            '<a class="button" href="{}?drawing={}">🔗 {}</a>',
            url,
            drawing.pk,
            _("Make a share link"),
        )

    @admin.display(description=_("XP it paid"))
    def xp_paid(self, drawing: Drawing) -> int:
        paid = xp_paid_for_drawings(drawings=Drawing.objects.filter(pk=drawing.pk))
        return paid.get(drawing.pk, 0)

    # --- the parent's visit ----------------------------------------------------------------

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        response = super().changelist_view(request, extra_context)
        if request.method == "GET" and getattr(response, "status_code", 200) == 200:
            family_services.mark_gallery_seen(parent=request.user)  # type: ignore[arg-type]
        return response

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> Any:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and getattr(response, "status_code", 200) == 200:
            # The grown-up has looked: the child's request is answered.
            services.answer_grownup_requests(
                drawings=self.get_queryset(request).filter(pk=object_id)
            )
        return response

    # --- writes go through the services ----------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Drawing, form: Any, change: bool) -> None:
        family_services.set_drawings_hidden(
            drawings=self.get_queryset(request).filter(pk=obj.pk), hidden=obj.hidden
        )

    def delete_model(self, request: HttpRequest, obj: Drawing) -> None:
        erasure.delete_drawings(drawings=self.get_queryset(request).filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Drawing]) -> None:
        erasure.delete_drawings(drawings=queryset)

    # --- actions ---------------------------------------------------------------------------

    @admin.action(description=_("Hide from the child's gallery"))
    def hide_from_child(self, request: HttpRequest, queryset: QuerySet[Drawing]) -> None:
        changed = family_services.set_drawings_hidden(drawings=queryset, hidden=True)
        message = ngettext(
            "%(count)d drawing is now hidden from your child.",
            "%(count)d drawings are now hidden from your child.",
            changed,
        )
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Show in the child's gallery again"))
    def show_to_child(self, request: HttpRequest, queryset: QuerySet[Drawing]) -> None:
        changed = family_services.set_drawings_hidden(drawings=queryset, hidden=False)
        message = ngettext(
            "%(count)d drawing is back in your child's gallery.",
            "%(count)d drawings are back in your child's gallery.",
            changed,
        )
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Download the selected drawings (ZIP)"))
    def export_selected(
        self, request: HttpRequest, queryset: QuerySet[Drawing]
    ) -> HttpResponse | StreamingHttpResponse:
        sign_in_again = ask_to_sign_in_again(request)
        if sign_in_again is not None:
            return sign_in_again
        return zip_response(request, drawings=queryset, filename=_export_name())

    # --- export everything ----------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        export = path(
            "export/",
            self.admin_site.admin_view(fresh_sign_in_required(self.export_everything_view)),
            name="drawings_drawing_export",
        )
        return [export, *super().get_urls()]

    def export_everything_view(self, request: HttpRequest) -> StreamingHttpResponse:
        return zip_response(request, drawings=self.get_queryset(request), filename=_export_name())
