"""The row is the truth: claims, leases and finishes are conditional, never double.

Every transition tells the child's pages, and what it tells agrees with a fresh read
(``captured_events``).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from drawings import lifecycle, services
from drawings.models import Drawing, DrawingStatus
from tests.factories import finish_claim, sketch_png
from tests.fixtures.events import captured_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(child, monkeypatch) -> Drawing:
    monkeypatch.setattr(services, "wake_workers", lambda ids: None)
    drawing, _ = services.submit_drawing(
        child=child, category="face", sketch=sketch_png(), client_id="life"
    )
    return drawing


def results_on_disk(settings) -> list[Path]:
    return list((Path(settings.MEDIA_ROOT) / "results").glob("*.png"))


def statuses(sent: list[dict]) -> list[str]:
    return [event["drawing"]["status"] for event in sent]


def test_a_drawing_is_claimed_once(queued: Drawing) -> None:
    with captured_events() as sent:
        first = lifecycle.claim_drawings(drawing_ids=[queued.pk, queued.pk])
        second = lifecycle.claim_drawings(drawing_ids=[queued.pk])
    assert [c.drawing.pk for c in first] == [queued.pk]
    assert second == []
    assert statuses(sent) == ["running"]
    queued.refresh_from_db()
    assert queued.status == DrawingStatus.RUNNING
    assert queued.attempts == 1
    assert queued.lease_until is not None
    assert queued.lease_until > timezone.now()


def test_finish_keeps_the_picture_and_pays_once(queued: Drawing, settings) -> None:
    (claim,) = lifecycle.claim_drawings(drawing_ids=[queued.pk])
    with captured_events() as sent:
        finished = finish_claim(
            claim=claim, picture_png=sketch_png(), generator_name="g", inference_ms=5
        )
        again = finish_claim(
            claim=claim, picture_png=sketch_png(), generator_name="g", inference_ms=5
        )
    assert finished is not None and finished.drawing.pk == queued.pk
    assert again is None
    assert statuses(sent) == ["done"]
    assert finished.payout is not None
    assert sent[0]["progress"] == finished.payout.to_event()  # the event carries the payout
    queued.refresh_from_db()
    assert queued.status == DrawingStatus.DONE
    assert len(results_on_disk(settings)) == 1  # the second picture was not kept


def test_a_worker_that_lost_its_lease_cannot_finish(queued: Drawing, settings) -> None:
    (stale,) = lifecycle.claim_drawings(drawing_ids=[queued.pk])
    Drawing.objects.filter(pk=queued.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    with captured_events() as sent:
        lifecycle.reap_drawings()  # back to queued
    assert statuses(sent) == ["queued"]
    (fresh,) = lifecycle.claim_drawings(drawing_ids=[queued.pk])
    assert fresh.attempt == 2
    assert not finish_claim(
        claim=stale, picture_png=sketch_png(), generator_name="old", inference_ms=1
    )
    assert finish_claim(claim=fresh, picture_png=sketch_png(), generator_name="new", inference_ms=1)
    queued.refresh_from_db()
    assert queued.generator_name == "new"
    assert len(results_on_disk(settings)) == 1


def test_reaper_wakes_only_stale_queued_rows(queued: Drawing, settings) -> None:
    settings.INFERENCE_REQUEUE_AFTER_SECONDS = 60
    assert lifecycle.reap_drawings().resent == []
    Drawing.objects.filter(pk=queued.pk).update(queued_at=timezone.now() - timedelta(minutes=5))
    with captured_events() as sent:
        assert lifecycle.reap_drawings().resent == [queued.pk]
    assert sent == []  # woken again, but nothing changed that a page shows
    assert lifecycle.reap_drawings().resent == []  # woken once, not on every pass


def test_reaper_fails_a_row_out_of_attempts_with_a_kind_message(queued: Drawing, settings) -> None:
    Drawing.objects.filter(pk=queued.pk).update(
        status=DrawingStatus.RUNNING,
        attempts=settings.INFERENCE_MAX_ATTEMPTS,
        lease_until=timezone.now() - timedelta(seconds=1),
    )
    with captured_events() as sent:
        result = lifecycle.reap_drawings()
    assert [d.pk for d in result.failed] == [queued.pk]
    assert statuses(sent) == ["failed"]
    queued.refresh_from_db()
    assert queued.status == DrawingStatus.FAILED
    assert queued.error_message == lifecycle.FRIENDLY_FAILURE
    assert queued.sketch  # the child's sketch is kept


def test_give_back_requeues_until_the_last_attempt(queued: Drawing, settings) -> None:
    for attempt in range(1, settings.INFERENCE_MAX_ATTEMPTS + 1):
        (claim,) = lifecycle.claim_drawings(drawing_ids=[queued.pk])
        assert claim.attempt == attempt
        with captured_events() as sent:
            given_back = lifecycle.give_back_drawing(claim=claim)
        assert given_back is not None
        last = attempt == settings.INFERENCE_MAX_ATTEMPTS
        assert isinstance(given_back, lifecycle.Failed if last else lifecycle.Requeued)
        assert statuses(sent) == ["failed" if last else "queued"]
    queued.refresh_from_db()
    assert queued.status == DrawingStatus.FAILED
    assert lifecycle.claim_drawings(drawing_ids=[queued.pk]) == []


def test_a_claim_that_lost_its_drawing_gives_nothing_back(queued: Drawing) -> None:
    (claim,) = lifecycle.claim_drawings(drawing_ids=[queued.pk])
    finish_claim(claim=claim, picture_png=sketch_png(), generator_name="g", inference_ms=1)
    with captured_events() as sent:
        assert lifecycle.give_back_drawing(claim=claim, permanent=True) is None
    assert sent == []


def test_try_again_requeues_the_failed_drawing_without_a_duplicate(queued: Drawing) -> None:
    Drawing.objects.filter(pk=queued.pk).update(
        status=DrawingStatus.FAILED, attempts=3, error_message=lifecycle.FRIENDLY_FAILURE
    )
    with captured_events() as sent:
        again, created = services.submit_drawing(
            child=queued.child, category="face", sketch=sketch_png(), client_id="life"
        )
    assert not created
    assert again.pk == queued.pk
    assert again.status == DrawingStatus.QUEUED
    assert again.attempts == 0
    assert again.error_message == ""
    assert statuses(sent) == ["queued"]  # failed → queued is told like every other transition
    assert Drawing.objects.count() == 1
    assert [c.drawing.pk for c in lifecycle.claim_drawings(drawing_ids=[queued.pk])] == [queued.pk]


def test_sending_a_done_drawing_again_changes_nothing(queued: Drawing) -> None:
    (claim,) = lifecycle.claim_drawings(drawing_ids=[queued.pk])
    finish_claim(claim=claim, picture_png=sketch_png(), generator_name="g", inference_ms=1)
    with captured_events() as sent:
        again, created = services.submit_drawing(
            child=queued.child, category="face", sketch=sketch_png(), client_id="life"
        )
    assert not created
    assert again.status == DrawingStatus.DONE
    assert sent == []
