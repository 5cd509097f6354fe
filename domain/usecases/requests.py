"""Service-request use cases: ask (the candidates told), accept (the first is booked), escalate,
served, cancel; and a volunteer going on call for them."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.errors import NobodyToAsk, NoInterpreterAvailable, NotFound, OverlappingShift
from domain.notices import Notice
from domain.requests import BOOKED, SIGN_LANGUAGE, ServiceRequest
from domain.sessions import ServiceSession
from domain.shifts import Shift
from domain.units import Unit
from domain.usecases.ledger import Ledger, Receipt
from domain.volunteers import Volunteer


class RequestUseCases(Ledger):
    def request_service(self, unit_id: UUID, kind: str, place: str, starts_at: datetime, minutes: int,
                        candidates: list[UUID], actor: str, *, needs: list[str] = (),  # type: ignore[assignment]
                        language: str | None = None, patient_ref: str | None = None, note: str | None = None,
                        session_id: UUID | None = None) -> Receipt:
        """Ask for a volunteer; the candidates (found in the read models: qualified, on duty there
        or on call then) are each sent a notice in the same save."""
        unit = self._get(Unit, unit_id, "unit")
        self._ensure_service_types("kind", [kind])
        if session_id is not None:
            self._get(ServiceSession, session_id, "session")
        request = ServiceRequest.ask(unit_id, kind, place, starts_at, minutes, self.clock.now(), actor, needs=needs,
                                     language=language, patient_ref=patient_ref, note=note, session_id=session_id,
                                     candidates=candidates)
        if not candidates:
            if kind == SIGN_LANGUAGE:
                raise NoInterpreterAvailable("No volunteer holding a valid sign-language qualification is free or "
                                             "on duty at that time.")
            raise NobodyToAsk("No qualified volunteer is on duty there or on call at that time; ask the "
                              "coordinator.")
        en, zh = self.service_types()[kind]
        facts = {"request_id": str(request.id), "unit": unit.name, "place": request.place, "kind": kind,
                 "kind_en": en, "kind_zh": zh, "starts_at": starts_at.isoformat(), "minutes": str(minutes)}
        wanted = "interpreter_wanted" if kind == SIGN_LANGUAGE else "service_wanted"
        notices = [Notice(key=f"{wanted}:{request.id}:{v}", volunteer_id=v, kind=wanted, facts=facts,
                          at=self.clock.now(), actor=actor) for v in candidates]
        return Receipt(self._commit(request, *notices), request.id, candidates)

    def request_interpreting(self, unit_id: UUID, place: str, starts_at: datetime, minutes: int,
                             candidates: list[UUID], actor: str, session_id: UUID | None = None) -> Receipt:
        return self.request_service(unit_id, SIGN_LANGUAGE, place, starts_at, minutes, candidates, actor,
                                    session_id=session_id)

    def get_request(self, id: UUID) -> ServiceRequest:
        return self._read(ServiceRequest, id, "service request")

    def accept_request(self, id: UUID, volunteer_id: UUID, actor: str) -> Receipt:
        """The first qualified volunteer to accept is booked: of two accepting at once, one wins the
        version race and the other, deciding again, finds the request booked (409)."""
        def decide() -> Receipt:
            request = self._get(ServiceRequest, id, "service request")
            if request.state == BOOKED and request.volunteer_id == volunteer_id:
                return Receipt(None, id, BOOKED)  # a double tap
            volunteer = self._get(Volunteer, volunteer_id, "volunteer")
            request.accept(volunteer_id, self.clock.now(), actor)  # refuses first when taken or closed
            volunteer.ensure_may_serve(frozenset(request.needs), request.starts_at.date())
            on_duty = [other for other, (starts, ends) in volunteer.bookings.items()
                       if starts < request.ends_at and request.starts_at < ends]
            for other in on_duty:  # on a shift then: only at this unit may they step away to help
                try:
                    here = self._read(Shift, other, "shift").unit_id == request.unit_id
                except NotFound:
                    here = False  # another request's booking
                if not here:
                    raise OverlappingShift(f"{volunteer.name} is booked elsewhere at that time.",
                                           shift_id=str(other))
            if not on_duty:
                volunteer.book(id, request.starts_at, request.ends_at, self.clock.now(), actor)
                return Receipt(self._commit(request, volunteer), id, BOOKED)
            return Receipt(self._commit(request), id, BOOKED)
        return self._decide(decide)

    def escalate_request(self, id: UUID, actor: str) -> Receipt:
        """Still open after the wait the programme allows: on the coordinator's board, marked (once)."""
        return self._change(ServiceRequest, id, "service request",
                            lambda request: request.escalate(self.clock.now(), actor))

    def serve_request(self, id: UUID, minutes: int, actor: str) -> Receipt:
        def decide() -> Receipt:
            request = self._get(ServiceRequest, id, "service request")
            request.serve(minutes, self.clock.now(), actor)
            return Receipt(self._commit(request), id, minutes)
        return self._decide(decide)

    def cancel_request(self, id: UUID, reason: str, actor: str) -> Receipt:
        def decide() -> Receipt:
            request = self._get(ServiceRequest, id, "service request")
            booked = request.volunteer_id
            request.cancel(reason, actor)
            changed: list = [request]
            if booked is not None:  # the volunteer's time is theirs again, and they are told
                volunteer = self._get(Volunteer, booked, "volunteer")
                volunteer.release(id, actor)
                unit = self._read(Unit, request.unit_id, "unit")
                told = "interpreter_cancelled" if request.kind == SIGN_LANGUAGE else "service_cancelled"
                en, zh = self.service_types().get(request.kind, (request.kind, request.kind))
                changed += [volunteer, Notice(
                    key=f"{told}:{id}:{booked}", volunteer_id=booked, kind=told,
                    facts={"request_id": str(id), "unit": unit.name, "place": request.place, "kind": request.kind,
                           "kind_en": en, "kind_zh": zh, "starts_at": request.starts_at.isoformat(),
                           "reason": reason.strip()},
                    at=self.clock.now(), actor=actor)]
            return Receipt(self._commit(*changed), id)
        return self._decide(decide)

    def go_on_call(self, volunteer_id: UUID, starts_at: datetime, ends_at: datetime, actor: str) -> Receipt:
        return self._change(Volunteer, volunteer_id, "volunteer",
                            lambda v: v.go_on_call(starts_at, ends_at, self.clock.now(), actor))

    def go_off_call(self, volunteer_id: UUID, actor: str) -> Receipt:
        return self._change(Volunteer, volunteer_id, "volunteer", lambda v: v.go_off_call(actor))
