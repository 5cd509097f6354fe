"""At the volunteer desk: the kiosk (big buttons, check in and out) and the live board of a unit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from datetime import datetime, time, timedelta
from uuid import UUID

import segno
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import ServerSentEvent, Template

from domain.errors import InvalidCommand
from projections import devices, directory, roster, usual
from projections.store import iso
from web.auth import DEVICE_LIFETIME, allow, issue_device_token
from web.commands import CommandPath, TheLedger
from web.login import Client
from web.ui.common import (act, back, flash_of, form_id, form_served, fragment_for, moves_of, now_local, page,
                           reader, translator)
from web.ui.session import COOKIE, before_a_session
from web.ui.requests import board_requests

Form = URLEncodedBody[dict[str, str]]


class DeskController(Controller):
    include_in_schema = False

    @get("/kiosk", guards=[allow("kiosk")], sync_to_thread=True)
    def kiosk(self, request: Request, ledger: TheLedger) -> Template:
        now = now_local(request)
        midnight = datetime.combine(now.date(), time(0), now.tzinfo)
        policy, shown, db = ledger.policy, [], reader(request)
        # today's shifts, one still under way from last night, and one just after midnight whose check-in is open
        until = max(midnight + timedelta(days=1), now + timedelta(minutes=policy.check_in_opens_minutes))
        for person in roster.desk_today(db, list(request.user.unit_ids), midnight, until):
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
        if request.app.state.joins.retry_after(f"walk-in:{request.user.account_id}"):  # numbers are not walked
            t = translator(request)
            return back(request, "/kiosk", "error", t.gettext("Too many tries from here; wait a minute."))
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

    # --- pairing a tablet as the unit's kiosk -------------------------------------------------

    @get("/kiosks", guards=[allow("coordinator")], sync_to_thread=True)
    def kiosks(self, request: Request, ledger: TheLedger) -> Template:
        """The tablets acting as this coordinator's units' kiosks, codes still waiting, and a new code."""
        db = reader(request)
        names = {u["id"]: u["name"] for u in directory.units(db)}
        flash = flash_of(request) or {}
        code = (flash.get("values") or {}).get("code") if flash.get("form") == "pairing" else None
        link = f"{str(request.base_url).rstrip('/')}/pair?code={code}" if code else None
        return page(request, "kiosks.html", devices=devices.of_units(db, list(request.user.unit_ids),
                                                                    iso(ledger.clock.now())),
                    unit_names=names, units=[(u, names.get(u, u)) for u in request.user.unit_ids],
                    code=code, link=link, pair_url=f"{str(request.base_url).rstrip('/')}/pair",
                    qr=segno.make(link, error="m").svg_data_uri(scale=5, dark="#1b1f24") if link else None)

    @post("/kiosks", guards=[allow("coordinator")], sync_to_thread=True)
    def offer_pairing(self, request: Request, commands: CommandPath, data: Form) -> Response:
        return act(request, "/kiosks", "On the tablet, open the pairing page and type this code within half an hour.",
                   lambda: commands.offer_pairing(request.user, form_id(data, "unit_id"), data.get("name", "")),
                   form="pairing", typed=dict(data), shown=lambda receipt: {"code": receipt.value})

    @post("/kiosks/{device_id:uuid}/revoke", guards=[allow("coordinator")], sync_to_thread=True)
    def revoke(self, request: Request, commands: CommandPath, device_id: FromPath[UUID]) -> Response:
        return act(request, "/kiosks", "The kiosk is unpaired: it shows the login page from now on.",
                   lambda: commands.revoke_device(request.user, device_id))

    @get("/pair", sync_to_thread=False)
    def pair_form(self, request: Request, code: FromQuery[str] = "") -> Template:
        """On the desk's tablet: the code the coordinator gave, once, and it is the unit's kiosk."""
        return before_a_session(request, "pair.html", "/pair", code=code[:40])

    @post("/pair", sync_to_thread=True)
    def pair(self, request: Request, data: Form) -> Response:
        state, t = request.app.state, translator(request)
        if state.joins.retry_after(Client.of(request).key):  # a code cannot be walked from one place
            return back(request, "/pair", "error", t.gettext("Too many tries from here; wait a minute."),
                        form="pair", values={"code": data.get("code", "")})
        paired: list[Any] = []

        def pair() -> Any:
            paired.append(state.commands.pair_device(data.get("code", "")))
            return paired[-1]
        answer = act(request, "/kiosk", "This tablet is now the kiosk of its unit.", pair, form="pair",
                     typed={"code": data.get("code", "")}, refused_to="/pair")
        if paired:
            device = state.ledger.get_device(paired[-1].id)
            answer.cookies.append(Cookie(key=COOKIE, value=issue_device_token(state, device), path="/", httponly=True,
                                         samesite="strict", max_age=int(DEVICE_LIFETIME.total_seconds()),
                                         secure=Client.of(request).secure_cookies(state.settings.secure_cookies)))
        return answer

    @get("/board", guards=[allow("coordinator", "kiosk")], sync_to_thread=True)
    def board(self, request: Request, ledger: TheLedger) -> Template:
        """Who is on duty now, who is missing, who ends soon, what wards asked for and who is on
        call: fetched again when the roster moves
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
                    acts=request.user.role == "coordinator", service_types=ledger.service_types(),
                    **board_requests(db, units, now))

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
        """An event when the roster or a ward's request moves, at most every two seconds: the board
        then fetches itself."""

        async def changes() -> AsyncIterator[str]:
            async for position in moves_of(request.app.state.projector, "roster", "requests", pause=2):
                yield str(position)
        return ServerSentEvent(changes(), event_type="roster")
