"""Sign-language interpreter use cases: ask (the candidates told), accept (the first is booked), served, cancel."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.errors import NoInterpreterAvailable, NotFound, OverlappingShift
from domain.interpreting import BOOKED, SIGN_LANGUAGE, InterpreterRequest
from domain.usecases.ledger import Ledger, Receipt
from domain.notices import Notice
from domain.sessions import ServiceSession
from domain.shifts import Shift
from domain.units import Unit
from domain.volunteers import Volunteer


class InterpretingUseCases(Ledger):
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
