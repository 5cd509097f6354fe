"""Accident insurance (保险) as a credential with its policy: a post marked so refuses sign-up and
check-in without it, and the coordinator sees who is not insured for next week. The service
agreement's version on the profile; a version not yet accepted is asked for on the phone's home."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.conftest import CST
from tests.integration.conftest import World
from tests.integration.test_ui_pages import log_in, submit
from web.agreements import AGREEMENT

TOMORROW_8 = datetime(2026, 11, 24, 8, tzinfo=CST)


def insure(world: World, until: str, number: str = "PICC-2026-0042") -> dict:
    answer = world.call("coord", "POST", f"/api/v1/volunteers/{world.volunteer}/insurance", json={
        "policy_number": number, "insurer": "PICC", "valid_from": "2026-11-01", "valid_until": until})
    return {"status": answer.status_code, **answer.json()}


def test_a_post_that_requires_insurance_refuses_the_uninsured_and_the_coordinator_sees_them(world: World,
                                                                                          clock) -> None:
    world.ledger.define_post(world.hospital.unit, "ward escort", ["accident_insurance"], "admin")
    shift = world.hospital.shift(starts=TOMORROW_8, post="ward escort")
    refused = world.call("li", "POST", f"/api/v1/shifts/{shift}/signups", json={"volunteer_id": str(world.volunteer)})
    assert (refused.status_code, refused.json()["reason"]) == (422, "not_qualified")
    assert "accident_insurance" in refused.text
    bad = insure(world, until="2026-10-01")
    assert (bad["status"], bad["field"]) == (400, "valid_until")
    assert insure(world, until="2027-10-31")["status"] == 201
    assert world.call("li", "POST", f"/api/v1/shifts/{shift}/signups",
                      json={"volunteer_id": str(world.volunteer)}).status_code == 201
    # The policy recorded again, ending before the shift: still signed up, but not insured that day.
    assert insure(world, until="2026-11-23", number="PICC-2026-0043")["status"] == 201
    world.settle()
    [row] = world.call("coord", "GET", "/api/v1/reports/uninsured").json()
    assert (row["volunteer_id"], row["shift_id"], row["insured_until"]) == (str(world.volunteer), str(shift),
                                                                             "2026-11-23")
    clock.set(TOMORROW_8)
    at_desk = world.call("kiosk", "POST", f"/api/v1/shifts/{shift}/check-in",
                         json={"volunteer_id": str(world.volunteer)})
    assert at_desk.status_code == 422 and "accident_insurance" in at_desk.text
    log_in(world, "coord")
    page = world.client.get("/volunteers").text
    assert f'data-uninsured-volunteer="{world.volunteer}"' in page
    mine = world.client.get(f"/volunteers/{world.volunteer}").text
    assert "PICC-2026-0043" in mine and "data-insurance" in mine


def test_the_agreement_in_force_is_asked_for_until_accepted_and_shown_with_its_version(world: World) -> None:
    world.headers("li")
    assert world.call("li", "GET", f"/api/v1/volunteers/{world.volunteer}/agreement").json()["accepted"] is None
    wrong = world.call("li", "POST", f"/api/v1/volunteers/{world.volunteer}/agreement", json={"version": "2019-01"})
    assert wrong.status_code == 400 and wrong.json()["field"] == "version"
    log_in(world, "li", "zh")
    home = world.client.get("/me").text
    assert "data-agreement-due" in home and "请阅读并接受志愿服务协议" in home
    untouched = submit(world, "/me/agreement", {"version": AGREEMENT.version})
    assert "请勾选以接受" in untouched and AGREEMENT.zh[:20] in untouched
    accepted = submit(world, "/me/agreement", {"version": AGREEMENT.version, "accept": "yes"})
    assert "您已接受协议" in accepted and "data-agreement-due" not in accepted
    assert f"版本 {AGREEMENT.version}" in accepted
    assert world.call("li", "GET", f"/api/v1/volunteers/{world.volunteer}/agreement").json()["accepted"] == \
        AGREEMENT.version
    assert world.ledger.accept_agreement(world.volunteer, AGREEMENT.version, "volunteer").position is None  # again: nothing new
    assert [e for e in world.ledger.events.get(world.volunteer) if type(e).__name__ == "AgreementAccepted"][-1].version \
        == AGREEMENT.version
    # the coordinator's page says it too
    log_in(world, "coord")
    assert f"version {AGREEMENT.version}" in world.client.get(f"/volunteers/{world.volunteer}").text
