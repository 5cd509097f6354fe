"""Feedback screens: the public page a patient or family member reaches from the volunteer's code
(no login, nothing about themselves asked, a few per address), the volunteer's code to show, and
the coordinator's page of what people wrote."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import segno
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from web.auth import allow
from web.commands import CommandPath
from web.i18n import translator
from web.login import Client
from web.ui.common import act, back, form_whole, now_local, page
from web.ui.session import before_a_session

Form = URLEncodedBody[dict[str, str]]


def feedback_link(request: Request, token: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/feedback/{token}"


class FeedbackController(Controller):
    include_in_schema = False

    @get("/feedback/{token:str}", sync_to_thread=True)
    def form(self, request: Request, token: FromPath[str]) -> Template:
        return before_a_session(request, "feedback.html", f"/feedback/{token[:80]}", token=token[:80])

    @post("/feedback/{token:str}", sync_to_thread=True)
    def leave(self, request: Request, commands: CommandPath, token: FromPath[str], data: Form) -> Response:
        state, t = request.app.state, translator(request)
        to = f"/feedback/{token[:80]}"
        typed = {k: v for k, v in data.items() if k != "_csrf"}
        address = Client.of(request).key
        if state.feedback_givers.full(address):
            return back(request, to, "error", t.gettext("Thank you: much feedback came from here; try later."),
                        form="feedback", values=typed)

        def leave() -> Any:
            receipt = commands.leave_feedback(token, form_whole(data, "rating", 0), data.get("line", ""))
            state.feedback_givers.retry_after(address)  # counts feedback left, not tries
            return receipt
        return act(request, f"{to}/thanks", "Thank you for telling us.", leave, form="feedback", typed=typed,
                   refused_to=to)

    @get("/feedback/{token:str}/thanks", sync_to_thread=True)
    def thanks(self, request: Request, token: FromPath[str]) -> Template:
        return page(request, "feedback_thanks.html")

    @get("/me/shifts/{shift_id:uuid}/feedback-code", guards=[allow("volunteer")], sync_to_thread=True)
    def code(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID]) -> Template:
        """A big code on the volunteer's phone, for the patient or family member to scan."""
        token = commands.feedback_link(request.user, shift_id, UUID(request.user.volunteer_id))
        link = feedback_link(request, token)
        return page(request, "feedback_code.html", link=link,
                    qr=segno.make(link, error="m").svg_data_uri(scale=6, dark="#1b1f24"))

    @post("/me/shifts/{shift_id:uuid}/rating", guards=[allow("volunteer")], sync_to_thread=True)
    def rate(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID], data: Form) -> Response:
        return act(request, "/me", "Thank you: your rating is recorded.", lambda: commands.rate_shift(
            request.user, shift_id, UUID(request.user.volunteer_id), form_whole(data, "rating", 0),
            data.get("line", "")), form=f"rate-{shift_id}", typed=dict(data))

    @get("/feedback", guards=[allow("coordinator")], sync_to_thread=True)
    def lines(self, request: Request, commands: CommandPath) -> Template:
        """What patients, families and volunteers wrote about this unit's service, latest first."""
        today = now_local(request).date()
        return page(request, "feedback_lines.html", lines=commands.feedback_lines(
            request.user, (today - timedelta(days=90)).isoformat(), today.isoformat()))
