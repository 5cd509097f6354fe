"""Waitlists over HTTP and on the volunteer's phone: a full shift offered as "join the waitlist", the
place in line shown, the promotion when a place frees up told by a notice, and the read model rebuilt
to the live one."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from domain.clock import FixedClock
from projections.rebuild import rebuild
from tests.integration.conftest import World
from tests.integration.test_ui_pages import log_in, submit
from tests.scenario import COORDINATOR


def test_a_volunteer_waits_for_a_full_shift_on_the_phone_and_is_promoted(world: World, clock: FixedClock,
                                                                         tmp_path) -> None:
    shift = world.hospital.shift(starts=clock.now() + timedelta(days=1), capacity=1)
    world.ledger.sign_up(shift, world.other_volunteer, COORDINATOR)
    world.settle()
    world.headers("coord")  # the coordinator's token, asked for before this browser has a session
    log_in(world, "li")
    home = world.client.get("/me").text
    assert f'data-full-shift="{shift}"' in home and "Join the waitlist" in home
    joined = submit(world, f"/me/shifts/{shift}/waitlist")
    assert "You are on the waitlist" in joined and "You are next in line." in joined
    listed = world.call("coord", "GET", f"/api/v1/shifts/{shift}/waitlist").json()
    assert [w["volunteer_id"] for w in listed] == [str(world.volunteer)] and listed[0]["place"] == 1
    assert world.call("coord", "POST", f"/api/v1/shifts/{shift}/waitlist",
                      json={"volunteer_id": str(world.volunteer)}).json()["place"] == 1  # again: the same place
    gone = world.call("coord", "DELETE", f"/api/v1/shifts/{shift}/signups/{world.other_volunteer}")
    assert gone.status_code == 204
    world.settle()
    home = world.client.get("/me").text
    assert f'data-my-shift="{shift}"' in home or f'data-now="{shift}"' in home  # now theirs
    assert f'data-full-shift="{shift}"' not in home
    told = [n for n in world.call("coord", "GET", "/api/v1/reports/notices").json() if n["kind"] == "waitlist_promoted"]
    assert [n["volunteer_id"] for n in told] == [str(world.volunteer)]
    assert world.call("coord", "GET", f"/api/v1/shifts/{shift}/waitlist").json() == []
    every = "SELECT * FROM waitlist ORDER BY shift_id, volunteer_id"
    world.ledger.join_waitlist(shift, world.other_volunteer, COORDINATOR)  # the one who left waits now
    world.settle()
    live = world.client.app.state.reader().execute(every).fetchall()
    rebuild(world.ledger, tmp_path / "rebuilt.sqlite3", ["waitlists"])
    assert sqlite3.connect(tmp_path / "rebuilt.sqlite3").execute(every).fetchall() == live and len(live) == 1


def test_leaving_the_waitlist_and_a_shift_with_places_refuses_it(world: World, clock: FixedClock) -> None:
    shift = world.hospital.shift(starts=clock.now() + timedelta(days=1), capacity=2)
    refused = world.call("li", "POST", f"/api/v1/shifts/{shift}/waitlist", json={"volunteer_id": str(world.volunteer)})
    assert (refused.status_code, refused.json()["reason"]) == (409, "places_free")
    world.ledger.sign_up(shift, world.other_volunteer, COORDINATOR)
    world.ledger.reschedule_shift(shift, world.ledger.get_shift(shift).starts_at,
                                  world.ledger.get_shift(shift).ends_at, 1, COORDINATOR)
    assert world.call("li", "POST", f"/api/v1/shifts/{shift}/waitlist",
                      json={"volunteer_id": str(world.volunteer)}).status_code == 201
    assert world.call("li", "DELETE", f"/api/v1/shifts/{shift}/waitlist/{world.volunteer}").status_code == 204
    assert world.ledger.get_shift(shift).waitlist == []
