"""A case over HTTP from intake to closure, and who may read its notes."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from tests.integration.conftest import PASSWORD, World
from web.passwords import hash_password


def staff(world: World) -> dict[str, str]:
    ledger, unit = world.ledger, world.hospital.unit
    ids = {}
    for name in ("head", "intern", "colleague"):
        ids[name] = str(ledger.open_account(name, hash_password(PASSWORD), "social_worker", [unit], None, "admin").id)
    ids["elsewhere"] = str(ledger.open_account("elsewhere", hash_password(PASSWORD), "social_worker",
                                               [world.other_unit], None, "admin").id)
    ids["sw"] = str(ledger.find_account("sw").id)
    for name in ("sw", "intern"):
        answer = world.call("admin", "POST", f"/api/v1/accounts/{ids[name]}/supervision",
                            json={"supervisor_id": ids["head"], "intern": name == "intern"})
        assert answer.status_code == 200, answer.text
    return ids


def step(world: World, user: str, case: str, path: str, body: dict | None = None, status: int = 200) -> dict:
    answer = world.call(user, "POST", f"/api/v1/cases/{case}{path}", json=body)
    assert answer.status_code == status, answer.text
    return answer.json()


def test_a_case_runs_from_intake_to_closure_with_a_countersigned_intern_note(world: World, clock) -> None:
    ids = staff(world)
    opened = world.call("sw", "POST", "/api/v1/cases", json={"unit_id": str(world.hospital.unit),
                                                            "patient_id": "MRN-31337", "source": "ward_referral"})
    assert opened.status_code == 201 and opened.json()["patient_ref"].startswith("pr_")
    case = opened.json()["id"]
    refused = world.call("sw", "POST", f"/api/v1/cases/{case}/notes", json={
        "contact_at": clock.now().isoformat(), "contacted": ["patient"], "text": "first visit"})
    assert refused.status_code == 422 and refused.json()["reason"] == "consent_missing"
    step(world, "sw", case, "/consent", {"scope": ["health_information", "referral"]})
    step(world, "sw", case, "/assessment", {"risk": "high", "needs": ["financial"]})
    step(world, "sw", case, "/plan", {"goals": ["medical assistance fund"]})
    world.ledger.transfer_case(UUID(case), UUID(ids["intern"]), "sw")
    note = step(world, "intern", case, "/notes", {"contact_at": (clock.now() - timedelta(hours=30)).isoformat(),
                                                  "contacted": ["patient", "family"], "text": "Family visited."}, 201)
    assert note["pending"] is True and note["late"] is True
    closing = world.call("intern", "POST", f"/api/v1/cases/{case}/close", json={"outcome": "goals_met"})
    assert closing.status_code == 409 and closing.json()["reason"] == "countersignature_pending"
    not_mine = world.call("sw", "POST", f"/api/v1/cases/{case}/notes/{note['note_id']}/countersign")
    assert not_mine.status_code == 403
    step(world, "head", case, f"/notes/{note['note_id']}/countersign")
    step(world, "intern", case, "/referrals", {"to": "charity federation"}, 201)
    step(world, "intern", case, "/evaluation", {"result": "goals_met"})
    closed = step(world, "intern", case, "/close", {"outcome": "goals_met"})
    assert closed["status"] == "closed"
    seen = world.call("head", "GET", f"/api/v1/cases/{case}",
                      params={"min_position": world.ledger.position}).json()
    assert (seen["status"], seen["outcome"], seen["late_notes"]) == ("closed", "goals_met", 1)
    report = world.call("head", "GET", "/api/v1/reports/cases", params={"from": "2026-11-01", "to": "2026-11-30"})
    assert report.json()["opened"] == [{"unit_id": str(world.hospital.unit), "source": "ward_referral", "cases": 1}]
    assert "Family visited." not in report.text


@pytest.mark.parametrize(("reader", "may_read"), [
    ("sw", True), ("intern", True), ("head", True), ("colleague", False), ("elsewhere", False),
    ("coord", False), ("auditor", False), ("admin", False), ("li", False), ("kiosk", False),
])
def test_notes_are_read_only_by_the_cases_workers_and_their_supervisor(world: World, clock, reader: str,
                                                                      may_read: bool) -> None:
    staff(world)
    case = world.call("sw", "POST", "/api/v1/cases", json={"unit_id": str(world.hospital.unit),
                                                          "patient_id": "MRN-1", "source": "outreach"}).json()["id"]
    step(world, "sw", case, "/consent", {"scope": ["health_information"]})
    world.ledger.record_case_note(UUID(case), world.ledger.find_account("intern").id, clock.now(),
                                  ["patient"], "Sensitive words.", "intern")
    answer = world.call(reader, "GET", f"/api/v1/cases/{case}/notes")
    if may_read:
        assert answer.status_code == 200 and answer.json()[0]["text"] == "Sensitive words."
    else:
        assert answer.status_code == 403 and "Sensitive words." not in answer.text


def test_groups_and_community_activities_count_in_the_tallies(world: World) -> None:
    group = world.call("sw", "POST", "/api/v1/groups", json={"kind": "community", "unit_id": str(world.hospital.unit),
                                                            "title": "Health fair", "service_type": "guidance"})
    assert group.status_code == 201
    met = world.call("sw", "POST", f"/api/v1/groups/{group.json()['id']}/meetings",
                     json={"started_at": "2026-11-23T07:30:00+08:00", "minutes": 180, "persons": 240})
    assert met.status_code == 201
    tallies = world.call("auditor", "GET", "/api/v1/reports/tallies", params={
        "from": "2026-11-23", "to": "2026-11-23", "min_position": met.headers["X-CareLedger-Position"]}).json()
    assert tallies["rows"] == [{"key": "guidance", "person_times": 240}]
    bad = world.call("sw", "POST", "/api/v1/cases", json={"unit_id": str(world.hospital.unit), "patient_id": "x",
                                                          "source": "rumour"})
    assert bad.status_code == 400


def test_an_intervention_session_belongs_to_its_case(world: World) -> None:
    case = world.call("sw", "POST", "/api/v1/cases", json={"unit_id": str(world.hospital.unit),
                                                          "patient_id": "MRN-77", "source": "outreach"}).json()["id"]
    body = {"unit_id": str(world.hospital.unit), "patient_id": "MRN-77", "service_type": "psychological_support",
            "mode": "individual", "started_at": "2026-11-23T08:00:00+08:00", "minutes": 40, "case_id": case}
    logged = world.call("sw", "POST", "/api/v1/sessions", json=body)
    assert logged.status_code == 201
    shown = world.call("sw", "GET", f"/api/v1/sessions/{logged.json()['id']}",
                       params={"min_position": logged.headers["X-CareLedger-Position"]}).json()
    assert shown["case_id"] == case
    other_patient = world.call("sw", "POST", "/api/v1/sessions", json=body | {"patient_id": "MRN-78"})
    assert other_patient.status_code == 400 and other_patient.json()["field"] == "case_id"
