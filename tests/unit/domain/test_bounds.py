"""The domain refuses every impossible value itself, whoever sends it: for any value beyond a
bound, each use case raises InvalidCommand naming the field, and nothing is recorded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import bounds
from domain.application import CareLedger
from domain.clock import FixedClock
from domain.errors import InvalidCommand
from tests.conftest import CST
from tests.scenario import COORDINATOR, Hospital

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=CST)


def beyond(low: int, high: int) -> st.SearchStrategy[int]:
    """Whole numbers outside [low, high], near the edges and far past them (2**64 and more)."""
    return st.one_of(st.integers(max_value=low - 1), st.integers(min_value=high + 1),
                     st.sampled_from([low - 1, high + 1, 10**15, 2**63, 2**64 + 5, -(2**64)]))


def too_long(longest: int) -> st.SearchStrategy[str]:
    return st.integers(longest + 1, longest + 50).map(lambda n: "字" * n)


far_days = st.one_of(st.dates(max_value=bounds.EARLIEST_DAY - timedelta(days=1)),
                     st.dates(min_value=bounds.LATEST_DAY + timedelta(days=1)))
far_moments = far_days.map(lambda d: datetime.combine(d, time(8), CST))


class Story:
    """A hospital with a checked-in volunteer, an open case, a group, an interpreting booked."""

    def __init__(self, ledger: CareLedger) -> None:
        self.ledger = ledger
        self.hospital = h = Hospital(ledger)
        self.volunteer = h.volunteer("Li Wei")
        self.shift = h.shift(NOW - timedelta(hours=1))
        ledger.sign_up(self.shift, self.volunteer, COORDINATOR)
        ledger.check_in(self.shift, self.volunteer, "kiosk", COORDINATOR)
        self.worker = ledger.open_account("sw", "h", "social_worker", [h.unit], None, "admin").id
        self.group = ledger.form_group("group", h.unit, "Carers", "communication", self.worker, "sw").id
        self.session = ledger.log_session(h.unit, self.worker, "pr_x", "communication", "individual", NOW, 30, 1,
                                          "sw").id
        self.case = ledger.open_case(h.unit, self.worker, "pr_x", "outreach", "sw").id
        ledger.give_consent(self.case, ["health_information"], "sw")
        ledger.assess_case(self.case, "low", [], "sw")
        self.served = h.shift(NOW - timedelta(minutes=30), hours=3)  # a seat already settled, to correct
        self.absent = h.volunteer("Wang Fang")
        ledger.sign_up(self.served, self.absent, COORDINATOR)
        ledger.mark_no_show(self.served, self.absent, COORDINATOR)


Attempt = Callable[[Story, Any], Any]
# (use case, the field it must name, the values beyond its bound, how the use case is called with one)
BOUNDS: list[tuple[str, str, st.SearchStrategy[Any], Attempt]] = [
    ("check_out", "served.guidance", beyond(0, bounds.PERSON_TIMES),
     lambda s, n: s.ledger.check_out(s.shift, s.volunteer, {"guidance": n}, COORDINATOR)),
    ("schedule_shift capacity", "capacity", beyond(1, bounds.PLACES),
     lambda s, n: s.ledger.schedule_shift(s.hospital.unit, "desk", NOW, NOW + timedelta(hours=2), n, [], COORDINATOR)),
    ("schedule_shift length", "ends_at", st.integers(bounds.DAY_MINUTES + 1, 10**7),
     lambda s, n: s.ledger.schedule_shift(s.hospital.unit, "desk", NOW, NOW + timedelta(minutes=n), 2, [],
                                          COORDINATOR)),
    ("schedule_shift year", "starts_at", far_moments,
     lambda s, at: s.ledger.schedule_shift(s.hospital.unit, "desk", at, at + timedelta(hours=2), 2, [], COORDINATOR)),
    ("schedule_shift post", "post", too_long(bounds.NAME),
     lambda s, text: s.ledger.schedule_shift(s.hospital.unit, text, NOW, NOW + timedelta(hours=2), 2, [],
                                             COORDINATOR)),
    ("schedule_shift requires", "requires", st.integers(bounds.TAGS + 1, 100),
     lambda s, n: s.ledger.schedule_shift(s.hospital.unit, "desk", NOW, NOW + timedelta(hours=2), 2,
                                          [f"q{i}" for i in range(n)], COORDINATOR)),
    ("schedule_series weeks", "weeks", beyond(1, bounds.SERIES_WEEKS),
     lambda s, n: s.ledger.schedule_series(s.hospital.unit, "desk", ["mon"], time(8), time(12), date(2026, 12, 7), n,
                                           2, [], "Asia/Shanghai", COORDINATOR)),
    ("log_session persons", "persons", beyond(1, bounds.PERSONS),
     lambda s, n: s.ledger.log_session(s.hospital.unit, s.worker, "pr_y", "communication", "group", NOW, 30, n, "sw")),
    ("log_session minutes", "minutes", beyond(1, bounds.DAY_MINUTES),
     lambda s, n: s.ledger.log_session(s.hospital.unit, s.worker, "pr_y", "communication", "group", NOW, n, 3, "sw")),
    ("log_session day", "started_at", far_moments,
     lambda s, at: s.ledger.log_session(s.hospital.unit, s.worker, "pr_y", "communication", "group", at, 30, 3, "sw")),
    ("log_session notes", "notes", too_long(bounds.NOTE),
     lambda s, text: s.ledger.log_session(s.hospital.unit, s.worker, "pr_y", "communication", "group", NOW, 30, 3,
                                          "sw", notes=text)),
    ("hold_meeting persons", "persons", beyond(1, bounds.PERSONS),
     lambda s, n: s.ledger.hold_meeting(s.group, NOW, 60, n, "sw")),
    ("hold_meeting minutes", "minutes", beyond(1, bounds.DAY_MINUTES),
     lambda s, n: s.ledger.hold_meeting(s.group, NOW, n, 5, "sw")),
    ("schedule_training capacity", "capacity", beyond(1, bounds.TRAINING_PLACES),
     lambda s, n: s.ledger.schedule_training("T", "other", s.hospital.unit, NOW, NOW + timedelta(hours=2), n, None,
                                             COORDINATOR)),
    ("schedule_training validity", "validity_days", beyond(1, bounds.VALIDITY_DAYS),
     lambda s, n: s.ledger.schedule_training("T", "other", s.hospital.unit, NOW, NOW + timedelta(hours=2), 5, n,
                                             COORDINATOR)),
    ("register_volunteer name", "name", too_long(bounds.NAME),
     lambda s, text: s.ledger.register_volunteer(text, "13900000001", s.hospital.unit, [], [], COORDINATOR)),
    ("register_volunteer phone", "phone",
     st.one_of(st.text(max_size=30).filter(lambda t: not __import__("re").fullmatch(r"\+?\d{6,20}",
                                                                                   "".join(t.split()))),
               st.integers(0, 99999).map(str), st.integers(10**20, 10**25).map(str)),
     lambda s, text: s.ledger.register_volunteer("Zhou", text, s.hospital.unit, [], [], COORDINATOR)),
    ("register_volunteer languages", "languages", st.integers(bounds.TAGS + 1, 80),
     lambda s, n: s.ledger.register_volunteer("Zhou", "13900000001", s.hospital.unit, [f"l{i}" for i in range(n)],
                                              [], COORDINATOR)),
    ("record_credential day", "recorded_on", far_days,
     lambda s, day: s.ledger.record_credential(s.volunteer, "health_check", day, None, COORDINATOR)),
    ("grant_qualification until", "valid_until", far_days,
     lambda s, day: s.ledger.grant_qualification(s.volunteer, "sign_language", day, COORDINATOR)),
    ("request_hours_correction", "minutes", beyond(0, bounds.DAY_MINUTES),
     lambda s, n: s.ledger.request_hours_correction(s.served, s.absent, n, "forgot", COORDINATOR)),
    ("suspend_volunteer reason", "reason", too_long(bounds.REASON),
     lambda s, text: s.ledger.suspend_volunteer(s.volunteer, text, COORDINATOR)),
    ("present_award", "hours", beyond(1, bounds.AWARD_HOURS),
     lambda s, n: s.ledger.present_award(s.volunteer, n, COORDINATOR)),
    ("record_case_note", "text", too_long(bounds.NOTE),
     lambda s, text: s.ledger.record_case_note(s.case, s.worker, NOW, ["patient"], text, "sw")),
    ("plan_case goals", "goals", st.integers(bounds.TAGS + 1, 60),
     lambda s, n: s.ledger.plan_case(s.case, [f"goal {i}" for i in range(n)], "sw")),
    ("register_unit", "name", too_long(bounds.TITLE), lambda s, text: s.ledger.register_unit(text, "", "admin")),
    ("amend_session persons", "persons", beyond(1, bounds.PERSONS),
     lambda s, n: s.ledger.amend_session(s.session, "communication", "group", NOW, 30, n, "typo", "sw")),
]


@pytest.fixture(scope="module")
def story() -> Story:
    ledger = CareLedger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=FixedClock(NOW))
    ledger.open_catalogue()
    return Story(ledger)


@pytest.mark.parametrize(("use_case", "field", "values", "attempt"), BOUNDS, ids=[b[0] for b in BOUNDS])
def test_a_value_beyond_its_bound_is_refused_naming_the_field_and_nothing_is_recorded(
        story: Story, use_case: str, field: str, values: st.SearchStrategy[Any], attempt: Attempt) -> None:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(values)
    def refused(value: Any) -> None:
        before = story.ledger.position
        with pytest.raises(InvalidCommand) as error:
            attempt(story, value)
        assert error.value.field == field, error.value.message
        assert story.ledger.position == before
    refused()


def test_values_at_the_bounds_themselves_are_recorded(story: Story) -> None:
    ledger, unit = story.ledger, story.hospital.unit
    assert ledger.schedule_shift(unit, "d" * bounds.NAME, NOW, NOW + timedelta(minutes=bounds.DAY_MINUTES),
                                 bounds.PLACES, [], COORDINATOR).position is not None
    assert ledger.log_session(unit, story.worker, "pr_z", "communication", "community", NOW, bounds.DAY_MINUTES,
                              bounds.PERSONS, "sw").position is not None
    assert ledger.register_volunteer("Zhou", "+86 139-0000-0001", unit, [], [], COORDINATOR).id is not None
    assert ledger.get_volunteer(ledger.register_volunteer("Qian", "(021) 6437 0045", unit, [], [],
                                                          COORDINATOR).id).phone == "02164370045"
    minutes = ledger.check_out(story.shift, story.volunteer, {"guidance": bounds.PERSON_TIMES, "communication": 0},
                               COORDINATOR).value
    assert minutes >= 0
