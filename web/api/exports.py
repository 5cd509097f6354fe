"""Exports: rosters, volunteer hours and tallies as CSV or XLSX, with the filters of the screens."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get
from litestar.params import FromQuery, QueryParameter

from projections import caseload, casework, directory, hours, roster, tallies
from web.api.common import A_YEAR, read_db, report_span, units_asked
from web.auth import allow
from web.exports import Format, table
from web.i18n import translator

Day = Annotated[date | None, QueryParameter(name="from")]
AsFile = Annotated[Format, QueryParameter(name="format")]


class ExportsController(Controller):
    path = "/api/v1/exports"
    tags = ["exports"]

    @get("/roster", guards=[allow("coordinator", "admin")], sync_to_thread=True,
         response_description="the rosters as a CSV or XLSX file")
    def roster(self, request: Request, from_: Day = None, to: FromQuery[date | None] = None,
               unit_id: FromQuery[UUID | None] = None, fmt: AsFile = "csv") -> Response:
        first, last = report_span(request, from_, to, A_YEAR)
        rows = roster.seat_rows(read_db(request, None), units_asked(request, unit_id), first, last)
        t = translator(request)
        for row in rows:
            row["state"] = t.gettext(row["state"])
            row["trainee"] = t.gettext("yes") if row["trainee"] else ""
            row["cancelled"] = t.gettext("cancelled") if row["cancelled"] else ""
        return table(rows, [("day", "Day"), ("starts_at", "Starts"), ("ends_at", "Ends"), ("unit", "Unit"),
                            ("post", "Post"), ("name", "Volunteer"), ("state", "State"), ("trainee", "Trainee"),
                            ("checked_in_at", "Checked in"), ("checked_out_at", "Checked out"),
                            ("minutes", "Minutes"), ("cancelled", "Shift")],
                     t.gettext, fmt, f"roster-{first}-{last}", ZoneInfo(request.app.state.settings.timezone),
                     days=("day",), moments=("starts_at", "ends_at", "checked_in_at", "checked_out_at"))

    @get("/hours", guards=[allow("coordinator", "admin")], sync_to_thread=True,
         response_description="each volunteer's hours as a CSV or XLSX file")
    def hours(self, request: Request, from_: Day = None, to: FromQuery[date | None] = None,
              unit_id: FromQuery[UUID | None] = None, fmt: AsFile = "csv") -> Response:
        first, last = report_span(request, from_, to)
        rows = hours.by_volunteer(read_db(request, None), units_asked(request, unit_id), first, last)
        for row in rows:
            row["hours"] = round((row["minutes"] or 0) / 60, 2)
        t = translator(request)
        return table(rows, [("name", "Volunteer"), ("unit", "Unit"), ("hours", "Hours"), ("minutes", "Minutes"),
                            ("shifts", "Shifts served"), ("no_shows", "No-shows")],
                     t.gettext, fmt, f"hours-{first}-{last}")

    @get("/tallies", guards=[allow("coordinator", "auditor", "admin")], sync_to_thread=True,
         response_description="person-times as a CSV or XLSX file")
    def tallies(self, request: Request, from_: Day = None, to: FromQuery[date | None] = None,
                unit_id: FromQuery[UUID | None] = None,
                by: FromQuery[Literal["service_type", "unit", "day", "month"]] = "service_type",
                fmt: AsFile = "csv") -> Response:
        first, last = report_span(request, from_, to)
        report = tallies.report(read_db(request, None), first, last, units_asked(request, unit_id), by)
        if by == "day":  # as the dashboard draws them: a quiet day is a 0, not a missing row
            report["rows"] = tallies.every_day(report["rows"], first, last)
        t = translator(request)
        names = {u["id"]: u["name"] for u in directory.units(read_db(request, None))} if by == "unit" else {}
        kinds = {code: (zh if t.language == "zh" else en)
                 for code, (en, zh) in request.app.state.ledger.service_types().items()}
        rows = [{"key": kinds.get(r["key"], r["key"]) if by == "service_type" else names.get(r["key"], r["key"]),
                 "person_times": r["person_times"]} for r in report["rows"]]
        return table(rows, [("key", {"service_type": "Service type", "unit": "Unit", "day": "Day",
                                     "month": "Month"}[by]), ("person_times", "Person-times")],
                     t.gettext, fmt, f"tallies-{by}-{first}-{last}", days=("key",) if by == "day" else ())

    @get("/fill-rates", guards=[allow("coordinator", "auditor", "admin")], sync_to_thread=True,
         response_description="places filled per unit, post or day as a CSV or XLSX file")
    def fill_rates(self, request: Request, from_: Day = None, to: FromQuery[date | None] = None,
                   unit_id: FromQuery[UUID | None] = None, by: FromQuery[Literal["unit", "post", "day"]] = "unit",
                   fmt: AsFile = "csv") -> Response:
        first, last = report_span(request, from_, to)
        db = read_db(request, None)
        rows = roster.fill_rates(db, units_asked(request, unit_id), first, last, by)
        names = {u["id"]: u["name"] for u in directory.units(db)} if by == "unit" else {}
        for row in rows:
            row["key"] = names.get(row["key"], row["key"])
            row["fill_rate"] = round(row["fill_rate"], 4)
        t = translator(request)
        return table(rows, [("key", {"unit": "Unit", "post": "Post", "day": "Day"}[by]), ("filled", "Places filled"),
                            ("capacity", "Places"), ("fill_rate", "Fill rate")],
                     t.gettext, fmt, f"fill-rates-{by}-{first}-{last}", days=("key",) if by == "day" else ())

    @get("/cases", guards=[allow("social_worker", "coordinator", "auditor", "admin")], sync_to_thread=True,
         response_description="one table of the case reports as a CSV or XLSX file (counts only, never a note)")
    def cases(self, request: Request, from_: Day = None, to: FromQuery[date | None] = None,
              unit_id: FromQuery[UUID | None] = None,
              table_: Annotated[Literal["opened", "closed", "active", "by_mode", "by_worker"],
                                QueryParameter(name="table")] = "opened",
              fmt: AsFile = "csv") -> Response:
        first, last = report_span(request, from_, to)
        db, units, t = read_db(request, None), units_asked(request, unit_id), translator(request)
        names = {u["id"]: u["name"] for u in directory.units(db)}
        if table_ == "by_worker":
            rows = caseload.per_worker(db, units, first, last)
            for row in rows:
                row["hours"] = round((row["minutes"] or 0) / 60, 1)
        else:
            rows = casework.report(db, units, first, last)[table_]
        for row in rows:
            row["unit"] = names.get(row.get("unit_id"), row.get("unit_id"))
            for key in ("source", "outcome", "mode"):
                if key in row:
                    row[key] = t.gettext(row[key])
        columns = {"opened": [("unit", "Unit"), ("source", "Intake source"), ("cases", "Cases")],
                   "closed": [("unit", "Unit"), ("outcome", "Outcome"), ("cases", "Cases")],
                   "active": [("unit", "Unit"), ("cases", "Cases")],
                   "by_mode": [("mode", "Mode"), ("sessions", "Sessions"), ("person_times", "Person-times")],
                   "by_worker": [("username", "Social worker"), ("unit", "Unit"), ("sessions", "Sessions"),
                                 ("persons", "Persons"), ("hours", "Hours")]}[table_]
        return table(rows, columns, t.gettext, fmt, f"cases-{table_}-{first}-{last}")
