"""The demo parent reviews in the family admin: side by side, hide, export, withdraw consent."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from tests.fixtures.canvas import (
    DEMO_PASSWORD,
    choose,
    confirm_its_me,
    draw_a_face,
    save_screenshot,
    sign_in_and_play,
)


def make_a_picture(page: Any) -> str:
    sign_in_and_play(page)
    draw_a_face(page)
    choose(page, theme=None)
    page.locator("[data-submit]").click()
    picture = page.locator("[data-result-slot] img")
    picture.wait_for(state="visible", timeout=60_000)
    src: str = picture.get_attribute("src")
    return src


def test_the_demo_parent_reviews_hides_exports_and_withdraws(page: Any) -> None:
    src = make_a_picture(page)
    sketch = src.replace("result.png", "sketch.png")
    page.goto("/play/leave/")  # the "Grown-ups" button
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.get_by_role("button", name="Leave and review pictures").click()
    page.wait_for_url("**/family/admin/drawings/drawing/")

    row = page.locator("#result_list tbody tr").first
    assert row.locator(f"img[src='{sketch}']").is_visible()
    assert row.locator(f"img[src='{src}']").is_visible()  # side by side
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth)")
    save_screenshot(page, "family-admin-gallery")

    row.locator("a").first.click()
    page.wait_for_selector(".pair-large img")
    save_screenshot(page, "family-admin-change")

    # Share it: the link is shown once; a visitor with no account sees the picture alone.
    page.get_by_role("link", name="Make a share link").click()
    confirm_its_me(page)  # a share link, an export, a withdrawal: a fresh sign-in first
    page.locator("input[name=_save]").click()
    shared = page.locator("input.share-url").input_value()
    visitor = page.context.browser.new_context(base_url=shared).new_page()
    visitor.goto(shared)
    visitor.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth)")
    assert visitor.locator("img").count() == 1
    assert "Mina" not in visitor.content()
    save_screenshot(visitor, "shared-picture")
    visitor.context.close()
    page.goto("/family/admin/drawings/drawing/")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download everything (ZIP)").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    manifest = json.loads(archive.read("manifest.json"))["drawings"]
    assert len(manifest) == 1 and manifest[0]["sketch"] and manifest[0]["picture"]

    page.locator("#result_list tbody input[type=checkbox]").first.check()
    page.select_option("select[name=action]", "hide_from_child")
    page.locator("button[name=index]").click()
    page.wait_for_selector(".messagelist .success")

    page.goto("/family/admin/accounts/child/")
    page.locator("#result_list tbody tr a").first.click()
    page.get_by_role("link", name="Withdraw consent and delete everything").click()
    assert "1 drawing" in page.locator("#content").inner_text()
    save_screenshot(page, "family-admin-withdraw")
    page.get_by_role("button", name="Yes, withdraw consent and delete everything").click()
    page.wait_for_url("**/family/admin/accounts/consentrecord/")
    assert "profile deleted" in page.locator("#result_list").inner_text()
    assert page.request.get(src).status == 404
    page.goto("/family/admin/drawings/drawing/")
    assert page.locator("#result_list tbody tr").count() == 0
