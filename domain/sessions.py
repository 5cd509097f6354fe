"""The ServiceSession: one piece of medical social work with a pseudonymous patient."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import event

from domain import bounds
from domain.aggregate import Aggregate

from domain.errors import InvalidCommand, SessionClosed

MODES = ("individual", "group", "community")


def validate_session(mode: str, minutes: int, persons: int, started_at: datetime) -> None:
    if mode not in MODES:
        raise InvalidCommand("mode", f"must be one of {', '.join(MODES)}")
    bounds.count("minutes", minutes, 1, bounds.DAY_MINUTES)
    bounds.count("persons", persons, 1, bounds.PERSONS)
    if mode == "individual" and persons != 1:
        raise InvalidCommand("persons", "an individual session serves exactly 1 person")
    bounds.moment("started_at", started_at)


class ServiceSession(Aggregate):
    @classmethod
    def log(
        cls, unit_id: UUID, social_worker: UUID, patient_ref: str, service_type: str, mode: str,
        started_at: datetime, minutes: int, persons: int, case_id: UUID | None, actor: str,
    ) -> ServiceSession:
        validate_session(mode, minutes, persons, started_at)
        return cls(unit_id, social_worker, patient_ref, service_type, mode, started_at, minutes,
                   persons, case_id, actor)

    @event("Logged")
    def __init__(
        self, unit_id: UUID, social_worker: UUID, patient_ref: str, service_type: str, mode: str,
        started_at: datetime, minutes: int, persons: int, case_id: UUID | None, actor: str,
    ) -> None:
        self.unit_id, self.social_worker, self.patient_ref = unit_id, social_worker, patient_ref
        self.service_type, self.mode = service_type, mode
        self.started_at, self.minutes, self.persons = started_at, minutes, persons
        self.case_id = case_id
        self.notes: str | None = None
        self.referred_to: list[str] = []
        self.interpreter_requests: list[str] = []
        self.closed = False

    def _ensure_open(self) -> None:
        if self.closed:
            raise SessionClosed("This session is closed.")

    def record_notes(self, notes: str, actor: str) -> None:
        """Notes are sensitive: they live only in this event (encrypted at rest with a key set)."""
        self._ensure_open()
        self._notes_recorded(bounds.text("notes", notes, bounds.NOTE), actor)

    @event("NotesRecorded")
    def _notes_recorded(self, notes: str, actor: str) -> None:
        self.notes = notes

    def amend(
        self, service_type: str, mode: str, started_at: datetime, minutes: int, persons: int,
        reason: str, actor: str,
    ) -> None:
        self._ensure_open()
        validate_session(mode, minutes, persons, started_at)
        if not reason.strip():
            raise InvalidCommand("reason", "an amendment must say why")
        self._amended(service_type, mode, started_at, minutes, persons, bounds.text("reason", reason, bounds.REASON),
                      actor)

    @event("Amended")
    def _amended(
        self, service_type: str, mode: str, started_at: datetime, minutes: int, persons: int,
        reason: str, actor: str,
    ) -> None:
        self.service_type, self.mode = service_type, mode
        self.started_at, self.minutes, self.persons = started_at, minutes, persons

    def refer(self, to: str, actor: str) -> None:
        self._ensure_open()
        if not to.strip():
            raise InvalidCommand("to", "must name where the patient is referred")
        self._referred(bounds.text("to", to, bounds.TITLE), actor)

    @event("Referred")
    def _referred(self, to: str, actor: str) -> None:
        self.referred_to.append(to)

    def request_interpreter(self, language: str, needed_at: datetime, actor: str) -> None:
        self._ensure_open()
        self._interpreter_requested(bounds.text("language", language, bounds.TAG), bounds.moment("needed_at", needed_at),
                                    actor)

    @event("InterpreterRequested")
    def _interpreter_requested(self, language: str, needed_at: datetime, actor: str) -> None:
        self.interpreter_requests.append(language)

    def close(self, actor: str) -> None:
        self._ensure_open()
        self._closed(actor)

    @event("Closed")
    def _closed(self, actor: str) -> None:
        self.closed = True


# Stores written before the domain checked these bounds may hold impossible counts: read them clamped.
bounds.repaired_on_read(ServiceSession.Logged, ServiceSession.Amended)(
    lambda state: bounds.clamped(state, {"minutes": (1, bounds.DAY_MINUTES), "persons": (1, bounds.PERSONS)}))
