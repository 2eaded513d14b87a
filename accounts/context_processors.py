"""Template context for play mode (the top bar shows who is playing)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def play_mode(request: HttpRequest) -> dict[str, Any]:
    return {"playing_child": getattr(request, "child", None)}
