"""Beyond API.md: what a coordinator does every week, and the history questions, over HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.integration.conftest import World
from tests.integration.test_api import MONDAY_8, schedule


def post(world: World, user: str, path: str, body: dict | None = None):
    return world.call(user, "POST", f"/api/v1{path}", json=body)


def test_a_weekly_series_is_one_command_and_one_occurrence_moves_alone(world: World) -> None:
    made = post(world, "coord", "/shifts/series", {
        "unit_id": str(world.hospital.unit), "post": "guidance desk", "weekdays": ["mon", "tue", "wed", "thu", "fri"],
        "start_time": "08:00:00", "end_time": "12:00:00", "first_day": "2026-11-30", "weeks": 12, "capacity": 3})
    assert made.status_code == 201 and len(made.json()["shift_ids"]) == 60
    first = made.json()["shift_ids"][0]
    moved = post(world, "coord", f"/shifts/{first}/reschedule", {
        "starts_at": "2026-11-30T13:00:00+08:00", "ends_at": "2026-11-30T17:00:00+08:00", "capacity": 4})
    assert moved.status_code == 200
    shifts = world.call("coord", "GET", "/api/v1/shifts", params={
        "from": "2026-11-30", "to": "2026-12-01", "min_position": moved.headers["X-CareLedger-Position"]}).json()
    assert [(s["starts_at"], s["capacity"]) for s in shifts] == [
        ("2026-11-30T05:00:00+00:00", 4), ("2026-12-01T00:00:00+00:00", 3)]
    bad = post(world, "coord", "/shifts/series", {
        "unit_id": str(world.hospital.unit), "post": "desk", "weekdays": ["funday"], "start_time": "08:00:00",
        "end_time": "12:00:00", "first_day": "2026-11-30", "weeks": 1, "capacity": 3})
    assert bad.status_code == 400


def test_an_hours_correction_is_requested_by_the_volunteer_and_approved_by_a_coordinator(world: World, clock) -> None:
    shift, me = schedule(world), str(world.volunteer)
    post(world, "li", f"/shifts/{shift}/signups", {"volunteer_id": me})
    clock.set(MONDAY_8)
    post(world, "kiosk", f"/shifts/{shift}/check-in", {"volunteer_id": me})
    clock.set(MONDAY_8 + timedelta(minutes=20))
    post(world, "kiosk", f"/shifts/{shift}/check-out", {"volunteer_id": me, "served": {"guidance": 3}})
    asked = post(world, "li", f"/shifts/{shift}/corrections",
                 {"volunteer_id": me, "minutes": 240, "reason": "checked out by mistake at the kiosk"})
    assert asked.status_code == 201 and asked.json()["status"] == "pending"
    request = asked.json()["request_id"]
    approved = post(world, "coord", f"/shifts/{shift}/corrections/{request}/approve")
    assert approved.status_code == 200
    again = post(world, "coord", f"/shifts/{shift}/corrections/{request}/decline", {"reason": "late"})
    assert again.status_code == 409 and again.json()["reason"] == "correction_not_pending"
    record = world.call("li", "GET", f"/api/v1/volunteers/{me}/service-record",
                        params={"min_position": approved.headers["X-CareLedger-Position"]}).json()
    assert record["minutes"] == 240 and record["entries"][0]["unit"] == "Ruijin Hospital"
    assert record["entries"][0]["served"] == {"guidance": 3}


def test_the_live_board_shows_who_is_missing(world: World, clock) -> None:
    shift = schedule(world)
    post(world, "coord", f"/shifts/{shift}/signups", {"volunteer_id": str(world.volunteer)})
    post(world, "coord", f"/shifts/{shift}/signups", {"volunteer_id": str(world.other_volunteer)})
    clock.set(MONDAY_8 + timedelta(minutes=10))
    checked = post(world, "kiosk", f"/shifts/{shift}/check-in", {"volunteer_id": str(world.volunteer)})
    missing = world.call("kiosk", "GET", "/api/v1/reports/missing",
                         params={"min_position": checked.headers["X-CareLedger-Position"]}).json()
    assert [m["name"] for m in missing] == ["Wang Fang"]


def test_fill_rates_expiring_credentials_and_compliance(world: World, clock) -> None:
    shift = schedule(world, capacity=4)
    post(world, "coord", f"/shifts/{shift}/signups", {"volunteer_id": str(world.volunteer)})
    trainee = world.hospital.volunteer("Sun Li", approved=False, trained=False)
    post(world, "coord", f"/shifts/{shift}/signups", {"volunteer_id": str(trainee), "trainee": True})
    credential = post(world, "coord", f"/volunteers/{world.volunteer}/credentials",
                      {"kind": "health_check", "recorded_on": "2025-12-01", "expires_on": "2026-12-05"})
    assert credential.status_code == 201
    clock.set(MONDAY_8)
    checked = post(world, "coord", f"/shifts/{shift}/check-in", {"volunteer_id": str(trainee)})
    position = {"min_position": checked.headers["X-CareLedger-Position"]}
    rates = world.call("auditor", "GET", "/api/v1/reports/fill-rates",
                       params={"from": "2026-11-24", "to": "2026-11-24", **position}).json()
    assert rates["rows"][0]["filled"] == 1 and rates["rows"][0]["fill_rate"] == 0.25
    soon = world.call("coord", "GET", "/api/v1/reports/expiring", params=position).json()
    assert [(s["name"], s["kind"]) for s in soon] == [("Li Wei", "health_check")]
    findings = world.call("auditor", "GET", "/api/v1/reports/compliance",
                          params={"from": "2026-11-01", "to": "2026-11-30", **position}).json()
    assert [(f["name"], f["problem"]) for f in findings] == [("Sun Li", "never_held")]
    kinds = [t["code"] for t in world.call("li", "GET", "/api/v1/service-types").json()]
    assert "sign_language" in kinds


def test_a_roster_as_it_stood_at_a_past_moment(world: World) -> None:
    shift = schedule(world)
    post(world, "coord", f"/shifts/{shift}/signups", {"volunteer_id": str(world.volunteer)})
    between = datetime.now(timezone.utc)
    done = post(world, "coord", f"/shifts/{shift}/signups", {"volunteer_id": str(world.other_volunteer)})
    then = world.call("coord", "GET", f"/api/v1/shifts/{shift}",
                      params={"as_of": between.isoformat(), "min_position": done.headers["X-CareLedger-Position"]})
    assert [s["name"] for s in then.json()["roster"]] == ["Li Wei"]
    now = world.call("coord", "GET", f"/api/v1/shifts/{shift}").json()
    assert sorted(s["name"] for s in now["roster"]) == ["Li Wei", "Wang Fang"]


def test_a_suspended_volunteer_is_reinstated_and_a_retired_one_stays_retired(world: World) -> None:
    v = str(world.other_volunteer)
    post(world, "coord", f"/volunteers/{v}/suspend", {"reason": "review"})
    assert post(world, "coord", f"/volunteers/{v}/reinstate").json()["status"] == "active"
    assert post(world, "coord", f"/volunteers/{v}/retire").json()["status"] == "retired"
    refused = post(world, "coord", f"/volunteers/{v}/reinstate")
    assert refused.status_code == 409 and refused.json()["reason"] == "invalid_transition"
