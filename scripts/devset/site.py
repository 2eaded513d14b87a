"""The throw-away site: a private, migrated and seeded iCanvas served by uvicorn."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from inference.serving.things import THINGS

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Site:
    url: str
    email: str
    password: str
    pin: str
    home: Path
    log: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return done.stdout


def _write_generator(directory: Path, things: list[str]) -> None:
    """A small random generator offering every thing drawn, so the page lists each as a card.

    Its pictures are never looked at (no worker runs); it only makes the categories real.
    """
    from inference.lab.testing import write_random_generator

    by_slug = {t.slug: t for t in THINGS}
    write_random_generator(
        directory,
        name="devset-canvas",
        categories=[
            (s, by_slug[s].label_en, by_slug[s].label_ko, by_slug[s].emoji) for s in things
        ],
        ngf=4,
        num_downs=5,
    )


@contextlib.contextmanager
def throwaway_site(things: list[str]) -> Iterator[Site]:
    """Migrate, seed and serve a private copy of the site; everything is deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="icanvas-devset-") as tmp:
        home = Path(tmp)
        generators = home / "generators"
        _write_generator(generators, things)
        env = {
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
            "DJANGO_SETTINGS_MODULE": "icanvas_site.settings",
            "DATABASE_URL": f"sqlite:///{home / 'db.sqlite3'}",
            "MEDIA_ROOT": str(home / "media"),
            "GENERATORS_DIR": str(generators),
            "INFERENCE_EMBEDDED_WORKER": "0",
            # DEBUG lets WhiteNoise serve static/ as it is now, without collectstatic.
            "DEBUG": "1",
            "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "LOG_LEVEL": "WARNING",
        }
        _manage(env, "migrate", "--noinput", "-v", "0")
        seeded = _manage(env, "seed_demo")
        email = _seeded(seeded, r"email:\s+(\S+)", "demo@icanvas.local")
        password = _seeded(seeded, r"password:\s+(\S+)", "draw-together")
        pin = _seeded(seeded, r":\s+PIN\s+(\d{4})", "1234")
        port = _free_port()
        log = home / "server.log"
        with log.open("wb") as handle:
            server = subprocess.Popen(  # noqa: S603 - our own interpreter and uvicorn
                [sys.executable, "-m", "uvicorn", "icanvas_site.asgi:application",
                 "--host", "127.0.0.1", "--port", str(port), "--lifespan", "on",
                 "--ws", "websockets-sansio"],
                cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
            )  # fmt: skip
        site = Site(f"http://127.0.0.1:{port}", email, password, pin, home, log, server)
        try:
            _wait_for(site)
            yield site
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


def _seeded(output: str, pattern: str, default: str) -> str:
    found = re.search(pattern, output)
    return found.group(1) if found else default


def _wait_for(site: Site, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    host, port = "127.0.0.1", int(site.url.rsplit(":", 1)[1])
    while time.monotonic() < deadline:
        if site.process is not None and site.process.poll() is not None:
            raise RuntimeError(f"the site exited early:\n{site.log.read_text()[-3000:]}")
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
            return
        time.sleep(0.3)
    raise RuntimeError(f"the site did not start:\n{site.log.read_text()[-3000:]}")
