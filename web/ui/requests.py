"""The requests screen: a ward's tablet (or a social worker, or the coordinator) asks for a volunteer
and sees who is coming; the volunteer accepts on their phone and goes on call there."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from projections import directory, requests
from web.auth import allow
from web.commands import CommandPath, TheLedger
from web.ui.common import act, form_id, form_moment, form_whole, fragment_for, now_local, page, reader

Form = URLEncodedBody[dict[str, str]]
ASKERS = ("ward", "social_worker", "coordinator")


def _starts_at(request: Request, data: dict[str, str]) -> datetime:
    """Now, or the day and time typed (on the programme's wall clock)."""
    if data.get("when", "now") == "now":
        return request.app.state.ledger.clock.now()
    return form_moment(data, "day", "start", now_local(request).tzinfo, "starts_at")


class RequestsController(Controller):
    include_in_schema = False
    guards = [allow(*ASKERS)]

    @get("/requests", sync_to_thread=True)
    def screen(self, request: Request, ledger: TheLedger) -> Template:
        """What this unit asked for and who is coming (fetched again every 20 s), and the form to ask."""
        db, now = reader(request), now_local(request)
        units = [u for u in directory.units(db) if u["id"] in request.user.unit_ids]
        current = requests.current(db, list(request.user.unit_ids), now)
        template = "partials/requests.html" if fragment_for(request, "requests") else "requests.html"
        return page(request, template, units=units, current=current, service_types=ledger.service_types(),
                    qualifications=requests.qualification_kinds(db), today=now.date().isoformat(),
                    later=(now + timedelta(hours=1)).strftime("%H:00"))

    @post("/requests", sync_to_thread=True)
    def ask(self, request: Request, commands: CommandPath, data: Form) -> Response:
        session = data.get("session_id", "").strip()
        need = data.get("need", "").strip()
        return act(request, "/requests", "Asked. The volunteers who can come are told; the first to accept is booked.",
                   lambda: commands.request_service(
                       request.user, form_id(data, "unit_id"), data.get("kind", ""), data.get("place", ""),
                       _starts_at(request, data), form_whole(data, "minutes", 0), needs=[need] if need else [],
                       language=data.get("language", "").strip() or None,
                       patient_id=data.get("patient_id", "").strip() or None,
                       note=data.get("note", "").strip() or None,
                       session_id=form_id(data, "session_id") if session else None),
                   form="ask", typed={k: v for k, v in data.items() if k not in ("patient_id",)})

    @post("/requests/{request_id:uuid}/served", sync_to_thread=True)
    def served(self, request: Request, commands: CommandPath, request_id: FromPath[UUID], data: Form) -> Response:
        return act(request, "/requests", "The service is recorded.", lambda: commands.serve_request(
            request.user, request_id, form_whole(data, "minutes", 0)), form=f"served-{request_id}",
            typed=dict(data))

    @post("/requests/{request_id:uuid}/cancel", sync_to_thread=True)
    def cancel(self, request: Request, commands: CommandPath, request_id: FromPath[UUID], data: Form) -> Response:
        return act(request, "/requests", "The request is cancelled.", lambda: commands.cancel_request(
            request.user, request_id, data.get("reason", "")), form=f"cancel-{request_id}", typed=dict(data))

    @post("/requests/{request_id:uuid}/book", guards=[allow("coordinator")], sync_to_thread=True)
    def book(self, request: Request, commands: CommandPath, request_id: FromPath[UUID], data: Form) -> Response:
        """The coordinator books someone for a request nobody took (from the live board)."""
        return act(request, "/board", "{name} is booked for the request.", lambda: commands.accept_request(
            request.user, request_id, form_id(data, "volunteer_id")), form=f"book-{request_id}",
            name=_name_in(request, data))


def _name_in(request: Request, data: dict[str, str]) -> str:
    try:
        found = directory.volunteer(reader(request), str(UUID(data.get("volunteer_id", ""))))
    except ValueError:
        return ""
    return found["name"] if found else ""


def board_requests(db: Any, unit_ids: list[str], now: datetime) -> dict[str, Any]:
    """What the live board shows of requests: the ones waiting, and who is on call."""
    return {"requests": [r for r in requests.current(db, unit_ids, now) if r["state"] in ("open", "booked")],
            "on_call": requests.on_call_at(db, unit_ids, now)}
