"""Over HTTP: a social worker asks for a sign-language interpreter; the qualified volunteers free or on
duty then are found and told; the first to accept is booked; the service counts as `sign_language`."""

from __future__ import annotations

import threading
from datetime import date, datetime
from uuid import UUID

from tests.conftest import CST
from tests.integration.conftest import PASSWORD, World
from tests.scenario import COORDINATOR
from web.passwords import hash_password

AT = "2026-11-24T10:00:00+08:00"


def qualify(world: World, volunteer: UUID, until: date | None = date(2027, 12, 31)) -> None:
    world.ledger.grant_qualification(volunteer, "sign_language", until, COORDINATOR)


def ask(world: World, **change) -> dict:
    world.settle()
    answer = world.call("sw", "POST", "/api/v1/interpreter-requests", json={
        "unit_id": str(world.hospital.unit), "place": "Outpatient hall, desk 3", "starts_at": AT, "minutes": 45,
        **change})
    return {"status": answer.status_code, **answer.json()}


def test_the_qualified_who_are_free_or_on_duty_here_are_asked(world: World) -> None:
    li, wang = world.volunteer, world.other_volunteer
    qualify(world, li)
    qualify(world, wang)
    lapsed = world.hospital.volunteer("Zhou Lapsed")
    qualify(world, lapsed, until=date(2026, 11, 23))
    busy = world.hospital.volunteer("Sun Busy")
    qualify(world, busy)
    far = world.ledger.schedule_shift(world.other_unit, "desk", datetime(2026, 11, 24, 9, tzinfo=CST),
                                      datetime(2026, 11, 24, 12, tzinfo=CST), 3, [], COORDINATOR).id
    world.ledger.sign_up(far, busy, COORDINATOR)
    here = world.hospital.shift(starts=datetime(2026, 11, 24, 8, tzinfo=CST))
    world.ledger.sign_up(here, wang, COORDINATOR)
    world.hospital.volunteer("Qian Unqualified")

    asked = ask(world)
    assert asked["status"] == 201, asked
    # Wang is on duty here then: asked first. Lapsed, busy elsewhere and unqualified are not asked.
    assert [(c["name"], c["on_duty"]) for c in asked["candidates"]] == [("Wang Fang", True), ("Li Wei", False)]
    world.settle()
    notices = world.call("coord", "GET", "/api/v1/reports/notices").json()
    assert sorted(n["name"] for n in notices if n["kind"] == "interpreter_wanted") == ["Li Wei", "Wang Fang"]
    offered = world.call("li", "GET", "/api/v1/interpreter-requests").json()
    assert [r["id"] for r in offered] == [asked["id"]] and offered[0]["state"] == "open"


def test_nobody_qualified_is_a_422_that_says_so(world: World) -> None:
    asked = ask(world)
    assert asked["status"] == 422 and asked["reason"] == "no_interpreter_available"
    assert "sign-language" in asked["detail"]
    bad = ask(world, minutes=1000)
    assert bad["status"] == 400 and "minutes" in bad["detail"]


