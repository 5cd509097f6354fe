"""The volunteer's phone screens: my shifts, open shifts I may take, check in and out, my hours."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import islice
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, QueryParameter, URLEncodedBody
from litestar.response import Template

from domain.errors import InvalidCommand
from projections import feedback, hours, notices, qualifications, requests, reviews, roster, usual, waitlists
from projections.hours import INTERPRETING, ON_REQUEST
from projections.directory import unit_names
from projections.directory import volunteer as find_volunteer
from projections.store import iso
from web.auth import allow
from web.commands import CommandPath, TheLedger
from web.agreements import AGREEMENT
from web.i18n import translator
from web.ui.stars import star_context
from web.ui.common import back, act, calendar_url, form_served, form_time, form_whole, listed, now_local, page, reader

OPEN_SHOWN, FULL_SHOWN = 30, 20  # open shifts on the home, and full ones with a waitlist
SCANNED = 500  # shifts to come looked at for each, at most (a city's three weeks are more)

Form = URLEncodedBody[dict[str, str]]


def qualified_for(held: list[dict], requires: list[str], day: str) -> bool:
    valid = {h["kind"] for h in held if h["since"] <= day and (h["valid_until"] is None or day <= h["valid_until"])}
    return set(requires) <= valid


def needed_minutes(data: dict[str, str]) -> int:
    minutes = form_whole(data, "minutes")
    if minutes is None:
        raise InvalidCommand("minutes", "needs a whole number")
    return minutes


def _recently_served(db: Any, me: str, now: datetime) -> list[dict]:
    """Shifts served in the last two weeks: to rate (once), and to ask a patient or family for feedback."""
    rated = feedback.rated_by(db, me)
    served = [e for e in hours.service_record(db, me, (now - timedelta(days=14)).date().isoformat(),
                                              now.date().isoformat())
              if not e["post"].startswith((INTERPRETING, ON_REQUEST))]
    return [e | {"rated": e["shift_id"] in rated} for e in reversed(served)][:5]


class VolunteerController(Controller):
    include_in_schema = False
    guards = [allow("volunteer")]

    @get("/me", sync_to_thread=True)
    def home(self, request: Request, ledger: TheLedger) -> Template:
        """The volunteer's home; at its top, the service agreement when a version they have not accepted
        is in force (asked at each login until they do)."""
        db, me = reader(request), request.user.volunteer_id
        now = now_local(request)
        upcoming = []
        for seat in roster.seats_of(db, me, now - timedelta(hours=12)):
            opens, closes = ledger.policy.check_in_window(datetime.fromisoformat(seat["starts_at"]),
                                                          datetime.fromisoformat(seat["ends_at"]))
            upcoming.append(seat | {
                "usual": usual.at(db, seat["unit_id"], seat["post"]) if seat["state"] == "checked_in" else None,
                "opens_at": iso(opens), "can_check_in": seat["state"] == "signed_up" and opens <= now <= closes,
                "needs_code": ledger.get_unit(UUID(seat["unit_id"])).needs_post_code(seat["post"]),
                "missed": seat["state"] == "signed_up" and now > closes})
        # What I do now comes first: the shift I am on, else the next one I am signed up for.
        current = next((s for s in upcoming if s["state"] == "checked_in"), None) or \
            next((s for s in upcoming if s["state"] == "signed_up" and not s["missed"] and not s["cancelled"]), None)
        mine = {s["shift_id"] for s in upcoming}
        held = qualifications.held_by(db, me)
        profile = find_volunteer(db, me) or {"name": "", "unit_id": None, "status": ""}
        volunteer = ledger.get_volunteer(UUID(me))
        waiting = waitlists.of_volunteer(db, me)  # shift → my place in its line
        limits: dict[str, tuple] = {}  # each unit's limits, read once for the page

        def may_take(s: dict) -> bool:  # what a sign-up would be refused for is not offered
            starts, ends = datetime.fromisoformat(s["starts_at"]), datetime.fromisoformat(s["ends_at"])
            if s["unit_id"] not in limits:
                limits[s["unit_id"]] = ledger.limits_at(UUID(s["unit_id"]))
            return not ledger.too_young_for(volunteer, starts, ends) and volunteer.beyond(
                *limits[s["unit_id"]], UUID(s["id"]), starts, ends, ledger.clock.now()) is None
        def takeable(full: bool, shown: int) -> list[dict]:
            """The first `shown` the volunteer may take of the next three weeks of a whole city,
            read only until there are as many (and never more than SCANNED)."""
            found: list[dict] = []
            for s in islice(roster.to_come(db, now, now + timedelta(days=21), full), SCANNED):
                if len(found) >= shown:
                    break
                if s["id"] not in mine and qualified_for(held, s["requires"], s["day"]) and may_take(s):
                    found.append(s | {"place": waiting.get(s["id"])} if full else s)
            return found
        active = profile["status"] == "active"
        open_shifts = takeable(False, OPEN_SHOWN) if active else []
        full_shifts = takeable(True, FULL_SHOWN) if active else []
        offered = [o for o in waitlists.offers_to(db, me, iso(now)) if o["shift_id"] not in mine]
        review = volunteer.no_shows_under_review(ledger.limits_at(UUID(profile["unit_id"]))[0], now.date()) \
            if profile["unit_id"] else 0
        month = now.date().replace(day=1)
        summary = hours.summary(db, me, month.isoformat(), now.date().isoformat())
        total = hours.summary(db, me, "2000-01-01", "2999-12-31")
        shown = [*upcoming, *open_shifts, *full_shifts, *offered]  # takeable() stops at the shown number
        names = unit_names(db, [s["unit_id"] for s in shown if s["unit_id"]])
        service_types = ledger.service_types()
        return page(request, "me.html", profile=profile, current=current,
                    upcoming=[s for s in upcoming if s is not current], open_shifts=open_shifts[:OPEN_SHOWN],
                    full_shifts=full_shifts[:FULL_SHOWN], offered=offered, my_offers=waitlists.offered_by(db, me),
                    held=held, summary=summary, under_review=review, total=total, unit_names=names, now=iso(now),
                    service_types=service_types, messages=notices.listed(db, None, me, limit=10),
                    asked=[r | {"note": ledger.get_request(UUID(r["id"])).note if r["state"] == "booked" else None}
                           for r in requests.for_volunteer(db, me, now)],
                    on_call=requests.on_call_of(db, me, now), **star_context(request, db, me), on_call_until=(now + timedelta(hours=4)).strftime("%H:%M"),
                    email=ledger.contact_of(UUID(me))[0], me=volunteer,
                    agreement_due=getattr(volunteer, "agreement", None) != AGREEMENT.version,
                    recently_served=_recently_served(db, me, now),
                    calendar=calendar_url(request, f"v-{request.user.volunteer_id}"))

    def _me(self, request: Request) -> UUID:
        return UUID(request.user.volunteer_id)

    @get("/me/agreement", sync_to_thread=True)
    def agreement(self, request: Request, ledger: TheLedger) -> Template:
        """The service agreement in force, to read and accept (and the version accepted before, if any)."""
        accepted = getattr(ledger.get_volunteer(UUID(request.user.volunteer_id)), "agreement", None)
        return page(request, "agreement.html", text=AGREEMENT.in_language(translator(request).language),
                    version=AGREEMENT.version, accepted=accepted)

    @post("/me/agreement", sync_to_thread=True)
    def accept_agreement(self, request: Request, commands: CommandPath, data: Form) -> Response:
        if data.get("accept") != "yes":
            return back(request, "/me/agreement", "error", translator(request).gettext(
                "Tick the box to accept the agreement; your coordinator can answer any question about it."),
                field="accept", form="agreement", problem=translator(request).gettext("tick to accept"))
        return act(request, "/me", "Thank you: the agreement is accepted.",
                   lambda: commands.accept_agreement(request.user, self._me(request), data.get("version", "")),
                   refused_to="/me/agreement", form="agreement")

    @post("/me/requests/{request_id:uuid}/accept", sync_to_thread=True)
    def accept_request(self, request: Request, commands: CommandPath, request_id: FromPath[UUID]) -> Response:
        return act(request, "/me", "You are booked: the ward knows you are coming. Thank you!",
                   lambda: commands.accept_request(request.user, request_id, self._me(request)))

    @post("/me/requests/{request_id:uuid}/served", sync_to_thread=True)
    def served_request(self, request: Request, commands: CommandPath, request_id: FromPath[UUID],
                       data: Form) -> Response:
        return act(request, "/me", "The service is recorded.", lambda: commands.serve_request(
            request.user, request_id, form_whole(data, "minutes", 0)), form=f"served-{request_id}",
            typed=dict(data))

    @post("/me/on-call", sync_to_thread=True)
    def go_on_call(self, request: Request, commands: CommandPath, data: Form) -> Response:
        """On call from now until the time typed (tomorrow, if that time has passed today)."""
        def on_call() -> Any:
            now = now_local(request)
            until = datetime.combine(now.date(), form_time(data, "until"), now.tzinfo)
            return commands.go_on_call(request.user, self._me(request), now, until if until > now
                                       else until + timedelta(days=1))
        return act(request, "/me", "You are on call: wards can ask you for help until then.", on_call,
                   form="on-call", typed=dict(data))

    @post("/me/on-call/end", sync_to_thread=True)
    def go_off_call(self, request: Request, commands: CommandPath) -> Response:
        return act(request, "/me", "You are no longer on call.",
                   lambda: commands.go_off_call(request.user, self._me(request)))

    @post("/me/email", sync_to_thread=True)
    def change_email(self, request: Request, commands: CommandPath, data: Form) -> Response:
        return act(request, "/me", "Your e-mail address is saved.", lambda: commands.change_volunteer_email(
            request.user, self._me(request), data.get("email", "")), form="email")

    @post("/me/profile", sync_to_thread=True)
    def change_profile(self, request: Request, commands: CommandPath, data: Form) -> Response:
        return act(request, "/me", "Your details are saved.", lambda: commands.update_volunteer_profile(
            request.user, self._me(request), data.get("phone", ""), listed(data.get("languages", "")),
            listed(data.get("skills", ""))), form="profile")

    @post("/me/shifts/{shift_id:uuid}/signup", sync_to_thread=True)
    def sign_up(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID]) -> Response:
        return act(request, "/me", "You are signed up.",
                   lambda: commands.sign_up(request.user, shift_id, self._me(request)))

    @post("/me/shifts/{shift_id:uuid}/offer", sync_to_thread=True)
    def offer(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID]) -> Response:
        return act(request, "/me", "Your place is on offer: it stays yours until a colleague takes it.",
                   lambda: commands.offer_seat(request.user, shift_id, self._me(request)))

    @post("/me/shifts/{shift_id:uuid}/offer/withdraw", sync_to_thread=True)
    def withdraw_offer(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID]) -> Response:
        return act(request, "/me", "Your place is no longer on offer.",
                   lambda: commands.withdraw_offer(request.user, shift_id, self._me(request)))

    @post("/me/shifts/{shift_id:uuid}/take/{giver_id:uuid}", sync_to_thread=True)
    def take(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID], giver_id: FromPath[UUID]) -> Response:
        return act(request, "/me", lambda receipt: "The place is yours. Thank you for stepping in!"
                   if receipt.value == "handed_over" else
                   "Asked: the coordinator approves handovers here. The place is yours once they agree.",
                   lambda: commands.take_seat(request.user, shift_id, giver_id, self._me(request)))

    @post("/me/shifts/{shift_id:uuid}/waitlist", sync_to_thread=True)
    def join_waitlist(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID]) -> Response:
        return act(request, "/me", "You are on the waitlist: if a place frees up, you get it and a message.",
                   lambda: commands.join_waitlist(request.user, shift_id, self._me(request)))

    @post("/me/shifts/{shift_id:uuid}/waitlist/leave", sync_to_thread=True)
    def leave_waitlist(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID]) -> Response:
        return act(request, "/me", "You have left the waitlist.",
                   lambda: commands.leave_waitlist(request.user, shift_id, self._me(request)))

    @post("/me/shifts/{shift_id:uuid}/withdraw", sync_to_thread=True)
    def withdraw(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID]) -> Response:
        return act(request, "/me", "You have withdrawn.",
                   lambda: commands.withdraw(request.user, shift_id, self._me(request)))

    @post("/me/shifts/{shift_id:uuid}/check-in", sync_to_thread=True)
    def check_in(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID]) -> Response:
        return act(request, "/me", "Checked in. Thank you for serving!",
                   lambda: commands.check_in(request.user, shift_id, self._me(request)))

    @post("/me/shifts/{shift_id:uuid}/check-out", sync_to_thread=True)
    def check_out(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID], data: Form) -> Response:
        return act(request, "/me", "Checked out. Thank you!", lambda: commands.check_out(
            request.user, shift_id, self._me(request), form_served(data)), form=f"check-out-{shift_id}",
            typed=dict(data))

    @post("/me/shifts/{shift_id:uuid}/correction", sync_to_thread=True)
    def ask_correction(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
                       data: URLEncodedBody[dict[str, str]]) -> Response:
        """The hours recorded are wrong: ask the coordinator to correct them, saying why."""
        return act(request, "/me/record", "Your correction is asked for; the coordinator decides.",
                   lambda: commands.request_hours_correction(
                       request.user, shift_id, UUID(request.user.volunteer_id), needed_minutes(data),
                       data.get("reason", "")), form=f"correction-{shift_id}", typed=data)

    @get("/me/record", sync_to_thread=True)
    def record(self, request: Request, ledger: TheLedger, from_: Annotated[date | None, QueryParameter(name="from")] = None, to: FromQuery[date | None] = None) -> Template:
        """志愿服务记录, printable: who, where, when, what service, how long."""
        db, me = reader(request), request.user.volunteer_id
        first = (from_ or date(2000, 1, 1)).isoformat()
        # through tomorrow by default: a shift just after midnight is checked into (and out of) before it
        last = (to or now_local(request).date() + timedelta(days=1)).isoformat()
        entries = hours.service_record(db, me, first, last)
        return page(request, "record.html", profile=find_volunteer(db, me), entries=entries,
                    corrections=reviews.corrections_of(db, me),
                    minutes=sum(e["minutes"] for e in entries), printed=datetime.now().date(),
                    service_types=ledger.service_types(), **star_context(request, db, me),
                    evaluations=request.app.state.commands.evaluations_of(request.user, UUID(me), first, last),
                    scale=request.app.state.settings.evaluation_scale)
