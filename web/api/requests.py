"""Service requests: a ward or a social worker asks for a volunteer (a companion, an escort,
psychological relief, guidance, a sign-language interpreter); the qualified on duty there or on
call are asked, the first to accept is booked; and a volunteer goes on call for them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from domain import bounds
from domain.requests import LONGEST_MINUTES, STATES
from projections import requests
from web.api.common import Position, Tag, Tags, local, read_db, units_asked, written
from web.auth import allow, may
from web.commands import CommandPath, Commands, TheLedger

Minutes = Annotated[int, msgspec.Meta(ge=5, le=LONGEST_MINUTES)]
State = Annotated[Literal[STATES] | None, QueryParameter(name="state")]  # type: ignore[valid-type]
ASKERS = ("ward", "social_worker", "coordinator")


class NewServiceRequest(msgspec.Struct, forbid_unknown_fields=True):
    unit_id: UUID
    kind: Tag  # a service type of the catalogue: visitation, escort, psychological_support, guidance, sign_language
    place: Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.TITLE)]  # ward and bed; never a patient's name
    minutes: Minutes
    starts_at: datetime | None = None  # none: now
    needs: Tags = []  # qualifications the volunteer must hold besides what the kind needs
    language: Tag | None = None  # the volunteer must speak it
    patient_id: Annotated[str, msgspec.Meta(max_length=bounds.PATIENT_ID)] | None = None  # kept only as a pseudonym
    note: Annotated[str, msgspec.Meta(max_length=bounds.REASON)] | None = None  # no names; kept out of read models
    session_id: UUID | None = None  # the social-work session it serves, if logged already


class RequestCandidate(msgspec.Struct):
    volunteer_id: UUID
    name: str
    on_duty: bool
    on_call: bool


class ServiceRequestAsked(msgspec.Struct):
    id: UUID
    state: Literal["open"]
    candidates: list[RequestCandidate]


class ServiceRequestTaking(msgspec.Struct, forbid_unknown_fields=True):
    volunteer_id: UUID


class ServiceGiven(msgspec.Struct, forbid_unknown_fields=True):
    minutes: Minutes  # the service itself, travel excluded


class ServiceRequestCancellation(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.REASON)]


class ServiceRequestRow(msgspec.Struct):
    id: UUID
    unit_id: UUID
    unit: str
    kind: str
    place: str
    starts_at: datetime
    ends_at: datetime
    minutes: int
    needs: list[str]
    language: str | None
    session_id: UUID | None
    state: Literal[STATES]  # type: ignore[valid-type]
    volunteer_id: UUID | None  # the volunteer booked: who is coming
    volunteer: str
    accepted_at: datetime | None
    served_minutes: int | None
    reason: str | None  # why it was cancelled
    requested_by: UUID
    requested_at: datetime
    escalated_at: datetime | None  # nobody answered in time: on the coordinator's board since
    asked: int  # volunteers it was offered to


class ServiceRequestShown(ServiceRequestRow):
    candidates: list[UUID]
    note: str | None  # to the unit's staff and the volunteer booked only


class ServiceRequestState(msgspec.Struct):
    id: UUID
    state: Literal[STATES]  # type: ignore[valid-type]
    volunteer_id: UUID | msgspec.UnsetType = msgspec.UNSET  # who was booked
    minutes: int | msgspec.UnsetType = msgspec.UNSET  # served


class OnCallWindow(msgspec.Struct, forbid_unknown_fields=True):
    ends_at: datetime
    starts_at: datetime | None = None  # none: now


class OnCall(msgspec.Struct):
    volunteer_id: UUID
    starts_at: datetime | None
    ends_at: datetime | None  # none: not on call


def found_for(request: Request, request_id: UUID, min_position: int | None = None) -> dict:
    """One request, to the unit's staff, or to a volunteer it was offered or booked to."""
    found = requests.request(read_db(request, min_position), str(request_id))
    if found is None:
        raise NotFoundException(f"No service request with id {request_id}")
    user = request.user
    if user.role == "volunteer":
        if user.volunteer_id not in (*found["candidates"], found["volunteer_id"]):
            raise PermissionDeniedException("This request was not offered to you")
    else:
        user.ensure_unit(found["unit_id"])
    return found


def listed_for(request: Request, now: datetime, unit_id: UUID | None, state: str | None, kind: str | None,
               min_position: int | None) -> list[dict]:
    """A unit's requests (latest first); to a volunteer, those offered to them or booked to them."""
    db = read_db(request, min_position)
    if request.user.role == "volunteer":
        return requests.for_volunteer(db, request.user.volunteer_id, now, kind)
    return requests.listed(db, units_asked(request, unit_id), state, kind=kind)


