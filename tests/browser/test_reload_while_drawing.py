"""A reload (or a restarted browser) while the picture is still being made loses nothing: the
card comes back and the picture arrives on it, exactly as on a card that never went away.

An idle worker draws a lone sketch at once, faster than a page reloads, so the site here runs as
in production: the web server on the Redis channel layer with no embedded worker, and the test
starts `manage.py inference_worker` only once the reloaded page shows the card still queued. The
wake-up waits on the Redis channel meanwhile, and the real worker then finishes the drawing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.fixtures.browser import LiveSite, serve_site
from tests.fixtures.canvas import (
    card_of,
    draw_and_choose,
    routed,
    sign_in_and_play,
    submit,
    wait_until,
)
from tests.servers import reachable, start, stop

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


@pytest.fixture(scope="module")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    if not reachable(REDIS_HOST, REDIS_PORT):
        pytest.skip(
            f"a separate worker needs Redis at {REDIS_HOST}:{REDIS_PORT} "
            "(scripts/ensure-services.sh starts it)"
        )
    import redis

    db = 1 + uuid.uuid4().int % 14
    with serve_site(
        tmp_path_factory,
        REDIS_URL=f"redis://{REDIS_HOST}:{REDIS_PORT}/{db}",
        INFERENCE_EMBEDDED_WORKER="false",
    ) as site:
        yield site
    redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=db).flushdb()


def told_done(sockets: Any, drawing_id: int) -> bool:
    return any(
        message.get("type") == "drawing.status"
        and message["drawing"].get("id") == drawing_id
        and message["drawing"].get("status") == "done"
        for message in sockets.from_server
    )


def test_a_reload_while_the_picture_is_on_its_way_brings_the_card_back(
    page: Any, live_site: LiveSite
) -> None:
    sockets = routed(page)
    sign_in_and_play(page)
    wait_until(page, lambda: len(sockets.connections) == 1)
    draw_and_choose(page)
    drawing_id = submit(page)
    sketch_src = f"/drawings/{drawing_id}/sketch.png"

    page.reload()

    card = card_of(page)
    card.wait_for(state="visible")
    # Back before the picture is made: the child sees it is still coming.
    assert card.get_attribute("data-state") == "queued"
    assert page.locator("#results .submission").count() == 1
    assert card.locator("[data-sketch]").get_attribute("src") == sketch_src
    waiting_words = page.locator("#canvas-app").get_attribute("data-queued")
    assert card.locator("[data-message]").inner_text() == waiting_words
    assert not told_done(sockets, drawing_id)

    # The worker starts and finishes it; the news comes over the new connection to the same card.
    worker_log = live_site.log.with_name("worker.log")
    worker = start(["manage.py", "inference_worker"], live_site.env, worker_log)
    # Running until the end: the payout's own event follows the picture's.
    try:
        picture = card.locator("[data-result-slot] img")
        picture.wait_for(state="visible", timeout=60_000)
        assert told_done(sockets, drawing_id)
        assert len(sockets.connections) == 2
        assert card.get_attribute("data-state") == "done"
        assert picture.get_attribute("src") == f"/drawings/{drawing_id}/result.png"
        assert card.locator("[data-detail-link]").is_visible()
        assert page.locator("#results .submission").count() == 1
        # It finished after the reload, so this is news: the payout is celebrated once.
        page.locator(".xp-toast").first.wait_for(state="visible")

        # Another reload: the finished picture stays on its card, without celebrating it again.
        page.reload()
        card = card_of(page)
        card.locator("[data-result-slot] img").wait_for(state="visible")
        assert card.get_attribute("data-state") == "done"
        assert page.locator("#results .submission").count() == 1
        page.wait_for_timeout(1000)
        assert page.locator(".xp-toast").count() == 0
    finally:
        stop(worker)
