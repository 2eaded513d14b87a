"""``{% what_is_new %}``: the family page's line about new pictures, from the family app."""

from __future__ import annotations

from typing import Any

from django import template

from family.selectors import what_is_new as count_what_is_new

register = template.Library()


@register.inclusion_tag("family_admin/_what_is_new.html", takes_context=True)
def what_is_new(context: dict[str, Any]) -> dict[str, Any]:
    user = context["request"].user
    if not user.is_authenticated:
        return {"news": None}
    return {"news": count_what_is_new(parent=user)}
