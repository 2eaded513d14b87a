"""The two-tap picker on the canvas and the categories API, from a generator card with themes."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from django.test import Client

from drawings.selectors import installed_categories
from gamification.quests import catalogue
from inference.lab.testing import write_random_generator
from inference.serving.runtime import get_runtime

pytestmark = pytest.mark.django_db

THINGS_CARD = (
    ("face", "Face", "얼굴", "😀"),  # an older card's entry: its own theme
    ("panda", "Panda", "판다", "🐼", "animal"),
    ("cat", "Cat", "고양이", "🐱", "animal"),
    ("animal", "Animal", "동물", "🐶", "animal"),
    ("sun", "Sun", "해", "☀️", "space"),
)


@pytest.fixture
def things_dir(generators_dir: Path) -> Path:
    """The registry holds one generator whose card lists things with their themes."""
    for old in generators_dir.iterdir():
        old.unlink()
    write_random_generator(generators_dir, name="things", categories=THINGS_CARD)
    get_runtime().reset()
    return generators_dir


def fieldset(html: str, theme: str) -> str:
    match = re.search(
        rf'<fieldset class="[^"]*thing-step" data-theme="{theme}"(.*?)</fieldset>', html, re.S
    )
    assert match, f"no step for {theme}"
    return match.group(0)


def test_installed_categories_carry_their_themes(things_dir: Path) -> None:
    themes = {c.slug: c.theme_slug for c in installed_categories()}
    assert themes == {"face": "face", "panda": "animal", "cat": "animal", "animal": "animal",
                      "sun": "space"}  # fmt: skip


def test_the_canvas_offers_themes_first_then_the_things_of_one(
    things_dir: Path, child_client: Client
) -> None:
    html = child_client.get("/draw/").content.decode()
    themes = re.findall(r'name="theme" value="([a-z_]+)" data-only="([a-z_]*)"', html)
    # The catalogue's order; a theme with one entry names it, so its tap picks it.
    assert themes == [("face", "face"), ("animal", ""), ("space", "sun")]
    animal = fieldset(html, "animal")
    assert re.findall(r'name="category" value="([a-z_]+)"', animal) == ["panda", "cat", "animal"]
    assert "Another animal" in animal and "another-card" in animal
    assert " hidden>" in animal.split("\n")[0]  # shown once its theme is tapped
    assert 'value="sun"' in fieldset(html, "space")  # there, for the one-tap theme to check
    # Every category still has exactly one radio: the page's and the draft's contract.
    assert sorted(re.findall(r'name="category" value="([a-z_]+)"', html)) == sorted(
        slug for slug, *_ in THINGS_CARD
    )


def test_the_picker_speaks_korean(things_dir: Path, child_client: Client) -> None:
    html = child_client.get("/draw/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "동물" in html and "다른 동물" in html and "판다" in html
    assert "동물: 어떤 거예요?" in html


def test_todays_theme_only_cards_are_one_tap_each(child_client: Client) -> None:
    html = child_client.get("/draw/").content.decode()
    themes = re.findall(r'name="theme" value="([a-z_]+)" data-only="([a-z_]*)"', html)
    assert themes == [("face", "face"), ("panda", "panda")]
    assert "Another" not in html


@pytest.mark.parametrize(
    ("language", "animal", "panda"), [("en", "Animal", "Panda"), ("ko", "동물", "판다")]
)
def test_the_categories_api_lists_categories_with_themes_and_the_themes(
    things_dir: Path, child_client: Client, language: str, animal: str, panda: str
) -> None:
    data = child_client.get("/api/v1/categories/", HTTP_ACCEPT_LANGUAGE=language).json()
    by_slug = {c["slug"]: c for c in data["categories"]}
    assert by_slug["panda"] == {"slug": "panda", "label": panda, "emoji": "🐼", "theme": "animal"}
    assert by_slug["face"]["theme"] == "face"
    assert data["themes"] == [
        {
            "slug": "face",
            "label": data["themes"][0]["label"],
            "emoji": "😀",
            "categories": ["face"],
        },
        {
            "slug": "animal",
            "label": animal,
            "emoji": "🐶",
            "categories": ["panda", "cat", "animal"],
        },
        {
            "slug": "space",
            "label": data["themes"][2]["label"],
            "emoji": "🚀",
            "categories": ["sun"],
        },
    ]


def test_the_schema_documents_themes_and_suggestions(child_client: Client) -> None:
    schema = child_client.get("/api/schema/").content.decode()
    assert "/api/v1/suggestions/" in schema
    assert "CategoryList" in schema and "Theme" in schema


def test_daily_quests_read_the_same_installed_things(things_dir: Path) -> None:
    slugs = {quest.slug for quest in catalogue(installed_categories())}
    assert {"draw-panda", "draw-cat", "draw-sun"} <= slugs


def test_every_thing_of_the_animal_theme_counts_for_draw_an_animal(things_dir: Path) -> None:
    from gamification.facts import DrawingFacts
    from gamification.quests import find_quest

    quests = [q for q in catalogue(installed_categories()) if q.slug == "draw-animal"]
    assert len(quests) == 1  # the theme's own entry is no second "draw-animal"
    quest = find_quest("draw-animal", installed_categories())
    assert quest is not None
    for slug, counts in (("cat", True), ("animal", True), ("sun", False)):
        facts = DrawingFacts(slug, datetime(2026, 5, 1, 10), False, False, 1, 0)
        assert quest.counts(facts) is counts
