"""The production path for real: PostgreSQL, Redis, a web server and a separate worker.

Nothing here is mocked. The test creates a throw-away PostgreSQL database, starts
uvicorn with the embedded worker switched off and `manage.py inference_worker` as a
second process, both on the Redis channel layer, then signs in over HTTP, enters play
mode, submits a sketch, and waits for the finished event on the websocket.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import websockets
from PIL import Image

from inference.lab.testing import write_random_generator
from tests.factories import sketch_png
from tests.servers import ROOT, asgi_server, reachable, start, stop

PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
START_HINT = "scripts/ensure-services.sh starts it"


def psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(
        f"postgresql://postgres@{PG_HOST}:{PG_PORT}/postgres", autocommit=True
    ) as c:
        c.execute(sql)


@pytest.fixture
def production_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    if not reachable(PG_HOST, PG_PORT):
        pytest.skip(f"PostgreSQL is not running at {PG_HOST}:{PG_PORT} ({START_HINT})")
    if not reachable(REDIS_HOST, REDIS_PORT):
        pytest.skip(f"Redis is not running at {REDIS_HOST}:{REDIS_PORT} ({START_HINT})")
    name = f"icanvas_e2e_{uuid.uuid4().hex[:10]}"
    psql(f'CREATE DATABASE "{name}"')
    generators = tmp_path / "generators"
    generators.mkdir()
    write_random_generator(generators, name="e2e-gen", categories=(("face", "Face", "얼굴", "🙂"),))
    redis_db = 1 + int(uuid.uuid4().int % 14)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "icanvas_site.settings",
        "DATABASE_URL": f"postgres://postgres@{PG_HOST}:{PG_PORT}/{name}",
        "REDIS_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_db}",
        "GENERATORS_DIR": str(generators),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "INFERENCE_EMBEDDED_WORKER": "false",
        "SECRET_KEY": "e2e-" + uuid.uuid4().hex,
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    subprocess.run(
        [sys.executable, "manage.py", "seed_demo"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
    )
    try:
        yield env
    finally:
        psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def csrf_from(client: httpx.Client, url: str) -> str:
    page = client.get(url)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def test_sketch_to_picture_on_postgres_redis_and_a_separate_worker(
    production_env: dict[str, str], tmp_path: Path
) -> None:
    web_log, worker_log = tmp_path / "web.log", tmp_path / "worker.log"
    worker = start(["manage.py", "inference_worker"], production_env, worker_log)
    try:
        with (
            asgi_server(production_env, web_log) as base,
            httpx.Client(base_url=base, follow_redirects=True, timeout=30) as client,
        ):
            token = csrf_from(client, "/login/")
            client.post(
                "/login/",
                data={
                    "username": "demo@icanvas.local",
                    "password": "draw-together",
                    "csrfmiddlewaretoken": token,
                },
                headers={"Referer": f"{base}/login/"},
            )
            play = client.get("/play/")
            assert play.status_code == 200, play.text[:500]
            child_ids = re.findall(r'href="/play/(\d+)/"', play.text)
            assert child_ids, "the demo family's children are listed in play mode"
            token = csrf_from(client, f"/play/{child_ids[0]}/")
            client.post(
                f"/play/{child_ids[0]}/",
                data={"pin": "1234", "csrfmiddlewaretoken": token},
                headers={"Referer": f"{base}/play/{child_ids[0]}/"},
            )
            assert client.get("/draw/").status_code == 200
            cookies = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
            # A thread of its own: other suites (Playwright's sync API) may own this one's loop.
            with ThreadPoolExecutor(max_workers=1) as pool:
                result = pool.submit(
                    asyncio.run,
                    submit_and_wait(client, base, cookies, client.cookies["csrftoken"]),
                ).result(timeout=180)
            assert result["status"] == "done", result
            picture = client.get(result["result_url"])
            assert picture.status_code == 200 and picture.content.startswith(b"\x89PNG")
            assert Image.open(io.BytesIO(picture.content)).size == (256, 256)
        assert "inference worker" in worker_log.read_text()
    finally:
        stop(worker)


async def submit_and_wait(client: httpx.Client, base: str, cookies: str, csrf: str) -> dict:
    headers = {"Cookie": cookies, "Origin": base}
    ws_url = base.replace("http://", "ws://") + "/ws/"
    async with websockets.connect(ws_url, additional_headers=headers) as ws:
        response = await asyncio.to_thread(
            client.post,
            "/api/v1/drawings/",
            data={"category": "face", "client_id": uuid.uuid4().hex},
            files={"sketch": ("s.png", sketch_png(), "image/png")},
            headers={"X-CSRFToken": csrf, "Referer": f"{base}/draw/"},
        )
        assert response.status_code == 201, response.text
        drawing_id = response.json()["id"]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            message = json.loads(
                await asyncio.wait_for(ws.recv(), timeout=deadline - time.monotonic())
            )
            drawing = message.get("drawing") or {}
            if drawing.get("id") == drawing_id and drawing.get("status") in ("done", "failed"):
                return drawing
    raise AssertionError("no finished event arrived in time")
