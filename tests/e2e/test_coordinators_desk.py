"""The coordinator's desk in Chromium, as a new coordinator meets it, in English and Chinese:
files that download, forms that keep what was typed, choices instead of codes, no action the
server would refuse, the live board's phone numbers and actions; and every page clean by axe-core
and the Nu HTML checker."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from domain.accounts import account_id
from tests.e2e.checkers import axe_violations, nu_errors
from tests.e2e.conftest import PASSWORD, ZONE, Server, snap

ZH = "zh-CN"


def _volunteer(server: Server, name: str, phone: str = "13800000000", login: str | None = None) -> str:
    """A volunteer of this test's own (the session's server is shared: others' shifts may overlap)."""
    volunteer = server.api("POST", "/volunteers", {"name": name, "phone": phone, "unit_id": server.unit},
                           user="coord")["id"]
    server.api("POST", f"/volunteers/{volunteer}/approve", user="coord")
    if login:
        server.api("POST", "/accounts", {"username": login, "password": PASSWORD, "role": "volunteer",
                                         "volunteer_id": volunteer}, user="root")
    server.settle()
    return volunteer


def _shift(server: Server, post: str, starts: datetime, hours: float = 2, capacity: int = 3) -> str:
    shift = server.api("POST", "/shifts", {"unit_id": server.unit, "post": post, "starts_at": starts.isoformat(),
                                           "ends_at": (starts + timedelta(hours=hours)).isoformat(),
                                           "capacity": capacity}, user="coord")["id"]
    server.settle()
    return shift


def test_downloads_and_calendar_links_are_files_not_pages(page_for, server: Server) -> None:
    page = page_for("coord")
    page.goto(f"{server.base}/shifts")
    with page.expect_download() as csv:
        page.get_by_role("link", name="Download CSV").click()
    assert csv.value.suggested_filename.endswith(".csv")
    with page.expect_download() as xlsx:
        page.get_by_role("link", name="Download Excel").click()
    assert xlsx.value.suggested_filename.endswith(".xlsx")
    with page.expect_download() as ics:
        page.get_by_role("link", name="Download (.ics)").click()
    assert ics.value.suggested_filename.endswith(".ics")
    subscribe = page.get_by_role("link", name="Subscribe in a phone calendar")
    assert subscribe.get_attribute("href").startswith("webcal://")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Shifts")  # still the page, no garbage
    page.goto(f"{server.base}/certificates")
    with page.expect_download() as national:
        page.get_by_role("link", name=re.compile("national volunteer system")).click()
    assert national.value.suggested_filename.endswith(".xlsx")


