"""Cases (个案), their consent, notes and supervision; groups and community activities.

Notes are read only by the case's social workers and their supervisors, and come from the log
(they are never in a read model)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from domain.cases import CONSENT_SCOPES, CONTACTS, EVALUATIONS, INTAKE_SOURCES, OUTCOMES, RISKS, Case
from projections import casework
from web.api.common import Status, Tag, local, read_db, report_span, written
from web.auth import Principal, allow
from web.pseudonyms import patient_ref

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]
Source = Literal[INTAKE_SOURCES]  # type: ignore[valid-type]


class NewCase(msgspec.Struct, forbid_unknown_fields=True):
    unit_id: UUID
    patient_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    source: Source
    lead_worker_id: UUID | None = None


class Consent(msgspec.Struct, forbid_unknown_fields=True):
    scope: Annotated[list[Literal[CONSENT_SCOPES]], msgspec.Meta(max_length=len(CONSENT_SCOPES))]  # type: ignore[valid-type]


class Assessment(msgspec.Struct, forbid_unknown_fields=True):
    risk: Literal[RISKS]  # type: ignore[valid-type]
    needs: Annotated[list[Annotated[str, msgspec.Meta(max_length=200)]], msgspec.Meta(max_length=30)] = []


class CasePlan(msgspec.Struct, forbid_unknown_fields=True):
    goals: Annotated[list[Annotated[str, msgspec.Meta(max_length=500)]], msgspec.Meta(max_length=30)]


class NewNote(msgspec.Struct, forbid_unknown_fields=True):
    contact_at: datetime
    contacted: Annotated[list[Literal[CONTACTS]], msgspec.Meta(max_length=len(CONTACTS))]  # type: ignore[valid-type]
    text: Text


class Referral(msgspec.Struct, forbid_unknown_fields=True):
    to: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class Transfer(msgspec.Struct, forbid_unknown_fields=True):
    to_worker_id: UUID


class Evaluation(msgspec.Struct, forbid_unknown_fields=True):
    result: Literal[EVALUATIONS]  # type: ignore[valid-type]


class Closure(msgspec.Struct, forbid_unknown_fields=True):
    outcome: Literal[OUTCOMES]  # type: ignore[valid-type]


class NewGroup(msgspec.Struct, forbid_unknown_fields=True):
    kind: Literal["group", "community"]
    unit_id: UUID
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    service_type: Tag


class Meeting(msgspec.Struct, forbid_unknown_fields=True):
    started_at: datetime
    minutes: Annotated[int, msgspec.Meta(ge=1, le=1440)]
    persons: Annotated[int, msgspec.Meta(ge=1, le=100_000)]


class Supervision(msgspec.Struct, forbid_unknown_fields=True):
    supervisor_id: UUID | None
    intern: bool = False


def case_role(request: Request, case: Case) -> str | None:
    """'worker' for the case's social workers, 'supervisor' for their supervisors, else None."""
    me: Principal = request.user
    if me.role != "social_worker":
        return None
    if UUID(me.account_id) in case.workers:
        return "worker"
    ledger = request.app.state.ledger
    for worker in case.workers:
        if ledger.get_account(worker).supervisor_id == UUID(me.account_id):
            return "supervisor"
    return None


