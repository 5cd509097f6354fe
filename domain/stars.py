"""Star levels (星级志愿者): a volunteer's level by certified hours of service, Shanghai's since
January 2021 by default (1★ 100 h, 2★ 300 h, 3★ 600 h, 4★ 1,000 h, 5★ 1,500 h). A level follows
from the hours, so it is never recorded, only told: a rebuild gives the same levels on the same days."""

from __future__ import annotations

from dataclasses import dataclass

SHANGHAI = (100, 300, 600, 1000, 1500)  # hours for 1★ … 5★


@dataclass(frozen=True, slots=True)
class Stars:
    """Where `minutes` of certified service stand against the thresholds."""

    level: int  # 0: none yet
    minutes: int
    next_hours: int | None  # the next level's threshold; None at the top

    @property
    def hours(self) -> float:
        return self.minutes / 60

    @property
    def hours_to_next(self) -> float | None:
        return None if self.next_hours is None else max(self.next_hours - self.hours, 0.0)


def stars(minutes: int, thresholds: tuple[int, ...] = SHANGHAI) -> Stars:
    reached = [h for h in thresholds if minutes >= h * 60]
    higher = [h for h in thresholds if minutes < h * 60]
    return Stars(len(reached), minutes, higher[0] if higher else None)


def checked_thresholds(hours: tuple[int, ...]) -> tuple[int, ...]:
    """Thresholds as a setting gives them: whole hours, rising (refused otherwise, at start-up)."""
    if not hours or any(h <= 0 for h in hours) or list(hours) != sorted(set(hours)):
        raise ValueError(f"star levels need rising whole hours above 0, not {hours!r}")
    return hours
