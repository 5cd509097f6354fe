"""Handing a place over on the phone: offered, seen by a colleague among "places colleagues offer",
taken with one tap (the giver told, no late cancellation counted), and the offers rebuilt as lived."""

from __future__ import annotations

from datetime import timedelta

from domain.clock import FixedClock
from tests.integration.conftest import World
from tests.integration.test_ui_pages import log_in, submit
from tests.scenario import COORDINATOR


def test_a_colleague_takes_an_offered_place_from_the_phone(world: World, clock: FixedClock) -> None:
    shift = world.hospital.shift(starts=clock.now() + timedelta(hours=6), capacity=1)  # a late change
    world.ledger.sign_up(shift, world.other_volunteer, COORDINATOR)
    offered = world.call("coord", "POST", f"/api/v1/shifts/{shift}/offers",
                         json={"volunteer_id": str(world.other_volunteer)})
    assert offered.status_code == 201 and offered.json()["to_volunteer_id"] is None
    world.settle()
    open_to_li = world.call("li", "GET", "/api/v1/shifts/offers").json()
    assert [o["shift_id"] for o in open_to_li] == [str(shift)] and open_to_li[0]["to_me"] is False
    log_in(world, "li")
    home = world.client.get("/me").text
    assert f'data-offer="{shift}"' in home and "Take this place" in home
    done = submit(world, f"/me/shifts/{shift}/take/{world.other_volunteer}")
    assert "The place is yours" in done and f'data-offer="{shift}"' not in done
    seats = {s["volunteer_id"]: s for s in world.call("coord", "GET", f"/api/v1/shifts/{shift}").json()["roster"]}
    assert seats[str(world.volunteer)]["state"] == "signed_up"
    assert str(world.other_volunteer) not in seats  # withdrawn: off the roster
    assert world.ledger.get_shift(shift).seats[world.other_volunteer].outcome == "handed_over"  # not a late one
    told = [n for n in world.call("coord", "GET", "/api/v1/reports/notices").json() if n["kind"] == "seat_taken"]
    assert [n["volunteer_id"] for n in told] == [str(world.other_volunteer)]
    again = world.call("li", "POST", f"/api/v1/shifts/{shift}/offers/{world.other_volunteer}/take",
                       json={"volunteer_id": str(world.volunteer)})
    assert (again.status_code, again.json()["reason"]) == (409, "no_offer")


def test_where_the_coordinator_approves_handovers_a_take_waits_on_the_shift_page(world: World, clock: FixedClock,
                                                                                 tmp_path) -> None:
    import sqlite3

    from projections.rebuild import rebuild

    unit = world.hospital.unit
    assert world.call("coord", "POST", f"/api/v1/units/{unit}/handover-approval",
                      json={"needed": "yes"}).status_code == 400  # a word is not a yes
    assert world.call("coord", "POST", f"/api/v1/units/{unit}/handover-approval", json={"needed": True}).json() == {
        "unit_id": str(unit), "needed": True}
    shift = world.hospital.shift(starts=clock.now() + timedelta(days=2), capacity=1)
    giver, taker = world.other_volunteer, world.volunteer
    world.ledger.sign_up(shift, giver, COORDINATOR)
    world.ledger.offer_seat(shift, giver, None, COORDINATOR)
    asked = world.call("li", "POST", f"/api/v1/shifts/{shift}/offers/{giver}/take", json={"volunteer_id": str(taker)})
    assert (asked.status_code, asked.json()["state"]) == (202, "awaiting_approval")
    world.settle()
    roster = {s["volunteer_id"] for s in world.call("coord", "GET", f"/api/v1/shifts/{shift}").json()["roster"]}
    assert roster == {str(giver)}  # still the giver's
    log_in(world, "li")
    assert "data-awaiting-approval" in world.client.get("/me").text
    log_in(world, "coord")
    page = world.client.get(f"/shifts/{shift}").text
    assert f'data-handover="{giver}"' in page and "Li Wei would take the place of Wang Fang." in page
    refused = submit(world, f"/shifts/{shift}/handovers/{giver}/decline", {"reason": " "})
    assert "say why" in refused and f'data-handover="{giver}"' in refused  # still waiting
    every = "SELECT * FROM offers ORDER BY shift_id"
    done = submit(world, f"/shifts/{shift}/handovers/{giver}/approve")
    assert "Approved: the place has changed hands" in done and f'data-handover="{giver}"' not in done
    roster = {s["volunteer_id"]: s["state"] for s in world.call("coord", "GET", f"/api/v1/shifts/{shift}").json()["roster"]}
    assert roster == {str(taker): "signed_up"}
    told = {n["kind"]: n["volunteer_id"] for n in world.call("coord", "GET", "/api/v1/reports/notices").json()}
    assert told["handover_approved"] == str(taker) and told["seat_taken"] == str(giver)
    again = world.call("coord", "POST", f"/api/v1/shifts/{shift}/offers/{giver}/approve")
    assert (again.status_code, again.json()["reason"]) == (409, "no_handover_pending")
    # a second offer, asked for and declined: the read model rebuilt from the log is the live one
    world.ledger.offer_seat(shift, taker, None, COORDINATOR)
    world.ledger.take_seat(shift, taker, giver, COORDINATOR)
    declined = world.call("coord", "POST", f"/api/v1/shifts/{shift}/offers/{taker}/decline",
                          json={"reason": "Wang Fang needs a rest"})
    assert declined.status_code == 200 and declined.json()["approved"] is False
    world.settle()
    live = world.client.app.state.reader().execute(every).fetchall()
    rebuild(world.ledger, tmp_path / "rebuilt.sqlite3", ["waitlists"])
    assert sqlite3.connect(tmp_path / "rebuilt.sqlite3").execute(every).fetchall() == live and len(live) == 1
