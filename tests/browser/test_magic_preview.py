"""The magic preview in a real browser: off by default; with "Peek" on, drawing makes a faded
picture appear beside the canvas, and more strokes update it. Nothing is submitted."""

from __future__ import annotations

from typing import Any

from tests.fixtures.canvas import choose, draw_a_face, save_screenshot, sign_in_and_play


def seq_shown(page: Any) -> int:
    return int(page.locator("[data-peek]").get_attribute("data-seq") or -1)


def test_peek_shows_the_picture_growing_while_the_child_draws(page: Any) -> None:
    sign_in_and_play(page)
    toggle = page.locator("[data-peek-toggle]")
    assert toggle.get_attribute("aria-pressed") == "false"  # the quietest page by default
    choose(page)
    draw_a_face(page)
    page.wait_for_timeout(800)
    assert page.locator("[data-peek]").is_hidden()  # off: nothing was sent

    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    peek = page.locator("[data-peek] img")
    peek.wait_for(state="visible", timeout=30_000)
    page.wait_for_function(
        "() => { const i = document.querySelector('[data-peek] img');"
        " return i && i.complete && i.naturalWidth >= 256"
        " && i.src.startsWith('data:image/webp'); }"
    )
    first = seq_shown(page)
    first_src = peek.get_attribute("src")

    canvas = page.locator("canvas#sketch").bounding_box()
    assert canvas is not None
    page.mouse.move(canvas["x"] + 20, canvas["y"] + 20)  # a hat on the face
    page.mouse.down()
    page.mouse.move(canvas["x"] + canvas["width"] - 20, canvas["y"] + 40, steps=12)
    page.mouse.up()
    page.wait_for_function(
        f"() => Number(document.querySelector('[data-peek]').dataset.seq) > {first}",
        timeout=30_000,
    )
    assert peek.get_attribute("src") != first_src
    save_screenshot(page, "magic-preview")
    # Peeking makes no drawing: the results column is still empty.
    assert page.locator("#results").is_hidden()
    # The choice is remembered on this device.
    page.reload()
    assert page.locator("[data-peek-toggle]").get_attribute("aria-pressed") == "true"


def test_peek_starts_with_the_first_stroke_and_says_why_it_waits_for_a_thing(page: Any) -> None:
    sign_in_and_play(page)
    page.evaluate("localStorage.clear()")
    page.reload()
    page.locator("[data-peek-toggle]").click()
    draw_a_face(page)  # nothing picked, no guesser here: the server needs a thing
    note = page.locator("[data-peek-note]")
    note.wait_for(state="visible", timeout=30_000)
    assert "Tap what you drew" in note.inner_text()
    assert page.locator("[data-peek] img").is_hidden()
    choose(page)  # the thing comes: the picture takes the sentence's place
    page.locator("[data-peek] img").wait_for(state="visible", timeout=30_000)
    assert note.is_hidden()
