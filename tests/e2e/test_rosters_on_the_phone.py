"""Rosters that stay staffed, on the volunteer's phone (390 px), in English and Chinese: wait in line
for a full shift and get the place when it frees up; take a place a colleague offers with one tap."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.checkers import axe_violations
from tests.e2e.conftest import ZONE, Server, snap
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
