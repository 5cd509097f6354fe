"""Feedback over HTTP: a volunteer rates a shift served, and gets the link a patient or family member
leaves feedback through (no login, at most 10 from one address in 10 minutes); the results by unit,
post and month, and what people wrote (to the unit's coordinators only)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath, FromQuery, JSONBody, Parameter, QueryParameter

from domain.feedback import LINE
from projections import feedback
from web.api.common import Position, read_db, report_span, units_asked, written
from web.auth import allow, may
from web.commands import CommandPath, Commands
from web.login import Client
from web.ui.feedback import feedback_link

Rating = Annotated[int, msgspec.Meta(ge=1, le=5)]
Line = Annotated[str, msgspec.Meta(max_length=LINE)]


class ShiftRating(msgspec.Struct, forbid_unknown_fields=True):
    volunteer_id: UUID
    rating: Rating
    line: Line = ""


class PublicFeedback(msgspec.Struct, forbid_unknown_fields=True):
    rating: Rating
    line: Line = ""  # no names, nothing about health


class FeedbackRecorded(msgspec.Struct):
    id: UUID


class FeedbackLink(msgspec.Struct):
    link: str  # what the volunteer's QR code holds
    token: str


class FeedbackResult(msgspec.Struct):
    unit_id: UUID
    unit: str
    post: str
    month: str
    source: Literal["volunteer", "public"]
    count: int
    average: float


class FeedbackLine(msgspec.Struct):
    id: UUID
    source: Literal["volunteer", "public"]
    post: str
    day: date
    rating: int
    given_at: datetime
    volunteer: str
    line: str


class FeedbackController(Controller):
    path = "/api/v1"
    tags = ["feedback"]

    @post("/shifts/{shift_id:uuid}/ratings", guards=[may(Commands.rate_shift)], sync_to_thread=True)
    def rate(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
             data: JSONBody[ShiftRating]) -> Response[FeedbackRecorded]:
        """The volunteer's own rating of a shift they served, once (409 `already_rated`; 422
        `feedback_not_open` for a shift not served, or over two weeks ago)."""
        receipt = commands.rate_shift(request.user, shift_id, data.volunteer_id, data.rating, data.line)
        return written(request, receipt, FeedbackRecorded(receipt.id), 201)

    @get("/shifts/{shift_id:uuid}/feedback-link", guards=[may(Commands.feedback_link)], sync_to_thread=True)
    def link(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
             volunteer_id: FromQuery[UUID]) -> FeedbackLink:
        token = commands.feedback_link(request.user, shift_id, volunteer_id)
        return FeedbackLink(feedback_link(request, token), token)

    @post("/feedback/{token:str}", security=[], sync_to_thread=True)
    def leave(self, request: Request, commands: CommandPath, token: Annotated[str, Parameter(max_length=80)],
              data: JSONBody[PublicFeedback]) -> Response[FeedbackRecorded]:
        """Feedback from a patient or family member through a volunteer's link (400 `link` for one not ours)."""
        address = Client.of(request).key
        if request.app.state.feedback_givers.full(address):
            raise HTTPException(status_code=429, detail="Too much feedback from here; try again later.",
                                headers={"Retry-After": "600"})
        receipt = commands.leave_feedback(token, data.rating, data.line)
        request.app.state.feedback_givers.retry_after(address)
        return written(request, receipt, FeedbackRecorded(receipt.id), 201)

    @get("/reports/feedback", guards=[allow("coordinator", "auditor", "admin")], sync_to_thread=True)
    def results(self, request: Request, from_: Annotated[date | None, QueryParameter(name="from")] = None,
                to: FromQuery[date | None] = None, unit_id: FromQuery[UUID | None] = None,
                min_position: Position = None) -> list[FeedbackResult]:
        """How many rated, and the average, per unit, post, month and source (numbers only)."""
        first, last = report_span(request, from_, to)
        return feedback.results(read_db(request, min_position), units_asked(request, unit_id), first, last)

    @get("/reports/feedback/lines", guards=[may(Commands.feedback_lines)], sync_to_thread=True)
    def lines(self, request: Request, commands: CommandPath,
              from_: Annotated[date | None, QueryParameter(name="from")] = None,
              to: FromQuery[date | None] = None) -> list[FeedbackLine]:
        """What people wrote about the service of your units (coordinators only)."""
        first, last = report_span(request, from_, to)
        return commands.feedback_lines(request.user, first, last)