class CasesController(Controller):
    path = "/api/v1"
    tags = ["case work"]

    def _case(self, request: Request, case_id: UUID, *, working: bool = True) -> Case:
        case = request.app.state.ledger.get_case(case_id)
        request.user.ensure_unit(case.unit_id)
        if working and case_role(request, case) is None:
            raise PermissionDeniedException("Only the case's social workers and their supervisors may do this")
        return case

    @post("/cases", guards=[allow("social_worker")], sync_to_thread=True)
    def open_case(self, request: Request, data: JSONBody[NewCase]) -> Response:
        request.user.ensure_unit(data.unit_id)
        state = request.app.state
        ref = patient_ref(data.patient_id, state.pseudonym_secret)
        lead = data.lead_worker_id or UUID(request.user.account_id)
        receipt = state.ledger.open_case(data.unit_id, lead, ref, data.source, request.user.account_id)
        return written(request, receipt, {"id": str(receipt.id), "patient_ref": ref, "status": "open"}, 201)

    @get("/cases", guards=[allow("social_worker")], sync_to_thread=True)
    def list_cases(self, request: Request, unit_id: FromQuery[UUID | None] = None,
                   status: Status = None, min_position: FromQuery[int | None] = None) -> list[dict]:
        units = list(request.user.unit_ids)
        if unit_id is not None:
            request.user.ensure_unit(unit_id)
            units = [str(unit_id)]
        return casework.cases(read_db(request, min_position), units, status)

    @get("/cases/worklist", guards=[allow("social_worker")], sync_to_thread=True)
    def worklist(self, request: Request, mine: FromQuery[bool] = False,
                 min_position: FromQuery[int | None] = None) -> list[dict]:
        state = request.app.state
        return casework.worklist(read_db(request, min_position), list(request.user.unit_ids), state.ledger.clock.now(),
                                 state.ledger.case_policy, request.user.account_id if mine else None)

    @get("/cases/{case_id:uuid}", guards=[allow("social_worker")], sync_to_thread=True)
    def show(self, request: Request, case_id: FromPath[UUID], min_position: FromQuery[int | None] = None) -> dict:
        found = casework.case(read_db(request, min_position), str(case_id))
        if found is None:
            raise NotFoundException(f"No case with id {case_id}")
        request.user.ensure_unit(found["unit_id"])
        return found

    @get("/cases/{case_id:uuid}/notes", guards=[allow("social_worker")], sync_to_thread=True)
    def notes(self, request: Request, case_id: FromPath[UUID]) -> list[dict]:
        case = self._case(request, case_id)
        return [{"note_id": str(note_id), "author": str(n.author), "contact_at": n.contact_at,
                 "written_at": n.written_at, "contacted": n.contacted, "text": n.text, "late": n.late,
                 "pending": n.pending} for note_id, n in case.notes.items()]

    def _step(self, request: Request, case_id: UUID, command, content: dict, status: int = 200) -> Response:
        self._case(request, case_id)
        receipt = command()
        return written(request, receipt, {"id": str(case_id), **content}, status)

    @post("/cases/{case_id:uuid}/consent", guards=[allow("social_worker")], sync_to_thread=True, status_code=200)
    def consent(self, request: Request, case_id: FromPath[UUID], data: JSONBody[Consent]) -> Response:
        return self._step(request, case_id, lambda: request.app.state.ledger.give_consent(
            case_id, list(data.scope), request.user.account_id), {"consent": sorted(data.scope)})

    @post("/cases/{case_id:uuid}/consent/withdraw", guards=[allow("social_worker")], sync_to_thread=True,
          status_code=200)
    def withdraw_consent(self, request: Request, case_id: FromPath[UUID]) -> Response:
        return self._step(request, case_id, lambda: request.app.state.ledger.withdraw_consent(
            case_id, request.user.account_id), {"consent": []})

    @post("/cases/{case_id:uuid}/assessment", guards=[allow("social_worker")], sync_to_thread=True,
          status_code=200)
    def assess(self, request: Request, case_id: FromPath[UUID], data: JSONBody[Assessment]) -> Response:
        return self._step(request, case_id, lambda: request.app.state.ledger.assess_case(
            case_id, data.risk, data.needs, request.user.account_id), {"risk": data.risk})

    @post("/cases/{case_id:uuid}/plan", guards=[allow("social_worker")], sync_to_thread=True, status_code=200)
    def plan(self, request: Request, case_id: FromPath[UUID], data: JSONBody[CasePlan]) -> Response:
        return self._step(request, case_id, lambda: request.app.state.ledger.plan_case(
            case_id, data.goals, request.user.account_id), {"goals": len(data.goals)})

    @post("/cases/{case_id:uuid}/notes", guards=[allow("social_worker")], sync_to_thread=True)
    def record_note(self, request: Request, case_id: FromPath[UUID], data: JSONBody[NewNote]) -> Response:
        case = self._case(request, case_id)
        if case_role(request, case) != "worker":
            raise PermissionDeniedException("Notes are written by the case's social workers")
        state = request.app.state
        receipt = state.ledger.record_case_note(case_id, UUID(request.user.account_id), local(request, data.contact_at),
                                                list(data.contacted), data.text, request.user.account_id)
        note = state.ledger.get_case(case_id).notes[receipt.value]
        return written(request, receipt, {"note_id": str(receipt.value), "late": note.late, "pending": note.pending},
                       201)

    @post("/cases/{case_id:uuid}/notes/{note_id:uuid}/countersign", guards=[allow("social_worker")],
          sync_to_thread=True, status_code=200)
    def countersign(self, request: Request, case_id: FromPath[UUID], note_id: FromPath[UUID]) -> Response:
        case = self._case(request, case_id)
        note = case.notes.get(note_id)
        ledger = request.app.state.ledger
        if note is None or ledger.get_account(note.author).supervisor_id != UUID(request.user.account_id):
            raise PermissionDeniedException("Only the author's supervisor countersigns a note")
        receipt = ledger.countersign_note(case_id, note_id, UUID(request.user.account_id), request.user.account_id)
        return written(request, receipt, {"note_id": str(note_id), "pending": False})

    @post("/cases/{case_id:uuid}/referrals", guards=[allow("social_worker")], sync_to_thread=True)
    def refer(self, request: Request, case_id: FromPath[UUID], data: JSONBody[Referral]) -> Response:
        return self._step(request, case_id, lambda: request.app.state.ledger.refer_case_out(
            case_id, data.to, request.user.account_id), {"referred_to": data.to}, 201)

    @post("/cases/{case_id:uuid}/transfer", guards=[allow("social_worker")], sync_to_thread=True, status_code=200)
    def transfer(self, request: Request, case_id: FromPath[UUID], data: JSONBody[Transfer]) -> Response:
        return self._step(request, case_id, lambda: request.app.state.ledger.transfer_case(
            case_id, data.to_worker_id, request.user.account_id), {"lead_worker": str(data.to_worker_id)})

    @post("/cases/{case_id:uuid}/evaluation", guards=[allow("social_worker")], sync_to_thread=True,
          status_code=200)
    def evaluate(self, request: Request, case_id: FromPath[UUID], data: JSONBody[Evaluation]) -> Response:
        return self._step(request, case_id, lambda: request.app.state.ledger.evaluate_case(
            case_id, data.result, request.user.account_id), {"status": "evaluated"})

    @post("/cases/{case_id:uuid}/close", guards=[allow("social_worker")], sync_to_thread=True, status_code=200)
    def close(self, request: Request, case_id: FromPath[UUID], data: JSONBody[Closure]) -> Response:
        return self._step(request, case_id, lambda: request.app.state.ledger.close_case(
            case_id, data.outcome, request.user.account_id), {"status": "closed", "outcome": data.outcome})

    @post("/groups", guards=[allow("social_worker")], sync_to_thread=True)
    def form_group(self, request: Request, data: JSONBody[NewGroup]) -> Response:
        request.user.ensure_unit(data.unit_id)
        receipt = request.app.state.ledger.form_group(data.kind, data.unit_id, data.title, data.service_type,
                                                      UUID(request.user.account_id), request.user.account_id)
        return written(request, receipt, {"id": str(receipt.id), "kind": data.kind, "title": data.title}, 201)

    @post("/groups/{group_id:uuid}/meetings", guards=[allow("social_worker")], sync_to_thread=True)
    def meeting(self, request: Request, group_id: FromPath[UUID], data: JSONBody[Meeting]) -> Response:
        ledger = request.app.state.ledger
        request.user.ensure_unit(ledger.get_group(group_id).unit_id)
        receipt = ledger.hold_meeting(group_id, local(request, data.started_at), data.minutes, data.persons,
                                      request.user.account_id)
        return written(request, receipt, {"group_id": str(group_id), "persons": data.persons}, 201)

    @post("/accounts/{account_id:uuid}/supervision", guards=[allow("admin")], sync_to_thread=True, status_code=200)
    def supervision(self, request: Request, account_id: FromPath[UUID], data: JSONBody[Supervision]) -> Response:
        receipt = request.app.state.ledger.assign_supervision(account_id, data.supervisor_id, data.intern,
                                                              request.user.account_id)
        return written(request, receipt, {"id": str(account_id), "intern": data.intern,
                                          "supervisor_id": str(data.supervisor_id) if data.supervisor_id else None})

    @get("/reports/cases", guards=[allow("social_worker", "coordinator", "auditor", "admin")], sync_to_thread=True)
    def report(self, request: Request, from_: Annotated[date | None, QueryParameter(name="from")] = None,
               to: FromQuery[date | None] = None, unit_id: FromQuery[UUID | None] = None,
               min_position: FromQuery[int | None] = None) -> dict:
        """Cases opened, active and closed by source and outcome; sessions and person-times by mode;
        overdue items — from read models only, never a note."""
        state = request.app.state
        units = request.user.scope()
        if unit_id is not None:
            request.user.ensure_unit(unit_id)
            units = [str(unit_id)]
        first, last = report_span(request, from_, to)
        db = read_db(request, min_position)
        overdue = [i for i in casework.worklist(db, units, state.ledger.clock.now(), state.ledger.case_policy)
                   if i["overdue"]]
        return casework.report(db, units, first, last) | {"overdue": overdue}
