"""Trainings grant qualifications; volunteers move through their lifecycle; units and accounts."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from domain import errors
from domain.application import CareLedger
from tests.conftest import CST
from tests.scenario import COORDINATOR, Hospital


@pytest.fixture
def hospital(ledger: CareLedger) -> Hospital:
    return Hospital(ledger)


def sign_language_course(hospital: Hospital, capacity: int = 2) -> object:
    return hospital.ledger.schedule_training(
        "Sign language, level 1", "sign_language", hospital.unit,
        datetime(2026, 11, 10, 14, tzinfo=CST), datetime(2026, 11, 10, 17, tzinfo=CST),
        capacity=capacity, validity_days=730, actor=COORDINATOR,
    ).id


def test_passing_a_training_grants_its_qualification_in_the_same_save(hospital: Hospital) -> None:
    ledger = hospital.ledger
    course, volunteer = sign_language_course(hospital), hospital.volunteer()
    ledger.enrol(course, volunteer, COORDINATOR)
    receipt = ledger.assess(course, volunteer, True, 88.5, COORDINATOR)
    held = ledger.get_volunteer(volunteer).qualifications["sign_language"]
    assert (held.since, held.valid_until) == (date(2026, 11, 10), date(2028, 11, 9))
    last_two = ledger.recorder.select_notifications(receipt.position - 1, 2)
    assert [n.topic.rsplit(".", 1)[-1] for n in last_two] == ["Assessed", "QualificationGranted"]


def test_failing_a_training_grants_nothing(hospital: Hospital) -> None:
    course, volunteer = sign_language_course(hospital), hospital.volunteer()
    hospital.ledger.enrol(course, volunteer, COORDINATOR)
    hospital.ledger.assess(course, volunteer, False, 40, COORDINATOR)
    assert "sign_language" not in hospital.ledger.get_volunteer(volunteer).qualifications


def test_an_other_course_grants_what_it_names_or_nothing_never_a_qualification_called_other(
        hospital: Hospital) -> None:
    ledger = hospital.ledger
    day = datetime(2026, 11, 12, 9, tzinfo=CST), datetime(2026, 11, 12, 11, tzinfo=CST)
    talk = ledger.schedule_training("Welcome talk", "other", hospital.unit, *day, capacity=5, validity_days=None,
                                    actor=COORDINATOR).id
    dementia = ledger.schedule_training("Dementia care", "other", hospital.unit, *day, capacity=5, validity_days=None,
                                        actor=COORDINATOR, grants="dementia_care").id
    volunteer = hospital.volunteer()
    for course in (talk, dementia):
        ledger.enrol(course, volunteer, COORDINATOR)
        ledger.assess(course, volunteer, True, None, COORDINATOR)
    held = set(ledger.get_volunteer(volunteer).qualifications)
    assert "dementia_care" in held and "other" not in held and "" not in held


def test_a_full_training_refuses_another_enrolment(hospital: Hospital) -> None:
    course = sign_language_course(hospital, capacity=1)
    hospital.ledger.enrol(course, hospital.volunteer("A"), COORDINATOR)
    with pytest.raises(errors.TrainingFull) as refused:
        hospital.ledger.enrol(course, hospital.volunteer("B"), COORDINATOR)
    assert refused.value.reason == "training_full"


def test_enrolling_twice_is_one_enrolment(hospital: Hospital) -> None:
    course, volunteer = sign_language_course(hospital), hospital.volunteer()
    hospital.ledger.enrol(course, volunteer, COORDINATOR)
    assert hospital.ledger.enrol(course, volunteer, COORDINATOR).position is None
    assert hospital.events_of(course).count("Enrolled") == 1


def test_only_enrolled_volunteers_are_assessed(hospital: Hospital) -> None:
    course = sign_language_course(hospital)
    with pytest.raises(errors.NotEnrolled):
        hospital.ledger.assess(course, hospital.volunteer(), True, None, COORDINATOR)


def test_a_cancelled_training_takes_no_enrolment(hospital: Hospital) -> None:
    course = sign_language_course(hospital)
    hospital.ledger.cancel_training(course, "trainer ill", COORDINATOR)
    with pytest.raises(errors.TrainingCancelled):
        hospital.ledger.enrol(course, hospital.volunteer(), COORDINATOR)


def test_a_revoked_qualification_no_longer_qualifies(hospital: Hospital) -> None:
    volunteer = hospital.volunteer()
    hospital.ledger.revoke_qualification(volunteer, "pre_job", "training record withdrawn", COORDINATOR)
    with pytest.raises(errors.NotQualified):
        hospital.ledger.sign_up(hospital.shift(), volunteer, COORDINATOR)


def test_volunteer_lifecycle_refuses_senseless_changes(hospital: Hospital) -> None:
    ledger = hospital.ledger
    volunteer = hospital.volunteer(approved=False, trained=False)
    assert ledger.get_volunteer(volunteer).status == "pending"
    assert ledger.approve_volunteer(volunteer, COORDINATOR).value == "active"
    with pytest.raises(errors.InvalidTransition):
        ledger.approve_volunteer(volunteer, COORDINATOR)
    assert ledger.suspend_volunteer(volunteer, "absent 3 times", COORDINATOR).value == "suspended"
    assert ledger.reinstate_volunteer(volunteer, COORDINATOR).value == "active"
    assert ledger.retire_volunteer(volunteer, COORDINATOR).value == "retired"
    with pytest.raises(errors.InvalidTransition):
        ledger.reinstate_volunteer(volunteer, COORDINATOR)


def test_a_suspension_must_say_why(hospital: Hospital) -> None:
    with pytest.raises(errors.InvalidCommand) as refused:
        hospital.ledger.suspend_volunteer(hospital.volunteer(), "  ", COORDINATOR)
    assert refused.value.field == "reason"


def test_unknown_ids_are_not_found(hospital: Hospital) -> None:
    import uuid

    with pytest.raises(errors.NotFound) as refused:
        hospital.ledger.register_volunteer("A", "13900000001", uuid.uuid4(), [], [], COORDINATOR)
    assert refused.value.status == 404
    with pytest.raises(errors.NotFound):
        hospital.ledger.get_shift(hospital.unit)  # a unit's id is not a shift


def test_usernames_are_unique_whatever_their_case(hospital: Hospital) -> None:
    ledger = hospital.ledger
    ledger.open_account("Alice", "hash", "coordinator", [hospital.unit], None, "admin")
    with pytest.raises(errors.UsernameTaken):
        ledger.open_account("alice", "hash", "auditor", [], None, "admin")
    assert ledger.find_account("ALICE").role == "coordinator"


@pytest.mark.parametrize(
    ("role", "units", "field"),
    [("janitor", True, "role"), ("kiosk", False, "unit_ids"), ("volunteer", True, "volunteer_id")],
)
def test_accounts_need_what_their_role_needs(hospital: Hospital, role: str, units: bool, field: str) -> None:
    with pytest.raises(errors.InvalidCommand) as refused:
        hospital.ledger.open_account("bob", "hash", role, [hospital.unit] if units else [], None, "admin")
    assert refused.value.field == field


def test_the_service_catalogue_is_data(hospital: Hospital) -> None:
    ledger = hospital.ledger
    ledger.add_service_type("escort", "Escort to examinations", "陪检", "admin")
    assert ledger.service_types()["escort"] == ("Escort to examinations", "陪检")
    assert ledger.open_catalogue().position is None  # seeding again records nothing
