"""Reports for coordinators and auditors, the audit trail, and the health of the read models."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get
from litestar.params import FromQuery, QueryParameter

from projections import awards, notices, qualifications, reviews, roster, tallies
from web.api.common import MAX_POSITION, Position, read_db, report_span, units_asked
from web.auth import allow
from web.commands import TheLedger
from web.operations import health


class ReportsController(Controller):
    path = "/api/v1"
    tags = ["reports"]

    @get("/reports/tallies", guards=[allow("coordinator", "auditor", "admin")], sync_to_thread=True)
    def tallies(self, request: Request, from_: Annotated[date | None, QueryParameter(name="from")] = None,
                to: FromQuery[date | None] = None, unit_id: FromQuery[UUID | None] = None,
                by: FromQuery[Literal["service_type", "unit", "day", "month"]] = "service_type",
                min_position: Position = None) -> dict:
        units = units_asked(request, unit_id)
        first, last = report_span(request, from_, to)
        return tallies.report(read_db(request, min_position), first, last, units, by) | {"from": first, "to": last}

    @get("/reports/check-out-reviews", guards=[allow("coordinator")], sync_to_thread=True)
    def check_out_reviews(self, request: Request, unit_id: FromQuery[UUID | None] = None,
                          min_position: Position = None) -> list[dict]:
        """Volunteers checked out automatically (they forgot), waiting to be confirmed or corrected."""
        return reviews.pending(read_db(request, min_position), units_asked(request, unit_id))

    @get("/reports/awards-due", guards=[allow("coordinator")], sync_to_thread=True)
    def awards_due(self, request: Request, unit_id: FromQuery[UUID | None] = None,
                   min_position: Position = None) -> list[dict]:
        """Service awards due: volunteers whose hours reached a milestone (CARELEDGER_AWARD_HOURS) not yet presented."""
        return awards.due(read_db(request, min_position), units_asked(request, unit_id),
                          request.app.state.settings.award_hours)

    @get("/reports/notices", guards=[allow("coordinator", "admin")], sync_to_thread=True)
    def notices(self, request: Request, unit_id: FromQuery[UUID | None] = None,
                state_: Annotated[Literal["queued", "dispatching", "sent", "retrying", "undeliverable"] | None,
                                  QueryParameter(name="state")] = None,
                min_position: Position = None) -> list[dict]:
        """The outbox: notices to this unit's volunteers (newest first), whether each went, and why not."""
        return notices.listed(read_db(request, min_position), units_asked(request, unit_id), state=state_)

    @get("/reports/fill-rates", guards=[allow("coordinator", "auditor", "admin")], sync_to_thread=True)
    def fill_rates(self, request: Request, from_: Annotated[date | None, QueryParameter(name="from")] = None,
                   to: FromQuery[date | None] = None, unit_id: FromQuery[UUID | None] = None,
                   by: FromQuery[Literal["unit", "post", "day"]] = "unit",
                   min_position: Position = None) -> dict:
        units = units_asked(request, unit_id)
        first, last = report_span(request, from_, to)
        return {"from": first, "to": last, "by": by,
                "rows": roster.fill_rates(read_db(request, min_position), units, first, last, by)}

    @get("/reports/missing", guards=[allow("coordinator", "kiosk")], sync_to_thread=True)
    def missing(self, request: Request, ledger: TheLedger, unit_id: FromQuery[UUID | None] = None,
                min_position: Position = None) -> list[dict]:
        """Who's missing now: signed up for a shift that has started, not checked in."""
        return roster.missing(read_db(request, min_position), ledger.clock.now(),
                              units_asked(request, unit_id))

    @get("/reports/expiring", guards=[allow("coordinator")], sync_to_thread=True)
    def expiring(self, request: Request, ledger: TheLedger, days: Annotated[int, QueryParameter(ge=1, le=365)] = 30,
                 unit_id: FromQuery[UUID | None] = None, min_position: Position = None) -> list[dict]:
        today = ledger.clock.now().astimezone(ZoneInfo(request.app.state.settings.timezone)).date()
        return qualifications.expiring(read_db(request, min_position), today, days, units_asked(request, unit_id))

    @get("/reports/compliance", guards=[allow("coordinator", "auditor", "admin")], sync_to_thread=True)
    def compliance(self, request: Request, from_: Annotated[date | None, QueryParameter(name="from")] = None,
                   to: FromQuery[date | None] = None, unit_id: FromQuery[UUID | None] = None,
                   min_position: Position = None) -> list[dict]:
        """Check-ins made without a valid required qualification at that moment of the log."""
        first, last = report_span(request, from_, to)
        return qualifications.compliance(read_db(request, min_position), first, last, units_asked(request, unit_id))

    @get("/service-types", guards=[allow("admin", "coordinator", "volunteer", "kiosk", "social_worker", "auditor")],
         sync_to_thread=True)
    def service_types(self, request: Request, ledger: TheLedger) -> list[dict]:
        return [{"code": code, "name_en": en, "name_zh": zh}
                for code, (en, zh) in ledger.service_types().items()]

    @get("/audit", guards=[allow("admin", "auditor")], sync_to_thread=True)
    def audit(self, request: Request, ledger: TheLedger,
              after: Annotated[int, QueryParameter(ge=0, le=MAX_POSITION)] = 0,
              limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100) -> list[dict]:
        """Who did what, when, in log order — never a payload."""
        trail = []
        for notification in ledger.recorder.select_notifications(after + 1, limit):
            event = ledger.mapper.to_domain_event(notification)
            trail.append({"position": notification.id, "type": notification.topic.rsplit(":", 1)[-1],
                          "aggregate_id": str(notification.originator_id), "actor": getattr(event, "actor", ""),
                          "timestamp": event.timestamp})
        return trail

    @get("/healthz", sync_to_thread=True, security=[])
    def healthz(self, request: Request) -> Response:
        """`ok` (200) only when all is well; `degraded` (503, for a load balancer) with each problem
        in words and what to do: a read model stopped or behind, the log unreachable."""
        found = health(request.app.state)
        return Response(content=found, status_code=200 if found["status"] == "ok" else 503,
                        headers={"Cache-Control": "no-store"})
