"""Checking in at the post (扫码签到): the code a post's display shows, the coordinator's choice per
post, and a volunteer's check-in (or check-out) by a scanned code."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody, Parameter

from domain import bounds
from domain.post_codes import PERIOD_SECONDS
from web.api.common import Tag, only_true_or_false, written
from web.auth import may
from web.commands import CommandPath, Commands
from web.links import scan_link

class PostCodeRule(msgspec.Struct, forbid_unknown_fields=True):
    needed: bool
    post: Annotated[str, msgspec.Meta(max_length=bounds.NAME)] = ""  # "": every post without a rule of its own


class PostCodeRuleSet(msgspec.Struct):
    unit_id: UUID
    post: str
    needed: bool


Hours = Annotated[float, msgspec.Meta(gt=0, le=24 * 7)] | None


class UnitLimits(msgspec.Struct, forbid_unknown_fields=True):
    """A unit's own fair limits; a null (or a field left out) keeps the programme's."""
    daily_hours: Hours = None
    weekly_hours: Hours = None
    rest_hours: Hours = None


class LimitsSetAnswer(msgspec.Struct):
    unit_id: UUID
    daily_hours: float | None
    weekly_hours: float | None
    rest_hours: float | None


class HandoverApprovalRule(msgspec.Struct, forbid_unknown_fields=True):
    needed: bool


class HandoverApprovalRuleSet(msgspec.Struct):
    unit_id: UUID
    needed: bool


class NoShowReviewCleared(msgspec.Struct):
    volunteer_id: UUID
    cleared: bool


class ShownPostCode(msgspec.Struct):
    code: str
    link: str  # what the QR code holds
    shown_until: datetime  # the display fetches the next one then


class ScannedCode(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    short_code: Annotated[str, msgspec.Meta(max_length=8)] = ""  # with a printed code: today's four digits
    served: Annotated[dict[Tag, Annotated[int, msgspec.Meta(ge=0, le=bounds.PERSON_TIMES)]],
                      msgspec.Meta(max_length=bounds.SERVICE_TYPES_SERVED)] = {}  # at check-out


class DoneAtPost(msgspec.Struct):
    action: Literal["check_in", "check_out"]
    shift_id: UUID


class PostCodesController(Controller):
    path = "/api/v1"
    tags = ["check-in at the post"]

    @post("/units/{unit_id:uuid}/post-codes", guards=[may(Commands.require_post_code)], status_code=200)
    async def require(self, request: Request, commands: CommandPath, unit_id: FromPath[UUID],
                      data: JSONBody[PostCodeRule]) -> Response[PostCodeRuleSet]:
        """Whether a volunteer's own phone checks in at this post only by scanning its code (a new unit:
        yes); without `post`, for every post of the unit that has no rule of its own."""
        await only_true_or_false(request, "needed")
        receipt = await asyncio.to_thread(commands.require_post_code, request.user, unit_id, data.post, data.needed)
        return written(request, receipt, PostCodeRuleSet(unit_id, data.post.strip(), data.needed))

    @post("/units/{unit_id:uuid}/limits", guards=[may(Commands.set_unit_limits)], sync_to_thread=True,
          status_code=200, tags=["fair limits"])
    def limits(self, request: Request, commands: CommandPath, unit_id: FromPath[UUID],
               data: JSONBody[UnitLimits]) -> Response[LimitsSetAnswer]:
        """At most so many hours of shifts a day and a week, at least so many hours of rest between two,
        for this unit's shifts (a sign-up past one is refused: `over_daily_hours`, `over_weekly_hours`,
        `too_little_rest`)."""
        receipt = commands.set_unit_limits(request.user, unit_id, data.daily_hours, data.weekly_hours, data.rest_hours)
        return written(request, receipt, LimitsSetAnswer(unit_id, data.daily_hours, data.weekly_hours, data.rest_hours))

    @post("/units/{unit_id:uuid}/handover-approval", guards=[may(Commands.require_handover_approval)],
          status_code=200, tags=["handovers"])
    async def handover_approval(self, request: Request, commands: CommandPath, unit_id: FromPath[UUID],
                                data: JSONBody[HandoverApprovalRule]) -> Response[HandoverApprovalRuleSet]:
        """Whether a place taken from a colleague at this unit waits for a coordinator's approval
        (the take then answers `awaiting_approval`, and the seat stays the giver's until approved)."""
        await only_true_or_false(request, "needed")
        receipt = await asyncio.to_thread(commands.require_handover_approval, request.user, unit_id, data.needed)
        return written(request, receipt, HandoverApprovalRuleSet(unit_id, data.needed))

    @post("/volunteers/{volunteer_id:uuid}/no-show-review/clear", guards=[may(Commands.clear_no_show_review)],
          sync_to_thread=True, status_code=200, tags=["fair limits"])
    def clear_review(self, request: Request, commands: CommandPath,
                     volunteer_id: FromPath[UUID]) -> Response[NoShowReviewCleared]:
        """After too many no-shows (`no_show_review`), a coordinator who has talked it over lets sign-ups through."""
        return written(request, commands.clear_no_show_review(request.user, volunteer_id),
                       NoShowReviewCleared(volunteer_id, True))

    @get("/units/{unit_id:uuid}/post-code", guards=[may(Commands.shown_post_code)], sync_to_thread=True)
    def shown(self, request: Request, commands: CommandPath, unit_id: FromPath[UUID],
              post: Annotated[str, Parameter(min_length=1, max_length=bounds.NAME)]) -> ShownPostCode:
        """The code a post's display shows now (new every 30 seconds; good for 90 by default)."""
        code = commands.shown_post_code(request.user, unit_id, post)
        issued = int(code.split(".")[2])
        return ShownPostCode(code, scan_link(request, code),
                             datetime.fromtimestamp(issued, timezone.utc) + timedelta(seconds=PERIOD_SECONDS))

    @post("/check-ins/by-post-code", guards=[may(Commands.check_in_by_post_code)], sync_to_thread=True,
          status_code=200)
    def by_code(self, request: Request, commands: CommandPath, data: JSONBody[ScannedCode]) -> Response[DoneAtPost]:
        """Check in at the post whose code was scanned, or, checked in there already, out (with `served`).
        Refused with 422 `post_code_forged`, `post_code_expired`, `post_code_replayed`,
        `short_code_wrong`, or 409 `no_shift_at_post`: then nothing is recorded."""
        receipt = commands.check_in_by_post_code(request.user, data.code, data.short_code, dict(data.served))
        return written(request, receipt, DoneAtPost(receipt.value, receipt.id))
