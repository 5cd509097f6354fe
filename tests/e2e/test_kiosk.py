"""The kiosk at the volunteer desk, on a tablet: a volunteer finds themselves by the last digits of
their phone on a keypad, or by name, and checks in with a confirmation readable from a metre."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.checkers import axe_violations
from tests.e2e.conftest import PASSWORD, ZONE, Server, snap
from tests.e2e.test_coordinators_desk import _shift, _volunteer

TABLET = {"width": 820, "height": 1180}
ZH = "zh-CN"


def kiosk_tablet(browser, server: Server, locale: str):
    context = browser.new_context(locale=locale, extra_http_headers={"Accept-Language": locale}, viewport=TABLET,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{server.base}/login")
    en = locale.startswith("en")
    page.get_by_label("Username" if en else "用户名").fill("kiosk")
    page.get_by_label("Password" if en else "密码").fill(PASSWORD)
    page.get_by_role("button", name="Log in" if en else "登录").click()
    page.wait_for_url(f"{server.base}/kiosk")
    return context, page


@pytest.mark.parametrize("locale", ["en-GB", ZH])
def test_a_volunteer_finds_themselves_by_phone_digits_and_checks_in_in_three_taps(browser, server: Server,
                                                                                  locale: str) -> None:
    en = locale == "en-GB"
    tail = "9461" if en else "8461"
    me = _volunteer(server, f"Tang Min {locale}", phone=f"1395555{tail}")
    decoy = _volunteer(server, f"Tang Mei {locale}", phone=f"1395555{tail[1:]}{tail[0]}")  # the same digits, turned
    starts = datetime.now(ZONE).replace(microsecond=0) - timedelta(minutes=10)
    shift = _shift(server, f"kiosk desk {locale}", starts)
    for volunteer in (me, decoy):
        server.api("POST", f"/shifts/{shift}/signups", {"volunteer_id": volunteer}, user="coord")
    server.settle()
    context, page = kiosk_tablet(browser, server, locale)
    try:
        taps = 0
        for digit in tail[:2]:
            page.locator(f"[data-key='{digit}']").tap()
            taps += 1
        shown = page.locator(".person:visible")
        expect(shown).to_have_count(1)
        expect(shown).to_contain_text(f"Tang Min {locale}")
        # their shift, on the programme's clock, in the page's own words (compiled for its language)
        expect(shown).to_contain_text(f"kiosk desk {locale} · {starts:%H:%M}–{starts + timedelta(hours=2):%H:%M}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Today's volunteers" if en else "今日志愿者")
        shown.get_by_role("button", name="Check in" if en else "签到").tap()
        taps += 1
        confirmation = page.locator("[data-flash=ok]")
        expect(confirmation).to_have_text(f"Tang Min {locale} is checked in. Welcome!" if en else
                                          f"Tang Min {locale} 签到成功，欢迎！")
        assert taps <= 3
        assert float(confirmation.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 32
        snap(page, f"kiosk-tablet-checked-in-{locale}")
        expect(confirmation).to_have_count(0, timeout=15_000)  # cleared for the next person
        assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
        assert axe_violations(page) == []
    finally:
        context.close()


def test_typing_a_name_shows_only_that_person_and_the_tap_checks_in_that_person(browser, server: Server) -> None:
    lin = _volunteer(server, "林杰", phone="13955550011")
    wang = _volunteer(server, "王芳芳", phone="13955550022")
    shift = _shift(server, "kiosk name desk", datetime.now(ZONE).replace(microsecond=0) - timedelta(minutes=5))
    for volunteer in (wang, lin):
        server.api("POST", f"/shifts/{shift}/signups", {"volunteer_id": volunteer}, user="coord")
    server.settle()
    context, page = kiosk_tablet(browser, server, ZH)
    try:
        page.get_by_label("手机号后四位，或您的姓名").fill("林杰")
        expect(page.locator(".person:visible")).to_have_count(1)
        expect(page.locator(".person", has_text="王芳芳")).to_be_hidden()
        page.locator(".person:visible").get_by_role("button", name="签到").tap()
        expect(page.locator("[data-flash=ok]")).to_have_text("林杰 签到成功，欢迎！")
        page.get_by_label("手机号后四位，或您的姓名").fill("8888888")
        expect(page.locator("[data-found]")).to_have_text("没有找到匹配的人：请到服务台询问。")
        snap(page, "kiosk-tablet-nobody-zh")
    finally:
        context.close()


def test_checking_out_offers_the_posts_usual_service_and_count_accepted_with_one_tap(browser, server: Server) -> None:
    earlier, me = _volunteer(server, "Peng Hua", phone="13955557711"), _volunteer(server, "Peng Li", phone="13955557722")
    post = "usual outpatient desk"
    shift = _shift(server, post, datetime.now(ZONE).replace(microsecond=0) - timedelta(minutes=30))
    for volunteer in (earlier, me):
        server.api("POST", f"/shifts/{shift}/signups", {"volunteer_id": volunteer}, user="coord")
        server.api("POST", f"/shifts/{shift}/check-in", {"volunteer_id": volunteer}, user="kiosk")
    server.api("POST", f"/shifts/{shift}/check-out", {"volunteer_id": earlier, "served": {"guidance": 14}},
               user="kiosk")  # what this post usually serves, so far
    server.settle()
    context, page = kiosk_tablet(browser, server, ZH)
    try:
        page.get_by_label("手机号后四位，或您的姓名").fill("Peng Li")
        row = page.locator(".person:visible")
        count = row.get_by_label("导医（人次）")
        expect(count).to_have_value("14")
        row.get_by_role("button", name="加一").tap()
        expect(count).to_have_value("15")
        expect(row.get_by_text("其他服务")).to_be_visible()
        expect(row.get_by_label("交流")).to_be_hidden()  # the others folded away
        snap(page, "kiosk-tablet-check-out-zh")
        row.get_by_role("button", name="签退").tap()
        expect(page.locator("[data-flash=ok]")).to_have_text("Peng Li 签退成功，谢谢！")
        assert axe_violations(page) == []
    finally:
        context.close()


def test_a_walk_in_types_their_whole_number_and_takes_a_free_place(browser, server: Server) -> None:
    walker = _volunteer(server, "Du Juan", phone="13955558833")
    shift = _shift(server, "walk-in ward round", datetime.now(ZONE).replace(microsecond=0) - timedelta(minutes=15),
                   capacity=2)
    context, page = kiosk_tablet(browser, server, ZH)
    try:
        page.get_by_label("您的完整手机号").fill("139 5555 8834")  # one digit wrong: nobody is named
        page.get_by_role("button", name="查找班次").tap()
        expect(page.locator("[data-walk-in=unknown]")).to_be_visible()
        expect(page.locator("body")).not_to_contain_text("Du Juan")
        page.goto(f"{server.base}/kiosk")
        page.get_by_label("您的完整手机号").fill("139 5555 8833")
        page.get_by_role("button", name="查找班次").tap()
        expect(page.get_by_role("heading", level=1)).to_have_text("Du Juan，您好")
        place = page.locator("form.person", has_text="walk-in ward round")
        expect(place).to_contain_text("尚余 2 个名额")
        snap(page, "kiosk-tablet-walk-in-zh")
        assert axe_violations(page) == []
        place.get_by_role("button", name="在此签到").tap()
        expect(page.locator("[data-flash=ok]")).to_have_text("Du Juan 签到成功，欢迎！")
        expect(page.locator(".person", has_text="Du Juan")).to_contain_text("walk-in ward round")  # on the list now
    finally:
        context.close()
    assert server.api("GET", f"/shifts/{shift}", user="coord")["filled"] == 1


def test_a_coordinator_pairs_a_tablet_once_and_unpairs_it_and_the_public_cannot_log_it_out(
        browser, page_for, server: Server) -> None:
    coordinator = page_for("coord", ZH)
    coordinator.goto(f"{server.base}/board")
    coordinator.get_by_role("link", name="服务台自助终端：配对或解除配对平板").click()
    coordinator.get_by_label("放置位置").fill("门诊大厅服务台")
    coordinator.get_by_role("button", name="生成配对码").click()
    code = coordinator.locator("[data-pairing-code]").inner_text()
    snap(coordinator, "kiosks-pairing-code-zh")
    assert axe_violations(coordinator) == []
    tablet = browser.new_context(locale=ZH, extra_http_headers={"Accept-Language": ZH}, viewport=TABLET,
                                 is_mobile=True, has_touch=True)
    try:
        page = tablet.new_page()
        page.goto(f"{server.base}/pair")
        page.get_by_label("协调员提供的配对码").fill(code.lower().replace("-", " "))  # as typed on a tablet
        page.get_by_role("button", name="配对").tap()
        expect(page.locator("[data-flash=ok]")).to_have_text("此平板现已成为本单位的自助终端。")
        expect(page).to_have_url(f"{server.base}/kiosk")
        expect(page.get_by_role("button", name="退出")).to_have_count(0)  # nobody at the desk logs it out
        expect(page.locator("header .who")).to_contain_text("门诊大厅服务台")
        [cookie] = [c for c in tablet.cookies() if c["name"] == "token"]
        assert cookie["expires"] - datetime.now().timestamp() > 300 * 86400  # paired, not logged in for 8 hours
        snap(page, "kiosk-paired-zh")
        second = browser.new_context(locale=ZH)
        try:  # the code works once
            other = second.new_page()
            other.goto(f"{server.base}/pair?code={code}")
            other.get_by_role("button", name="配对").click()
            expect(other.locator("[data-flash=error]")).to_contain_text("配对码无法使用")
        finally:
            second.close()
        coordinator.goto(f"{server.base}/kiosks")
        row = coordinator.locator("tr[data-device='门诊大厅服务台']").first
        expect(row).to_contain_text("配对于")
        coordinator.once("dialog", lambda dialog: dialog.accept())
        row.get_by_role("button", name="解除配对").click()
        expect(coordinator.locator("[data-flash=ok]")).to_contain_text("已解除配对")
        page.goto(f"{server.base}/kiosk")
        expect(page).to_have_url(re.compile(r"/login"))
    finally:
        tablet.close()
