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

from domain.groups import KINDS as GROUP_KINDS
from domain import bounds
from domain.cases import CONSENT_SCOPES, CONTACTS, EVALUATIONS, INTAKE_SOURCES, OUTCOMES, RISKS
from projections import caseload, casework
from web.api.common import Position, Status, Tag, local, read_db, report_span, written
from web.auth import allow, may
from web.commands import CommandPath, Commands

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.NOTE)]
Source = Literal[INTAKE_SOURCES]  # type: ignore[valid-type]


class NewCase(msgspec.Struct, forbid_unknown_fields=True):
    unit_id: UUID
    patient_id: Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.PATIENT_ID)]
    source: Source
    lead_worker_id: UUID | None = None


class Consent(msgspec.Struct, forbid_unknown_fields=True):
    scope: Annotated[list[Literal[CONSENT_SCOPES]], msgspec.Meta(max_length=len(CONSENT_SCOPES))]  # type: ignore[valid-type]


class Assessment(msgspec.Struct, forbid_unknown_fields=True):
    risk: Literal[RISKS]  # type: ignore[valid-type]
    needs: Annotated[list[Annotated[str, msgspec.Meta(max_length=bounds.TITLE)]], msgspec.Meta(max_length=bounds.TAGS)] = []


class CasePlan(msgspec.Struct, forbid_unknown_fields=True):
    goals: Annotated[list[Annotated[str, msgspec.Meta(max_length=bounds.REASON)]], msgspec.Meta(max_length=bounds.TAGS)]


class NewNote(msgspec.Struct, forbid_unknown_fields=True):
    contact_at: datetime
    contacted: Annotated[list[Literal[CONTACTS]], msgspec.Meta(max_length=len(CONTACTS))]  # type: ignore[valid-type]
    text: Text


class Referral(msgspec.Struct, forbid_unknown_fields=True):
    to: Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.TITLE)]


class Transfer(msgspec.Struct, forbid_unknown_fields=True):
    to_worker_id: UUID


class Evaluation(msgspec.Struct, forbid_unknown_fields=True):
    result: Literal[EVALUATIONS]  # type: ignore[valid-type]


class Closure(msgspec.Struct, forbid_unknown_fields=True):
    outcome: Literal[OUTCOMES]  # type: ignore[valid-type]


class NewGroup(msgspec.Struct, forbid_unknown_fields=True):
    kind: Literal[GROUP_KINDS]  # type: ignore[valid-type]
    unit_id: UUID
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=bounds.TITLE)]
    service_type: Tag


class Meeting(msgspec.Struct, forbid_unknown_fields=True):
    started_at: datetime
    minutes: Annotated[int, msgspec.Meta(ge=1, le=bounds.DAY_MINUTES)]
    persons: Annotated[int, msgspec.Meta(ge=1, le=bounds.PERSONS)]


class Supervision(msgspec.Struct, forbid_unknown_fields=True):
    supervisor_id: UUID | None
    intern: bool = False


class CaseOpened(msgspec.Struct):
    id: UUID
    patient_ref: str  # the pseudonym the patient's number became
    status: Literal["open"]


class Case(msgspec.Struct):
    """A case as the read models hold it: dates and counts, never a note's words."""
    case_id: UUID
    unit_id: UUID
    lead_worker: UUID
    patient_ref: str
    source: str
    opened_at: datetime
    opened_day: date
    status: str
    risk: str | None
    consent: list[str]
    consent_withdrawn: bool
    assessed_at: datetime | None
    planned_at: datetime | None
    evaluated_at: datetime | None
    evaluation: str | None
    closed_at: datetime | None
    closed_day: date | None
    outcome: str | None
    last_note_at: datetime | None
    notes: int
    late_notes: int
    pending_countersign: int
    referrals: int


class NoteEntry(msgspec.Struct):
    note_id: UUID
    author: UUID
    contact_at: datetime
    written_at: datetime
    late: bool
    pending: bool  # waiting for the supervisor's countersignature
    countersigned_by: UUID | None


class CaseWithNotes(Case):
    note_index: list[NoteEntry]


