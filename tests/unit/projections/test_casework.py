"""Case work in the read models: stages, worklist, reports — and never a note or a raw patient id."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from domain.policy import CasePolicy
from projections import casework, tallies
from projections.projector import READ_MODELS, Projector
from projections.rebuild import rebuild
from tests.conftest import CST
from tests.unit.domain.test_cases import Department
from tests.unit.projections.conftest import dump
from web.pseudonyms import patient_ref

SECRET_NOTE = "Disclosed domestic violence; safety plan agreed"
RAW_PATIENT_ID = "MRN-00912345"


def full_case(department: Department, clock) -> tuple:
    ledger, me = department.ledger, str(department.worker)
    ref = patient_ref(RAW_PATIENT_ID, b"test-secret")
    case = ledger.open_case(department.unit, department.worker, ref, "outreach", me).id
    ledger.give_consent(case, ["health_information", "referral"], me)
    ledger.assess_case(case, "high", ["safety"], me)
    ledger.plan_case(case, ["safety plan"], me)
    note = ledger.record_case_note(case, department.intern, clock.now() - timedelta(hours=30), ["patient"],
                                   SECRET_NOTE, str(department.intern)).value
    ledger.countersign_note(case, note, department.supervisor, str(department.supervisor))
    ledger.refer_case_out(case, "women's federation shelter", me)
    ledger.evaluate_case(case, "partially_met", me)
    ledger.close_case(case, "referred_out", me)
    return case, ref


def test_a_closed_case_shows_its_stages_in_the_read_model(memory_ledger, clock, store) -> None:
    department = Department(memory_ledger)
    case, ref = full_case(department, clock)
    Projector(memory_ledger, store).catch_up()
    row = casework.case(store.db, str(case))
    assert (row["status"], row["risk"], row["outcome"], row["source"]) == ("closed", "high", "referred_out", "outreach")
    assert (row["notes"], row["late_notes"], row["pending_countersign"], row["referrals"]) == (1, 1, 0, 1)
    assert row["patient_ref"] == ref and row["note_index"][0]["countersigned_by"] == str(department.supervisor)


def test_no_note_text_and_no_raw_patient_id_anywhere_in_the_read_models_or_the_logs(
    memory_ledger, clock, store, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    department = Department(memory_ledger)
    full_case(department, clock)
    memory_ledger.log_session(department.unit, department.worker, patient_ref(RAW_PATIENT_ID, b"test-secret"),
                              "communication", "individual", clock.now(), 30, 1, "x", notes=SECRET_NOTE)
    Projector(memory_ledger, store).catch_up()
    for table, rows in dump(store).items():
        for row in rows:
            text = repr(row)
            assert "domestic violence" not in text and RAW_PATIENT_ID not in text, table
    assert "domestic violence" not in caplog.text and RAW_PATIENT_ID not in caplog.text
    raw_log = b"".join(n.state for n in memory_ledger.recorder.select_notifications(1, 10_000))
    assert RAW_PATIENT_ID.encode() not in raw_log  # only the pseudonym was ever given to the domain


def test_the_worklist_shows_what_is_due_and_overdue(memory_ledger, clock, store) -> None:
    department = Department(memory_ledger)
    ledger, me = department.ledger, str(department.worker)
    fresh = ledger.open_case(department.unit, department.worker, "pr_a", "self_referral", me).id
    risky = ledger.open_case(department.unit, department.worker, "pr_b", "ward_referral", me).id
    ledger.give_consent(risky, ["health_information"], me)
    ledger.assess_case(risky, "high", [], me)
    ledger.record_case_note(risky, department.intern, clock.now(), ["patient"], "visit", str(department.intern))
    Projector(memory_ledger, store).catch_up()
    now = clock.now()
    items = {(i["case_id"], i["item"]): i for i in casework.worklist(store.db, None, now, CasePolicy())}
    assert items[(str(fresh), "assessment")]["overdue"] is False
    assert items[(str(risky), "countersignature")]
    later = {(i["case_id"], i["item"]): i for i in casework.worklist(store.db, None, now + timedelta(days=8),
                                                                      CasePolicy())}
    assert later[(str(fresh), "assessment")]["overdue"] and later[(str(risky), "high_risk_note")]["overdue"]


def test_reports_count_cases_by_source_and_outcome_and_service_by_mode(memory_ledger, clock, store) -> None:
    department = Department(memory_ledger)
    ledger = department.ledger
    full_case(department, clock)
    ledger.open_case(department.unit, department.worker, "pr_c", "self_referral", "x")
    ledger.log_session(department.unit, department.worker, "pr_c", "communication", "individual", clock.now(), 30, 1,
                       "x")
    group = ledger.form_group("community", department.unit, "Health fair", "guidance", department.worker, "x").id
    ledger.hold_meeting(group, clock.now(), 120, 150, "x")
    Projector(memory_ledger, store).catch_up()
    day = clock.now().date().isoformat()
    found = casework.report(store.db, None, day, day)
    unit = str(department.unit)
    assert found["opened"] == [{"unit_id": unit, "source": "outreach", "cases": 1},
                               {"unit_id": unit, "source": "self_referral", "cases": 1}]
    assert found["closed"] == [{"unit_id": unit, "outcome": "referred_out", "cases": 1}]
    assert found["active"] == [{"unit_id": unit, "cases": 1}]
    assert found["by_mode"] == [{"mode": "community", "sessions": 1, "person_times": 150},
                                {"mode": "individual", "sessions": 1, "person_times": 1}]
    assert tallies.report(store.db, day, day, None, "service_type")["rows"] == [
        {"key": "communication", "person_times": 1}, {"key": "guidance", "person_times": 150}]


def test_case_work_rebuilt_equals_live(memory_ledger, clock, tmp_path, store) -> None:
    department = Department(memory_ledger)
    full_case(department, clock)
    group = memory_ledger.form_group("group", department.unit, "Caregivers", "psychological_support",
                                     department.worker, "x").id
    memory_ledger.hold_meeting(group, datetime(2026, 11, 23, 15, tzinfo=CST), 60, 8, "x")
    Projector(memory_ledger, store, batch_size=3).catch_up()
    rebuild(memory_ledger, tmp_path / "rebuilt.sqlite3")
    from projections.store import ReadModelStore

    rebuilt = ReadModelStore(tmp_path / "rebuilt.sqlite3", READ_MODELS)
    assert dump(rebuilt) == dump(store)
