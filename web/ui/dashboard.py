"""The dashboard: the person-times counter, charts by service type and over time, fill rates;
kept live with server-sent events while people check out."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated

from litestar import Controller, Request, get
from litestar.params import FromQuery, QueryParameter
from litestar.response import ServerSentEvent, Template

from projections import directory, feedback, hours, roster, tallies
from web.auth import allow
from web.commands import TheLedger
from web.ui.common import fragment_for, moves_of, page, reader
from web.ui.period import DASHBOARD_ROLES, period_of


def figures(request: Request, first: str, last: str, unit: str | None) -> dict:
    db = reader(request, stale=True)  # a figure that stopped is shown as it stood, under the banner
    units = request.user.scope()
    if unit:
        request.user.ensure_unit(unit)
        units = [unit]
    by_type = tallies.report(db, first, last, units, "service_type")
    by_day = tallies.report(db, first, last, units, "day")
    by_month = tallies.report(db, first, last, units, "month")
    by_unit = tallies.report(db, first, last, units, "unit")
    names = {u["id"]: u["name"] for u in directory.units(db)}
    rates = roster.fill_rates(db, units, first, last, "unit")
    for row in rates:
        row["name"] = names.get(row["key"], row["key"])
    for row in by_unit["rows"]:
        row["name"] = names.get(row["key"], row["key"])
    settings = request.app.state.settings
    minutes = hours.minutes_served(db, units, first, last)
    rated = feedback.results(db, units, first, last)
    return {"total": by_type["total_person_times"], "by_type": by_type["rows"], "minutes": minutes,
            "hour_value": settings.hour_value, "currency": settings.currency, "rated": rated,
            "value": None if settings.hour_value is None else round(minutes / 60 * settings.hour_value, 2),
            "by_day": tallies.every_day(by_day["rows"], first, last), "by_month": by_month["rows"],
            "by_unit": sorted(by_unit["rows"], key=lambda r: -r["person_times"]),
            "rates": rates, "city_total": tallies.city_total(db)}


class DashboardController(Controller):
    include_in_schema = False
    guards = [allow(*DASHBOARD_ROLES)]

    @get("/dashboard", sync_to_thread=True)
    def dashboard(self, request: Request, ledger: TheLedger, from_: Annotated[date | None, QueryParameter(name="from")] = None, to: FromQuery[date | None] = None,
                  unit: FromQuery[str | None] = None) -> Template:
        period = period_of(request, from_, to, unit)
        db = reader(request, stale=True)
        template = "partials/dashboard_figures.html" if fragment_for(request, "figures") else "dashboard.html"
        stopped = list(request.app.state.projector.quarantined.values())  # figures that cannot be trusted now
        shown = dict(first=period.first, last=period.last, unit=period.unit, period=period, stopped=stopped,
                     service_types=ledger.service_types())
        if period.reversed:
            return page(request, template, **shown, reversed=True, total=0, by_type=[], by_day=[], rates=[], minutes=0, rated=[],
                        city_total=tallies.city_total(db))
        return page(request, template, **shown, **figures(request, period.first, period.last, period.unit))

    @get("/dashboard/stream")
    async def stream(self, request: Request, from_: Annotated[date | None, QueryParameter(name="from")] = None,
                     to: FromQuery[date | None] = None,
                     unit: FromQuery[str | None] = None) -> ServerSentEvent:
        """One event each time the tallies move: the new counter for the chosen dates and units."""
        first, last = (from_ or date(2000, 1, 1)).isoformat(), (to or date(2999, 12, 31)).isoformat()

        async def changes() -> AsyncIterator[str]:
            async for position in moves_of(request.app.state.projector, "tallies"):
                now = await asyncio.to_thread(figures, request, first, last, unit)
                yield json.dumps({"position": position, "total": now["total"], "city_total": now["city_total"]})
        return ServerSentEvent(changes(), event_type="tally")
