"""A web process whose worker runs elsewhere never imports torch.

A fresh interpreter (``serve_without_torch.py``) with ``INFERENCE_EMBEDDED_WORKER=false`` serves
a parent's and a playing child's pages, the REST API (a submission and a "What did you draw?"
included), the family admin, the schema and a websocket through the real ASGI application;
then ``torch`` must not be in ``sys.modules``. A top-level ``import torch`` anywhere on those
paths (a view, a serializer, a template tag) fails this test, naming the import.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from inference.lab.testing import write_random_classifier, write_random_generator
from tests.fixtures.site import TEST_CATEGORIES
from tests.inference.test_dependencies import MODULES
from tests.servers import manage, module_report


def _web_only_env(tmp_path: Path) -> dict[str, str]:
    generators = tmp_path / "web-generators"
    generators.mkdir()
    write_random_generator(generators, name="test-gen", categories=TEST_CATEGORIES)
    write_random_classifier(generators, categories=("face", "panda"))
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL") and not key.startswith("PYTEST")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="icanvas_site.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'web.sqlite3'}",
        GENERATORS_DIR=str(generators),
        MEDIA_ROOT=str(tmp_path / "media"),
        INFERENCE_EMBEDDED_WORKER="false",
        SUGGESTIONS_TIMEOUT_SECONDS="0.3",
        PYTHONWARNINGS="ignore",
    )
    return env


@pytest.mark.slow
def test_a_web_only_process_serves_everything_without_importing_torch(tmp_path: Path) -> None:
    env = _web_only_env(tmp_path)
    manage(env, "migrate", "--noinput")
    report = module_report("tests.drawings.serve_without_torch", env)
    answers = report["answers"]

    # The requests really ran, as the people they claim to be.
    assert answers["lifespan"] == "lifespan.startup.complete"
    for name, status in answers.items():
        if name.startswith(("parent GET", "child GET")) and name != "parent GET /":
            assert status == 200, (name, status)
    assert answers["child POST /api/v1/drawings/"] == 201
    assert answers["canvas offers guessing"] is True
    assert answers["socket"] is True and answers["socket reply"] == "pong"
    # Guessing is offered (the cards say a classifier is installed), and with no worker to ask
    # the child hears "not right now", not a 500 and not a guess made here.
    status, body = answers["child POST /api/v1/suggestions/"]
    assert (status, body["code"]) == (503, "suggestions_busy")

    assert not report["torch"], f"torch was imported by:\n{report['imported_by']}"
    assert report["engine"] == []  # nor the inference engine (ONNX Runtime)
    # nor anything a worker or the lab installs: a web machine installs the base list only
    assert not set(MODULES.values()) & set(report["top_level"])
