"""Reports for coordinators and auditors, the audit trail, and the health of the read models."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, Response, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromQuery, QueryParameter

from domain.permissions import ROLES
from projections import awards, hours, notices, qualifications, reviews, roster, tallies
from projections.store import iso
from web import audit
from web.api.common import MAX_POSITION, Position, read_db, report_span, units_asked
from web.api.volunteers import Notice
from web.auth import allow
from web.commands import TheLedger
from web.operations import health


class TallyRow(msgspec.Struct):
    key: str  # a service type, a unit's id, a day or a month, as `by` says
    person_times: int


class Tallies(msgspec.Struct, rename={"first": "from", "last": "to"}):
    """Person-times (人次) served in the days given."""
    total_person_times: int
    by: Literal["service_type", "unit", "day", "month"]
    rows: list[TallyRow]
    first: date
    last: date


class CheckOutToReview(msgspec.Struct):
    """A volunteer checked out automatically (they forgot), waiting to be confirmed or corrected."""
    shift_id: UUID
    volunteer_id: UUID
    name: str
    unit_id: UUID
    post: str
    starts_at: datetime
    ends_at: datetime
    checked_in_at: datetime | None
    checked_out_at: datetime
    minutes: int


class Uninsured(msgspec.Struct):
    volunteer_id: UUID
    name: str
    shift_id: UUID
    unit_id: UUID
    post: str
    starts_at: datetime
    insured_until: date | None


class ValueOfVolunteering(msgspec.Struct, rename={"first": "from", "last": "to"}):
    first: date
    last: date
    minutes: int
    hours: float
    hour_value: float | None  # CARELEDGER_HOUR_VALUE
    currency: str
    value: float | None  # hours x hour_value


class AwardDue(msgspec.Struct):
    volunteer_id: UUID
    name: str
    unit_id: UUID
    award_hours: int  # the milestone reached
    hours: float  # served so far


class FillRate(msgspec.Struct):
    key: str  # a unit's id, a post or a day, as `by` says
    filled: int
    capacity: int
    shifts: int
    fill_rate: float


class FillRates(msgspec.Struct, rename={"first": "from", "last": "to"}):
    first: date
    last: date
    by: Literal["unit", "post", "day"]
    rows: list[FillRate]


class Missing(msgspec.Struct):
    """Signed up for a shift that has started, and not checked in."""
    shift_id: UUID
    unit_id: UUID
    post: str
    starts_at: datetime
    ends_at: datetime
    volunteer_id: UUID
    name: str
    phone: str  # last digits only


class Expiring(msgspec.Struct):
    volunteer_id: UUID
    name: str
    unit_id: UUID | None
    kind: str
    source: str
    valid_until: date


class Finding(msgspec.Struct):
    """A check-in made without a required qualification valid at that moment of the log."""
    shift_id: UUID
    volunteer_id: UUID
    name: str
    unit_id: UUID
    post: str
    checked_in_at: datetime | None
    kind: str
    problem: Literal["never_held", "granted_later", "revoked", "expired", "not_yet_valid"]
    trainee: bool


class ServiceType(msgspec.Struct):
    code: str
    name_en: str
    name_zh: str


class Trail(msgspec.Struct):
    """Who did what, when: never a payload."""
    position: int
    type: str
    aggregate_id: UUID
    actor: str
    timestamp: datetime


class Concern(msgspec.Struct):
    part: str
    problem: str  # in words
    do: str  # what to do about it


class Health(msgspec.Struct):
    status: Literal["ok", "degraded"]
    position: int | None  # None while the log cannot be read
    projections: dict[str, int]  # each read model's position
    lag: dict[str, int]
    problems: list[Concern]
    warnings: list[Concern]
    notes_encrypted: bool


class ReportsController(Controller):
    path = "/api/v1"
    tags = ["reports"]

    @get("/reports/tallies", guards=[allow("coordinator", "auditor", "admin")], sync_to_thread=True)
    def tallies(self, request: Request, from_: Annotated[date | None, QueryParameter(name="from")] = None,
                to: FromQuery[date | None] = None, unit_id: FromQuery[UUID | None] = None,
                by: FromQuery[Literal["service_type", "unit", "day", "month"]] = "service_type",
                min_position: Position = None) -> Tallies:
        units = units_asked(request, unit_id)
        first, last = report_span(request, from_, to)
        return tallies.report(read_db(request, min_position), first, last, units, by) | {"from": first, "to": last}

    @get("/reports/value", guards=[allow("coordinator", "auditor", "admin")], sync_to_thread=True)
    def value(self, request: Request, from_: Annotated[date | None, QueryParameter(name="from")] = None,
              to: FromQuery[date | None] = None, unit_id: FromQuery[UUID | None] = None,
              min_position: Position = None) -> ValueOfVolunteering:
        """Hours of certified service in the days, and what they are worth at CARELEDGER_HOUR_VALUE an
        hour (`value` null when the programme sets no value)."""
        first, last = report_span(request, from_, to)
        db = read_db(request, min_position)
        minutes = hours.minutes_served(db, units_asked(request, unit_id), first, last)
        settings = request.app.state.settings
        return ValueOfVolunteering(date.fromisoformat(first), date.fromisoformat(last), minutes,
                                   round(minutes / 60, 2), settings.hour_value, settings.currency,
                                   None if settings.hour_value is None else round(minutes / 60 * settings.hour_value, 2))

    @get("/reports/uninsured", guards=[allow("coordinator")], sync_to_thread=True)
    def uninsured(self, request: Request, ledger: TheLedger, unit_id: FromQuery[UUID | None] = None,
                  days: Annotated[int, QueryParameter(ge=1, le=60)] = 7,
                  min_position: Position = None) -> list[Uninsured]:
        """Volunteers on shifts in the next `days` at posts that require accident insurance, whose policy
        does not cover that day (their check-in will be refused)."""
        now = ledger.clock.now()
        return qualifications.uninsured(read_db(request, min_position), units_asked(request, unit_id), iso(now),
                                        iso(now + timedelta(days=days)))

    @get("/reports/check-out-reviews", guards=[allow("coordinator")], sync_to_thread=True)
    def check_out_reviews(self, request: Request, unit_id: FromQuery[UUID | None] = None,
                          min_position: Position = None) -> list[CheckOutToReview]:
        """Volunteers checked out automatically (they forgot), waiting to be confirmed or corrected."""
        return reviews.pending(read_db(request, min_position), units_asked(request, unit_id))

    @get("/reports/awards-due", guards=[allow("coordinator")], sync_to_thread=True)
    def awards_due(self, request: Request, unit_id: FromQuery[UUID | None] = None,
                   min_position: Position = None) -> list[AwardDue]:
        """Service awards due: volunteers whose hours reached a milestone (CARELEDGER_AWARD_HOURS) not yet presented."""
        return awards.due(read_db(request, min_position), units_asked(request, unit_id),
                          request.app.state.settings.award_hours)

    @get("/reports/notices", guards=[allow("coordinator", "admin")], sync_to_thread=True)
    def notices(self, request: Request, unit_id: FromQuery[UUID | None] = None,
                state_: Annotated[Literal["queued", "dispatching", "sent", "retrying", "undeliverable"] | None,
                                  QueryParameter(name="state")] = None,
                min_position: Position = None) -> list[Notice]:
        """The outbox: notices to this unit's volunteers (newest first), whether each went, and why not."""
        return notices.listed(read_db(request, min_position), units_asked(request, unit_id), state=state_)

    @get("/reports/fill-rates", guards=[allow("coordinator", "auditor", "admin")], sync_to_thread=True)
    def fill_rates(self, request: Request, from_: Annotated[date | None, QueryParameter(name="from")] = None,
                   to: FromQuery[date | None] = None, unit_id: FromQuery[UUID | None] = None,
                   by: FromQuery[Literal["unit", "post", "day"]] = "unit",
                   min_position: Position = None) -> FillRates:
        units = units_asked(request, unit_id)
        first, last = report_span(request, from_, to)
        return {"from": first, "to": last, "by": by,
                "rows": roster.fill_rates(read_db(request, min_position), units, first, last, by)}

    @get("/reports/missing", guards=[allow("coordinator", "kiosk")], sync_to_thread=True)
    def missing(self, request: Request, ledger: TheLedger, unit_id: FromQuery[UUID | None] = None,
                min_position: Position = None) -> list[Missing]:
        """Who's missing now: signed up for a shift that has started, not checked in."""
        return roster.missing(read_db(request, min_position), ledger.clock.now(),
                              units_asked(request, unit_id))

    @get("/reports/expiring", guards=[allow("coordinator")], sync_to_thread=True)
    def expiring(self, request: Request, ledger: TheLedger, days: Annotated[int, QueryParameter(ge=1, le=365)] = 30,
                 unit_id: FromQuery[UUID | None] = None, min_position: Position = None) -> list[Expiring]:
        today = ledger.clock.now().astimezone(ZoneInfo(request.app.state.settings.timezone)).date()
        return qualifications.expiring(read_db(request, min_position), today, days, units_asked(request, unit_id))

    @get("/reports/compliance", guards=[allow("coordinator", "auditor", "admin")], sync_to_thread=True)
    def compliance(self, request: Request, from_: Annotated[date | None, QueryParameter(name="from")] = None,
                   to: FromQuery[date | None] = None, unit_id: FromQuery[UUID | None] = None,
                   min_position: Position = None) -> list[Finding]:
        """Check-ins made without a valid required qualification at that moment of the log."""
        first, last = report_span(request, from_, to)
        return qualifications.compliance(read_db(request, min_position), first, last, units_asked(request, unit_id))

    @get("/service-types", guards=[allow(*ROLES)],
         sync_to_thread=True)
    def service_types(self, request: Request, ledger: TheLedger) -> list[ServiceType]:
        return [ServiceType(code, en, zh) for code, (en, zh) in ledger.service_types().items()]

    @get("/audit", guards=[allow("admin", "auditor")], sync_to_thread=True)
    def audit(self, request: Request, ledger: TheLedger,
              after: Annotated[int, QueryParameter(ge=0, le=MAX_POSITION)] = 0,
              limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100) -> list[Trail]:
        """Who did what, when, in log order — never a payload."""
        return [Trail(e.position, e.type, e.aggregate_id, e.actor, e.timestamp) for e in audit.trail(ledger, after, limit)]

    @get("/healthz", sync_to_thread=True, security=[],
         responses={503: ResponseSpec(Health, description="degraded: each problem in words, and what to do")})
    def healthz(self, request: Request) -> Response[Health]:
        """`ok` (200) only when all is well; `degraded` (503, for a load balancer) with each problem
        in words and what to do: a read model stopped or behind, the log unreachable."""
        found = health(request.app.state)
        return Response(content=found, status_code=200 if found["status"] == "ok" else 503,
                        headers={"Cache-Control": "no-store"})
