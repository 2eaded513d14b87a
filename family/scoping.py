"""The one base every family-admin ``ModelAdmin`` derives from: everything scoped to the family.

``family_path`` names the lookup from the model to its parent. The queryset (hence changelists,
search, filters, actions, autocomplete and ``get_object``), the foreign-key choices and the
history are all narrowed to ``request.user``; an object of another family answers 404, never a
403 that would confirm it exists.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.core.paginator import Paginator
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelChoiceField
from django.http import Http404, HttpRequest

from accounts.models import Child, User
from core.admin_pages import ShowOnly

NOT_IN_YOUR_FAMILY = "Nothing here."


class FamilyScoped:
    """Scoping shared by the site's model admins and inlines."""

    family_path: ClassVar[str]

    def scope(self, queryset: QuerySet[Any], request: HttpRequest) -> QuerySet[Any]:
        if not request.user.is_authenticated:
            return queryset.none()
        return queryset.filter(**{self.family_path: request.user})


class FamilyModelAdmin(FamilyScoped, ShowOnly, admin.ModelAdmin):
    """Read-only by default; a subclass opens exactly the permissions its page needs."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.scope(super().get_queryset(request), request)

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        found = super().get_object(request, object_id, from_field)
        if found is None:
            raise Http404(NOT_IN_YOUR_FAMILY)
        return found

    def get_paginator(
        self, request: HttpRequest, queryset: Any, per_page: int, *args: Any, **kwargs: Any
    ) -> Paginator:
        # history_view pages its LogEntry rows through here: show the parent's own entries only
        # (never a staff member's name), and only for this family's objects (get_object above).
        if getattr(queryset, "model", None) is LogEntry:
            queryset = queryset.filter(user_id=request.user.pk)
        return super().get_paginator(request, queryset, per_page, *args, **kwargs)

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and field.queryset is not None:
            field.queryset = family_choices(db_field.related_model, field.queryset, request)
        return field

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request)


def family_choices(model: Any, queryset: QuerySet[Any], request: HttpRequest) -> QuerySet[Any]:
    """Foreign-key choices of a family form: the parent's own children, the parent alone."""
    if model is Child:
        return queryset.filter(parent_id=request.user.pk)
    if model is User:
        return queryset.filter(pk=request.user.pk)
    return queryset.none()


class ReadOnlyInline(ShowOnly, admin.TabularInline):
    """Evidence shown under a child: never added, changed or deleted from here."""

    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields or ()

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request)
