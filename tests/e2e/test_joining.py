"""From an application to the first shift, in Chromium, in English and Chinese: a stranger applies on a
phone from the unit's public form (a refusal keeps what was typed), the coordinator moves the
application along the board (each step refused until its condition holds), activation sends the
invitation by SMS, and the new volunteer sets a password and signs up for a first shift."""

from __future__ import annotations

import json
import re
import time
from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.checkers import axe_violations
from tests.e2e.conftest import ZONE, Server, snap
from tests.e2e.test_coordinators_desk import _shift
from tests.integration.test_applications_api import resident_id

PHONE = {"width": 390, "height": 844}
WORDS = {
    "en-GB": {"name": "Full name", "phone": "Mobile phone", "number": "Document number", "emergency": "Name",
              "emergency_phone": "Phone", "agree": "I have read and accept the service agreement",
              "consent": "I consent to the processing of my personal data", "send": "Send my application",
              "thanks": "Thank you!", "weekend": "Weekend mornings", "interview": "Record the interview",
              "screen": "Record the screening", "train": "Training passed", "activate": "Activate and invite",
              "code": "Invitation code", "username": "Username", "password": "Password",
              "set_up": "Set up my login", "log_in": "Log in", "sign_up": "Sign up", "signed_up": "You are signed up.",
              "agreement_problem": "read and accept the service agreement to apply"},
    "zh-CN": {"name": "姓名", "phone": "手机号", "number": "证件号码", "emergency": "姓名", "emergency_phone": "电话",
              "agree": "我已阅读并接受志愿服务协议", "consent": "我同意按上述说明处理我的个人信息", "send": "提交报名",
              "thanks": "谢谢您！", "weekend": "周末上午", "interview": "记录面谈", "screen": "记录体检",
              "train": "确认培训通过", "activate": "激活并发送邀请",
              "code": "邀请码", "username": "用户名", "password": "密码",
              "set_up": "设置登录账号", "log_in": "登录", "sign_up": "报名", "signed_up": None,
              "agreement_problem": "须阅读并接受志愿服务协议才能报名"},
}


