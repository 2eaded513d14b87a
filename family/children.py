"""Children: level, XP, streak and drawings at a glance; edit the profile, reset the PIN, see the
achievements and XP events, and withdraw consent (which deletes the child's data)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Max, QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import rules as profile_rules
from accounts import services as accounts
from accounts.models import Child
from accounts.permissions import fresh_sign_in_required
from family import selectors, services
from family.scoping import FamilyModelAdmin, ReadOnlyInline
from family.sites import family_site
from gamification.levels import level_for
from gamification.models import AchievementAward, XPEvent


class ChildProfileForm(forms.ModelForm[Child]):
    """The profile, checked by the same rules as the family page, and an optional new PIN."""

    new_pin = forms.CharField(
        label=gettext_lazy("New PIN"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "new-password"}),
        help_text=gettext_lazy(
            "Leave empty to keep the current PIN. A new PIN also unlocks a locked profile."
        ),
    )

    class Meta:
        model = Child
        fields = ("nickname", "avatar", "birth_year", "time_zone")

    def clean_nickname(self) -> str:
        return profile_rules.clean_nickname(
            parent=self.instance.parent,
            nickname=self.cleaned_data["nickname"],
            exclude_child_id=self.instance.pk,
        )

    def clean_new_pin(self) -> str:
        pin: str = self.cleaned_data.get("new_pin") or ""
        if pin:
            profile_rules.validate_pin(pin)
        return pin


class AchievementsInline(ReadOnlyInline):
    model = AchievementAward
    fields = ("achievement", "awarded_at")
    verbose_name = gettext_lazy("achievement earned")
    verbose_name_plural = gettext_lazy("achievements earned")


class XPEventsInline(ReadOnlyInline):
    model = XPEvent
    fields = ("created_at", "amount", "reason", "source_type")
    verbose_name = gettext_lazy("XP event")
    verbose_name_plural = gettext_lazy("XP events")


@admin.register(Child, site=family_site)
class ChildrenAdmin(FamilyModelAdmin):
    family_path = "parent"
    form = ChildProfileForm
    list_display = (
        "avatar_icon",
        "nickname",
        "level",
        "xp",
        "streak",
        "drawings_count",
        "last_drawn",
    )
    list_display_links = ("nickname",)
    search_fields = ("nickname",)
    ordering = ("created_at", "id")
    fieldsets = (
        (None, {"fields": ("nickname", "avatar", "birth_year", "time_zone")}),
        (gettext_lazy("PIN"), {"fields": ("new_pin", "pin_failures", "pin_locked_until")}),
    )
    readonly_fields = ("pin_failures", "pin_locked_until")
    inlines = (AchievementsInline, XPEventsInline)
    change_form_template = "family_admin/accounts/child_change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Child]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                xp_total=Coalesce("progress__xp_total", Value(0)),
                current_streak=Coalesce("progress__current_streak", Value(0)),
                drawing_count=Count("drawings", distinct=True),
                last_drawn_at=Max("drawings__created_at"),
            )
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request)

    @admin.display(description=gettext_lazy("avatar"))
    def avatar_icon(self, child: Child) -> str:
        return format_html(
            '<span class="avatar-emoji" aria-hidden="true">{}</span>', child.avatar_emoji
        )

    @admin.display(description=gettext_lazy("Level"), ordering="xp_total")
    def level(self, child: Child) -> int:
        return level_for(child.xp_total)  # type: ignore[attr-defined]

    @admin.display(description=gettext_lazy("XP"), ordering="xp_total")
    def xp(self, child: Child) -> int:
        return child.xp_total  # type: ignore[attr-defined]

    @admin.display(description=gettext_lazy("Streak (days)"), ordering="current_streak")
    def streak(self, child: Child) -> int:
        return child.current_streak  # type: ignore[attr-defined]

    @admin.display(description=gettext_lazy("Drawings"), ordering="drawing_count")
    def drawings_count(self, child: Child) -> int:
        return child.drawing_count  # type: ignore[attr-defined]

    @admin.display(description=gettext_lazy("Last drawn"), ordering="last_drawn_at")
    def last_drawn(self, child: Child) -> Any:
        return child.last_drawn_at  # type: ignore[attr-defined]

    def save_model(self, request: HttpRequest, obj: Child, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            accounts.update_child(
                child=Child.objects.get(pk=obj.pk, parent_id=request.user.pk),
                nickname=data["nickname"],
                avatar=data["avatar"],
                birth_year=data["birth_year"],
                time_zone=data["time_zone"],
                new_pin=data.get("new_pin") or None,
            )
        except profile_rules.ProfileRejected as error:  # a sibling took the nickname a moment ago
            self.message_user(request, " ".join(error.messages), messages.ERROR)

    # --- withdrawing consent ---------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        withdraw = path(
            "<path:object_id>/withdraw-consent/",
            self.admin_site.admin_view(fresh_sign_in_required(self.withdraw_consent_view)),
            name="accounts_child_withdraw_consent",
        )
        return [withdraw, *super().get_urls()]

    def withdraw_consent_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        child = self.get_object(request, object_id)  # 404 for another family's child
        if request.method == "POST":
            result = services.withdraw_consent(parent=request.user, child_id=child.pk)  # type: ignore[arg-type]
            self.message_user(
                request,
                _(
                    "Consent withdrawn. %(drawings)d drawing(s) and every other thing stored "
                    "about this child were deleted; the consent record is kept as evidence."
                )
                % {"drawings": result.drawings},
                messages.SUCCESS,
            )
            return redirect(reverse("family_admin:accounts_consentrecord_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Withdraw consent for %(nickname)s?") % {"nickname": child.nickname},
            "child": child,
            "data": selectors.child_data(child=child),
            "opts": self.opts,
        }
        return TemplateResponse(request, "family_admin/accounts/withdraw_consent.html", context)
