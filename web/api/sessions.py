"""Social-work sessions: the patient becomes a pseudonym at the door; notes only to their author."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from domain.sessions import MODES
from domain import bounds
from projections import caseload
from web.api.common import A_YEAR, Position, checked_span, local, read_db, whole_span, written
from web.auth import allow, may
from web.commands import CommandPath, Commands, TheLedger


class NewSession(msgspec.Struct, forbid_unknown_fields=True):
    unit_id: UUID
    patient_id: Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.PATIENT_ID)]
    service_type: Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.TAG)]
    mode: Literal[MODES]  # type: ignore[valid-type]
    started_at: datetime
    minutes: Annotated[int, msgspec.Meta(ge=1, le=bounds.DAY_MINUTES)]
    persons: Annotated[int, msgspec.Meta(ge=1, le=bounds.PERSONS)] = 1
    notes: Annotated[str, msgspec.Meta(max_length=bounds.NOTE)] | None = None
    case_id: UUID | None = None  # an intervention session of a case (个案介入)


class SessionLogged(msgspec.Struct):
    id: UUID
    patient_ref: str  # the pseudonym the patient's number became


class Session(msgspec.Struct):
    """A social-work session as the read models hold it: no patient number, no notes."""
    id: UUID
    unit_id: UUID
    social_worker: UUID
    patient_ref: str
    service_type: str
    mode: Literal[MODES]  # type: ignore[valid-type]
    started_at: datetime
    minutes: int
    persons: int
    case_id: UUID | None
    has_notes: bool
    referrals: int
    interpreter_requests: int
    closed: bool


class SessionWithNotes(Session):
    notes: str | None = None  # to its author only, from the encrypted log


class SessionsController(Controller):
    path = "/api/v1/sessions"
    tags = ["social work"]

    @post("/", guards=[may(Commands.log_session)], sync_to_thread=True)
    def log(self, request: Request, commands: CommandPath, data: JSONBody[NewSession]) -> Response[SessionLogged]:
        receipt = commands.log_session(request.user, data.unit_id, data.patient_id, data.service_type, data.mode,
                                       local(request, data.started_at), data.minutes, data.persons,
                                       notes=data.notes, case_id=data.case_id)
        return written(request, receipt, SessionLogged(receipt.id, receipt.value), 201)

    @get("/{session_id:uuid}", guards=[allow("social_worker")], sync_to_thread=True)
    def show(self, request: Request, ledger: TheLedger, session_id: FromPath[UUID], min_position: Position = None) -> SessionWithNotes:
        rows = [r for r in caseload.sessions(read_db(request, min_position), None, "0000-01-01", "9999-12-31",
                                             session_id=str(session_id))]
        if not rows:
            raise NotFoundException(f"No session with id {session_id}")
        found = rows[0]
        request.user.ensure_unit(found["unit_id"])
        if found["social_worker"] == request.user.account_id:
            # Notes are never in a read model: the author reads them from the (encrypted) log.
            found["notes"] = ledger.get_session(session_id).notes
        return found

    @get("/", guards=[allow("social_worker", "coordinator")], sync_to_thread=True)
    def list_sessions(self, request: Request, unit_id: FromQuery[UUID | None] = None,
                      from_: Annotated[date | None, QueryParameter(name="from")] = None,
                      to: FromQuery[date | None] = None, min_position: Position = None) -> list[Session]:
        units = request.user.scope()
        if unit_id is not None:
            request.user.ensure_unit(unit_id)
            units = [str(unit_id)]
        if units is None:
            raise PermissionDeniedException("Sessions are read per unit")
        first, last = whole_span(*checked_span(from_, to, A_YEAR))
        return caseload.sessions(read_db(request, min_position), units, first, last)
