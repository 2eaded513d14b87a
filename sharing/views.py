"""The shared page a visitor opens: the picture alone, unless the parent chose more.

Expired, revoked, reported and guessed tokens all answer the same 404. Nothing of the family
is on the page but what the parent ticked; search engines are told to keep out.
"""

from __future__ import annotations

from typing import TypeVar

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods

from drawings.downloads import MissingFile, png_response
from drawings.selectors import installed_categories
from sharing import services
from sharing.forms import ReportForm
from sharing.models import ShareLink

_Response = TypeVar("_Response", bound=HttpResponseBase)
NOT_SHARED = "This link does not work (any more)."


def _private(response: _Response) -> _Response:
    response["X-Robots-Tag"] = "noindex, nofollow, noarchive"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response


def _category_label(link: ShareLink) -> str:
    language = get_language() or "en"
    for category in installed_categories():
        if category.slug == link.drawing.category:
            return f"{category.emoji} {category.label(language)}"
    return ""


@require_GET
def shared_page(request: HttpRequest, token: str) -> HttpResponse:
    link = services.open_link(token=token)
    if link is None:
        raise Http404(NOT_SHARED)
    return _private(
        render(
            request,
            "sharing/shared.html",
            {
                "link": link,
                "token": token,
                "category_label": _category_label(link),
                "nickname": link.drawing.child.nickname if link.show_nickname else "",
                "form": ReportForm(),
            },
        )
    )


@require_GET
def shared_image(request: HttpRequest, token: str, which: str) -> FileResponse:
    link = services.live_link(token=token)
    if link is None or (which == "sketch" and not link.show_sketch):
        raise Http404(NOT_SHARED)
    field = link.drawing.sketch if which == "sketch" else link.drawing.result
    try:
        return _private(png_response(field, filename=f"icanvas-{which}.png"))
    except MissingFile as missing:
        raise Http404(NOT_SHARED) from missing


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, token: str) -> HttpResponse:
    link = services.live_link(token=token)
    if link is None:
        raise Http404(NOT_SHARED)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.report_link(token=token, reason=form.reason_text())
        return _private(render(request, "sharing/reported.html"))
    return _private(render(request, "sharing/report.html", {"form": form, "token": token}))
