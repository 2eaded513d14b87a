"""The shapes REST responses, live events and pages share: a drawing, the categories."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext

from drawings.models import MAX_VERSIONS, Drawing, DrawingStatus
from drawings.selectors import can_paint_new_colours, installed_categories
from inference.serving.themes import group_by_theme


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def error_message_for(drawing: Drawing) -> str | None:
    """The failure message in the active language (it is stored in English), or None."""
    return gettext(drawing.error_message) if drawing.error_message else None


def drawing_payload(drawing: Drawing) -> dict[str, Any]:
    """A drawing as every client sees it: ids, status, image URLs, timings — never image bytes."""
    done = drawing.status == DrawingStatus.DONE and bool(drawing.result)
    return {
        "id": drawing.pk,
        "client_id": drawing.client_id,
        "category": drawing.category,
        "status": drawing.status,
        "sketch_url": reverse("drawings:sketch_image", args=[drawing.pk]),
        "result_url": reverse("drawings:result_image", args=[drawing.pk]) if done else None,
        "error_message": error_message_for(drawing),
        "attempts": drawing.attempts,
        "created_at": _iso(drawing.created_at),
        "started_at": _iso(drawing.started_at),
        "finished_at": _iso(drawing.finished_at),
        "inference_ms": drawing.inference_ms,
        "grownup_asked": drawing.grownup_asked_at is not None,
        # "New colours" (🎲): the version shown, every version's address, where a re-roll stands.
        "version": drawing.version if done else None,
        "versions": [
            {"number": n, "url": reverse("drawings:version_image", args=[drawing.pk, n])}
            for n in range(drawing.picture_count)
        ],
        "new_colours": drawing.new_colours or None,
        "can_new_colours": done
        and not drawing.painting_new_colours
        and drawing.picture_count < MAX_VERSIONS
        and can_paint_new_colours(drawing.category),
    }


def child_drawing_payload(drawing: Drawing, shared: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the playing child's clients hear, over REST and on the socket alike: the shared
    payload (``shared``, when the caller has read it already) plus the child API's image
    addresses, which work with a play token (``sketch_url``, ``result_url`` and each version's
    ``url`` are the website's and need the browser's session)."""
    payload = shared if shared is not None else drawing_payload(drawing)
    return {
        **payload,
        "versions": [
            {**v, "api_url": reverse("api:drawing-version", args=[drawing.pk, v["number"]])}
            for v in payload["versions"]
        ],
        "api_sketch_url": reverse("api:drawing-sketch", args=[drawing.pk]),
        "api_picture_url": (
            reverse("api:drawing-picture", args=[drawing.pk]) if payload["result_url"] else None
        ),
    }


def family_drawing_payload(
    drawing: Drawing, shared: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What a parent's devices hear on the socket: the shared payload plus the family API's
    download addresses, which work with the parent's token (the child API's would answer 403).
    The names are those of ``GET /api/v1/family/drawings/{id}/``; here they are paths, to be
    read against the server's address, as a socket event has no request to make them whole."""
    payload = shared if shared is not None else drawing_payload(drawing)
    return {
        **payload,
        "sketch_download_url": reverse("family_api:drawing-sketch", args=[drawing.pk]),
        "picture_download_url": (
            reverse("family_api:drawing-picture", args=[drawing.pk])
            if payload["result_url"]
            else None
        ),
    }


def category_choices(language: str) -> list[dict[str, str]]:
    """What a child can draw now, labelled in ``language``, each with the slug of its theme,
    for REST and the canvas page."""
    return [
        {"slug": c.slug, "label": c.label(language), "emoji": c.emoji, "theme": c.theme_slug}
        for c in installed_categories()
    ]


def theme_choices(language: str) -> list[dict[str, Any]]:
    """The themes of what can be drawn now, in the order the canvas shows them, each with its
    categories' slugs (the theme's own entry, "another animal", last)."""
    return [
        {
            "slug": group.slug,
            "label": group.label(language),
            "emoji": group.emoji,
            "categories": [c.slug for c in group.entries],
        }
        for group in group_by_theme(installed_categories())
    ]
