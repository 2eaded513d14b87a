"""A parent hands over the device; the child draws, submits and sees the picture appear."""

from __future__ import annotations

from typing import Any

from tests.fixtures.canvas import choose, draw_a_face, save_screenshot, sign_in_and_play


def test_a_child_draws_submits_and_sees_the_picture_live(page: Any) -> None:
    sign_in_and_play(page)
    submit = page.locator("[data-submit]")
    assert submit.is_disabled()  # nothing drawn yet
    draw_a_face(page)
    ink = page.evaluate(
        """() => {
        const c = document.querySelector('canvas#sketch');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let dark = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] < 128 && d[i + 3] > 0) dark++;
        return dark;
    }"""
    )
    assert ink > 500, "the strokes must land on the canvas"
    choose(page)
    assert submit.is_enabled()
    save_screenshot(page, "canvas")
    submit.click()
    picture = page.locator("[data-result-slot] img")
    picture.wait_for(state="visible", timeout=60_000)
    loaded = page.wait_for_function(
        "() => { const i = document.querySelector('[data-result-slot] img');"
        " return i && i.complete && i.naturalWidth >= 256; }"
    )
    assert loaded
    toast = page.locator(".xp-toast").first
    toast.wait_for(state="visible")
    assert "XP" in toast.inner_text()  # the payout arrived with the picture
    src = picture.get_attribute("src")
    assert src and src.endswith("/result.png")
    # The gallery shows the same drawing with its picture.
    page.goto("/gallery/")
    assert page.locator(f"img[src='{src}']").count() == 1
    save_screenshot(page, "gallery")


def test_the_drawing_survives_a_reload_of_its_state_over_rest(page: Any) -> None:
    sign_in_and_play(page)
    listing = page.request.get("/api/v1/drawings/")
    assert listing.ok
    results = listing.json()["results"]
    assert results, "the drawing from the previous test is in the child's list"
    assert results[0]["status"] == "done"
