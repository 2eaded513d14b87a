"""Real processes for end-to-end suites: the ASGI server and the inference worker."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def manage(env: dict[str, str], *args: str, timeout: float = 300) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=timeout,
    )


def module_report(module: str, env: dict[str, str], *, timeout: float = 300) -> dict[str, Any]:
    """Run ``python -m module`` from the project root in a fresh interpreter and return the JSON
    object it prints on its last line; a failure shows the end of its stderr."""
    done = subprocess.run(
        [sys.executable, "-m", module],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start ``python ARGS`` in the repository root, output to ``log``."""
    with log.open("wb") as handle:
        return subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT
        )


# A live server's first answer (the generators loaded, the first page rendered) took over 60 s on
# a 2-core machine at load 11 with the tests under nice 19: it gets three minutes.
SERVER_START_SECONDS = 180.0


def wait_for_http(
    url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = SERVER_START_SECONDS
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited early:\n{log.read_text()[-3000:]}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            # Not listening yet: give it a moment, or see it exit at once.
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=0.3)
    raise AssertionError(f"server did not start:\n{log.read_text()[-3000:]}")


def stop(*procs: subprocess.Popen[bytes]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextlib.contextmanager
def asgi_server(env: dict[str, str], log: Path) -> Iterator[str]:
    """uvicorn serving the site as `make run` does; yields its base URL."""
    port = free_port()
    server = start(
        [
            "-m",
            "uvicorn",
            "icanvas_site.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "on",
            "--ws",
            "websockets-sansio",
            # As make run: X-Forwarded-For believed only from TRUSTED_PROXIES, else from none.
            *(
                ["--proxy-headers", "--forwarded-allow-ips", env["TRUSTED_PROXIES"]]
                if env.get("TRUSTED_PROXIES")
                else ["--no-proxy-headers"]
            ),
        ],
        env,
        log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/", server, log)
        yield url
    finally:
        stop(server)
