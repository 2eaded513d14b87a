"""The playing child's progress page. Thin: the selectors do the reading."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.permissions import child_required, playing_child
from gamification import selectors


@require_GET
@child_required
def progress(request: HttpRequest) -> HttpResponse:
    child = playing_child(request)
    achievements = selectors.achievements_for(child=child)
    summary = selectors.progress_summary(child=child)
    return render(
        request,
        "gamification/progress.html",
        {
            "child": child,
            "summary": summary,
            "freeze_icons": "🧊" * summary["streak"]["freezes"],
            "earned": [a for a in achievements if a["earned"]],
            "locked": [a for a in achievements if not a["earned"]],
        },
    )
