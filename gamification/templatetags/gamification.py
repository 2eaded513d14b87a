"""Template helpers: Korean or English from data fields, and the top bar's level badge."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from accounts.models import Child
from gamification import selectors
from gamification.levels import level_info, localized

register = template.Library()


@register.filter
def pick(item: dict[str, Any], field: str) -> str:
    """``{{ quest|pick:"name" }}``: ``name_ko`` in Korean, ``name_en`` otherwise."""
    return localized(
        str(item.get(f"{field}_en", "")), str(item.get(f"{field}_ko", "")), get_language()
    )


@register.inclusion_tag("gamification/_level_badge.html", takes_context=True)
def level_badge(context: template.Context, child: Child) -> dict[str, Any]:
    """A small level bar for the top bar (one query)."""
    info = level_info(selectors.progress_of(child=child).xp_total)
    return {
        "info": info,
        "title": info.title(get_language()),
        "language": get_language() or "en",
        "current": context.get("request")
        and context["request"].resolver_match
        and context["request"].resolver_match.view_name == "gamification:progress",
    }
