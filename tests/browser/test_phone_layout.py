"""The kid screens on a phone, held upright (390×844) and sideways (844×390): the paper and
"Make my picture!" are on the first screen, the top bar is one row, the tools are one compact
tray of big targets, nothing runs off the side, and the celebration pop-ups cover nothing the
child taps next."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from inference.lab.testing import write_random_generator
from inference.serving import things
from tests.fixtures.browser import LiveSite, serve_site
from tests.fixtures.canvas import choose, draw_a_face, save_screenshot, sign_in_and_play

PORTRAIT = {"width": 390, "height": 844}
LANDSCAPE = {"width": 844, "height": 390}
TAP = 44  # the smallest target a five-year-old's finger hits


@pytest.fixture(scope="module")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """The site with a generator of the whole catalogue: every theme card is on the page."""
    generators = tmp_path_factory.mktemp("phone") / "generators"
    write_random_generator(generators, name="things", categories=things.card_entries())
    with serve_site(tmp_path_factory, GENERATORS_DIR=str(generators)) as site:
        yield site


@pytest.fixture
def phone(browser: Any, live_site: LiveSite) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_site.url, viewport=PORTRAIT, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def box(page: Any, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is on screen"
    return dict(found)


def on_screen(page: Any, selector: str) -> bool:
    """The element is wholly inside the viewport at the current scroll."""
    b = box(page, selector)
    size = page.viewport_size
    return (
        b["x"] >= 0
        and b["y"] >= 0
        and b["x"] + b["width"] <= size["width"] + 0.5
        and b["y"] + b["height"] <= size["height"] + 0.5
    )


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def assert_fits(page: Any) -> None:
    """What every phone screen of the canvas page promises, at scroll 0."""
    page.evaluate("window.scrollTo(0, 0)")
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "nothing runs off"
    # The top bar: one row of big buttons.
    bar = box(page, "header.topbar")
    assert bar["height"] <= 72, f"the top bar wraps ({bar['height']} px)"
    # The whole paper and the big button on the first screen, the button off the paper.
    assert on_screen(page, "canvas#sketch"), box(page, "canvas#sketch")
    assert box(page, "canvas#sketch")["width"] >= 0.7 * min(page.viewport_size.values())
    assert on_screen(page, "[data-submit]"), box(page, "[data-submit]")
    assert not overlaps(box(page, "[data-submit]"), box(page, "canvas#sketch"))
    # The tools: one tray on screen, every crayon, brush and button still a finger wide.
    assert on_screen(page, ".toolbar"), box(page, ".toolbar")
    assert not overlaps(box(page, ".toolbar"), box(page, "canvas#sketch"))
    targets = page.locator(
        ".toolbar .swatch, .toolbar .brush, .toolbar .eraser-tool, .toolbar .tool-button"
    )
    for i in range(targets.count()):
        target = targets.nth(i).bounding_box()
        assert target and target["width"] >= TAP and target["height"] >= TAP, target


def assert_popups_cover_nothing_to_tap(page: Any) -> None:
    toasts = page.locator(".xp-toast")
    toasts.first.wait_for(state="visible")
    page.wait_for_timeout(500)  # the pop-in animation settles (CSS, not the server)
    tappable = page.locator(
        "label.category-card:visible, [data-submit], .toolbar, .submission:visible .btn:visible"
    )
    for t in range(toasts.count()):
        # One piece of news a pop-up, none cut off: a celebration of several lines comes as
        # several one-line pop-ups in turn.
        assert toasts.nth(t).locator(".xp-toast-line").count() == 1
        toast = toasts.nth(t).bounding_box()
        assert toast is not None
        for i in range(tappable.count()):
            other = tappable.nth(i).bounding_box()
            if other is not None:
                assert not overlaps(toast, other), (toast, other)


def test_a_phone_held_upright_shows_paper_tools_and_button_at_once(phone: Any) -> None:
    sign_in_and_play(phone)
    assert_fits(phone)
    toolbar = box(phone, ".toolbar")
    assert toolbar["height"] <= 2 * TAP + 24, f"the tools take {toolbar['height']} px"
    draw_a_face(phone)
    choose(phone, "Animal")
    assert phone.locator("[data-submit]").is_enabled()
    assert on_screen(phone, "[data-submit]")  # still in reach after the second tap
    phone.evaluate("window.scrollTo(0, 0)")
    save_screenshot(phone, "canvas-phone", full_page=False)
    phone.locator("[data-submit]").click()
    phone.locator("[data-result-slot] img").wait_for(state="visible", timeout=60_000)
    assert_popups_cover_nothing_to_tap(phone)
    save_screenshot(phone, "canvas-phone-done", full_page=False)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PORTRAIT["width"]


def test_a_phone_held_sideways_shows_paper_tools_and_button_at_once(phone: Any) -> None:
    phone.set_viewport_size(LANDSCAPE)
    sign_in_and_play(phone)
    assert_fits(phone)
    draw_a_face(phone)
    choose(phone, "Food")
    assert phone.locator("[data-submit]").is_enabled()
    assert on_screen(phone, "[data-submit]")
    phone.evaluate("window.scrollTo(0, 0)")
    assert on_screen(phone, "[data-submit]") and on_screen(phone, "canvas#sketch")
    save_screenshot(phone, "canvas-phone-landscape", full_page=False)
    phone.locator("[data-submit]").click()
    phone.locator("[data-result-slot] img").wait_for(state="visible", timeout=60_000)
    assert_popups_cover_nothing_to_tap(phone)
