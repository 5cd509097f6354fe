"""Fair limits over HTTP and on the screens: a unit's own limits, a sign-up past them refused with its
reason and not offered on the volunteer's phone; a no-show review the coordinator clears from the form."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from domain.clock import FixedClock
from domain.limits import Limits
from tests.integration.conftest import World
from tests.integration.test_ui_pages import log_in, submit
from tests.scenario import COORDINATOR


def test_a_units_own_limits_refuse_a_sign_up_and_the_phone_does_not_offer_it(world: World, clock: FixedClock) -> None:
    unit = world.hospital.unit
    answer = world.call("coord", "POST", f"/api/v1/units/{unit}/limits", json={"daily_hours": 6})
    assert answer.status_code == 200 and answer.json()["daily_hours"] == 6
    assert world.call("coord", "POST", f"/api/v1/units/{unit}/limits",
                      json={"daily_hours": -1}).status_code == 400
    tomorrow = clock.now().replace(hour=0) + timedelta(days=1, hours=8)
    first = world.hospital.shift(starts=tomorrow, hours=4)
    second = world.hospital.shift(starts=tomorrow + timedelta(hours=5), hours=3)  # 4 + 3 > 6
    volunteer = str(world.volunteer)
    assert world.call("li", "POST", f"/api/v1/shifts/{first}/signups", json={"volunteer_id": volunteer}).status_code == 201
    refused = world.call("li", "POST", f"/api/v1/shifts/{second}/signups", json={"volunteer_id": volunteer})
    assert (refused.status_code, refused.json()["reason"]) == (422, "over_daily_hours")
    world.settle()
    log_in(world, "li")
    home = world.client.get("/me").text
    assert f'data-open-shift="{second}"' not in home  # not offered: the server would refuse it


def test_a_coordinator_clears_a_no_show_review_from_the_volunteers_page(world: World, clock: FixedClock) -> None:
    ledger = world.ledger
    ledger.policy = replace(ledger.policy, limits=Limits(no_shows=2))  # a programme that reviews after two
    for day in range(2):
        shift = world.hospital.shift(starts=clock.now() + timedelta(days=day, hours=1), hours=2)
        ledger.sign_up(shift, world.volunteer, COORDINATOR)
        clock.set(clock.now() + timedelta(days=day, hours=2))
        ledger.mark_no_show(shift, world.volunteer, COORDINATOR)
    later = world.hospital.shift(starts=clock.now() + timedelta(days=3), hours=2)
    refused = world.call("li", "POST", f"/api/v1/shifts/{later}/signups", json={"volunteer_id": str(world.volunteer)})
    assert (refused.status_code, refused.json()["reason"]) == (409, "no_show_review")
    world.settle()
    log_in(world, "coord")
    page = world.client.get(f"/volunteers/{world.volunteer}").text
    assert "data-no-show-review" in page and "2 no-shows lately" in page
    done = submit(world, f"/volunteers/{world.volunteer}/no-show-review/clear")
    assert "The review is cleared" in done and "data-no-show-review" not in done
    assert world.call("li", "POST", f"/api/v1/shifts/{later}/signups",
                      json={"volunteer_id": str(world.volunteer)}).status_code == 201