def test_two_accepting_at_once_book_exactly_one(world: World) -> None:
    qualify(world, world.volunteer)
    qualify(world, world.other_volunteer)
    world.ledger.open_account("wang", hash_password(PASSWORD),
                              "volunteer", [], world.other_volunteer, "admin")
    request = ask(world)["id"]
    start, answers = threading.Barrier(2), {}

    def accept(user: str, volunteer: UUID) -> None:
        headers = world.headers(user)
        start.wait()
        answers[user] = world.client.post(f"/api/v1/interpreter-requests/{request}/accept", headers=headers,
                                          json={"volunteer_id": str(volunteer)})

    world.headers("li"), world.headers("wang")
    threads = [threading.Thread(target=accept, args=("li", world.volunteer)),
               threading.Thread(target=accept, args=("wang", world.other_volunteer))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    codes = sorted(a.status_code for a in answers.values())
    assert codes == [200, 409], {u: a.text for u, a in answers.items()}
    loser = next(a for a in answers.values() if a.status_code == 409)
    assert loser.json()["reason"] == "interpreter_already_booked"
    winner = next(u for u, a in answers.items() if a.status_code == 200)
    shown = world.call("sw", "GET", f"/api/v1/interpreter-requests/{request}",
                       params={"min_position": world.ledger.position}).json()
    assert shown["state"] == "booked" and shown["interpreter"] == {"li": "Li Wei", "wang": "Wang Fang"}[winner]


def test_a_volunteer_accepts_only_for_themself_and_only_what_they_hold(world: World) -> None:
    qualify(world, world.other_volunteer)
    request = ask(world)["id"]
    for_another = world.call("li", "POST", f"/api/v1/interpreter-requests/{request}/accept",
                             json={"volunteer_id": str(world.other_volunteer)})
    assert for_another.status_code == 403
    not_qualified = world.call("li", "POST", f"/api/v1/interpreter-requests/{request}/accept",
                               json={"volunteer_id": str(world.volunteer)})
    assert not_qualified.status_code == 422 and not_qualified.json()["reason"] == "not_qualified"
    # Not offered to Li: Li may not read it either.
    settled = {"min_position": world.ledger.position}
    assert world.call("li", "GET", f"/api/v1/interpreter-requests/{request}", params=settled).status_code == 403
    assert world.call("other_coord", "GET", f"/api/v1/interpreter-requests/{request}",
                      params=settled).status_code == 403


def test_the_service_counts_as_sign_language_in_the_tallies_and_in_the_interpreters_hours(world: World) -> None:
    qualify(world, world.volunteer)
    request = ask(world)["id"]
    assert world.call("li", "POST", f"/api/v1/interpreter-requests/{request}/accept",
                      json={"volunteer_id": str(world.volunteer)}).status_code == 200
    too_early = world.call("li", "POST", f"/api/v1/interpreter-requests/{request}/served", json={"minutes": 40})
    assert too_early.status_code == 400
    world.ledger.clock.set(datetime(2026, 11, 24, 11, tzinfo=CST))
    served = world.call("li", "POST", f"/api/v1/interpreter-requests/{request}/served", json={"minutes": 40})
    assert served.status_code == 200, served.text
    again = world.call("sw", "POST", f"/api/v1/interpreter-requests/{request}/served", json={"minutes": 40})
    assert again.status_code == 409 and again.json()["reason"] == "interpreter_request_closed"
    position = served.headers["X-CareLedger-Position"]
    tallies = world.call("coord", "GET", "/api/v1/reports/tallies", params={
        "from": "2026-11-24", "to": "2026-11-24", "min_position": position}).json()
    assert tallies["rows"] == [{"key": "sign_language", "person_times": 1}]
    hours = world.call("li", "GET", f"/api/v1/volunteers/{world.volunteer}/hours").json()
    assert hours["minutes"] == 40 and hours["shifts"] == 1
    record = world.call("li", "GET", f"/api/v1/volunteers/{world.volunteer}/service-record").json()
    [entry] = record["entries"]
    assert entry["post"].startswith("Sign-language interpreting") and entry["served"] == {"sign_language": 1}


def test_a_cancelled_request_is_closed_to_acceptance(world: World) -> None:
    qualify(world, world.volunteer)
    request = ask(world)["id"]
    assert world.call("li", "POST", f"/api/v1/interpreter-requests/{request}/cancel",
                      json={"reason": "x"}).status_code == 403
    cancelled = world.call("sw", "POST", f"/api/v1/interpreter-requests/{request}/cancel",
                           json={"reason": "patient discharged"})
    assert cancelled.status_code == 200
    late = world.call("li", "POST", f"/api/v1/interpreter-requests/{request}/accept",
                      json={"volunteer_id": str(world.volunteer)})
    assert late.status_code == 409 and late.json()["reason"] == "interpreter_request_closed"
    listed = world.call("sw", "GET", "/api/v1/interpreter-requests",
                        params={"state": "cancelled", "min_position": world.ledger.position}).json()
    assert [(r["id"], r["reason"]) for r in listed] == [(request, "patient discharged")]
