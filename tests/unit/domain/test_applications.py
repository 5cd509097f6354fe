"""The application's rules, given/when/then: the pipeline in order, closing with a reason, and a
volunteer under 18 taking daytime shifts only (the programme's hours, on its wall clock)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from domain import errors
from domain.application import CareLedger
from domain.applications import birth_date_of
from domain.clock import FixedClock
from domain.usecases.applications import ApplicationForm
from tests.conftest import CST
from tests.integration.test_applications_api import resident_id
from tests.scenario import COORDINATOR, Hospital


def applied(hospital: Hospital, born: date, phone: str = "13712340000", **guardian) -> tuple:
    form = ApplicationForm(hospital.unit, "Xu Le", phone, "resident_id", resident_id(born, phone[-3:]), born,
                           ["weekend_mornings"], [], [], "Xu Da", "13712349999", True, True, **guardian)
    application = hospital.ledger.apply(form, "v1", "v1", "digest-id", "digest-phone", None, "public").id
    return application, hospital.ledger.get_application(application).volunteer_id


def test_a_resident_card_number_carries_the_birth_date() -> None:
    assert birth_date_of("resident_id", resident_id(date(2009, 2, 28))) == date(2009, 2, 28)
    assert birth_date_of("passport", "E1234567") is None


def test_the_pipeline_goes_in_order_and_closing_needs_a_reason(ledger: CareLedger) -> None:
    hospital = Hospital(ledger)
    application, volunteer = applied(hospital, date(1990, 1, 1))
    with pytest.raises(errors.ApplicationStepOutOfOrder):
        ledger.activate_applicant(application, COORDINATOR)
    ledger.interview_applicant(application, "", COORDINATOR)
    with pytest.raises(errors.ApplicationStepOutOfOrder):
        ledger.interview_applicant(application, "", COORDINATOR)  # not twice
    with pytest.raises(errors.InvalidCommand):
        ledger.close_application(application, "rejected", " ", "Ruijin", COORDINATOR)
    ledger.close_application(application, "withdrawn", "Moved to Hangzhou", "Ruijin", COORDINATOR)
    with pytest.raises(errors.ApplicationStepOutOfOrder):
        ledger.screen_applicant(application, ("health_check",), COORDINATOR)
    assert ledger.get_volunteer(volunteer).status == "retired"


def test_a_volunteer_under_18_takes_daytime_shifts_only(ledger: CareLedger, clock: FixedClock) -> None:
    hospital = Hospital(ledger)
    _, teen = applied(hospital, date(2010, 6, 1), guardian_name="Xu Da", guardian_phone="13712342222",
                      guardian_consents=True)
    ledger.approve_volunteer(teen, COORDINATOR)
    ledger.enrol(hospital.pre_job, teen, COORDINATOR)
    ledger.assess(hospital.pre_job, teen, True, 90, COORDINATOR)
    evening = hospital.shift(starts=datetime(2026, 11, 24, 17, tzinfo=CST), hours=3)  # until 20:00
    morning = hospital.shift(starts=datetime(2026, 11, 25, 9, tzinfo=CST), hours=3)
    with pytest.raises(errors.MinorOutsideDaytime):
        ledger.sign_up(evening, teen, COORDINATOR)
    ledger.sign_up(morning, teen, COORDINATOR)
    adult = hospital.volunteer("Wang Fang")
    ledger.sign_up(evening, adult, COORDINATOR)  # the rule is for minors alone
    assert "MinorRecorded" in hospital.events_of(teen)
    assert not ledger.get_volunteer(teen).minor_on(date(2028, 6, 1))  # eighteen: any shift


def test_the_agreement_accepted_on_the_form_is_the_activated_volunteers(ledger: CareLedger) -> None:
    hospital = Hospital(ledger)
    application, volunteer = applied(hospital, date(1990, 1, 1))
    ledger.interview_applicant(application, "", COORDINATOR)
    ledger.record_credential(volunteer, "health_check", date(2026, 11, 20), None, COORDINATOR)
    ledger.screen_applicant(application, ("health_check",), COORDINATOR)
    ledger.enrol(hospital.pre_job, volunteer, COORDINATOR)
    ledger.assess(hospital.pre_job, volunteer, True, 90, COORDINATOR)
    ledger.mark_applicant_trained(application, COORDINATOR)
    assert getattr(ledger.get_volunteer(volunteer), "agreement", None) is None
    ledger.activate_applicant(application, COORDINATOR)
    assert ledger.get_volunteer(volunteer).agreement == "v1"  # the version on the form, as accepted there
