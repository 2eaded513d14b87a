"""Pages of the playing child: the canvas, the gallery, and the drawings' image files."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import child_required, playing_child, playing_child_or_none
from drawings import selectors, services
from drawings.downloads import PRIVATE_HOUR, MissingFile, png_response
from drawings.models import Drawing, DrawingStatus
from drawings.payloads import category_choices, drawing_payload
from drawings.suggestions import suggestions_available
from inference.serving.themes import group_by_theme

GALLERY_PAGE_SIZE = 12
# Younger than this, a drawing says "Just now" rather than "0 minutes ago".
JUST_NOW = timedelta(minutes=1)
# The canvas keeps at most this many result cards; older pictures live in the gallery.
CANVAS_CARDS = 3
# A picture that finished this recently gets its card back when the canvas page (re)opens: it
# may have arrived while the page was reloading, and the child has not seen it yet.
CANVAS_RECENTLY_FINISHED = timedelta(minutes=10)

# The canvas's twelve crayons: bright, easy to tell apart, each with a name a
# screen reader says (and a child can hover to read) in Korean and English.
PALETTE = (
    ("#111111", _("Black")),
    ("#8a8f98", _("Grey")),
    ("#7c4a1e", _("Brown")),
    ("#e02424", _("Red")),
    ("#f97316", _("Orange")),
    ("#facc15", _("Yellow")),
    ("#84cc16", _("Light green")),
    ("#15803d", _("Green")),
    ("#38bdf8", _("Sky blue")),
    ("#1d4ed8", _("Blue")),
    ("#7e3af2", _("Purple")),
    ("#f472b6", _("Pink")),
)


def _label_drawings(drawings: Iterable[Drawing]) -> None:
    # A category whose generator was removed keeps showing its slug.
    language = get_language() or "en"
    labels = {c.slug: c.label(language) for c in selectors.installed_categories()}
    for drawing in drawings:
        drawing.category_label = labels.get(drawing.category, drawing.category)  # type: ignore[attr-defined]


def _picker_themes(language: str) -> list[dict[str, Any]]:
    """The two taps of "What did you draw?": each theme and its entries, labelled."""
    return [
        {
            "slug": group.slug,
            "label": group.label(language),
            "emoji": group.emoji,
            "only": group.only_entry.slug if group.only_entry else "",
            "entries": [
                {
                    "slug": c.slug,
                    "label": c.label(language),
                    "emoji": c.emoji,
                    "another": c.is_theme,
                }
                for c in group.entries
            ],
        }
        for group in group_by_theme(selectors.installed_categories())
    ]


@child_required
def canvas(request: HttpRequest) -> HttpResponse:
    language = get_language() or "en"
    categories = category_choices(language)
    child = playing_child(request)
    # Cards for pictures still on their way (or just arrived) survive a reload: the page starts
    # from the same payloads that REST and the websocket send, and follows them from there.
    in_progress = selectors.drawings_for_canvas(
        child=child, finished_within=CANVAS_RECENTLY_FINISHED, limit=CANVAS_CARDS
    )
    return render(
        request,
        "drawings/canvas.html",
        {
            "child": child,
            "categories": categories,
            "categories_data": categories,
            "themes": _picker_themes(language),
            "suggestions": suggestions_available(),
            "canvas_drawings": [drawing_payload(d) for d in in_progress],
            "max_cards": CANVAS_CARDS,
            "no_generators": not categories,
            "palette": PALETTE,
        },
    )


@child_required
def gallery(request: HttpRequest) -> HttpResponse:
    child = playing_child(request)
    drawings = selectors.drawings_of_child(child=child)
    page_obj = Paginator(drawings, GALLERY_PAGE_SIZE).get_page(request.GET.get("page"))
    _label_drawings(page_obj.object_list)
    now = timezone.now()
    for drawing in page_obj.object_list:
        drawing.just_now = now - drawing.created_at < JUST_NOW
        # What REST and the socket say of it: 🎲 and its versions start from the same shape.
        drawing.payload = drawing_payload(drawing)
    return render(
        request,
        "drawings/gallery.html",
        {"child": child, "page_obj": page_obj},
    )


@child_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    child = playing_child(request)
    drawing = selectors.drawing_of_child(child=child, drawing_id=pk)
    if drawing is None:
        raise Http404("There is no such drawing in your gallery.")
    _label_drawings([drawing])
    return render(
        request,
        "drawings/detail.html",
        {"child": child, "drawing": drawing, "payload": drawing_payload(drawing)},
    )


@child_required
@require_POST
def show_a_grownup(request: HttpRequest, pk: int) -> HttpResponse:
    drawing = services.ask_a_grownup(child=playing_child(request), drawing_id=pk)
    if drawing is None:
        raise Http404("There is no such drawing in your gallery.")
    messages.success(request, _("A grown-up will see your picture in the family admin."))
    return redirect("drawings:detail", pk=drawing.pk)


def _image_response(
    request: HttpRequest, pk: int, *, which: str, number: int | None = None
) -> FileResponse:
    if not request.user.is_authenticated:
        raise Http404
    drawing = selectors.drawing_visible_to(
        user=request.user,
        child=playing_child_or_none(request),
        drawing_id=pk,
    )
    if drawing is None:
        raise Http404
    if number is not None:  # one version of the picture ("New colours")
        version = selectors.picture_version(drawing=drawing, number=number)
        if version is None:
            raise Http404
        field, which = version, f"v{number}"
    else:
        field = drawing.sketch if which == "sketch" else drawing.result
    if which == "result" and (drawing.status != DrawingStatus.DONE or not field):
        raise Http404
    try:
        return png_response(field, filename=f"icanvas-{drawing.pk}-{which}.png", cache=PRIVATE_HOUR)
    except MissingFile as missing:
        raise Http404 from missing


@require_GET
def sketch_image(request: HttpRequest, pk: int) -> FileResponse:
    return _image_response(request, pk, which="sketch")


@require_GET
def result_image(request: HttpRequest, pk: int) -> FileResponse:
    return _image_response(request, pk, which="result")


@require_GET
def version_image(request: HttpRequest, pk: int, number: int) -> FileResponse:
    return _image_response(request, pk, which="result", number=number)
