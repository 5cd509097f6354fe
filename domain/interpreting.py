"""A request for a sign-language interpreter: asked by a social worker for a time and a place,
offered to the qualified volunteers free or on duty then, booked by the first to accept."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from eventsourcing.domain import event

from domain import bounds
from domain.aggregate import Aggregate
from domain.errors import (
    InterpreterAlreadyBooked,
    InterpreterRequestClosed,
    InvalidCommand,
)

OPEN, BOOKED, SERVED, CANCELLED = STATES = ("open", "booked", "served", "cancelled")
SIGN_LANGUAGE = "sign_language"  # the qualification asked for, and the service type counted
LONGEST_MINUTES = 8 * 60


def _check_minutes(field: str, minutes: int) -> None:
    bounds.count(field, minutes, 5, LONGEST_MINUTES)


class InterpreterRequest(Aggregate):
    @classmethod
    def ask(cls, unit_id: UUID, place: str, starts_at: datetime, minutes: int, session_id: UUID | None,
            candidates: list[UUID], now: datetime, actor: str) -> InterpreterRequest:
        if not place.strip():
            raise InvalidCommand("place", "must say where the interpreter is needed (ward, room, desk)")
        place = bounds.text("place", place, bounds.TITLE)
        bounds.moment("starts_at", starts_at)
        _check_minutes("minutes", minutes)
        if starts_at + timedelta(minutes=minutes) <= now:
            raise InvalidCommand("starts_at", "is over already; log the session instead")
        return cls(unit_id, place.strip(), starts_at, minutes, session_id, candidates, actor)

    @event("Requested")
    def __init__(self, unit_id: UUID, place: str, starts_at: datetime, minutes: int, session_id: UUID | None,
                 candidates: list[UUID], actor: str) -> None:
        self.unit_id, self.place, self.starts_at, self.minutes = unit_id, place, starts_at, minutes
        self.session_id, self.candidates, self.requested_by = session_id, candidates, actor
        self.state = OPEN
        self.volunteer_id: UUID | None = None

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)

    def accept(self, volunteer_id: UUID, at: datetime, actor: str) -> None:
        """The first to accept is booked; everyone after is told it is taken."""
        if self.state == BOOKED:
            if self.volunteer_id == volunteer_id:
                return  # a double tap: already theirs
            raise InterpreterAlreadyBooked("Another interpreter has already accepted this request.")
        self._ensure(OPEN, "accepted")
        if at >= self.ends_at:
            raise InterpreterRequestClosed("This request is over.")
        self._accepted(volunteer_id, at, actor)

    @event("Accepted")
    def _accepted(self, volunteer_id: UUID, at: datetime, actor: str) -> None:
        self.state, self.volunteer_id = BOOKED, volunteer_id

    def serve(self, minutes: int, at: datetime, actor: str) -> None:
        """The interpreting happened: counted once, as a sign-language person-time and the
        interpreter's hours (the event carries what the tallies and the record need)."""
        self._ensure(BOOKED, "marked as served")
        _check_minutes("minutes", minutes)
        if at < self.starts_at:
            raise InvalidCommand("minutes", "the interpreting has not started yet")
        self._served(self.unit_id, self.volunteer_id, self.place, self.starts_at, minutes, at, actor)

    @event("Served")
    def _served(self, unit_id: UUID, volunteer_id: UUID | None, place: str, starts_at: datetime, minutes: int,
                at: datetime, actor: str) -> None:
        self.state = SERVED

    def cancel(self, reason: str, actor: str) -> None:
        if self.state not in (OPEN, BOOKED):
            raise InterpreterRequestClosed(f"This request is {self.state} and cannot be cancelled.", state=self.state)
        if not reason.strip():
            raise InvalidCommand("reason", "say why, for the interpreter")
        self._cancelled(bounds.text("reason", reason, bounds.REASON), actor)

    @event("Cancelled")
    def _cancelled(self, reason: str, actor: str) -> None:
        self.state = CANCELLED

    def _ensure(self, state: str, action: str) -> None:
        if self.state != state:
            raise InterpreterRequestClosed(f"This request is {self.state}; it cannot be {action}.", state=self.state)


# Stores written before the domain checked these bounds may hold impossible counts: read them clamped.
bounds.repaired_on_read(InterpreterRequest.Served)(
    lambda state: bounds.clamped(state, {"minutes": (5, LONGEST_MINUTES)}))
