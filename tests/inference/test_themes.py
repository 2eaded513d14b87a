"""Themes on model cards: parsed, checked against the generator's condition, grouped for the UI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inference.lab.testing import write_random_generator
from inference.serving import things
from inference.serving.registry import Category, RegistryError, categories_of, discover, parse_card
from inference.serving.themes import group_by_theme

PANDA = ("panda", "Panda", "판다", "🐼", "animal")
CAT = ("cat", "Cat", "고양이", "🐱", "animal")
ANIMAL = ("animal", "Animal", "동물", "🐶", "animal")
SUN = ("sun", "Sun", "해", "☀️", "space")


def test_a_card_entry_with_a_theme_is_read_and_written_back(tmp_path: Path) -> None:
    card = write_random_generator(tmp_path, name="things", categories=(PANDA, ANIMAL))
    panda, animal = card.categories
    assert panda == Category("panda", "Panda", "판다", "🐼", theme="animal")
    assert panda.theme_slug == "animal" and not panda.is_theme
    assert animal.is_theme
    assert panda.to_dict()["theme"] == "animal"


def test_an_entry_without_a_theme_is_its_own_theme_as_on_todays_cards() -> None:
    for name in ("kids7c", "starter"):
        [card] = [c for c in discover(Path("generators")) if c.name == name]
        assert all(c.theme is None and c.is_theme for c in card.categories)
        assert all("theme" not in c.to_dict() for c in card.categories)
        assert [g.slug for g in group_by_theme(card.categories)] == [
            c.slug for c in sorted(card.categories, key=lambda c: _catalogue_rank(c.slug))
        ]


def _catalogue_rank(slug: str) -> tuple[int, str]:
    order = [t.slug for t in things.THEMES]
    return (order.index(slug) if slug in order else len(order), slug)


def test_the_full_catalogue_is_a_valid_conditioned_card(tmp_path: Path) -> None:
    entries = things.card_entries()
    card = write_random_generator(
        tmp_path, name="things", categories=entries, conditioned=True, num_downs=5
    )
    assert len(card.categories) == len(things.THINGS) + len(things.THEMES)
    groups = group_by_theme(card.categories)
    assert [g.slug for g in groups] == [t.slug for t in things.THEMES]
    animal = next(g for g in groups if g.slug == "animal")
    assert animal.entries[0].slug == "panda"  # the catalogue's order
    assert animal.itself is not None and animal.entries[-1].slug == "animal"
    assert animal.label("ko") == "동물" and animal.only_entry is None


def test_a_card_listing_a_thing_its_generator_was_not_trained_on_is_refused(
    tmp_path: Path,
) -> None:
    card = write_random_generator(
        tmp_path, name="things", categories=(PANDA, ANIMAL), conditioned=True, num_downs=5
    )
    data = json.loads(card.card_path.read_text(encoding="utf-8"))
    data["categories"].append(
        dict(zip(("slug", "label_en", "label_ko", "emoji", "theme"), SUN, strict=True))
    )
    card.card_path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RegistryError, match="cannot draw sun"):
        parse_card(card.card_path)


@pytest.mark.parametrize("theme", ["Not A Slug", 7])
def test_a_malformed_theme_is_refused(tmp_path: Path, theme: object) -> None:
    card = write_random_generator(tmp_path, name="things", categories=(PANDA,))
    data = json.loads(card.card_path.read_text(encoding="utf-8"))
    data["categories"][0]["theme"] = theme
    card.card_path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RegistryError, match="theme must be a slug"):
        parse_card(card.card_path)


def test_a_themes_own_entry_cannot_sit_in_another_theme(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="own theme"):
        write_random_generator(
            tmp_path, name="things", categories=(PANDA, ("animal", "A", "동물", "🐶", "space"))
        )


def test_a_thing_keeps_its_theme_when_an_older_card_serves_it(tmp_path: Path) -> None:
    older = write_random_generator(
        tmp_path, name="old", categories=(("panda", "Panda", "판다", "🐼"),), priority=5
    )
    newer = write_random_generator(tmp_path, name="new", categories=(PANDA, CAT, ANIMAL))
    panda = next(c for c in categories_of([older, newer]) if c.slug == "panda")
    assert panda.theme == "animal"


def test_a_theme_with_one_entry_is_picked_in_one_tap() -> None:
    [sun] = group_by_theme([Category(*SUN[:4], theme="space")])
    assert sun.itself is None and sun.only_entry is not None
    assert (sun.label_en, sun.emoji) == ("Space & sky", "🚀")  # named by the catalogue
