"""Records that count, in the browser, in English and Chinese: the coordinator records a volunteer's
insurance and evaluates their service; on the phone (390 px) the volunteer accepts the agreement,
sees their star level, rates the shift and shows the feedback code; a family member's phone leaves
feedback without logging in; the coordinator reads it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.checkers import axe_violations, nu_errors
from tests.e2e.conftest import ZONE, Server, snap
from tests.e2e.test_coordinators_desk import _shift, _volunteer

PHONE = {"width": 390, "height": 844}
WORDS = {
    "en-GB": {"policy": "Policy number", "from": "Covers from", "until": "Covers until", "record_policy": "Record the policy",
              "must_not_before": "must not be before the day it starts", "rating": "Rating", "good": "Good",
              "evaluate": "Record the evaluation", "read_accept": "Read and accept", "accept": "Accept and go on",
              "tick": "tick to accept", "agree": "I have read the agreement and accept it", "no_star": "No star level yet",
              "how": "How was this shift for you?", "five": "Excellent", "send_rating": "Send my rating",
              "rated": "Thank you: your rating is recorded.", "ask_feedback": "Ask the patient or family for feedback",
              "four": "Good", "send": "Send", "thanks": "Thank you for telling us.", "line": "Anything to add (optional)"},
    "zh-CN": {"policy": "保单号", "from": "保障起始日", "until": "保障截止日", "record_policy": "登记保单",
              "must_not_before": "不得早于起始日", "rating": "评价等级", "good": "良好", "evaluate": "记录评价",
              "read_accept": "阅读并接受", "accept": "接受并继续", "tick": "请勾选以接受", "agree": "我已阅读并接受本协议",
              "no_star": "尚未评定星级", "how": "这次服务感觉如何？", "five": "非常满意", "send_rating": "提交评分",
              "rated": "谢谢！您的评分已记录。", "ask_feedback": "请患者或家属评价", "four": "满意", "send": "发送",
              "thanks": "感谢您的反馈。", "line": "其他意见（选填）"},
}


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_insurance_evaluation_agreement_stars_and_feedback_as_each_person_does_it(browser, page_for, server: Server,
                                                                                locale: str) -> None:
    w, tail = WORDS[locale], "81" if locale == "en-GB" else "82"
    login = f"records-{locale.lower()}"
    me = _volunteer(server, f"Lin Qiu {locale}", phone=f"139555500{tail}", login=login)
    shift = _shift(server, f"outpatient desk {locale}", datetime.now(ZONE).replace(microsecond=0) + timedelta(minutes=5))
    server.api("POST", f"/shifts/{shift}/signups", {"volunteer_id": me}, user="coord")
    server.api("POST", f"/shifts/{shift}/check-in", {"volunteer_id": me}, user="kiosk")
    server.api("POST", f"/shifts/{shift}/check-out", {"volunteer_id": me, "served": {"guidance": 2}}, user="kiosk")
    server.settle()

    # The coordinator: a policy whose dates are the wrong way round is said beside the field, kept.
    coord = page_for("coord", locale)
    coord.goto(f"{server.base}/volunteers/{me}")
    insurance = coord.locator("[data-insurance]")
    insurance.get_by_label(w["policy"]).fill(f"PICC-{tail}")
    insurance.get_by_label(w["from"]).fill("2026-12-01")
    insurance.get_by_label(w["until"]).fill("2026-01-01")
    insurance.get_by_role("button", name=w["record_policy"]).click()
    expect(coord.locator("[data-insurance] [data-field=valid_until]")).to_contain_text(w["must_not_before"])
    expect(coord.locator("[data-insurance]").get_by_label(w["policy"])).to_have_value(f"PICC-{tail}")
    coord.locator("[data-insurance]").get_by_label(w["until"]).fill("2027-11-30")
    coord.locator("[data-insurance]").get_by_role("button", name=w["record_policy"]).click()
    expect(coord.locator("[data-insurance] [data-policy]")).to_contain_text(f"PICC-{tail}")
    form = coord.locator("form[data-form=evaluate]")
    form.get_by_label(w["rating"]).select_option("good")
    form.locator("textarea").fill(f"Patient with anxious families {locale}")
    form.get_by_role("button", name=w["evaluate"]).click()
    expect(coord.locator("[data-evaluation]").first).to_contain_text(w["good"])
    assert axe_violations(coord) == []
    snap(coord, f"volunteer-records-{locale}")

    # The volunteer's phone: the agreement first, then the star level, the rating, the code.
    phone = page_for(login, locale, phone=True)
    phone.locator("[data-agreement-due]").get_by_role("link", name=w["read_accept"]).tap()
    phone.get_by_role("button", name=w["accept"]).tap()
    expect(phone.locator("[data-field=accept]")).to_contain_text(w["tick"])
    phone.get_by_label(w["agree"]).check()
    phone.get_by_role("button", name=w["accept"]).tap()
    expect(phone.locator("[data-agreement-due]")).to_have_count(0)
    expect(phone.locator("[data-stars]").first).to_contain_text(w["no_star"])
    served = phone.locator(f"[data-served='{shift}']")
    served.get_by_text(w["how"]).tap()
    served.get_by_role("radio", name=w["five"], exact=True).check()
    served.get_by_role("button", name=w["send_rating"]).tap()
    expect(phone.locator("[data-flash=ok]")).to_have_text(w["rated"])
    expect(phone.locator(f"[data-served='{shift}'] [data-rated]")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe_violations(phone) == []
    phone.locator(f"[data-served='{shift}']").get_by_role("link", name=w["ask_feedback"]).tap()
    link = phone.locator("[data-feedback-code] [data-link]").inner_text()
    expect(phone.locator("[data-feedback-code] img")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # the long link wraps
    assert axe_violations(phone) == []
    snap(phone, f"feedback-code-{locale}")

    # A family member's own phone: no login, nothing about them asked.
    family = browser.new_context(locale=locale, viewport=PHONE, is_mobile=True, has_touch=True,
                                 extra_http_headers={"Accept-Language": locale})
    try:
        page = family.new_page()
        page.goto(link)
        page.get_by_role("radio", name=w["four"], exact=True).check()
        page.get_by_label(w["line"]).fill(f"Patient and kind {locale}")
        page.get_by_role("button", name=w["send"]).tap()
        expect(page.get_by_role("heading", level=1)).to_have_text(w["thanks"])
        assert axe_violations(page) == []
        sent = {f"feedback-{locale}": page.context.request.get(link).text()}
    finally:
        family.close()

    # The coordinator reads it; the volunteer sees the evaluation on their record.
    server.settle()
    coord.goto(f"{server.base}/feedback")
    expect(coord.locator("[data-line]", has_text=f"Patient and kind {locale}")).to_be_visible()
    phone.goto(f"{server.base}/me/record")
    expect(phone.locator("[data-evaluation]").first).to_contain_text(w["good"])
    assert nu_errors({**sent, f"record-{locale}": phone.context.request.get(f"{server.base}/me/record").text(),
                      f"lines-{locale}": coord.context.request.get(f"{server.base}/feedback").text()}) == []
