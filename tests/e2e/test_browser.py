"""Browser tests: headless Chromium against a real server, doing each person's job."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, ZONE, Server, snap


def test_a_coordinator_schedules_a_shift_and_sees_it_in_the_calendar(page_for, server: Server) -> None:
    page = page_for("coord")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Shifts")
    form = page.locator("form[action='/shifts']")
    form.get_by_label("Post", exact=True).fill("pharmacy guidance")
    form.get_by_label("Day").fill(datetime.now(ZONE).date().isoformat())
    form.get_by_label("Starts").fill("13:00")
    form.get_by_label("Ends").fill("17:00")
    form.get_by_label("Places").fill("4")
    form.get_by_role("button", name="Schedule", exact=True).click()
    expect(page.locator("[data-flash=ok]")).to_have_text("Shift scheduled.")
    slot = page.locator(".week").get_by_text("13:00–17:00")
    expect(slot).to_be_visible()
    expect(page.locator(".week")).to_contain_text("pharmacy guidance")
    expect(page.locator(".week")).to_contain_text("0 of 4 places")
    snap(page, "coordinator-week")
    slot.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("pharmacy guidance")
    snap(page, "coordinator-roster")


def test_a_volunteer_signs_up_checks_in_and_checks_out(page_for, server: Server) -> None:
    shift = server.shift_soon(server.unit, "outpatient guidance desk")
    page = page_for("li", phone=True)
    open_card = page.locator(f"[data-open-shift='{shift}']")
    expect(open_card).to_be_visible()
    snap(page, "volunteer-home")
    open_card.get_by_role("button", name="Sign up").click()
    expect(page.locator("[data-flash=ok]")).to_have_text("You are signed up.")
    mine = page.locator(f"[data-now='{shift}'], [data-my-shift='{shift}']")
    mine.get_by_role("button", name="Check in").click()
    expect(page.locator("[data-flash=ok]")).to_have_text("Checked in. Thank you for serving!")
    mine = page.locator(f"[data-now='{shift}'], [data-my-shift='{shift}']")
    mine.get_by_label("Guidance and wayfinding (person-times)").fill("12")
    mine.get_by_role("button", name="Check out").click()
    expect(page.locator("[data-flash=ok]")).to_have_text("Checked out. Thank you!")
    page.get_by_role("button", name="Menu").click()  # the header's menu, folded on a phone
    page.get_by_role("link", name="Service record", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("志愿服务记录")
    expect(page.locator("table")).to_contain_text("Guidance and wayfinding 12")
    snap(page, "volunteer-service-record")


def test_a_kiosk_checks_someone_in_with_a_confirmation_readable_from_afar(page_for, server: Server) -> None:
    shift = server.shift_soon(server.unit, "inpatient visitation")
    server.api("POST", f"/shifts/{shift}/signups", {"volunteer_id": server.people["Wang Fang"]}, user="coord")
    server.settle()
    page = page_for("kiosk")
    page.get_by_label("The last four digits of your phone, or your name").fill("Wang")
    row = page.locator(".person", has_text="Wang Fang")
    expect(row).to_be_visible()
    row.get_by_role("button", name="Check in").click()
    confirmation = page.locator("[data-flash=ok]")
    expect(confirmation).to_have_text("Wang Fang is checked in. Welcome!")
    assert float(confirmation.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 32
    snap(page, "kiosk")
    page.goto(f"{server.base}/board")
    expect(page.locator("#board")).to_contain_text("Wang Fang")
    snap(page, "live-board")


def test_the_live_board_shows_a_check_in_within_seconds_without_a_reload(page_for, server: Server) -> None:
    shift = server.shift_soon(server.unit, "pharmacy guidance")
    zhou = server.api("POST", "/volunteers", {"name": "Zhou Jie", "phone": "13800000001", "unit_id": server.unit},
                      user="coord")["id"]  # of this test alone: other tests check the others in and out
    server.api("POST", f"/volunteers/{zhou}/approve", user="coord")
    server.api("POST", f"/shifts/{shift}/signups", {"volunteer_id": zhou}, user="coord")
    server.settle()
    page = page_for("coord")
    page.goto(f"{server.base}/board")
    on_duty = page.locator("#board")
    expect(on_duty).to_be_visible()
    page.wait_for_timeout(2500)  # the board's stream has said where the roster stands
    server.api("POST", f"/shifts/{shift}/check-in", {"volunteer_id": zhou}, user="kiosk")
    # The board's own refresh is every 30 s: seeing it within 10 s means the roster's move was heard.
    expect(on_duty.locator(".card").first).to_contain_text("Zhou Jie", timeout=10_000)


def test_a_social_worker_logs_a_session(page_for, server: Server) -> None:
    page = page_for("sw")
    form = page.locator("form[action='/social/sessions']")
    form.get_by_label("Patient's hospital number").fill("MRN-778812")
    form.get_by_label("Service type").select_option("psychological_support")
    form.get_by_label("Mode").select_option("group")
    form.get_by_label("Persons").fill("6")
    form.get_by_label("Notes").fill("Pre-operative anxiety group.")
    form.get_by_role("button", name="Log session").click()
    expect(page.locator("[data-flash=ok]")).to_have_text("Session logged.")
    caseload = page.locator("table").first
    expect(caseload).to_contain_text("pr_")
    expect(page.locator("main")).not_to_contain_text("MRN-778812")
    snap(page, "social-worker")


def test_the_dashboard_counter_rises_after_a_check_out_without_a_reload(page_for, server: Server) -> None:
    page = page_for("auditor")
    day = (datetime.now(ZONE) + timedelta(minutes=20)).date()  # the soon shift's own day (near midnight, tomorrow)
    page.goto(f"{server.base}/dashboard?from={day - timedelta(days=29)}&to={day}")
    counter = page.locator("[data-total]")
    expect(counter).to_be_visible()
    before = int(re.sub(r"\D", "", counter.inner_text()) or 0)
    shift = server.shift_soon(server.unit, "outpatient guidance desk")
    zhao = server.people["Zhao Min"]
    server.api("POST", f"/shifts/{shift}/signups", {"volunteer_id": zhao}, user="coord")
    server.api("POST", f"/shifts/{shift}/check-in", {"volunteer_id": zhao}, user="kiosk")
    server.api("POST", f"/shifts/{shift}/check-out", {"volunteer_id": zhao, "served": {"guidance": 1234}},
               user="kiosk")
    expect(counter).to_have_text(re.compile(f"^{before + 1234:,}$".replace(",", ",?")), timeout=10_000)
    snap(page, "dashboard")


def test_the_chinese_ui_speaks_chinese_and_refuses_in_words(page_for, server: Server) -> None:
    full = server.shift_soon(server.unit, "sign-language desk", capacity=1)
    server.api("POST", f"/shifts/{full}/signups", {"volunteer_id": server.people["Sun Li"]}, user="coord")
    shadow = server.api("POST", "/volunteers", {"name": "Xu Ning", "phone": "13800000999", "unit_id": server.unit},
                        user="coord")["id"]  # of this test alone: no other test's shift overlaps
    server.api("POST", f"/volunteers/{shadow}/approve", user="coord")
    server.settle()
    page = page_for("coord", locale="zh-CN")
    expect(page.get_by_role("heading", level=1)).to_contain_text("班次")
    expect(page.get_by_role("button", name="排班", exact=True)).to_be_visible()
    snap(page, "coordinator-week-zh")
    page.goto(f"{server.base}/shifts/{full}")
    # Full: the page does not offer a sign-up the server would refuse; it says so, in Chinese
    expect(page.locator("[data-full]")).to_have_text("名额已满：志愿者仍可作为见习者参加。")
    expect(page.get_by_role("button", name="报名", exact=True)).to_have_count(0)
    page.get_by_label("志愿者").select_option(label="Xu Ning")
    page.get_by_role("button", name="作为见习者加入").click()
    expect(page.locator("[data-flash=ok]")).to_be_visible()
    expect(page.locator("main")).to_contain_text("见习")
    snap(page, "refusal-zh")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("sign-language desk")


def test_an_intern_runs_a_case_to_closure_once_the_supervisor_countersigns(page_for, server: Server) -> None:
    intern = page_for("xiao")
    intern.goto(f"{server.base}/cases")
    intern.get_by_label("Patient's hospital number").fill("MRN-55012")
    intern.get_by_label("Intake source").select_option("ward_referral")
    intern.get_by_role("button", name="Open case").click()
    expect(intern.locator("[data-flash=ok]")).to_have_text("Case opened.")
    intern.wait_for_url(re.compile(r"/cases/[0-9a-f-]{36}$"))  # on the new case, at once
    case_url = intern.url
    expect(intern.locator("details[data-step][open]")).to_have_count(1)  # only the step the case waits for
    expect(intern.locator("details[data-step=consent]")).to_have_attribute("open", "")
    intern.get_by_label("Processing health information").check()
    intern.get_by_role("button", name="Record consent").click()
    expect(intern.locator("[data-flash=ok]")).to_have_text("Consent recorded.")
    intern.get_by_label("Risk").select_option("high")
    intern.get_by_role("button", name="Record assessment").click()
    expect(intern.locator("[data-flash=ok]")).to_have_text("Assessment recorded.")
    intern.get_by_label("Goals (one per line)").fill("Apply to the medical assistance fund\nFamily meeting")
    intern.get_by_role("button", name="Record plan").click()
    expect(intern.locator("[data-flash=ok]")).to_have_text("Plan recorded.")
    expect(intern.locator("[data-planned]")).to_contain_text("Family meeting")  # what was recorded, to see after
    expect(intern.locator("details[data-step=note]")).to_have_attribute("open", "")
    intern.get_by_label("Family", exact=True).check()
    intern.get_by_label("Note", exact=True).fill("Met the daughter; fund application started.")
    intern.get_by_role("button", name="Record note").click()
    expect(intern.locator("[data-note]")).to_contain_text("waiting for countersignature")
    intern.locator("details[data-step=close] summary").click()
    expect(intern.get_by_label("Outcome")).to_have_value("")  # no outcome chosen for the worker
    intern.get_by_label("Outcome").select_option("goals_met")
    intern.once("dialog", lambda dialog: dialog.accept())
    intern.get_by_role("button", name="Close case").click()
    expect(intern.locator("[data-flash=error]")).to_have_text("Some notes still wait for the supervisor's countersignature.")
    snap(intern, "case-intern")

    head = page_for("head")
    head.goto(f"{server.base}/cases")
    head.locator("[data-countersign-case]").first.click()
    head.get_by_role("button", name="Countersign").click()
    expect(head.locator("[data-flash=ok]")).to_have_text("Note countersigned.")
    snap(head, "case-supervisor")

    intern.goto(case_url)
    intern.locator("details[data-step=evaluation] summary").click()
    intern.get_by_label("Result").select_option("goals_met")
    intern.get_by_role("button", name="Record evaluation").click()
    expect(intern.locator("[data-flash=ok]")).to_have_text("Evaluation recorded.")
    expect(intern.locator("details[data-step=close]")).to_have_attribute("open", "")  # evaluated: closing is next
    intern.get_by_label("Outcome").select_option("goals_met")
    intern.once("dialog", lambda dialog: dialog.accept())
    intern.get_by_role("button", name="Close case").click()
    expect(intern.locator("[data-flash=ok]")).to_have_text("Case closed.")
    # the case as it happened, step by step, in order; nothing left to fill in
    steps = intern.locator("ol.timeline > li h3")
    expect(steps).to_have_text(["Intake", "Consent", "Assessment", "Plan", "Progress note", "Evaluation", "Closed"])
    expect(intern.locator("[data-note]")).to_contain_text("countersigned by")
    expect(intern.locator("ol.timeline > li[data-event=Closed]")).to_contain_text("Goals met")
    expect(intern.locator("details[data-step]")).to_have_count(0)

    head.goto(f"{server.base}/cases/reports")
    expect(head.locator("[data-opened=ward_referral]")).to_have_text("1")
    expect(head.locator("[data-closed=goals_met]")).to_have_text("1")
    expect(head.locator("main")).not_to_contain_text("Met the daughter")
    snap(head, "case-reports")


def test_a_volunteer_prints_a_service_certificate_that_anyone_can_verify(page_for, browser, server: Server) -> None:
    # a volunteer of this test's own: the others' shifts now would overlap this one
    li = server.api("POST", "/volunteers", {"name": "Qian Yu", "phone": "13800000009", "unit_id": server.unit},
                    user="coord")["id"]
    server.api("POST", f"/volunteers/{li}/approve", user="coord")
    server.api("POST", "/accounts", {"username": "qian", "password": PASSWORD, "role": "volunteer",
                                     "volunteer_id": li}, user="root")
    server.api("POST", f"/units/{server.unit}/certificate-details",
               {"responsible_person": "王主任", "contact": "021-64370045"}, user="coord")
    server.api("POST", f"/volunteers/{li}/identity", {"id_type": "resident_id", "id_number": "11010519491231002X"},
               user="coord")
    started = datetime.now(ZONE).replace(second=0, microsecond=0) - timedelta(hours=1)
    shift = server.api("POST", "/shifts", {"unit_id": server.unit, "post": "sign-language desk",
                                           "starts_at": started.isoformat(),
                                           "ends_at": (started + timedelta(hours=2)).isoformat(),
                                           "capacity": 2}, user="coord")["id"]
    server.api("POST", f"/shifts/{shift}/signups", {"volunteer_id": li}, user="coord")
    server.api("POST", f"/shifts/{shift}/check-in", {"volunteer_id": li}, user="kiosk")
    server.api("POST", f"/shifts/{shift}/check-out", {"volunteer_id": li, "served": {"sign_language": 3}},
               user="kiosk")
    # Checked in and out within seconds: the coordinator credits the hour really served.
    asked = server.api("POST", f"/shifts/{shift}/corrections", {"volunteer_id": li, "minutes": 60,
                                                                 "reason": "kiosk was down"}, user="coord")
    server.api("POST", f"/shifts/{shift}/corrections/{asked['request_id']}/approve", user="coord")
    server.settle()

    page = page_for("qian", locale="zh-CN", phone=True)
    page.goto(f"{server.base}/me/certificates")
    page.get_by_role("button", name="出具", exact=True).click()
    expect(page.locator("[data-flash=ok]")).to_contain_text("证明已出具")
    page.locator("[data-certificate] a").first.click()
    certificate = page.locator("[data-certificate]")
    expect(certificate.get_by_role("heading", level=1)).to_have_text("志愿服务记录证明")
    expect(certificate).to_contain_text("王主任")
    expect(page.locator("[data-id-number]")).to_have_text("1101**********002X")
    snap(page, "service-certificate")
    page.emulate_media(media="print")  # on paper the whole number, for whoever checks the person
    expect(page.locator(".print-only")).to_have_text("11010519491231002X")
    expect(page.locator("[data-id-number]")).to_be_hidden()
    code = page.locator("[data-code]").inner_text()

    stranger = browser.new_context(locale="en-GB")
    try:
        check = stranger.new_page()
        check.goto(f"{server.base}/verify")
        check.get_by_label("Verification code").fill(code.lower())
        check.get_by_role("button", name="Check").click()
        expect(check.locator("[data-verified]")).to_contain_text("This certificate is genuine.")
        expect(check.locator("[data-verified]")).to_contain_text("Qian Y.")
        expect(check.locator("[data-verified]")).not_to_contain_text("11010519491231002X")
        snap(check, "certificate-verified")
    finally:
        stranger.close()


def test_the_api_reference_works_offline_under_the_pages_own_policy(server, browser) -> None:
    """/schema is Swagger UI from this server's own files: nothing is fetched from elsewhere, no
    inline script, and every operation of the document is listed."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    elsewhere, refused = [], []
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server.base)
               else (elsewhere.append(route.request.url), route.abort()))
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    answer = page.goto(f"{server.base}/schema")
    assert "'unsafe-inline'" not in answer.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    page.wait_for_selector(".opblock")
    # A long document is drawn as the reader scrolls (only what is in view is on the page): scroll
    # to its end, as they would, and every operation has been shown on the way.
    operations = {op["operationId"] for ops in page.context.request.get(f"{server.base}/schema/openapi.json").json()[
        "paths"].values() for op in ops.values() if isinstance(op, dict)}
    seen: set[str] = set()
    for _ in range(400):
        seen |= set(page.eval_on_selector_all(".opblock", "blocks => blocks.map(b => b.id)"))
        if all(any(id_.endswith("-" + op) for id_ in seen) for op in operations):
            break
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(30)
    assert len(operations) >= 80 and [op for op in operations if not any(i.endswith("-" + op) for i in seen)] == []
    assert elsewhere == [] and refused == []
    context.close()
