"""Fair limits, given/when/then: hours a day and a week, rest between shifts (the programme's, or a
unit's own in their place), and a coordinator's review of sign-ups after too many no-shows."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import errors
from domain.application import CareLedger
from domain.clock import FixedClock
from domain.limits import Limits, refusal
from domain.policy import Policy
from tests.conftest import CST
from tests.scenario import COORDINATOR, Hospital

ZONE = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, 8, tzinfo=CST)  # the clock of the tests stands on this Monday, 09:00


@pytest.fixture
def limited(store_env: dict[str, str], clock: FixedClock):
    def make(**limits) -> CareLedger:
        app = CareLedger(env=store_env, clock=clock, policy=Policy(limits=Limits(**limits)))
        app.open_catalogue()
        return app
    return make


def test_a_sign_up_past_the_days_hours_or_without_rest_is_refused_in_words(limited, clock: FixedClock) -> None:
    ledger = limited(daily_hours=8, rest_hours=10)
    hospital = Hospital(ledger)
    volunteer = hospital.volunteer()
    tomorrow = MONDAY + timedelta(days=1)
    ledger.sign_up(hospital.shift(starts=tomorrow, hours=6), volunteer, COORDINATOR)
    with pytest.raises(errors.OverDailyHours):  # 6 + 3 > 8, the same day
        ledger.sign_up(hospital.shift(starts=tomorrow + timedelta(hours=7), hours=3), volunteer, COORDINATOR)
    with pytest.raises(errors.TooLittleRest):  # 7 hours that day, but 22:00 is only 8 hours after 14:00
        ledger.sign_up(hospital.shift(starts=tomorrow + timedelta(hours=14), hours=1), volunteer, COORDINATOR)
    ledger.sign_up(hospital.shift(starts=tomorrow + timedelta(days=1), hours=4), volunteer, COORDINATOR)
    ledger.close()


def test_a_week_counts_from_monday_and_a_unit_may_set_its_own(limited) -> None:
    ledger = limited(weekly_hours=10)
    hospital = Hospital(ledger)
    volunteer = hospital.volunteer()
    for day in (1, 2):
        ledger.sign_up(hospital.shift(starts=MONDAY + timedelta(days=day), hours=4), volunteer, COORDINATOR)
    with pytest.raises(errors.OverWeeklyHours):
        ledger.sign_up(hospital.shift(starts=MONDAY + timedelta(days=4), hours=4), volunteer, COORDINATOR)
    ledger.sign_up(hospital.shift(starts=MONDAY + timedelta(days=7), hours=4), volunteer, COORDINATOR)  # next week
    ledger.set_unit_limits(hospital.unit, None, 16, None, COORDINATOR)  # this unit: 16 a week
    ledger.sign_up(hospital.shift(starts=MONDAY + timedelta(days=4), hours=4), volunteer, COORDINATOR)
    with pytest.raises(errors.InvalidCommand):
        ledger.set_unit_limits(hospital.unit, 30, None, None, COORDINATOR)
    ledger.close()


def test_after_three_no_shows_sign_ups_wait_until_a_coordinator_clears_it(limited, clock: FixedClock) -> None:
    ledger = limited(no_shows=3, no_show_days=30)
    hospital = Hospital(ledger)
    volunteer = hospital.volunteer()
    for day in range(3):
        shift = hospital.shift(starts=MONDAY + timedelta(days=day), hours=2)
        ledger.sign_up(shift, volunteer, COORDINATOR)
        clock.set(MONDAY + timedelta(days=day, hours=1))
        ledger.mark_no_show(shift, volunteer, COORDINATOR)
        ledger.mark_no_show(shift, volunteer, COORDINATOR)  # marked twice: counted once
    later = hospital.shift(starts=MONDAY + timedelta(days=5), hours=2)
    with pytest.raises(errors.NoShowReview):
        ledger.sign_up(later, volunteer, COORDINATOR)
    ledger.clear_no_show_review(volunteer, COORDINATOR)
    ledger.sign_up(later, volunteer, COORDINATOR)
    assert hospital.events_of(volunteer).count("NoShowCounted") == 3
    ledger.close()


booking = st.tuples(st.integers(0, 24 * 14), st.integers(1, 12))  # (hours after Monday 00:00, hours long)


@given(st.lists(booking, max_size=8), booking, st.sampled_from([4, 8, 10]), st.sampled_from([20, 30]))
def test_a_booking_is_refused_exactly_when_a_day_or_its_week_would_go_over(existing, new, daily, weekly) -> None:
    monday = datetime(2026, 11, 23, tzinfo=ZONE)
    booked = [(uuid4(), (monday + timedelta(hours=s), monday + timedelta(hours=s + n))) for s, n in existing]
    starts, ends = monday + timedelta(hours=new[0]), monday + timedelta(hours=new[0] + new[1])
    found = refusal(Limits(daily_hours=daily, weekly_hours=weekly), ZONE, uuid4(), starts, ends, booked, [], None,
                    date(2026, 11, 23))
    day_of = lambda s: s.astimezone(ZONE).date()  # noqa: E731
    same_day = sum((e - s).total_seconds() / 3600 for _, (s, e) in booked if day_of(s) == day_of(starts))
    week = day_of(starts) - timedelta(days=day_of(starts).weekday())
    same_week = sum((e - s).total_seconds() / 3600 for _, (s, e) in booked
                    if week <= day_of(s) < week + timedelta(days=7))
    if same_day + new[1] > daily:
        assert isinstance(found, errors.OverDailyHours)
    elif same_week + new[1] > weekly:
        assert isinstance(found, errors.OverWeeklyHours)
    else:
        assert found is None
    assert replace(Limits(daily_hours=daily), rest_hours=None).overridden(daily_hours=None).daily_hours == daily
