"""A case from intake to closure: consent first, steps in order, interns countersigned, closure clean."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from domain import errors
from domain.application import CareLedger
from domain.clock import FixedClock
from tests.conftest import CST
from tests.scenario import Hospital


class Department:
    """A social-work department: a supervisor, a worker and an intern, in one unit."""

    def __init__(self, ledger: CareLedger) -> None:
        self.ledger = ledger
        self.unit = Hospital(ledger).unit
        open_worker = lambda name: ledger.open_account(name, "h", "social_worker", [self.unit], None, "admin").id  # noqa: E731
        self.supervisor, self.worker, self.intern = open_worker("zhou"), open_worker("chen"), open_worker("xiao")
        ledger.assign_supervision(self.worker, self.supervisor, False, "admin")
        ledger.assign_supervision(self.intern, self.supervisor, True, "admin")

    def case(self, consent: list[str] | None = None):
        case = self.ledger.open_case(self.unit, self.worker, "pr_5f2a", "ward_referral", str(self.worker)).id
        if consent:
            self.ledger.give_consent(case, consent, str(self.worker))
        return case


@pytest.fixture
def department(ledger: CareLedger) -> Department:
    return Department(ledger)


def test_a_case_runs_from_intake_to_closure(department: Department, clock: FixedClock) -> None:
    ledger, me = department.ledger, str(department.worker)
    case = department.case(["health_information", "referral"])
    ledger.assess_case(case, "high", ["financial", "caregiver strain"], me)
    ledger.plan_case(case, ["apply for medical assistance fund", "family meeting"], me)
    clock.advance(hours=2)
    ledger.record_case_note(case, department.worker, clock.now() - timedelta(minutes=30), ["patient", "family"],
                            "Family meeting held; fund application started.", me)
    ledger.refer_case_out(case, "district charity federation", me)
    ledger.evaluate_case(case, "goals_met", me)
    ledger.close_case(case, "goals_met", me)
    found = ledger.get_case(case)
    assert found.status == "closed" and found.risk == "high" and found.referrals == ["district charity federation"]
    assert [type(e).__name__ for e in ledger.events.get(case)] == [
        "Opened", "ConsentGiven", "Assessed", "Planned", "NoteRecorded", "ReferredOut", "Evaluated", "Closed"]


def test_without_consent_a_case_records_no_notes_and_makes_no_referral(department: Department,
                                                                       clock: FixedClock) -> None:
    ledger, me = department.ledger, str(department.worker)
    case = department.case()
    with pytest.raises(errors.ConsentMissing) as refused:
        ledger.record_case_note(case, department.worker, clock.now(), ["patient"], "First contact.", me)
    assert refused.value.reason == "consent_missing" and refused.value.status == 422
    ledger.give_consent(case, ["health_information"], me)
    ledger.record_case_note(case, department.worker, clock.now(), ["patient"], "First contact.", me)
    with pytest.raises(errors.ConsentMissing):
        ledger.refer_case_out(case, "hospice", me)  # consent to health information is not consent to refer


def test_withdrawing_consent_stops_further_processing(department: Department, clock: FixedClock) -> None:
    ledger, me = department.ledger, str(department.worker)
    case = department.case(["health_information", "referral"])
    ledger.withdraw_consent(case, me)
    for step in (lambda: ledger.assess_case(case, "low", [], me),
                 lambda: ledger.record_case_note(case, department.worker, clock.now(), ["patient"], "x", me),
                 lambda: ledger.refer_case_out(case, "hospice", me)):
        with pytest.raises(errors.ConsentMissing):
            step()
    ledger.close_case(case, "patient_withdrew", me)  # closing the file is still allowed


def test_steps_come_in_order(department: Department) -> None:
    ledger, me = department.ledger, str(department.worker)
    case = department.case(["health_information"])
    with pytest.raises(errors.CaseStepOutOfOrder):
        ledger.plan_case(case, ["goal"], me)
    with pytest.raises(errors.CaseStepOutOfOrder):
        ledger.evaluate_case(case, "goals_met", me)
    ledger.assess_case(case, "medium", [], me)
    with pytest.raises(errors.InvalidCommand) as no_goal:
        ledger.plan_case(case, ["  "], me)
    assert no_goal.value.field == "goals"


def test_an_interns_note_waits_for_the_supervisor_before_the_case_can_close(department: Department,
                                                                            clock: FixedClock) -> None:
    ledger = department.ledger
    case = department.case(["health_information"])
    note = ledger.record_case_note(case, department.intern, clock.now(), ["patient"], "Intern's first visit.",
                                   str(department.intern)).value
    assert ledger.get_case(case).notes[note].pending
    with pytest.raises(errors.CountersignaturePending) as refused:
        ledger.close_case(case, "other", str(department.worker))
    assert refused.value.reason == "countersignature_pending"
    with pytest.raises(errors.InvalidCommand):
        ledger.countersign_note(case, note, department.intern, str(department.intern))
    ledger.countersign_note(case, note, department.supervisor, str(department.supervisor))
    with pytest.raises(errors.NotPending):
        ledger.countersign_note(case, note, department.supervisor, str(department.supervisor))
    ledger.close_case(case, "other", str(department.worker))
    with pytest.raises(errors.CaseClosed):
        ledger.record_case_note(case, department.worker, clock.now(), ["patient"], "after", "x")


def test_a_note_written_long_after_the_contact_is_a_late_entry(department: Department, clock: FixedClock) -> None:
    ledger, me = department.ledger, str(department.worker)
    case = department.case(["health_information"])
    on_time = ledger.record_case_note(case, department.worker, clock.now() - timedelta(hours=3), ["family"],
                                      "Phone call with daughter.", me).value
    late = ledger.record_case_note(case, department.worker, clock.now() - timedelta(hours=30), ["care_team"],
                                   "Ward round last Tuesday.", me).value
    notes = ledger.get_case(case).notes
    assert (notes[on_time].late, notes[late].late) == (False, True)
    with pytest.raises(errors.InvalidCommand) as unknown:
        ledger.record_case_note(case, department.worker, clock.now(), ["neighbour"], "x", me)
    assert unknown.value.field == "contacted"


def test_a_case_is_transferred_to_another_worker(department: Department) -> None:
    ledger = department.ledger
    case = department.case()
    ledger.transfer_case(case, department.supervisor, str(department.worker))
    found = ledger.get_case(case)
    assert found.lead_worker == department.supervisor and department.supervisor in found.workers
    with pytest.raises(errors.InvalidCommand):
        ledger.transfer_case(case, department.unit, str(department.worker))  # not a social worker


def test_intake_needs_a_known_source_and_a_social_worker(department: Department) -> None:
    ledger = department.ledger
    with pytest.raises(errors.InvalidCommand) as bad_source:
        ledger.open_case(department.unit, department.worker, "pr_1", "rumour", "x")
    assert bad_source.value.field == "source"
    coordinator = ledger.open_account("li", "h", "coordinator", [department.unit], None, "admin").id
    with pytest.raises(errors.InvalidCommand):
        ledger.open_case(department.unit, coordinator, "pr_1", "outreach", "x")


def test_groups_and_community_activities_count_persons(department: Department) -> None:
    ledger = department.ledger
    group = ledger.form_group("group", department.unit, "Caregivers' support group", "psychological_support",
                              department.worker, "x").id
    ledger.hold_meeting(group, datetime(2026, 11, 23, 15, tzinfo=CST), 90, 9, "x")
    assert ledger.get_group(group).meetings == 1
    with pytest.raises(errors.InvalidCommand):
        ledger.hold_meeting(group, datetime(2026, 11, 23, 15, tzinfo=CST), 90, 0, "x")
    with pytest.raises(errors.InvalidCommand):
        ledger.form_group("party", department.unit, "x", "communication", department.worker, "x")
