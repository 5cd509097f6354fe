"""Given a hospital, when volunteers sign up, check in and out, then the rules of DESIGN.md hold."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from domain import errors
from domain.application import CareLedger
from domain.clock import FixedClock
from domain.policy import Policy
from tests.conftest import CST
from tests.scenario import COORDINATOR, Hospital

MONDAY_8 = datetime(2026, 11, 24, 8, tzinfo=CST)


@pytest.fixture
def hospital(ledger: CareLedger) -> Hospital:
    return Hospital(ledger)


def test_last_place_goes_to_exactly_one_of_two_volunteers(hospital: Hospital) -> None:
    shift = hospital.shift(capacity=1)
    first, second = hospital.volunteer("Li Wei"), hospital.volunteer("Wang Fang")
    hospital.ledger.sign_up(shift, first, COORDINATOR)
    with pytest.raises(errors.ShiftFull) as refused:
        hospital.ledger.sign_up(shift, second, COORDINATOR)
    assert refused.value.reason == "shift_full" and refused.value.status == 409
    assert hospital.ledger.get_shift(shift).filled == 1


def test_a_refused_sign_up_records_nothing_on_shift_or_volunteer(hospital: Hospital) -> None:
    shift, other = hospital.shift(capacity=1), hospital.shift(MONDAY_8 + timedelta(hours=1), capacity=1)
    volunteer, rival = hospital.volunteer(), hospital.volunteer("Wang Fang")
    hospital.ledger.sign_up(other, rival, COORDINATOR)
    hospital.ledger.sign_up(shift, volunteer, COORDINATOR)
    before = (hospital.events_of(other), hospital.events_of(volunteer))
    with pytest.raises(errors.ShiftFull):
        hospital.ledger.sign_up(other, volunteer, COORDINATOR)
    assert (hospital.events_of(other), hospital.events_of(volunteer)) == before


def test_a_volunteer_cannot_hold_overlapping_shifts(hospital: Hospital) -> None:
    volunteer = hospital.volunteer()
    morning = hospital.shift(MONDAY_8, hours=4)
    overlapping = hospital.shift(MONDAY_8 + timedelta(hours=3), hours=4)
    afterwards = hospital.shift(MONDAY_8 + timedelta(hours=4), hours=2)
    hospital.ledger.sign_up(morning, volunteer, COORDINATOR)
    with pytest.raises(errors.OverlappingShift) as refused:
        hospital.ledger.sign_up(overlapping, volunteer, COORDINATOR)
    assert refused.value.reason == "overlapping_shift"
    hospital.ledger.sign_up(afterwards, volunteer, COORDINATOR)  # back to back is fine


def test_withdrawing_frees_the_volunteer_for_another_shift(hospital: Hospital) -> None:
    volunteer = hospital.volunteer()
    first, second = hospital.shift(MONDAY_8), hospital.shift(MONDAY_8 + timedelta(hours=1))
    hospital.ledger.sign_up(first, volunteer, COORDINATOR)
    hospital.ledger.withdraw(first, volunteer, COORDINATOR)
    hospital.ledger.sign_up(second, volunteer, COORDINATOR)
    assert hospital.ledger.get_volunteer(volunteer).bookings.keys() == {second}


def test_an_untrained_volunteer_is_not_qualified_for_the_desk(hospital: Hospital) -> None:
    volunteer = hospital.volunteer(trained=False)
    with pytest.raises(errors.NotQualified) as refused:
        hospital.ledger.sign_up(hospital.shift(), volunteer, COORDINATOR)
    assert refused.value.reason == "not_qualified" and refused.value.status == 422
    assert refused.value.details["missing"] == ["pre_job"]


def test_a_qualification_that_lapses_before_the_shift_day_is_refused(hospital: Hospital) -> None:
    volunteer = hospital.volunteer()  # pre-job valid 2026-11-01 .. 2027-11-01
    late_shift = hospital.shift(datetime(2027, 11, 2, 8, tzinfo=CST))
    with pytest.raises(errors.QualificationExpired) as refused:
        hospital.ledger.sign_up(late_shift, volunteer, COORDINATOR)
    assert refused.value.reason == "qualification_expired"


def test_a_lapsed_health_check_blocks_sign_up_and_check_in(hospital: Hospital, clock: FixedClock) -> None:
    ledger = hospital.ledger
    ledger.define_post(hospital.unit, "paediatric ward", ["pre_job", "health_check"], COORDINATOR)
    volunteer = hospital.volunteer()
    ward = hospital.shift(MONDAY_8, post="paediatric ward")
    with pytest.raises(errors.NotQualified):
        ledger.sign_up(ward, volunteer, COORDINATOR)
    ledger.record_credential(volunteer, "health_check", datetime(2025, 11, 25).date(),
                             datetime(2026, 11, 23).date(), COORDINATOR)
    later = hospital.shift(MONDAY_8 + timedelta(days=7), post="paediatric ward")
    with pytest.raises(errors.QualificationExpired):
        ledger.sign_up(later, volunteer, COORDINATOR)
    # Valid on sign-up day and shift day... but not on the day it is checked in.
    ledger.record_credential(volunteer, "health_check", datetime(2025, 11, 25).date(),
                             datetime(2026, 11, 24).date(), COORDINATOR)
    ledger.sign_up(ward, volunteer, COORDINATOR)
    clock.set(MONDAY_8 - timedelta(minutes=30))
    ledger.check_in(ward, volunteer, "kiosk", COORDINATOR)  # still valid on the 24th


def test_a_flu_declination_counts_as_the_credential(hospital: Hospital) -> None:
    ledger = hospital.ledger
    ledger.define_post(hospital.unit, "respiratory ward", ["pre_job", "flu_vaccination"], COORDINATOR)
    volunteer = hospital.volunteer()
    ledger.record_credential(volunteer, "flu_vaccination", datetime(2026, 10, 1).date(),
                             datetime(2027, 4, 30).date(), COORDINATOR, declined=True)
    ledger.sign_up(hospital.shift(post="respiratory ward"), volunteer, COORDINATOR)
    with pytest.raises(errors.InvalidCommand) as refused:
        ledger.record_credential(volunteer, "tb_test", datetime(2026, 10, 1).date(), None,
                                 COORDINATOR, declined=True)
    assert refused.value.field == "declined"


def test_a_pending_or_suspended_volunteer_is_not_active(hospital: Hospital, clock: FixedClock) -> None:
    pending = hospital.volunteer(approved=False)
    shift = hospital.shift()
    with pytest.raises(errors.VolunteerNotActive) as refused:
        hospital.ledger.sign_up(shift, pending, COORDINATOR)
    assert refused.value.reason == "volunteer_not_active"
    active = hospital.volunteer("Wang Fang")
    hospital.ledger.sign_up(shift, active, COORDINATOR)
    hospital.ledger.suspend_volunteer(active, "complaint under review", COORDINATOR)
    clock.set(MONDAY_8)
    with pytest.raises(errors.VolunteerNotActive):
        hospital.ledger.check_in(shift, active, "kiosk", COORDINATOR)


def test_check_in_needs_a_sign_up(hospital: Hospital, clock: FixedClock) -> None:
    shift, volunteer = hospital.shift(), hospital.volunteer()
    clock.set(MONDAY_8)
    with pytest.raises(errors.NotSignedUp) as refused:
        hospital.ledger.check_in(shift, volunteer, "kiosk", COORDINATOR)
    assert refused.value.reason == "not_signed_up"


@pytest.mark.parametrize(
    ("minutes_from_start", "allowed"),
    [(-61, False), (-60, True), (0, True), (239, True), (240, True), (241, False)],
)
def test_check_in_window_opens_an_hour_before_and_closes_at_the_end(
    hospital: Hospital, clock: FixedClock, minutes_from_start: int, allowed: bool
) -> None:
    shift, volunteer = hospital.shift(hours=4), hospital.volunteer()
    hospital.ledger.sign_up(shift, volunteer, COORDINATOR)
    clock.set(MONDAY_8 + timedelta(minutes=minutes_from_start))
    if allowed:
        assert hospital.ledger.check_in(shift, volunteer, "phone", volunteer.hex).value == clock.now()
    else:
        with pytest.raises(errors.OutsideCheckInWindow) as refused:
            hospital.ledger.check_in(shift, volunteer, "phone", volunteer.hex)
        assert refused.value.reason == "outside_check_in_window"


def test_the_check_in_window_is_a_setting(store_env: dict[str, str], clock: FixedClock) -> None:
    ledger = CareLedger(env=store_env, clock=clock, policy=Policy(check_in_opens_minutes=15))
    hospital = Hospital(ledger)
    shift, volunteer = hospital.shift(), hospital.volunteer()
    ledger.sign_up(shift, volunteer, COORDINATOR)
    clock.set(MONDAY_8 - timedelta(minutes=20))
    with pytest.raises(errors.OutsideCheckInWindow):
        ledger.check_in(shift, volunteer, "kiosk", COORDINATOR)
    clock.set(MONDAY_8 - timedelta(minutes=15))
    ledger.check_in(shift, volunteer, "kiosk", COORDINATOR)


def test_a_repeated_check_in_records_one_checked_in_event(hospital: Hospital, clock: FixedClock) -> None:
    shift, volunteer = hospital.shift(), hospital.volunteer()
    hospital.ledger.sign_up(shift, volunteer, COORDINATOR)
    clock.set(MONDAY_8 - timedelta(minutes=10))
    first = hospital.ledger.check_in(shift, volunteer, "kiosk", COORDINATOR)
    clock.advance(seconds=2)
    again = hospital.ledger.check_in(shift, volunteer, "phone", volunteer.hex)
    assert again.value == first.value and again.position is None
    assert hospital.events_of(shift).count("CheckedIn") == 1


def test_check_out_needs_a_check_in_and_happens_once(hospital: Hospital, clock: FixedClock) -> None:
    shift, volunteer = hospital.shift(), hospital.volunteer()
    hospital.ledger.sign_up(shift, volunteer, COORDINATOR)
    clock.set(MONDAY_8)
    with pytest.raises(errors.NotCheckedIn) as refused:
        hospital.ledger.check_out(shift, volunteer, {"guidance": 3}, COORDINATOR)
    assert refused.value.reason == "not_checked_in"
    hospital.ledger.check_in(shift, volunteer, "kiosk", COORDINATOR)
    clock.advance(hours=3)
    assert hospital.ledger.check_out(shift, volunteer, {"guidance": 30}, COORDINATOR).value == 180
    with pytest.raises(errors.AlreadyCheckedOut) as again:
        hospital.ledger.check_out(shift, volunteer, {"guidance": 30}, COORDINATOR)
    assert again.value.reason == "already_checked_out"
    with pytest.raises(errors.AlreadyCheckedOut):
        hospital.ledger.check_in(shift, volunteer, "kiosk", COORDINATOR)


def test_check_out_refuses_an_unknown_service_type(hospital: Hospital, clock: FixedClock) -> None:
    shift, volunteer = hospital.shift(), hospital.volunteer()
    hospital.ledger.sign_up(shift, volunteer, COORDINATOR)
    clock.set(MONDAY_8)
    hospital.ledger.check_in(shift, volunteer, "kiosk", COORDINATOR)
    with pytest.raises(errors.UnknownServiceType) as refused:
        hospital.ledger.check_out(shift, volunteer, {"juggling": 3}, COORDINATOR)
    assert refused.value.field == "served" and refused.value.status == 400


def test_credited_minutes_stay_inside_the_shift_and_follow_the_rounding_rule(
    store_env: dict[str, str], clock: FixedClock
) -> None:
    ledger = CareLedger(env=store_env, clock=clock, policy=Policy(rounding="15"))
    hospital = Hospital(ledger)
    shift, volunteer = hospital.shift(hours=4), hospital.volunteer()
    ledger.sign_up(shift, volunteer, COORDINATOR)
    clock.set(MONDAY_8 - timedelta(minutes=40))  # early arrival is not credited
    ledger.check_in(shift, volunteer, "kiosk", COORDINATOR)
    clock.set(MONDAY_8 + timedelta(minutes=128))  # 128 min -> 135 to the nearest 15
    assert ledger.check_out(shift, volunteer, {"guidance": 5}, COORDINATOR).value == 135


def test_a_cancelled_shift_takes_no_sign_ups_and_frees_its_volunteers(hospital: Hospital) -> None:
    shift, volunteer = hospital.shift(), hospital.volunteer()
    hospital.ledger.sign_up(shift, volunteer, COORDINATOR)
    hospital.ledger.cancel_shift(shift, "ward closed for cleaning", COORDINATOR)
    assert hospital.ledger.get_volunteer(volunteer).bookings == {}
    assert hospital.ledger.get_shift(shift).seats[volunteer].outcome == "cancelled_in_time"
    with pytest.raises(errors.ShiftCancelled) as refused:
        hospital.ledger.sign_up(shift, hospital.volunteer("Wang Fang"), COORDINATOR)
    assert refused.value.reason == "shift_cancelled"


def test_a_trainee_shadows_without_taking_a_place(hospital: Hospital) -> None:
    shift = hospital.shift(capacity=1)
    trainee = hospital.volunteer("Zhao Min", approved=False, trained=False)
    hospital.ledger.sign_up(shift, trainee, COORDINATOR, trainee=True)
    hospital.ledger.sign_up(shift, hospital.volunteer(), COORDINATOR)
    assert hospital.ledger.get_shift(shift).filled == 1
    assert len(hospital.ledger.get_shift(shift).seats) == 2


def test_every_seat_ends_with_an_outcome(hospital: Hospital, clock: FixedClock) -> None:
    shift = hospital.shift(capacity=4)
    served, absent, late, early = (hospital.volunteer(n) for n in ("A", "B", "C", "D"))
    for v in (served, absent, late, early):
        hospital.ledger.sign_up(shift, v, COORDINATOR)
    clock.set(MONDAY_8 - timedelta(days=3))
    hospital.ledger.withdraw(shift, early, early.hex)
    clock.set(MONDAY_8 - timedelta(hours=2))
    hospital.ledger.withdraw(shift, late, late.hex)
    clock.set(MONDAY_8)
    hospital.ledger.check_in(shift, served, "kiosk", COORDINATOR)
    with pytest.raises(errors.ShiftStarted):
        hospital.ledger.withdraw(shift, absent, absent.hex)
    hospital.ledger.mark_no_show(shift, absent, COORDINATOR)
    clock.advance(hours=4)
    hospital.ledger.check_out(shift, served, {"guidance": 20}, COORDINATOR)
    seats = hospital.ledger.get_shift(shift).seats
    assert {v: seats[v].outcome for v in (served, absent, late, early)} == {
        served: "served", absent: "no_show", late: "late_cancellation", early: "cancelled_in_time",
    }


def test_a_no_show_can_only_be_marked_once_the_shift_started(hospital: Hospital, clock: FixedClock) -> None:
    shift, volunteer = hospital.shift(), hospital.volunteer()
    hospital.ledger.sign_up(shift, volunteer, COORDINATOR)
    with pytest.raises(errors.ShiftNotStarted):
        hospital.ledger.mark_no_show(shift, volunteer, COORDINATOR)
    clock.set(MONDAY_8 + timedelta(minutes=20))
    hospital.ledger.mark_no_show(shift, volunteer, COORDINATOR)
    with pytest.raises(errors.MarkedNoShow):
        hospital.ledger.check_in(shift, volunteer, "kiosk", COORDINATOR)


def test_hours_are_corrected_only_by_an_approved_request(hospital: Hospital, clock: FixedClock) -> None:
    ledger = hospital.ledger
    shift, volunteer = hospital.shift(), hospital.volunteer()
    ledger.sign_up(shift, volunteer, COORDINATOR)
    clock.set(MONDAY_8)
    ledger.check_in(shift, volunteer, "kiosk", COORDINATOR)
    clock.advance(minutes=30)
    ledger.check_out(shift, volunteer, {"guidance": 2}, COORDINATOR)  # checked out by mistake
    request = ledger.request_hours_correction(shift, volunteer, 240, "kiosk check-out by mistake", volunteer.hex).value
    assert ledger.get_shift(shift).seats[volunteer].minutes == 30  # nothing changes until approved
    ledger.approve_hours_correction(shift, request, COORDINATOR)
    assert ledger.get_shift(shift).seats[volunteer].minutes == 240
    with pytest.raises(errors.CorrectionNotPending):
        ledger.decline_hours_correction(shift, request, "already decided", COORDINATOR)
    declined = ledger.request_hours_correction(shift, volunteer, 300, "stayed late", volunteer.hex).value
    ledger.decline_hours_correction(shift, declined, "the shift ended at noon", COORDINATOR)
    assert ledger.get_shift(shift).seats[volunteer].minutes == 240
    assert hospital.events_of(shift)[-4:] == [
        "HoursCorrectionRequested", "HoursCorrected", "HoursCorrectionRequested", "HoursCorrectionDeclined",
    ]


def test_every_event_records_who_did_it(hospital: Hospital, clock: FixedClock) -> None:
    shift, volunteer = hospital.shift(), hospital.volunteer()
    hospital.ledger.sign_up(shift, volunteer, "account:li")
    events = [hospital.ledger.mapper.to_domain_event(n)
              for n in hospital.ledger.recorder.select_notifications(1, 10_000)]
    assert events and all(getattr(e, "actor", "") for e in events)
    assert events[-1].actor == "account:li"


def test_a_checked_in_volunteer_cannot_withdraw_nor_be_a_no_show(hospital: Hospital, clock: FixedClock) -> None:
    shift, volunteer = hospital.shift(), hospital.volunteer()
    hospital.ledger.sign_up(shift, volunteer, COORDINATOR)
    clock.set(MONDAY_8 - timedelta(minutes=30))
    hospital.ledger.check_in(shift, volunteer, "kiosk", COORDINATOR)
    with pytest.raises(errors.AlreadyCheckedIn) as refused:
        hospital.ledger.withdraw(shift, volunteer, volunteer.hex)
    assert refused.value.reason == "already_checked_in"
    clock.set(MONDAY_8 + timedelta(minutes=30))
    with pytest.raises(errors.AlreadyCheckedIn):
        hospital.ledger.mark_no_show(shift, volunteer, COORDINATOR)


def test_a_shift_with_volunteers_on_duty_cannot_be_cancelled_or_moved(hospital: Hospital, clock: FixedClock) -> None:
    shift, volunteer = hospital.shift(), hospital.volunteer()
    hospital.ledger.sign_up(shift, volunteer, COORDINATOR)
    clock.set(MONDAY_8)
    hospital.ledger.check_in(shift, volunteer, "kiosk", COORDINATOR)
    with pytest.raises(errors.VolunteersOnDuty) as refused:
        hospital.ledger.cancel_shift(shift, "storm", COORDINATOR)
    assert refused.value.reason == "volunteers_on_duty"
    with pytest.raises(errors.VolunteersOnDuty):
        hospital.ledger.reschedule_shift(shift, MONDAY_8 + timedelta(hours=1), MONDAY_8 + timedelta(hours=5), 3,
                                         COORDINATOR)


def test_the_domain_never_reads_the_wall_clock_itself() -> None:
    from pathlib import Path

    import domain

    offenders = [
        path.name for path in Path(domain.__file__).parent.glob("*.py")
        if path.name != "clock.py"
        and any(call in path.read_text() for call in ("datetime.now(", "date.today(", "time.time(", "utcnow("))
    ]
    assert offenders == []


def test_a_walk_in_takes_a_free_place_and_checks_in_in_one_save_or_records_nothing(hospital: Hospital,
                                                                                   clock: FixedClock) -> None:
    ledger = hospital.ledger
    shift = hospital.shift(capacity=2)
    regular, walker, late = hospital.volunteer("Li Wei"), hospital.volunteer("Tang Min"), hospital.volunteer("Xu Ning")
    ledger.sign_up(shift, regular, COORDINATOR)
    clock.set(MONDAY_8 - timedelta(hours=2))  # check-in is not open yet: no place is taken either
    before = (hospital.events_of(shift), hospital.events_of(walker))
    with pytest.raises(errors.OutsideCheckInWindow):
        ledger.walk_in(shift, walker, "kiosk", "kiosk")
    assert (hospital.events_of(shift), hospital.events_of(walker)) == before
    clock.set(MONDAY_8 + timedelta(minutes=20))
    ledger.walk_in(shift, walker, "kiosk", "kiosk")
    assert hospital.events_of(shift)[-2:] == ["SignedUp", "CheckedIn"]
    assert ledger.get_shift(shift).seat_of(walker).state == "checked_in"
    recorded = hospital.events_of(shift)
    ledger.walk_in(shift, walker, "kiosk", "kiosk")  # a double tap records nothing more
    assert hospital.events_of(shift) == recorded
    with pytest.raises(errors.ShiftFull):
        ledger.walk_in(shift, late, "kiosk", "kiosk")
