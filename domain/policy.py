"""The rules a programme may tune: check-in window, late cancellation, how minutes are credited."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.limits import Limits

ROUNDING_STEPS = {"exact": 1, "5": 5, "10": 10, "15": 15}


@dataclass(frozen=True)
class Policy:
    check_in_opens_minutes: int = 60  # before the shift starts; it closes at the shift's end
    late_cancellation_hours: int = 24  # a withdrawal closer than this to the start is "late"
    rounding: str = "exact"  # exact | 5 | 10 | 15 (to the nearest step)
    # A volunteer still checked in this long after the shift ended forgot to check out: they are
    # checked out at the shift's end, credited as if they had (or at most `auto_check_out_credit`
    # minutes when that is set), and the seat waits for a coordinator to confirm or correct it.
    auto_check_out_after_minutes: int = 120
    auto_check_out_credit: int | None = None
    # A volunteer under 18 serves only between these hours of the programme's wall clock (None: any time)
    minors_daytime: tuple[int, int] | None = (8, 18)
    timezone: str = "Asia/Shanghai"
    limits: Limits = field(default_factory=Limits)  # fair limits; a unit may set its own (domain/limits.py)

    def __post_init__(self) -> None:
        if self.rounding not in ROUNDING_STEPS:
            raise ValueError(f"rounding must be one of {sorted(ROUNDING_STEPS)}, not {self.rounding!r}")

    def outside_minors_hours(self, starts_at: datetime, ends_at: datetime) -> bool:
        """Whether a shift runs outside the daytime a volunteer under 18 may serve in."""
        if self.minors_daytime is None:
            return False
        zone = ZoneInfo(self.timezone)
        start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
        first, last = self.minors_daytime
        return start.date() != end.date() or start.hour < first or (end.hour, end.minute) > (last, 0)

    def check_in_window(self, starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
        return starts_at - timedelta(minutes=self.check_in_opens_minutes), ends_at

    def forgot_to_check_out(self, ends_at: datetime, now: datetime) -> bool:
        return now >= ends_at + timedelta(minutes=self.auto_check_out_after_minutes)

    def auto_credit(self, credited: int) -> int:
        return credited if self.auto_check_out_credit is None else min(credited, self.auto_check_out_credit)

    def is_late_cancellation(self, starts_at: datetime, at: datetime) -> bool:
        return at > starts_at - timedelta(hours=self.late_cancellation_hours)

    def credited_minutes(
        self, starts_at: datetime, ends_at: datetime, checked_in_at: datetime, checked_out_at: datetime
    ) -> int:
        """Minutes on duty inside the shift, rounded to the nearest step (half up).

        Time before the start or after the end is not credited: an hour correction covers it.
        """
        served = min(ends_at, checked_out_at) - max(starts_at, checked_in_at)
        minutes = max(0, int(served.total_seconds() // 60))
        step = ROUNDING_STEPS[self.rounding]
        return (minutes + step // 2) // step * step if step > 1 else minutes


@dataclass(frozen=True)
class CasePolicy:
    """Timeliness rules of the social-work department."""

    assessment_hours: int = 24  # a case is assessed within this many hours of intake
    high_risk_note_days: int = 7  # a high-risk case gets a progress note at least this often
    late_entry_hours: int = 24  # a note written this long after the contact is flagged as a late entry

    def is_late_entry(self, contact_at: datetime, written_at: datetime) -> bool:
        return written_at - contact_at > timedelta(hours=self.late_entry_hours)