class Due(msgspec.Struct):
    """An item of a social worker's worklist: what is due on a case, and whether it is late."""
    case_id: UUID
    unit_id: UUID
    lead_worker: UUID
    patient_ref: str  # the case's pseudonym: which case it is, for the worker
    item: Literal["assessment", "high_risk_note", "countersignature"]
    due_at: datetime | None
    overdue: bool


class LateOnACase(msgspec.Struct):
    """An overdue item as a report counts it: which unit and what, never which patient."""
    case_id: UUID
    unit_id: UUID
    lead_worker: UUID
    item: Literal["assessment", "high_risk_note", "countersignature"]
    due_at: datetime | None
    overdue: bool


class Note(msgspec.Struct):
    note_id: UUID
    author: UUID
    contact_at: datetime
    written_at: datetime
    contacted: list[str]
    text: str
    late: bool
    pending: bool


class CaseConsent(msgspec.Struct):
    id: UUID
    consent: list[str]


class CaseAssessed(msgspec.Struct):
    id: UUID
    risk: str


class CasePlanned(msgspec.Struct):
    id: UUID
    goals: int


class NoteRecorded(msgspec.Struct):
    note_id: UUID
    late: bool
    pending: bool


class NoteCountersigned(msgspec.Struct):
    note_id: UUID
    pending: bool


class Referred(msgspec.Struct):
    id: UUID
    referred_to: str


class Transferred(msgspec.Struct):
    id: UUID
    lead_worker: UUID


class CaseStatus(msgspec.Struct):
    id: UUID
    status: Literal["evaluated", "closed"]
    outcome: str | msgspec.UnsetType = msgspec.UNSET


class GroupFormed(msgspec.Struct):
    id: UUID
    kind: str
    title: str


class MeetingHeld(msgspec.Struct):
    group_id: UUID
    persons: int


class GroupEnded(msgspec.Struct):
    group_id: UUID
    ended: bool


class SupervisionSet(msgspec.Struct):
    id: UUID
    intern: bool
    supervisor_id: UUID | None


class Opened(msgspec.Struct):
    unit_id: UUID
    source: str
    cases: int


class Closed(msgspec.Struct):
    unit_id: UUID
    outcome: str | None
    cases: int


class Active(msgspec.Struct):
    unit_id: UUID
    cases: int


class ByMode(msgspec.Struct):
    mode: str
    sessions: int
    person_times: int


class ByWorker(msgspec.Struct):
    social_worker: UUID
    username: str
    unit_id: UUID
    sessions: int
    persons: int
    minutes: int


class CaseReport(msgspec.Struct, rename={"first": "from", "last": "to"}):
    first: date
    last: date
    opened: list[Opened]
    closed: list[Closed]
    active: list[Active]
    by_mode: list[ByMode]
    overdue: list[LateOnACase]
    by_worker: list[ByWorker]