@pytest.mark.parametrize("locale", ["en-GB", ZH])
def test_the_dashboards_show_keeps_the_page_and_a_reversed_range_is_said(page_for, server: Server,
                                                                         locale: str) -> None:
    page = page_for("coord", locale)
    page.goto(f"{server.base}/dashboard")
    today = datetime.now(ZONE).date()
    page.locator("#from").fill((today - timedelta(days=7)).isoformat())
    page.locator("#to").fill(today.isoformat())
    page.get_by_role("button", name="Show" if locale == "en-GB" else "显示").click()
    expect(page).to_have_url(re.compile(f"from={today - timedelta(days=7)}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard" if locale == "en-GB" else "数据看板")
    expect(page.locator("header nav")).to_be_visible()
    expect(page.locator("[data-total]")).to_be_visible()
    expect(page.locator("#from")).to_have_value((today - timedelta(days=7)).isoformat())
    page.locator("#from").fill(today.isoformat())
    page.locator("#to").fill((today - timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Show" if locale == "en-GB" else "显示").click()
    expect(page).to_have_url(re.compile(f"to={today - timedelta(days=3)}"))
    problem = page.locator("#to-problem")
    expect(problem).to_have_text("The end of the range must not be before its start." if locale == "en-GB"
                                 else "结束日期不能早于开始日期。")
    expect(page.locator("#to")).to_have_attribute("aria-invalid", "true")
    snap(page, f"dashboard-reversed-{locale}")


def test_a_refused_shift_comes_back_as_typed_in_chinese_words(page_for, server: Server) -> None:
    page = page_for("coord", ZH)
    page.goto(f"{server.base}/shifts")
    form = page.locator("form[action='/shifts']")
    form.get_by_label("岗位", exact=True).fill("七病区探访")
    form.get_by_label("日期").fill((datetime.now(ZONE).date() + timedelta(days=1)).isoformat())
    form.get_by_label("开始").fill("12:00")
    form.get_by_label("结束").fill("08:00")
    form.get_by_label("名额").fill("5")
    form.get_by_label("岗前实务培训").check()
    form.get_by_role("button", name="排班", exact=True).click()
    problem = page.locator("#end-problem")
    expect(problem).to_be_visible()
    assert re.search(r"[\u4e00-\u9fff]", problem.inner_text()) and "ends_at" not in problem.inner_text()
    assert "ends_at" not in page.locator("#messages").inner_text()
    form = page.locator("form[action='/shifts']")
    expect(form.get_by_label("岗位", exact=True)).to_have_value("七病区探访")
    expect(form.get_by_label("名额")).to_have_value("5")
    expect(form.get_by_label("结束")).to_have_value("08:00")
    expect(form.get_by_label("岗前实务培训")).to_be_checked()
    snap(page, "shift-refused-zh")
    form.get_by_label("结束").fill("16:00")
    form.get_by_role("button", name="排班", exact=True).click()
    expect(page.locator("[data-flash=ok]")).to_be_visible()
    page.locator(".week").get_by_text("12:00–16:00").first.click()
    expect(page.locator("main")).to_contain_text("岗前实务培训")  # required, by its name, not a code


def test_what_a_shift_requires_is_chosen_never_typed(page_for, server: Server) -> None:
    page = page_for("coord")
    page.goto(f"{server.base}/shifts")
    choices = page.locator("form[action='/shifts'] fieldset.choices")
    expect(choices.get_by_label("Pre-job training")).to_be_visible()
    assert choices.locator("input[type=text]").count() == 0
    assert "sign_language" not in choices.inner_text()


def test_a_past_shift_offers_nothing_and_cancelling_asks_first(page_for, server: Server) -> None:
    past = _shift(server, "yesterday's desk", datetime.now(ZONE).replace(microsecond=0) - timedelta(days=1))
    page = page_for("coord")
    page.goto(f"{server.base}/shifts/{past}")
    expect(page.locator("[data-over]")).to_be_visible()
    expect(page.get_by_role("button", name="Sign up")).to_have_count(0)
    expect(page.get_by_role("button", name="Cancel shift")).to_have_count(0)
    coming = _shift(server, "ward 3 visits", datetime.now(ZONE).replace(microsecond=0) + timedelta(days=2))
    server.api("POST", f"/shifts/{coming}/signups", {"volunteer_id": _volunteer(server, "Zhou Yi")}, user="coord")
    server.settle()
    page.goto(f"{server.base}/shifts/{coming}")
    page.get_by_label("Reason").fill("lift repairs")
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Cancel shift").click()
    assert asked and "1 volunteer signed up will be told" in asked[0]
    expect(page.locator("main")).not_to_contain_text("Cancelled")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel shift").click()
    expect(page.locator("[data-flash=ok]")).to_have_text("Shift cancelled.")


def test_the_live_board_gives_a_coordinator_the_number_to_call_and_what_to_do(page_for, server: Server) -> None:
    started = _shift(server, "entrance guidance", datetime.now(ZONE).replace(microsecond=0) - timedelta(minutes=10))
    server.api("POST", f"/shifts/{started}/signups", {"volunteer_id": _volunteer(server, "Shen Lan")}, user="coord")
    server.settle()
    kiosk = page_for("kiosk")
    kiosk.goto(f"{server.base}/board")
    expect(kiosk.locator("[data-missing='Shen Lan']")).to_be_visible()
    expect(kiosk.locator("[data-missing='Shen Lan'] [data-phone]")).to_have_count(0)  # a public desk shows no number
    page = page_for("coord")
    page.goto(f"{server.base}/board")
    missing = page.locator("[data-missing='Shen Lan']")
    expect(missing.locator("a[href='tel:13800000000']")).to_have_text("13800000000")
    snap(page, "board-coordinator")
    missing.get_by_role("button", name="Check in for them").click()
    expect(page.locator("[data-flash=ok]")).to_have_text("Shen Lan is checked in.")
    expect(page.locator("[data-missing='Shen Lan']")).to_have_count(0)
    expect(page.locator("#board")).to_contain_text("Shen Lan")  # now on duty


@pytest.mark.parametrize("locale", ["en-GB", ZH])
def test_a_volunteers_page_has_what_a_coordinator_needs_and_acts_on_it(page_for, server: Server,
                                                                      locale: str) -> None:
    en = locale == "en-GB"
    volunteer = server.api("POST", "/volunteers", {"name": f"Gao Yan {locale}", "phone": "13912345678",
                                                   "unit_id": server.unit}, user="coord")["id"]
    server.api("POST", f"/volunteers/{volunteer}/approve", user="coord")
    server.settle()
    page = page_for("coord", locale)
    page.goto(f"{server.base}/volunteers")
    page.get_by_role("link", name=f"Gao Yan {locale}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Gao Yan {locale}")
    expect(page.locator("a[href='tel:13912345678']")).to_be_visible()  # the whole number, to call
    today = datetime.now(ZONE).date()
    form = page.locator("form[action$='/credentials']")
    form.get_by_label("Kind" if en else "类别").select_option("health_check")
    form.get_by_label("Recorded on" if en else "记录日期").fill(today.isoformat())
    form.get_by_label("Expires on" if en else "到期日").fill((today - timedelta(days=1)).isoformat())
    form.get_by_role("button", name="Record" if en else "记录").click()
    problem = page.locator("#expires-problem")  # an expiry before the recording: said beside the field
    expect(problem).to_be_visible()
    expect(form.get_by_label("Expires on" if en else "到期日")).to_have_value((today - timedelta(days=1)).isoformat())
    form.get_by_label("Recorded on" if en else "记录日期").fill((today + timedelta(days=3)).isoformat())
    form.get_by_label("Expires on" if en else "到期日").fill((today + timedelta(days=20)).isoformat())
    form.get_by_role("button", name="Record" if en else "记录").click()
    expect(page.locator("#recorded-problem")).to_have_text("must not be in the future" if en else "不能晚于今天")
    form.get_by_label("Recorded on" if en else "记录日期").fill(today.isoformat())
    form.get_by_role("button", name="Record" if en else "记录").click()
    expect(page.locator("[data-flash=ok]")).to_have_text("Credential recorded." if en else "证明已记录。")
    form.get_by_label("Kind" if en else "类别").select_option("flu_vaccination:declined")
    form.get_by_label("Expires on" if en else "到期日").fill("")
    form.get_by_role("button", name="Record" if en else "记录").click()
    expect(page.locator("#qualifications li", has_text="declined, with a signed declination" if en else
                        "已签署拒绝接种书")).to_be_visible()
    expect(page.locator("#qualifications")).to_contain_text("runs out soon" if en else "即将到期")
    page.get_by_label("Phone" if en else "电话", exact=True).fill("13987654321")
    page.get_by_role("button", name="Save" if en else "保存").click()
    expect(page.locator("a[href='tel:13987654321']")).to_be_visible()
    snap(page, f"volunteer-page-{locale}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_label("Reason" if en else "原因").fill("on leave" if en else "休假")
    page.get_by_role("button", name="Suspend" if en else "暂停").click()
    expect(page.locator("h1 .state")).to_have_text("Suspended" if en else "已暂停")
    page.get_by_role("button", name="Reinstate" if en else "恢复").click()
    expect(page.locator("h1 .state")).to_have_text("Active" if en else "在册")


def test_switching_language_keeps_the_week_shown(page_for, server: Server) -> None:
    page = page_for("coord")
    page.goto(f"{server.base}/shifts")
    page.get_by_role("link", name=re.compile("Next week")).click()
    expect(page).to_have_url(re.compile(r"week="))
    week = re.search(r"week=([0-9-]+)", page.url).group(1)
    page.get_by_role("link", name="中文").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("班次")
    assert f"week={week}" in page.url


COORDINATOR_PAGES = ["/shifts", "/volunteers", "/trainings", "/notices", "/certificates", "/board", "/dashboard",
                     "/volunteers/import", "/kiosks", "/requests"]
ADMIN_PAGES = ["/admin", "/admin/units", "/admin/accounts", "/admin/service-types", "/admin/audit", "/dashboard",
               "/cases/reports"]


def _a_certificate(server: Server, locale: str) -> str:
    """A certificate of an hour served today by a volunteer of this test's own."""
    volunteer = _volunteer(server, f"Luo Qing {locale}", phone="13933334444" if locale == ZH else "13933335555")
    server.api("POST", f"/units/{server.unit}/certificate-details",
               {"responsible_person": "王主任", "contact": "021-64370045"}, user="coord")
    server.api("POST", f"/volunteers/{volunteer}/identity", {"id_type": "resident_id", "id_number": "11010519491231002X"},
               user="coord")
    started = datetime.now(ZONE).replace(second=0, microsecond=0) - timedelta(minutes=50)
    shift = _shift(server, f"certified desk {locale}", started, hours=1)
    server.api("POST", f"/shifts/{shift}/signups", {"volunteer_id": volunteer}, user="coord")
    server.api("POST", f"/shifts/{shift}/check-in", {"volunteer_id": volunteer}, user="kiosk")
    server.api("POST", f"/shifts/{shift}/check-out", {"volunteer_id": volunteer, "served": {"guidance": 2}},
               user="kiosk")
    asked = server.api("POST", f"/shifts/{shift}/corrections", {"volunteer_id": volunteer, "minutes": 45,
                                                                 "reason": "checked in late at the kiosk"}, user="coord")
    server.api("POST", f"/shifts/{shift}/corrections/{asked['request_id']}/approve", user="coord")
    server.settle()
    first, today = started.date().isoformat(), datetime.now(ZONE).date().isoformat()  # after midnight: yesterday too
    return server.api("POST", f"/volunteers/{volunteer}/certificates", {"from": first, "to": today, "handler": "coord"},
                      user="coord")["id"]


def _an_import(page, server: Server) -> str:
    """The progress page of an import made in the browser: its path."""
    page.goto(f"{server.base}/volunteers/import")
    page.locator("#file").set_input_files(files=[{"name": "new.csv", "mimeType": "text/csv",
                                                   "buffer": "name,phone\n郑洁,13944445555\n".encode()}])
    page.locator("form[action='/volunteers/import'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/volunteers/import/[^/]+$"))
    return page.url.removeprefix(server.base)


@pytest.mark.parametrize("locale", ["en-GB", ZH])
def test_every_coordinator_and_admin_page_is_clean_by_axe_and_the_nu_checker(page_for, server: Server,
                                                                             locale: str) -> None:
    shift = _shift(server, "pharmacy desk", datetime.now(ZONE).replace(microsecond=0) + timedelta(days=1))
    training = server.api("POST", "/trainings", {
        "title": "Pre-job induction", "kind": "pre_job", "unit_id": server.unit, "capacity": 10,
        "starts_at": (datetime.now(ZONE) + timedelta(days=3)).isoformat(),
        "ends_at": (datetime.now(ZONE) + timedelta(days=3, hours=2)).isoformat()}, user="coord")["id"]
    server.settle()
    found, sent = {}, {}
    volunteer = server.people["Li Wei"]
    certificate, job = _a_certificate(server, locale), _an_import(page_for("coord", locale), server)
    for who, paths in (("coord", [*COORDINATOR_PAGES, f"/shifts/{shift}", f"/trainings/{training}",
                                  f"/volunteers/{volunteer}", f"/certificates/{certificate}", job]),
                       ("root", [*ADMIN_PAGES, f"/admin/accounts/{account_id('coord')}"])):
        page = page_for(who, locale)
        for path in paths:
            shown = page.goto(f"{server.base}{path}")
            assert shown is not None and shown.ok, (path, shown and shown.status)
            page.wait_for_load_state("networkidle")
            found[f"{who} {path}"] = axe_violations(page)
            name = f"{who}-{locale}-{path.strip('/').replace('/', '-')}"
            sent[name] = page.context.request.get(f"{server.base}{path}").text()
    assert {page: problems for page, problems in found.items() if problems} == {}
    assert nu_errors(sent) == []


@pytest.mark.parametrize("locale", ["en-GB", ZH])
def test_the_admin_runs_units_posts_accounts_and_reads_the_audit_trail(page_for, server: Server, locale: str) -> None:
    en = locale == "en-GB"
    page = page_for("root", locale)
    expect(page.get_by_role("heading", level=1)).to_have_text("Administration" if en else "系统管理")
    expect(page.locator("#health")).to_contain_text("Everything is working." if en else "一切正常。")
    page.get_by_role("link", name="Units and posts" if en else "单位与岗位").first.click()
    unit = page.locator("section[data-unit]").first
    unit.get_by_label("Post" if en else "岗位", exact=True).fill(f"pharmacy guidance {locale}")
    unit.get_by_label("Pre-job training" if en else "岗前实务培训").check()
    unit.get_by_role("button", name="Save the post" if en else "保存岗位").click()
    expect(page.locator("[data-flash=ok]")).to_have_text("Post saved." if en else "岗位已保存。")
    expect(page.locator("section[data-unit]").first).to_contain_text(f"pharmacy guidance {locale}")
    page.get_by_role("link", name="Accounts and roles" if en else "账号与角色").first.click()
    page.get_by_label("Username" if en else "用户名").fill(f"desk-{locale.lower()}")
    page.get_by_label("Password" if en else "密码", exact=True).fill("short")
    page.get_by_label("Role" if en else "角色").select_option("coordinator")
    page.locator("fieldset.choices input[type=checkbox]").first.check()
    page.locator("#password").evaluate("input => input.removeAttribute('minlength')")  # the server's rule, not the browser's
    page.get_by_role("button", name="Open the account" if en else "开通").click()
    expect(page.locator("#password-problem")).to_be_visible()  # said beside the field, what was typed kept
    expect(page.get_by_label("Username" if en else "用户名")).to_have_value(f"desk-{locale.lower()}")
    expect(page.locator("fieldset.choices input[type=checkbox]").first).to_be_checked()
    page.get_by_label("Password" if en else "密码", exact=True).fill("a long enough passphrase")
    page.get_by_role("button", name="Open the account" if en else "开通").click()
    expect(page.locator("[data-flash=ok]")).to_have_text("Account opened." if en else "账号已开通。")
    row = page.locator(f"tr[data-account='desk-{locale.lower()}']")
    expect(row).to_contain_text("Coordinator" if en else "志愿者协调员")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Suspend the account" if en else "停用账号").click()
    expect(page.locator(f"tr[data-account='desk-{locale.lower()}']")).to_contain_text("Suspended" if en else "已停用")
    snap(page, f"admin-accounts-{locale}")
    page.locator(f"tr[data-account='desk-{locale.lower()}']").get_by_role(
        "button", name="Re-enable the account" if en else "重新启用账号").click()
    expect(page.locator("[data-flash=ok]")).to_have_text("Account re-enabled: it can log in again." if en else
                                                         "账号已重新启用，可以再次登录。")
    page.get_by_role("link", name=f"desk-{locale.lower()}").click()
    expect(page.locator("[data-account-state]")).to_have_text("Active" if en else "在用")
    boxes = page.locator("fieldset.choices input[type=checkbox]")
    for i in range(boxes.count()):
        boxes.nth(i).uncheck()
    page.get_by_role("button", name="Save the units" if en else "保存单位").click()
    expect(page.locator("#units-problem")).to_be_visible()  # a coordinator needs a unit: said beside the choice
    page.locator("fieldset.choices input[type=checkbox]").last.check()
    page.get_by_role("button", name="Save the units" if en else "保存单位").click()
    expect(page.locator("[data-flash=ok]")).to_have_text("Units saved." if en else "单位已保存。")
    expect(page.locator("fieldset.choices input[type=checkbox]").last).to_be_checked()
    snap(page, f"admin-account-{locale}")
    page.get_by_role("link", name="Audit trail" if en else "审计记录").first.click()
    expect(page.locator("table")).to_contain_text("Account · suspended" if en else "账号 · 已停用")
    expect(page.locator("table")).to_contain_text("root")
    page.get_by_label("Event" if en else "事件").select_option(label="Account · opened" if en else "账号 · 已开通")
    page.get_by_role("button", name="Filter" if en else "筛选").click()
    expect(page.locator("tbody tr").first).to_contain_text("Account · opened" if en else "账号 · 已开通")
    expect(page.get_by_label("Event" if en else "事件")).to_have_value("Account.Opened")
    snap(page, f"admin-audit-{locale}")


def test_a_weekly_series_is_scheduled_seen_changed_once_and_cancelled_from_a_day_on(page_for, server: Server) -> None:
    page = page_for("coord")
    page.goto(f"{server.base}/shifts")
    monday = datetime.now(ZONE).date() + timedelta(days=7 - datetime.now(ZONE).weekday())
    form = page.locator("form[action='/shifts/series']")
    form.get_by_label("Post", exact=True).fill("Tuesday library cart")
    form.get_by_label("Starts").fill("14:00")
    form.get_by_label("Ends").fill("16:00")
    form.get_by_label("From the week of").fill(monday.isoformat())
    form.get_by_label("For how many weeks").fill("3")
    for day in ("Monday", "Wednesday", "Thursday", "Friday"):
        form.get_by_label(day).uncheck()
    form.get_by_label("Tuesday").check()
    form.get_by_role("button", name="Schedule the series").click()
    expect(page.locator("[data-flash=ok]")).to_have_text("Weekly series scheduled.")
    page.locator(".week").get_by_text("14:00–16:00").first.click()
    expect(page.locator("#series summary")).to_have_text("Part of a weekly series: 3 occurrences")
    first = page.url
    page.get_by_label("Starts").fill("15:00")
    page.get_by_label("Ends").fill("17:00")
    page.get_by_role("button", name="Save the change").click()
    expect(page.locator("[data-flash=ok]")).to_contain_text("This occurrence was changed")
    expect(page.get_by_role("heading", level=1)).to_contain_text("15:00–17:00")
    page.locator("#series summary").click()
    page.locator("#series a").nth(0).click()  # the second occurrence: as it was
    expect(page.get_by_role("heading", level=1)).to_contain_text("14:00–16:00")
    page.get_by_label("Reason").last.fill("library closed for the holidays")
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Cancel this and the rest").click()
    expect(page.locator("[data-flash=ok]")).to_have_text("This and the rest of the series are cancelled.")
    assert asked and "Cancel this and the 1 later occurrence of the series?" in asked[0], asked
    page.locator("#series summary").click()
    expect(page.locator("#series li").nth(0)).not_to_contain_text("Cancelled")  # before the day chosen: kept
    expect(page.locator("#series li").nth(1)).to_contain_text("Cancelled")
    expect(page.locator("#series li").nth(2)).to_contain_text("Cancelled")
    page.goto(first)
    expect(page.get_by_role("heading", level=1)).to_contain_text("15:00–17:00")
    snap(page, "series-shift")


def test_a_volunteer_asks_for_an_hour_correction_and_the_coordinator_decides(page_for, server: Server) -> None:
    shift = server.shift_soon(server.unit, "correction desk")
    li = _volunteer(server, "Qian Lu", login="qianlu")
    server.api("POST", f"/shifts/{shift}/signups", {"volunteer_id": li}, user="coord")
    server.api("POST", f"/shifts/{shift}/check-in", {"volunteer_id": li}, user="kiosk")
    server.api("POST", f"/shifts/{shift}/check-out", {"volunteer_id": li, "served": {"guidance": 2}}, user="kiosk")
    server.settle()
    me = page_for("qianlu", phone=True)
    me.goto(f"{server.base}/me/record")
    row = me.locator("tr", has=me.locator(f"form[action='/me/shifts/{shift}/correction']"))
    row.get_by_text("Ask for a correction").click()
    row.get_by_label("Minutes actually served").fill("125")
    row.get_by_label("Why").fill("I stayed to help a family to the ward")
    row.get_by_role("button", name="Ask").click()
    expect(me.locator("[data-flash=ok]")).to_have_text("Your correction is asked for; the coordinator decides.")
    expect(me.locator("[data-correction=pending]")).to_be_visible()
    snap(me, "volunteer-correction-asked")
    page = page_for("coord")
    page.goto(f"{server.base}/volunteers")
    asked = page.locator("#hour-corrections tr[data-correction='Qian Lu']")
    expect(asked).to_contain_text("125 min")
    expect(asked).to_contain_text("I stayed to help a family to the ward")
    asked.get_by_role("button", name="Approve").click()
    expect(page.locator("[data-flash=ok]")).to_have_text("Correction approved: the hours are changed.")
    expect(page.locator("#hour-corrections")).to_have_count(0)
    me.goto(f"{server.base}/me/record")
    expect(me.locator("[data-correction=approved]")).to_be_visible()
    expect(me.locator("tr", has=me.locator("[data-correction=approved]"))).to_contain_text("125")


def test_a_volunteer_registered_in_the_browser_is_invited_and_sets_up_a_login_on_a_phone(
        page_for, browser, server: Server) -> None:
    volunteer = _volunteer(server, "He Jing", phone="13911112222")
    page = page_for("coord")
    page.goto(f"{server.base}/volunteers/{volunteer}")
    page.get_by_role("button", name="Invite to set up a login").click()
    expect(page.locator("[data-invitation-qr]")).to_be_visible()
    code = page.locator("[data-invitation-code]").inner_text()
    link = page.locator("#invitation-link").input_value()
    assert re.fullmatch(r"[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", code) and link.endswith(f"/join/{code}")
    snap(page, "volunteer-invitation")
    page.get_by_role("button", name="Send it by SMS to 13911112222").click()
    expect(page.locator("[data-flash=ok]")).to_have_text("The invitation is on its way: see Notices.")
    expect(page.locator("[data-invitation-code]")).to_have_count(0)  # shown once
    expect(page.locator("#login")).to_contain_text("the code works until")
    page.goto(f"{server.base}/notices")
    expect(page.locator("tr", has_text="He Jing")).to_contain_text("Invitation to set up a login")
    texts = server.data / "sms.jsonl"
    deadline = time.monotonic() + 60
    while "Sent" not in page.locator("tr", has_text="He Jing").inner_text():  # the mailroom's turn, every second
        assert time.monotonic() < deadline, "the mailroom never sent the invitation"
        page.wait_for_timeout(250)
        page.reload()
    [text] = [m["text"] for m in map(json.loads, texts.read_text().splitlines()) if m["phone"] == "13911112222"]
    assert link in text and code in text

    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True, extra_http_headers={"Accept-Language": "zh-CN"})
    try:
        me = phone.new_page()
        me.goto(link)
        expect(me.get_by_label("邀请码")).to_have_value(code)
        me.get_by_label("用户名").fill("hejing")
        me.get_by_label("密码").fill("short")
        me.locator("#password").evaluate("input => input.removeAttribute('minlength')")
        me.get_by_role("button", name="设置登录账号").click()
        expect(me.locator("#password-problem")).to_be_visible()
        expect(me.get_by_label("用户名")).to_have_value("hejing")  # kept; the password never is
        me.get_by_label("密码").fill("my garden has three cats")
        me.get_by_role("button", name="设置登录账号").click()
        expect(me.locator("[data-flash=ok]")).to_have_text("登录账号已设置好，请登录。")
        me.get_by_label("用户名").fill("hejing")
        me.get_by_label("密码").fill("my garden has three cats")
        me.get_by_role("button", name="登录").click()
        expect(me).to_have_url(re.compile("/me$"))
        snap(me, "volunteer-first-login-zh")
        me.goto(link)  # the code again, by someone else
        me.get_by_label("用户名").fill("someone-else")
        me.get_by_label("密码").fill("another long passphrase")
        me.get_by_role("button", name="设置登录账号").click()
        expect(me.locator("[data-flash=error]")).to_contain_text("邀请码无法使用")
    finally:
        phone.close()
    page.goto(f"{server.base}/volunteers/{volunteer}")
    expect(page.locator("[data-login]")).to_contain_text("hejing")


@pytest.mark.parametrize("locale", ["en-GB", ZH])
def test_a_refused_identity_or_certificate_keeps_what_was_typed_and_says_why_beside_it(page_for, server: Server,
                                                                                      locale: str) -> None:
    en = locale == "en-GB"
    volunteer = _volunteer(server, f"Qian Hui {locale}", phone="13922223333" if en else "13922224444")
    page = page_for("coord", locale)
    page.goto(f"{server.base}/certificates")
    identity = page.locator("form[action='/certificates/identity']")
    identity.get_by_label("Volunteer" if en else "志愿者", exact=True).select_option(volunteer)
    expect(identity.get_by_label("Document" if en else "证件类型")).to_contain_text(
        "Resident identity card" if en else "居民身份证")
    identity.get_by_label("Number" if en else "号码", exact=True).fill("110105194912310021")
    identity.get_by_role("button", name="Save" if en else "保存").click()
    expect(page.locator("#id-number-problem")).to_have_text(
        "the check digit does not match; please check the number" if en else "校验码不符，请核对号码")
    identity = page.locator("form[action='/certificates/identity']")
    expect(identity.get_by_label("Number" if en else "号码", exact=True)).to_have_value("110105194912310021")
    expect(identity.get_by_label("Volunteer" if en else "志愿者", exact=True)).to_have_value(volunteer)
    snap(page, f"certificates-refused-identity-{locale}")
    identity.get_by_label("Number" if en else "号码", exact=True).fill("11010519491231002X")
    identity.get_by_role("button", name="Save" if en else "保存").click()
    expect(page.locator("[data-flash=ok]")).to_have_text("The identity document is recorded." if en else "身份证件已登记。")
    details = page.locator("form[action='/certificates/details']").first
    details.get_by_label("Responsible person" if en else "负责人").fill("Wang Lan")
    details.get_by_label("Contact" if en else "联系方式").fill("021-6437 0045")
    details.get_by_role("button", name="Save" if en else "保存").click()
    expect(page.locator("[data-flash=ok]")).to_have_text("The certificate details are saved." if en else
                                                         "证明信息已保存。")
    expect(page.locator("[data-details-missing]")).to_have_count(0)
    issue = page.locator("form[action='/certificates/issue']")
    issue.get_by_label("Volunteer" if en else "志愿者", exact=True).select_option(volunteer)
    issue.get_by_label("From" if en else "从").fill("2026-11-30")
    issue.get_by_label("To" if en else "至").fill("2026-11-01")
    issue.get_by_role("button", name="Issue" if en else "出具").click()
    expect(page.locator("#to-problem")).to_be_visible()
    issue = page.locator("form[action='/certificates/issue']")
    expect(issue.get_by_label("From" if en else "从")).to_have_value("2026-11-30")
    expect(issue.get_by_label("Volunteer" if en else "志愿者", exact=True)).to_have_value(volunteer)
