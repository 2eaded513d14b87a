"""The streak rule: consecutive local days with a picture, kept alive by freezes.

Pure and small so it can be checked with property tests; ``services`` applies it to a
locked ``ChildProgress`` row, which is what makes the day rollover safe under races.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gamification.levels import COMEBACK_AFTER_DAYS, MAX_STREAK_FREEZES


@dataclass(frozen=True)
class StreakStep:
    """The streak after a picture on ``day``."""

    current: int
    best: int
    freezes: int
    freezes_spent: int
    new_day: bool
    comeback: bool


def advance_streak(
    *, current: int, best: int, freezes: int, last_day: date | None, day: date
) -> StreakStep:
    """The streak after a picture on ``day``, given the last day the child drew.

    A missed day is kept by one freeze; when there are not enough freezes for every
    missed day the streak starts again at 1 and the freezes stay for next time.
    A picture on a day already counted (or an earlier one) changes nothing.
    """
    if last_day is None:
        return StreakStep(1, max(best, 1), freezes, 0, new_day=True, comeback=False)
    if day <= last_day:
        return StreakStep(current, best, freezes, 0, new_day=False, comeback=False)
    missed = (day - last_day).days - 1
    spent = 0
    if missed == 0:
        current += 1
    elif missed <= freezes:
        spent = missed
        freezes -= missed
        current += 1
    else:
        current = 1
    return StreakStep(
        current,
        max(best, current),
        freezes,
        spent,
        new_day=True,
        comeback=missed >= COMEBACK_AFTER_DAYS,
    )


def earn_freeze(freezes: int) -> int:
    """One more freeze, never more than the maximum a child may hold."""
    return min(MAX_STREAK_FREEZES, freezes + 1)


def streak_alive(*, current: int, freezes: int, last_day: date | None, today: date) -> int:
    """The streak as a child sees it today: 0 once the missed days outnumber the freezes."""
    if last_day is None:
        return 0
    missed = (today - last_day).days - 1
    return current if missed <= freezes else 0


def child_zone(time_zone: str) -> tzinfo:
    """The child's time zone; UTC if the stored name is not one this system knows."""
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(moment: datetime, time_zone: str) -> datetime:
    """``moment`` on the child's clock."""
    return moment.astimezone(child_zone(time_zone))


def week_start(day: date) -> date:
    """The Monday of ``day``'s quest week."""
    return day - timedelta(days=day.weekday())
