"""Reports for coordinators and auditors, the audit trail, and the health of the read models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get
from litestar.params import FromQuery, QueryParameter

from projections import tallies
from web.api.common import read_db
from web.auth import allow


class ReportsController(Controller):
    path = "/api/v1"
    tags = ["reports"]

    @get("/reports/tallies", guards=[allow("coordinator", "auditor", "admin")], sync_to_thread=True)
    def tallies(self, request: Request, from_: Annotated[date | None, QueryParameter(name="from")] = None,
                to: FromQuery[date | None] = None, unit_id: FromQuery[UUID | None] = None,
                by: FromQuery[Literal["service_type", "unit", "day", "month"]] = "service_type",
                min_position: FromQuery[int | None] = None) -> dict:
        units = request.user.scope()
        if unit_id is not None:
            request.user.ensure_unit(unit_id)
            units = [str(unit_id)]
        today = datetime.now(ZoneInfo(request.app.state.settings.timezone)).date()
        first, last = (from_ or today.replace(day=1)).isoformat(), (to or today).isoformat()
        return tallies.report(read_db(request, min_position), first, last, units, by) | {"from": first, "to": last}

    @get("/audit", guards=[allow("admin", "auditor")], sync_to_thread=True)
    def audit(self, request: Request, after: FromQuery[int] = 0,
              limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100) -> list[dict]:
        """Who did what, when, in log order — never a payload."""
        ledger = request.app.state.ledger
        trail = []
        for notification in ledger.recorder.select_notifications(after + 1, limit):
            event = ledger.mapper.to_domain_event(notification)
            trail.append({"position": notification.id, "type": notification.topic.rsplit(":", 1)[-1],
                          "aggregate_id": str(notification.originator_id), "actor": getattr(event, "actor", ""),
                          "timestamp": event.timestamp})
        return trail

    @get("/healthz", sync_to_thread=True, security=[])
    def healthz(self, request: Request) -> dict:
        state = request.app.state
        position = state.ledger.position
        projections = state.projector.positions()
        return {"status": "ok", "position": position, "projections": projections,
                "lag": {name: position - at for name, at in projections.items()}}
