"""The sketch pad's tools and memory: crayons, undo/redo, sounds, the draft kept on the device."""

from __future__ import annotations

from typing import Any

from tests.fixtures.canvas import (
    DEMO_PASSWORD,
    choose,
    draw_a_face,
    draw_line,
    ink_grid,
    same_drawing,
    sign_in_and_play,
)

COLOURS = "fieldset.colors input[name=color]"
DRAFT_KEYS = "() => Object.keys(localStorage).filter((key) => key.startsWith('icanvas:draft:'))"


def inked(grid: list[float]) -> float:
    return sum(grid)


def pick_first_category(page: Any) -> str:
    return choose(page, theme=None)


def wait_for_draft(page: Any) -> None:
    page.wait_for_function(f"() => ({DRAFT_KEYS})().length > 0")


def test_twelve_big_named_crayons_draw_in_their_colour(page: Any) -> None:
    sign_in_and_play(page)

    swatches = page.locator(COLOURS)
    assert swatches.count() == 12
    names = [
        page.locator("fieldset.colors label.swatch").nth(i).inner_text().strip() for i in range(12)
    ]
    assert len(set(names)) == 12 and all(names)  # each crayon has its own name
    for i in range(12):
        box = page.locator("fieldset.colors label.swatch").nth(i).bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44  # a child's fingertip
    assert page.locator("input[name=brush]").count() >= 3
    assert page.get_by_role("radio", name="Eraser").count() == 1

    page.get_by_role("radio", name="Red").check(force=True)
    draw_line(page, (0.2, 0.5), (0.8, 0.5))
    red = page.evaluate(
        """() => {
        const c = document.querySelector('canvas#sketch');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) {
          if (d[i] > 180 && d[i + 1] < 90 && d[i + 2] < 90) n++;
        }
        return n;
    }"""
    )
    assert red > 300, "the stroke is drawn in the chosen crayon"

    page.locator(".lang-switch button[lang=ko]").click()
    page.wait_for_selector("html[lang=ko]")
    assert page.get_by_role("radio", name="빨강").count() == 1
    assert page.get_by_role("radio", name="하늘색").count() == 1
    page.locator(".lang-switch button[lang=en]").click()
    page.wait_for_selector("html[lang=en]")


def test_undo_and_redo_walk_back_and_forth_through_many_steps(page: Any) -> None:
    sign_in_and_play(page)
    page.evaluate("localStorage.clear()")
    page.reload()
    undo, redo = page.locator("[data-undo]"), page.locator("[data-redo]")
    assert undo.is_disabled() and redo.is_disabled()

    states = [ink_grid(page)]
    for y in (0.25, 0.45, 0.65):
        draw_line(page, (0.2, y), (0.8, y))
        states.append(ink_grid(page))
    assert redo.is_disabled()

    for expected in reversed(states[:-1]):
        undo.click()
        assert same_drawing(ink_grid(page), expected, tolerance=0)
    assert undo.is_disabled() and inked(ink_grid(page)) == 0

    for expected in states[1:]:
        assert redo.is_enabled()
        redo.click()
        assert same_drawing(ink_grid(page), expected, tolerance=0)
    assert redo.is_disabled()

    # A new stroke after an undo starts a new future: nothing left to redo.
    undo.click()
    assert redo.is_enabled()
    draw_line(page, (0.5, 0.1), (0.5, 0.9))
    assert redo.is_disabled() and undo.is_enabled()

    # Wiping the paper can be undone too.
    before = ink_grid(page)
    page.locator("[data-clear]").click()
    page.locator("#clear-dialog button[value=yes]").click()
    page.wait_for_function("() => document.querySelector('[data-clear]').disabled")
    assert inked(ink_grid(page)) == 0
    undo.click()
    assert same_drawing(ink_grid(page), before, tolerance=0)


def test_a_reload_mid_drawing_finds_the_draft(page: Any) -> None:
    sign_in_and_play(page)
    page.evaluate("localStorage.clear()")
    page.reload()
    draw_a_face(page)
    category = pick_first_category(page)
    drawn = ink_grid(page)
    assert inked(drawn) > 5
    wait_for_draft(page)

    page.reload()

    page.wait_for_function("() => !document.querySelector('[data-undo]').disabled")
    restored = ink_grid(page)
    assert same_drawing(restored, drawn), "the same strokes are back on the paper"
    assert page.locator(f"input[name=category][value='{category}']").is_checked()
    assert page.locator("[data-submit]").is_enabled()
    # The restored strokes are real strokes: they can be undone one by one.
    page.locator("[data-undo]").click()
    assert inked(ink_grid(page)) < inked(restored)


def test_a_sibling_on_the_same_tablet_does_not_see_the_draft(page: Any) -> None:
    sign_in_and_play(page)
    page.evaluate("localStorage.clear()")
    page.reload()
    draw_a_face(page)
    drawn = ink_grid(page)
    wait_for_draft(page)

    def switch_child(index: int, pin: str) -> None:
        page.goto("/play/leave/")
        page.fill("input[type=password]", DEMO_PASSWORD)
        page.get_by_role("button", name="Leave play mode").click()
        page.wait_for_url("**/family/")
        page.goto("/play/")
        page.locator("a.avatar").nth(index).click()
        page.wait_for_url("**/play/*/")
        page.fill("input[name=pin]", pin)
        page.wait_for_url("**/draw/")

    switch_child(1, "5678")  # Joon
    assert inked(ink_grid(page)) == 0
    assert page.locator("[data-undo]").is_disabled()

    switch_child(0, "1234")  # back to Mina: her draft waited for her
    page.wait_for_function("() => !document.querySelector('[data-undo]').disabled")
    assert same_drawing(ink_grid(page), drawn)


def test_the_draft_is_forgotten_once_the_server_has_the_drawing(page: Any) -> None:
    sign_in_and_play(page)
    page.evaluate("localStorage.clear()")
    page.reload()
    draw_a_face(page)
    pick_first_category(page)
    wait_for_draft(page)

    with page.expect_response(
        lambda r: r.url.endswith("/api/v1/drawings/") and r.request.method == "POST"
    ) as posted:
        page.locator("[data-submit]").click()
    assert posted.value.ok
    page.wait_for_function(f"() => ({DRAFT_KEYS})().length === 0")

    page.reload()
    assert inked(ink_grid(page)) == 0  # a fresh sheet for the next picture


def test_drawing_goes_on_when_the_device_refuses_to_store_anything(page: Any) -> None:
    # Private browsing or a full disk: every write throws.
    page.add_init_script(
        """Storage.prototype.setItem = function () {
            throw new DOMException('full', 'QuotaExceededError');
        };"""
    )
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in_and_play(page)
    draw_a_face(page)
    pick_first_category(page)
    page.wait_for_timeout(600)  # past the draft's save delay

    assert inked(ink_grid(page)) > 5
    assert page.locator("[data-submit]").is_enabled()
    page.locator("[data-sound-toggle]").click()  # remembering the choice fails quietly too
    assert errors == []


def test_sounds_start_off_and_the_choice_is_remembered(page: Any) -> None:
    sign_in_and_play(page)
    page.evaluate("localStorage.clear()")
    page.reload()
    toggle = page.get_by_role("button", name="Sounds")
    assert toggle.get_attribute("aria-pressed") == "false"

    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    page.reload()
    assert page.get_by_role("button", name="Sounds").get_attribute("aria-pressed") == "true"

    page.get_by_role("button", name="Sounds").click()
    page.reload()
    assert page.get_by_role("button", name="Sounds").get_attribute("aria-pressed") == "false"
