"""A live site (uvicorn + the embedded worker) and Debian's Chromium driven by Playwright."""

from __future__ import annotations

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


@pytest.fixture(scope="module")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """The site as `make run` serves it, on a private SQLite file and generator folder."""
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
    }
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "seed_demo")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    log = home / "server.log"
    with asgi_server(env, log) as url:
        yield LiveSite(url=url, log=log)


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


def save_screenshot(page: object, name: str) -> None:
    """Screenshots are committed to docs/screenshots so people can see the screens."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]
