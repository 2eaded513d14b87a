""" "New colours" (🎲) in the child's gallery: pressed, a new version appears live and can be
swapped back; with a pix2pix generator (one picture a sketch) there is no 🎲 at all."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from inference.lab.testing import write_random_generator, write_random_painter
from tests.fixtures.browser import LiveSite, serve_site
from tests.fixtures.canvas import draw_and_choose, save_screenshot, sign_in_and_play, submit
from tests.fixtures.inference import PAINTER_CATEGORIES


@pytest.fixture(scope="module")
def painter_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """The site with a small palette painter drawing 'face' and 'panda' (512 px, New colours)."""
    generators = tmp_path_factory.mktemp("painters")
    write_random_painter(generators, name="browser-painter", categories=PAINTER_CATEGORIES)
    with serve_site(tmp_path_factory, GENERATORS_DIR=str(generators)) as site:
        yield site


@pytest.fixture(scope="module")
def pix2pix_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """The site with a small pix2pix generator (one picture a sketch: no New colours)."""
    generators = tmp_path_factory.mktemp("pix2pix")
    write_random_generator(generators, name="browser-gen", categories=PAINTER_CATEGORIES)
    with serve_site(tmp_path_factory, GENERATORS_DIR=str(generators)) as site:
        yield site


def _page(browser: Any, site: LiveSite) -> Any:
    context = browser.new_context(base_url=site.url, viewport={"width": 1024, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def _draw_one_picture(page: Any) -> int:
    sign_in_and_play(page)
    draw_and_choose(page)
    drawing_id = submit(page)
    page.locator("[data-result-slot] img").first.wait_for(state="visible", timeout=60_000)
    return drawing_id


def _picture_src(card: Any) -> str:
    return str(card.locator("[data-result-slot] img").get_attribute("src"))


def test_dice_paints_a_new_version_in_the_gallery(browser: Any, painter_site: LiveSite) -> None:
    page = _page(browser, painter_site)
    drawing_id = _draw_one_picture(page)
    # Right after the picture arrives, the canvas card offers 🎲 too.
    card_dice = page.locator("#results .submission [data-card-new-colours]").first
    card_dice.wait_for(state="visible")
    card_dice.click()
    page.wait_for_function(
        """() => {
            const img = document.querySelector('#results .submission [data-result-slot] img');
            return img && img.getAttribute('src').endsWith('/versions/1.png')
                && img.complete && img.naturalWidth === 512; }""",
        timeout=60_000,
    )
    page.goto("/gallery/")
    card = page.locator(f"[data-live-drawing='{drawing_id}']")
    dice = card.locator("[data-new-colours]")
    assert dice.is_visible()
    first_src = _picture_src(card)
    first_png = page.request.get(first_src).body()

    for version in (2, 3):
        dice.click()
        page.wait_for_function(
            """([id, version]) => {
                const card = document.querySelector(`[data-live-drawing='${id}']`);
                const img = card && card.querySelector('[data-result-slot] img');
                return img && img.getAttribute('src').endsWith(`/versions/${version}.png`)
                    && img.complete && img.naturalWidth === 512;
            }""",
            arg=[drawing_id, version],
            timeout=60_000,
        )
    thumbs = card.locator("[data-versions] [data-version]")
    assert thumbs.count() == 4
    assert thumbs.nth(3).get_attribute("aria-pressed") == "true"
    newest_png = page.request.get(_picture_src(card)).body()
    assert newest_png != first_png, "the new colours are a new picture"
    save_screenshot(page, "new-colours-gallery")

    # The child goes back to the first colours: shown, and still there after a reload.
    thumbs.nth(0).click()
    page.wait_for_function(
        """(id) => document.querySelector(`[data-live-drawing='${id}'] [data-result-slot] img`)
            .getAttribute('src').endsWith('/versions/0.png')""",
        arg=drawing_id,
    )
    page.reload()
    assert (
        page.locator(f"[data-live-drawing='{drawing_id}'] [data-result-slot] img").get_attribute(
            "src"
        )
        == f"/drawings/{drawing_id}/result.png"
    )
    first_colours = page.request.get(f"/drawings/{drawing_id}/versions/0.png").body()
    assert page.request.get(f"/drawings/{drawing_id}/result.png").body() == first_colours
    # The detail page shows the versions too.
    page.goto(f"/gallery/{drawing_id}/")
    assert page.locator("[data-versions] [data-version]").count() == 4
    save_screenshot(page, "new-colours-detail")
    page.context.close()


def test_a_pix2pix_picture_has_no_dice(browser: Any, pix2pix_site: LiveSite) -> None:
    page = _page(browser, pix2pix_site)
    drawing_id = _draw_one_picture(page)
    page.goto("/gallery/")
    card = page.locator(f"[data-live-drawing='{drawing_id}']")
    assert card.locator("[data-result-slot] img").is_visible()
    assert card.locator("[data-new-colours]").count() == 1
    assert not card.locator("[data-new-colours]").is_visible()  # hidden: it can't re-roll
    answer = page.request.post(
        f"/api/v1/drawings/{drawing_id}/new-colours/",
        headers={"X-CSRFToken": _csrf(page)},
    )
    assert answer.status == 409 and answer.json()["code"] == "no_new_colours"


def _csrf(page: Any) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
