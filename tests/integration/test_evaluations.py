"""Evaluations (评价) of a volunteer's service: given by their coordinator on the programme's scale,
read by the volunteer, printed on the service record and the certificate; amended by a later
event that says why, the first kept; the comment sealed with the volunteer's key."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from uuid import UUID

from projections.rebuild import rebuild
from tests.conftest import CST
from tests.integration.conftest import World
from tests.integration.test_ui_pages import log_in, submit
from tests.scenario import COORDINATOR


def evaluate(world: World, **change) -> dict:
    answer = world.call("coord", "POST", f"/api/v1/volunteers/{world.volunteer}/evaluations", json={
        "from": "2026-05-01", "to": "2026-10-31", "rating": "excellent", "comment": "Calm with anxious families.",
        **change})
    return {"status": answer.status_code, **answer.json()}


def test_a_coordinator_evaluates_and_amends_and_the_volunteer_reads_both_in_words(world: World, tmp_path) -> None:
    for change, field in (({"rating": "superb"}, "rating"), ({"to": "2026-04-01"}, "to"),
                          ({"comment": "x" * 1001}, "comment")):
        refused = evaluate(world, **change)
        assert refused["status"] == 400 and refused["field"] == field, refused
    assert world.call("other_coord", "POST", f"/api/v1/volunteers/{world.volunteer}/evaluations", json={
        "from": "2026-05-01", "to": "2026-10-31", "rating": "good"}).status_code == 403
    given = evaluate(world)
    assert given["status"] == 201
    world.settle()
    shown = world.call("li", "GET", f"/api/v1/volunteers/{world.volunteer}/evaluations").json()
    assert shown["scale"] == ["excellent", "good", "pass", "fail"]
    [first] = shown["evaluations"]
    assert (first["rating"], first["comment"], first["from"], first["amendments"]) == (
        "excellent", "Calm with anxious families.", "2026-05-01", 0)

    same = world.call("coord", "POST", f"/api/v1/evaluations/{given['id']}/amend",
                      json={"rating": "excellent", "comment": "Calm with anxious families.", "reason": "typo"})
    assert same.status_code == 400 and same.json()["field"] == "rating"
    amended = world.call("coord", "POST", f"/api/v1/evaluations/{given['id']}/amend",
                         json={"rating": "good", "comment": "Calm; twice late in October.", "reason": "late twice"})
    assert amended.status_code == 200, amended.text
    world.settle()
    [now] = world.call("li", "GET", f"/api/v1/volunteers/{world.volunteer}/evaluations").json()["evaluations"]
    assert (now["rating"], now["amendments"]) == ("good", 1)
    kinds = [type(e).__name__ for e in world.ledger.events.get(UUID(given["id"]))]
    assert kinds == ["Given", "Amended"]  # never edited: the first is still there

    every = "SELECT * FROM evaluations ORDER BY evaluation_id"
    live = world.client.app.state.reader().execute(every).fetchall()
    rebuild(world.ledger, tmp_path / "rebuilt.sqlite3", ["evaluations"])
    assert sqlite3.connect(tmp_path / "rebuilt.sqlite3").execute(every).fetchall() == live and len(live) == 1

    log_in(world, "li", "zh")
    record = world.client.get("/me/record").text
    assert 'data-rating="good"' in record and "良好" in record and "Calm; twice late in October." in record


def test_the_coordinators_form_keeps_what_was_typed_and_the_certificate_prints_the_rating(world: World) -> None:
    world.headers("coord")  # the API's token, before the browser's cookie
    log_in(world, "coord")
    refused = submit(world, f"/volunteers/{world.volunteer}/evaluations",
                     {"from": "2026-11-01", "to": "2026-10-01", "rating": "pass", "comment": "Kind."})
    assert "must not be before from" in refused and ">Kind.</textarea>" in refused
    done = submit(world, f"/volunteers/{world.volunteer}/evaluations",
                  {"from": "2026-10-01", "to": "2026-11-30", "rating": "pass", "comment": "Kind."})
    assert "The evaluation is recorded" in done and 'data-rating="pass"' in done
    # a certificate of those days prints the rating
    shift = world.hospital.shift(starts=datetime(2026, 11, 24, 8, tzinfo=CST))
    world.ledger.sign_up(shift, world.volunteer, COORDINATOR)
    world.ledger.clock.set(datetime(2026, 11, 24, 8, tzinfo=CST))
    world.ledger.check_in(shift, world.volunteer, "kiosk", COORDINATOR)
    world.ledger.clock.set(datetime(2026, 11, 24, 8, tzinfo=CST) + timedelta(hours=2))
    world.ledger.check_out(shift, world.volunteer, {}, COORDINATOR)
    world.ledger.set_certificate_details(world.hospital.unit, "Wang Min", "021-64370045", COORDINATOR)
    world.ledger.record_identity(world.volunteer, "passport", "E12345678", "", COORDINATOR)
    world.settle()
    issued = world.call("coord", "POST", f"/api/v1/volunteers/{world.volunteer}/certificates",
                        json={"from": "2026-11-01", "to": "2026-11-30"}).json()
    page = world.client.get(f"/certificates/{issued['id']}").text
    assert "data-evaluation" in page and "合格" in page
    api = world.call("coord", "GET", f"/api/v1/certificates/{issued['id']}").json()
    assert api["evaluation"] == {"rating": "pass", "from": "2026-10-01", "to": "2026-11-30"}