class CasesController(Controller):
    path = "/api/v1"
    tags = ["case work"]

    @post("/cases", guards=[may(Commands.open_case)], sync_to_thread=True)
    def open_case(self, request: Request, commands: CommandPath, data: JSONBody[NewCase]) -> Response[CaseOpened]:
        receipt = commands.open_case(request.user, data.unit_id, data.patient_id, data.source,
                                     lead_worker=data.lead_worker_id)
        return written(request, receipt, CaseOpened(receipt.id, receipt.value, "open"), 201)

    @get("/cases", guards=[allow("social_worker")], sync_to_thread=True)
    def list_cases(self, request: Request, unit_id: FromQuery[UUID | None] = None,
                   status: Status = None, min_position: Position = None) -> list[Case]:
        units = list(request.user.unit_ids)
        if unit_id is not None:
            request.user.ensure_unit(unit_id)
            units = [str(unit_id)]
        return casework.cases(read_db(request, min_position), units, status)

    @get("/cases/worklist", guards=[allow("social_worker")], sync_to_thread=True)
    def worklist(self, request: Request, mine: FromQuery[bool] = False,
                 min_position: Position = None) -> list[Due]:
        state = request.app.state
        return casework.worklist(read_db(request, min_position), list(request.user.unit_ids), state.ledger.clock.now(),
                                 state.ledger.case_policy, request.user.account_id if mine else None)

    @get("/cases/{case_id:uuid}", guards=[allow("social_worker")], sync_to_thread=True)
    def show(self, request: Request, case_id: FromPath[UUID], min_position: Position = None) -> CaseWithNotes:
        found = casework.case(read_db(request, min_position), str(case_id))
        if found is None:
            raise NotFoundException(f"No case with id {case_id}")
        request.user.ensure_unit(found["unit_id"])
        return found

    @get("/cases/{case_id:uuid}/notes", guards=[allow("social_worker")], sync_to_thread=True)
    def notes(self, request: Request, commands: CommandPath, case_id: FromPath[UUID]) -> list[Note]:
        case = commands.ledger.get_case(case_id)
        request.user.ensure_unit(case.unit_id)
        if commands.case_role(request.user, case) is None:
            raise PermissionDeniedException("Only the case's social workers and their supervisors may do this")
        return [Note(note_id, n.author, n.contact_at, n.written_at, list(n.contacted), n.text, n.late, n.pending)
                for note_id, n in case.notes.items()]

    @post("/cases/{case_id:uuid}/consent", guards=[may(Commands.give_consent)], sync_to_thread=True, status_code=200)
    def consent(self, request: Request, commands: CommandPath, case_id: FromPath[UUID],
                data: JSONBody[Consent]) -> Response[CaseConsent]:
        receipt = commands.give_consent(request.user, case_id, list(data.scope))
        return written(request, receipt, CaseConsent(case_id, sorted(data.scope)))

    @post("/cases/{case_id:uuid}/consent/withdraw", guards=[may(Commands.withdraw_consent)], sync_to_thread=True,
          status_code=200)
    def withdraw_consent(self, request: Request, commands: CommandPath,
                         case_id: FromPath[UUID]) -> Response[CaseConsent]:
        receipt = commands.withdraw_consent(request.user, case_id)
        return written(request, receipt, CaseConsent(case_id, []))

    @post("/cases/{case_id:uuid}/assessment", guards=[may(Commands.assess_case)], sync_to_thread=True,
          status_code=200)
    def assess(self, request: Request, commands: CommandPath, case_id: FromPath[UUID],
               data: JSONBody[Assessment]) -> Response[CaseAssessed]:
        receipt = commands.assess_case(request.user, case_id, data.risk, data.needs)
        return written(request, receipt, CaseAssessed(case_id, data.risk))

    @post("/cases/{case_id:uuid}/plan", guards=[may(Commands.plan_case)], sync_to_thread=True, status_code=200)
    def plan(self, request: Request, commands: CommandPath, case_id: FromPath[UUID],
             data: JSONBody[CasePlan]) -> Response[CasePlanned]:
        receipt = commands.plan_case(request.user, case_id, data.goals)
        return written(request, receipt, CasePlanned(case_id, len(data.goals)))

    @post("/cases/{case_id:uuid}/notes", guards=[may(Commands.record_case_note)], sync_to_thread=True)
    def record_note(self, request: Request, commands: CommandPath, case_id: FromPath[UUID],
                    data: JSONBody[NewNote]) -> Response[NoteRecorded]:
        receipt = commands.record_case_note(request.user, case_id, local(request, data.contact_at),
                                            list(data.contacted), data.text)
        note = commands.ledger.get_case(case_id).notes[receipt.value]
        return written(request, receipt, NoteRecorded(receipt.value, note.late, note.pending), 201)

    @post("/cases/{case_id:uuid}/notes/{note_id:uuid}/countersign", guards=[may(Commands.countersign_note)],
          sync_to_thread=True, status_code=200)
    def countersign(self, request: Request, commands: CommandPath, case_id: FromPath[UUID],
                    note_id: FromPath[UUID]) -> Response[NoteCountersigned]:
        receipt = commands.countersign_note(request.user, case_id, note_id)
        return written(request, receipt, NoteCountersigned(note_id, False))

    @post("/cases/{case_id:uuid}/referrals", guards=[may(Commands.refer_case_out)], sync_to_thread=True)
    def refer(self, request: Request, commands: CommandPath, case_id: FromPath[UUID],
              data: JSONBody[Referral]) -> Response[Referred]:
        receipt = commands.refer_case_out(request.user, case_id, data.to)
        return written(request, receipt, Referred(case_id, data.to), 201)

    @post("/cases/{case_id:uuid}/transfer", guards=[may(Commands.transfer_case)], sync_to_thread=True,
          status_code=200)
    def transfer(self, request: Request, commands: CommandPath, case_id: FromPath[UUID],
                 data: JSONBody[Transfer]) -> Response[Transferred]:
        receipt = commands.transfer_case(request.user, case_id, data.to_worker_id)
        return written(request, receipt, Transferred(case_id, data.to_worker_id))

    @post("/cases/{case_id:uuid}/evaluation", guards=[may(Commands.evaluate_case)], sync_to_thread=True,
          status_code=200)
    def evaluate(self, request: Request, commands: CommandPath, case_id: FromPath[UUID],
                 data: JSONBody[Evaluation]) -> Response[CaseStatus]:
        receipt = commands.evaluate_case(request.user, case_id, data.result)
        return written(request, receipt, CaseStatus(case_id, "evaluated"))

    @post("/cases/{case_id:uuid}/close", guards=[may(Commands.close_case)], sync_to_thread=True, status_code=200)
    def close(self, request: Request, commands: CommandPath, case_id: FromPath[UUID],
              data: JSONBody[Closure]) -> Response[CaseStatus]:
        receipt = commands.close_case(request.user, case_id, data.outcome)
        return written(request, receipt, CaseStatus(case_id, "closed", data.outcome))

    @post("/groups", guards=[may(Commands.form_group)], sync_to_thread=True)
    def form_group(self, request: Request, commands: CommandPath, data: JSONBody[NewGroup]) -> Response[GroupFormed]:
        receipt = commands.form_group(request.user, data.kind, data.unit_id, data.title, data.service_type)
        return written(request, receipt, GroupFormed(receipt.id, data.kind, data.title), 201)

    @post("/groups/{group_id:uuid}/meetings", guards=[may(Commands.hold_meeting)], sync_to_thread=True)
    def meeting(self, request: Request, commands: CommandPath, group_id: FromPath[UUID],
                data: JSONBody[Meeting]) -> Response[MeetingHeld]:
        receipt = commands.hold_meeting(request.user, group_id, local(request, data.started_at), data.minutes,
                                        data.persons)
        return written(request, receipt, MeetingHeld(group_id, data.persons), 201)

    @post("/groups/{group_id:uuid}/end", guards=[may(Commands.end_group)], sync_to_thread=True, status_code=200)
    def end_group(self, request: Request, commands: CommandPath, group_id: FromPath[UUID]) -> Response[GroupEnded]:
        """The group has met for the last time: it leaves the list of groups to record meetings for."""
        return written(request, commands.end_group(request.user, group_id), GroupEnded(group_id, True))

    @post("/accounts/{account_id:uuid}/supervision", guards=[may(Commands.assign_supervision)], sync_to_thread=True,
          status_code=200)
    def supervision(self, request: Request, commands: CommandPath, account_id: FromPath[UUID],
                    data: JSONBody[Supervision]) -> Response[SupervisionSet]:
        receipt = commands.assign_supervision(request.user, account_id, data.supervisor_id, data.intern)
        return written(request, receipt, SupervisionSet(account_id, data.intern, data.supervisor_id))

    @get("/reports/cases", guards=[allow("social_worker", "coordinator", "auditor", "admin")], sync_to_thread=True)
    def report(self, request: Request, from_: Annotated[date | None, QueryParameter(name="from")] = None,
               to: FromQuery[date | None] = None, unit_id: FromQuery[UUID | None] = None,
               min_position: Position = None) -> CaseReport:
        """Cases opened, active and closed by source and outcome; sessions and person-times by mode;
        overdue items — from read models only, never a note."""
        state = request.app.state
        units = request.user.scope()
        if unit_id is not None:
            request.user.ensure_unit(unit_id)
            units = [str(unit_id)]
        first, last = report_span(request, from_, to)
        db = read_db(request, min_position)
        overdue = [{k: v for k, v in i.items() if k != "patient_ref"}  # a report counts cases, it names none
                   for i in casework.worklist(db, units, state.ledger.clock.now(), state.ledger.case_policy)
                   if i["overdue"]]
        return casework.report(db, units, first, last) | {"overdue": overdue,
                                                          "by_worker": caseload.per_worker(db, units, first, last)}
