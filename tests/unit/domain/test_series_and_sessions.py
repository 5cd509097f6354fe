"""Recurring shift series, single occurrences changed alone, and social-work sessions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from domain import errors
from domain.application import CareLedger
from tests.conftest import CST
from tests.scenario import COORDINATOR, DESK, Hospital


@pytest.fixture
def hospital(ledger: CareLedger) -> Hospital:
    return Hospital(ledger)


def desk_series(hospital: Hospital, weeks: int = 12) -> list:
    return hospital.ledger.schedule_series(
        hospital.unit, DESK, ["mon", "tue", "wed", "thu", "fri"], time(8), time(12),
        first_day=date(2026, 11, 30), weeks=weeks, capacity=3, requires=[], timezone="Asia/Shanghai",
        actor=COORDINATOR,
    ).value


def test_a_weekday_series_for_twelve_weeks_is_sixty_shifts_in_one_command(hospital: Hospital) -> None:
    shifts = [hospital.ledger.get_shift(s) for s in desk_series(hospital)]
    assert len(shifts) == 60
    assert shifts[0].starts_at == datetime(2026, 11, 30, 8, tzinfo=CST)
    assert shifts[-1].ends_at == datetime(2027, 2, 19, 12, tzinfo=CST)
    assert {s.starts_at.weekday() for s in shifts} == {0, 1, 2, 3, 4}
    assert all(s.requires == frozenset({"pre_job"}) and s.capacity == 3 for s in shifts)
    assert len({s.series_id for s in shifts}) == 1


def test_one_occurrence_is_changed_or_cancelled_without_touching_the_rest(hospital: Hospital) -> None:
    ledger = hospital.ledger
    shifts = desk_series(hospital, weeks=2)
    volunteer = hospital.volunteer()
    ledger.sign_up(shifts[1], volunteer, COORDINATOR)
    ledger.cancel_shift(shifts[0], "public holiday", COORDINATOR)
    new_start = datetime(2026, 12, 1, 13, tzinfo=CST)
    ledger.reschedule_shift(shifts[1], new_start, new_start + timedelta(hours=4), 5, COORDINATOR)
    moved = ledger.get_shift(shifts[1])
    assert (moved.starts_at, moved.capacity) == (new_start, 5)
    assert ledger.get_volunteer(volunteer).bookings[shifts[1]][0] == new_start  # the booking moved too
    assert ledger.get_shift(shifts[0]).cancelled
    assert all(not ledger.get_shift(s).cancelled and ledger.get_shift(s).capacity == 3 for s in shifts[2:])


def test_a_moved_occurrence_may_not_collide_with_a_signed_up_volunteers_other_shift(hospital: Hospital) -> None:
    ledger = hospital.ledger
    shifts = desk_series(hospital, weeks=1)
    volunteer = hospital.volunteer()
    afternoon = hospital.shift(datetime(2026, 12, 1, 13, tzinfo=CST))
    ledger.sign_up(shifts[1], volunteer, COORDINATOR)
    ledger.sign_up(afternoon, volunteer, COORDINATOR)
    with pytest.raises(errors.OverlappingShift):
        ledger.reschedule_shift(shifts[1], datetime(2026, 12, 1, 11, tzinfo=CST),
                                datetime(2026, 12, 1, 15, tzinfo=CST), 3, COORDINATOR)


def test_lowering_capacity_below_sign_ups_is_refused(hospital: Hospital) -> None:
    ledger = hospital.ledger
    shift = hospital.shift(capacity=2)
    for name in ("A", "B"):
        ledger.sign_up(shift, hospital.volunteer(name), COORDINATOR)
    s = ledger.get_shift(shift)
    with pytest.raises(errors.CapacityBelowSignups):
        ledger.reschedule_shift(shift, s.starts_at, s.ends_at, 1, COORDINATOR)


@pytest.mark.parametrize(
    ("weekdays", "weeks", "field"),
    [(["funday"], 2, "weekdays"), ([], 2, "weekdays"), (["mon"], 0, "weeks"), (["mon"], 200, "weeks")],
)
def test_a_series_with_bad_pattern_names_the_field(hospital: Hospital, weekdays, weeks, field) -> None:
    with pytest.raises(errors.InvalidCommand) as refused:
        hospital.ledger.schedule_series(hospital.unit, DESK, weekdays, time(8), time(12), date(2026, 12, 1),
                                        weeks, 3, [], "Asia/Shanghai", COORDINATOR)
    assert refused.value.field == field


def test_shift_times_are_validated(hospital: Hospital) -> None:
    with pytest.raises(errors.InvalidCommand) as refused:
        hospital.ledger.schedule_shift(hospital.unit, DESK, datetime(2026, 12, 1, 12, tzinfo=CST),
                                       datetime(2026, 12, 1, 8, tzinfo=CST), 3, [], COORDINATOR)
    assert refused.value.field == "ends_at"
    with pytest.raises(errors.InvalidCommand) as refused:
        hospital.ledger.schedule_shift(hospital.unit, DESK, datetime(2026, 12, 1, 8),
                                       datetime(2026, 12, 1, 12), 3, [], COORDINATOR)
    assert refused.value.field == "starts_at"


def test_a_session_is_logged_with_a_pseudonym_and_its_notes_in_their_own_event(hospital: Hospital) -> None:
    ledger = hospital.ledger
    worker = ledger.open_account("zhang", "h", "social_worker", [hospital.unit], None, "admin").id
    session = ledger.log_session(hospital.unit, worker, "pr_5f2a9c", "psychological_support", "individual",
                                 datetime(2026, 11, 23, 8, tzinfo=CST), 45, 1, worker.hex,
                                 notes="Anxious before surgery; family visiting tomorrow.").id
    assert hospital.events_of(session) == ["Logged", "NotesRecorded"]
    logged = next(iter(ledger.events.get(session)))
    assert "notes" not in vars(logged) and logged.patient_ref == "pr_5f2a9c"
    ledger.refer_session(session, "hospice care team", worker.hex)
    ledger.close_session(session, worker.hex)
    with pytest.raises(errors.SessionClosed):
        ledger.record_session_notes(session, "more", worker.hex)


@pytest.mark.parametrize(
    ("mode", "minutes", "persons", "field"),
    [("telepathy", 30, 1, "mode"), ("individual", 0, 1, "minutes"), ("individual", 30, 3, "persons"),
     ("group", 30, 0, "persons")],
)
def test_a_session_with_bad_values_names_the_field(hospital: Hospital, mode, minutes, persons, field) -> None:
    with pytest.raises(errors.InvalidCommand) as refused:
        hospital.ledger.log_session(hospital.unit, hospital.unit, "pr_1", "communication", mode,
                                    datetime(2026, 11, 23, 8, tzinfo=CST), minutes, persons, "sw")
    assert refused.value.field == field


def test_this_and_the_rest_of_a_series_are_cancelled_in_one_save_or_not_at_all(hospital: Hospital, clock) -> None:
    ledger = hospital.ledger
    shifts = desk_series(hospital, weeks=1)  # Mon 30 Nov to Fri 4 Dec, 08:00-12:00
    volunteer = hospital.volunteer()
    ledger.sign_up(shifts[3], volunteer, COORDINATOR)
    clock.set(datetime(2026, 12, 3, 8, 5, tzinfo=CST))  # Thursday's occurrence under way
    ledger.check_in(shifts[3], volunteer, "kiosk", DESK)
    before = ledger.position
    with pytest.raises(errors.VolunteersOnDuty):  # Thursday cannot be: none of it is
        ledger.cancel_rest_of_series(shifts[1], "lift repairs", COORDINATOR)
    assert ledger.position == before and not any(ledger.get_shift(s).cancelled for s in shifts)
    receipt = ledger.cancel_rest_of_series(shifts[4], "lift repairs", COORDINATOR)
    assert receipt.value == [shifts[4]]
    clock.set(datetime(2026, 11, 29, 9, tzinfo=CST))
    other = desk_series(hospital, weeks=1)
    done = ledger.cancel_rest_of_series(other[2], "ward closed", COORDINATOR)
    assert done.value == other[2:]
    assert [ledger.get_shift(s).cancelled for s in other] == [False, False, True, True, True]


def test_a_session_is_logged_after_it_happened_never_dated_ahead(hospital: Hospital, clock) -> None:
    ledger = hospital.ledger
    tomorrow = clock.now() + timedelta(days=1)
    before = ledger.position
    with pytest.raises(errors.InvalidCommand) as refused:
        ledger.log_session(hospital.unit, hospital.unit, "pr_1", "communication", "individual", tomorrow, 30, 1, "sw")
    assert refused.value.field == "started_at" and ledger.position == before
    ledger.log_session(hospital.unit, hospital.unit, "pr_1", "communication", "individual",
                       clock.now() + timedelta(minutes=5), 30, 1, "sw")  # a phone's clock a little ahead
