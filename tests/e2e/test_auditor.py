"""The auditor at a desk (1200 px), in English and Chinese: one filter of days and unit, carried
from the dashboard to the case reports, and every table's export holding what the screen shows."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.checkers import axe_violations
from tests.e2e.conftest import PASSWORD, ZONE, Server, snap

WORDS = {"en-GB": {"show": "Show", "unit": "Unit", "csv": "Download CSV", "reports": "Case reports",
                   "dashboard": "Dashboard"},
         "zh-CN": {"show": "显示", "unit": "单位", "csv": "下载 CSV", "reports": "个案报表", "dashboard": "数据看板"}}


@pytest.fixture(scope="module")
def other_unit(server: Server) -> str:
    """A second hospital with a case of its own, so that choosing a unit leaves something out."""
    unit = server.api("POST", "/units", {"name": "Huashan Hospital", "district": "Jing'an"}, user="root")["id"]
    server.api("POST", "/accounts", {"username": "sw-huashan", "password": PASSWORD, "role": "social_worker",
                                     "unit_ids": [unit]}, user="root")
    server.api("POST", "/cases", {"unit_id": unit, "patient_id": "HS-20001", "source": "self_referral"},
               user="sw-huashan")
    server.api("POST", "/cases", {"unit_id": server.unit, "patient_id": "RJ-20001", "source": "agency_referral"},
               user="sw")
    server.settle()
    return unit


def _rows(table) -> list[list[str]]:  # noqa: ANN001 - a Playwright locator
    return [[cell.strip() for cell in row.locator("td").all_inner_texts()] for row in table.locator("tbody tr").all()]


def _downloaded(page, link) -> list[list[str]]:  # noqa: ANN001
    with page.expect_download() as download:
        link.click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_the_auditors_filter_follows_from_the_dashboard_to_the_case_reports_and_exports_what_is_shown(
        page_for, server: Server, other_unit: str, locale: str) -> None:
    words = WORDS[locale]
    page = page_for("auditor", locale)
    today = datetime.now(ZONE).date()
    page.goto(f"{server.base}/dashboard")
    page.locator("#from").fill((today - timedelta(days=6)).isoformat())
    page.locator("#to").fill(today.isoformat())
    page.get_by_label(words["unit"], exact=True).select_option(server.unit)
    page.get_by_role("button", name=words["show"], exact=True).click()
    expect(page).to_have_url(re.compile(f"unit={server.unit}"))

    # the daily export holds each day on screen, quiet days as 0, as the chart draws them
    days = _downloaded(page, page.locator("[data-chart=by-day]").locator("..").get_by_role("link", name=words["csv"]))
    assert len(days) - 1 == 7 and all(row[1].isdigit() for row in days[1:])
    assert len(days) - 1 == page.locator("[data-chart=by-day] circle").count()

    page.locator("[data-views]").get_by_role("link", name=words["reports"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["reports"])
    # the same days and the same unit, without typing them again
    expect(page.locator("#from")).to_have_value((today - timedelta(days=6)).isoformat())
    expect(page.locator("#to")).to_have_value(today.isoformat())
    expect(page.get_by_label(words["unit"], exact=True)).to_have_value(server.unit)
    opened = page.locator(".card", has=page.locator("[data-opened]").first)
    shown = _rows(opened.locator("table"))
    assert all(row[0] == "Ruijin Hospital" for row in shown)  # Huashan's case is left out
    assert any(row[1] in ("Referral from an agency", "机构转介") for row in shown)
    exported = _downloaded(page, opened.get_by_role("link", name=words["csv"]))
    assert [row[:2] + [row[2]] for row in exported[1:]] == [[r[0], r[1], r[2].replace(",", "")] for r in shown]
    assert page.evaluate("document.documentElement.scrollWidth") <= 1200
    assert axe_violations(page) == []
    snap(page, f"auditor-case-reports-{locale}")

    page.locator("[data-views]").get_by_role("link", name=words["dashboard"]).click()
    expect(page.get_by_label(words["unit"], exact=True)).to_have_value(server.unit)  # and back again
    assert axe_violations(page) == []
    snap(page, f"auditor-dashboard-{locale}")


def test_all_units_count_both_hospitals_and_a_reversed_range_is_said_on_the_case_reports(
        page_for, server: Server, other_unit: str) -> None:
    page = page_for("auditor")
    page.goto(f"{server.base}/cases/reports")
    units = {row[0] for row in _rows(page.locator(".card", has=page.locator("[data-opened]").first).locator("table"))}
    assert {"Ruijin Hospital", "Huashan Hospital"} <= units
    today = datetime.now(ZONE).date()
    page.locator("#from").fill(today.isoformat())
    page.locator("#to").fill((today - timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.locator("#to-problem")).to_have_text("The end of the range must not be before its start.")
    expect(page.locator("[data-opened]")).to_have_count(0)  # no table of zeros that looks like an answer
