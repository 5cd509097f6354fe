"""The social worker's screen: log a session, my caseload, groups; asking for a volunteer (a
sign-language interpreter for a session) goes through the requests screen (web/ui/requests.py)."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from projections import caseload, casework, directory, requests
from web.auth import allow
from web.commands import CommandPath, TheLedger
from web.ui.common import act, form_id, form_moment, form_whole, now_local, page, reader

Form = URLEncodedBody[dict[str, str]]


class SocialWorkController(Controller):
    include_in_schema = False
    guards = [allow("social_worker")]

    @get("/social", sync_to_thread=True)
    def home(self, request: Request, ledger: TheLedger) -> Template:
        db, today = reader(request), now_local(request).date()
        mine = caseload.sessions(db, list(request.user.unit_ids), (today - timedelta(days=90)).isoformat(),
                                 today.isoformat(), social_worker=request.user.account_id)
        units = [u for u in directory.units(db) if u["id"] in request.user.unit_ids]
        asked = requests.listed(db, list(request.user.unit_ids), limit=200, kind="sign_language")
        began = now_local(request) - timedelta(minutes=45)  # a session is logged after it: it began a while ago
        began = began.replace(minute=began.minute - began.minute % 5, second=0, microsecond=0)
        return page(request, "social.html", sessions=list(reversed(mine)), units=units, today=today,
                    began_day=began.date().isoformat(), began_at=began.strftime("%H:%M"),
                    asked_for={r["session_id"] for r in asked if r["state"] != "cancelled"},
                    service_types=ledger.service_types(),
                    groups=casework.groups(db, list(request.user.unit_ids)))

    @post("/social/groups", sync_to_thread=True)
    def form_group(self, request: Request, commands: CommandPath, data: Form) -> Response:
        return act(request, "/social", "Group formed.", lambda: commands.form_group(
            request.user, data.get("kind", ""), form_id(data, "unit_id"), data.get("title", ""),
            data.get("service_type", "")), form="group")

    @post("/social/groups/{group_id:uuid}/meetings", sync_to_thread=True)
    def meeting(self, request: Request, commands: CommandPath, group_id: FromPath[UUID], data: Form) -> Response:
        zone = now_local(request).tzinfo
        return act(request, "/social", "Meeting recorded.", lambda: commands.hold_meeting(
            request.user, group_id, form_moment(data, "day", "start", zone, "started_at"),
            form_whole(data, "minutes", 0), form_whole(data, "persons", 0)), form=f"meeting-{group_id}")

    @post("/social/sessions", sync_to_thread=True)
    def log(self, request: Request, commands: CommandPath, data: Form) -> Response:
        zone = now_local(request).tzinfo
        return act(request, "/social", "Session logged.", lambda: commands.log_session(
            request.user, form_id(data, "unit_id"), data.get("patient_id", ""), data.get("service_type", ""),
            data.get("mode", ""), form_moment(data, "day", "start", zone, "started_at"), form_whole(data, "minutes", 0),
            form_whole(data, "persons", 1), notes=data.get("notes", "").strip() or None), form="session",
            typed={k: v for k, v in data.items() if k not in ("patient_id", "notes")})  # those two: kept in the tab

    @post("/social/groups/{group_id:uuid}/end", sync_to_thread=True)
    def end_group(self, request: Request, commands: CommandPath, group_id: FromPath[UUID]) -> Response:
        return act(request, "/social", "The group has ended.", lambda: commands.end_group(request.user, group_id))
