"""A recurring shift series: one pattern, many occurrences, each its own Shift to change alone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.domain import event

from domain import bounds
from domain.aggregate import Aggregate

from domain.errors import InvalidCommand

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_OCCURRENCES = 400


def occurrences(
    first_day: date, weeks: int, weekdays: list[str], start: time, end: time, timezone: str
) -> list[tuple[datetime, datetime]]:
    """The (starts_at, ends_at) of every occurrence, in local wall-clock time of `timezone`."""
    bounds.count("weeks", weeks, 1, bounds.SERIES_WEEKS)
    bounds.day("first_day", first_day)
    bounds.day("first_day", first_day + timedelta(weeks=weeks))
    if not weekdays:
        raise InvalidCommand("weekdays", "tick at least one day of the week")
    if any(d not in WEEKDAYS for d in weekdays):
        raise InvalidCommand("weekdays", "must be days of the week: mon, tue, wed, thu, fri, sat or sun")
    if end <= start:
        raise InvalidCommand("end_time", "must be after the start")
    try:
        zone = ZoneInfo(timezone)
    except Exception:
        raise InvalidCommand("timezone", f"unknown time zone {timezone!r}") from None
    wanted = {WEEKDAYS.index(d) for d in weekdays}  # a day named twice is one day
    days = (first_day + timedelta(days=i) for i in range(weeks * 7))
    result = [
        (datetime.combine(day, start, zone), datetime.combine(day, end, zone))
        for day in days
        if day.weekday() in wanted
    ]
    if len(result) > MAX_OCCURRENCES:
        raise InvalidCommand("weeks", f"a series may hold at most {MAX_OCCURRENCES} shifts")
    return result


class ShiftSeries(Aggregate):
    id: UUID  # chosen before the occurrences are scheduled, so each can name its series

    @event("Scheduled")
    def __init__(
        self,
        unit_id: UUID,
        post: str,
        weekdays: list[str],
        start_time: time,
        end_time: time,
        timezone: str,
        first_day: date,
        weeks: int,
        capacity: int,
        requires: frozenset[str],
        shift_ids: list[UUID],
        actor: str,
    ) -> None:
        self.unit_id = unit_id
        self.post = post
        self.weekdays = weekdays
        self.start_time, self.end_time, self.timezone = start_time, end_time, timezone
        self.first_day, self.weeks = first_day, weeks
        self.capacity = capacity
        self.requires = requires
        self.shift_ids = shift_ids
