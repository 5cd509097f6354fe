"""Forgotten check-outs: checked out at the shift's end automatically, as events, and put before a
coordinator to confirm or correct; hours follow."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from uuid import UUID

from domain.application import CareLedger
from domain.clock import FixedClock
from domain.policy import Policy
from tests.integration.conftest import World
from tests.scenario import COORDINATOR, Hospital
from web.settings import Settings
from web.jobs.sweeper import sweep


def _forgetful_day(world: World, clock) -> str:
    h, ledger = world.hospital, world.ledger
    shift = h.shift(starts=clock.now() + timedelta(minutes=10), hours=4)
    for volunteer in (world.volunteer, world.other_volunteer):
        ledger.sign_up(shift, volunteer, COORDINATOR)
    clock.advance(minutes=10)
    for volunteer in (world.volunteer, world.other_volunteer):
        ledger.check_in(shift, volunteer, "kiosk", COORDINATOR)
    clock.advance(minutes=240)
    ledger.check_out(shift, world.other_volunteer, {"guidance": 4}, COORDINATOR)  # Wang Fang remembers
    return str(shift)


def test_a_volunteer_still_checked_in_long_after_the_end_is_checked_out_for_review(world: World, clock) -> None:
    shift = _forgetful_day(world, clock)
    world.settle()
    assert sweep(world.client.app.state.commands, world.client.app.state.reader()) == 0  # the shift only just ended
    clock.advance(minutes=121)
    world.settle()
    assert sweep(world.client.app.state.commands, world.client.app.state.reader()) == 1
    assert sweep(world.client.app.state.commands, world.client.app.state.reader()) == 0  # exactly once
    assert world.hospital.events_of(UUID(shift))[-1] == "CheckedOutAutomatically"
    world.settle()
    pending = world.call("coord", "GET", "/api/v1/reports/check-out-reviews").json()
    assert [(p["name"], p["minutes"]) for p in pending] == [("Li Wei", 240)]
    hours = world.call("coord", "GET", f"/api/v1/volunteers/{world.volunteer}/hours").json()
    assert hours["minutes"] == 240

    corrected = world.call("coord", "POST", f"/api/v1/shifts/{shift}/check-out-review",
                           json={"volunteer_id": str(world.volunteer), "minutes": 180})
    assert corrected.status_code == 200, corrected.text
    world.settle()
    assert world.call("coord", "GET", "/api/v1/reports/check-out-reviews").json() == []
    assert world.call("coord", "GET", f"/api/v1/volunteers/{world.volunteer}/hours").json()["minutes"] == 180
    again = world.call("coord", "POST", f"/api/v1/shifts/{shift}/check-out-review",
                       json={"volunteer_id": str(world.volunteer)})
    assert again.status_code == 400 and again.json()["field"] == "volunteer_id"


def test_the_default_credit_can_be_capped(tmp_path: Path, clock: FixedClock) -> None:
    ledger = CareLedger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=clock,
                        policy=Policy(auto_check_out_after_minutes=30, auto_check_out_credit=60))
    ledger.open_catalogue()
    h = Hospital(ledger)
    volunteer = h.volunteer()
    shift = h.shift(starts=clock.now() + timedelta(minutes=5), hours=3)
    ledger.sign_up(shift, volunteer, COORDINATOR)
    clock.advance(minutes=5)
    ledger.check_in(shift, volunteer, "kiosk", COORDINATOR)
    clock.advance(minutes=3 * 60 + 29)
    assert ledger.check_out_forgotten(shift, volunteer).value is None  # not yet forgotten
    clock.advance(minutes=2)
    assert ledger.check_out_forgotten(shift, volunteer).value == 60
    seat = ledger.get_shift(shift).seats[volunteer]
    assert seat.checked_out_at == ledger.get_shift(shift).ends_at and seat.review == "pending"


def test_careledger_sweep_runs_once_from_the_command_line(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "web.cli", "sweep"], env={**os.environ, "CARELEDGER_DATA": str(tmp_path)},
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "0 forgotten check-outs recorded" in done.stdout


def test_the_coordinator_reviews_a_forgotten_check_out_on_the_volunteers_screen(world: World, clock) -> None:
    from tests.integration.test_ui_pages import log_in, submit

    shift = _forgetful_day(world, clock)
    clock.advance(minutes=121)
    world.settle()
    sweep(world.client.app.state.commands, world.client.app.state.reader())
    world.settle()
    log_in(world, "coord")
    screen = world.client.get("/volunteers").text
    assert "Forgotten check-outs to review" in screen and f"/check-out-reviews/{shift}/{world.volunteer}" in screen
    done = submit(world, f"/check-out-reviews/{shift}/{world.volunteer}", {"minutes": ""})
    assert "Check-out reviewed." in done and "Forgotten check-outs to review" not in done
    assert world.ledger.get_shift(UUID(shift)).seats[world.volunteer].review == "confirmed"


def test_service_awards_fall_due_at_hour_milestones_and_are_presented_once(world: World, clock,
                                                                           monkeypatch) -> None:
    h, ledger = world.hospital, world.ledger
    object.__setattr__(world.client.app.state.settings, "award_hours", (5, 10))
    for day in range(3):  # 3 shifts of 4 hours: 12 hours
        shift = h.shift(starts=clock.now() + timedelta(minutes=10), hours=4, post=f"desk {day}")
        ledger.sign_up(shift, world.volunteer, COORDINATOR)
        clock.advance(minutes=10)
        ledger.check_in(shift, world.volunteer, "kiosk", COORDINATOR)
        clock.advance(minutes=240)
        ledger.check_out(shift, world.volunteer, {}, COORDINATOR)
        clock.advance(days=1)
    world.settle()
    due = world.call("coord", "GET", "/api/v1/reports/awards-due").json()
    assert [(a["name"], a["award_hours"], a["hours"]) for a in due] == [("Li Wei", 10, 12.0), ("Li Wei", 5, 12.0)]
    given = world.call("coord", "POST", f"/api/v1/volunteers/{world.volunteer}/awards", json={"hours": 10})
    assert given.status_code == 200, given.text
    world.settle()
    assert [a["award_hours"] for a in world.call("coord", "GET", "/api/v1/reports/awards-due").json()] == [5]
    twice = world.call("coord", "POST", f"/api/v1/volunteers/{world.volunteer}/awards", json={"hours": 10})
    assert twice.status_code == 400 and twice.json()["field"] == "hours"
    not_yet = world.call("coord", "POST", f"/api/v1/volunteers/{world.other_volunteer}/awards", json={"hours": 5})
    assert not_yet.status_code == 400 and "not served" in not_yet.json()["detail"]


def test_the_awards_due_are_on_the_volunteers_screen_and_presented_from_it(world: World, clock) -> None:
    from tests.integration.test_ui_pages import log_in, submit

    h, ledger = world.hospital, world.ledger
    object.__setattr__(world.client.app.state.settings, "award_hours", (3,))
    shift = h.shift(starts=clock.now() + timedelta(minutes=10), hours=4)
    ledger.sign_up(shift, world.volunteer, COORDINATOR)
    clock.advance(minutes=10)
    ledger.check_in(shift, world.volunteer, "kiosk", COORDINATOR)
    clock.advance(minutes=240)
    ledger.check_out(shift, world.volunteer, {}, COORDINATOR)
    world.settle()
    log_in(world, "coord")
    assert "3-hour award" in world.client.get("/volunteers").text
    done = submit(world, f"/volunteers/{world.volunteer}/awards/3")
    assert "Award recorded as presented." in done and "3-hour award" not in done
