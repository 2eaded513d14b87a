"""The browser: a child at the canvas page, and the capture of the PNG the page POSTs."""

from __future__ import annotations

import os
import re
from typing import Any

from .model import Stroke
from .site import Site

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    # Mouse moves are otherwise held for a 60 Hz frame each: drawing takes twice as long.
    "--disable-gpu-vsync",
    "--disable-frame-rate-limit",
]
DRAWINGS_API = "/api/v1/drawings/"


def sketch_from_multipart(body: bytes, content_type: str, field_name: str = "sketch") -> bytes:
    """The bytes of one file field of a multipart/form-data body, exactly as sent."""
    found = re.search(r'boundary="?([^";]+)"?', content_type)
    if not found:
        raise ValueError(f"not a multipart body: {content_type!r}")
    delimiter = b"--" + found.group(1).encode()
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, content = chunk.partition(b"\r\n\r\n")
        if re.search(rb'name="' + field_name.encode() + rb'"', head):
            return content[:-2] if content.endswith(b"\r\n") else content
    raise ValueError(f"no {field_name!r} field in the multipart body")


class Child:
    """Drives the canvas page as a child does: crayon, brush, strokes, thing, submit, clear."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.captured: list[bytes] = []
        page.route(f"**{DRAWINGS_API}", self._intercept)

    def _intercept(self, route: Any) -> None:
        request = route.request
        if request.method != "POST":
            route.continue_()
            return
        body = request.post_data_buffer or b""
        self.captured.append(sketch_from_multipart(body, request.headers.get("content-type", "")))
        route.continue_()  # the throw-away server takes it, so the page carries on as usual

    def sign_in_and_play(self, site: Site) -> None:
        page = self.page
        page.goto(site.url + "/login/")
        page.fill("input[name=username]", site.email)
        page.fill("input[name=password]", site.password)
        page.click("main button[type=submit]")
        page.wait_for_url("**/family/")
        page.goto(site.url + "/play/")
        page.locator("a.avatar").first.click()
        page.wait_for_url("**/play/*/")
        page.fill("input[name=pin]", site.pin)
        page.wait_for_url("**/draw/")
        page.locator("canvas#sketch").wait_for()

    def pick(self, name: str, value: str) -> None:
        """Tap a crayon, a brush or a thing: its label when shown, else the radio itself."""
        label = self.page.locator(f'label:has(> input[name="{name}"][value="{value}"])').first
        if label.count() and label.is_visible():
            label.click()
        else:
            self.page.evaluate(
                """([name, value]) => {
                  const input = document.querySelector(`input[name="${name}"][value="${value}"]`);
                  if (!input) throw new Error(`no ${name} ${value} on the page`);
                  input.checked = true;
                  input.dispatchEvent(new Event("change", { bubbles: true }));
                }""",
                [name, value],
            )

    def draw(self, strokes: list[Stroke], crayon: str, brush: str) -> None:
        self.pick("color", crayon)
        self.pick("brush", brush)
        box = self.page.locator("canvas#sketch").bounding_box()
        if box is None:
            raise RuntimeError("the canvas is not on the page")
        mouse = self.page.mouse
        for stroke in strokes:
            xs = [box["x"] + x * box["width"] for x, _ in stroke.points]
            ys = [box["y"] + y * box["height"] for _, y in stroke.points]
            mouse.move(xs[0], ys[0])
            mouse.down()
            for x, y in zip(xs[1:], ys[1:], strict=True):
                mouse.move(x, y)
            mouse.up()

    def submit(self, thing: str, theme: str) -> bytes:
        """Pick the thing, press "Make my picture!" and return the PNG the page sent."""
        page = self.page
        # Two taps: the theme's card, then the thing's (a flat list has no theme cards).
        if page.locator(f'input[name="theme"][value="{theme}"]').count():
            self.pick("theme", theme)
        if page.locator(f'input[name="category"][value="{thing}"]').count():
            self.pick("category", thing)
        else:
            first = page.locator('input[name="category"]').first.get_attribute("value")
            self.pick("category", first or "")
        submit = page.locator("[data-submit]")
        if submit.is_disabled():
            hint = page.locator("[data-hint]").inner_text()
            raise RuntimeError(f"the page will not send the drawing of {thing}: {hint!r}")
        before = len(self.captured)
        with page.expect_response(
            lambda r: DRAWINGS_API in r.url and r.request.method == "POST", timeout=60_000
        ):
            submit.click()
        if len(self.captured) != before + 1:
            raise RuntimeError("the sketch was not intercepted")
        return self.captured[-1]

    def reload(self) -> None:
        """A fresh page with empty paper: the draft forgotten, the page's script running."""
        page = self.page
        page.evaluate(
            """() => {
              const key = document.getElementById("canvas-app")?.dataset.draftKey;
              if (key) localStorage.removeItem(key);
            }"""
        )
        page.reload(wait_until="load")
        page.locator("canvas#sketch").wait_for()
        page.wait_for_function("() => document.querySelector('[data-submit]')?.disabled")
        page.evaluate("() => window.scrollTo(0, 0)")

    def clear(self) -> None:
        """Wipe the paper (Clear, then "Yes, wipe it") and the child's draft on this device."""
        page = self.page
        page.locator("[data-clear]").click()
        page.locator('#clear-dialog button[value="yes"]').click()
        page.wait_for_function("() => document.querySelector('[data-submit]').disabled")
        page.evaluate(
            """() => {
              const key = document.getElementById("canvas-app").dataset.draftKey;
              if (key) localStorage.removeItem(key);
            }"""
        )
        page.evaluate("() => window.scrollTo(0, 0)")
