"""Clients generated from the live server's /api/schema/, as a mobile developer would make them,
run the whole mobile flow against that server (clients/python/mobile_flow.py and
clients/typescript/src/mobile_flow.ts: sign up, sign in, a child, the PIN, a sketch uploaded as a
file, the socket's ``done`` with the token in a header or a subprotocol, the picture, progress,
quests, sign out). Clients generated from the account steps' own description
(/api/v1/auth/app/openapi.json, allauth's headless API) import every module (Python) and run the
account flow (TypeScript, clients/typescript/src/account_flow.ts).

No hand edits anywhere: each generator runs with its committed settings and must say no warning;
every module of the Python client imports; the TypeScript compiles under ``strict``. The
TypeScript tools come from the npm registry through clients/typescript/package-lock.json
(``npm ci`` here when node_modules is missing or older than the lock file).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.factories import sketch_png
from tests.fixtures.browser import LiveSite, serve_site
from tests.fixtures.mail import SmtpServer
from tests.servers import ROOT

pytestmark = pytest.mark.slow  # two generators, npm, tsc and two flows: about a minute

CLIENTS = ROOT / "clients"
TYPESCRIPT = CLIENTS / "typescript"
VENV_BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, smtp_server: SmtpServer) -> Iterator[LiveSite]:
    # The flows confirm the new parent's email from the mail, as a parent tapping the link.
    with serve_site(tmp_path_factory, EMAIL_URL=smtp_server.url) as live:
        yield live


@pytest.fixture(scope="module")
def sketch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sketch") / "sketch.png"
    path.write_bytes(sketch_png())
    return path


def run(args: list[str], cwd: Path, timeout: float = 300, **env: str) -> str:
    """Run a tool; its output (stdout and stderr) if it succeeds, else the test fails with it."""
    result = subprocess.run(
        args,
        cwd=cwd,
        env={**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}", **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{output[-6000:]}"
    return output


def flow_result(output: str) -> dict[str, object]:
    last = [line for line in output.splitlines() if line.startswith("{")][-1]
    result: dict[str, object] = json.loads(last)
    print(result)  # the flow's timings, for the log
    return result


def generate_python_client(schema: Path, tmp_path: Path) -> list[str]:
    """openapi-python-client run on ``schema`` with the committed settings, into
    ``tmp_path/icanvas_client``: it must say no warning, and every module it wrote imports."""
    generated = run(
        [
            str(VENV_BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(schema),
            "--meta",
            "none",
            "--config",
            str(CLIENTS / "python" / "config.yaml"),
            "--output-path",
            str(tmp_path / "icanvas_client"),
        ],
        cwd=tmp_path,
    )
    assert "warning" not in generated.lower(), generated
    modules = sorted(
        ".".join(path.relative_to(tmp_path).with_suffix("").parts)
        for path in (tmp_path / "icanvas_client").rglob("*.py")
    )
    # Every module imports (the generator's bug with bodies offered in three content types
    # once broke eight of them).
    run([sys.executable, "-c", "".join(f"import {m}\n" for m in modules)], cwd=tmp_path)
    return modules


def test_the_generated_python_client_runs_the_mobile_flow(
    site: LiveSite, sketch: Path, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    schema = tmp_path / "schema.yaml"
    schema.write_bytes(httpx.get(f"{site.url}/api/schema/", timeout=60).content)
    assert len(generate_python_client(schema, tmp_path)) > 40

    output = run(
        [
            sys.executable,
            str(CLIENTS / "python" / "mobile_flow.py"),
            "--url",
            site.url,
            "--sketch",
            str(sketch),
            "--mail-dir",
            str(smtp_server.mailbox.folder),
        ],
        cwd=tmp_path,
        PYTHONPATH=str(tmp_path),
    )
    result = flow_result(output)
    assert result["picture_bytes"] and result["xp"]


def test_a_python_client_generates_from_the_account_steps_description(
    site: LiveSite, tmp_path: Path
) -> None:
    # allauth's headless API (sign-up, confirm, TOTP, reset...) is described apart from
    # /api/schema/, at the addresses this site serves it; a client made from it works as well.
    schema = tmp_path / "account-steps.json"
    schema.write_bytes(httpx.get(f"{site.url}/api/v1/auth/app/openapi.json", timeout=60).content)
    modules = generate_python_client(schema, tmp_path)
    assert "icanvas_client.api.authentication_account.post_api_v1_auth_app_auth_signup" in modules


@pytest.fixture(scope="module")
def node(site: LiveSite) -> list[str]:
    """Both TypeScript clients generated from the live server (/api/schema/ and the account
    steps' description), compiled strict with the flows; the command that runs a compiled flow."""
    npm, node = shutil.which("npm"), shutil.which("node")
    assert npm and node, "Node.js and npm are needed (make test expects them on the machine)"
    installed = TYPESCRIPT / "node_modules" / ".package-lock.json"
    lock = TYPESCRIPT / "package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        run([npm, "ci", "--no-audit", "--no-fund"], cwd=TYPESCRIPT)

    for document, name in (("api/schema/", "schema"), ("api/v1/auth/app/openapi.json", "account")):
        generated = run([node, "generate.mjs", f"{site.url}/{document}", name], cwd=TYPESCRIPT)
        assert generated.strip() == "", generated  # openapi-typescript says nothing: no warnings
    run([str(TYPESCRIPT / "node_modules" / ".bin" / "tsc"), "-p", "."], cwd=TYPESCRIPT)

    # Node 22 has WebSocket built in; Node 20 behind a flag (React Native always has it).
    has_websocket = run([node, "-p", "typeof WebSocket"], cwd=TYPESCRIPT).strip() == "function"
    return [node] if has_websocket else [node, "--experimental-websocket", "--no-warnings"]


def test_the_generated_typescript_client_compiles_strict_and_runs_the_mobile_flow(
    site: LiveSite, sketch: Path, smtp_server: SmtpServer, node: list[str]
) -> None:
    mails = str(smtp_server.mailbox.folder)
    output = run([*node, "dist/mobile_flow.js", site.url, str(sketch), mails], cwd=TYPESCRIPT)
    result = flow_result(output)
    assert result["picture_bytes"] and result["xp"]


def test_a_typescript_client_of_the_account_steps_signs_up_confirms_and_signs_out(
    site: LiveSite, smtp_server: SmtpServer, node: list[str]
) -> None:
    # clients/typescript/src/account_flow.ts: allauth's headless API through its own generated
    # client (sign up, the key from the mail, the session, the device token, sign out).
    mails = str(smtp_server.mailbox.folder)
    output = run([*node, "dist/account_flow.js", site.url, mails], cwd=TYPESCRIPT)
    result = flow_result(output)
    assert result["email_confirmed"] and result["signed_out"]
