"""Over HTTP: a ward asks for a volunteer; those on duty there or on call are asked, on duty first;
the first to accept is booked and the ward sees who is coming; served, it counts as its kind;
unanswered, it reaches the coordinator's board. The old interpreter paths still answer."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID

from domain.clock import FixedClock
from projections.rebuild import rebuild
from tests.conftest import CST
from tests.integration.conftest import PASSWORD, World
from tests.integration.test_ui_pages import log_in
from tests.scenario import COORDINATOR
from web.jobs.escalation import escalate
from web.passwords import hash_password

NOW = datetime(2026, 11, 23, 9, tzinfo=CST)  # the fixed clock
NOTE = "Alone since Monday; likes to talk about opera."


def ask(world: World, who: str = "ward", **change) -> dict:
    world.settle()
    answer = world.call(who, "POST", "/api/v1/service-requests", json={
        "unit_id": str(world.hospital.unit), "kind": "visitation", "place": "Ward 5, bed 12", "minutes": 60,
        **change})
    return {"status": answer.status_code, **answer.json()}


def on_duty_now(world: World, volunteer: UUID) -> UUID:
    shift = world.hospital.shift(starts=NOW - timedelta(hours=1))
    world.ledger.sign_up(shift, volunteer, COORDINATOR)
    world.ledger.check_in(shift, volunteer, "kiosk", COORDINATOR)
    return shift


def test_those_on_duty_here_then_those_on_call_are_asked_and_no_one_else(world: World) -> None:
    li, wang = world.volunteer, world.other_volunteer
    on_duty_now(world, wang)
    assert world.call("li", "PUT", f"/api/v1/volunteers/{li}/on-call",
                      json={"ends_at": "2026-11-23T13:00:00+08:00"}).status_code == 200
    world.hospital.volunteer("Zhou Free")  # free, but neither on duty nor on call: not asked
    elsewhere = world.ledger.register_volunteer("Sun Elsewhere", "13900001234", world.other_unit, [], [], "admin").id
    world.ledger.approve_volunteer(elsewhere, "admin")
    world.ledger.go_on_call(elsewhere, NOW, NOW + timedelta(hours=3), "admin")  # on call, for another unit

    asked = ask(world, note=NOTE, patient_id="MRN-42")
    assert asked["status"] == 201, asked
    assert [(c["name"], c["on_duty"], c["on_call"]) for c in asked["candidates"]] == [
        ("Wang Fang", True, False), ("Li Wei", False, True)]
    world.settle()
    told = [n["name"] for n in world.call("coord", "GET", "/api/v1/reports/notices").json()
            if n["kind"] == "service_wanted"]
    assert sorted(told) == ["Li Wei", "Wang Fang"]
    offered = world.call("li", "GET", "/api/v1/service-requests").json()
    assert [(r["id"], r["kind"], r["state"]) for r in offered] == [(asked["id"], "visitation", "open")]
    # The note is for the ward's staff and the volunteer booked: not to one merely asked, and in no read model.
    assert world.call("li", "GET", f"/api/v1/service-requests/{asked['id']}").json()["note"] is None
    assert world.call("ward", "GET", f"/api/v1/service-requests/{asked['id']}").json()["note"] == NOTE
    read_models = world.client.app.state.reader()
    for (table,) in read_models.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        for row in read_models.execute(f"SELECT * FROM \"{table}\"").fetchall():
            assert not any(isinstance(v, str) and ("opera" in v or "MRN-42" in v) for v in row), table


def test_the_ward_sees_who_is_coming_and_the_service_counts_as_its_kind(world: World, clock: FixedClock,
                                                                        tmp_path: Path) -> None:
    li = world.volunteer
    world.ledger.go_on_call(li, NOW, NOW + timedelta(hours=4), COORDINATOR)
    asked = ask(world, kind="psychological_support", starts_at="2026-11-23T10:00:00+08:00", language="zh")
    assert asked["status"] == 201, asked
    taken = world.call("li", "POST", f"/api/v1/service-requests/{asked['id']}/accept",
                       json={"volunteer_id": str(li)})
    assert taken.status_code == 200 and taken.json()["state"] == "booked"
    world.settle()
    shown = world.call("ward", "GET", f"/api/v1/service-requests/{asked['id']}").json()
    assert (shown["state"], shown["volunteer"]) == ("booked", "Li Wei")
    assert world.call("li", "GET", f"/api/v1/service-requests/{asked['id']}").json()["note"] is None  # none written
    too_early = world.call("ward", "POST", f"/api/v1/service-requests/{asked['id']}/served", json={"minutes": 50})
    assert too_early.status_code == 400 and too_early.json()["field"] == "minutes"
    clock.set(datetime(2026, 11, 23, 11, 5, tzinfo=CST))
    served = world.call("ward", "POST", f"/api/v1/service-requests/{asked['id']}/served", json={"minutes": 50})
    assert served.status_code == 200, served.text
    world.settle()
    day = world.call("auditor", "GET", "/api/v1/reports/tallies",
                     params={"from": "2026-11-23", "to": "2026-11-23", "by": "service_type"}).json()
    assert {r["key"]: r["person_times"] for r in day["rows"]}.get("psychological_support") == 1
    assert world.call("li", "GET", f"/api/v1/volunteers/{li}/hours").json()["minutes"] == 50
    [entry] = world.call("li", "GET", f"/api/v1/volunteers/{li}/service-record").json()["entries"]
    assert entry["post"] == "On a ward's request: Ward 5, bed 12" and entry["served"] == {"psychological_support": 1}
    # The read model, rebuilt from the log, is the live one.
    every = "SELECT * FROM service_requests ORDER BY request_id"
    live = world.client.app.state.reader().execute(every).fetchall()
    rebuild(world.ledger, tmp_path / "rebuilt.sqlite3", ["requests"])
    assert sqlite3.connect(tmp_path / "rebuilt.sqlite3").execute(every).fetchall() == live and len(live) == 1


def test_two_accepting_at_once_book_exactly_one(world: World) -> None:
    li, wang = world.volunteer, world.other_volunteer
    for volunteer in (li, wang):
        world.ledger.go_on_call(volunteer, NOW, NOW + timedelta(hours=4), COORDINATOR)
    world.ledger.open_account("wang", hash_password(PASSWORD), "volunteer", [], wang, "admin")
    request = ask(world)["id"]
    headers = {user: world.headers(user) for user in ("li", "wang")}
    start, answers = threading.Barrier(2), {}

    def accept(user: str, volunteer: UUID) -> None:
        start.wait()
        answers[user] = world.client.post(f"/api/v1/service-requests/{request}/accept", headers=headers[user],
                                          json={"volunteer_id": str(volunteer)})

    threads = [threading.Thread(target=accept, args=pair) for pair in (("li", li), ("wang", wang))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    codes = sorted(a.status_code for a in answers.values())
    assert codes == [200, 409], {u: a.text for u, a in answers.items()}
    loser = next(a for a in answers.values() if a.status_code == 409)
    assert loser.json()["reason"] == "request_taken"


def test_bad_input_names_its_field_and_nobody_to_ask_is_a_422(world: World) -> None:
    for change, field in (({"kind": "massage"}, "kind"), ({"minutes": 0}, "minutes"), ({"place": ""}, "place"),
                          ({"note": "x" * 501}, "note"), ({"language": "y" * 61}, "language"),
                          ({"starts_at": "2026-11-22T08:00:00+08:00"}, "starts_at")):
        refused = ask(world, **change)
        assert refused["status"] in (400, 422) and refused.get("field") == field, (change, refused)
    nobody = ask(world)
    assert (nobody["status"], nobody["reason"]) == (422, "nobody_to_ask")
    assert world.call("other_coord", "POST", "/api/v1/service-requests", json={
        "unit_id": str(world.hospital.unit), "kind": "visitation", "place": "Ward 5", "minutes": 30}).status_code == 403


def test_unanswered_it_reaches_the_coordinators_board_once(world: World, clock: FixedClock) -> None:
    world.ledger.go_on_call(world.volunteer, NOW, NOW + timedelta(hours=4), COORDINATOR)
    request = ask(world)["id"]
    app = world.client.app.state
    world.settle()
    assert escalate(app.commands, app.reader(), wait_minutes=10) == 0  # asked just now
    clock.set(NOW + timedelta(minutes=11))
    assert escalate(app.commands, app.reader(), wait_minutes=10) == 1
    world.settle()
    assert escalate(app.commands, app.reader(), wait_minutes=10) == 0  # once
    shown = world.call("coord", "GET", f"/api/v1/service-requests/{request}").json()
    assert shown["state"] == "open" and shown["escalated_at"] is not None
    log_in(world, "coord")
    board = world.client.get("/board").text
    assert f'data-request="{request}"' in board and "data-escalated" in board
    assert f'action="/requests/{request}/book"' in board  # someone on call can be sent


def test_the_interpreter_paths_still_answer_and_list_only_interpreting(world: World) -> None:
    world.ledger.grant_qualification(world.volunteer, "sign_language", None, COORDINATOR)
    world.ledger.go_on_call(world.volunteer, NOW, NOW + timedelta(hours=4), COORDINATOR)
    ask(world)  # a visit
    world.settle()
    interp = world.call("sw", "POST", "/api/v1/interpreter-requests", json={
        "unit_id": str(world.hospital.unit), "place": "Outpatient hall", "starts_at": "2026-11-24T10:00:00+08:00",
        "minutes": 45})
    assert interp.status_code == 201, interp.text
    world.settle()
    listed = world.call("sw", "GET", "/api/v1/interpreter-requests").json()
    assert [r["id"] for r in listed] == [interp.json()["id"]]
    assert len(world.call("sw", "GET", "/api/v1/service-requests").json()) == 2
    visit = next(r for r in world.call("sw", "GET", "/api/v1/service-requests").json() if r["kind"] == "visitation")
    assert world.call("sw", "GET", f"/api/v1/interpreter-requests/{visit['id']}").status_code == 404


def test_on_call_over_the_api_for_oneself_or_ones_units_volunteers(world: World) -> None:
    li = world.volunteer
    path = f"/api/v1/volunteers/{li}/on-call"
    assert world.call("li", "GET", path).json() == {"volunteer_id": str(li), "starts_at": None, "ends_at": None}
    set_ = world.call("coord", "PUT", path, json={"starts_at": "2026-11-23T08:00:00+08:00",
                                                  "ends_at": "2026-11-23T12:00:00+08:00"})
    assert set_.status_code == 200 and set_.json()["starts_at"].startswith("2026-11-23T09:00")  # from now
    assert world.call("li", "GET", path).json()["ends_at"].startswith("2026-11-23T12:00")
    too_long = world.call("li", "PUT", path, json={"ends_at": "2026-11-25T12:00:00+08:00"})
    assert too_long.status_code == 400 and too_long.json()["field"] == "ends_at"
    assert world.call("other_coord", "PUT", path, json={"ends_at": "2026-11-23T12:00:00+08:00"}).status_code == 403
    assert world.call("li", "DELETE", path).status_code == 200
    assert world.call("li", "GET", path).json()["ends_at"] is None
