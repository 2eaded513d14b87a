"""Helpers for the gamification suites: finished pictures at chosen moments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from django.utils import timezone

from accounts.models import Child
from drawings.models import Drawing, DrawingStatus
from gamification import services
from inference.registry import Category
from tests.factories import DrawingFactory


@pytest.fixture(autouse=True)
def _ordinary_day(ordinary_day: None) -> None:
    """Early-bird and weekend badges must not depend on when the suite happens to run."""


CATEGORIES = [
    Category("face", "Face", "얼굴", "🙂"),
    Category("panda", "Panda", "판다", "🐼"),
    Category("car", "Car", "자동차", "🚗"),
]


def done_drawing(child: Child, *, category: str = "face", at: datetime | None = None) -> Drawing:
    """A drawing the generator finished at ``at`` (not paid yet)."""
    return DrawingFactory.create(
        child=child,
        category=category,
        status=DrawingStatus.DONE,
        finished_at=at or timezone.now(),
    )


PayFn = Callable[..., services.Payout]


@pytest.fixture
def pay() -> PayFn:
    """Finish a picture at ``at`` and pay it, as the worker does."""

    def _pay(child: Child, *, category: str = "face", at: datetime | None = None):
        drawing = done_drawing(child, category=category, at=at)
        return services.pay_for_drawing(drawing=drawing, categories=CATEGORIES)

    return _pay
