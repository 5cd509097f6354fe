"""Sign-language interpreter requests, as they were before requests were general: the service
requests of kind `sign_language` (web/api/requests.py), under their first paths and names."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from domain import bounds
from domain.requests import LONGEST_MINUTES, SIGN_LANGUAGE, STATES
from web.api.common import Position, local, written
from web.api.requests import found_for, listed_for
from web.auth import allow, may
from web.commands import CommandPath, Commands, TheLedger

Minutes = Annotated[int, msgspec.Meta(ge=5, le=LONGEST_MINUTES)]


class NewRequest(msgspec.Struct, forbid_unknown_fields=True):
    unit_id: UUID
    place: Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.TITLE)]  # ward, room or desk; never a patient
    starts_at: datetime
    minutes: Minutes
    session_id: UUID | None = None  # the social-work session it serves, if logged already


class Acceptance(msgspec.Struct, forbid_unknown_fields=True):
    volunteer_id: UUID


class Service(msgspec.Struct, forbid_unknown_fields=True):
    minutes: Minutes  # the interpreting itself, travel excluded


class RequestCancellation(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.REASON)]


class Candidate(msgspec.Struct):
    volunteer_id: UUID
    name: str
    on_duty: bool


class Asked(msgspec.Struct):
    id: UUID
    state: Literal["open"]
    candidates: list[Candidate]


class InterpreterRequest(msgspec.Struct):
    id: UUID
    unit_id: UUID
    unit: str
    place: str
    starts_at: datetime
    ends_at: datetime
    minutes: int
    session_id: UUID | None
    state: Literal[STATES]  # type: ignore[valid-type]
    volunteer_id: UUID | None  # the interpreter booked
    interpreter: str
    accepted_at: datetime | None
    served_minutes: int | None
    reason: str | None  # why it was cancelled
    requested_by: UUID
    asked: int  # volunteers it was offered to


class InterpreterRequestOffered(InterpreterRequest):
    candidates: list[UUID]


class RequestState(msgspec.Struct):
    id: UUID
    state: Literal[STATES]  # type: ignore[valid-type]
    volunteer_id: UUID | msgspec.UnsetType = msgspec.UNSET  # who was booked
    minutes: int | msgspec.UnsetType = msgspec.UNSET  # served


class InterpretingController(Controller):
    path = "/api/v1/interpreter-requests"
    tags = ["social work"]

    def _found(self, request: Request, request_id: UUID, min_position: int | None = None) -> dict:
        found = found_for(request, request_id, min_position)
        if found["kind"] != SIGN_LANGUAGE:
            raise NotFoundException(f"No interpreter request with id {request_id}")
        return found

    @post("/", guards=[may(Commands.request_interpreting)], sync_to_thread=True)
    def ask(self, request: Request, commands: CommandPath, data: JSONBody[NewRequest]) -> Response[Asked]:
        """Find the volunteers holding a valid sign-language qualification who are free or on duty
        here then, and send each a notice; 422 `no_interpreter_available` when there is nobody."""
        receipt = commands.request_interpreting(request.user, data.unit_id, data.place, local(request, data.starts_at),
                                                data.minutes, session_id=data.session_id)
        found = receipt.value
        return written(request, receipt, Asked(receipt.id, "open", [
            Candidate(c["volunteer_id"], c["name"], bool(c["on_duty"])) for c in found]), 201)

    @get("/", guards=[allow("social_worker", "coordinator", "volunteer")], sync_to_thread=True)
    def list_requests(self, request: Request, ledger: TheLedger, unit_id: FromQuery[UUID | None] = None,
                      state_: Annotated[Literal[STATES] | None,  # type: ignore[valid-type]
                                        QueryParameter(name="state")] = None,
                      min_position: Position = None) -> list[InterpreterRequest]:
        """A unit's requests (newest first); to a volunteer, those offered to them or booked to them."""
        return listed_for(request, ledger.clock.now(), unit_id, state_, SIGN_LANGUAGE, min_position)

    @get("/{request_id:uuid}", guards=[allow("social_worker", "coordinator", "volunteer")], sync_to_thread=True)
    def show(self, request: Request, request_id: FromPath[UUID],
             min_position: Position = None) -> InterpreterRequestOffered:
        return self._found(request, request_id, min_position)

    @post("/{request_id:uuid}/accept", guards=[may(Commands.accept_request)], sync_to_thread=True,
          status_code=200)
    def accept(self, request: Request, commands: CommandPath, request_id: FromPath[UUID],
               data: JSONBody[Acceptance]) -> Response[RequestState]:
        """The first to accept is booked (exactly one, however many accept at once); 409
        `interpreter_already_booked` for the rest."""
        receipt = commands.accept_request(request.user, request_id, data.volunteer_id)
        return written(request, receipt, RequestState(request_id, receipt.value, volunteer_id=data.volunteer_id))

    @post("/{request_id:uuid}/served", guards=[may(Commands.serve_request)], sync_to_thread=True,
          status_code=200)
    def served(self, request: Request, commands: CommandPath, request_id: FromPath[UUID],
               data: JSONBody[Service]) -> Response[RequestState]:
        """The interpreting happened: a sign-language person-time in the tallies, hours to the interpreter."""
        receipt = commands.serve_request(request.user, request_id, data.minutes)
        return written(request, receipt, RequestState(request_id, "served", minutes=data.minutes))

    @post("/{request_id:uuid}/cancel", guards=[may(Commands.cancel_request)], sync_to_thread=True,
          status_code=200)
    def cancel(self, request: Request, commands: CommandPath, request_id: FromPath[UUID],
               data: JSONBody[RequestCancellation]) -> Response[RequestState]:
        receipt = commands.cancel_request(request.user, request_id, data.reason)
        return written(request, receipt, RequestState(request_id, "cancelled"))
