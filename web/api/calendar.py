"""Calendar feeds: the private URLs of one's feeds, and the feeds themselves (no login: the URL
is the secret, and signing out or a new password changes it)."""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Annotated
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, PathParameter

from domain.errors import NotFound
from projections import directory, roster
from web.auth import allow
from web.calendar import feed, feed_path, feed_signature
from web.i18n import translator
from web.wallclock import now_local

PAST, AHEAD = timedelta(days=60), timedelta(days=365)


class Feed(msgspec.Struct):
    name: str
    url: str  # private: whoever holds it reads the shifts


class Feeds(msgspec.Struct):
    feeds: list[Feed]


class CalendarController(Controller):
    path = "/api/v1/calendar"
    tags = ["calendar"]

    @get("/links", guards=[allow("volunteer", "coordinator")], sync_to_thread=True)
    def links(self, request: Request) -> Feeds:
        """This account's private feed URLs: a volunteer's own shifts, or each unit's for a coordinator."""
        state = request.app.state
        account = state.ledger.get_account(UUID(request.user.account_id))
        names = {u["id"]: u["name"] for u in directory.units(state.reader())}
        if account.role == "volunteer":
            scopes = [(f"v-{account.volunteer_id}", translator(request).gettext("My shifts"))]
        else:
            scopes = [(f"u-{unit}", names.get(str(unit), str(unit))) for unit in account.unit_ids]
        base = str(request.base_url).rstrip("/")
        return Feeds([Feed(name, base + feed_path(state.signing_secret, account, scope)) for scope, name in scopes])

    @get("/feeds/{account_id:uuid}/{shows:str}/{signature:str}", sync_to_thread=True, security=[],
         media_type="text/calendar")
    def calendar(self, request: Request, account_id: FromPath[UUID],
                 shows: Annotated[str, PathParameter(max_length=40)],
                 signature: Annotated[str, PathParameter(max_length=40)]) -> Response:
        """An iCalendar feed (subscribe to it in a phone's calendar); `shows` is v-VOLUNTEER or u-UNIT."""
        scope = shows
        state = request.app.state
        try:
            account = state.ledger.get_account(account_id)
        except NotFound:
            raise NotFoundException("No such calendar") from None
        expected = feed_signature(state.signing_secret, account, scope)
        given = signature.removesuffix(".ics").encode("utf-8", "replace")  # any text: compared as bytes
        if account.disabled or not hmac.compare_digest(given, expected.encode()):
            raise NotFoundException("No such calendar")  # the same answer as a wrong account: nothing to probe
        now = now_local(request)
        db = state.reader()
        kind, _, target = scope.partition("-")
        t = translator(request)
        zone = ZoneInfo(state.settings.timezone)
        if kind == "v" and account.role == "volunteer" and target == str(account.volunteer_id):
            shifts = roster.calendar_of(db, target, now - PAST, now + AHEAD)
            body = feed(t.gettext("My shifts") + " · CareLedger", shifts, lambda s: s["post"], now, zone)
        elif kind == "u" and account.role == "coordinator" and target in {str(u) for u in account.unit_ids}:
            names = {u["id"]: u["name"] for u in directory.units(db)}
            shifts = [s | {"unit": names.get(target, "")}
                      for s in roster.calendar_of_unit(db, target, now - PAST, now + AHEAD)]
            body = feed(f"{names.get(target, target)} · CareLedger", shifts,
                        lambda s: f"{s['post']} ({s['filled']}/{s['capacity']})", now, zone)
        else:
            raise NotFoundException("No such calendar")
        return Response(content=body, media_type="text/calendar",
                        headers={"Cache-Control": "private, max-age=300"})
