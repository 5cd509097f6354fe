"""A request for a service, asked by a ward or a social worker for a time and a place: a companion
for a patient alone, an escort to a test, psychological relief, guidance, a sign-language
interpreter. Offered to the qualified volunteers on duty there or on call, booked by the first to
accept, escalated to the coordinator when nobody answers in time, counted when served."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import event
from eventsourcing.utils import register_topic

from domain import bounds
from domain.aggregate import Aggregate
from domain.errors import (
    InterpreterAlreadyBooked,
    InterpreterRequestClosed,
    InvalidCommand,
    RequestClosed,
    RequestTaken,
)

OPEN, BOOKED, SERVED, CANCELLED = STATES = ("open", "booked", "served", "cancelled")
SIGN_LANGUAGE = "sign_language"  # the service type of interpreting, and the qualification it needs
# What a kind of service needs of a volunteer whatever the ward asks: an interpreter must sign.
NEEDED_FOR = {SIGN_LANGUAGE: (SIGN_LANGUAGE,)}
LONGEST_MINUTES = 8 * 60


def _check_minutes(field: str, minutes: int) -> None:
    bounds.count(field, minutes, 5, LONGEST_MINUTES)


def needed_for(kind: str, asked: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The qualifications a volunteer must hold to take a request of `kind` (what the kind itself
    needs, and what the ward asked for besides)."""
    return sorted({*NEEDED_FOR.get(kind, ()), *asked})


class ServiceRequest(Aggregate):
    @classmethod
    def ask(cls, unit_id: UUID, kind: str, place: str, starts_at: datetime, minutes: int, now: datetime,
            actor: str, *, needs: list[str] = (), language: str | None = None,  # type: ignore[assignment]
            patient_ref: str | None = None, note: str | None = None, session_id: UUID | None = None,
            candidates: list[UUID] = ()) -> ServiceRequest:  # type: ignore[assignment]
        kind = bounds.text("kind", kind, bounds.TAG)
        if not place.strip():
            raise InvalidCommand("place", "must say where the volunteer is needed (ward, bed, desk)")
        place = bounds.text("place", place, bounds.TITLE).strip()
        bounds.moment("starts_at", starts_at)
        _check_minutes("minutes", minutes)
        if starts_at + timedelta(minutes=minutes) <= now:
            raise InvalidCommand("starts_at", "is over already; log the session instead")
        language = bounds.text("language", language, bounds.TAG).strip() or None if language else None
        note = bounds.text("note", note, bounds.REASON).strip() or None if note else None
        needs = needed_for(kind, bounds.tags("needs", needs))
        return cls(unit_id, kind, place, starts_at, minutes, needs, language, patient_ref, note, session_id,
                   list(candidates), now, actor)

    @event("Requested")
    def __init__(self, unit_id: UUID, kind: str, place: str, starts_at: datetime, minutes: int, needs: list[str],
                 language: str | None, patient_ref: str | None, note: str | None, session_id: UUID | None,
                 candidates: list[UUID], at: datetime | None, actor: str) -> None:
        self.unit_id, self.kind, self.place, self.starts_at, self.minutes = unit_id, kind, place, starts_at, minutes
        self.needs, self.language, self.patient_ref, self.note = needs, language, patient_ref, note
        self.session_id, self.candidates, self.requested_by = session_id, candidates, actor
        self.state = OPEN
        self.asked_at = at  # on the programme's clock (an interpreter request of old did not say)
        self.volunteer_id: UUID | None = None
        self.escalated = False

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)

    def _taken(self) -> type[RequestTaken]:  # an interpreter request keeps the codes its clients know
        return InterpreterAlreadyBooked if self.kind == SIGN_LANGUAGE else RequestTaken

    def _closed(self) -> type[RequestClosed]:
        return InterpreterRequestClosed if self.kind == SIGN_LANGUAGE else RequestClosed

    def accept(self, volunteer_id: UUID, at: datetime, actor: str) -> None:
        """The first to accept is booked; everyone after is told it is taken."""
        if self.state == BOOKED:
            if self.volunteer_id == volunteer_id:
                return  # a double tap: already theirs
            raise self._taken()("Another volunteer has already accepted this request.")
        self._ensure(OPEN, "accepted")
        if at >= self.ends_at:
            raise self._closed()("This request is over.", state="over")
        self._accepted(volunteer_id, at, actor)

    @event("Accepted")
    def _accepted(self, volunteer_id: UUID, at: datetime, actor: str) -> None:
        self.state, self.volunteer_id = BOOKED, volunteer_id

    def escalate(self, at: datetime, actor: str) -> None:
        """Nobody answered in time: the coordinator is asked to find someone (once)."""
        if self.state == OPEN and not self.escalated:
            self._escalated(self.unit_id, at, actor)

    @event("Escalated")
    def _escalated(self, unit_id: UUID, at: datetime, actor: str) -> None:
        self.escalated = True

    def serve(self, minutes: int, at: datetime, actor: str) -> None:
        """The service happened: counted once, as a person-time of its kind and the volunteer's
        hours (the event carries what the tallies and the record need)."""
        self._ensure(BOOKED, "marked as served")
        _check_minutes("minutes", minutes)
        if at < self.starts_at:
            raise InvalidCommand("minutes", "the service has not started yet")
        self._served(self.unit_id, self.volunteer_id, self.kind, self.place, self.starts_at, minutes, at, actor)

    @event("Served")
    def _served(self, unit_id: UUID, volunteer_id: UUID | None, kind: str, place: str, starts_at: datetime,
                minutes: int, at: datetime, actor: str) -> None:
        self.state = SERVED

    def cancel(self, reason: str, actor: str) -> None:
        if self.state not in (OPEN, BOOKED):
            raise self._closed()(f"This request is {self.state} and cannot be cancelled.", state=self.state)
        if not reason.strip():
            raise InvalidCommand("reason", "say why, for the volunteer")
        self._cancelled(bounds.text("reason", reason, bounds.REASON).strip(), actor)

    @event("Cancelled")
    def _cancelled(self, reason: str, actor: str) -> None:
        self.state = CANCELLED

    def _ensure(self, state: str, action: str) -> None:
        if self.state != state:
            raise self._closed()(f"This request is {self.state}; it cannot be {action}.", state=self.state)


# Before requests were general they were sign-language interpreter requests, stored under that
# name and without a kind: they read as what they were.
register_topic("domain.interpreting:InterpreterRequest", ServiceRequest)


def _as_interpreting(*fields: tuple[str, Any]) -> Any:
    def upcast(state: dict[str, Any]) -> None:
        for name, value in fields:
            state.setdefault(name, value)
    return staticmethod(upcast)


for _event_class, _fields in (
        (ServiceRequest.Requested, (("kind", SIGN_LANGUAGE), ("needs", [SIGN_LANGUAGE]), ("language", None),
                                    ("patient_ref", None), ("note", None), ("at", None))),
        (ServiceRequest.Served, (("kind", SIGN_LANGUAGE),))):
    _event_class.class_version = 2  # type: ignore[attr-defined]
    _event_class.upcast_v1_v2 = _as_interpreting(*_fields)  # type: ignore[attr-defined]

# Stores written before the domain checked these bounds may hold impossible counts: read them clamped.
bounds.repaired_on_read(ServiceRequest.Served)(
    lambda state: bounds.clamped(state, {"minutes": (5, LONGEST_MINUTES)}))
