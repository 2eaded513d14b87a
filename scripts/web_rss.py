"""Memory of a web-only process: uvicorn with ``INFERENCE_EMBEDDED_WORKER=false``, measured.

    .venv/bin/python scripts/web_rss.py [--requests 300] [--port 8031] [--database-url URL]

Migrates a throw-away SQLite database, signs in a demo parent and a child in play mode, starts
``uvicorn icanvas_site.asgi:application`` on 127.0.0.1:PORT (the installed ``generators/``, as
production reads them), makes a bounded number of requests (pages as parent and child, REST,
submissions, "What did you draw?", which no worker answers here), and prints one JSON object:
the server's ``VmRSS``/``VmHWM`` in MB from ``/proc/PID/status`` after start-up and after the
requests, and whether torch's libraries are mapped into it (``/proc/PID/maps``). With
``--database-url postgres://...`` (an empty database of its own: it is migrated and written to)
it also prints how many connections the server holds open afterwards (``pg_stat_activity``),
which shows what ``CONN_MAX_AGE`` does under ASGI.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def status_mb(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = round(int(value.split()[0]) / 1024, 1)
    return fields


def torch_mapped(pid: int) -> bool:
    return "libtorch" in Path(f"/proc/{pid}/maps").read_text()


def prepare(env: dict[str, str]) -> dict[str, str]:
    """Migrate, make a family, and return the parent's and the playing child's cookies."""
    code = """
import json
import django
django.setup()
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from accounts.models import Child, User
from accounts.playmode import PLAY_SESSION_KEY
call_command("migrate", verbosity=0)
parent = User.objects.create_user(email="rss@example.com", password="draw-with-me-2026")
child = Child.objects.create(parent=parent, nickname="Mina", birth_year=2019)
def cookie(play):
    s = SessionStore()
    s["_auth_user_id"] = str(parent.pk)
    s["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    s["_auth_user_hash"] = parent.get_session_auth_hash()
    if play:
        s[PLAY_SESSION_KEY] = child.pk
    s.save()
    return s.session_key
print(json.dumps({"name": settings.SESSION_COOKIE_NAME, "parent": cookie(False),
                  "child": cookie(True)}))
"""
    out = subprocess.run(  # noqa: S603 - this interpreter, this script's own code
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def pg_connections(database_url: str) -> int:
    import psycopg

    with psycopg.connect(database_url) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchone()
    return int(row[0]) if row else 0


def sketch() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (256, 256), "white")
    ImageDraw.Draw(image).ellipse((50, 50, 200, 200), outline="black", width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def exercise(base: str, cookies: dict[str, str], requests: int) -> dict[str, int]:
    name = cookies["name"]
    parent = httpx.Client(base_url=base, cookies={name: cookies["parent"]}, timeout=30)
    child = httpx.Client(
        base_url=base,
        cookies={name: cookies["child"], "csrftoken": "k" * 32},
        headers={"X-CSRFToken": "k" * 32, "Referer": base + "/draw/"},
        timeout=30,
    )
    categories = child.get("/api/v1/categories/").json()["categories"]
    category = categories[0]["slug"] if categories else "face"
    png = sketch()
    rounds = [
        lambda: parent.get("/family/"),
        lambda: parent.get("/family/admin/drawings/drawing/"),
        lambda: parent.get("/api/v1/family/drawings/"),
        lambda: child.get("/draw/"),
        lambda: child.get("/gallery/"),
        lambda: child.get("/api/v1/drawings/"),
        lambda: child.get("/progress/"),
    ]
    statuses: dict[str, int] = {}
    for i in range(requests):
        if i % 50 == 10:
            response = child.post(
                "/api/v1/drawings/",
                data={"category": category, "client_id": f"rss-{i}"},
                files={"sketch": ("s.png", png, "image/png")},
            )
        elif i % 50 == 20:
            response = child.post(
                "/api/v1/suggestions/", files={"sketch": ("s.png", png, "image/png")}
            )
        else:
            response = rounds[i % len(rounds)]()
        key = str(response.status_code)
        statuses[key] = statuses.get(key, 0) + 1
    return statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--port", type=int, default=8031)
    parser.add_argument("--database-url", default="", help="default: a throw-away SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="web-rss-") as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "icanvas_site.settings",
            "DATABASE_URL": args.database_url or f"sqlite:///{tmp}/web.sqlite3",
            "MEDIA_ROOT": f"{tmp}/media",
            "INFERENCE_EMBEDDED_WORKER": "false",
            "SUGGESTIONS_TIMEOUT_SECONDS": "0.5",
        }
        env.pop("REDIS_URL", None)
        cookies = prepare(env)
        log = Path(tmp) / "uvicorn.log"
        with log.open("wb") as handle:
            server = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
                [
                    sys.executable, "-m", "uvicorn", "icanvas_site.asgi:application",
                    "--host", "127.0.0.1", "--port", str(args.port), "--lifespan", "on",
                    "--ws", "websockets-sansio", "--log-level", "warning",
                ],
                cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{args.port}"
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None:
                    raise SystemExit(f"uvicorn exited:\n{log.read_text()[-3000:]}")
                try:
                    httpx.get(base + "/", timeout=2)
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline:
                        raise SystemExit("uvicorn did not start") from None
                    time.sleep(0.3)
            started = status_mb(server.pid)
            began = time.perf_counter()
            statuses = exercise(base, cookies, args.requests)
            seconds = time.perf_counter() - began
            served = status_mb(server.pid)
            result = {
                "requests": args.requests,
                "statuses": statuses,
                "seconds": round(seconds, 1),
                "rss_mb_started": started["VmRSS"],
                "rss_mb_after": served["VmRSS"],
                "peak_rss_mb": served["VmHWM"],
                "torch_loaded": torch_mapped(server.pid),
            }
            if args.database_url.startswith("postgres"):
                result["pg_connections_after"] = pg_connections(args.database_url)
        finally:
            server.terminate()
            server.wait(timeout=20)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
