"""The site's URL map: each app owns its own routes."""

from allauth.headless.constants import Client as HeadlessClient
from allauth.headless.urls import build_urlpatterns as headless_urlpatterns
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from family.admin import family_site
from icanvas_site import health, views


def _without_phone(patterns: list) -> list:
    """allauth's headless routes less its phone-number ones: parents sign in by email, and
    allauth's phone view answers PUT, PATCH, DELETE, OPTIONS and TRACE with a 500 and a
    traceback (``ManagePhoneView`` has no ``user`` then), so it is not served at all."""
    kept: list[URLPattern | URLResolver] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = _without_phone(entry.url_patterns)
            kept.append(URLResolver(entry.pattern, inner, entry.default_kwargs, entry.app_name,
                                    entry.namespace))  # fmt: skip
        elif "phone" not in str(entry.pattern):
            kept.append(entry)
    return kept


urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/live", health.live, name="healthz-live"),
    path("healthz/ready", health.ready, name="healthz-ready"),
    # set_language: the language switch in the top bar posts here (see base.html).
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("accounts.urls")),
    # allauth's pages: confirming an email, reset by mail, email change, second factor, signing in
    # again (accounts/ keeps the sign-up and sign-in pages, which go through allauth's stages).
    path("accounts/", include("allauth.urls")),
    path("", include("drawings.urls")),
    path("", include("gamification.urls")),
    path("", include("sharing.urls")),
    path("api/v1/", include("drawings.api.urls")),
    path("api/v1/", include("accounts.api.urls")),
    # The app's account life: allauth's headless API ("app" client) at /api/v1/auth/app/...
    path(
        "api/v1/auth/app/",
        include(
            (_without_phone(headless_urlpatterns(HeadlessClient.APP)[0].url_patterns), "headless"),
            "headless",
        ),
    ),
    path("api/v1/", include("family.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file, so the docs need no inline script;
    # Swagger UI does write inline <style>, allowed on this page only.
    path(
        "api/docs/",
        csp_update({"style-src": ["'self'", "'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="schema")
        ),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
    # The parents' family-scoped admin (family/): any signed-in parent not in play mode.
    path("family/admin/", family_site.urls),
]

# Django's own error answers: JSON under /api/, its pages elsewhere (icanvas_site/error_pages.py).
handler400 = "icanvas_site.error_pages.bad_request"
handler403 = "icanvas_site.error_pages.forbidden"
handler404 = "icanvas_site.error_pages.not_found"
handler500 = "icanvas_site.error_pages.server_error"
