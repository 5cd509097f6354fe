"""Fair limits in the browser, in English and Chinese: the coordinator sets the unit's own (a typo
said beside its field, what was typed kept); a volunteer is offered no shift past them on the phone,
and a tap on a page gone stale is refused with the reason in words, nothing recorded."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.checkers import axe_violations
from tests.e2e.conftest import ZONE, Server, snap
from tests.e2e.test_coordinators_desk import _shift, _volunteer

WORDS = {
    "en-GB": {"daily": "Hours of shifts a day, at most", "save": "Save the limits", "saved": "The unit's limits are saved.",
              "not_hours": "needs a number of hours", "sign_up": "Sign up",
              "over": "This would be more hours of shifts in one day than you may take."},
    "zh-CN": {"daily": "每天班次时长上限（小时）", "save": "保存限额", "saved": "本单位的限额已保存。",
              "not_hours": "须为小时数", "sign_up": "报名", "over": "这将超过您每天可参加的班次时长。"},
}


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_the_units_daily_limit_set_by_the_coordinator_holds_on_the_volunteers_phone(page_for, server: Server,
                                                                                   locale: str) -> None:
    w, tail = WORDS[locale], "61" if locale == "en-GB" else "62"
    coord = page_for("coord", locale)
    coord.goto(f"{server.base}/posts")
    limits = coord.locator("[data-limits]").first
    try:
        limits.get_by_label(w["daily"]).fill("five")
        limits.get_by_role("button", name=w["save"]).click()
        limits = coord.locator("[data-limits]").first
        expect(limits.locator("[data-field=daily_hours]")).to_contain_text(w["not_hours"])
        expect(limits.get_by_label(w["daily"])).to_have_value("five")  # kept, to mend
        expect(limits.get_by_label(w["daily"])).to_have_attribute("aria-invalid", "true")
        limits.get_by_label(w["daily"]).fill("5")
        limits.get_by_role("button", name=w["save"]).click()
        expect(coord.locator("[data-flash=ok]")).to_have_text(w["saved"])
        expect(coord.locator("[data-limits]").first.get_by_label(w["daily"])).to_have_value("5")
        assert axe_violations(coord) == []
        snap(coord, f"limits-posts-{locale}")

        # Two three-hour shifts on one day: together past five hours.
        login = f"limits-{locale.lower()}"
        me = _volunteer(server, f"Tang Xue {locale}", phone=f"139666600{tail}", login=login)
        day = (datetime.now(ZONE) + timedelta(days=5 if locale == "en-GB" else 6)).replace(hour=8, minute=0,
                                                                                           second=0, microsecond=0)
        morning = _shift(server, f"morning desk {locale}", day, hours=3)
        afternoon = _shift(server, f"afternoon desk {locale}", day + timedelta(hours=5), hours=3)
        phone = page_for(login, locale, phone=True)
        expect(phone.locator(f"[data-open-shift='{morning}']")).to_be_visible()
        expect(phone.locator(f"[data-open-shift='{afternoon}']")).to_be_visible()
        # Meanwhile the coordinator signs them up for the morning: the phone's page is now stale.
        server.api("POST", f"/shifts/{morning}/signups", {"volunteer_id": me}, user="coord")
        server.settle()
        phone.locator(f"[data-open-shift='{afternoon}']").get_by_role("button", name=w["sign_up"]).tap()
        expect(phone.locator("[data-flash=error]")).to_have_text(w["over"])
        expect(phone.locator(f"[data-open-shift='{afternoon}']")).to_have_count(0)  # no longer offered
        assert axe_violations(phone) == []
        snap(phone, f"limits-phone-{locale}")
        roster = server.api("GET", f"/shifts/{afternoon}", user="coord")["roster"]
        assert me not in {s["volunteer_id"] for s in roster}  # nothing recorded
    finally:  # the session's server is shared: the unit goes back to the programme's limits
        server.api("POST", f"/units/{server.unit}/limits", {}, user="coord")
