"""What had a use case but no way in, now on a screen and an endpoint: a volunteer's own details,
ending a group, and the department's sessions per social worker."""

from __future__ import annotations

from datetime import datetime

from tests.conftest import CST
from tests.integration.conftest import World
from tests.integration.test_one_way_in import browser, post_form


def test_a_volunteer_corrects_their_phone_languages_and_skills_and_a_bad_phone_is_refused(world: World) -> None:
    browser(world, "li")
    assert post_form(world, "/me/profile", {"phone": "139 1234 5678", "languages": "zh，en", "skills": "first aid"}
                     ).status_code == 303
    world.settle()
    page = world.client.get("/me").text
    assert 'value="13912345678"' in page and 'value="zh, en"' in page and 'value="first aid"' in page
    assert world.ledger.get_volunteer(world.volunteer).languages == ["zh", "en"]
    before = world.ledger.position
    post_form(world, "/me/profile", {"phone": "12345"})
    assert world.ledger.position == before
    assert 'data-field="phone">is not a telephone number (6 to 20 digits)</p>' in world.client.get("/me").text
    browser(world, None)
    other = world.call("other_coord", "POST", f"/api/v1/volunteers/{world.volunteer}/profile",
                       json={"phone": "13900000001"})
    assert other.status_code == 403
    mine = world.call("coord", "POST", f"/api/v1/volunteers/{world.volunteer}/profile",
                      json={"phone": "13900000001", "skills": ["sign language"]})
    assert mine.status_code == 200 and world.ledger.get_volunteer(world.volunteer).phone == "13900000001"


def test_an_ended_group_leaves_the_list_its_meetings_stay_counted(world: World) -> None:
    ledger, sw = world.ledger, world.ledger.find_account("sw").id
    group = ledger.form_group("group", world.hospital.unit, "Caregivers' circle", "communication", sw, str(sw)).id
    ledger.hold_meeting(group, datetime(2026, 11, 22, 15, tzinfo=CST), 90, 8, str(sw))
    world.settle()
    browser(world, "sw")
    assert "Caregivers&#39; circle" in world.client.get("/social").text
    assert post_form(world, f"/social/groups/{group}/end").status_code == 303
    world.settle()
    assert "Caregivers&#39; circle" not in world.client.get("/social").text
    browser(world, None)
    again = world.call("sw", "POST", f"/api/v1/groups/{group}/end")
    assert again.status_code == 200  # ending twice records nothing new
    report = world.call("sw", "GET", "/api/v1/reports/cases", params={"from": "2026-11-01", "to": "2026-11-30"}).json()
    assert report["by_mode"] and any(r["person_times"] >= 8 for r in report["by_mode"])


def test_the_case_reports_show_sessions_per_social_worker(world: World) -> None:
    ledger, sw = world.ledger, world.ledger.find_account("sw").id
    for persons in (1, 1):
        ledger.log_session(world.hospital.unit, sw, "pr_a", "communication", "individual",
                           datetime(2026, 11, 20, 10, tzinfo=CST), 45, persons, str(sw))
    world.settle()
    browser(world, None)
    report = world.call("sw", "GET", "/api/v1/reports/cases", params={"from": "2026-11-01", "to": "2026-11-30"}).json()
    assert [(r["username"], r["sessions"], r["minutes"]) for r in report["by_worker"]] == [("sw", 2, 90)]
    browser(world, "sw")
    page = world.client.get("/cases/reports?from=2026-11-01&to=2026-11-30").text
    block = page[page.index("data-by-worker"):]
    assert "<td>sw</td>" in block and "<td>1.5</td>" in block
