"""Shift use cases: scheduling (single or a weekly series), sign-ups, the day itself, corrections."""

from __future__ import annotations

from datetime import date, datetime, time
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from domain.errors import (InvalidCommand, MinorOutsideDaytime, NoHandoverPending, NoShiftAtPost, PostCodeReplayed,
                           PostCodeRequired)
from domain.usecases.ledger import Ledger, Receipt
from domain.limits import Limits
from domain.notices import Notice
from domain.post_codes import PostCode
from domain.series import ShiftSeries, occurrences
from domain.shifts import Shift, validate_capacity
from domain.units import Unit
from domain.volunteers import Volunteer


class ShiftUseCases(Ledger):
    def _requirements(self, unit_id: UUID, post: str, requires: list[str]) -> frozenset[str]:
        """What a shift requires: the post's standing requirements plus the shift's own."""
        unit = self._read(Unit, unit_id, "unit")
        return unit.requirements_at(post.strip()) | frozenset(requires)

    def schedule_shift(self, unit_id: UUID, post: str, starts_at: datetime, ends_at: datetime,
                       capacity: int, requires: list[str], actor: str) -> Receipt:
        shift = Shift.schedule(unit_id, post.strip(), starts_at, ends_at, capacity,
                               self._requirements(unit_id, post, requires), actor)
        return Receipt(self._commit(shift), shift.id)

    def schedule_series(self, unit_id: UUID, post: str, weekdays: list[str], start_time: time,
                        end_time: time, first_day: date, weeks: int, capacity: int,
                        requires: list[str], timezone: str, actor: str) -> Receipt:
        """e.g. "guidance desk, Mon–Fri 08:00–12:00, 3 places, 12 weeks": every occurrence in one save."""
        validate_capacity(capacity)
        needs = self._requirements(unit_id, post, requires)
        times = occurrences(first_day, weeks, weekdays, start_time, end_time, timezone)
        if not times:
            raise InvalidCommand("weekdays", "no day of the series falls on these weekdays")
        series_id = uuid4()
        shifts = [
            Shift.schedule(unit_id, post.strip(), starts_at, ends_at, capacity, needs, actor, series_id=series_id)
            for starts_at, ends_at in times
        ]
        series = ShiftSeries(
            id=series_id, unit_id=unit_id, post=post.strip(), weekdays=weekdays, start_time=start_time,
            end_time=end_time, timezone=timezone, first_day=first_day, weeks=weeks, capacity=capacity,
            requires=needs, shift_ids=[s.id for s in shifts], actor=actor,
        )
        return Receipt(self._commit(series, *shifts), series.id, [s.id for s in shifts])

    def _tell(self, shift: Shift, volunteers: list[Volunteer], kind: str, more: dict[str, str],
              actor: str) -> list[Notice]:
        """A notice for each volunteer on the shift, saved with the change itself (the outbox)."""
        facts = {"shift_id": str(shift.id), "unit": self._read(Unit, shift.unit_id, "unit").name, "post": shift.post,
                 "starts_at": shift.starts_at.isoformat(), "ends_at": shift.ends_at.isoformat(), **more}
        at = self.clock.now()
        return [Notice(key=f"{kind}:{shift.id}:{shift.version}:{v.id}", volunteer_id=v.id, kind=kind, facts=facts,
                       at=at, actor=actor) for v in volunteers]

    def get_shift(self, id: UUID) -> Shift:
        return self._read(Shift, id, "shift")

    def reschedule_shift(self, shift_id: UUID, starts_at: datetime, ends_at: datetime, capacity: int,
                         actor: str) -> Receipt:
        """Change one occurrence (time or places); the rest of its series stays as it is."""
        def decide() -> Receipt:
            shift = self._get(Shift, shift_id, "shift")
            volunteers = [self._get(Volunteer, v, "volunteer") for v in shift.signed_up_volunteer_ids()]
            moved = (starts_at, ends_at) != (shift.starts_at, shift.ends_at)
            was = shift.starts_at
            shift.reschedule(starts_at, ends_at, capacity, volunteers, self.clock.now(), actor)
            # A change of places alone is nobody's news; a change of time is everyone's on it.
            notices = self._tell(shift, volunteers, "shift_changed", {"was_starts_at": was.isoformat()},
                                 actor) if moved else []
            promoted = self._promote(shift, actor)  # more places: the next in line take them
            return Receipt(self._commit(shift, *volunteers, *notices, *promoted), shift_id)
        return self._decide(decide)

    def cancel_shift(self, shift_id: UUID, reason: str, actor: str) -> Receipt:
        def decide() -> Receipt:
            shift = self._get(Shift, shift_id, "shift")
            volunteers = [self._get(Volunteer, v, "volunteer") for v in shift.signed_up_volunteer_ids()]
            shift.cancel(reason, volunteers, self.clock.now(), actor)
            notices = self._tell(shift, volunteers, "shift_cancelled", {"reason": reason}, actor)
            return Receipt(self._commit(shift, *volunteers, *notices), shift_id)
        return self._decide(decide)

    def cancel_rest_of_series(self, shift_id: UUID, reason: str, actor: str) -> Receipt:
        """Cancel this occurrence and every later one of its series not over or cancelled already,
        everyone signed up told: in one save, or none of it (one with check-ins refuses them all).
        The receipt's value: the shifts cancelled."""
        def decide() -> Receipt:
            first = self._get(Shift, shift_id, "shift")
            if first.series_id is None:
                raise InvalidCommand("shift_id", "this shift is not part of a weekly series")
            series = self._get(ShiftSeries, first.series_id, "series")
            now = self.clock.now()
            changed: list = []
            cancelled = []
            for occurrence_id in series.shift_ids:
                shift = first if occurrence_id == shift_id else self._get(Shift, occurrence_id, "shift")
                if shift.starts_at < first.starts_at or shift.cancelled or shift.ends_at <= now:
                    continue
                volunteers = [self._get(Volunteer, v, "volunteer") for v in shift.signed_up_volunteer_ids()]
                shift.cancel(reason, volunteers, now, actor)
                changed += [shift, *volunteers, *self._tell(shift, volunteers, "shift_cancelled", {"reason": reason},
                                                            actor)]
                cancelled.append(shift.id)
            return Receipt(self._commit(*changed), shift_id, cancelled)
        return self._decide(decide)

    def sign_up(self, shift_id: UUID, volunteer_id: UUID, actor: str, trainee: bool = False) -> Receipt:
        """Take a place (or shadow, as a trainee); the shift and the volunteer's booking in one save."""
        def decide() -> Receipt:
            shift = self._get(Shift, shift_id, "shift")
            volunteer = self._get(Volunteer, volunteer_id, "volunteer")
            self._ensure_hours_for(volunteer, shift)
            shift.sign_up(volunteer, trainee, self.clock.now(), actor, *self.limits_at(shift.unit_id))
            return Receipt(self._commit(shift, volunteer), shift_id)
        return self._decide(decide)

    def limits_at(self, unit_id: UUID) -> tuple[Limits, ZoneInfo]:
        """The fair limits of a unit's shifts (its own, else the programme's), and the clock days are told on."""
        return self._read(Unit, unit_id, "unit").limits(self.policy.limits), ZoneInfo(self.policy.timezone)

    def set_unit_limits(self, unit_id: UUID, daily_hours: float | None, weekly_hours: float | None,
                        rest_hours: float | None, actor: str) -> Receipt:
        return self._change(Unit, unit_id, "unit", lambda unit: unit.set_limits(daily_hours, weekly_hours, rest_hours,
                                                                                actor))

    def clear_no_show_review(self, volunteer_id: UUID, actor: str) -> Receipt:
        return self._change(Volunteer, volunteer_id, "volunteer",
                            lambda v: v.clear_no_show_review(self.clock.now().date(), actor))

    def too_young_for(self, volunteer: Volunteer, starts_at: datetime, ends_at: datetime) -> bool:
        """A volunteer under 18 then, and a shift outside the daytime the programme allows them."""
        return volunteer.minor_on(starts_at.date()) and self.policy.outside_minors_hours(starts_at, ends_at)

    def _ensure_hours_for(self, volunteer: Volunteer, shift: Shift) -> None:
        """A volunteer under 18 takes daytime shifts only (the programme's setting)."""
        if self.too_young_for(volunteer, shift.starts_at, shift.ends_at):
            raise MinorOutsideDaytime("Volunteers under 18 serve in daytime shifts only.",
                                      hours=list(self.policy.minors_daytime or ()))

    def withdraw(self, shift_id: UUID, volunteer_id: UUID, actor: str) -> Receipt:
        def decide() -> Receipt:
            shift = self._get(Shift, shift_id, "shift")
            volunteer = self._get(Volunteer, volunteer_id, "volunteer")
            shift.withdraw(volunteer, self.clock.now(), self.policy, actor)
            promoted = self._promote(shift, actor)  # the freed place goes to the next in line, in this save
            return Receipt(self._commit(shift, volunteer, *promoted), shift_id, shift.seats[volunteer_id].outcome)
        return self._decide(decide)

    def offer_seat(self, shift_id: UUID, volunteer_id: UUID, to: UUID | None, actor: str) -> Receipt:
        """Offer one's place to a named colleague (who is told) or to anyone eligible."""
        def decide() -> Receipt:
            shift = self._get(Shift, shift_id, "shift")
            if to is not None:
                self._read(Volunteer, to, "volunteer")
            shift.offer_seat(volunteer_id, to, self.clock.now(), actor)
            told = self._tell(shift, [self._read(Volunteer, to, "volunteer")], "seat_offered", {}, actor) \
                if to is not None else []
            return Receipt(self._commit(shift, *told), shift_id)
        return self._decide(decide)

    def withdraw_offer(self, shift_id: UUID, volunteer_id: UUID, actor: str) -> Receipt:
        return self._change(Shift, shift_id, "shift", lambda shift: shift.withdraw_offer(volunteer_id, actor))

    def take_seat(self, shift_id: UUID, giver_id: UUID, taker_id: UUID, actor: str) -> Receipt:
        """The offered place taken: the shift and both volunteers' bookings in one save, the giver told.
        Where the unit wants a coordinator's approval the take waits for it; the receipt's value says
        which: "handed_over" or "awaiting_approval"."""
        def decide() -> Receipt:
            shift = self._get(Shift, shift_id, "shift")
            giver = self._get(Volunteer, giver_id, "volunteer")
            taker = self._get(Volunteer, taker_id, "volunteer")
            self._ensure_hours_for(taker, shift)
            approval = self._read(Unit, shift.unit_id, "unit").handovers_need_approval
            if not shift.take_seat(giver, taker, self.clock.now(), actor, *self.limits_at(shift.unit_id),
                                   approval=approval):
                return Receipt(self._commit(shift), shift_id, "awaiting_approval")
            told = self._tell(shift, [giver], "seat_taken", {}, actor)
            return Receipt(self._commit(shift, giver, taker, *told), shift_id, "handed_over")
        return self._decide(decide)

    def approve_handover(self, shift_id: UUID, giver_id: UUID, actor: str) -> Receipt:
        """The coordinator agrees to a take waiting for approval: the seat changes hands now, in one
        save, every rule checked again; both are told."""
        def decide() -> Receipt:
            shift = self._get(Shift, shift_id, "shift")
            taker_id = getattr(shift, "handovers_asked", {}).get(giver_id)
            if taker_id is None:
                raise NoHandoverPending("Nobody is waiting to take this place (any more).")
            giver = self._get(Volunteer, giver_id, "volunteer")
            taker = self._get(Volunteer, taker_id, "volunteer")
            self._ensure_hours_for(taker, shift)
            shift.approve_handover(giver, taker, self.clock.now(), actor, *self.limits_at(shift.unit_id))
            told = [*self._tell(shift, [giver], "seat_taken", {}, actor),
                    *self._tell(shift, [taker], "handover_approved", {}, actor)]
            return Receipt(self._commit(shift, giver, taker, *told), shift_id, taker_id)
        return self._decide(decide)

    def decline_handover(self, shift_id: UUID, giver_id: UUID, reason: str, actor: str) -> Receipt:
        """The coordinator says no: the place stays the giver's and on offer; the one who asked is told."""
        def decide() -> Receipt:
            shift = self._get(Shift, shift_id, "shift")
            taker = shift.decline_handover(giver_id, reason, actor)
            told = self._tell(shift, [self._read(Volunteer, taker, "volunteer")], "handover_declined",
                              {"reason": reason.strip()}, actor)
            return Receipt(self._commit(shift, *told), shift_id, taker)
        return self._decide(decide)

    def require_handover_approval(self, unit_id: UUID, needed: bool, actor: str) -> Receipt:
        return self._change(Unit, unit_id, "unit", lambda unit: unit.require_handover_approval(needed, actor))

    def join_waitlist(self, shift_id: UUID, volunteer_id: UUID, actor: str) -> Receipt:
        """Wait in line for a place of a full shift; the receipt's value is the place in the line."""
        return self._change(Shift, shift_id, "shift", lambda shift: shift.join_waitlist(
            self._read(Volunteer, volunteer_id, "volunteer"), self.clock.now(), actor))

    def leave_waitlist(self, shift_id: UUID, volunteer_id: UUID, actor: str) -> Receipt:
        return self._change(Shift, shift_id, "shift", lambda shift: shift.leave_waitlist(volunteer_id, actor))

    def _promote(self, shift: Shift, actor: str) -> list:
        """The volunteers promoted from the shift's waitlist into its free places (their bookings) and
        the notices telling them, to be saved with the change that freed the places."""
        if not getattr(shift, "waitlist", []) or shift.is_full:
            return []
        waiting = {v: self._get(Volunteer, v, "volunteer") for v in shift.waitlist}
        promoted = shift.promote(waiting, self.clock.now(), actor, *self.limits_at(shift.unit_id),
                                 eligible=lambda v: not self.too_young_for(v, shift.starts_at, shift.ends_at))
        volunteers = [waiting[v] for v in promoted]
        return [*volunteers, *self._tell(shift, volunteers, "waitlist_promoted", {}, actor)]

    def check_in(self, shift_id: UUID, volunteer_id: UUID, via: str, actor: str) -> Receipt:
        """Check in; a repeated check-in answers with the first time and records nothing. From the
        volunteer's own phone only where the post does not ask for its code to be scanned."""
        if via == "qr":  # only with the code that proves it: check_in_at_post
            raise InvalidCommand("via", "a check-in by the post's code needs the code")

        def decide(shift: Shift) -> datetime:
            if via == "phone" and self._read(Unit, shift.unit_id, "unit").needs_post_code(shift.post):
                raise PostCodeRequired("At this post you check in by scanning the code shown there.")
            return shift.check_in(self._read(Volunteer, volunteer_id, "volunteer"), self.clock.now(), via,
                                  self.policy, actor)
        return self._change(Shift, shift_id, "shift", decide)

    def check_in_at_post(self, shift_id: UUID, volunteer_id: UUID, code: PostCode, actor: str) -> Receipt:
        """Check in by the post's code, read and checked by `post_codes.read`: the shift must be at the
        unit and post the code names."""
        def decide(shift: Shift) -> datetime:
            self._at_post(shift, code)
            return shift.check_in(self._read(Volunteer, volunteer_id, "volunteer"), self.clock.now(), "qr",
                                  self.policy, actor)
        return self._change(Shift, shift_id, "shift", decide)

    def check_out_at_post(self, shift_id: UUID, volunteer_id: UUID, code: PostCode, served: dict[str, int],
                          actor: str) -> Receipt:
        """Check out by a scan of the post's code: a new one, not the code that checked the volunteer in."""
        self._ensure_service_types("served", list(served))

        def decide(shift: Shift) -> int:
            self._at_post(shift, code)
            checked_in_at = shift.seat_of(volunteer_id).checked_in_at
            if code.issued_at is not None and checked_in_at is not None and code.issued_at <= checked_in_at:
                raise PostCodeReplayed("This is the code you checked in with: scan the post's code again.")
            return shift.check_out(volunteer_id, self.clock.now(), served, self.policy, actor)
        return self._change(Shift, shift_id, "shift", decide)

    @staticmethod
    def _at_post(shift: Shift, code: PostCode) -> None:
        if (shift.unit_id, shift.post) != (code.unit_id, code.post):
            raise NoShiftAtPost("This code belongs to another post than your shift's.", post=shift.post)

    def walk_in(self, shift_id: UUID, volunteer_id: UUID, via: str, actor: str) -> Receipt:
        """A volunteer with no sign-up takes a free place and checks in, in one save: every rule of
        both holds (a place free, qualified, no other booking then, check-in open), or nothing is recorded."""
        def decide() -> Receipt:
            shift = self._get(Shift, shift_id, "shift")
            volunteer = self._get(Volunteer, volunteer_id, "volunteer")
            now = self.clock.now()
            self._ensure_hours_for(volunteer, shift)
            shift.sign_up(volunteer, False, now, actor, *self.limits_at(shift.unit_id))
            shift.check_in(volunteer, now, via, self.policy, actor)
            return Receipt(self._commit(shift, volunteer), shift_id)
        return self._decide(decide)

    def check_out(self, shift_id: UUID, volunteer_id: UUID, served: dict[str, int], actor: str) -> Receipt:
        """Check out with what was served ({service type: person-times}); answers credited minutes."""
        self._ensure_service_types("served", list(served))
        return self._change(Shift, shift_id, "shift", lambda shift: shift.check_out(volunteer_id, self.clock.now(), served, self.policy, actor))

    def check_out_forgotten(self, shift_id: UUID, volunteer_id: UUID, actor: str = "system:auto-check-out") -> Receipt:
        """Check out a volunteer who forgot to, at the shift's end, for a coordinator's review;
        the receipt's value is the credited minutes, or None when there was nothing to do."""
        def decide() -> Receipt:
            shift = self._get(Shift, shift_id, "shift")
            minutes = shift.check_out_forgotten(volunteer_id, self.clock.now(), self.policy, actor)
            return Receipt(self._commit(shift) if minutes is not None else None, shift_id, minutes)
        return self._decide(decide)

    def review_check_out(self, shift_id: UUID, volunteer_id: UUID, minutes: int | None, actor: str) -> Receipt:
        return self._change(Shift, shift_id, "shift", lambda shift: shift.review_check_out(volunteer_id, minutes, actor))

    def mark_no_show(self, shift_id: UUID, volunteer_id: UUID, actor: str) -> Receipt:
        """A no-show, counted on the volunteer too (after too many, sign-ups wait for review): one save."""
        def decide() -> Receipt:
            shift = self._get(Shift, shift_id, "shift")
            volunteer = self._get(Volunteer, volunteer_id, "volunteer")
            before = shift.seat_of(volunteer_id).state
            shift.mark_no_show(volunteer_id, self.clock.now(), actor)
            if before != "no_show":  # a repeated mark counts once
                volunteer.count_no_show(shift_id, shift.starts_at.astimezone(ZoneInfo(self.policy.timezone)).date(),
                                        actor)
            return Receipt(self._commit(shift, volunteer), shift_id)
        return self._decide(decide)

    def request_hours_correction(self, shift_id: UUID, volunteer_id: UUID, minutes: int, reason: str,
                                 actor: str) -> Receipt:
        return self._change(Shift, shift_id, "shift", lambda shift: shift.request_correction(volunteer_id, minutes, reason, actor))

    def approve_hours_correction(self, shift_id: UUID, request_id: UUID, actor: str) -> Receipt:
        return self._change(Shift, shift_id, "shift", lambda shift: shift.approve_correction(request_id, actor))

    def decline_hours_correction(self, shift_id: UUID, request_id: UUID, reason: str, actor: str) -> Receipt:
        return self._change(Shift, shift_id, "shift", lambda shift: shift.decline_correction(request_id, reason, actor))
