"""A parent hands over the device; the child draws, submits and sees the picture appear."""

from __future__ import annotations

import math
from typing import Any

from tests.browser.conftest import save_screenshot

DEMO_EMAIL = "demo@icanvas.local"
DEMO_PASSWORD = "draw-together"


def sign_in_and_play(page: Any, pin: str = "1234") -> None:
    page.goto("/login/")
    page.fill("input[name=username]", DEMO_EMAIL)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit]")  # not the language switch in the top bar
    page.wait_for_url("**/family/")
    page.goto("/play/")
    page.locator("a.avatar").first.click()
    page.wait_for_url("**/play/*/")
    page.fill("input[name=pin]", pin)  # the PIN pad sends itself after the fourth digit
    page.wait_for_url("**/draw/")


def draw_a_face(page: Any) -> None:
    canvas = page.locator("canvas#sketch")
    box = canvas.bounding_box()
    assert box is not None
    cx, cy, r = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, box["width"] / 3
    page.mouse.move(cx + r, cy)
    page.mouse.down()
    for step in range(1, 41):
        angle = 2 * math.pi * step / 40
        page.mouse.move(cx + r * math.cos(angle), cy + r * math.sin(angle))
    page.mouse.up()
    for ex in (-r / 3, r / 3):  # eyes
        page.mouse.move(cx + ex, cy - r / 3)
        page.mouse.down()
        page.mouse.move(cx + ex + 4, cy - r / 3 + 4)
        page.mouse.up()
    page.mouse.move(cx - r / 2, cy + r / 3)  # smile
    page.mouse.down()
    for step in range(1, 11):
        t = step / 10
        page.mouse.move(cx - r / 2 + r * t, cy + r / 3 + (r / 4) * math.sin(math.pi * t))
    page.mouse.up()


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
    faces = page.locator("label.category-card", has_text="Face")
    (faces if faces.count() else page.locator("label.category-card")).first.click()
    assert submit.is_enabled()
    save_screenshot(page, "canvas")
    submit.click()
    picture = page.locator("[data-result-slot] img")
    picture.wait_for(state="visible", timeout=60_000)
    loaded = page.wait_for_function(
        "() => { const i = document.querySelector('[data-result-slot] img');"
        " return i && i.complete && i.naturalWidth === 256; }"
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
