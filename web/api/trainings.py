"""Trainings: coordinators schedule them, enrol volunteers and record results."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, post
from litestar.params import FromPath, JSONBody

from domain.trainings import TRAINING_KINDS
from domain import bounds
from web.api.common import local, written
from web.auth import may
from web.commands import CommandPath, Commands


class NewTraining(msgspec.Struct, forbid_unknown_fields=True):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.TITLE)]
    kind: Literal[TRAINING_KINDS]  # type: ignore[valid-type]
    unit_id: UUID
    starts_at: datetime
    ends_at: datetime
    capacity: Annotated[int, msgspec.Meta(ge=1, le=bounds.TRAINING_PLACES)]
    validity_days: Annotated[int, msgspec.Meta(ge=1, le=bounds.VALIDITY_DAYS)] | None = None
    grants: Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.TAG)] | None = None


class Enrolment(msgspec.Struct, forbid_unknown_fields=True):
    volunteer_id: UUID


class Result(msgspec.Struct, forbid_unknown_fields=True):
    volunteer_id: UUID
    passed: bool
    score: Annotated[float, msgspec.Meta(ge=0, le=bounds.SCORE)] | None = None


class Training(msgspec.Struct):
    id: UUID
    title: str
    kind: Literal[TRAINING_KINDS]  # type: ignore[valid-type]
    unit_id: UUID
    capacity: int
    grants: str  # the qualification passing it grants; "" for an "other" course that names none


class Enrolled(msgspec.Struct):
    training_id: UUID
    volunteer_id: UUID


class Assessed(msgspec.Struct):
    volunteer_id: UUID
    passed: bool
    qualification: str | None  # granted, when passed


class TrainingsController(Controller):
    path = "/api/v1/trainings"
    tags = ["trainings"]
    guards = [may(Commands.schedule_training)]  # and enrol, assess: the same roles

    @post("/", sync_to_thread=True)
    def schedule(self, request: Request, commands: CommandPath, data: JSONBody[NewTraining]) -> Response[Training]:
        receipt = commands.schedule_training(
            request.user, data.title, data.kind, data.unit_id, local(request, data.starts_at),
            local(request, data.ends_at), data.capacity, data.validity_days, grants=data.grants)
        course = commands.ledger.get_training(receipt.id)
        return written(request, receipt, Training(receipt.id, data.title, data.kind, data.unit_id, data.capacity,
                                                  course.grants), 201)

    @post("/{training_id:uuid}/enrolments", sync_to_thread=True)
    def enrol(self, request: Request, commands: CommandPath, training_id: FromPath[UUID],
              data: JSONBody[Enrolment]) -> Response[Enrolled]:
        receipt = commands.enrol(request.user, training_id, data.volunteer_id)
        return written(request, receipt, Enrolled(training_id, data.volunteer_id), 201)

    @post("/{training_id:uuid}/results", sync_to_thread=True, status_code=200)
    def result(self, request: Request, commands: CommandPath, training_id: FromPath[UUID],
               data: JSONBody[Result]) -> Response[Assessed]:
        receipt = commands.assess(request.user, training_id, data.volunteer_id, data.passed, data.score)
        course = commands.ledger.get_training(training_id)
        return written(request, receipt, Assessed(data.volunteer_id, data.passed,
                                                         course.grants if data.passed and course.grants else None))
