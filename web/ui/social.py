"""The social worker's screen: log a session, my caseload, ask for a sign-language interpreter."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from domain.errors import InvalidCommand
from projections import caseload, casework, directory, interpreting
from web.api.interpreting import ask_for_interpreter
from web.auth import allow
from web.pseudonyms import patient_ref
from web.ui.common import act, now_local, page, reader

Form = URLEncodedBody[dict[str, str]]


class SocialWorkController(Controller):
    include_in_schema = False
    guards = [allow("social_worker")]

    @get("/social", sync_to_thread=True)
    def home(self, request: Request) -> Template:
        db, today = reader(request), now_local(request).date()
        mine = caseload.sessions(db, list(request.user.unit_ids), (today - timedelta(days=90)).isoformat(),
                                 today.isoformat(), social_worker=request.user.account_id)
        units = [u for u in directory.units(db) if u["id"] in request.user.unit_ids]
        requests = interpreting.listed(db, list(request.user.unit_ids), limit=50)
        return page(request, "social.html", sessions=list(reversed(mine)), units=units, today=today,
                    requests=requests, asked_for={r["session_id"] for r in requests if r["state"] != "cancelled"},
                    service_types=request.app.state.ledger.service_types(),
                    groups=casework.groups(db, list(request.user.unit_ids)))

    @post("/social/groups", sync_to_thread=True)
    def form_group(self, request: Request, data: Form) -> Response:
        request.user.ensure_unit(data.get("unit_id", ""))
        return act(request, "/social", "Group formed.", lambda: request.app.state.ledger.form_group(
            data.get("kind", ""), UUID(data["unit_id"]), data.get("title", ""), data.get("service_type", ""),
            UUID(request.user.account_id), request.user.account_id))

    @post("/social/groups/{group_id:uuid}/meetings", sync_to_thread=True)
    def meeting(self, request: Request, group_id: FromPath[UUID], data: Form) -> Response:
        ledger = request.app.state.ledger
        request.user.ensure_unit(ledger.get_group(group_id).unit_id)
        zone = now_local(request).tzinfo

        def command():
            started = datetime.combine(date.fromisoformat(data["day"]), time.fromisoformat(data["start"]), zone)
            return ledger.hold_meeting(group_id, started, int(data.get("minutes") or 0), int(data.get("persons") or 0),
                                       request.user.account_id)
        return act(request, "/social", "Meeting recorded.", command)

    @post("/social/sessions", sync_to_thread=True)
    def log(self, request: Request, data: Form) -> Response:
        state = request.app.state
        request.user.ensure_unit(data.get("unit_id", ""))
        zone = now_local(request).tzinfo

        def command():
            if not data.get("patient_id", "").strip():
                raise InvalidCommand("patient_id", "is needed (it is turned into a pseudonym)")
            started = datetime.combine(date.fromisoformat(data["day"]), time.fromisoformat(data["start"]), zone)
            return state.ledger.log_session(
                UUID(data["unit_id"]), UUID(request.user.account_id),
                patient_ref(data["patient_id"], state.pseudonym_secret), data.get("service_type", ""),
                data.get("mode", ""), started, int(data.get("minutes") or 0), int(data.get("persons") or 1),
                request.user.account_id, notes=data.get("notes", "").strip() or None)
        return act(request, "/social", "Session logged.", command)

    # --- sign-language interpreters ----------------------------------------------------------

    @post("/social/interpreters", sync_to_thread=True)
    def ask_for_interpreter(self, request: Request, data: Form) -> Response:
        request.user.ensure_unit(data.get("unit_id", ""))
        zone = now_local(request).tzinfo

        def command():
            starts_at = datetime.combine(date.fromisoformat(data["day"]), time.fromisoformat(data["start"]), zone)
            session = data.get("session_id", "").strip()
            return ask_for_interpreter(request, UUID(data["unit_id"]), data.get("place", ""), starts_at,
                                       int(data.get("minutes") or 0), UUID(session) if session else None)[0]
        return act(request, "/social", "An interpreter is asked for; the qualified volunteers free then are told.", command)

    @post("/social/interpreters/{request_id:uuid}/served", sync_to_thread=True)
    def interpreted(self, request: Request, request_id: FromPath[UUID], data: Form) -> Response:
        ledger = request.app.state.ledger
        request.user.ensure_unit(ledger.get_interpreting(request_id).unit_id)
        return act(request, "/social", "The interpreting is recorded.", lambda: ledger.serve_interpreting(
            request_id, int(data.get("minutes") or 0), request.user.account_id))

    @post("/social/interpreters/{request_id:uuid}/cancel", sync_to_thread=True)
    def cancel_interpreter(self, request: Request, request_id: FromPath[UUID], data: Form) -> Response:
        ledger = request.app.state.ledger
        request.user.ensure_unit(ledger.get_interpreting(request_id).unit_id)
        return act(request, "/social", "The request is cancelled.", lambda: ledger.cancel_interpreting(
            request_id, data.get("reason", ""), request.user.account_id))
