"""Rosters, hours and tallies as CSV and XLSX: the same rows and filters as the screens and the API."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from openpyxl import load_workbook

from tests.integration.conftest import World
from tests.scenario import COORDINATOR


def _served_day(world: World, clock) -> str:
    h, ledger = world.hospital, world.ledger
    shift = h.shift(starts=clock.now() + timedelta(minutes=30), capacity=3)
    for volunteer in (world.volunteer, world.other_volunteer):
        ledger.sign_up(shift, volunteer, COORDINATOR)
    clock.advance(minutes=30)
    ledger.check_in(shift, world.volunteer, "kiosk", COORDINATOR)
    clock.advance(minutes=240)
    ledger.check_out(shift, world.volunteer, {"guidance": 9, "communication": 2}, COORDINATOR)
    ledger.mark_no_show(shift, world.other_volunteer, COORDINATOR)
    world.settle()
    return clock.now().date().isoformat()


def _csv(answer) -> list[list[str]]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.content.startswith("\ufeff".encode())  # Excel reads the Chinese right
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))


def _xlsx(answer) -> list[list]:
    assert answer.status_code == 200, answer.text
    assert "attachment" in answer.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(answer.content)).active
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def test_the_roster_of_a_day_as_csv_and_as_a_spreadsheet(world: World, clock) -> None:
    day = _served_day(world, clock)
    query = f"from={day}&to={day}&unit_id={world.hospital.unit}"
    rows = _csv(world.call("coord", "GET", f"/api/v1/exports/roster?{query}&format=csv"))
    assert rows[0][:6] == ["Day", "Starts", "Ends", "Unit", "Post", "Volunteer"]
    seats = {row[5]: row[6] for row in rows[1:]}
    assert seats == {"Li Wei": "Checked out", "Wang Fang": "No-show"}  # in words, not codes
    sheet = _xlsx(world.call("coord", "GET", f"/api/v1/exports/roster?{query}&format=xlsx"))
    assert [str(v) for v in sheet[0]] == rows[0]
    assert sorted(r[5] for r in sheet[1:]) == ["Li Wei", "Wang Fang"]


def test_hours_per_volunteer_with_headers_in_the_readers_language(world: World, clock) -> None:
    day = _served_day(world, clock)
    answer = world.call("coord", "GET", f"/api/v1/exports/hours?from={day}&to={day}",
                        headers={"Accept-Language": "zh-CN"})
    rows = _csv(answer)
    assert rows[0] == ["志愿者", "单位", "小时", "分钟", "服务班次", "缺勤"]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Li Wei"][3] == "240" and by_name["Li Wei"][4] == "1"
    assert by_name["Wang Fang"][5] == "1"


def test_tallies_export_the_rows_the_report_shows(world: World, clock) -> None:
    day = _served_day(world, clock)
    query = f"from={day}&to={day}&by=service_type"
    shown = world.call("auditor", "GET", f"/api/v1/reports/tallies?{query}").json()
    rows = _csv(world.call("auditor", "GET", f"/api/v1/exports/tallies?{query}&format=csv"))
    assert rows[0] == ["Service type", "Person-times"]
    assert sorted(int(r[1]) for r in rows[1:]) == sorted(r["person_times"] for r in shown["rows"]) == [2, 9]


def test_exports_keep_to_the_units_one_acts_for_and_refuse_bad_filters(world: World, clock) -> None:
    day = _served_day(world, clock)
    assert _csv(world.call("other_coord", "GET", f"/api/v1/exports/roster?from={day}&to={day}"))[1:] == []
    assert world.call("other_coord", "GET",
                      f"/api/v1/exports/roster?unit_id={world.hospital.unit}").status_code == 403
    assert world.call("coord", "GET", "/api/v1/exports/roster?format=pdf").status_code == 400
    assert world.call("coord", "GET", "/api/v1/exports/roster?from=2020-01-01&to=2026-01-01").status_code == 400


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_written_as_text(world: World, clock) -> None:
    h, ledger = world.hospital, world.ledger
    sly = h.volunteer('=HYPERLINK("http://evil","x")')
    shift = h.shift(starts=clock.now() + timedelta(days=1))
    ledger.sign_up(shift, sly, COORDINATOR)
    world.settle()
    day = (clock.now() + timedelta(days=1)).date().isoformat()
    rows = _csv(world.call("coord", "GET", f"/api/v1/exports/roster?from={day}&to={day}"))
    assert rows[1][5] == "'=HYPERLINK(\"http://evil\",\"x\")"


def test_the_screens_offer_the_downloads_with_their_own_filters(world: World, clock) -> None:
    from tests.integration.test_ui_pages import log_in

    log_in(world, "coord")
    week = world.client.get(f"/shifts?unit={world.hospital.unit}&week=2026-11-23").text
    assert f"/api/v1/exports/roster?from=2026-11-23&amp;to=2026-11-29&amp;unit_id={world.hospital.unit}" in week
    dashboard = world.client.get("/dashboard?from=2026-11-01&to=2026-11-30").text
    assert "/api/v1/exports/tallies?from=2026-11-01&amp;to=2026-11-30&amp;format=xlsx" in dashboard
    link = world.client.get("/api/v1/exports/roster?from=2026-11-23&to=2026-11-29&format=csv")  # the cookie is enough
    assert link.status_code == 200


def test_spreadsheets_get_text_as_text_dates_as_dates_and_the_wall_clock(world: World, clock) -> None:
    """A name a spreadsheet would run (=…, ＝…, a zero-width mark before =) is text that shows as
    typed in XLSX and is prefixed in CSV; days are date cells; times are Shanghai's, to the minute;
    the Chinese tallies name service types in Chinese."""
    from datetime import date, datetime

    h, ledger = world.hospital, world.ledger
    risky = ["=HYPERLINK(\"http://x\")", "＝1+1", "\u200b=1+1", "+86 139 0000 1111"]
    shift = h.shift(starts=clock.now() + timedelta(minutes=30), capacity=len(risky))
    for name in risky:
        ledger.sign_up(shift, h.volunteer(name), COORDINATOR)
    world.settle()
    day = clock.now().date().isoformat()
    query = f"/api/v1/exports/roster?from={day}&to={day}"
    rows = _xlsx(world.call("coord", "GET", query + "&format=xlsx"))
    sheet = load_workbook(io.BytesIO(world.call("coord", "GET", query + "&format=xlsx").content)).active
    header, *body = rows
    names = {row[header.index("Volunteer")] for row in body}
    assert names == set(risky), "shown exactly as typed, no quote"
    assert all(cell.data_type == "s" for row in sheet.iter_rows(min_row=2) for cell in row
               if isinstance(cell.value, str)), "never a formula"
    first = body[0]
    assert isinstance(first[header.index("Day")], (date, datetime))
    starts = first[header.index("Starts")]
    assert isinstance(starts, datetime) and starts.microsecond == 0
    assert (starts.hour, starts.minute) == ((clock.now() + timedelta(minutes=30)).hour,
                                            (clock.now() + timedelta(minutes=30)).minute)  # Shanghai's wall clock
    csv_rows = _csv(world.call("coord", "GET", query + "&format=csv"))
    column = csv_rows[0].index("Volunteer")
    guarded = {row[column] for row in csv_rows[1:]}
    assert guarded == {"'" + name for name in risky}
    assert csv_rows[1][csv_rows[0].index("Starts")].count(":") == 1  # "2026-11-23 09:30", not an ISO instant


def test_the_chinese_tallies_export_names_service_types_in_chinese(world: World, clock) -> None:
    day = _served_day(world, clock)
    world.client.cookies.set("lang", "zh")
    rows = _csv(world.call("auditor", "GET", f"/api/v1/exports/tallies?from={day}&to={day}&format=csv"))
    world.client.cookies.clear()
    kinds = {row[0] for row in rows[1:]}
    assert "guidance" not in kinds and "communication" not in kinds
    assert kinds == {zh for code, (en, zh) in world.ledger.service_types().items() if code in ("guidance",
                                                                                               "communication")}
