"""Rosters that stay staffed, on the volunteer's phone (390 px), in English and Chinese: wait in line
for a full shift and get the place when it frees up; take a place a colleague offers with one tap."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.checkers import axe_violations
from tests.e2e.conftest import PASSWORD, ZONE, Server, snap
from tests.e2e.test_coordinators_desk import _shift, _volunteer

PHONE_WIDTH = 390
WORDS = {"en-GB": {"join": "Join the waitlist", "next": "You are next in line.", "take": "Take this place",
                   "taken": "The place is yours. Thank you for stepping in!"},
         "zh-CN": {"join": "加入候补", "next": "您是下一位候补。", "take": "接替此名额", "taken": "名额已归您，感谢您的补位！"}}


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_a_volunteer_waits_for_a_full_shift_then_takes_a_place_a_colleague_offers(page_for, server: Server,
                                                                                 locale: str) -> None:
    w, tail = WORDS[locale], "31" if locale == "en-GB" else "32"
    login = f"roster-{locale.lower()}"
    me = _volunteer(server, f"Ding Yi {locale}", phone=f"139888800{tail}", login=login)
    holder = _volunteer(server, f"Bai Lu {locale}", phone=f"139888801{tail}")
    soon = datetime.now(ZONE).replace(second=0, microsecond=0) + timedelta(days=3)
    full = _shift(server, f"lift lobby {locale}", soon, capacity=1)
    offered = _shift(server, f"pharmacy queue {locale}", soon + timedelta(days=1), capacity=1)
    for shift in (full, offered):
        server.api("POST", f"/shifts/{shift}/signups", {"volunteer_id": holder}, user="coord")
    server.api("POST", f"/shifts/{offered}/offers", {"volunteer_id": holder}, user="coord")
    server.settle()

    page = page_for(login, locale, phone=True)
    card = page.locator(f"[data-full-shift='{full}']")
    card.get_by_role("button", name=w["join"]).tap()
    expect(page.locator("[data-flash=ok]")).to_be_visible()
    expect(page.locator(f"[data-full-shift='{full}'] [data-place]")).to_have_text(w["next"])
    server.api("DELETE", f"/shifts/{full}/signups/{holder}", user="coord")  # a place frees up
    server.settle()
    page.reload()
    expect(page.locator(f"[data-my-shift='{full}'], [data-now='{full}']")).to_be_visible()  # promoted: theirs
    expect(page.locator(f"[data-full-shift='{full}']")).to_have_count(0)

    page.locator(f"[data-offer='{offered}']").get_by_role("button", name=w["take"]).tap()
    expect(page.locator("[data-flash=ok]")).to_have_text(w["taken"])
    expect(page.locator(f"[data-my-shift='{offered}']")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert axe_violations(page) == []
    snap(page, f"rosters-phone-{locale}")
    roster = {s["volunteer_id"]: s["state"] for s in server.api("GET", f"/shifts/{offered}", user="coord")["roster"]}
    assert roster == {me: "signed_up"}  # the colleague's seat handed over, never two at once


APPROVAL = {"en-GB": {"approve_each": "Approve each handover", "through": "Let handovers through at once",
                      "take": "Take this place", "asked": "Asked: the coordinator approves handovers here.",
                      "approve": "Approve", "approved": "Approved: the place has changed hands"},
            "zh-CN": {"approve_each": "每次转让须经批准", "through": "转让无需批准", "take": "接替此名额",
                      "asked": "已申请：此处的班次转让需经协调员批准", "approve": "批准", "approved": "已批准：名额已转让"}}


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_where_the_coordinator_approves_handovers_the_place_changes_hands_on_approval(page_for, server: Server,
                                                                                     locale: str) -> None:
    w, tail = APPROVAL[locale], "71" if locale == "en-GB" else "72"
    coord = page_for("coord", locale)
    coord.goto(f"{server.base}/posts")
    coord.get_by_role("button", name=w["approve_each"]).first.click()
    expect(coord.locator("[data-handover-approval]").first).to_have_attribute("data-handover-approval", "yes")
    try:
        login = f"approval-{locale.lower()}"
        me = _volunteer(server, f"Xu Lan {locale}", phone=f"139888802{tail}", login=login)
        holder = _volunteer(server, f"He Jun {locale}", phone=f"139888803{tail}")
        soon = datetime.now(ZONE).replace(second=0, microsecond=0) + timedelta(days=4)
        shift = _shift(server, f"clinic entrance {locale}", soon, capacity=1)
        server.api("POST", f"/shifts/{shift}/signups", {"volunteer_id": holder}, user="coord")
        server.api("POST", f"/shifts/{shift}/offers", {"volunteer_id": holder}, user="coord")
        server.settle()

        phone = page_for(login, locale, phone=True)
        phone.locator(f"[data-offer='{shift}']").get_by_role("button", name=w["take"]).tap()
        expect(phone.locator("[data-flash=ok]")).to_contain_text(w["asked"])
        expect(phone.locator(f"[data-offer='{shift}'] [data-awaiting-approval]")).to_be_visible()
        assert axe_violations(phone) == []

        coord.goto(f"{server.base}/shifts/{shift}")
        waiting = coord.locator(f"[data-handover='{holder}']")
        expect(waiting).to_contain_text(f"Xu Lan {locale}")
        assert axe_violations(coord) == []
        waiting.get_by_role("button", name=w["approve"], exact=True).click()
        expect(coord.locator("[data-flash=ok]")).to_contain_text(w["approved"])
        snap(coord, f"handover-approved-{locale}")
        phone.reload()
        expect(phone.locator(f"[data-my-shift='{shift}'], [data-now='{shift}']")).to_be_visible()
        roster = {s["volunteer_id"]: s["state"] for s in server.api("GET", f"/shifts/{shift}", user="coord")["roster"]}
        assert roster == {me: "signed_up"}
    finally:  # the session's server is shared: handovers go through at once again
        server.api("POST", f"/units/{server.unit}/handover-approval", {"needed": False}, user="coord")


BEHIND = {"en-GB": {"sign_up": "Sign up", "join": "Join the waitlist", "joined": "You are next in line."},
          "zh-CN": {"sign_up": "报名", "join": "加入候补", "joined": "您是下一位候补。"}}


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_a_full_shift_behind_a_month_of_open_ones_is_still_offered_to_wait_for(page_for, server: Server,
                                                                              locale: str) -> None:
    """The home shows the first open shifts and, found apart, the first full ones: a full shift
    that starts after more open shifts than the page shows is still there to wait for, and each
    card offers only what can succeed (an open one a sign-up, a full one the waitlist)."""
    w, tail = BEHIND[locale], "41" if locale == "en-GB" else "42"
    login = f"behind-{locale.lower()}"
    _volunteer(server, f"Qian Mo {locale}", phone=f"139888802{tail}", login=login)
    holder = _volunteer(server, f"Sun Li {locale}", phone=f"139888803{tail}")
    first = datetime.now(ZONE).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    for i in range(32):  # more open shifts than the home shows, all before the full one
        server.api("POST", "/shifts", {"unit_id": server.unit, "post": f"ward round {locale} {i}",
                                       "starts_at": (first + timedelta(hours=3 * i)).isoformat(),
                                       "ends_at": (first + timedelta(hours=3 * i + 2)).isoformat(),
                                       "capacity": 2}, user="coord")
    full = _shift(server, f"night desk {locale}", first + timedelta(days=12), capacity=1)
    server.api("POST", f"/shifts/{full}/signups", {"volunteer_id": holder}, user="coord")
    server.settle()

    page = page_for(login, locale, phone=True)
    opened = page.locator("[data-open-shift]")
    expect(opened.first).to_be_visible()
    assert opened.count() <= 30
    for card in opened.all()[:5]:
        expect(card.get_by_role("button", name=w["sign_up"])).to_be_visible()
        expect(card.get_by_role("button", name=w["join"])).to_have_count(0)
    card = page.locator(f"[data-full-shift='{full}']")
    expect(card.get_by_role("button", name=w["sign_up"])).to_have_count(0)
    card.get_by_role("button", name=w["join"]).tap()
    expect(page.locator("[data-flash=ok]")).to_be_visible()
    expect(page.locator(f"[data-full-shift='{full}'] [data-place]")).to_have_text(w["joined"])
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    snap(page, f"full-behind-open-phone-{locale}")


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_each_shift_on_the_phone_names_its_hospital(page_for, server: Server, locale: str) -> None:
    """A city's open shifts are offered from every hospital: each card, booked or open, says which
    hospital it is at (the home names only the hospitals it shows)."""
    tail = "51" if locale == "en-GB" else "52"
    login = f"hospitals-{locale.lower()}"
    me = _volunteer(server, f"Jiang Ning {locale}", phone=f"139888804{tail}", login=login)
    other = server.api("POST", "/units", {"name": f"Huashan Hospital {locale}", "district": "Jing'an"},
                       user="root")["id"]
    server.api("POST", "/accounts", {"username": f"coord-huashan-{locale.lower()}", "password": PASSWORD,
                                     "role": "coordinator", "unit_ids": [other]}, user="root")
    soon = datetime.now(ZONE).replace(second=0, microsecond=0) + timedelta(minutes=50)
    shifts = {}
    for k, post in enumerate(("outpatient hall", "rehab ward")):
        shifts[post] = server.api("POST", "/shifts", {
            "unit_id": other, "post": f"{post} {locale}", "starts_at": (soon + timedelta(hours=3 * k)).isoformat(),
            "ends_at": (soon + timedelta(hours=3 * k + 2)).isoformat(), "capacity": 3},
            user=f"coord-huashan-{locale.lower()}")["id"]
    at_ruijin = _shift(server, f"lobby desk {locale}", soon + timedelta(hours=6))
    server.api("POST", f"/shifts/{shifts['rehab ward']}/signups", {"volunteer_id": me}, user=login)
    server.settle()

    page = page_for(login, locale, phone=True)
    booked = page.locator(f"[data-my-shift='{shifts['rehab ward']}'], [data-now='{shifts['rehab ward']}']").first
    expect(booked).to_contain_text(f"rehab ward {locale} · Huashan Hospital {locale}")
    expect(page.locator(f"[data-open-shift='{shifts['outpatient hall']}']")).to_contain_text(
        f"outpatient hall {locale} · Huashan Hospital {locale}")
    expect(page.locator(f"[data-open-shift='{at_ruijin}']")).to_contain_text(f"lobby desk {locale} · Ruijin Hospital")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    snap(page, f"hospitals-named-phone-{locale}")
