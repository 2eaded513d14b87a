"""A batch's news leaves in one hop onto the channel layer, on commit, and only then."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import TestCase

from drawings import events, lifecycle, services
from drawings.models import Drawing
from tests.factories import ChildFactory, sketch_png

pytestmark = pytest.mark.django_db


@pytest.fixture
def hops(monkeypatch) -> list[list[tuple[str, dict[str, Any]]]]:
    """Each call of the one sender: the messages it carried (still delivered)."""
    calls: list[list[tuple[str, dict[str, Any]]]] = []
    deliver = events._send_all

    def record(messages: list[tuple[str, dict[str, Any]]]) -> None:
        calls.append(list(messages))
        deliver(messages)

    monkeypatch.setattr(events, "_send_all", record)
    return calls


@pytest.fixture
def three(child, monkeypatch) -> list[Drawing]:
    monkeypatch.setattr(services, "wake_workers", lambda ids: None)
    sibling = ChildFactory.create(parent=child.parent)
    return [
        services.submit_drawing(
            child=kid, category="face", sketch=sketch_png(), client_id=f"together-{n}"
        )[0]
        for n, kid in enumerate([child, sibling, child])
    ]


def test_a_claimed_batch_tells_every_page_in_one_hop(hops, three: list[Drawing]) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):  # the test's transaction never commits
        claims = lifecycle.claim_drawings(drawing_ids=[d.pk for d in three])
    assert len(claims) == 3
    (messages,) = hops
    groups = [group for group, _ in messages]
    family = events.family_group(three[0].child.parent_id)
    assert groups == [
        events.child_group(three[0].child_id),
        family,
        events.child_group(three[1].child_id),
        family,
        events.child_group(three[2].child_id),
        family,
    ]
    assert [event["drawing"]["id"] for _, event in messages[::2]] == [d.pk for d in three]
    assert {event["drawing"]["status"] for _, event in messages} == {"running"}


def test_a_finished_batch_tells_every_page_in_one_hop_on_commit(hops, three: list[Drawing]) -> None:
    claims = lifecycle.claim_drawings(drawing_ids=[d.pk for d in three])
    hops.clear()
    pictures = [
        lifecycle.Picture(claim=c, png=sketch_png(), generator_name="g", inference_ms=5)
        for c in claims
    ]
    with TestCase.captureOnCommitCallbacks(execute=False) as waiting:
        lifecycle.finish_drawings(pictures=pictures)
    assert hops == []  # nothing leaves before the commit
    for callback in waiting:
        callback()
    (messages,) = hops
    assert len(messages) == 6
    assert {event["drawing"]["status"] for _, event in messages} == {"done"}
    assert all("progress" in event for _, event in messages)


def _changed_then_fails(drawing: Drawing) -> None:
    with events.sent_together():
        events.drawing_changed(drawing)
        raise RuntimeError("the batch failed half way")


def _changed_then_rolled_back(drawing: Drawing) -> None:
    with transaction.atomic(), events.sent_together():
        events.drawing_changed(drawing)
        raise RuntimeError("rolled back")


def test_nothing_leaves_when_the_batch_fails_or_rolls_back(hops, three: list[Drawing]) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        with pytest.raises(RuntimeError, match="half way"):
            _changed_then_fails(three[0])
        with pytest.raises(RuntimeError, match="rolled back"):
            _changed_then_rolled_back(three[0])
    assert hops == []
    with (
        TestCase.captureOnCommitCallbacks(execute=True),
        events.sent_together(),
        events.sent_together(),  # nested: the outer one sends
    ):
        events.drawing_changed(three[0])
        events.drawing_changed(three[1])
    assert [len(messages) for messages in hops] == [4]
