"""The volunteer's phone (390 px): what to do now comes first, with one big button when it can be
pressed; a shift not open yet says when it opens; refusals speak to the volunteer; nothing is
wider than the screen."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.checkers import axe_violations
from tests.e2e.conftest import ZONE, Server, snap
from tests.e2e.test_coordinators_desk import _shift, _volunteer

ZH = "zh-CN"
PHONE_WIDTH = 390


@pytest.mark.parametrize("locale", ["en-GB", ZH])
def test_on_a_phone_the_next_shift_comes_first_with_one_big_button(page_for, server: Server, locale: str) -> None:
    en = locale == "en-GB"
    login = f"phone-{locale.lower()}"
    me = _volunteer(server, f"Shi Yu {locale}", phone="13966661111" if en else "13966662222", login=login)
    soon = datetime.now(ZONE).replace(second=0, microsecond=0) + timedelta(minutes=15)
    now_shift = _shift(server, f"pharmacy queue {locale}", soon)
    later = _shift(server, f"library cart {locale}", soon + timedelta(days=2))
    clash = _shift(server, f"clashing desk {locale}", soon + timedelta(minutes=30))
    for shift in (now_shift, later):
        server.api("POST", f"/shifts/{shift}/signups", {"volunteer_id": me}, user="coord")
    server.settle()
    page = page_for(login, locale, phone=True)

    first = page.locator("main h2").first
    expect(first).to_have_text("Your next shift" if en else "您的下一个班次")
    now_card = page.locator(f"[data-now='{now_shift}']")
    check_in = now_card.get_by_role("button", name="Check in" if en else "签到")
    expect(check_in).to_be_visible()
    assert check_in.bounding_box()["y"] < 844  # on the first screen, without scrolling
    menu = page.get_by_role("navigation")
    expect(menu.get_by_role("link", name="Service record" if en else "服务记录", exact=True)).to_be_hidden()  # folded
    later_card = page.locator(f"[data-my-shift='{later}']")
    expect(later_card.locator("[data-opens]")).to_be_visible()  # when it opens, not a button that fails
    expect(later_card.get_by_role("button", name="Check in" if en else "签到")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert axe_violations(page) == []
    snap(page, f"volunteer-phone-now-{locale}")

    page.locator(f"[data-open-shift='{clash}']").get_by_role("button", name="Sign up" if en else "报名").click()
    expect(page.locator("[data-flash=error]")).to_have_text("You already have a shift at that time." if en else
                                                            "您在这个时间已有其他班次。")
    check_in = page.locator(f"[data-now='{now_shift}']").get_by_role("button", name="Check in" if en else "签到")
    check_in.click()
    expect(page.locator("[data-flash=ok]")).to_have_text("Checked in. Thank you for serving!" if en else
                                                         "签到成功，感谢您的服务！")
    on_duty = page.locator(f"[data-now='{now_shift}']")
    expect(on_duty.get_by_role("heading")).to_have_text("On duty now" if en else "正在服务")
    expect(on_duty.get_by_role("button", name="Check out" if en else "签退")).to_be_visible()
    page.get_by_role("button", name="Menu" if en else "菜单").click()
    expect(menu.get_by_role("link", name="Service record" if en else "服务记录", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    snap(page, f"volunteer-phone-on-duty-{locale}")
    for path in ("/me/record", "/me/certificates"):  # the other pages a volunteer opens on the phone
        page.goto(f"{server.base}{path}")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH, path
        assert axe_violations(page) == [], path
