"""The two-tap picker and the "Is it this?" bubble in a real browser, with every thing installed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from inference.lab.testing import write_random_classifier, write_random_generator
from inference.serving import things
from tests.fixtures.browser import LiveSite, serve_site
from tests.fixtures.canvas import draw_a_face, save_screenshot, sign_in_and_play


@pytest.fixture(scope="module")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """The site with a generator of the whole catalogue (36 things in 8 themes) and a
    classifier that knows two of them (random weights: a guess is a guess)."""
    generators = tmp_path_factory.mktemp("things") / "generators"
    write_random_generator(generators, name="things", categories=things.card_entries())
    write_random_classifier(generators, categories=("panda", "cat"))
    with serve_site(tmp_path_factory, GENERATORS_DIR=str(generators)) as site:
        yield site


def checked(page: Any, name: str) -> str | None:
    return page.evaluate(
        f"() => document.querySelector('input[name={name}]:checked')?.value ?? null"
    )


def test_a_child_taps_a_theme_then_a_thing(page: Any) -> None:
    sign_in_and_play(page)
    page.set_viewport_size({"width": 768, "height": 1024})
    draw_a_face(page)
    assert not page.locator("fieldset.thing-step:visible").count()  # only themes at first
    page.locator("label.theme-card", has_text="Animal").click()
    step = page.locator("fieldset.thing-step[data-theme=animal]")
    assert step.is_visible() and step.locator("label.category-card").count() == 9
    assert step.locator("label.another-card", has_text="Another animal").is_visible()
    assert page.locator("[data-submit]").is_disabled()  # a theme is not yet a thing
    step.locator("label.category-card", has_text="Panda").click()
    assert checked(page, "category") == "panda"
    assert page.locator("[data-submit]").is_enabled()
    save_screenshot(page, "thing-picker", full_page=False)
    # Another theme: the panda is no longer what was drawn.
    page.locator("label.theme-card", has_text="Food").click()
    assert checked(page, "category") is None and page.locator("[data-submit]").is_disabled()


def test_the_picker_works_from_the_keyboard(page: Any) -> None:
    sign_in_and_play(page)
    draw_a_face(page)
    page.locator("input[name=theme]").first.focus()
    page.keyboard.press("ArrowRight")  # face -> animal, like any radio group
    assert checked(page, "theme") == "animal"
    page.keyboard.press("Tab")  # into the animal things
    page.keyboard.press("Space")
    assert checked(page, "category") == "panda"


def test_the_guess_appears_after_a_pause_and_one_tap_accepts_it(page: Any, tmp_path: Path) -> None:
    sign_in_and_play(page)
    page.evaluate("localStorage.clear()")
    page.reload()
    with page.expect_response(lambda r: "/api/v1/suggestions/" in r.url, timeout=20_000) as asked:
        draw_a_face(page)
    assert asked.value.status == 200
    bubble = page.locator("[data-suggestion-accept]")
    bubble.wait_for(state="visible")
    guessed = page.locator("[data-suggestion-label]").inner_text()
    assert guessed in ("Panda", "Cat")
    page.wait_for_timeout(400)  # the bubble's pop-in
    page.screenshot(path=str(tmp_path / "suggestion.png"))
    before = page.locator("fieldset.theme-picker").bounding_box()
    bubble.click()
    # Accepting moves nothing under the child's finger: the bubble's room stays.
    assert page.locator("fieldset.theme-picker").bounding_box()["y"] == before["y"]
    assert checked(page, "category") == guessed.lower()
    assert checked(page, "theme") == "animal"
    assert page.locator("fieldset.thing-step[data-theme=animal]").is_visible()
    assert bubble.is_hidden() and page.locator("[data-submit]").is_enabled()


def test_on_a_phone_the_cards_fit_the_width(page: Any, tmp_path: Path) -> None:
    sign_in_and_play(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("label.theme-card", has_text="Space").click()
    page.locator("label.category-card", has_text="Rocket").click()
    assert checked(page, "category") == "rocket"
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)


def test_once_the_child_has_picked_no_guess_is_offered_nor_taken(page: Any) -> None:
    sign_in_and_play(page)
    page.evaluate("localStorage.clear()")
    page.reload()
    with page.expect_response(lambda r: "/api/v1/suggestions/" in r.url, timeout=20_000):
        draw_a_face(page)
    bubble = page.locator("[data-suggestion-accept]")
    bubble.wait_for(state="visible")
    # The child says it is something else: the guess goes away at once...
    page.locator("label.theme-card", has_text="Space").click()
    page.locator("label.category-card", has_text="Rocket").click()
    assert checked(page, "category") == "rocket"
    assert bubble.is_hidden()
    # ...and a tap that reaches it anyway (a late answer, a quick finger) relabels nothing.
    page.evaluate("document.querySelector('[data-suggestion-accept]').click()")
    assert checked(page, "category") == "rocket"
    assert checked(page, "theme") == "space"
