"""A child on a tablet switches the site to Korean and back from the top bar."""

from __future__ import annotations

from typing import Any

from tests.fixtures.canvas import (
    choose,
    draw_a_face,
    ink_grid,
    same_drawing,
    save_screenshot,
    sign_in_and_play,
)

TABLET = {"width": 768, "height": 1024}

# Anything in the top bar or on a button whose words spill out of its box, or past the screen.
OVERFLOWING = """() => [...document.querySelectorAll(
    '.topbar a, .topbar button, main button, main a.btn')]
  .filter(el => el.offsetParent !== null)
  .filter(el => el.scrollWidth > el.clientWidth + 1
             || el.getBoundingClientRect().right > window.innerWidth + 1)
  .map(el => el.textContent.trim())"""


def test_a_child_switches_to_korean_and_back_on_a_tablet(page: Any) -> None:
    page.set_viewport_size(TABLET)
    sign_in_and_play(page)
    draw_a_face(page)
    choose(page, theme=None, nth=1)
    drawn = ink_grid(page)

    page.locator(".lang-switch button[lang=ko]").click()

    page.wait_for_selector("html[lang=ko]")
    assert page.url.endswith("/draw/")  # the same page, now in Korean
    page.wait_for_function("() => !document.querySelector('[data-undo]').disabled")
    assert same_drawing(ink_grid(page), drawn)  # switching language loses nothing
    assert page.get_by_role("button", name="다시 하기").is_visible()
    assert page.get_by_role("radio", name="지우개").count() == 1
    assert page.get_by_role("button", name="내 그림 만들기!").is_visible()
    assert page.locator("label.theme-card", has_text="얼굴").is_visible()
    assert page.evaluate(OVERFLOWING) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    save_screenshot(page, "canvas-ko-tablet")

    page.locator(".lang-switch button[lang=en]").click()

    page.wait_for_selector("html[lang=en]")
    assert page.get_by_role("button", name="Make my picture!").is_visible()
