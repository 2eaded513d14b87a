"""Installed categories grouped by theme: what the canvas shows first, then second.

A child taps a theme ("Animal"), then a thing in it ("Panda", or "another animal": the theme's
own entry). A theme with a single installed entry is picked with one tap. Themes and things keep
the catalogue's order (:mod:`inference.serving.things`); ones it does not know follow by slug.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from inference.serving.registry import Category
from inference.serving.things import THEME_BY_SLUG, THEMES, THINGS

_THEME_ORDER = {theme.slug: i for i, theme in enumerate(THEMES)}
_THING_ORDER = {thing.slug: i for i, thing in enumerate(THINGS)}


@dataclass(frozen=True)
class ThemeGroup:
    """One theme with its installed entries: the things in it, then the theme itself."""

    slug: str
    label_en: str
    label_ko: str
    emoji: str
    things: tuple[Category, ...]
    itself: Category | None  # "another animal", when some generator draws the theme

    @property
    def entries(self) -> tuple[Category, ...]:
        """What the second tap offers, in order (the theme's own entry last)."""
        return self.things + ((self.itself,) if self.itself else ())

    @property
    def only_entry(self) -> Category | None:
        """The one entry of a theme that has exactly one: picked with the theme's tap."""
        entries = self.entries
        return entries[0] if len(entries) == 1 else None

    def label(self, language_code: str | None = None) -> str:
        """The theme's name in ``language_code`` ("ko", "en", ...); English otherwise."""
        if language_code and language_code.lower().split("-")[0] == "ko":
            return self.label_ko
        return self.label_en


def _rank(order: dict[str, int], slug: str) -> tuple[int, str]:
    return (order.get(slug, len(order)), slug)


def group_by_theme(categories: Iterable[Category]) -> list[ThemeGroup]:
    """The themes of ``categories``, each with its entries, in the catalogue's order.

    A theme is named by its own entry when one is installed, else by the catalogue, else by
    its first thing (a theme a newer card brings that this code does not know yet).
    """
    by_theme: dict[str, list[Category]] = {}
    for category in categories:
        by_theme.setdefault(category.theme_slug, []).append(category)
    groups = []
    for slug in sorted(by_theme, key=lambda s: _rank(_THEME_ORDER, s)):
        members = by_theme[slug]
        itself = next((c for c in members if c.is_theme), None)
        in_theme = (c for c in members if not c.is_theme)
        things = tuple(sorted(in_theme, key=lambda c: _rank(_THING_ORDER, c.slug)))
        named = itself or THEME_BY_SLUG.get(slug) or things[0]
        groups.append(
            ThemeGroup(
                slug=slug,
                label_en=named.label_en,
                label_ko=named.label_ko,
                emoji=named.emoji,
                things=things,
                itself=itself,
            )
        )
    return groups