def _texts_to(server: Server, phone: str) -> list[str]:
    texts = server.data / "sms.jsonl"
    lines = texts.read_text(encoding="utf-8").splitlines() if texts.exists() else []
    return [m["text"] for m in map(json.loads, lines) if m["phone"] == phone]


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_a_stranger_applies_on_a_phone_and_signs_up_for_a_first_shift(browser, page_for, server: Server,
                                                                      locale: str) -> None:
    w, en = WORDS[locale], locale == "en-GB"
    name, phone = f"Fang Qing {locale}", "13955550001" if en else "13955550002"
    first_shift = _shift(server, f"welcome desk {locale}", datetime.now(ZONE).replace(second=0, microsecond=0)
                         + timedelta(days=2))
    stranger = browser.new_context(locale=locale, viewport=PHONE, is_mobile=True, has_touch=True,
                                   extra_http_headers={"Accept-Language": locale})
    try:
        page = stranger.new_page()
        page.goto(f"{server.base}/apply/{server.unit}")  # no login
        expect(page.get_by_role("heading", level=1)).to_contain_text("Ruijin Hospital")
        about = page.locator("fieldset").first  # "about you"; the contacts below have names too
        about.get_by_label(w["name"], exact=True).fill(name)
        about.get_by_label(w["phone"], exact=True).fill(phone)
        page.get_by_label(w["number"]).fill(resident_id(date(1994, 7, 9), phone[-3:]))
        page.get_by_label(w["weekend"]).check()
        contact = page.locator("fieldset", has=page.locator("#apply-emergency_name"))
        contact.get_by_label(w["emergency"], exact=True).fill("Fang Yi")
        contact.get_by_label(w["emergency_phone"], exact=True).fill("13955559999")
        page.get_by_label(w["consent"]).check()
        page.locator("input[name=agreement]").evaluate("box => box.removeAttribute('required')")  # the server's rule
        page.get_by_role("button", name=w["send"]).click()  # the agreement left unticked
        expect(page.locator("#problem-agreement")).to_have_text(w["agreement_problem"])
        expect(page.locator("input[name=agreement]")).to_be_focused()  # taken to the problem, not the top
        expect(page.locator("fieldset").first.get_by_label(w["name"], exact=True)).to_have_value(name)  # kept
        expect(page.get_by_label(w["weekend"])).to_be_checked()
        expect(page.get_by_label(w["consent"])).to_be_checked()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert axe_violations(page) == []
        snap(page, f"apply-refused-{locale}")
        page.get_by_label(w["agree"]).check()
        page.get_by_role("button", name=w["send"]).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(w["thanks"])

        coordinator = page_for("coord", locale)
        coordinator.goto(f"{server.base}/applications")
        card = coordinator.locator(f"[data-stage=applied] [data-applicant='{name}']")
        card.get_by_role("button", name=w["interview"]).click()
        expect(coordinator.locator("[data-flash=ok]")).to_have_text("Interview recorded." if en else "面谈已记录。")
        card = coordinator.locator(f"[data-stage=interviewed] [data-applicant='{name}']")
        expect(card.locator("[data-waiting=screen]")).to_be_visible()  # no button the server would refuse
        expect(card.get_by_role("button", name=w["screen"])).to_have_count(0)
        volunteer = next(a["volunteer_id"] for a in server.api("GET", "/applications", user="coord")
                         if a["name"] == name)
        today = datetime.now(ZONE).date()
        server.api("POST", f"/volunteers/{volunteer}/credentials",
                   {"kind": "health_check", "recorded_on": today.isoformat()}, user="coord")
        coordinator.reload()
        coordinator.locator(f"[data-stage=interviewed] [data-applicant='{name}']").get_by_role(
            "button", name=w["screen"]).click()
        expect(coordinator.locator("[data-flash=ok]")).to_be_visible()
        expect(coordinator.locator(f"[data-stage=screened] [data-applicant='{name}'] [data-waiting=train]")).to_be_visible()
        training = server.api("POST", "/trainings", {
            "title": f"Induction {locale}", "kind": "pre_job", "unit_id": server.unit, "capacity": 10,
            "starts_at": (datetime.now(ZONE) - timedelta(days=1)).isoformat(),
            "ends_at": (datetime.now(ZONE) - timedelta(days=1) + timedelta(hours=2)).isoformat()}, user="coord")["id"]
        server.api("POST", f"/trainings/{training}/enrolments", {"volunteer_id": volunteer}, user="coord")
        server.api("POST", f"/trainings/{training}/results", {"volunteer_id": volunteer, "passed": True},
                   user="coord")
        server.settle()
        coordinator.reload()
        coordinator.locator(f"[data-stage=screened] [data-applicant='{name}']").get_by_role(
            "button", name=w["train"]).click()
        expect(coordinator.locator("[data-flash=ok]")).to_be_visible()
        coordinator.locator(f"[data-stage=trained] [data-applicant='{name}']").get_by_role(
            "button", name=w["activate"]).click()
        expect(coordinator.locator("[data-invitation]")).to_be_visible()
        assert coordinator.evaluate("document.documentElement.scrollWidth") <= 1200
        assert axe_violations(coordinator) == []
        snap(coordinator, f"applications-board-{locale}")

        deadline = time.monotonic() + 60
        while not _texts_to(server, phone):  # the mailroom's turn, every second
            assert time.monotonic() < deadline, "the invitation never left"
            page.wait_for_timeout(250)
        [text] = _texts_to(server, phone)
        link = re.search(r"https?://\S+/join/[0-9A-F-]+", text).group(0)
        page.goto(link)
        login = f"fangqing-{locale.lower()}"
        page.get_by_label(w["username"]).fill(login)
        page.get_by_label(w["password"]).fill("a garden with three cats")
        page.get_by_role("button", name=w["set_up"]).click()
        page.get_by_label(w["username"]).fill(login)
        page.get_by_label(w["password"]).fill("a garden with three cats")
        page.get_by_role("button", name=w["log_in"]).click()
        expect(page).to_have_url(re.compile("/me$"))
        offered = page.locator(f"[data-open-shift='{first_shift}']")
        offered.get_by_role("button", name=w["sign_up"]).tap()
        expect(page.locator("[data-flash=ok]")).to_be_visible()
        expect(page.locator(f"[data-my-shift='{first_shift}'], [data-now='{first_shift}']")).to_be_visible()
        snap(page, f"first-shift-{locale}")
    finally:
        stranger.close()


def test_the_public_form_never_says_whether_someone_applied_and_refuses_a_forged_form(browser, server: Server
                                                                                      ) -> None:
    context = browser.new_context(locale="en-GB", viewport=PHONE)
    try:
        page = context.new_page()
        answers = []
        for _ in range(2):  # the same person twice
            page.goto(f"{server.base}/apply/{server.unit}")
            page.get_by_label("Full name").fill("Ren Yue")
            page.get_by_label("Mobile phone").fill("13955550003")
            page.get_by_label("Document number").fill(resident_id(date(1988, 1, 2), "003"))
            contact = page.locator("fieldset", has=page.locator("#apply-emergency_name"))
            contact.get_by_label("Name", exact=True).fill("Ren Bo")
            contact.get_by_label("Phone", exact=True).fill("13955559998")
            page.get_by_label("I have read and accept the service agreement").check()
            page.get_by_label("I consent to the processing of my personal data").check()
            page.get_by_role("button", name="Send my application").click()
            answers.append(page.locator("main").inner_text())
        assert answers[0] == answers[1]  # nothing tells them apart
        board = [a for a in server.api("GET", "/applications", user="coord") if a["name"] == "Ren Yue"]
        assert len(board) == 2 and sum(a["duplicate_of"] is not None for a in board) == 1
        forged = context.request.post(f"{server.base}/apply/{server.unit}", form={"name": "X"},
                                      max_redirects=0)  # no form token: as another site would send it
        assert forged.status == 403
    finally:
        context.close()
