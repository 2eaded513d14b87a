"""What the rules know about one finished picture: facts fixed at the moment it was paid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class DrawingFacts:
    """One finished picture, seen from the child's own clock and counters before it."""

    category: str
    local_time: datetime
    first_time_category: bool
    first_today_category: bool
    day_drawings: int
    days_since_last: int | None  # None for the child's very first active day

    @property
    def day(self) -> date:
        return self.local_time.date()

    @property
    def is_weekend(self) -> bool:
        return self.local_time.weekday() >= 5
