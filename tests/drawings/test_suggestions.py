""" "What did you draw?" over REST: who may ask, what comes back, and what a bad upload gets."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import Child
from inference.lab.testing import write_random_classifier, write_random_generator
from inference.serving.runtime import get_runtime
from tests.factories import sketch_png

pytestmark = pytest.mark.django_db

URL = "/api/v1/suggestions/"
THINGS_CARD = (
    ("panda", "Panda", "판다", "🐼", "animal"),
    ("cat", "Cat", "고양이", "🐱", "animal"),
    ("animal", "Animal", "동물", "🐶", "animal"),
)


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


@pytest.fixture
def guessing(generators_dir: Path) -> Path:
    """Installed: a generator of panda, cat and "another animal"; a classifier that also
    knows things nobody installed (sun, car)."""
    for old in generators_dir.glob("*.*"):
        old.unlink()
    write_random_generator(generators_dir, name="things", categories=THINGS_CARD)
    write_random_classifier(generators_dir, categories=("sun", "panda", "car", "cat"))
    get_runtime().reset()
    return generators_dir


def ask(client: Client, data: bytes | None = None, **extra: str):
    upload = SimpleUploadedFile("s.png", sketch_png() if data is None else data, "image/png")
    return client.post(URL, {"sketch": upload}, **extra)  # type: ignore[arg-type]


def _install_calibrated(generators_dir: Path, temperature: float, confident_at: float) -> None:
    for old in (generators_dir / "classifiers").glob("*.*"):
        old.unlink()
    write_random_classifier(
        generators_dir,
        categories=("sun", "panda", "car", "cat"),
        calibration={"temperature": temperature, "confident_at": confident_at},
    )
    get_runtime().reset()


def test_only_a_best_guess_past_the_cards_line_is_confident(
    guessing: Path, child_client: Client
) -> None:
    _install_calibrated(guessing, 1.0, 0.0)
    suggestions = ask(child_client).json()
    assert [s["confident"] for s in suggestions] == [True, False]
    _install_calibrated(guessing, 1.0, 1.0)
    assert [s["confident"] for s in ask(child_client).json()] == [False, False]


def test_the_cards_temperature_softens_the_probabilities(
    guessing: Path, child_client: Client
) -> None:
    _install_calibrated(guessing, 1.0, 0.5)
    sharp = ask(child_client).json()
    cache.clear()  # the throttle
    _install_calibrated(guessing, 50.0, 0.5)
    soft = ask(child_client).json()
    # The same ranking; the hotter softmax brings both shares toward a half.
    assert [s["slug"] for s in soft] == [s["slug"] for s in sharp]
    assert abs(soft[0]["probability"] - 0.5) < abs(sharp[0]["probability"] - 0.5)
    assert soft[0]["probability"] == pytest.approx(0.5, abs=0.01)


@pytest.mark.slow
def test_a_playing_child_gets_the_likeliest_installed_things(
    guessing: Path, child_client: Client
) -> None:
    response = ask(child_client)
    assert response.status_code == 200
    suggestions = response.json()
    # Only installed things: never the classifier's sun or car, never a theme.
    assert sorted(s["slug"] for s in suggestions) == ["cat", "panda"]
    assert set(suggestions[0]) == {"slug", "label", "emoji", "theme", "probability", "confident"}
    probabilities = [s["probability"] for s in suggestions]
    assert probabilities == sorted(probabilities, reverse=True)
    assert sum(probabilities) == pytest.approx(1, abs=1e-3)
    panda = next(s for s in suggestions if s["slug"] == "panda")
    assert (panda["label"], panda["emoji"], panda["theme"]) == ("Panda", "🐼", "animal")
    korean = ask(child_client, HTTP_ACCEPT_LANGUAGE="ko").json()
    assert "판다" in [s["label"] for s in korean]


@pytest.mark.slow
def test_the_classifier_is_loaded_once(guessing: Path, child_client: Client) -> None:
    ask(child_client)
    loaded = get_runtime().classifier()
    ask(child_client)
    assert get_runtime().classifier() is loaded


def test_nobody_but_a_playing_child_may_ask(guessing: Path, child: Child) -> None:
    assert ask(Client()).status_code in (401, 403)
    parent = Client()
    parent.force_login(child.parent)
    refused = ask(parent)
    assert refused.status_code == 403
    assert "play mode" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("data", "words"),
    [(b"", "empty"), (b"GIF89a not a sketch", "PNG"), (b"\x89PNG\r\n\x1a\n broken", "")],
)
def test_a_bad_upload_gets_a_4xx_with_a_sentence(
    guessing: Path, child_client: Client, data: bytes, words: str
) -> None:
    response = ask(child_client, data)
    assert 400 <= response.status_code < 500
    detail = response.json()["detail"]
    assert detail.endswith((".", "!", "?")) and len(detail.split()) > 3
    assert words in detail


def test_a_missing_sketch_is_named(guessing: Path, child_client: Client) -> None:
    response = child_client.post(URL, {})
    assert response.status_code == 400
    assert "sketch" in response.json()["field_errors"]


def test_without_a_classifier_the_answer_is_503_in_the_apis_shape(
    child_client: Client,
) -> None:
    response = ask(child_client)
    assert response.status_code == 503
    assert response.json()["detail"] == "Guessing what you drew is not available right now."
    # ... and the canvas does not ask at all.
    assert b"data-suggest-url" not in child_client.get("/draw/").content


def test_a_classifier_that_knows_no_installed_thing_is_not_offered(
    generators_dir: Path, child_client: Client
) -> None:
    write_random_classifier(generators_dir, categories=("sun", "car"))  # installed: face, panda
    assert ask(child_client).status_code == 503


def test_the_canvas_asks_where_guessing_works(guessing: Path, child_client: Client) -> None:
    page = child_client.get("/draw/").content.decode()
    assert f'data-suggest-url="{URL}"' in page
    assert "data-suggestion-accept" in page


@pytest.mark.slow
def test_a_child_asking_too_often_is_slowed_down(
    guessing: Path, child_client: Client, settings
) -> None:
    settings.SUGGESTION_RATE = "2/min"
    assert [ask(child_client).status_code for _ in range(3)] == [200, 200, 429]
    assert ask(child_client).json()["detail"]


def test_a_tampered_classifier_is_refused_not_loaded(guessing: Path, child_client: Client) -> None:
    weights = next((guessing / "classifiers").glob("*.safetensors"))
    weights.write_bytes(weights.read_bytes()[:-8] + b"tampered")
    assert ask(child_client).status_code == 503
