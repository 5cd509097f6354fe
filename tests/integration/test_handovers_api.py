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
