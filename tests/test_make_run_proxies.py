"""``make run``'s uvicorn believes ``X-Forwarded-For`` from the same proxies as the site
(``TRUSTED_PROXIES``) and from none by default: uvicorn's own default trusts 127.0.0.1, so a
client on the host could pick a new address per request and escape every per-address limit
(found by scripts/attack.py, issue 22)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _uvicorn_flags(**environment: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "TRUSTED_PROXIES"} | environment
    printed = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    line = next(line for line in printed.splitlines() if "uvicorn icanvas_site.asgi" in line)
    return shlex.split(line)


pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def test_with_no_trusted_proxies_uvicorn_reads_no_forwarded_header() -> None:
    flags = _uvicorn_flags()
    assert "--no-proxy-headers" in flags
    assert "--forwarded-allow-ips" not in flags and "--proxy-headers" not in flags


def test_uvicorn_trusts_exactly_the_sites_proxies() -> None:
    flags = _uvicorn_flags(TRUSTED_PROXIES="10.0.0.0/8,192.0.2.7")
    assert "--proxy-headers" in flags and "--no-proxy-headers" not in flags
    assert flags[flags.index("--forwarded-allow-ips") + 1] == "10.0.0.0/8,192.0.2.7"
