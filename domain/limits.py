"""Fair limits (a roster that does not burn people out): at most so many hours of shifts a day and a
week, at least so many hours of rest between two shifts, and after too many no-shows a coordinator's
review of new sign-ups. The programme sets them; a unit may set its own in their place."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from domain.errors import NoShowReview, OverDailyHours, OverWeeklyHours, TooLittleRest


@dataclass(frozen=True)
class Limits:
    daily_hours: float | None = None  # None: no limit
    weekly_hours: float | None = None  # a week from Monday, on the programme's clock
    rest_hours: float | None = None  # between the end of one shift and the start of the next
    no_shows: int | None = None  # this many no-shows within `no_show_days`: sign-ups wait for review
    no_show_days: int = 30

    def overridden(self, **own: float | int | None) -> Limits:
        """These limits with a unit's own in place of the programme's (a None keeps the programme's)."""
        return replace(self, **{k: v for k, v in own.items() if v is not None})


def under_review(limits: Limits, no_shows: Iterable[date], reviewed_on: date | None, today: date) -> int:
    """The no-shows that hold sign-ups back for a coordinator's review (0: none do)."""
    recent = [day for day in no_shows if day > today - timedelta(days=limits.no_show_days)
              and (reviewed_on is None or day > reviewed_on)]
    return len(recent) if limits.no_shows is not None and len(recent) >= limits.no_shows else 0


def _hours(starts_at: datetime, ends_at: datetime) -> float:
    return (ends_at - starts_at).total_seconds() / 3600


def refusal(limits: Limits, zone: ZoneInfo, shift_id: UUID, starts_at: datetime, ends_at: datetime,
            booked: Iterable[tuple[UUID, tuple[datetime, datetime]]], no_shows: Iterable[date],
            reviewed_on: date | None, today: date) -> Exception | None:
    """What a new booking of [starts_at, ends_at) would break, or None (the words a coordinator reads)."""
    recent = under_review(limits, no_shows, reviewed_on, today)
    if recent:
        return NoShowReview(f"{recent} no-shows in {limits.no_show_days} days: a coordinator reviews new "
                            "sign-ups first.", no_shows=recent)
    others = [(s, e) for other, (s, e) in booked if other != shift_id]
    local = starts_at.astimezone(zone).date()
    hours = _hours(starts_at, ends_at)
    if limits.daily_hours is not None:
        that_day = sum(_hours(s, e) for s, e in others if s.astimezone(zone).date() == local)
        if that_day + hours > limits.daily_hours:
            return OverDailyHours(f"More than {limits.daily_hours:g} hours of shifts on one day.",
                                  daily_hours=limits.daily_hours)
    if limits.weekly_hours is not None:
        monday = local - timedelta(days=local.weekday())
        that_week = sum(_hours(s, e) for s, e in others if monday <= s.astimezone(zone).date() < monday + timedelta(7))
        if that_week + hours > limits.weekly_hours:
            return OverWeeklyHours(f"More than {limits.weekly_hours:g} hours of shifts in one week.",
                                   weekly_hours=limits.weekly_hours)
    if limits.rest_hours is not None:
        rest = timedelta(hours=limits.rest_hours)
        for s, e in others:
            gap = starts_at - e if s < starts_at else s - ends_at
            if timedelta(0) <= gap < rest:
                return TooLittleRest(f"Less than {limits.rest_hours:g} hours of rest between two shifts.",
                                     rest_hours=limits.rest_hours)
    return None
