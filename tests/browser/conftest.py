"""A live site (uvicorn + the embedded worker) and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from inference.registry import discover
from inference.testing import write_random_generator
from tests.servers import ROOT, asgi_server, manage

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class LiveSite:
    url: str
    log: Path


@contextlib.contextmanager
def serve_site(tmp_path_factory: pytest.TempPathFactory, **settings: str) -> Iterator[LiveSite]:
    """The site as `make run` serves it, on a private SQLite file and generator folder.

    ``settings`` are extra environment variables, e.g. to make the worker wait.
    """
    home = tmp_path_factory.mktemp("live")
    generators = ROOT / "generators"
    if not discover(generators):
        # No shipped generator in this checkout: a small random one still proves the path.
        generators = home / "generators"
        generators.mkdir()
        write_random_generator(
            generators,
            name="browser-gen",
            categories=(("face", "Face", "얼굴", "🙂"), ("panda", "Panda", "판다", "🐼")),
        )
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "DJANGO_SETTINGS_MODULE": "icanvas_site.settings",
        "DATABASE_URL": f"sqlite:///{home / 'db.sqlite3'}",
        "GENERATORS_DIR": str(generators),
        "MEDIA_ROOT": str(home / "media"),
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        **settings,
    }
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "seed_demo")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    log = home / "server.log"
    with asgi_server(env, log) as url:
        yield LiveSite(url=url, log=log)


@pytest.fixture(scope="module")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    with serve_site(tmp_path_factory) as site:
        yield site


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (make test installs it with apt)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser, live_site: LiveSite) -> Iterator[object]:
    context = browser.new_context(base_url=live_site.url, viewport={"width": 1024, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def save_screenshot(page: object, name: str, *, full_page: bool = True) -> None:
    """Screenshots are committed to docs/screenshots so people can see the screens.

    ``full_page=False`` keeps what the child sees right now (pop-ups included) where they are.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)  # type: ignore[attr-defined]


# How much ink is in each cell of an n×n grid over the sketch canvas (0 = white paper,
# 1 = fully inked). Comparing grids tells "the same drawing" from "a different one"
# without depending on the canvas's exact pixel size.
_INK_GRID = """(n) => {
  const canvas = document.querySelector('canvas#sketch');
  const { width, height } = canvas;
  const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
  const grid = new Array(n * n).fill(0);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      if (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200) {
        grid[Math.floor((y * n) / height) * n + Math.floor((x * n) / width)] += 1;
      }
    }
  }
  const cell = (width / n) * (height / n);
  return grid.map((count) => count / cell);
}"""


def ink_grid(page: object, n: int = 32) -> list[float]:
    return list(page.evaluate(_INK_GRID, n))  # type: ignore[attr-defined]


def same_drawing(a: list[float], b: list[float], tolerance: float = 0.02) -> bool:
    return len(a) == len(b) and max(abs(x - y) for x, y in zip(a, b, strict=True)) <= tolerance


def draw_line(page: object, start: tuple[float, float], end: tuple[float, float]) -> None:
    """One mouse stroke between two points given as fractions of the canvas."""
    box = page.locator("canvas#sketch").bounding_box()  # type: ignore[attr-defined]
    assert box is not None

    def at(point: tuple[float, float]) -> tuple[float, float]:
        return box["x"] + point[0] * box["width"], box["y"] + point[1] * box["height"]

    mouse = page.mouse  # type: ignore[attr-defined]
    mouse.move(*at(start))
    mouse.down()
    for step in range(1, 21):
        t = step / 20
        mouse.move(*at((start[0] + (end[0] - start[0]) * t, start[1] + (end[1] - start[1]) * t)))
    mouse.up()
