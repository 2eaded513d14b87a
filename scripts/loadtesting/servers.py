"""The servers under load, where the load test starts them: one embedded uvicorn, or
``scripts/scaleout.py``'s web servers and workers; Django set up in this process to read the
database.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from scaleout import (  # the sibling script: scripts/ is on the path
    DEFAULT_REDIS_URL,
    PYTHON,
    ROOT,
    UVICORN,
    UVICORN_LIMITS,
    ScaleOut,
    http_ok,
)

# Throttles of the servers this script starts: raised, and the report says so.
RAISED_LIMITS = {
    "SIGN_UP_RATE_PER_IP": "100000/hour",
    "SIGN_IN_RATE_PER_IP": "100000/min",
    "SIGN_IN_RATE_PER_EMAIL": "100000/min",
    "PIN_RATE": "100000/min",
    "SUBMISSION_RATE_PER_CHILD": "100000/min",
    "SUBMISSION_RATE_PER_FAMILY": "100000/min",
}


EMBEDDED_PORT = 8043


LOAD_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/icanvas_load"


@dataclass
class EmbeddedServer:
    """``make run``'s server (one uvicorn, the worker inside) with its own SQLite and media."""

    port: int = EMBEDDED_PORT
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="icanvas-load-")))
    extra_env: dict[str, str] = field(default_factory=dict)
    popen: subprocess.Popen[bytes] | None = None

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.workdir / 'db.sqlite3'}"

    @property
    def media_root(self) -> Path:
        return self.workdir / "media"

    @property
    def base_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{self.port}"]

    @property
    def log_path(self) -> Path:
        return self.workdir / "server.log"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
        env.update(
            {
                "DATABASE_URL": self.database_url,
                "MEDIA_ROOT": str(self.media_root),
                "INFERENCE_EMBEDDED_WORKER": "true",
                "SECRET_KEY": "embedded-load-test-secret",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 120.0) -> None:
        self.media_root.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=self.env(),
            check=True,
        )
        log = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            [
                UVICORN,
                "icanvas_site.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--lifespan",
                "on",
                "--ws",
                "websockets-sansio",
                *UVICORN_LIMITS,
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while not http_ok(self.base_urls[0] + "/api/schema/"):
            if self.popen.poll() is not None:
                raise RuntimeError(f"the embedded server exited; see {self.log_path}")
            if time.monotonic() > deadline:
                raise TimeoutError("the embedded server did not answer in time")
            time.sleep(0.3)

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()


def setup_django(database_url: str | None, extra: dict[str, str] | None = None) -> bool:
    """Configure Django in this process (for the raw generator and the batch read-out)."""
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    for key, value in (extra or {}).items():
        os.environ[key] = value
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icanvas_site.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
    return bool(database_url or os.environ.get("DATABASE_URL"))


def make_server(args: argparse.Namespace) -> EmbeddedServer | ScaleOut | None:
    """The servers to start (their throttles raised), or None for a running one."""
    if args.start == "embedded":
        return EmbeddedServer(port=args.port, extra_env=RAISED_LIMITS)
    if args.start == "scaleout":
        return ScaleOut(
            database_url=LOAD_DATABASE_URL,
            redis_url=DEFAULT_REDIS_URL,
            workers=args.workers,
            worker_threads=args.worker_threads,
            extra_env=RAISED_LIMITS,
        )
    return None


def start_server(server: EmbeddedServer | ScaleOut | None, args: argparse.Namespace) -> list[str]:
    if isinstance(server, EmbeddedServer):
        server.start()
        return server.base_urls
    if isinstance(server, ScaleOut):
        server.prepare(fresh=True)
        server.start()
        server.wait_ready()
        return server.base_urls
    return [u.rstrip("/") for u in args.base_url.split(",")]


def server_pids(server: EmbeddedServer | ScaleOut | None) -> list[int]:
    """The processes serving the load, where this script started them."""
    if isinstance(server, EmbeddedServer):
        return [server.popen.pid] if server.popen else []
    if isinstance(server, ScaleOut):
        return [p.popen.pid for p in [*server.webs, *server.inference] if p.popen]
    return []
