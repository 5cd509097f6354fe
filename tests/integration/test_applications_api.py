"""From an application to the first shift over HTTP: the public application, each step of the
pipeline and its refusals, a minor's guardian, duplicates recognised (and never told), the applicant
told why when rejected, and the board rebuilt from the log exactly as it stood."""

from __future__ import annotations

from datetime import date, timedelta

import sqlite3
from uuid import UUID

from domain.clock import FixedClock
from projections.rebuild import rebuild
from tests.integration.conftest import World
from tests.scenario import COORDINATOR

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(born: date, serial: str = "123") -> str:
    """A resident identity card number with a right check digit (GB 11643), born on `born`."""
    body = f"310101{born:%Y%m%d}{serial}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _WEIGHTS)) % 11]


def form(world: World, name: str = "Gao Lin", phone: str = "13712340000", born: date = date(1990, 5, 1),
         **changes) -> dict:
    return {"unit_id": str(world.hospital.unit), "name": name, "phone": phone, "id_type": "resident_id",
            "id_number": resident_id(born, phone[-3:]), "emergency_name": "Gao Min", "emergency_phone": "13712349999",
            "agreement_accepted": True, "consent_given": True, "availability": ["weekend_mornings"],
            "languages": ["zh", "en"]} | changes


def board(world: World) -> dict[str, dict]:
    world.settle()
    return {a["name"]: a for a in world.call("coord", "GET", "/api/v1/applications",
                                             params={"open_only": "false"}).json()}


def test_an_applicant_moves_from_application_to_active_step_by_step(world: World, clock: FixedClock) -> None:
    sent = world.client.post("/api/v1/apply", json=form(world))
    assert (sent.status_code, sent.json()) == (202, {"received": True})
    applicant = board(world)["Gao Lin"]
    assert (applicant["stage"], applicant["minor"], applicant["agreement_version"]) == ("applied", False, "2026-12")
    app_id, volunteer = applicant["application_id"], applicant["volunteer_id"]
    step = lambda name, **body: world.call("coord", "POST", f"/api/v1/applications/{app_id}/{name}", json=body or None)  # noqa: E731
    assert step("screen").json()["reason"] == "application_step_out_of_order"  # interview first
    assert step("interview", note="Warm, speaks English").status_code == 200
    refused = step("screen")
    assert (refused.status_code, refused.json()["reason"]) == (422, "screening_incomplete")
    world.call("coord", "POST", f"/api/v1/volunteers/{volunteer}/credentials",
               json={"kind": "health_check", "recorded_on": clock.now().date().isoformat()})
    assert step("screen").status_code == 200
    assert step("train").json()["reason"] == "training_incomplete"
    volunteer_id = UUID(volunteer)
    world.ledger.enrol(world.hospital.pre_job, volunteer_id, COORDINATOR)
    world.ledger.assess(world.hospital.pre_job, volunteer_id, True, 88, COORDINATOR)
    assert step("train").status_code == 200
    active = step("activate")
    assert active.status_code == 200 and active.json()["invitation_code"]
    assert board(world)["Gao Lin"]["stage"] == "active"
    assert world.ledger.get_volunteer(volunteer_id).status == "active"
    # the invitation makes the login, as issue 20 built it
    joined = world.client.post("/api/v1/invitations/accept", json={
        "code": active.json()["invitation_code"], "username": "gaolin", "password": "a long enough password"})
    assert joined.status_code in (200, 201), joined.text


def test_refusals_name_the_field_and_a_minor_needs_a_guardian(world: World) -> None:
    for changes, field in (({"agreement_accepted": False}, "agreement"), ({"consent_given": False}, "consent"),
                           ({"id_number": "310101199005011234"}, "id_number"),
                           ({"id_type": "passport", "id_number": "E1234567"}, "birth_date"),
                           ({"emergency_phone": "12"}, "emergency_phone")):
        answer = world.client.post("/api/v1/apply", json=form(world, **changes))
        assert answer.status_code == 400 and answer.json()["field"] == field, (changes, answer.text)
    teen = form(world, name="Xu Le", phone="13712341111", born=date(2011, 3, 1))
    refused = world.client.post("/api/v1/apply", json=teen)
    assert refused.json()["field"] == "guardian_name"
    refused = world.client.post("/api/v1/apply", json=teen | {"guardian_name": "Xu Da", "guardian_phone": "13712342222"})
    assert refused.json()["field"] == "guardian_consent"
    assert world.client.post("/api/v1/apply", json=teen | {"guardian_name": "Xu Da", "guardian_phone": "13712342222",
                                                          "guardian_consents": True}).status_code == 202
    assert board(world)["Xu Le"]["minor"] is True
    events = [type(e).__name__ for e in world.ledger.events.get(
        UUID(board(world)["Xu Le"]["application_id"]))]
    assert events == ["Submitted", "AgreementAccepted", "DataConsentGiven", "GuardianConsented"]


def test_a_second_application_is_recognised_on_the_board_but_never_told(world: World) -> None:
    first = world.client.post("/api/v1/apply", json=form(world))
    again = world.client.post("/api/v1/apply", json=form(world, name="Gao  Lin"))  # the same phone and ID
    assert first.json() == again.json() and first.status_code == again.status_code  # nothing told
    shown = board(world)
    assert shown["Gao Lin"]["duplicate_of"] is None
    assert shown["Gao  Lin"]["duplicate_of"] == shown["Gao Lin"]["application_id"]


def test_a_rejected_applicant_is_told_why_and_the_board_rebuilds_exactly(world: World, clock: FixedClock,
                                                                          tmp_path) -> None:
    world.client.post("/api/v1/apply", json=form(world))
    world.client.post("/api/v1/apply", json=form(world, name="Hu Jing", phone="13712345555"))
    shown = board(world)
    reject = world.call("coord", "POST", f"/api/v1/applications/{shown['Gao Lin']['application_id']}/reject",
                        json={"reason": "We need weekday volunteers this season."})
    assert reject.status_code == 200
    clock.advance(days=9)
    world.call("coord", "POST", f"/api/v1/applications/{shown['Hu Jing']['application_id']}/interview", json={})
    world.settle()
    notices = world.call("coord", "GET", "/api/v1/reports/notices").json()
    told = [n for n in notices if n["kind"] == "application_rejected"]
    assert told and told[0]["volunteer_id"] == shown["Gao Lin"]["volunteer_id"]
    assert world.ledger.get_volunteer(UUID(shown["Gao Lin"]["volunteer_id"])).status == "retired"
    every = "SELECT * FROM applications ORDER BY application_id"
    live = world.client.app.state.reader().execute(every).fetchall()
    rebuild(world.ledger, tmp_path / "rebuilt.sqlite3", ["applications"])
    assert sqlite3.connect(tmp_path / "rebuilt.sqlite3").execute(every).fetchall() == live and len(live) == 2
    assert world.call("other_coord", "GET", "/api/v1/applications").json() == []  # another unit's: not theirs
    assert world.call("other_coord", "POST", f"/api/v1/applications/{shown['Hu Jing']['application_id']}/screen"
                      ).status_code == 403
