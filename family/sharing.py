"""Share links, made only by a parent: one finished picture, an expiry, revocable any time.

The link itself is shown once, on the page right after it is made (only its hash is stored).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.permissions import fresh_sign_in_required
from drawings.models import Drawing, DrawingStatus
from family.scoping import FamilyModelAdmin
from family.sites import family_site
from sharing import services
from sharing.models import ShareLink


class PictureChoiceField(forms.ModelChoiceField[Drawing]):
    def label_from_instance(self, obj: Drawing) -> str:
        return f"{obj.child.nickname} · {obj.category} · {obj.created_at:%Y-%m-%d %H:%M}"


class ShareLinkForm(forms.ModelForm[ShareLink]):
    days = forms.IntegerField(
        label=_("Days the link works"),
        min_value=1,
        max_value=services.MAX_DAYS,
        initial=services.DEFAULT_DAYS,
        help_text=_("After that the link stops working. You can revoke it sooner."),
    )

    class Meta:
        model = ShareLink
        fields = ("drawing", "show_sketch", "show_nickname")
        help_texts = {
            "show_sketch": _("Off: only the finished picture is shown."),
            "show_nickname": _("Off: the page does not say who drew it."),
        }

    def clean_drawing(self) -> Drawing:
        drawing: Drawing = self.cleaned_data["drawing"]
        try:
            services.check_shareable(drawing=drawing)
        except services.NotShareable as error:
            raise ValidationError(error.message, code=error.code) from error
        return drawing


@admin.register(ShareLink, site=family_site)
class ShareLinkAdmin(FamilyModelAdmin):
    family_path = "drawing__child__parent"
    form = ShareLinkForm
    list_display = ("thumbnail", "state", "created_at", "expires_at", "show_sketch", "views")
    list_select_related = ("drawing",)
    actions = ("revoke",)
    readonly_fields = ("thumbnail", "state", "created_at", "expires_at", "views")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request)

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        # Making a link shows a child's picture outside the family: a fresh sign-in first.
        return fresh_sign_in_required(super().add_view)(request, form_url, extra_context)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("drawing", "days", "show_sketch", "show_nickname")
        return ("thumbnail", "state", "show_sketch", "show_nickname", "created_at", "expires_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        return self.get_fields(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "drawing" and field is not None:
            # Only finished pictures of this family's children can be shared.
            queryset = (
                Drawing.objects.filter(child__parent_id=request.user.pk, status=DrawingStatus.DONE)
                .exclude(result="")
                .select_related("child")
            )
            return PictureChoiceField(queryset=queryset, label=field.label)
        return field

    @admin.display(description=_("Picture"))
    def thumbnail(self, link: ShareLink) -> str:
        return format_html(
            '<span class="pair pair-small"><figure><img src="{}" alt="" loading="lazy">'
            "</figure></span>",
            reverse("drawings:result_image", args=[link.drawing_id]),
        )

    @admin.display(description=_("State"))
    def state(self, link: ShareLink) -> str:
        if link.revoked_at is not None:
            return str(_("Revoked"))
        if link.reported_at is not None:
            return str(_("Reported by a visitor: down until our team looks"))
        if link.expires_at <= timezone.now():
            return str(_("Expired"))
        return str(_("Works"))

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        # One link is made at a time and then shown once: "Save and add another" would skip
        # the only page that shows it, and a link is never edited.
        context.update(show_save_and_add_another=False, show_save_and_continue=False)
        return super().render_change_form(request, context, *args, **kwargs)

    def save_model(self, request: HttpRequest, obj: ShareLink, form: Any, change: bool) -> None:
        if change:
            return  # a link is never changed: revoke it and make a new one
        try:
            made = services.create_share_link(
                parent=request.user,  # type: ignore[arg-type]
                drawing_id=form.cleaned_data["drawing"].pk,
                days=form.cleaned_data["days"],
                show_sketch=form.cleaned_data["show_sketch"],
                show_nickname=form.cleaned_data["show_nickname"],
            )
        except services.NotShareable as error:
            raise ValidationError(error.message) from error
        obj.pk = made.link.pk
        request._new_share_token = made.token  # type: ignore[attr-defined]

    def response_add(
        self, request: HttpRequest, obj: ShareLink, post_url_continue: Any = None
    ) -> HttpResponse:
        token = getattr(request, "_new_share_token", None)
        if token is None:
            return super().response_add(request, obj, post_url_continue)
        url = request.build_absolute_uri(reverse("sharing:page", args=[token]))
        link = ShareLink.objects.get(pk=obj.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Your share link"),
            "link": link,
            # Date and 24-hour time: a.m./p.m. would end in a full stop before the sentence's own.
            "works_until": f"{date_format(timezone.localtime(link.expires_at), 'DATE_FORMAT')} "
            f"{date_format(timezone.localtime(link.expires_at), 'H:i')}",
            "url": url,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "family_admin/sharing/created.html", context)

    @admin.action(description=_("Revoke the selected links"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ShareLink]) -> None:
        changed = services.revoke_links(links=queryset)
        message = ngettext(
            "%(count)d link no longer works.", "%(count)d links no longer work.", changed
        )
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)
