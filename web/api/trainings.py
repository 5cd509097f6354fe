"""Trainings: coordinators schedule them, enrol volunteers and record results."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, post
from litestar.params import FromPath, JSONBody

from web.api.common import local, written
from web.auth import allow


class NewTraining(msgspec.Struct, forbid_unknown_fields=True):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    kind: Literal["pre_job", "sign_language", "other"]
    unit_id: UUID
    starts_at: datetime
    ends_at: datetime
    capacity: Annotated[int, msgspec.Meta(ge=1, le=1000)]
    validity_days: Annotated[int, msgspec.Meta(ge=1, le=3650)] | None = None
    grants: Annotated[str, msgspec.Meta(min_length=1, max_length=60)] | None = None


class Enrolment(msgspec.Struct, forbid_unknown_fields=True):
    volunteer_id: UUID


class Result(msgspec.Struct, forbid_unknown_fields=True):
    volunteer_id: UUID
    passed: bool
    score: Annotated[float, msgspec.Meta(ge=0, le=100)] | None = None


class TrainingsController(Controller):
    path = "/api/v1/trainings"
    tags = ["trainings"]
    guards = [allow("coordinator")]

    def _course(self, request: Request, training_id: UUID, volunteer_id: UUID):
        course = request.app.state.ledger.get_training(training_id)
        request.user.ensure_unit(course.unit_id)
        volunteer = request.app.state.ledger.get_volunteer(volunteer_id)
        request.user.ensure_volunteer(volunteer_id, volunteer.unit_id)
        return course

    @post("/", sync_to_thread=True)
    def schedule(self, request: Request, data: JSONBody[NewTraining]) -> Response:
        request.user.ensure_unit(data.unit_id)
        receipt = request.app.state.ledger.schedule_training(
            data.title, data.kind, data.unit_id, local(request, data.starts_at), local(request, data.ends_at),
            data.capacity, data.validity_days,
            request.user.account_id, grants=data.grants)
        return written(request, receipt, {"id": str(receipt.id), "title": data.title, "kind": data.kind,
                                          "unit_id": str(data.unit_id), "capacity": data.capacity,
                                          "grants": data.grants or data.kind}, 201)

    @post("/{training_id:uuid}/enrolments", sync_to_thread=True)
    def enrol(self, request: Request, training_id: FromPath[UUID], data: JSONBody[Enrolment]) -> Response:
        self._course(request, training_id, data.volunteer_id)
        receipt = request.app.state.ledger.enrol(training_id, data.volunteer_id, request.user.account_id)
        return written(request, receipt, {"training_id": str(training_id), "volunteer_id": str(data.volunteer_id)},
                       201)

    @post("/{training_id:uuid}/results", sync_to_thread=True, status_code=200)
    def result(self, request: Request, training_id: FromPath[UUID], data: JSONBody[Result]) -> Response:
        course = self._course(request, training_id, data.volunteer_id)
        receipt = request.app.state.ledger.assess(training_id, data.volunteer_id, data.passed, data.score,
                                                  request.user.account_id)
        return written(request, receipt, {"volunteer_id": str(data.volunteer_id), "passed": data.passed,
                                          "qualification": course.grants if data.passed else None})
