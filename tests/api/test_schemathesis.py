"""Schemathesis against the live server: every operation of /api/schema/, fuzzed with a
parent's token and with a child's play token, with every check (no server error; status code,
content type, headers and body as the schema says; schema-valid data accepted and invalid data
refused; auth not ignored; a deleted resource gone) in every phase, the stateful one included
(chains of calls linked through the ids the answers return). Bounded in examples and time.
tests/api/schemathesis.toml names the few operations where well-formed data may still be
refused (a wrong password, a taken nickname, bytes that are no picture).

The throttles are raised for this run (the fuzzer would otherwise spend its budget on 429s);
operations that end the run's own session (sign-out, password change, revoking devices,
withdrawing consent) are left to tests/api, which check them exactly.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fixtures.browser import LiveSite, serve_site
from tests.fixtures.fuzzing import run_schemathesis

pytestmark = pytest.mark.slow  # a live server fuzzed for a minute per token

CONFIG = Path(__file__).with_name("schemathesis.toml")
ENDS_THE_SESSION = r"auth/signout|auth/password|auth/devices/\{|withdraw-consent"
GENEROUS = "100000/min"


@pytest.fixture(scope="module")
def fuzzed_site(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LiveSite, dict[str, str]]]:
    rates = dict.fromkeys(
        (
            "SIGN_IN_RATE_PER_EMAIL",
            "SIGN_IN_RATE_PER_IP",
            "SIGN_UP_RATE_PER_IP",
            "PIN_RATE",
            "LEAVE_PLAY_RATE",
            "SUBMISSION_RATE_PER_CHILD",
            "SUBMISSION_RATE_PER_FAMILY",
            "SUGGESTION_RATE",
        ),
        GENEROUS,
    )
    with serve_site(tmp_path_factory, INFERENCE_EMBEDDED_WORKER="false", **rates) as site:
        # Both tokens first: fuzzing sign-in with wrong passwords locks the demo account out.
        parent, child = tokens(site.url)
        yield site, {"parent": parent, "child": child}


def tokens(url: str) -> tuple[str, str]:
    signed_in = httpx.post(
        f"{url}/api/v1/auth/signin/",
        json={"email": "demo@icanvas.local", "password": "draw-together", "device_name": "fuzz"},
    )
    assert signed_in.status_code == 201, signed_in.text
    parent = signed_in.json()["token"]
    headers = {"Authorization": f"Bearer {parent}"}
    children = httpx.get(f"{url}/api/v1/children/", headers=headers)
    child_id = children.json()["results"][0]["id"] if children.status_code == 200 else 1
    played = httpx.post(
        f"{url}/api/v1/children/{child_id}/play/", json={"pin": "1234"}, headers=headers
    )
    assert played.status_code == 201, played.text
    return parent, played.json()["token"]


def fuzz(url: str, token: str, report: Path) -> subprocess.CompletedProcess[str]:
    return run_schemathesis(
        f"{url}/api/schema/",
        config=CONFIG,
        header=f"Authorization: Bearer {token}",
        seed="20261202",
        options=[
            "--exclude-path-regex",
            ENDS_THE_SESSION,
            "--report-junit-path",
            str(report),
        ],
        cwd=report.parent,
    )


@pytest.mark.parametrize("who", ["parent", "child"])
def test_the_api_holds_under_schemathesis(
    fuzzed_site: tuple[LiveSite, dict[str, str]], tmp_path: Path, who: str
) -> None:
    site, tokens_of = fuzzed_site
    result = fuzz(site.url, tokens_of[who], tmp_path / "junit.xml")
    summary = result.stdout[-6000:]
    print(summary)  # the figures: operations, test cases, failures
    assert re.search(r"Tested: \d+", result.stdout), summary
    assert result.returncode == 0, summary
    log = site.log.read_text()
    assert "Traceback" not in log, log[-4000:]
