"""Run by ``test_web_without_torch.py`` in a fresh interpreter: a web-only process (worker
elsewhere) serves pages, REST, a socket and a suggestion, then says whether torch was imported.

Not a test module (pytest does not collect it): it needs a process of its own, since the test
process itself has torch loaded. The environment (``DATABASE_URL`` on a migrated SQLite file,
``GENERATORS_DIR`` with a generator and a classifier, ``MEDIA_ROOT``,
``INFERENCE_EMBEDDED_WORKER=false``) is set by the test, which runs it from the repository root
as ``python -m tests.drawings.serve_without_torch``. Prints one JSON object on its last line:
``torch`` (imported or not), ``imported_by`` (the stack of the first ``import torch``, if any)
and ``answers`` (each request's status, to show the requests really ran).
"""

from __future__ import annotations

import asyncio
import importlib.abc
import json
import os
import sys
import traceback
from typing import Any

TORCH_STACK: list[str] = []


class _TorchWatch(importlib.abc.MetaPathFinder):
    """Records where ``torch`` is first imported from, so a failure names the culprit."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> None:
        if (fullname == "torch" or fullname.startswith("torch.")) and not TORCH_STACK:
            TORCH_STACK.extend(traceback.format_stack(limit=25)[:-1])
        # Finds nothing itself: the real import goes on.


sys.meta_path.insert(0, _TorchWatch())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icanvas_site.settings")


def _prepare() -> dict[str, Any]:
    """A parent with a child in play mode, a drawing, and their two session cookies."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.playmode import PLAY_SESSION_KEY
    from tests.factories import ChildFactory, DrawingFactory

    child = ChildFactory.create()
    drawing = DrawingFactory.create(child=child)

    def cookie(play: bool) -> bytes:
        session = SessionStore()
        session["_auth_user_id"] = str(child.parent.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = child.parent.get_session_auth_hash()
        if play:
            session[PLAY_SESSION_KEY] = child.pk
        session.save()
        return f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode()

    return {"child": child, "drawing": drawing, "parent": cookie(False), "playing": cookie(True)}


async def _serve(ready: dict[str, Any]) -> dict[str, Any]:
    import httpx
    from channels.testing import ApplicationCommunicator, WebsocketCommunicator

    from icanvas_site.asgi import application
    from tests.factories import sketch_png

    answers: dict[str, Any] = {}
    lifespan = ApplicationCommunicator(application, {"type": "lifespan"})
    await lifespan.send_input({"type": "lifespan.startup"})
    answers["lifespan"] = (await lifespan.receive_output(10))["type"]

    transport = httpx.ASGITransport(app=application)  # type: ignore[arg-type]
    base = "http://127.0.0.1:8000"
    child, drawing = ready["child"], ready["drawing"]
    as_parent = httpx.AsyncClient(transport=transport, base_url=base)
    as_parent.headers["cookie"] = ready["parent"].decode()
    as_child = httpx.AsyncClient(transport=transport, base_url=base)
    as_child.headers["cookie"] = ready["playing"].decode()
    # REST from a browser page: the CSRF cookie and header, as the canvas's script sends them.
    csrf = "k" * 32
    as_child.headers["cookie"] += f"; csrftoken={csrf}"
    as_child.headers["x-csrftoken"] = csrf
    as_child.headers["referer"] = base + "/draw/"

    async with as_parent, as_child:
        for path in (
            "/",
            "/family/",
            "/play/",
            "/family/admin/",
            "/family/admin/drawings/drawing/",
            f"/family/admin/drawings/drawing/{drawing.pk}/change/",
            "/api/v1/me/",
            "/api/v1/children/",
            "/api/v1/family/drawings/",
            "/api/schema/",
        ):
            answers[f"parent GET {path}"] = (await as_parent.get(path)).status_code
        for path in (
            "/draw/",
            "/gallery/",
            f"/gallery/{drawing.pk}/",
            f"/drawings/{drawing.pk}/sketch.png",
            "/progress/",
            "/api/v1/categories/",
            "/api/v1/drawings/",
            f"/api/v1/drawings/{drawing.pk}/",
            "/api/v1/progress/",
            "/api/v1/achievements/",
        ):
            answers[f"child GET {path}"] = (await as_child.get(path)).status_code
        canvas = await as_child.get("/draw/")
        answers["canvas offers guessing"] = b"data-suggest-url" in canvas.content
        submitted = await as_child.post(
            "/api/v1/drawings/",
            data={"category": "face", "client_id": "no-torch-1"},
            files={"sketch": ("s.png", sketch_png(), "image/png")},
        )
        answers["child POST /api/v1/drawings/"] = submitted.status_code
        guessed = await as_child.post(
            "/api/v1/suggestions/", files={"sketch": ("s.png", sketch_png(), "image/png")}
        )
        answers["child POST /api/v1/suggestions/"] = [guessed.status_code, guessed.json()]

    socket = WebsocketCommunicator(
        application,
        "/ws/",
        headers=[(b"origin", base.encode()), (b"cookie", ready["playing"])],
    )
    connected, _ = await socket.connect(timeout=10)
    answers["socket"] = connected
    if connected:
        await socket.send_json_to({"type": "ping"})
        answers["socket reply"] = (await socket.receive_json_from(timeout=10)).get("type")
    await socket.disconnect()

    await lifespan.send_input({"type": "lifespan.shutdown"})
    await lifespan.receive_output(10)
    answers["child id"] = child.pk
    return answers


def main() -> None:
    import django

    django.setup()
    ready = _prepare()
    answers = asyncio.run(_serve(ready))
    report = {
        "torch": "torch" in sys.modules,
        "imported_by": "".join(TORCH_STACK),
        "engine": sorted(m for m in ("onnxruntime", "onnx") if m in sys.modules),
        "top_level": sorted({name.partition(".")[0] for name in sys.modules}),
    }
    print(json.dumps({**report, "answers": answers}, default=str))


if __name__ == "__main__":
    main()
