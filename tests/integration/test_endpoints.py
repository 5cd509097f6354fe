"""Each endpoint of API.md: its happy path and its error codes."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.conftest import World
from tests.integration.test_api import MONDAY_8, schedule

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def test_units_are_created_by_admin_and_listed_for_everyone(world: World) -> None:
    created = world.call("admin", "POST", "/api/v1/units", json={"name": "Xinhua Hospital", "district": "Yangpu"})
    assert created.status_code == 201 and created.json()["name"] == "Xinhua Hospital"
    listed = world.call("kiosk", "GET", "/api/v1/units", params={"min_position": created.headers["X-CareLedger-Position"]})
    assert "Xinhua Hospital" in [u["name"] for u in listed.json()]
    assert world.call("admin", "POST", "/api/v1/units", json={"name": ""}).status_code == 400


def test_accounts_are_opened_by_admin_with_a_unique_username(world: World) -> None:
    body = {"username": "zhang", "password": "a long password", "role": "coordinator",
            "unit_ids": [str(world.hospital.unit)]}
    opened = world.call("admin", "POST", "/api/v1/accounts", json=body)
    assert opened.status_code == 201 and opened.json()["role"] == "coordinator"
    taken = world.call("admin", "POST", "/api/v1/accounts", json=body | {"username": "ZHANG"})
    assert taken.status_code == 409 and taken.json()["reason"] == "username_taken"
    bad_role = world.call("admin", "POST", "/api/v1/accounts", json=body | {"username": "wu", "role": "king"})
    assert bad_role.status_code == 400 and bad_role.json()["field"] == "role"
    short = world.call("admin", "POST", "/api/v1/accounts", json=body | {"username": "wu", "password": "short"})
    assert short.status_code == 400 and "password" in short.json()["detail"]
    assert world.client.post("/api/v1/auth/token", json={"username": "zhang", "password": "a long password"}
                             ).json()["role"] == "coordinator"


def test_a_volunteer_is_registered_approved_suspended_and_found(world: World) -> None:
    unit = str(world.hospital.unit)
    registered = world.call("coord", "POST", "/api/v1/volunteers",
                            json={"name": "Chen Jing", "phone": "13912345678", "unit_id": unit, "languages": ["zh"]})
    assert registered.status_code == 201 and registered.json()["status"] == "pending"
    new = registered.json()["id"]
    approved = world.call("coord", "POST", f"/api/v1/volunteers/{new}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "active"
    again = world.call("coord", "POST", f"/api/v1/volunteers/{new}/approve")
    assert again.status_code == 409 and again.json()["reason"] == "invalid_transition"
    assert world.call("coord", "POST", f"/api/v1/volunteers/{new}/suspend", json={}).status_code == 400
    suspended = world.call("coord", "POST", f"/api/v1/volunteers/{new}/suspend", json={"reason": "no-shows"})
    assert suspended.json()["status"] == "suspended"
    found = world.call("coord", "GET", "/api/v1/volunteers",
                       params={"q": "Chen", "min_position": suspended.headers["X-CareLedger-Position"]}).json()
    assert [(v["name"], v["status"]) for v in found] == [("Chen Jing", "suspended")]
    assert world.call("coord", "POST", f"/api/v1/volunteers/{UNKNOWN}/approve").status_code == 404
    assert world.call("coord", "GET", f"/api/v1/volunteers/{UNKNOWN}").status_code == 404
    elsewhere = world.call("other_coord", "POST", "/api/v1/volunteers",
                           json={"name": "X", "phone": "139", "unit_id": unit})
    assert elsewhere.status_code == 403


def test_shifts_are_listed_withdrawn_marked_and_cancelled(world: World, clock) -> None:
    shift = schedule(world)
    me, other = str(world.volunteer), str(world.other_volunteer)
    listed = world.call("li", "GET", "/api/v1/shifts", params={"from": "2026-11-24", "to": "2026-11-24",
                                                               "min_position": world.ledger.position}).json()
    assert [s["id"] for s in listed] == [shift] and listed[0]["filled"] == 0
    assert world.call("li", "GET", "/api/v1/shifts", params={"from": "2026-11-25"}).json() == []
    not_signed = world.call("li", "DELETE", f"/api/v1/shifts/{shift}/signups/{me}")
    assert not_signed.status_code == 409 and not_signed.json()["reason"] == "not_signed_up"
    world.call("li", "POST", f"/api/v1/shifts/{shift}/signups", json={"volunteer_id": me})
    withdrawn = world.call("li", "DELETE", f"/api/v1/shifts/{shift}/signups/{me}")
    assert withdrawn.status_code == 204 and "X-CareLedger-Position" in withdrawn.headers
    world.call("coord", "POST", f"/api/v1/shifts/{shift}/signups", json={"volunteer_id": other})
    early = world.call("coord", "POST", f"/api/v1/shifts/{shift}/no-show", json={"volunteer_id": other})
    assert early.status_code == 409 and early.json()["reason"] == "shift_not_started"
    too_early = world.call("kiosk", "POST", f"/api/v1/shifts/{shift}/check-in", json={"volunteer_id": other})
    assert too_early.status_code == 409 and too_early.json()["reason"] == "outside_check_in_window"
    not_in = world.call("kiosk", "POST", f"/api/v1/shifts/{shift}/check-out", json={"volunteer_id": other})
    assert not_in.status_code == 409 and not_in.json()["reason"] == "not_checked_in"
    clock.set(MONDAY_8 + timedelta(minutes=30))
    marked = world.call("coord", "POST", f"/api/v1/shifts/{shift}/no-show", json={"volunteer_id": other})
    assert marked.status_code == 200 and marked.json()["state"] == "no_show"
    later = schedule(world)
    clock.set(MONDAY_8 - timedelta(days=1))
    world.call("li", "POST", f"/api/v1/shifts/{later}/signups", json={"volunteer_id": me})
    cancelled = world.call("coord", "POST", f"/api/v1/shifts/{later}/cancel", json={"reason": "ward closed"})
    assert cancelled.status_code == 200
    twice = world.call("coord", "POST", f"/api/v1/shifts/{later}/cancel", json={"reason": "again"})
    assert twice.status_code == 409 and twice.json()["reason"] == "shift_cancelled"
    refused = world.call("li", "POST", f"/api/v1/shifts/{later}/signups", json={"volunteer_id": me})
    assert refused.json()["reason"] == "shift_cancelled"


def test_sessions_refuse_bad_values_and_other_units(world: World) -> None:
    body = {"unit_id": str(world.hospital.unit), "patient_id": "MRN1", "service_type": "communication",
            "mode": "individual", "started_at": "2026-11-23T08:00:00+08:00", "minutes": 30}
    assert world.call("sw", "POST", "/api/v1/sessions", json=body | {"mode": "telepathy"}).status_code == 400
    unknown_type = world.call("sw", "POST", "/api/v1/sessions", json=body | {"service_type": "juggling"})
    assert unknown_type.status_code == 400 and unknown_type.json()["reason"] == "unknown_service_type"
    elsewhere = world.call("sw", "POST", "/api/v1/sessions", json=body | {"unit_id": str(world.other_unit)})
    assert elsewhere.status_code == 403
    assert world.call("sw", "GET", f"/api/v1/sessions/{UNKNOWN}").status_code == 404


def test_tallies_group_by_what_is_asked_and_refuse_anything_else(world: World) -> None:
    by_day = world.call("coord", "GET", "/api/v1/reports/tallies", params={"by": "day"})
    assert by_day.status_code == 200 and by_day.json()["by"] == "day"
    assert world.call("coord", "GET", "/api/v1/reports/tallies", params={"by": "colour"}).status_code == 400
    elsewhere = world.call("coord", "GET", "/api/v1/reports/tallies", params={"unit_id": str(world.other_unit)})
    assert elsewhere.status_code == 403


def test_the_audit_trail_lists_who_did_what_without_payloads(world: World) -> None:
    trail = world.call("auditor", "GET", "/api/v1/audit", params={"after": 0, "limit": 5}).json()
    assert [e["position"] for e in trail] == [1, 2, 3, 4, 5]
    assert set(trail[0]) == {"position", "type", "aggregate_id", "actor", "timestamp"}
    assert all(e["actor"] for e in trail)
    assert world.call("auditor", "GET", "/api/v1/audit", params={"limit": 0}).status_code == 400
