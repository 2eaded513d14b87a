"""What every admin page that only shows evidence shares, staff's admin and the family's alike."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


class ShowOnly:
    """Mixed into a ``ModelAdmin`` or inline: rows are looked at, never added, changed or
    deleted through the admin (the services write them)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
