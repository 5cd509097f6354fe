"""Social-work use cases: sessions with pseudonymous patients, their notes, referrals, interpreters."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.errors import InvalidCommand, NoInterpreterAvailable, NotFound, OverlappingShift
from domain.interpreting import BOOKED, SIGN_LANGUAGE, InterpreterRequest
from domain.ledger import Ledger, Receipt
from domain.notices import Notice
from domain.sessions import ServiceSession
from domain.shifts import Shift
from domain.units import Unit
from domain.volunteers import Volunteer


class SocialWork(Ledger):
    def log_session(self, unit_id: UUID, social_worker: UUID, patient_ref: str, service_type: str,
                    mode: str, started_at: datetime, minutes: int, persons: int, actor: str,
                    notes: str | None = None, case_id: UUID | None = None) -> Receipt:
        """Log a session (and its notes, if any) in one save; `patient_ref` is already a pseudonym."""
        if not patient_ref.strip():
            raise InvalidCommand("patient_ref", "must not be empty")
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
        def decide() -> Receipt:
            session = self._get(ServiceSession, id, "session")
            session.record_notes(notes, actor)
            return Receipt(self._commit(session), id)
        return self._decide(decide)

    def amend_session(self, id: UUID, service_type: str, mode: str, started_at: datetime, minutes: int,
                      persons: int, reason: str, actor: str) -> Receipt:
        self._ensure_service_types("service_type", [service_type])
        def decide() -> Receipt:
            session = self._get(ServiceSession, id, "session")
            session.amend(service_type, mode, started_at, minutes, persons, reason, actor)
            return Receipt(self._commit(session), id)
        return self._decide(decide)

    def refer_session(self, id: UUID, to: str, actor: str) -> Receipt:
        def decide() -> Receipt:
            session = self._get(ServiceSession, id, "session")
            session.refer(to, actor)
            return Receipt(self._commit(session), id)
        return self._decide(decide)

    def request_interpreter(self, id: UUID, language: str, needed_at: datetime, actor: str) -> Receipt:
        def decide() -> Receipt:
            session = self._get(ServiceSession, id, "session")
            session.request_interpreter(language, needed_at, actor)
            return Receipt(self._commit(session), id)
        return self._decide(decide)

    def close_session(self, id: UUID, actor: str) -> Receipt:
        def decide() -> Receipt:
            session = self._get(ServiceSession, id, "session")
            session.close(actor)
            return Receipt(self._commit(session), id)
        return self._decide(decide)

    # --- sign-language interpreters ------------------------------------------------------

    def request_interpreting(self, unit_id: UUID, place: str, starts_at: datetime, minutes: int,
                             candidates: list[UUID], actor: str, session_id: UUID | None = None) -> Receipt:
        """Ask for a sign-language interpreter; the candidates (found in the read models: qualified,
        free or on duty here then) are each sent a notice in the same save."""
        unit = self._get(Unit, unit_id, "unit")
        if session_id is not None:
            self._get(ServiceSession, session_id, "session")
        request = InterpreterRequest.ask(unit_id, place, starts_at, minutes, session_id, candidates,
                                         self.clock.now(), actor)
        if not candidates:
            raise NoInterpreterAvailable("No volunteer holding a valid sign-language qualification is free or "
                                         "on duty at that time.")
        facts = {"request_id": str(request.id), "unit": unit.name, "place": request.place,
                 "starts_at": starts_at.isoformat(), "minutes": str(minutes)}
        notices = [Notice(key=f"interpreter_wanted:{request.id}:{v}", volunteer_id=v, kind="interpreter_wanted",
                          facts=facts, at=self.clock.now(), actor=actor) for v in candidates]
        return Receipt(self._commit(request, *notices), request.id, candidates)

    def get_interpreting(self, id: UUID) -> InterpreterRequest:
        return self._read(InterpreterRequest, id, "interpreter request")

    def accept_interpreting(self, id: UUID, volunteer_id: UUID, actor: str) -> Receipt:
        """The first qualified volunteer to accept is booked: of two accepting at once, one wins the
        version race and the other, deciding again, finds the request booked (409)."""
        def decide() -> Receipt:
            request = self._get(InterpreterRequest, id, "interpreter request")
            if request.state == BOOKED and request.volunteer_id == volunteer_id:
                return Receipt(None, id, BOOKED)  # a double tap
            volunteer = self._get(Volunteer, volunteer_id, "volunteer")
            request.accept(volunteer_id, self.clock.now(), actor)  # refuses first when taken or closed
            volunteer.ensure_may_serve(frozenset({SIGN_LANGUAGE}), request.starts_at.date())
            on_duty = [other for other, (starts, ends) in volunteer.bookings.items()
                       if starts < request.ends_at and request.starts_at < ends]
            for other in on_duty:  # on a shift then: only at this unit may they step away to interpret
                try:
                    here = self._read(Shift, other, "shift").unit_id == request.unit_id
                except NotFound:
                    here = False  # another interpreting booking
                if not here:
                    raise OverlappingShift(f"{volunteer.name} is booked elsewhere at that time.",
                                           shift_id=str(other))
            if not on_duty:
                volunteer.book(id, request.starts_at, request.ends_at, self.clock.now(), actor)
                return Receipt(self._commit(request, volunteer), id, BOOKED)
            return Receipt(self._commit(request), id, BOOKED)
        return self._decide(decide)

    def serve_interpreting(self, id: UUID, minutes: int, actor: str) -> Receipt:
        def decide() -> Receipt:
            request = self._get(InterpreterRequest, id, "interpreter request")
            request.serve(minutes, self.clock.now(), actor)
            return Receipt(self._commit(request), id, minutes)
        return self._decide(decide)

    def cancel_interpreting(self, id: UUID, reason: str, actor: str) -> Receipt:
        def decide() -> Receipt:
            request = self._get(InterpreterRequest, id, "interpreter request")
            booked = request.volunteer_id
            request.cancel(reason, actor)
            changed: list = [request]
            if booked is not None:  # the interpreter's time is theirs again, and they are told
                volunteer = self._get(Volunteer, booked, "volunteer")
                volunteer.release(id, actor)
                unit = self._read(Unit, request.unit_id, "unit")
                changed += [volunteer, Notice(
                    key=f"interpreter_cancelled:{id}:{booked}", volunteer_id=booked, kind="interpreter_cancelled",
                    facts={"request_id": str(id), "unit": unit.name, "place": request.place,
                           "starts_at": request.starts_at.isoformat(), "reason": reason.strip()},
                    at=self.clock.now(), actor=actor)]
            return Receipt(self._commit(*changed), id)
        return self._decide(decide)
