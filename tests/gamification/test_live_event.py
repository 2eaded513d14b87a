"""After a picture is drawn, the child's socket hears what it paid, and that is the truth."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db.models import Sum

from gamification import selectors
from gamification.levels import level_for
from gamification.models import XPEvent
from tests.factories import sketch_png
from tests.fixtures.events import captured_events
from tests.fixtures.live import (
    make_child,
    next_status_message,
    running_worker,
    session_cookie_for,
    socket,
    submit,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _generators(generators_dir):
    return generators_dir


async def done_message(communicator: WebsocketCommunicator, timeout: float = 30) -> dict:
    earlier: list[dict] = []
    message = await next_status_message(communicator, "done", timeout, skipped=earlier)
    assert all("progress" not in m for m in earlier)  # only a finished picture pays
    return message


@database_sync_to_async
def fresh_read(child) -> tuple[dict, int, list[str]]:
    summary = selectors.progress_summary(child=child)
    ledger = XPEvent.objects.filter(child=child).aggregate(s=Sum("amount"))["s"] or 0
    earned = [a["slug"] for a in selectors.achievements_for(child=child) if a["earned"]]
    return summary, ledger, earned


async def test_the_done_event_carries_the_payout_and_agrees_with_a_fresh_read() -> None:
    child = await make_child()
    communicator = socket(await session_cookie_for(child))
    assert (await communicator.connect())[0]
    with captured_events() as sent:  # each event agrees with a fresh read as it leaves
        async with running_worker():
            await submit(child=child, category="face", sketch=sketch_png(), client_id="xp-1")
            first = await done_message(communicator)
            summary_after_first, ledger_after_first, _ = await fresh_read(child)
            await submit(child=child, category="panda", sketch=sketch_png(seed=2), client_id="xp-2")
            second = await done_message(communicator)
    await communicator.disconnect()
    assert [e["drawing"]["status"] for e in sent] == ["running", "done", "running", "done"]

    progress = first["progress"]
    assert progress["xp_gained"] > 0
    assert [a["slug"] for a in progress["new_achievements"]] == ["first-picture"]
    assert {"name_en", "name_ko", "icon", "tier"} <= set(progress["new_achievements"][0])
    assert progress["xp_total"] == ledger_after_first
    for key, value in summary_after_first.items():
        assert progress[key] == value, key

    progress = second["progress"]
    summary, ledger, earned = await fresh_read(child)
    assert progress["xp_total"] == ledger == summary["xp_total"]
    assert progress["xp_total"] == first["progress"]["xp_total"] + progress["xp_gained"]
    assert progress["level_up"] == (
        level_for(progress["xp_total"]) > level_for(first["progress"]["xp_total"])
    )
    for key, value in summary.items():
        assert progress[key] == value, key
    assert "first-picture" in earned
    assert "first-picture" not in [a["slug"] for a in progress["new_achievements"]]
    assert progress["quests"] and all(
        {"slug", "name_en", "name_ko", "progress", "target", "completed"} <= set(q)
        for q in progress["quests"]
    )
    assert progress["streak"]["current"] == 1 and progress["drawings_done"] == 2
