"""Evaluations (评价) of a volunteer's service: given by a coordinator for a period, on the programme's
scale, amended by a later event; read by the volunteer and their coordinators."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody

from domain import bounds
from domain.evaluations import COMMENT
from web.api.common import Tag, checked_span, written
from web.auth import may
from web.commands import CommandPath, Commands

Comment = Annotated[str, msgspec.Meta(max_length=COMMENT)]


class EvaluationGiven(msgspec.Struct, forbid_unknown_fields=True, rename={"first": "from", "last": "to"}):
    first: date
    last: date
    rating: Tag  # one of the programme's scale (GET …/evaluations lists it)
    comment: Comment = ""


class EvaluationAmendment(msgspec.Struct, forbid_unknown_fields=True):
    rating: Tag
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.REASON)]
    comment: Comment = ""


class EvaluationRecorded(msgspec.Struct):
    id: UUID
    volunteer_id: UUID


class EvaluationShown(msgspec.Struct, rename={"first_day": "from", "last_day": "to"}):
    id: UUID
    volunteer_id: UUID
    first_day: date
    last_day: date
    rating: str
    comment: str
    evaluator: str
    given_at: datetime
    amended_at: datetime | None
    amendments: int


class Evaluations(msgspec.Struct):
    scale: list[str]  # best first
    evaluations: list[EvaluationShown]


class EvaluationsController(Controller):
    path = "/api/v1"
    tags = ["evaluations"]

    @post("/volunteers/{volunteer_id:uuid}/evaluations", guards=[may(Commands.evaluate_volunteer)],
          sync_to_thread=True)
    def evaluate(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID],
                 data: JSONBody[EvaluationGiven]) -> Response[EvaluationRecorded]:
        """Evaluate the volunteer's service in the days given (400 `rating` off the programme's scale)."""
        first, last = checked_span(data.first, data.last)
        receipt = commands.evaluate_volunteer(request.user, volunteer_id, first, last, data.rating, data.comment)
        return written(request, receipt, EvaluationRecorded(receipt.id, volunteer_id), 201)

    @get("/volunteers/{volunteer_id:uuid}/evaluations", guards=[may(Commands.evaluations_of)], sync_to_thread=True)
    def evaluations(self, request: Request, commands: CommandPath, volunteer_id: FromPath[UUID]) -> Evaluations:
        return Evaluations(list(request.app.state.settings.evaluation_scale), [
            EvaluationShown(UUID(e["id"]), UUID(e["volunteer_id"]), date.fromisoformat(e["first_day"]),
                            date.fromisoformat(e["last_day"]), e["rating"], e["comment"], e["evaluator"],
                            datetime.fromisoformat(e["given_at"]),
                            datetime.fromisoformat(e["amended_at"]) if e["amended_at"] else None, e["amendments"])
            for e in commands.evaluations_of(request.user, volunteer_id)])

    @post("/evaluations/{evaluation_id:uuid}/amend", guards=[may(Commands.amend_evaluation)], sync_to_thread=True,
          status_code=200)
    def amend(self, request: Request, commands: CommandPath, evaluation_id: FromPath[UUID],
              data: JSONBody[EvaluationAmendment]) -> Response[EvaluationRecorded]:
        """What the evaluation says from now on, with the reason; the first stays in the log."""
        receipt = commands.amend_evaluation(request.user, evaluation_id, data.rating, data.comment, data.reason)
        return written(request, receipt, EvaluationRecorded(evaluation_id,
                                                            commands.ledger.get_evaluation(evaluation_id).volunteer_id))
