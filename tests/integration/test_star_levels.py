"""Star levels (星级) by certified hours: on the phone, the service record, the certificate and the
hours API; the day each level was reached from the service that crossed it (the same after a
rebuild); a correction lowers it again; a notice of the level reached, once."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from domain.clock import FixedClock
from projections.rebuild import rebuild
from tests.conftest import CST
from tests.integration.conftest import World
from tests.integration.test_ui_pages import log_in
from tests.scenario import COORDINATOR
from web.jobs.mailroom import queue_reminders

LEVELS = (2, 6)  # hours for 1★ and 2★, small enough to serve in a test


@pytest.fixture
def two_levels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARELEDGER_STAR_HOURS", ",".join(map(str, LEVELS)))


def serve(world: World, clock: FixedClock, volunteer: UUID, day: datetime, hours: int = 4) -> UUID:
    shift = world.hospital.shift(starts=day, hours=hours)
    world.ledger.sign_up(shift, volunteer, COORDINATOR)
    clock.set(day)
    world.ledger.check_in(shift, volunteer, "kiosk", COORDINATOR)
    clock.set(day + timedelta(hours=hours))
    world.ledger.check_out(shift, volunteer, {}, COORDINATOR)
    return shift


def test_levels_follow_the_hours_and_the_days_that_crossed_them(two_levels: None, world: World, clock: FixedClock,
                                                                tmp_path: Path) -> None:
    li = world.volunteer
    first = datetime(2026, 11, 24, 8, tzinfo=CST)
    serve(world, clock, li, first)  # 4 h: 1★ on the 24th
    second = serve(world, clock, li, first + timedelta(days=2))  # 8 h: 2★ on the 26th
    world.settle()
    hours = world.call("li", "GET", f"/api/v1/volunteers/{li}/hours").json()
    assert (hours["star_level"], hours["hours_to_next_star"]) == (2, None)
    assert hours["star_levels"] == [{"level": 1, "hours": 2, "on": "2026-11-24"},
                                    {"level": 2, "hours": 6, "on": "2026-11-26"}]
    # Told once, of the highest level reached.
    app = world.client.app.state
    assert queue_reminders(world.ledger, app.reader(), LEVELS) == 1
    world.settle()
    assert queue_reminders(world.ledger, app.reader(), LEVELS) == 0
    told = [n for n in world.call("coord", "GET", "/api/v1/reports/notices").json() if n["kind"] == "star_level"]
    assert [(n["volunteer_id"], n["facts"]["level"]) for n in told] == [(str(li), "2")]

    log_in(world, "li")
    home = world.client.get("/me").text
    assert 'data-stars="2"' in home and "2-star volunteer" in home
    record = world.client.get("/me/record").text
    assert "data-star-days" in record and "24 Nov 2026" in record and "26 Nov 2026" in record

    # The rebuilt totals are the live ones.
    every = "SELECT * FROM service_totals ORDER BY volunteer_id"
    live = app.reader().execute(every).fetchall()
    rebuild(world.ledger, tmp_path / "rebuilt.sqlite3", ["hours"])
    assert sqlite3.connect(tmp_path / "rebuilt.sqlite3").execute(every).fetchall() == live == [(str(li), 480)]

    # A correction to one hour: 5 h, 1★ again, still reached on the 24th, with an hour to go.
    asked = world.ledger.request_hours_correction(second, li, 60, "left early", "volunteer").value
    world.ledger.approve_hours_correction(second, asked, COORDINATOR)
    world.settle()
    hours = world.call("li", "GET", f"/api/v1/volunteers/{li}/hours").json()
    assert (hours["star_level"], hours["hours_to_next_star"]) == (1, 1.0)
    assert [s["level"] for s in hours["star_levels"]] == [1]


def test_the_certificate_prints_the_level_on_the_day_of_issue(two_levels: None, world: World,
                                                              clock: FixedClock) -> None:
    li = world.volunteer
    serve(world, clock, li, datetime(2026, 11, 24, 8, tzinfo=CST))
    world.ledger.set_certificate_details(world.hospital.unit, "Wang Min", "021-64370045", COORDINATOR)
    world.ledger.record_identity(li, "passport", "E12345678", "", COORDINATOR)
    world.settle()
    issued = world.call("coord", "POST", f"/api/v1/volunteers/{li}/certificates",
                        json={"from": "2026-11-01", "to": "2026-11-30"})
    assert issued.status_code == 201, issued.text
    shown = world.call("coord", "GET", f"/api/v1/certificates/{issued.json()['id']}").json()
    assert shown["star_level"] == 1
    log_in(world, "coord")
    page = world.client.get(f"/certificates/{issued.json()['id']}").text
    assert "1星级志愿者" in page and "A 1-star volunteer" in page
    export = world.call("coord", "GET", "/api/v1/exports/service-records",
                        params={"from": "2026-11-01", "to": "2026-11-30"}).text
    assert "星级" in export.splitlines()[0] and export.splitlines()[1].endswith(",1")


@pytest.fixture
def valued(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARELEDGER_HOUR_VALUE", "25.5")


def test_the_dashboard_counts_hours_and_their_value_at_the_programmes_rate(valued: None, world: World,
                                                                          clock: FixedClock) -> None:
    li = world.volunteer
    serve(world, clock, li, datetime(2026, 11, 24, 8, tzinfo=CST))  # 4 h
    shift = serve(world, clock, li, datetime(2026, 11, 25, 8, tzinfo=CST), hours=2)  # 2 h, then corrected to 1
    asked = world.ledger.request_hours_correction(shift, li, 60, "left early", "volunteer").value
    world.ledger.approve_hours_correction(shift, asked, COORDINATOR)
    world.settle()
    value = world.call("auditor", "GET", "/api/v1/reports/value", params={"from": "2026-11-01", "to": "2026-11-30"})
    assert value.json() == {"from": "2026-11-01", "to": "2026-11-30", "minutes": 300, "hours": 5.0,
                            "hour_value": 25.5, "currency": "CNY", "value": 127.5}
    only_one_day = world.call("auditor", "GET", "/api/v1/reports/value",
                              params={"from": "2026-11-25", "to": "2026-11-25"}).json()
    assert only_one_day["minutes"] == 60
    log_in(world, "auditor", "zh")
    page = world.client.get("/dashboard?from=2026-11-01&to=2026-11-30").text
    assert "5 小时" in page and "¥127.50" in page and "¥25.50" in page