class ServiceRequestsController(Controller):
    path = "/api/v1/service-requests"
    tags = ["service requests"]

    @post("/", guards=[may(Commands.request_service)], sync_to_thread=True)
    def ask(self, request: Request, commands: CommandPath, ledger: TheLedger,
            data: JSONBody[NewServiceRequest]) -> Response[ServiceRequestAsked]:
        """Ask the qualified volunteers on duty at the unit or on call then (a sign-language request:
        everyone qualified and free then), each with a notice; 422 `nobody_to_ask` when there is
        nobody. Unanswered, it goes to the coordinator's board after the programme's wait."""
        starts_at = ledger.clock.now() if data.starts_at is None else local(request, data.starts_at)
        receipt = commands.request_service(request.user, data.unit_id, data.kind, data.place, starts_at, data.minutes,
                                           needs=data.needs, language=data.language, patient_id=data.patient_id,
                                           note=data.note, session_id=data.session_id)
        return written(request, receipt, ServiceRequestAsked(receipt.id, "open", [
            RequestCandidate(c["volunteer_id"], c["name"], c["on_duty"], c["on_call"]) for c in receipt.value]), 201)

    @get("/", guards=[allow(*ASKERS, "volunteer")], sync_to_thread=True)
    def list_service_requests(self, request: Request, ledger: TheLedger, unit_id: FromQuery[UUID | None] = None,
                              state_: State = None,
                              kind: Annotated[str | None, QueryParameter(max_length=bounds.TAG)] = None,
                              min_position: Position = None) -> list[ServiceRequestRow]:
        return listed_for(request, ledger.clock.now(), unit_id, state_, kind, min_position)

    @get("/{request_id:uuid}", guards=[allow(*ASKERS, "volunteer")], sync_to_thread=True)
    def show_service_request(self, request: Request, commands: CommandPath, request_id: FromPath[UUID],
                             min_position: Position = None) -> ServiceRequestShown:
        found = found_for(request, request_id, min_position)
        booked = request.user.role != "volunteer" or request.user.volunteer_id == found["volunteer_id"]
        return found | {"note": commands.request_note(request.user, request_id) if booked else None}

    @post("/{request_id:uuid}/accept", guards=[may(Commands.accept_request)], sync_to_thread=True, status_code=200)
    def accept_service_request(self, request: Request, commands: CommandPath, request_id: FromPath[UUID],
                               data: JSONBody[ServiceRequestTaking]) -> Response[ServiceRequestState]:
        """The first to accept is booked (exactly one, however many accept at once); 409
        `request_taken` for the rest. A coordinator may book a volunteer of theirs."""
        receipt = commands.accept_request(request.user, request_id, data.volunteer_id)
        return written(request, receipt, ServiceRequestState(request_id, receipt.value, volunteer_id=data.volunteer_id))

    @post("/{request_id:uuid}/served", guards=[may(Commands.serve_request)], sync_to_thread=True, status_code=200)
    def serve_service_request(self, request: Request, commands: CommandPath, request_id: FromPath[UUID],
                              data: JSONBody[ServiceGiven]) -> Response[ServiceRequestState]:
        """It happened: a person-time of its kind in the tallies, the minutes in the volunteer's hours."""
        receipt = commands.serve_request(request.user, request_id, data.minutes)
        return written(request, receipt, ServiceRequestState(request_id, "served", minutes=data.minutes))

    @post("/{request_id:uuid}/cancel", guards=[may(Commands.cancel_request)], sync_to_thread=True, status_code=200)
    def cancel_service_request(self, request: Request, commands: CommandPath, request_id: FromPath[UUID],
                               data: JSONBody[ServiceRequestCancellation]) -> Response[ServiceRequestState]:
        """No longer needed: the volunteer booked, if any, is told and their time is free again."""
        receipt = commands.cancel_request(request.user, request_id, data.reason)
        return written(request, receipt, ServiceRequestState(request_id, "cancelled"))


class OnCallController(Controller):
    path = "/api/v1/volunteers/{volunteer_id:uuid}/on-call"
    tags = ["service requests"]

    @get("/", guards=[allow("volunteer", "coordinator")], sync_to_thread=True)
    def show_on_call(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID]) -> OnCall:
        window = commands.on_call_of(request.user, volunteer_id)
        return OnCall(volunteer_id, None, None) if window is None else OnCall(volunteer_id, *window)

    @put("/", guards=[may(Commands.go_on_call)], sync_to_thread=True, status_code=200)
    def go_on_call(self, request: Request, commands: CommandPath, ledger: TheLedger, volunteer_id: FromPath[UUID],
                   data: JSONBody[OnCallWindow]) -> Response[OnCall]:
        """Reachable for the unit's requests from `starts_at` (or now) to `ends_at`, at most a day."""
        now = ledger.clock.now()
        starts_at = now if data.starts_at is None else local(request, data.starts_at)
        receipt = commands.go_on_call(request.user, volunteer_id, starts_at, local(request, data.ends_at))
        return written(request, receipt, OnCall(volunteer_id, max(starts_at, now), local(request, data.ends_at)))

    @delete("/", guards=[may(Commands.go_off_call)], sync_to_thread=True, status_code=200)
    def go_off_call(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID]) -> Response[OnCall]:
        receipt = commands.go_off_call(request.user, volunteer_id)
        return written(request, receipt, OnCall(volunteer_id, None, None))
