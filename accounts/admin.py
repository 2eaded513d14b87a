"""Site-staff admin for parents, child profiles and consent records.

The family-scoped admin for parents comes later; this one is for staff only.
PIN hashes never appear, and consent records cannot be edited (they are evidence).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import Child, ConsentRecord, User
from core.admin_pages import ShowOnly


class ParentCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("There is already an account with this email."))
        return email


class ParentChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class ParentAdmin(UserAdmin):
    form = ParentChangeForm
    add_form = ParentCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name",)}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "display_name", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("email", "display_name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")


class ConsentInline(admin.TabularInline):
    model = ConsentRecord
    extra = 0
    can_delete = False
    fields = ("method", "version", "verified_email", "granted_at", "withdrawn_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Child)
class ChildAdmin(admin.ModelAdmin):
    list_display = ("nickname", "parent", "avatar", "birth_year", "time_zone", "created_at")
    list_filter = ("avatar",)
    search_fields = ("nickname", "parent__email")
    list_select_related = ("parent",)
    # pin_hash is never shown; the lock state helps answer "my child can't get in".
    fields = (
        "parent",
        "nickname",
        "avatar",
        "birth_year",
        "time_zone",
        "pin_failures",
        "pin_locked_until",
        "created_at",
    )
    readonly_fields = ("parent", "pin_failures", "pin_locked_until", "created_at")
    inlines = (ConsentInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A profile needs a parent's consent and a PIN: parents add children on the family page.
        return False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ShowOnly, admin.ModelAdmin):
    list_display = ("child", "parent", "method", "version", "granted_at", "withdrawn_at")
    list_filter = ("method", "version")
    search_fields = ("parent__email", "child__nickname")
    list_select_related = ("child", "parent")
