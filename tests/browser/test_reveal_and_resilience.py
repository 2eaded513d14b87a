"""The reveal and the live connection: pop-ups that wait their turn, a socket that dies and comes
back, and events that arrive in the wrong order.

The page's websocket goes through Playwright's websocket routing, so a test can cut it, refuse
new connections, or slip in extra messages, while the real server still does the work.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures.canvas import (
    RoutedSocket,
    card_of,
    draw_and_choose,
    routed,
    save_screenshot,
    sign_in_and_play,
    submit,
    wait_until,
)

DESKTOP = {"width": 1280, "height": 900}
TABLET_PORTRAIT = {"width": 768, "height": 1024}


CONNECTION_OPEN = "() => document.querySelector('[data-connection]').dataset.status === 'open'"


def submit_and_see_the_picture(page: Any) -> tuple[RoutedSocket, int, Any]:
    """Sign in, play, draw, submit and wait for the picture: the socket, the id, the card."""
    sockets = routed(page)
    sign_in_and_play(page)
    wait_until(page, lambda: len(sockets.connections) == 1)
    draw_and_choose(page)
    drawing_id = submit(page)
    card = card_of(page)
    card.locator("[data-result-slot] img").wait_for(state="visible", timeout=60_000)
    return sockets, drawing_id, card


def progress_event(drawing_id: int, xp: int) -> dict[str, Any]:
    """A drawing.status message carrying a payout, as the worker sends it."""
    return {
        "type": "drawing.status",
        "drawing": {"id": drawing_id, "status": "done"},
        "progress": {
            "xp_total": 100 + xp,
            "xp_gained": xp,
            "level": 2,
            "level_percent": 40,
            "level_emoji": "🖍️",
            "level_up": False,
            "new_achievements": [],
            "quests_completed": [],
        },
    }


def test_the_page_reconnects_and_shows_a_picture_finished_while_the_socket_was_down(
    page: Any,
) -> None:
    sockets = routed(page)
    sign_in_and_play(page)
    wait_until(page, lambda: len(sockets.connections) == 1)
    connection = page.locator("[data-connection]")
    page.wait_for_function(CONNECTION_OPEN)
    draw_and_choose(page)

    sockets.refuse = True
    sockets.kill()
    drawing_id = submit(page)

    # The page knows it lost the line and says so while its picture is on the way.
    page.wait_for_function(
        "() => document.querySelector('[data-connection]').dataset.status === 'reconnecting'"
    )
    wait_until(page, lambda: sockets.refused >= 1)  # it keeps trying
    # The server finishes the picture while nobody can be told.
    wait_until(
        page,
        lambda: page.request.get(f"/api/v1/drawings/{drawing_id}/").json()["status"] == "done",
    )

    sockets.refuse = False
    wait_until(page, lambda: len(sockets.connections) == 2)
    page.wait_for_function(CONNECTION_OPEN)
    assert connection.is_hidden()

    card = card_of(page)
    card.locator("[data-result-slot] img").wait_for(state="visible")
    assert card.get_attribute("data-state") == "done"
    src = card.locator("[data-result-slot] img").get_attribute("src")
    assert src == f"/drawings/{drawing_id}/result.png"


def test_late_and_out_of_order_events_never_undo_a_finished_picture(page: Any) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sockets, drawing_id, card = submit_and_see_the_picture(page)
    done_text = card.locator("[data-message]").inner_text()

    # Stragglers from earlier in the drawing's life, a stranger's id, and junk.
    for drawing in (
        {"id": drawing_id, "status": "running"},
        {"id": drawing_id, "status": "queued"},
        {"id": 987654, "status": "running"},
        {"id": drawing_id, "status": "bogus"},
        None,
    ):
        sockets.send_to_page({"type": "drawing.status", "drawing": drawing})
    sockets.connections[-1][0].send("not json at all")
    page.wait_for_timeout(500)

    assert card.get_attribute("data-state") == "done"
    assert card.locator("[data-message]").inner_text() == done_text
    assert card.locator("[data-result-slot] img").is_visible()
    assert card.locator("[data-detail-link]").is_visible()
    assert errors == []


def test_a_picture_that_is_done_before_the_post_answer_arrives_is_still_shown(
    page: Any,
) -> None:
    sockets = routed(page)
    held: list[Any] = []
    page.route(
        "**/api/v1/drawings/",
        lambda route: held.append(route) if route.request.method == "POST" else route.fallback(),
    )
    sign_in_and_play(page)
    wait_until(page, lambda: len(sockets.connections) == 1)
    draw_and_choose(page)

    page.locator("[data-submit]").click()
    wait_until(page, lambda: bool(held))
    answer = held[0].fetch()  # the server takes the drawing; its answer is held up on the way
    drawing_id = answer.json()["id"]

    def told_done() -> bool:
        return any(
            m.get("drawing", {}).get("id") == drawing_id and m["drawing"].get("status") == "done"
            for m in sockets.from_server
        )

    wait_until(page, told_done)
    held[0].fulfill(response=answer)

    card = card_of(page)
    card.locator("[data-result-slot] img").wait_for(state="visible")
    assert card.get_attribute("data-state") == "done"


def test_many_rewards_at_once_show_at_most_two_pop_ups_and_the_rest_wait(page: Any) -> None:
    sockets = routed(page)
    sign_in_and_play(page)
    wait_until(page, lambda: len(sockets.connections) == 1)
    # Count pop-ups on screen at every change, not just when the test looks.
    page.evaluate(
        """() => {
        window.__mostPopups = 0;
        new MutationObserver(() => {
          const shown = document.querySelectorAll('.xp-toast').length;
          window.__mostPopups = Math.max(window.__mostPopups, shown);
        }).observe(document.body, { childList: true, subtree: true });
    }"""
    )

    for xp in range(1, 7):
        sockets.send_to_page(progress_event(drawing_id=1, xp=xp))

    toasts = page.locator(".xp-toast")
    toasts.nth(1).wait_for(state="visible")
    seen: list[str] = []
    while len(seen) < 6:
        first = toasts.first
        first.wait_for(state="visible")
        text = first.inner_text()
        if text not in seen:
            seen.append(text)
        assert toasts.count() <= 2
        first.click()  # a tap sends it away; the next one takes its place
        page.wait_for_function(
            "(t) => document.querySelector('.xp-toast')?.innerText !== t", arg=text
        )
    assert seen == [f"✨ +{xp} XP" for xp in range(1, 7)]  # all of them, in order
    assert page.evaluate("window.__mostPopups") == 2


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET_PORTRAIT], ids=["1280x900", "768x1024"])
def test_celebrations_never_cover_the_new_picture(page: Any, viewport: dict[str, int]) -> None:
    page.set_viewport_size(viewport)
    sockets, drawing_id, _ = submit_and_see_the_picture(page)
    page.locator(".xp-toast").first.wait_for(state="visible")
    # The finished card scrolls fully into view.
    page.wait_for_function(
        "() => { const r = document.querySelector('#results .submission').getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight + 1; }"
    )
    page.wait_for_timeout(500)  # the end of the scroll and of the pop-up's entrance
    if viewport == DESKTOP:
        save_screenshot(page, "reveal", full_page=False)
    # The most there can be: a second pop-up on top of the picture's own.
    sockets.send_to_page(progress_event(drawing_id=drawing_id, xp=5))
    page.locator(".xp-toast").nth(1).wait_for(state="visible")
    page.wait_for_timeout(500)

    overlaps = page.evaluate(
        """() => {
        const card = document.querySelector('#results .submission').getBoundingClientRect();
        return [...document.querySelectorAll('.xp-toast')].map((t) => t.getBoundingClientRect())
          .filter((t) => t.left < card.right && t.right > card.left
                      && t.top < card.bottom && t.bottom > card.top).length;
    }"""
    )
    assert overlaps == 0
