"""扫码签到 over HTTP: the display's code (new each 30 seconds), a check-in by it, and each refusal with
its reason — none of which records anything."""

from __future__ import annotations

from datetime import timedelta

from domain.clock import FixedClock
from tests.integration.conftest import World
from tests.integration.test_ui_pages import log_in
from tests.scenario import COORDINATOR, DESK


def _on_duty_soon(world: World, clock: FixedClock) -> str:
    shift = world.hospital.shift(starts=clock.now() + timedelta(minutes=20))
    world.ledger.sign_up(shift, world.volunteer, COORDINATOR)
    world.settle()
    return str(shift)


def _shown(world: World) -> dict:
    answer = world.call("kiosk", "GET", f"/api/v1/units/{world.hospital.unit}/post-code", params={"post": DESK})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_phone_checks_in_by_the_posts_code_where_the_post_asks_for_it(world: World, clock: FixedClock) -> None:
    shift = _on_duty_soon(world, clock)
    set_rule = world.call("coord", "POST", f"/api/v1/units/{world.hospital.unit}/post-codes",
                          json={"post": DESK, "needed": True})
    assert set_rule.status_code == 200 and set_rule.json()["needed"] is True
    refused = world.call("li", "POST", f"/api/v1/shifts/{shift}/check-in", json={"volunteer_id": str(world.volunteer)})
    assert (refused.status_code, refused.json()["reason"]) == (422, "post_code_required")
    # the kiosk and the coordinator still check people in
    shown = _shown(world)
    assert shown["link"].endswith("/scan/" + shown["code"])
    done = world.call("li", "POST", "/api/v1/check-ins/by-post-code", json={"code": shown["code"]})
    assert done.status_code == 200, done.text
    assert done.json() == {"action": "check_in", "shift_id": shift}
    world.settle()
    seat = world.call("coord", "GET", f"/api/v1/shifts/{shift}").json()["roster"][0]
    assert (seat["state"], seat["checked_in_via"]) == ("checked_in", "qr")
    position = world.ledger.position
    again = world.call("li", "POST", "/api/v1/check-ins/by-post-code", json={"code": shown["code"]})
    assert (again.status_code, again.json()["reason"]) == (422, "post_code_replayed")  # not a way out
    clock.advance(hours=2)
    fresh = _shown(world)
    out = world.call("li", "POST", "/api/v1/check-ins/by-post-code",
                     json={"code": fresh["code"], "served": {"guidance": 4}})
    assert out.json()["action"] == "check_out", out.text
    assert world.ledger.position == position + 1


def test_forged_expired_and_idle_codes_are_refused_and_record_nothing(world: World, clock: FixedClock) -> None:
    shown = _shown(world)
    nothing_here = world.call("li", "POST", "/api/v1/check-ins/by-post-code", json={"code": shown["code"]})
    assert (nothing_here.status_code, nothing_here.json()["reason"]) == (409, "no_shift_at_post")
    _on_duty_soon(world, clock)
    position = world.ledger.position
    forged = world.call("li", "POST", "/api/v1/check-ins/by-post-code", json={"code": shown["code"][:-1] + "x"})
    assert (forged.status_code, forged.json()["reason"]) == (422, "post_code_forged")
    clock.advance(seconds=91)
    expired = world.call("li", "POST", "/api/v1/check-ins/by-post-code", json={"code": shown["code"]})
    assert (expired.status_code, expired.json()["reason"]) == (422, "post_code_expired")
    assert world.ledger.position == position  # nothing recorded
    assert world.call("coord", "POST", "/api/v1/check-ins/by-post-code",
                      json={"code": shown["code"]}).status_code == 403  # a volunteer's own scan only


def test_the_display_fetches_a_new_code_every_thirty_seconds(world: World, clock: FixedClock) -> None:
    log_in(world, "kiosk")
    fragment = {"HX-Request": "true", "HX-Target": "post-code"}
    first = world.client.get("/display", params={"post": DESK}, headers=fragment)
    assert first.status_code == 200 and "data-post-code" in first.text and "<html" not in first.text
    clock.advance(seconds=30)
    second = world.client.get("/display", params={"post": DESK}, headers=fragment)
    assert second.text != first.text  # a new code (and so a new picture)
    page = world.client.get("/display")
    assert DESK in page.text  # no post chosen yet: the unit's posts to choose from
