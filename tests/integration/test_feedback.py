"""Feedback: a volunteer rates a shift served (once, even tapped twice at once); a patient or family
member leaves feedback through the volunteer's code, without a login, a few per address; the
results by unit, post and month on the dashboard, and what people wrote to the unit's coordinators only."""

from __future__ import annotations

import re
import sqlite3
import threading
from datetime import datetime, timedelta

from projections.rebuild import rebuild
from tests.conftest import CST
from tests.integration.conftest import World
from tests.integration.test_ui_pages import log_in
from tests.scenario import COORDINATOR

DAY = datetime(2026, 11, 24, 8, tzinfo=CST)


def as_family(world: World, token: str, form: dict) -> str:
    """Post the public form as the family's phone would: with the token its page gave."""
    page = world.client.get(f"/feedback/{token}").text
    csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
    answer = world.client.post(f"/feedback/{token}", data={**form, "_csrf": csrf}, follow_redirects=True)
    assert answer.status_code == 200, answer.text
    return answer.text


def served(world: World) -> str:
    shift = world.hospital.shift(starts=DAY, hours=2)
    world.ledger.sign_up(shift, world.volunteer, COORDINATOR)
    world.ledger.clock.set(DAY)
    world.ledger.check_in(shift, world.volunteer, "kiosk", COORDINATOR)
    world.ledger.clock.set(DAY + timedelta(hours=2))
    world.ledger.check_out(shift, world.volunteer, {}, COORDINATOR)
    world.settle()
    return str(shift)


def test_a_volunteer_rates_a_shift_served_once_even_tapped_twice_at_once(world: World) -> None:
    shift = world.hospital.shift(starts=DAY, hours=2)
    early = world.call("li", "POST", f"/api/v1/shifts/{shift}/ratings",
                       json={"volunteer_id": str(world.volunteer), "rating": 5})
    assert (early.status_code, early.json()["reason"]) == (422, "feedback_not_open")  # not served
    shift = served(world)
    assert world.call("li", "POST", f"/api/v1/shifts/{shift}/ratings",
                      json={"volunteer_id": str(world.volunteer), "rating": 6}).json()["field"] == "rating"
    headers, start, codes = world.headers("li"), threading.Barrier(2), []

    def rate() -> None:
        start.wait()
        codes.append(world.client.post(f"/api/v1/shifts/{shift}/ratings", headers=headers, json={
            "volunteer_id": str(world.volunteer), "rating": 4, "line": "The lift queue was long."}).status_code)
    threads = [threading.Thread(target=rate) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(codes) == [201, 409]


def test_a_family_leaves_feedback_through_the_code_and_the_coordinator_reads_it(world: World, tmp_path) -> None:
    shift = served(world)
    for who in ("coord", "auditor", "li"):
        world.headers(who)
    link = world.call("li", "GET", f"/api/v1/shifts/{shift}/feedback-link",
                      params={"volunteer_id": str(world.volunteer)}).json()
    token = link["token"]
    assert link["link"].endswith(f"/feedback/{token}")
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert world.call(None, "POST", f"/api/v1/feedback/{forged}", json={"rating": 5}).json()["field"] == "link"
    # On the family's phone: no login; a refusal keeps what was typed.
    world.client.cookies.clear()
    form = world.client.get(f"/feedback/{token}").text
    assert "name=\"rating\"" in form and "Please do not write names" in form
    refused = as_family(world, token, {"line": "She was so kind to my father."})
    assert "Rating" in refused and "She was so kind to my father." in refused
    thanks = as_family(world, token, {"rating": "5", "line": "She was so kind to my father."})
    assert "Thank you for telling us." in thanks
    world.settle()
    [row] = world.call("auditor", "GET", "/api/v1/reports/feedback",
                       params={"from": "2026-11-01", "to": "2026-11-30"}).json()
    assert (row["source"], row["count"], row["average"], row["month"]) == ("public", 1, 5.0, "2026-11")
    assert "line" not in row  # numbers only, to an auditor
    assert world.call("auditor", "GET", "/api/v1/reports/feedback/lines").status_code == 403
    [line] = world.call("coord", "GET", "/api/v1/reports/feedback/lines",
                        params={"from": "2026-11-01", "to": "2026-11-30"}).json()
    assert line["line"] == "She was so kind to my father." and line["volunteer"] == "Li Wei"
    assert world.call("other_coord", "GET", "/api/v1/reports/feedback/lines",
                      params={"from": "2026-11-01", "to": "2026-11-30"}).json() == []
    # A box stuffed from one address: after ten, refused.
    answers = [world.call(None, "POST", f"/api/v1/feedback/{token}", json={"rating": 1}).status_code
               for _ in range(10)]
    assert answers.count(201) == 9 and answers[-1] == 429
    world.settle()
    every = "SELECT * FROM feedback ORDER BY feedback_id"
    live = world.client.app.state.reader().execute(every).fetchall()
    rebuild(world.ledger, tmp_path / "rebuilt.sqlite3", ["feedback"])
    assert sqlite3.connect(tmp_path / "rebuilt.sqlite3").execute(every).fetchall() == live and len(live) == 10
    log_in(world, "coord")
    assert "She was so kind to my father." in world.client.get("/feedback").text
    board = world.client.get("/dashboard?from=2026-11-01&to=2026-11-30").text
    assert 'data-feedback-row="public"' in board
