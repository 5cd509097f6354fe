"""At the volunteer desk: the kiosk (big buttons, check in and out) and the live board of a unit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import URLEncodedBody
from litestar.response import ServerSentEvent, Template

from domain.errors import InvalidCommand
from projections import roster, usual
from projections.store import iso
from web.auth import allow
from web.commands import CommandPath, TheLedger
from web.ui.common import (act, back, form_id, form_served, fragment_for, moves_of, now_local, page, reader,
                           translator)

Form = URLEncodedBody[dict[str, str]]


class DeskController(Controller):
    include_in_schema = False

    @get("/kiosk", guards=[allow("kiosk")], sync_to_thread=True)
    def kiosk(self, request: Request, ledger: TheLedger) -> Template:
        now = now_local(request)
        midnight = datetime.combine(now.date(), time(0), now.tzinfo)
        policy, shown, db = ledger.policy, [], reader(request)
        for person in roster.desk_today(db, list(request.user.unit_ids), midnight, midnight + timedelta(days=1)):
            starts, ends = datetime.fromisoformat(person["starts_at"]), datetime.fromisoformat(person["ends_at"])
            opens, closes = policy.check_in_window(starts, ends)
            if person["state"] == "signed_up" and now > closes:
                continue  # the shift is over: nothing to do here any more (the coordinator sees the no-show)
            tail = person["phone"][-4:]
            shown.append(person | {"opens_at": opens if now < opens else None, "tail": tail if tail.isdigit() else "",
                                   "usual": usual.at(db, person["unit_id"], person["post"])
                                   if person["state"] == "checked_in" else None})
        return page(request, "kiosk.html", people=shown, service_types=ledger.service_types())

    @post("/kiosk/check-in", guards=[allow("kiosk")], sync_to_thread=True)
    def check_in(self, request: Request, commands: CommandPath, data: Form) -> Response:
        return act(request, "/kiosk", "{name} is checked in. Welcome!", lambda: commands.check_in(
            request.user, form_id(data, "shift_id"), form_id(data, "volunteer_id")), name=data.get("name", ""))

    @post("/kiosk/walk-in/find", guards=[allow("kiosk")], sync_to_thread=True, status_code=200)
    def find_walk_in(self, request: Request, commands: CommandPath, ledger: TheLedger, data: Form) -> Response:
        """Someone not on today's list types their whole phone number (posted, so that it is in no
        address or access log): their name, and the shifts under way here with a free place."""
        try:
            volunteer = commands.find_by_phone(request.user, data.get("phone", ""))
        except InvalidCommand as refused:  # not a phone number: said beside the field, as typed
            t = translator(request)
            label, problem = t.problem(refused)
            return back(request, "/kiosk", "error", t.gettext("{label}: {problem}", label=label, problem=problem),
                        field="phone", form="walk-in", problem=problem, values={"phone": data.get("phone", "")})
        now = now_local(request)
        open_now = []
        if volunteer is not None:
            for shift in roster.shifts(reader(request), list(request.user.unit_ids), now - timedelta(hours=24),
                                       now + timedelta(hours=2)):
                opens, closes = ledger.policy.check_in_window(datetime.fromisoformat(shift["starts_at"]),
                                                              datetime.fromisoformat(shift["ends_at"]))
                if not shift["cancelled"] and shift["filled"] < shift["capacity"] and opens <= now <= closes:
                    open_now.append(shift)
        return page(request, "kiosk_walk_in.html", volunteer=volunteer, shifts=open_now)

    @post("/kiosk/walk-in", guards=[allow("kiosk")], sync_to_thread=True)
    def walk_in(self, request: Request, commands: CommandPath, data: Form) -> Response:
        return act(request, "/kiosk", "{name} is checked in. Welcome!", lambda: commands.walk_in(
            request.user, form_id(data, "shift_id"), form_id(data, "volunteer_id")), name=data.get("name", ""))

    @post("/kiosk/check-out", guards=[allow("kiosk")], sync_to_thread=True)
    def check_out(self, request: Request, commands: CommandPath, data: Form) -> Response:
        return act(request, "/kiosk", "{name} is checked out. Thank you!", lambda: commands.check_out(
            request.user, form_id(data, "shift_id"), form_id(data, "volunteer_id"), form_served(data)),
            form=f"check-out-{data.get('shift_id', '')}-{data.get('volunteer_id', '')}", name=data.get("name", ""),
            typed=dict(data))

    @get("/board", guards=[allow("coordinator", "kiosk")], sync_to_thread=True)
    def board(self, request: Request, ledger: TheLedger) -> Template:
        """Who is on duty now, who is missing, who ends soon: fetched again when the roster moves
        (see board_stream) and every 30 seconds (who is missing changes with the clock too)."""
        db, now = reader(request), now_local(request)
        units = list(request.user.unit_ids)
        duty = roster.on_duty(db, units, now)
        soon = iso(now + timedelta(minutes=30))  # stored instants are UTC text: compare like with like
        template = "partials/board.html" if fragment_for(request, "board") else "board.html"
        missing = roster.missing(db, now, units)
        if request.user.role == "coordinator":  # to call: the whole number, from the log (a desk sees none)
            for person in missing:
                person["phone"] = ledger.get_volunteer(UUID(person["volunteer_id"])).phone
        return page(request, template, on_duty=duty, missing=missing, soon=soon,
                    acts=request.user.role == "coordinator")

    @post("/board/check-in", guards=[allow("coordinator")], sync_to_thread=True)
    def check_in_for(self, request: Request, commands: CommandPath, data: Form) -> Response:
        """Checked in on their behalf (they came in by another door; the kiosk was busy)."""
        return act(request, "/board", "{name} is checked in.", lambda: commands.check_in(
            request.user, form_id(data, "shift_id"), form_id(data, "volunteer_id")), name=data.get("name", ""))

    @post("/board/no-show", guards=[allow("coordinator")], sync_to_thread=True)
    def no_show(self, request: Request, commands: CommandPath, data: Form) -> Response:
        return act(request, "/board", "{name} is marked as a no-show.", lambda: commands.mark_no_show(
            request.user, form_id(data, "shift_id"), form_id(data, "volunteer_id")), name=data.get("name", ""))

    @get("/board/stream", guards=[allow("coordinator", "kiosk")])
    async def board_stream(self, request: Request) -> ServerSentEvent:
        """An event when the roster moves, at most every two seconds: the board then fetches itself."""

        async def changes() -> AsyncIterator[str]:
            async for position in moves_of(request.app.state.projector, "roster", pause=2):
                yield str(position)
        return ServerSentEvent(changes(), event_type="roster")
