"""Every time the API answers is ISO 8601 with its zone (issue 23 item 4), so a phone in another
time zone reads the same instant the server meant."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import Child
from drawings.models import DrawingStatus
from gamification import services as gamification
from tests.factories import DrawingFactory, sketch_png
from tests.fixtures.api import parent_token, play_token

pytestmark = pytest.mark.django_db

LOOKS_LIKE_A_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


def times_in(value: Any, where: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from times_in(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from times_in(item, f"{where}[{index}]")
    elif isinstance(value, str) and LOOKS_LIKE_A_TIME.match(value):
        yield where, value


def test_every_time_in_the_answers_carries_its_zone(child: Child) -> None:
    drawing = DrawingFactory.create(
        child=child,
        status=DrawingStatus.DONE,
        result=ContentFile(sketch_png(seed=3), name="result.png"),
        finished_at=timezone.now(),
    )
    gamification.pay_for_drawing(drawing=drawing)
    parent, playing = parent_token(child.parent), play_token(child)
    answers = {
        path: api.get(path).json()
        for api, paths in (
            (parent, ["/api/v1/me/", "/api/v1/children/", "/api/v1/auth/devices/"]),
            (parent, ["/api/v1/family/drawings/"]),
            (playing, ["/api/v1/drawings/", "/api/v1/progress/", "/api/v1/achievements/"]),
        )
        for path in paths
    }

    found = [pair for path, answer in answers.items() for pair in times_in(answer, path)]

    assert len(found) >= 8, found  # created, finished, earned, last drawn, a token's expiry ...
    for where, value in found:
        assert datetime.fromisoformat(value).utcoffset() is not None, (where, value)
