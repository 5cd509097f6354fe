"""Social-work use cases: sessions with pseudonymous patients, their notes, referrals, interpreters."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from domain.errors import InvalidCommand
from domain.sessions import ServiceSession
from domain.units import Unit
from domain.usecases.ledger import Ledger, Receipt

CLOCK_SKEW = timedelta(minutes=10)  # a phone's clock a little ahead of the server's


class SessionUseCases(Ledger):
    def log_session(self, unit_id: UUID, social_worker: UUID, patient_ref: str, service_type: str,
                    mode: str, started_at: datetime, minutes: int, persons: int, actor: str,
                    notes: str | None = None, case_id: UUID | None = None) -> Receipt:
        """Log a session (and its notes, if any) in one save; `patient_ref` is already a pseudonym."""
        if not patient_ref.strip():
            raise InvalidCommand("patient_ref", "must not be empty")
        if started_at > self.clock.now() + CLOCK_SKEW:  # logged after it happened, never before
            raise InvalidCommand("started_at", "must not be in the future")
        self._get(Unit, unit_id, "unit")
        self._ensure_service_types("service_type", [service_type])
        session = ServiceSession.log(unit_id, social_worker, patient_ref, service_type, mode, started_at,
                                     minutes, persons, case_id, actor)
        if notes:
            session.record_notes(notes, actor)
        return Receipt(self._commit(session), session.id)

    def get_session(self, id: UUID) -> ServiceSession:
        return self._read(ServiceSession, id, "session")

    def record_session_notes(self, id: UUID, notes: str, actor: str) -> Receipt:
        if not notes.strip():
            raise InvalidCommand("notes", "must not be empty")
        return self._change(ServiceSession, id, "session", lambda session: session.record_notes(notes, actor))

    def amend_session(self, id: UUID, service_type: str, mode: str, started_at: datetime, minutes: int,
                      persons: int, reason: str, actor: str) -> Receipt:
        self._ensure_service_types("service_type", [service_type])
        return self._change(ServiceSession, id, "session", lambda session: session.amend(service_type, mode, started_at, minutes, persons, reason, actor))

    def refer_session(self, id: UUID, to: str, actor: str) -> Receipt:
        return self._change(ServiceSession, id, "session", lambda session: session.refer(to, actor))

    def request_interpreter(self, id: UUID, language: str, needed_at: datetime, actor: str) -> Receipt:
        return self._change(ServiceSession, id, "session", lambda session: session.request_interpreter(language, needed_at, actor))

    def close_session(self, id: UUID, actor: str) -> Receipt:
        return self._change(ServiceSession, id, "session", lambda session: session.close(actor))
