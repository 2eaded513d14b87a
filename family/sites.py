"""The family admin site: Django's admin machinery, for a signed-in parent who is not playing."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _

from accounts import tokens
from accounts.permissions import playing_child_or_none

FAMILY_ADMIN_NAME = "family_admin"


class FamilyAdminSite(admin.AdminSite):
    """Any signed-in parent may enter (no ``is_staff``); a playing child never can.

    A stranger is sent to the site's own sign-in page (and back); a child in play mode goes back
    to the canvas. What each page shows is scoped by ``family.scoping.FamilyModelAdmin``.
    """

    site_header = _("Family admin")
    site_title = _("iCanvas family admin")
    index_title = _("Review what your children made")
    site_url = reverse_lazy("accounts:family")  # type: ignore[assignment]
    enable_nav_sidebar = False

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_authenticated and user.is_active and playing_child_or_none(request) is None
        )

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        checked = super().admin_view(view, cacheable)

        @wraps(checked)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if playing_child_or_none(request) is not None:
                return redirect("drawings:canvas")
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            response: HttpResponse = checked(request, *args, **kwargs)
            return response

        return guarded

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        # Parents sign in on the site's page; this site has no sign-in form of its own.
        if playing_child_or_none(request) is not None:
            return redirect("drawings:canvas")
        return redirect_to_login(request.GET.get("next") or reverse("family_admin:index"))

    def logout(self, request: HttpRequest, extra_context: Any = None) -> Any:
        if playing_child_or_none(request) is not None:
            return redirect("drawings:canvas")  # leaving play mode needs the parent's password
        return super().logout(request, extra_context)

    def password_change(self, request: HttpRequest, extra_context: Any = None) -> Any:
        # A new password ends access everywhere else, as over REST: every device token is
        # revoked and every other web session's socket closes (this session stays signed in).
        response = super().password_change(request, extra_context)
        if request.method == "POST" and response.status_code == 302:
            parent: Any = request.user
            tokens.revoke_all(parent=parent)
            tokens.recheck_web_sessions(parent_id=parent.pk)
        return response

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        context = super().each_context(request)
        context["family_admin"] = True  # admin/base_site.html dresses the page like the site
        return context


family_site = FamilyAdminSite(name=FAMILY_ADMIN_NAME)
