"""Every page carries a strict Content-Security-Policy and a Permissions-Policy, and the API docs
load from the site itself under it (a CSP violation in any browser test fails that test)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fixtures.browser import LiveSite
from tests.fixtures.canvas import sign_in_and_play


def test_pages_carry_the_policies(live_site: LiveSite) -> None:
    response = httpx.get(f"{live_site.url}/login/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_the_api_docs_load_without_a_cdn(page: Any, live_site: LiveSite) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .info", timeout=30_000)
    assert all(url.startswith(live_site.url) for url in requested), requested


def test_the_api_docs_offer_a_file_picker_for_a_sketch(page: Any) -> None:
    """Issue 23 item 5: the upload is a file in /api/docs/, not a text box."""
    page.goto("/api/docs/")
    operation = page.locator("#operations-child-v1_drawings_create")
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    picker = operation.locator(".opblock-section-request-body input[type=file]")
    picker.wait_for(state="attached")
    assert picker.count() == 1


def test_the_kid_pages_run_under_the_policy(page: Any) -> None:
    sign_in_and_play(page)  # the PIN pad's script, then the canvas page's modules
    page.wait_for_selector("canvas#sketch")
    page.goto("/gallery/")
    page.wait_for_load_state("networkidle")
