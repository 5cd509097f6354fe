"""The social worker on the move (390 px): no page wider than the phone, a refused session keeps
its long note, and the caseload says what was done in words."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.checkers import axe_violations
from tests.e2e.conftest import ZONE, Server, snap

PHONE_WIDTH = 390
NOTE = ("Met the patient's daughter before the operation. She is worried about the cost and asked about the "
        "medical assistance fund; we agreed to meet again on Friday with the ward's nurse in charge. " * 12)


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_no_social_work_page_is_wider_than_the_phone(page_for, server: Server, locale: str) -> None:
    case = server.api("POST", "/cases", {"unit_id": server.unit, "patient_id": f"MRN-4{len(locale)}{locale[:2]}",
                                         "source": "outreach"}, user="sw")["id"]
    server.api("POST", f"/cases/{case}/consent", {"scope": ["health_information"]}, user="sw")
    server.api("POST", f"/cases/{case}/assessment", {"risk": "medium", "needs": ["Cost of the operation"]}, user="sw")
    server.settle()
    page = page_for("sw", locale, phone=True)
    page.goto(f"{server.base}/cases/{case}")
    # the case as it happened, and only the step it waits for (its plan) open
    expect(page.locator("ol.timeline > li")).to_have_count(3)
    expect(page.locator("[data-assessed]")).to_contain_text("Cost of the operation")
    expect(page.locator("details[data-step][open]")).to_have_count(1)
    expect(page.locator("details[data-step=plan]")).to_have_attribute("open", "")
    snap(page, f"case-phone-{locale}")
    for path in ("/social", "/cases", "/cases/reports", f"/cases/{case}"):
        page.goto(f"{server.base}{path}")
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE_WIDTH, (path, width)
        assert axe_violations(page) == [], path
    snap(page, f"social-reports-phone-{locale}")


def test_a_refused_session_keeps_its_long_note_and_the_caseload_speaks_words(page_for, server: Server) -> None:
    page = page_for("sw", "en-GB", phone=True)
    form = page.locator("form[action='/social/sessions']")
    form.get_by_label("Patient's hospital number").fill("MRN-99017")
    form.get_by_label("Service type").select_option("psychological_support")
    tomorrow = (datetime.now(ZONE) + timedelta(days=1)).date().isoformat()
    form.get_by_label("Day").evaluate("input => input.removeAttribute('max')")  # the server's rule, not the browser's
    form.get_by_label("Day").fill(tomorrow)
    form.get_by_label("Notes").fill(NOTE)
    form.get_by_role("button", name="Log session").click()
    expect(page.locator("#problem-started")).to_have_text("must not be in the future")
    form = page.locator("form[action='/social/sessions']")
    expect(form.get_by_label("Notes")).to_have_value(NOTE)  # two thousand characters, not lost
    expect(form.get_by_label("Patient's hospital number")).to_have_value("MRN-99017")
    expect(form.get_by_label("Service type")).to_have_value("psychological_support")
    began = datetime.now(ZONE) - timedelta(hours=1)  # an hour ago (near midnight: yesterday)
    form.get_by_label("Day").fill(began.date().isoformat())
    form.get_by_label("Starts").fill(began.strftime("%H:%M"))
    form.get_by_role("button", name="Log session").click()
    expect(page.locator("[data-flash=ok]")).to_have_text("Session logged.")
    expect(page.locator("form[action='/social/sessions']").get_by_label("Notes")).to_have_value("")  # done: forgotten
    row = page.locator("tr[data-session]").first
    expect(row).to_contain_text("Psychological relief")
    expect(row).not_to_contain_text("psychological_support")
    expect(row.get_by_label("Place")).to_be_hidden()  # the interpreter request folds away
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    snap(page, "social-worker-phone")


def test_a_note_typed_on_one_case_never_fills_another_and_logging_out_forgets_it(page_for, server: Server) -> None:
    first = server.api("POST", "/cases", {"unit_id": server.unit, "patient_id": "MRN-31001", "source": "outreach"},
                       user="sw")["id"]
    second = server.api("POST", "/cases", {"unit_id": server.unit, "patient_id": "MRN-31002", "source": "outreach"},
                        user="sw")["id"]
    server.settle()
    page = page_for("sw", "en-GB", phone=True)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server.base}/cases/{first}")
    page.locator("details[data-step=note] summary").click()
    page.get_by_label("Note", exact=True).fill("Only about the first patient.")
    page.goto(f"{server.base}/cases/{second}")
    page.locator("details[data-step=note] summary").click()
    expect(page.get_by_label("Note", exact=True)).to_have_value("")  # not the other patient's draft
    page.goto(f"{server.base}/cases/{first}")
    page.locator("details[data-step=note] summary").click()
    expect(page.get_by_label("Note", exact=True)).to_have_value("Only about the first patient.")  # kept for its case
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert axe_violations(page) == []
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    page.wait_for_function("Object.keys(sessionStorage).filter((k) => k.startsWith('draft:')).length === 0")
    assert errors == []
