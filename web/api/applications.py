"""Joining as a volunteer over HTTP: the public application (no login), and the coordinator's pipeline
from application to active, each step by the command the browser's board runs."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath, FromQuery, JSONBody

from domain import bounds
from domain.applications import AVAILABILITY
from domain.identity import ID_TYPES
from domain.usecases.applications import ApplicationForm
from projections import applications
from web.api.common import Position, Tags, only_true_or_false, read_db, written
from web.auth import allow, may
from web.commands import CommandPath, Commands
from web.links import join_link
from web.login import Client

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.NAME)]
Phone = Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.REASON)]


class NewApplication(msgspec.Struct, forbid_unknown_fields=True):
    unit_id: UUID
    name: Name
    phone: Phone
    id_type: Literal[ID_TYPES]  # type: ignore[valid-type]
    id_number: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
    emergency_name: Name
    emergency_phone: Phone
    agreement_accepted: bool  # the service agreement of the version GET /api/v1/apply/texts shows
    consent_given: bool  # to the processing of personal data, likewise
    birth_date: date | None = None  # read from a resident identity card; needed for any other document
    availability: Annotated[list[Literal[AVAILABILITY]], msgspec.Meta(max_length=len(AVAILABILITY))] = []  # type: ignore[valid-type]
    languages: Tags = []
    skills: Tags = []
    guardian_name: Annotated[str, msgspec.Meta(max_length=bounds.NAME)] = ""  # under 18
    guardian_phone: Annotated[str, msgspec.Meta(max_length=20)] = ""
    guardian_consents: bool = False


class ApplicationReceived(msgspec.Struct):
    received: bool  # the same answer for a first and a repeated application: whether one was made is not told


class Applicant(msgspec.Struct):
    application_id: UUID
    volunteer_id: UUID
    unit_id: UUID
    name: str
    stage: Literal["applied", "interviewed", "screened", "trained", "active", "rejected", "withdrawn"]
    minor: bool
    submitted_at: datetime
    changed_at: datetime
    duplicate_of: UUID | None
    reason: str
    agreement_version: str
    consent_version: str


class InterviewNote(msgspec.Struct, forbid_unknown_fields=True):
    note: Annotated[str, msgspec.Meta(max_length=bounds.REASON)] = ""


class ApplicationClosing(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class ApplicationMoved(msgspec.Struct):
    application_id: UUID
    stage: str
    invitation_code: str | None = None  # on activation: to hand over if no message could carry it


def _applicant(row: dict) -> Applicant:
    return Applicant(UUID(row["application_id"]), UUID(row["volunteer_id"]), UUID(row["unit_id"]), row["name"],
                     row["stage"], bool(row["minor"]), datetime.fromisoformat(row["submitted_at"]),
                     datetime.fromisoformat(row["changed_at"]),
                     UUID(row["duplicate_of"]) if row["duplicate_of"] else None, row["reason"] or "",
                     row["agreement_version"] or "", row["consent_version"] or "")


class ApplicationsController(Controller):
    path = "/api/v1"
    tags = ["joining"]

    @post("/apply", security=[], status_code=202)
    async def apply(self, request: Request, commands: CommandPath,
                    data: JSONBody[NewApplication]) -> ApplicationReceived:
        """Apply to volunteer at a unit (no login; at most 30 from one address in 10 minutes, a hospital's shared Wi-Fi). The answer
        is the same whether or not this person applied before."""
        address = Client.of(request).key
        if request.app.state.applications.full(address):  # applications made count, not refused tries
            raise HTTPException(status_code=429, detail="Too many applications from here; try again later.",
                                headers={"Retry-After": "600"})
        await only_true_or_false(request, "agreement_accepted", "consent_given", "guardian_consents")  # explicitly
        await asyncio.to_thread(commands.apply, ApplicationForm(
            data.unit_id, data.name, data.phone, data.id_type, data.id_number, data.birth_date,  # type: ignore[arg-type]
            list(data.availability), list(data.languages), list(data.skills), data.emergency_name,
            data.emergency_phone, data.agreement_accepted, data.consent_given, data.guardian_name,
            data.guardian_phone, data.guardian_consents))
        request.app.state.applications.retry_after(address)
        return ApplicationReceived(True)

    @get("/applications", guards=[allow("coordinator")], sync_to_thread=True)
    def board(self, request: Request, open_only: FromQuery[bool] = True,
              min_position: Position = None) -> list[Applicant]:
        """The pipeline of the coordinator's units, who has waited longest first."""
        return [_applicant(r) for r in applications.board(read_db(request, min_position),
                                                          list(request.user.unit_ids), open_only)]

    def _moved(self, request: Request, receipt, application_id: UUID, stage: str, code: str | None = None) -> Response:
        return written(request, receipt, ApplicationMoved(application_id, stage, code))

    @post("/applications/{application_id:uuid}/interview", guards=[may(Commands.interview_applicant)],
          sync_to_thread=True, status_code=200)
    def interview(self, request: Request, commands: CommandPath, application_id: FromPath[UUID],
                  data: JSONBody[InterviewNote]) -> Response[ApplicationMoved]:
        return self._moved(request, commands.interview_applicant(request.user, application_id, data.note),
                           application_id, "interviewed")

    @post("/applications/{application_id:uuid}/screen", guards=[may(Commands.screen_applicant)],
          sync_to_thread=True, status_code=200)
    def screen(self, request: Request, commands: CommandPath, application_id: FromPath[UUID]) -> Response[ApplicationMoved]:
        """422 `screening_incomplete` until the credentials the programme asks for are recorded."""
        return self._moved(request, commands.screen_applicant(request.user, application_id), application_id,
                           "screened")

    @post("/applications/{application_id:uuid}/train", guards=[may(Commands.mark_applicant_trained)],
          sync_to_thread=True, status_code=200)
    def train(self, request: Request, commands: CommandPath, application_id: FromPath[UUID]) -> Response[ApplicationMoved]:
        """422 `training_incomplete` until the pre-job training is passed."""
        return self._moved(request, commands.mark_applicant_trained(request.user, application_id), application_id,
                           "trained")

    @post("/applications/{application_id:uuid}/activate", guards=[may(Commands.activate_applicant)],
          sync_to_thread=True, status_code=200)
    def activate(self, request: Request, commands: CommandPath, application_id: FromPath[UUID]) -> Response[ApplicationMoved]:
        """Active, and the invitation to set a password sent (its code in the answer, to hand over)."""
        receipt = commands.activate_applicant(request.user, application_id, lambda code: join_link(request, code))
        return self._moved(request, receipt, application_id, "active", receipt.value)

    @post("/applications/{application_id:uuid}/reject", guards=[may(Commands.close_application)],
          sync_to_thread=True, status_code=200)
    def reject(self, request: Request, commands: CommandPath, application_id: FromPath[UUID],
               data: JSONBody[ApplicationClosing]) -> Response[ApplicationMoved]:
        return self._moved(request, commands.close_application(request.user, application_id, "rejected", data.reason),
                           application_id, "rejected")

    @post("/applications/{application_id:uuid}/withdraw", guards=[may(Commands.close_application)],
          sync_to_thread=True, status_code=200)
    def withdraw(self, request: Request, commands: CommandPath, application_id: FromPath[UUID],
                 data: JSONBody[ApplicationClosing]) -> Response[ApplicationMoved]:
        return self._moved(request, commands.close_application(request.user, application_id, "withdrawn",
                                                               data.reason), application_id, "withdrawn")
