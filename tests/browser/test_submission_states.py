"""The submission state machine (static/js/submissions.js), run in Chromium without a site.

A card's news comes from the POST answer, the websocket and polls, in any order; these
check that what the card shows only moves forward, whatever order the news comes in.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from typing import Any

import pytest

from tests.servers import ROOT

ORIGIN = "http://icanvas.test"
JS = ROOT / "static" / "js"

# Feeds a Submission a list of steps and returns the card's state after each one.
# A step is ["update", drawing], ["sent", drawing, again], ["sending"] or
# ["problem", message, retryable].
_PLAY = """async (steps) => {
  const { Submission } = await import('/static/js/submissions.js');
  const submission = new Submission({ key: '1|face', category: 'face', clientId: 'c-1' });
  const seen = [];
  for (const [action, ...args] of steps) {
    let accepted = true;
    if (action === 'update') accepted = submission.update(args[0]) !== null;
    else if (action === 'sent') submission.sent(args[0], { again: args[1] });
    else if (action === 'problem') submission.problem(args[0], { retryable: args[1] });
    else submission[action]();
    seen.push({
      state: submission.state,
      message: submission.message,
      accepted,
      url: submission.drawing ? submission.drawing.result_url || null : null,
    });
  }
  return { seen, sameSketch: submission.isSameSketch('1|face') };
}"""


def drawing(status: str, **fields: Any) -> dict[str, Any]:
    return {"id": 7, "status": status, **fields}


@pytest.fixture
def blank_page(browser: Any) -> Iterator[Any]:
    """A page on a made-up origin whose /static/js/ files come straight from the checkout."""
    context = browser.new_context()

    def serve(route: Any) -> None:
        path = route.request.url.removeprefix(ORIGIN)
        if path.startswith("/static/js/"):
            file = JS / path.removeprefix("/static/js/")
            if file.is_file():
                route.fulfill(
                    body=file.read_bytes(),
                    content_type=mimetypes.types_map[".js"],
                )
                return
        if path == "/":
            route.fulfill(body="<!doctype html><title>states</title>", content_type="text/html")
            return
        route.fulfill(status=404, body="")

    context.route(f"{ORIGIN}/**", serve)
    page = context.new_page()
    page.goto(f"{ORIGIN}/")
    yield page
    context.close()


def play(page: Any, *steps: list[Any]) -> dict[str, Any]:
    return dict(page.evaluate(_PLAY, list(steps)))


def test_late_news_never_takes_a_card_backwards(blank_page: Any) -> None:
    result = play(
        blank_page,
        ["sending"],
        ["update", drawing("running")],  # the socket was quicker than the POST answer
        ["update", drawing("queued")],  # the POST answer, late
        ["update", drawing("done", result_url="/r/7.png")],
        ["update", drawing("running")],  # a poll that left before the picture was ready
        ["update", drawing("failed", error_message="stuck")],  # nothing beats a final state
    )
    states = [(step["state"], step["accepted"]) for step in result["seen"]]
    assert states == [
        ("sending", True),
        ("running", True),
        ("running", False),
        ("done", True),
        ("done", False),
        ("done", False),
    ]


def test_a_finished_picture_can_be_refreshed_by_the_same_news(blank_page: Any) -> None:
    result = play(
        blank_page,
        ["update", drawing("done", result_url="/r/old.png")],
        ["update", drawing("done", result_url="/r/new.png")],
    )
    assert [step["url"] for step in result["seen"]] == ["/r/old.png", "/r/new.png"]


def test_try_again_lets_a_failed_drawing_queue_once_more(blank_page: Any) -> None:
    result = play(
        blank_page,
        ["update", drawing("failed", error_message="The picture-maker got stuck.")],
        ["sending"],
        ["update", drawing("queued")],  # stale news of the old attempt: ignored
        ["sent", drawing("queued"), True],  # the server queued it again
        ["update", drawing("queued")],
        ["update", drawing("done", result_url="/r/7.png")],
    )
    seen = result["seen"]
    assert (seen[0]["state"], seen[0]["message"]) == ("failed", "The picture-maker got stuck.")
    after = [step["state"] for step in seen[1:]]
    assert after == ["sending", "sending", "sending", "queued", "done"]
    assert seen[2]["accepted"] is False


def test_a_sketch_the_server_refused_may_be_sent_anew(blank_page: Any) -> None:
    refused = play(blank_page, ["problem", "That is not a picture.", False])
    assert refused["seen"][-1]["state"] == "rejected"
    assert refused["sameSketch"] is False

    offline = play(blank_page, ["problem", "Is the internet on?", True])
    assert (offline["seen"][-1]["state"], offline["seen"][-1]["message"]) == (
        "failed",
        "Is the internet on?",
    )
    assert offline["sameSketch"] is True  # "Make my picture!" again means "Try again"
