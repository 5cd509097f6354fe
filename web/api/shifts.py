"""Shifts: scheduled by coordinators; signed up for, checked in and out by volunteers, kiosks
and coordinators, each only for what they act for."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from domain import bounds
from domain.errors import InvalidCommand
from domain.series import WEEKDAYS
from projections import roster, waitlists
from projections.history import roster_as_of
from projections.store import iso
from web.api.common import A_YEAR, Position, Tag, Tags, checked_span, local, read_db, written
from web.auth import allow, may
from web.commands import CommandPath, Commands, TheLedger

Weekday = Literal[WEEKDAYS]  # type: ignore[valid-type]
Places = Annotated[int, msgspec.Meta(ge=1, le=bounds.PLACES)]


class NewShift(msgspec.Struct, forbid_unknown_fields=True):
    unit_id: UUID
    post: Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.NAME)]
    starts_at: datetime
    ends_at: datetime
    capacity: Places
    requires: Tags = []


class VolunteerRef(msgspec.Struct, forbid_unknown_fields=True):
    volunteer_id: UUID
    trainee: bool = False


class CheckIn(msgspec.Struct, forbid_unknown_fields=True):
    volunteer_id: UUID


class SeatOffer(msgspec.Struct, forbid_unknown_fields=True):
    volunteer_id: UUID  # whose place
    to_volunteer_id: UUID | None = None  # a named colleague (told), or anyone eligible


class Offered(msgspec.Struct):
    shift_id: UUID
    volunteer_id: UUID
    to_volunteer_id: UUID | None


class HandedOver(msgspec.Struct):
    shift_id: UUID
    from_volunteer_id: UUID
    to_volunteer_id: UUID
    state: Literal["signed_up", "awaiting_approval"]  # the taker's; awaiting: the unit's coordinator decides


class HandoverRefusal(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.REASON)]


class HandoverDecided(msgspec.Struct):
    shift_id: UUID
    from_volunteer_id: UUID
    to_volunteer_id: UUID
    approved: bool


class OfferOpen(msgspec.Struct):
    shift_id: UUID
    giver: UUID
    unit_id: UUID
    post: str
    starts_at: datetime
    ends_at: datetime
    to_me: bool  # offered to me by name (else to anyone eligible)


class OnTheWaitlist(msgspec.Struct):
    shift_id: UUID
    volunteer_id: UUID
    place: int  # 1: the next to be promoted


class Waiting(msgspec.Struct):
    volunteer_id: UUID
    name: str
    place: int


class CheckOut(msgspec.Struct, forbid_unknown_fields=True):
    volunteer_id: UUID
    served: Annotated[dict[Tag, Annotated[int, msgspec.Meta(ge=0, le=bounds.PERSON_TIMES)]],
                      msgspec.Meta(max_length=bounds.SERVICE_TYPES_SERVED)] = {}


class CheckOutReview(msgspec.Struct, forbid_unknown_fields=True):
    volunteer_id: UUID
    minutes: Annotated[int, msgspec.Meta(ge=0, le=bounds.DAY_MINUTES)] | None = None  # None: confirm as recorded


class Cancellation(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.REASON)]


class NewSeries(msgspec.Struct, forbid_unknown_fields=True):
    unit_id: UUID
    post: Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.NAME)]
    weekdays: Annotated[list[Weekday], msgspec.Meta(max_length=len(WEEKDAYS))]
    start_time: time
    end_time: time
    first_day: date
    weeks: Annotated[int, msgspec.Meta(ge=1, le=bounds.SERIES_WEEKS)]
    capacity: Places
    requires: Tags = []


class Move(msgspec.Struct, forbid_unknown_fields=True):
    starts_at: datetime
    ends_at: datetime
    capacity: Places


class CorrectionRequest(msgspec.Struct, forbid_unknown_fields=True):
    volunteer_id: UUID
    minutes: Annotated[int, msgspec.Meta(ge=0, le=bounds.DAY_MINUTES)]
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.REASON)]


class Decline(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.REASON)]


class Shift(msgspec.Struct):
    id: UUID
    unit_id: UUID
    post: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    filled: int
    cancelled: bool
    requires: list[str]


class Seat(msgspec.Struct):
    """A place on a shift's roster (as it stood `as_of` a moment, the log's fields only)."""
    volunteer_id: UUID
    name: str
    state: Literal["signed_up", "checked_in", "checked_out", "no_show"]
    trainee: bool
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None
    minutes: int | None = None
    outcome: str | None = None
    checked_in_via: Literal["kiosk", "phone", "coordinator", "qr"] | None = None  # how the check-in was made


class ShiftWithRoster(Shift):
    day: date
    trainees: int
    series_id: UUID | None
    roster: list[Seat]
    as_of: datetime | None = None


class Scheduled(msgspec.Struct):
    id: UUID
    unit_id: UUID
    post: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    filled: int


class SignedUp(msgspec.Struct):
    shift_id: UUID
    volunteer_id: UUID
    state: Literal["signed_up"]
    trainee: bool


class WalkedIn(msgspec.Struct):
    shift_id: UUID
    volunteer_id: UUID
    state: Literal["checked_in"]


class CheckedIn(msgspec.Struct):
    checked_in_at: datetime


class CheckedOut(msgspec.Struct):
    minutes: int


class NoShow(msgspec.Struct):
    volunteer_id: UUID
    state: Literal["no_show"]


class Reviewed(msgspec.Struct):
    volunteer_id: UUID
    review: Literal["confirmed", "corrected"]


class ShiftCancelled(msgspec.Struct):
    id: UUID
    cancelled: bool


class SeriesScheduled(msgspec.Struct):
    id: UUID
    shift_ids: list[UUID]


class Moved(msgspec.Struct):
    id: UUID
    starts_at: datetime
    ends_at: datetime
    capacity: int


class SeriesCancelled(msgspec.Struct):
    id: UUID
    cancelled: list[UUID]  # this occurrence and the later ones not over or cancelled already


class Correction(msgspec.Struct):
    request_id: UUID
    status: Literal["pending", "approved", "declined"]


def moment(field: str, text: str) -> datetime:
    """An RFC 3339 moment with its offset, as the document says (not a number of seconds, which
    a query's datetime would also take)."""
    try:
        return msgspec.convert(text, Annotated[datetime, msgspec.Meta(tz=True)])
    except msgspec.ValidationError:
        raise InvalidCommand(field, "must be a moment with its offset, such as 2026-11-23T08:00:00+08:00") from None


class ShiftsController(Controller):
    path = "/api/v1/shifts"
    tags = ["shifts"]

    @post("/", guards=[may(Commands.schedule_shift)], sync_to_thread=True)
    def schedule(self, request: Request, commands: CommandPath, data: JSONBody[NewShift]) -> Response[Scheduled]:
        receipt = commands.schedule_shift(request.user, data.unit_id, data.post, local(request, data.starts_at),
                                          local(request, data.ends_at), data.capacity, data.requires)
        return written(request, receipt, Scheduled(receipt.id, data.unit_id, data.post, data.starts_at, data.ends_at,
                                               data.capacity, 0), 201)

    @get("/", guards=[allow("coordinator", "volunteer", "kiosk")], sync_to_thread=True)
    def list_shifts(self, request: Request, unit_id: FromQuery[UUID | None] = None,
                    from_: Annotated[date | None, QueryParameter(name="from")] = None, to: FromQuery[date | None] = None,
                    min_position: Position = None) -> list[Shift]:
        units = request.user.scope()
        if unit_id is not None:
            if request.user.role != "volunteer":
                request.user.ensure_unit(unit_id)
            units = [str(unit_id)]
        from_, to = checked_span(from_, to, A_YEAR)
        zone = ZoneInfo(request.app.state.settings.timezone)
        start = datetime.combine(from_, time(0), zone) if from_ else None
        end = datetime.combine(to + timedelta(days=1), time(0), zone) if to else None
        rows = roster.shifts(read_db(request, min_position), units, start, end)
        return [{k: r[k] for k in ("id", "unit_id", "post", "starts_at", "ends_at", "capacity", "filled",
                                   "cancelled", "requires")} for r in rows]

    @get("/{shift_id:uuid}", guards=[allow("coordinator", "volunteer", "kiosk")], sync_to_thread=True)
    def show(self, request: Request, ledger: TheLedger, shift_id: FromPath[UUID], min_position: Position = None,
             as_of: Annotated[str | None, QueryParameter(max_length=40, schema_extra={"format": "date-time"})] = None
             ) -> ShiftWithRoster:
        db = read_db(request, min_position)
        found = roster.shift(db, str(shift_id))
        if found is None:
            raise NotFoundException(f"No shift with id {shift_id}")
        if as_of is not None:
            then = moment("as_of", as_of)
            # The roster as it stood then, from the log; names from the directory.
            seats = roster_as_of(ledger, shift_id, then) or []
            names = roster.names(db, [s["volunteer_id"] for s in seats])
            found["roster"] = [s | {"name": names.get(s["volunteer_id"], "")} for s in seats]
            found["as_of"] = then
        if request.user.role == "volunteer":
            # Other volunteers' names are not a volunteer's business.
            found["roster"] = [s for s in found["roster"] if s["volunteer_id"] == request.user.volunteer_id]
        else:
            request.user.ensure_unit(found["unit_id"])
        return found

    # Decided on the event loop like a check-in (see below): sign-ups arriving together share a commit.
    @post("/{shift_id:uuid}/signups", guards=[may(Commands.sign_up)])
    async def sign_up(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
                      data: JSONBody[VolunteerRef]) -> Response[SignedUp]:
        receipt = await commands.ledger.perform(commands.sign_up, request.user, shift_id, data.volunteer_id,
                                                trainee=data.trainee)
        return written(request, receipt, SignedUp(shift_id, data.volunteer_id, "signed_up", data.trainee), 201)

    @get("/offers", guards=[allow("volunteer")], sync_to_thread=True)
    def offers(self, request: Request, ledger: TheLedger, min_position: Position = None) -> list[OfferOpen]:
        """Places colleagues offer to me by name or to anyone, on shifts still to come."""
        me = request.user.volunteer_id
        return [OfferOpen(UUID(o["shift_id"]), UUID(o["giver"]), UUID(o["unit_id"]), o["post"],
                          datetime.fromisoformat(o["starts_at"]), datetime.fromisoformat(o["ends_at"]),
                          o["to_volunteer"] == me)
                for o in waitlists.offers_to(read_db(request, min_position), me, iso(ledger.clock.now()))]

    @post("/{shift_id:uuid}/offers", guards=[may(Commands.offer_seat)], sync_to_thread=True)
    def offer(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
              data: JSONBody[SeatOffer]) -> Response[Offered]:
        """Offer a place to a named colleague or to anyone eligible; it stays the holder's until taken."""
        receipt = commands.offer_seat(request.user, shift_id, data.volunteer_id, data.to_volunteer_id)
        return written(request, receipt, Offered(shift_id, data.volunteer_id, data.to_volunteer_id), 201)

    @delete("/{shift_id:uuid}/offers/{volunteer_id:uuid}", guards=[may(Commands.withdraw_offer)],
            sync_to_thread=True, status_code=204)
    def withdraw_offer(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
                       volunteer_id: FromPath[UUID]) -> Response[None]:
        return written(request, commands.withdraw_offer(request.user, shift_id, volunteer_id), None, 204)

    @post("/{shift_id:uuid}/offers/{volunteer_id:uuid}/take", guards=[may(Commands.take_seat)], sync_to_thread=True,
          status_code=200)
    def take(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID], volunteer_id: FromPath[UUID],
             data: JSONBody[CheckIn]) -> Response[HandedOver]:
        """Take the place `volunteer_id` offers (409 `no_offer`; every refusal of a sign-up): the offer and
        the take are one save, the giver's seat ends `handed_over`. Where the unit's coordinator approves
        handovers: 202 `awaiting_approval`, the seat still the giver's."""
        receipt = commands.take_seat(request.user, shift_id, volunteer_id, data.volunteer_id)
        if receipt.value == "awaiting_approval":
            return written(request, receipt, HandedOver(shift_id, volunteer_id, data.volunteer_id,
                                                        "awaiting_approval"), 202)
        return written(request, receipt, HandedOver(shift_id, volunteer_id, data.volunteer_id, "signed_up"))

    @post("/{shift_id:uuid}/offers/{volunteer_id:uuid}/approve", guards=[may(Commands.approve_handover)],
          sync_to_thread=True, status_code=200, tags=["handovers"])
    def approve_handover(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
                         volunteer_id: FromPath[UUID]) -> Response[HandoverDecided]:
        """The coordinator approves the take waiting on `volunteer_id`'s place: every rule checked again,
        then the seat changes hands in one save (409 `no_handover_pending` when none waits)."""
        receipt = commands.approve_handover(request.user, shift_id, volunteer_id)
        return written(request, receipt, HandoverDecided(shift_id, volunteer_id, receipt.value, True))

    @post("/{shift_id:uuid}/offers/{volunteer_id:uuid}/decline", guards=[may(Commands.decline_handover)],
          sync_to_thread=True, status_code=200, tags=["handovers"])
    def decline_handover(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
                         volunteer_id: FromPath[UUID], data: JSONBody[HandoverRefusal]) -> Response[HandoverDecided]:
        """The coordinator says no, with a reason for the one who asked; the place stays on offer."""
        receipt = commands.decline_handover(request.user, shift_id, volunteer_id, data.reason)
        return written(request, receipt, HandoverDecided(shift_id, volunteer_id, receipt.value, False))

    @post("/{shift_id:uuid}/waitlist", guards=[may(Commands.join_waitlist)], sync_to_thread=True)
    def join_waitlist(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
                      data: JSONBody[CheckIn]) -> Response[OnTheWaitlist]:
        """Wait in line for a full shift (409 `places_free` when it has a place: sign up instead). When a
        place frees up (a withdrawal, more places), the first still eligible is signed up and told."""
        receipt = commands.join_waitlist(request.user, shift_id, data.volunteer_id)
        return written(request, receipt, OnTheWaitlist(shift_id, data.volunteer_id, receipt.value), 201)

    @delete("/{shift_id:uuid}/waitlist/{volunteer_id:uuid}", guards=[may(Commands.leave_waitlist)],
            sync_to_thread=True, status_code=204)
    def leave_waitlist(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
                       volunteer_id: FromPath[UUID]) -> Response[None]:
        return written(request, commands.leave_waitlist(request.user, shift_id, volunteer_id), None, 204)

    @get("/{shift_id:uuid}/waitlist", guards=[allow("coordinator")], sync_to_thread=True)
    def waitlist(self, request: Request, shift_id: FromPath[UUID], min_position: Position = None) -> list[Waiting]:
        """Who waits for a place, first first."""
        db = read_db(request, min_position)
        found = roster.shift(db, str(shift_id))
        if found is None:
            raise NotFoundException(f"No shift with id {shift_id}")
        request.user.ensure_unit(found["unit_id"])
        return [Waiting(UUID(w["volunteer_id"]), w["name"], i + 1) for i, w in enumerate(waitlists.of_shift(db, str(shift_id)))]

    @delete("/{shift_id:uuid}/signups/{volunteer_id:uuid}", guards=[may(Commands.withdraw)],
            sync_to_thread=True, status_code=204)
    def withdraw(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
                 volunteer_id: FromPath[UUID]) -> Response[None]:
        return written(request, commands.withdraw(request.user, shift_id, volunteer_id), None, 204)

    # The day itself is async: a kiosk's morning rush is decided on the event loop and only the
    # saves wait on writer threads, where they share commits (see Ledger.perform).
    @post("/{shift_id:uuid}/check-in", guards=[may(Commands.check_in)], status_code=200)
    async def check_in(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
                       data: JSONBody[CheckIn]) -> Response[CheckedIn]:
        receipt = await commands.ledger.perform(commands.check_in, request.user, shift_id, data.volunteer_id)
        return written(request, receipt, CheckedIn(receipt.value))

    @post("/{shift_id:uuid}/walk-in", guards=[may(Commands.walk_in)], status_code=200, sync_to_thread=True)
    def walk_in(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
                data: JSONBody[CheckIn]) -> Response[WalkedIn]:
        """A volunteer with no sign-up takes a free place and is checked in, in one save (409
        `shift_full`, 422 `outside_check_in_window`...: then nothing is recorded)."""
        receipt = commands.walk_in(request.user, shift_id, data.volunteer_id)
        return written(request, receipt, WalkedIn(shift_id, data.volunteer_id, "checked_in"))

    @post("/{shift_id:uuid}/check-out", guards=[may(Commands.check_out)], status_code=200)
    async def check_out(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
                        data: JSONBody[CheckOut]) -> Response[CheckedOut]:
        receipt = await commands.ledger.perform(commands.check_out, request.user, shift_id, data.volunteer_id,
                                                data.served)
        return written(request, receipt, CheckedOut(receipt.value))

    @post("/{shift_id:uuid}/no-show", guards=[may(Commands.mark_no_show)], sync_to_thread=True, status_code=200)
    def no_show(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
                data: JSONBody[CheckIn]) -> Response[NoShow]:
        receipt = commands.mark_no_show(request.user, shift_id, data.volunteer_id)
        return written(request, receipt, NoShow(data.volunteer_id, "no_show"))

    @post("/{shift_id:uuid}/check-out-review", guards=[may(Commands.review_check_out)], sync_to_thread=True,
          status_code=200)
    def review_check_out(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
                         data: JSONBody[CheckOutReview]) -> Response[Reviewed]:
        """Confirm an automatic check-out of someone who forgot to check out, or correct its minutes."""
        receipt = commands.review_check_out(request.user, shift_id, data.volunteer_id, data.minutes)
        return written(request, receipt, Reviewed(data.volunteer_id, "confirmed" if data.minutes is None else "corrected"))

    @post("/{shift_id:uuid}/cancel", guards=[may(Commands.cancel_shift)], sync_to_thread=True, status_code=200)
    def cancel(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
               data: JSONBody[Cancellation]) -> Response[ShiftCancelled]:
        receipt = commands.cancel_shift(request.user, shift_id, data.reason)
        return written(request, receipt, ShiftCancelled(shift_id, True))

    @post("/{shift_id:uuid}/cancel-rest-of-series", guards=[may(Commands.cancel_rest_of_series)],
          sync_to_thread=True, status_code=200)
    def cancel_rest_of_series(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
                              data: JSONBody[Cancellation]) -> Response[SeriesCancelled]:
        """This occurrence and the rest of its series, in one save or not at all (409 when one of
        them has volunteers checked in); everyone signed up is told."""
        receipt = commands.cancel_rest_of_series(request.user, shift_id, data.reason)
        return written(request, receipt, SeriesCancelled(shift_id, list(receipt.value)))

    @post("/series", guards=[may(Commands.schedule_series)], sync_to_thread=True)
    def schedule_series(self, request: Request, commands: CommandPath, data: JSONBody[NewSeries]) -> Response[SeriesScheduled]:
        """e.g. the outpatient guidance desk, Mon–Fri 08:00–12:00, 3 places, for 12 weeks."""
        receipt = commands.schedule_series(
            request.user, data.unit_id, data.post, list(data.weekdays), data.start_time, data.end_time, data.first_day,
            data.weeks, data.capacity, data.requires, request.app.state.settings.timezone)
        return written(request, receipt, SeriesScheduled(receipt.id, list(receipt.value)), 201)

    @post("/{shift_id:uuid}/reschedule", guards=[may(Commands.reschedule_shift)], sync_to_thread=True,
          status_code=200)
    def reschedule(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
                   data: JSONBody[Move]) -> Response[Moved]:
        """Change one occurrence; the rest of its series stays as it is."""
        receipt = commands.reschedule_shift(request.user, shift_id, local(request, data.starts_at),
                                            local(request, data.ends_at), data.capacity)
        return written(request, receipt, Moved(shift_id, data.starts_at, data.ends_at, data.capacity))

    @post("/{shift_id:uuid}/corrections", guards=[may(Commands.request_hours_correction)], sync_to_thread=True)
    def request_correction(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
                           data: JSONBody[CorrectionRequest]) -> Response[Correction]:
        receipt = commands.request_hours_correction(request.user, shift_id, data.volunteer_id, data.minutes,
                                                    data.reason)
        return written(request, receipt, Correction(receipt.value, "pending"), 201)

    @post("/{shift_id:uuid}/corrections/{request_id:uuid}/approve", guards=[may(Commands.approve_hours_correction)],
          sync_to_thread=True, status_code=200)
    def approve_correction(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
                           request_id: FromPath[UUID]) -> Response[Correction]:
        receipt = commands.approve_hours_correction(request.user, shift_id, request_id)
        return written(request, receipt, Correction(request_id, "approved"))

    @post("/{shift_id:uuid}/corrections/{request_id:uuid}/decline", guards=[may(Commands.decline_hours_correction)],
          sync_to_thread=True, status_code=200)
    def decline_correction(self, request: Request, commands: CommandPath, shift_id: FromPath[UUID],
                           request_id: FromPath[UUID], data: JSONBody[Decline]) -> Response[Correction]:
        receipt = commands.decline_hours_correction(request.user, shift_id, request_id, data.reason)
        return written(request, receipt, Correction(request_id, "declined"))
