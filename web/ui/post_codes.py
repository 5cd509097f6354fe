"""Checking in at the post (扫码签到): the post's display with its changing code, the printed code of a
post without a screen, the coordinator's choice per post, and the page a volunteer's camera opens."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import segno
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter, URLEncodedBody
from litestar.response import Template

from domain import bounds
from domain.errors import DomainError, InvalidCommand
from domain.post_codes import PERIOD_SECONDS
from projections import directory, usual
from web.auth import allow, may
from web.commands import CommandPath, Commands, TheLedger
from web.links import scan_link
from web.ui.common import act, form_id, form_served, fragment_for, now_local, page, reader, translator

Form = URLEncodedBody[dict[str, str]]
PostName = Annotated[str, QueryParameter(max_length=bounds.NAME)]


def qr_svg(link: str) -> str:
    return segno.make(link, error="m").svg_data_uri(scale=8, border=4, dark="#000")


class PostCodesController(Controller):
    include_in_schema = False

    @get("/display", guards=[may(Commands.shown_post_code)], sync_to_thread=True)
    def display(self, request: Request, commands: CommandPath, post: PostName = "",
                unit: FromQuery[UUID | None] = None) -> Template:
        """On a tablet at the post: its code, new every 30 seconds (the page fetches the next one)."""
        unit_id = unit or UUID(sorted(request.user.unit_ids)[0]) if request.user.unit_ids else unit
        if unit_id is None:
            raise NotFoundException("No unit to show a post of")
        request.user.ensure_unit(unit_id)
        db = reader(request)
        posts = directory.posts(db, str(unit_id))
        names = {u["id"]: u["name"] for u in directory.units(db)}
        context = dict(unit_id=str(unit_id), unit_name=names.get(str(unit_id), ""), post=post, posts=posts,
                       period=PERIOD_SECONDS)
        if post:
            link = scan_link(request, commands.shown_post_code(request.user, unit_id, post))
            context.update(link=link, qr=qr_svg(link))
        template = "partials/post_code.html" if fragment_for(request, "post-code") else "display.html"
        return page(request, template, **context)

    @get("/posts", guards=[allow("coordinator")], sync_to_thread=True)
    def posts(self, request: Request, ledger: TheLedger) -> Template:
        """The coordinator's posts: whether a phone checks in there only by the post's code, its
        display and its printed code; and how each check-in today was made."""
        db = reader(request)
        names = {u["id"]: u["name"] for u in directory.units(db)}
        units = []
        for unit_id in sorted(request.user.unit_ids):
            unit = ledger.get_unit(UUID(unit_id))
            units.append({"id": unit_id, "name": names.get(unit_id, ""), "by_default": unit.needs_post_code(""),
                          "own": getattr(unit, "own_limits", {}), "limits": unit.limits(ledger.policy.limits),
                          "approves_handovers": unit.handovers_need_approval,
                          "posts": [{"post": p, "needs_code": unit.needs_post_code(p)}
                                    for p in directory.posts(db, unit_id)]})
        return page(request, "posts.html", units=units, programme=ledger.policy.limits)

    @post("/posts/code", guards=[may(Commands.require_post_code)], sync_to_thread=True)
    def require_code(self, request: Request, commands: CommandPath, data: Form) -> Response:
        needed = data.get("needed") == "yes"
        return act(request, "/posts", "Phones check in at this post only by its code." if needed else
                   "Phones check in at this post from anywhere.", lambda: commands.require_post_code(
                       request.user, form_id(data, "unit_id"), data.get("post", ""), needed))

    @post("/posts/limits", guards=[may(Commands.set_unit_limits)], sync_to_thread=True)
    def limits(self, request: Request, commands: CommandPath, data: Form) -> Response:
        """A unit's own fair limits; a field left empty keeps the programme's."""
        def hours(field: str) -> float | None:
            text = data.get(field, "").strip().replace(",", ".")
            try:
                return float(text) if text else None
            except ValueError:
                raise InvalidCommand(field, "needs a number of hours") from None
        return act(request, "/posts", "The unit's limits are saved.", lambda: commands.set_unit_limits(
            request.user, form_id(data, "unit_id"), hours("daily_hours"), hours("weekly_hours"), hours("rest_hours")),
            form=f"limits-{data.get('unit_id', '')}", typed=dict(data))

    @post("/posts/handover-approval", guards=[may(Commands.require_handover_approval)], sync_to_thread=True)
    def handover_approval(self, request: Request, commands: CommandPath, data: Form) -> Response:
        needed = data.get("needed") == "yes"
        return act(request, "/posts", "A place taken from a colleague now waits for your approval." if needed else
                   "A place offered is now taken at once, without your approval.",
                   lambda: commands.require_handover_approval(request.user, form_id(data, "unit_id"), needed))

    @get("/posts/print", guards=[may(Commands.printed_post_code)], sync_to_thread=True)
    def printed(self, request: Request, commands: CommandPath, unit: FromQuery[UUID], post: PostName) -> Template:
        """A post without a screen: a code to print and hang there; today's short code is on this page
        only (the coordinator says it at the post), never on the poster."""
        code, short = commands.printed_post_code(request.user, unit, post)
        names = {u["id"]: u["name"] for u in directory.units(reader(request))}
        link = scan_link(request, code)
        return page(request, "post_print.html", unit_name=names.get(str(unit), ""), post=post, qr=qr_svg(link),
                    link=link, short=short, today=now_local(request).date())

    @get("/scan/{code:str}", guards=[allow("volunteer")], sync_to_thread=True)
    def scanned(self, request: Request, commands: CommandPath, ledger: TheLedger, code: FromPath[str]) -> Template:
        """What the phone's camera opens: the one thing to do here now, one tap away, or why not."""
        t = translator(request)
        try:
            where = commands.at_post(request.user, code)
        except DomainError as refused:  # forged or expired: said, and recorded nowhere
            response = page(request, "scan.html", code=code, where=None,
                            refused=t.reason(refused.reason, refused.message, to_me=True))
            response.status_code = refused.status
            return response
        db = reader(request)
        names = {u["id"]: u["name"] for u in directory.units(db)}
        shift = where.shift or {}
        return page(request, "scan.html", code=code, where=where, refused=None, shift=shift,
                    unit_name=names.get(str(where.code.unit_id), ""), printed=where.code.issued_at is None,
                    usual=usual.at(db, str(where.code.unit_id), where.code.post) if where.action == "check_out" else None,
                    service_types=ledger.service_types(), opens_at=shift.get("opens_at"),
                    now=now_local(request))

    @post("/scan/{code:str}", guards=[may(Commands.check_in_by_post_code)], sync_to_thread=True)
    def check_in(self, request: Request, commands: CommandPath, code: FromPath[str], data: Form) -> Response:
        """The one tap after the scan: checked in, or (checked in already) out with what was served."""
        return act(request, "/me", lambda receipt: "Checked out. Thank you!" if receipt.value == "check_out" else
                   "Checked in at the post. Thank you for serving!", lambda: commands.check_in_by_post_code(
                       request.user, code, data.get("short_code", ""), form_served(data)),
                   form="scan", typed=dict(data), refused_to=f"/scan/{code}")
