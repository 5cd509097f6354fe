"""The Shift: places at a post for a time, its roster of seats, and how each seat ends."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from eventsourcing.domain import event

from domain import bounds
from domain.aggregate import Aggregate
from domain.limits import Limits

from domain.errors import (
    AlreadyCheckedIn,
    AlreadySignedUp,
    DomainError,
    NoHandoverPending,
    NoOffer,
    PlacesFree,
    AlreadyCheckedOut,
    CapacityBelowSignups,
    CorrectionNotPending,
    InvalidCommand,
    MarkedNoShow,
    NotCheckedIn,
    NotSignedUp,
    OutsideCheckInWindow,
    ShiftCancelled,
    ShiftFull,
    ShiftNotStarted,
    ShiftStarted,
    VolunteerNotActive,
    VolunteersOnDuty,
)
from domain.policy import Policy
from domain.volunteers import ACTIVE, PENDING, Volunteer

# Seat states (the roster) and outcomes (how a seat ended).
SIGNED_UP, CHECKED_IN, CHECKED_OUT, NO_SHOW, WITHDRAWN = (
    "signed_up", "checked_in", "checked_out", "no_show", "withdrawn",
)
SERVED, LATE_CANCELLATION, CANCELLED_IN_TIME = "served", "late_cancellation", "cancelled_in_time"
HANDED_OVER = "handed_over"  # a seat another volunteer took on offer: no cancellation, late or not
CHECK_IN_VIA = ("kiosk", "phone", "coordinator", "qr")


@dataclass(frozen=True)  # replaced, never changed: a copy of the shift can share its seats
class Seat:
    state: str = SIGNED_UP
    trainee: bool = False
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None
    minutes: int = 0
    served: dict[str, int] = field(default_factory=dict)
    outcome: str | None = None
    review: str | None = None  # an automatic check-out: "pending", then "confirmed" or "corrected"

    @property
    def holds_place(self) -> bool:
        return not self.trainee and self.state != WITHDRAWN


@dataclass(frozen=True)
class CorrectionRequest:
    volunteer_id: UUID
    minutes: int
    reason: str
    status: str = "pending"


def validate_times(starts_at: datetime, ends_at: datetime) -> None:
    bounds.span(starts_at, ends_at, timedelta(minutes=bounds.DAY_MINUTES))


def validate_capacity(capacity: int) -> None:
    bounds.count("capacity", capacity, 1, bounds.PLACES)


class Shift(Aggregate):
    @classmethod
    def schedule(
        cls,
        unit_id: UUID,
        post: str,
        starts_at: datetime,
        ends_at: datetime,
        capacity: int,
        requires: frozenset[str],
        actor: str,
        series_id: UUID | None = None,
    ) -> Shift:
        post = bounds.text("post", post, bounds.NAME)
        validate_times(starts_at, ends_at)
        validate_capacity(capacity)
        requires = frozenset(bounds.tags("requires", requires))
        return cls(unit_id, post, starts_at, ends_at, capacity, requires, series_id, actor)

    @event("Scheduled")
    def __init__(
        self,
        unit_id: UUID,
        post: str,
        starts_at: datetime,
        ends_at: datetime,
        capacity: int,
        requires: frozenset[str],
        series_id: UUID | None,
        actor: str,
    ) -> None:
        self.unit_id = unit_id
        self.post = post
        self.starts_at = starts_at
        self.ends_at = ends_at
        self.capacity = capacity
        self.requires = requires
        self.series_id = series_id
        self.cancelled = False
        self.seats: dict[UUID, Seat] = {}
        self.corrections: dict[UUID, CorrectionRequest] = {}
        self.waitlist: list[UUID] = []  # who waits for a place, first come first
        self.offers: dict[UUID, UUID | None] = {}  # a seat offered → to whom (None: anyone eligible)

    @property
    def filled(self) -> int:
        return sum(1 for seat in self.seats.values() if seat.holds_place)

    @property
    def is_full(self) -> bool:
        return self.filled >= self.capacity

    def seat_of(self, volunteer_id: UUID) -> Seat:
        seat = self.seats.get(volunteer_id)
        if seat is None or seat.state == WITHDRAWN:
            raise NotSignedUp("This volunteer is not signed up for this shift.", volunteer_id=str(volunteer_id))
        return seat

    def _ensure_not_cancelled(self) -> None:
        if self.cancelled:
            raise ShiftCancelled("This shift has been cancelled.")

    # --- sign-up and withdrawal --------------------------------------------------------

    def sign_up(self, volunteer: Volunteer, trainee: bool, at: datetime, actor: str, limits: Limits | None = None,
                zone: ZoneInfo | None = None) -> bool:
        """Sign the volunteer up and book it; False when it already holds a seat (a retry)."""
        self._ensure_not_cancelled()
        if at >= self.ends_at:
            raise ShiftStarted("This shift is over; sign-ups are closed.")
        seat = self.seats.get(volunteer.id)
        if seat is not None and seat.state != WITHDRAWN:
            return False
        if trainee:
            # A trainee shadows: no place taken, no qualification needed yet, but it must be in the programme.
            if volunteer.status not in (PENDING, ACTIVE):
                raise VolunteerNotActive(f"{volunteer.name} is {volunteer.status}.", volunteer_status=volunteer.status)
        else:
            if self.is_full:
                raise ShiftFull("This shift is full.", capacity=self.capacity)
            volunteer.ensure_may_serve(self.requires, self.starts_at.date())
        volunteer.book(self.id, self.starts_at, self.ends_at, at, actor, limits, zone)
        self._signed_up(volunteer.id, trainee, actor)
        return True

    @event("SignedUp")
    def _signed_up(self, volunteer_id: UUID, trainee: bool, actor: str) -> None:
        self.seats[volunteer_id] = Seat(trainee=trainee)

    def withdraw(self, volunteer: Volunteer, at: datetime, policy: Policy, actor: str) -> None:
        seat = self.seat_of(volunteer.id)
        if seat.state == CHECKED_IN:
            raise AlreadyCheckedIn("This volunteer is already checked in; check out instead.")
        if seat.state in (CHECKED_OUT, NO_SHOW):
            raise AlreadyCheckedOut("This seat is already settled.")
        if at >= self.starts_at:
            raise ShiftStarted("This shift has started; a coordinator can mark a no-show instead.")
        late = policy.is_late_cancellation(self.starts_at, at)
        self._withdrawn(volunteer.id, LATE_CANCELLATION if late else CANCELLED_IN_TIME, actor)
        volunteer.release(self.id, actor)
        self.withdraw_offer(volunteer.id, actor)  # gone: their offer with them

    @event("Withdrawn")
    def _withdrawn(self, volunteer_id: UUID, outcome: str, actor: str) -> None:
        self.seats[volunteer_id] = replace(self.seats[volunteer_id], state=WITHDRAWN, outcome=outcome)

    # --- handovers: a seat offered to a colleague (or anyone), taken in one save -------------

    def offer_seat(self, volunteer_id: UUID, to: UUID | None, at: datetime, actor: str) -> None:
        """Offer one's place: to a named colleague, or to anyone eligible; until it is taken the seat stays theirs."""
        self._ensure_not_cancelled()
        if at >= self.starts_at:
            raise ShiftStarted("This shift has started; a coordinator can mark a no-show instead.")
        if self.seat_of(volunteer_id).state != SIGNED_UP:
            raise AlreadyCheckedIn("This seat is in use already.")
        if to == volunteer_id:
            raise InvalidCommand("to", "offer the place to someone else")
        if getattr(self, "offers", {}).get(volunteer_id, object()) != to:
            self._seat_offered(volunteer_id, to, actor)

    @event("SeatOffered")
    def _seat_offered(self, volunteer_id: UUID, to: UUID | None, actor: str) -> None:
        self.offers = {**getattr(self, "offers", {}), volunteer_id: to}

    def withdraw_offer(self, volunteer_id: UUID, actor: str) -> None:
        if volunteer_id in getattr(self, "offers", {}):
            self._offer_withdrawn(volunteer_id, actor)

    @event("OfferWithdrawn")
    def _offer_withdrawn(self, volunteer_id: UUID, actor: str) -> None:
        self.offers = {k: v for k, v in self.offers.items() if k != volunteer_id}
        # a take waiting for approval goes with the offer
        self.handovers_asked = {k: v for k, v in getattr(self, "handovers_asked", {}).items() if k != volunteer_id}

    def take_seat(self, giver: Volunteer, taker: Volunteer, at: datetime, actor: str, limits: Limits | None = None,
                  zone: ZoneInfo | None = None, approval: bool = False) -> bool:
        """The taker passes every rule a sign-up passes and takes the giver's seat: one save, never a
        moment with the seat empty or doubled; the giver's seat ends handed over (no cancellation).
        Where the unit wants a coordinator's approval, the take waits for it instead (the seat stays
        the giver's until then): the answer says whether the seat changed hands."""
        offers = getattr(self, "offers", {})
        if giver.id not in offers:
            raise NoOffer("This place is not on offer (any more).")
        if offers[giver.id] not in (None, taker.id):
            raise NoOffer("This place is offered to someone else.")
        pending = getattr(self, "handovers_asked", {}).get(giver.id)
        if pending is not None:
            if pending == taker.id:
                return False  # asked already: waiting for the coordinator
            raise NoOffer("Someone else has asked to take this place; the coordinator decides.")
        self._ensure_may_take(giver, taker, at, actor, limits, zone)
        if approval:
            self._handover_asked(giver.id, taker.id, actor)
            return False
        self._hand_over(giver, taker, at, actor, limits, zone)
        return True

    def _ensure_may_take(self, giver: Volunteer, taker: Volunteer, at: datetime, actor: str, limits: Limits | None,
                         zone: ZoneInfo | None) -> None:
        if self.seat_of(giver.id).state != SIGNED_UP:
            raise NoOffer("This place is in use already.")
        self._ensure_not_cancelled()
        if at >= self.starts_at:
            raise ShiftStarted("This shift has started; the place can no longer change hands.")
        seat = self.seats.get(taker.id)
        if seat is not None and seat.state != WITHDRAWN:
            raise AlreadySignedUp("You already hold a place on this shift.")
        taker.ensure_may_serve(self.requires, self.starts_at.date())
        taker.ensure_free(self.id, self.starts_at, self.ends_at)
        if limits is not None:
            refused = taker.beyond(limits, zone or ZoneInfo("UTC"), self.id, self.starts_at, self.ends_at, at)
            if refused is not None:
                raise refused

    def _hand_over(self, giver: Volunteer, taker: Volunteer, at: datetime, actor: str, limits: Limits | None,
                   zone: ZoneInfo | None) -> None:
        taker.book(self.id, self.starts_at, self.ends_at, at, actor, limits, zone)
        self._handed_over(giver.id, taker.id, actor)
        self._withdrawn(giver.id, HANDED_OVER, actor)
        self._signed_up(taker.id, self.seats[giver.id].trainee, actor)
        giver.release(self.id, actor)
        self.leave_waitlist(taker.id, actor)

    @event("HandoverAsked")
    def _handover_asked(self, from_volunteer: UUID, to_volunteer: UUID, actor: str) -> None:
        self.handovers_asked = {**getattr(self, "handovers_asked", {}), from_volunteer: to_volunteer}

    def approve_handover(self, giver: Volunteer, taker: Volunteer, at: datetime, actor: str,
                         limits: Limits | None = None, zone: ZoneInfo | None = None) -> None:
        """The coordinator agrees: every rule is checked again (time has passed), then the seat changes hands."""
        if getattr(self, "handovers_asked", {}).get(giver.id) != taker.id:
            raise NoHandoverPending("Nobody is waiting to take this place (any more).")
        self._ensure_may_take(giver, taker, at, actor, limits, zone)
        self._hand_over(giver, taker, at, actor, limits, zone)

    def decline_handover(self, giver_id: UUID, reason: str, actor: str) -> UUID:
        """The coordinator says no: the place stays the giver's, still on offer; the answer is who asked."""
        taker = getattr(self, "handovers_asked", {}).get(giver_id)
        if taker is None:
            raise NoHandoverPending("Nobody is waiting to take this place (any more).")
        if not reason.strip():
            raise InvalidCommand("reason", "say why, for the volunteer who asked")
        self._handover_declined(giver_id, taker, bounds.text("reason", reason, bounds.REASON).strip(), actor)
        return taker

    @event("HandoverDeclined")
    def _handover_declined(self, from_volunteer: UUID, to_volunteer: UUID, reason: str, actor: str) -> None:
        self.handovers_asked = {k: v for k, v in self.handovers_asked.items() if k != from_volunteer}

    @event("HandedOver")
    def _handed_over(self, from_volunteer: UUID, to_volunteer: UUID, actor: str) -> None:
        self.offers = {k: v for k, v in self.offers.items() if k != from_volunteer}
        self.handovers_asked = {k: v for k, v in getattr(self, "handovers_asked", {}).items() if k != from_volunteer}

    # --- the waitlist: a full shift's next in line, promoted when a place frees up ---------

    def join_waitlist(self, volunteer: Volunteer, at: datetime, actor: str) -> int:
        """Wait for a place of this full shift; the answer is the place in the line (1: next). A
        repeated join answers the same place and records nothing."""
        self._ensure_not_cancelled()
        if at >= self.starts_at:
            raise ShiftStarted("This shift has started; sign-ups are closed.")
        seat = self.seats.get(volunteer.id)
        if seat is not None and seat.state != WITHDRAWN:
            raise AlreadySignedUp("This volunteer already holds a place on this shift.")
        line = getattr(self, "waitlist", [])
        if volunteer.id in line:
            return line.index(volunteer.id) + 1
        if not self.is_full:
            raise PlacesFree("This shift has a free place: sign up instead.", free=self.capacity - self.filled)
        volunteer.ensure_may_serve(self.requires, self.starts_at.date())
        volunteer.ensure_free(self.id, self.starts_at, self.ends_at)
        self._waitlisted(volunteer.id, actor)
        return len(self.waitlist)

    @event("Waitlisted")
    def _waitlisted(self, volunteer_id: UUID, actor: str) -> None:
        self.waitlist = [*getattr(self, "waitlist", []), volunteer_id]

    def leave_waitlist(self, volunteer_id: UUID, actor: str) -> None:
        if volunteer_id in getattr(self, "waitlist", []):
            self._left_waitlist(volunteer_id, actor)

    @event("LeftWaitlist")
    def _left_waitlist(self, volunteer_id: UUID, actor: str) -> None:
        self.waitlist = [v for v in self.waitlist if v != volunteer_id]

    def promote(self, waiting: dict[UUID, Volunteer], at: datetime, actor: str, limits: Limits | None = None,
                zone: ZoneInfo | None = None, eligible: Callable[[Volunteer], bool] = lambda v: True) -> list[UUID]:
        """Fill free places from the waitlist, in its order, with those still eligible (qualified, free
        then, within the limits): each one's place and booking in this same save. Who is not eligible
        now keeps their place in the line. Answers who was promoted."""
        promoted: list[UUID] = []
        if self.cancelled or at >= self.starts_at:
            return promoted
        for volunteer_id in list(getattr(self, "waitlist", [])):
            if self.is_full:
                break
            volunteer = waiting.get(volunteer_id)
            if volunteer is None or not eligible(volunteer):
                continue
            try:
                volunteer.ensure_may_serve(self.requires, self.starts_at.date())
                volunteer.book(self.id, self.starts_at, self.ends_at, at, actor, limits, zone)
            except DomainError:
                continue  # not eligible now: stays in line, the next one is tried
            self._promoted(volunteer_id, actor)
            self._signed_up(volunteer_id, False, actor)
            promoted.append(volunteer_id)
        return promoted

    @event("Promoted")
    def _promoted(self, volunteer_id: UUID, actor: str) -> None:
        self.waitlist = [v for v in self.waitlist if v != volunteer_id]

    # --- on the day --------------------------------------------------------------------

    def check_in(self, volunteer: Volunteer, at: datetime, via: str, policy: Policy, actor: str) -> datetime:
        """Check the volunteer in; a repeated check-in returns the first time and records nothing."""
        if via not in CHECK_IN_VIA:
            raise InvalidCommand("via", f"must be one of {', '.join(CHECK_IN_VIA)}")
        self._ensure_not_cancelled()
        seat = self.seat_of(volunteer.id)
        if seat.state == CHECKED_IN:
            assert seat.checked_in_at is not None
            return seat.checked_in_at
        if seat.state == CHECKED_OUT:
            raise AlreadyCheckedOut("This volunteer has already checked out of this shift.")
        if seat.state == NO_SHOW:
            raise MarkedNoShow("This volunteer was marked as a no-show; a coordinator must correct it.")
        opens, closes = policy.check_in_window(self.starts_at, self.ends_at)
        if not opens <= at <= closes:
            raise OutsideCheckInWindow(
                f"Check-in is open from {opens.isoformat()} to {closes.isoformat()}.",
                opens_at=opens.isoformat(), closes_at=closes.isoformat(),
            )
        if not seat.trainee:
            volunteer.ensure_may_serve(self.requires, at.date())
        self._checked_in(volunteer.id, at, via, actor)
        return at

    @event("CheckedIn")
    def _checked_in(self, volunteer_id: UUID, at: datetime, via: str, actor: str) -> None:
        self.seats[volunteer_id] = replace(self.seats[volunteer_id], state=CHECKED_IN, checked_in_at=at)

    def check_out(
        self, volunteer_id: UUID, at: datetime, served: dict[str, int], policy: Policy, actor: str
    ) -> int:
        """Check the volunteer out, crediting minutes by the policy; returns the credited minutes."""
        seat = self.seat_of(volunteer_id)
        if seat.state == CHECKED_OUT:
            raise AlreadyCheckedOut("This volunteer has already checked out of this shift.")
        if seat.state != CHECKED_IN:
            raise NotCheckedIn("This volunteer has not checked in to this shift.")
        served = bounds.served("served", served)
        assert seat.checked_in_at is not None
        at = max(at, seat.checked_in_at)
        minutes = policy.credited_minutes(self.starts_at, self.ends_at, seat.checked_in_at, at)
        self._checked_out(volunteer_id, at, dict(served), minutes, actor)
        return minutes

    @event("CheckedOut")
    def _checked_out(
        self, volunteer_id: UUID, at: datetime, served: dict[str, int], minutes: int, actor: str
    ) -> None:
        self.seats[volunteer_id] = replace(self.seats[volunteer_id], state=CHECKED_OUT, checked_out_at=at,
                                           served=served, minutes=minutes, outcome=SERVED)

    def check_out_forgotten(self, volunteer_id: UUID, now: datetime, policy: Policy, actor: str) -> int | None:
        """A volunteer who forgot to check out is checked out at the shift's end, for review;
        None (nothing recorded) while it is too early to say they forgot, or once they are out."""
        seat = self.seat_of(volunteer_id)
        if seat.state != CHECKED_IN or not policy.forgot_to_check_out(self.ends_at, now):
            return None
        assert seat.checked_in_at is not None
        at = max(self.ends_at, seat.checked_in_at)
        minutes = policy.auto_credit(policy.credited_minutes(self.starts_at, self.ends_at, seat.checked_in_at, at))
        self._checked_out_automatically(volunteer_id, at, minutes, actor)
        return minutes

    @event("CheckedOutAutomatically")
    def _checked_out_automatically(self, volunteer_id: UUID, at: datetime, minutes: int, actor: str) -> None:
        self.seats[volunteer_id] = replace(self.seats[volunteer_id], state=CHECKED_OUT, checked_out_at=at,
                                           minutes=minutes, outcome=SERVED, review="pending")

    def review_check_out(self, volunteer_id: UUID, minutes: int | None, actor: str) -> None:
        """A coordinator confirms an automatic check-out (minutes None) or corrects its minutes."""
        seat = self.seat_of(volunteer_id)
        if seat.review != "pending":
            raise InvalidCommand("volunteer_id", "this seat has no automatic check-out waiting for review")
        if minutes is None:
            self._auto_check_out_confirmed(volunteer_id, actor)
        else:
            bounds.count("minutes", minutes, 0, bounds.DAY_MINUTES)
            self._auto_check_out_corrected(volunteer_id, minutes, actor)

    @event("AutoCheckOutConfirmed")
    def _auto_check_out_confirmed(self, volunteer_id: UUID, actor: str) -> None:
        self.seats[volunteer_id] = replace(self.seats[volunteer_id], review="confirmed")

    @event("AutoCheckOutCorrected")
    def _auto_check_out_corrected(self, volunteer_id: UUID, minutes: int, actor: str) -> None:
        self.seats[volunteer_id] = replace(self.seats[volunteer_id], review="corrected", minutes=minutes)

    def mark_no_show(self, volunteer_id: UUID, at: datetime, actor: str) -> None:
        seat = self.seat_of(volunteer_id)
        if seat.state == NO_SHOW:
            return
        if seat.state == CHECKED_IN:
            raise AlreadyCheckedIn("This volunteer checked in; they are not a no-show.")
        if seat.state == CHECKED_OUT:
            raise AlreadyCheckedOut("This volunteer served this shift.")
        if at < self.starts_at:
            raise ShiftNotStarted("A no-show can only be marked once the shift has started.")
        self._marked_no_show(volunteer_id, actor)

    @event("MarkedNoShow")
    def _marked_no_show(self, volunteer_id: UUID, actor: str) -> None:
        self.seats[volunteer_id] = replace(self.seats[volunteer_id], state=NO_SHOW, outcome=NO_SHOW)

    # --- hour corrections: requested, then approved or declined, never a silent edit ---

    def request_correction(self, volunteer_id: UUID, minutes: int, reason: str, actor: str) -> UUID:
        seat = self.seat_of(volunteer_id)
        if seat.state not in (CHECKED_OUT, NO_SHOW):
            raise NotCheckedIn("Hours can be corrected once the seat is settled (checked out or no-show).")
        bounds.count("minutes", minutes, 0, bounds.DAY_MINUTES)
        reason = bounds.text("reason", reason, bounds.REASON)
        request_id = uuid4()
        self._correction_requested(request_id, volunteer_id, minutes, reason, actor)
        return request_id

    @event("HoursCorrectionRequested")
    def _correction_requested(
        self, request_id: UUID, volunteer_id: UUID, minutes: int, reason: str, actor: str
    ) -> None:
        self.corrections[request_id] = CorrectionRequest(volunteer_id, minutes, reason)

    def _pending_correction(self, request_id: UUID) -> CorrectionRequest:
        request = self.corrections.get(request_id)
        if request is None or request.status != "pending":
            raise CorrectionNotPending("This hours correction is not waiting for a decision.")
        return request

    def approve_correction(self, request_id: UUID, actor: str) -> None:
        request = self._pending_correction(request_id)
        self._hours_corrected(request_id, request.volunteer_id, request.minutes, request.reason, actor)

    @event("HoursCorrected")
    def _hours_corrected(
        self, request_id: UUID, volunteer_id: UUID, minutes: int, reason: str, actor: str
    ) -> None:
        self.corrections[request_id] = replace(self.corrections[request_id], status="approved")
        self.seats[volunteer_id] = replace(self.seats[volunteer_id], minutes=minutes, outcome=SERVED)

    def decline_correction(self, request_id: UUID, reason: str, actor: str) -> None:
        self._pending_correction(request_id)
        self._correction_declined(request_id, bounds.text("reason", reason, bounds.REASON), actor)

    @event("HoursCorrectionDeclined")
    def _correction_declined(self, request_id: UUID, reason: str, actor: str) -> None:
        self.corrections[request_id] = replace(self.corrections[request_id], status="declined")

    # --- changing one occurrence, or cancelling it ------------------------------------

    def reschedule(
        self, starts_at: datetime, ends_at: datetime, capacity: int, volunteers: list[Volunteer],
        at: datetime, actor: str,
    ) -> None:
        """Move or resize this shift; the signed-up volunteers' bookings move with it."""
        self._ensure_not_cancelled()
        validate_times(starts_at, ends_at)
        validate_capacity(capacity)
        if any(seat.state in (CHECKED_IN, CHECKED_OUT) for seat in self.seats.values()):
            raise VolunteersOnDuty("Volunteers have already checked in; this shift can no longer be moved.")
        if capacity < self.filled:
            raise CapacityBelowSignups(
                f"{self.filled} volunteers are signed up; withdraw some before lowering capacity.",
                filled=self.filled,
            )
        for volunteer in volunteers:
            volunteer.book(self.id, starts_at, ends_at, at, actor)
        self._rescheduled(starts_at, ends_at, capacity, actor)

    @event("Rescheduled")
    def _rescheduled(self, starts_at: datetime, ends_at: datetime, capacity: int, actor: str) -> None:
        self.starts_at, self.ends_at, self.capacity = starts_at, ends_at, capacity

    def signed_up_volunteer_ids(self) -> list[UUID]:
        return [vid for vid, seat in self.seats.items() if seat.state == SIGNED_UP]

    def cancel(self, reason: str, volunteers: list[Volunteer], at: datetime, actor: str) -> None:
        reason = bounds.text("reason", reason, bounds.REASON)
        self._ensure_not_cancelled()
        if any(seat.state in (CHECKED_IN, CHECKED_OUT) for seat in self.seats.values()):
            raise VolunteersOnDuty("Volunteers have already checked in to this shift.")
        if at >= self.ends_at:
            raise ShiftStarted("This shift is over and cannot be cancelled.")
        self._cancelled(reason, actor)
        for volunteer in volunteers:
            volunteer.release(self.id, actor)

    @event("Cancelled")
    def _cancelled(self, reason: str, actor: str) -> None:
        self.cancelled = True
        for volunteer_id, seat in self.seats.items():
            if seat.state == SIGNED_UP:
                self.seats[volunteer_id] = replace(seat, state=WITHDRAWN, outcome=CANCELLED_IN_TIME)


# Stores written before the domain checked these bounds may hold impossible counts: read them clamped.
bounds.repaired_on_read(Shift.CheckedOut)(
    lambda state: bounds.clamped(state, {"served": (0, bounds.PERSON_TIMES), "minutes": (0, bounds.DAY_MINUTES)}))
bounds.repaired_on_read(Shift.AutoCheckOutCorrected, Shift.HoursCorrected, Shift.HoursCorrectionRequested,
                        Shift.CheckedOutAutomatically)(
    lambda state: bounds.clamped(state, {"minutes": (0, bounds.DAY_MINUTES)}))
bounds.repaired_on_read(Shift.Scheduled, Shift.Rescheduled)(
    lambda state: bounds.clamped(state, {"capacity": (1, bounds.PLACES)}))
