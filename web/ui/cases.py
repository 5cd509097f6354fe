"""Case work in the browser: my cases and worklist, a case from intake to closure, countersigning,
and the department's reports."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter, URLEncodedBody
from litestar.response import Template

from domain.cases import CONSENT_SCOPES, CONTACTS, EVALUATIONS, INTAKE_SOURCES, OUTCOMES, RISKS
from domain.errors import InvalidCommand, NotFound
from projections import caseload, casework, directory
from web.auth import allow, may
from web.commands import CommandPath, Commands, TheLedger
from web.ui.common import act, form_id, form_moment, listed, now_local, page, reader
from web.ui.period import CASE_REPORT_ROLES, period_of

Form = URLEncodedBody[dict[str, str]]


def _checked(data: dict[str, str], prefix: str, allowed: tuple[str, ...]) -> list[str]:
    return [value for value in allowed if data.get(f"{prefix}_{value}") == "on"]


class CasesPagesController(Controller):
    include_in_schema = False

    @get("/cases", guards=[allow("social_worker")], sync_to_thread=True)
    def cases(self, request: Request) -> Template:
        return _cases_page(request)

    @post("/cases/find", guards=[allow("social_worker")], sync_to_thread=True, status_code=200)
    def find(self, request: Request, commands: CommandPath, data: Form) -> Template:
        """A patient's cases, open or closed, by the hospital number typed: it is pseudonymised as at
        intake and compared as a pseudonym (posted, so the number is in no address or access log)."""
        try:
            ref = commands.pseudonym_of(data.get("patient_id", ""))
        except InvalidCommand:
            ref = None
        return _cases_page(request, patient_ref=ref or "-", looked_for=True)

    @post("/cases", guards=[may(Commands.open_case)], sync_to_thread=True)
    def open_case(self, request: Request, commands: CommandPath, data: Form) -> Response:
        return act(request, "/cases", "Case opened.", lambda: commands.open_case(
            request.user, form_id(data, "unit_id"), data.get("patient_id", ""), data.get("source", "")),
            landing=lambda receipt: f"/cases/{receipt.id}")

    @get("/cases/{case_id:uuid}", guards=[allow("social_worker")], sync_to_thread=True)
    def case(self, request: Request, ledger: TheLedger, commands: CommandPath, case_id: FromPath[UUID]) -> Template:
        db = reader(request)
        found = casework.case(db, str(case_id))
        if found is None:
            raise NotFoundException("No such case")
        request.user.ensure_unit(found["unit_id"])
        aggregate = ledger.get_case(case_id)
        role = commands.case_role(request.user, aggregate)
        story = _story(ledger, ledger.events.get(case_id), request.user.account_id) if role is not None else []
        assessed = next((step for step in reversed(story) if step["kind"] == "Assessed"), None)
        planned = next((step for step in reversed(story) if step["kind"] == "Planned"), None)
        sessions = caseload.sessions(db, [found["unit_id"]], "2000-01-01", "2999-12-31", limit=200)
        colleagues = [w for w in directory.social_workers(db, found["unit_id"]) if w["account_id"] != found["lead_worker"]]
        return page(request, "case.html", case=found, role=role, story=story, colleagues=colleagues,
                    sessions=[s for s in sessions if s["case_id"] == str(case_id)], scopes=CONSENT_SCOPES,
                    contacts=CONTACTS, risks=RISKS, evaluations=EVALUATIONS, outcomes=OUTCOMES,
                    now=now_local(request), assessed=assessed, planned=planned,
                    next_step=_next_step(found, assessed, planned))

    def _step(self, request: Request, case_id: UUID, done: str, command, form: str | None = None) -> Response:
        return act(request, f"/cases/{case_id}", done, command, form=form and f"case-{form}")

    @post("/cases/{case_id:uuid}/consent", guards=[may(Commands.give_consent)], sync_to_thread=True)
    def consent(self, request: Request, commands: CommandPath, case_id: FromPath[UUID], data: Form) -> Response:
        if data.get("withdraw") == "yes":
            return self._step(request, case_id, "Consent withdrawn.",
                              lambda: commands.withdraw_consent(request.user, case_id))
        return self._step(request, case_id, "Consent recorded.", lambda: commands.give_consent(
            request.user, case_id, _checked(data, "scope", CONSENT_SCOPES)))

    @post("/cases/{case_id:uuid}/assessment", guards=[may(Commands.assess_case)], sync_to_thread=True)
    def assess(self, request: Request, commands: CommandPath, case_id: FromPath[UUID], data: Form) -> Response:
        needs = listed(data.get("needs", ""))
        return self._step(request, case_id, "Assessment recorded.", lambda: commands.assess_case(
            request.user, case_id, data.get("risk", ""), needs), form="assessment")

    @post("/cases/{case_id:uuid}/plan", guards=[may(Commands.plan_case)], sync_to_thread=True)
    def plan(self, request: Request, commands: CommandPath, case_id: FromPath[UUID], data: Form) -> Response:
        goals = data.get("goals", "").splitlines()
        return self._step(request, case_id, "Plan recorded.", lambda: commands.plan_case(request.user, case_id, goals),
                          form="plan")

    @post("/cases/{case_id:uuid}/notes", guards=[may(Commands.record_case_note)], sync_to_thread=True)
    def note(self, request: Request, commands: CommandPath, case_id: FromPath[UUID], data: Form) -> Response:
        zone = now_local(request).tzinfo
        return self._step(request, case_id, "Note recorded.", lambda: commands.record_case_note(
            request.user, case_id, form_moment(data, "day", "time", zone, "contact_at"),
            _checked(data, "contacted", CONTACTS), data.get("text", "")), form="note")

    @post("/cases/{case_id:uuid}/notes/{note_id:uuid}/countersign", guards=[may(Commands.countersign_note)],
          sync_to_thread=True)
    def countersign(self, request: Request, commands: CommandPath, case_id: FromPath[UUID],
                    note_id: FromPath[UUID]) -> Response:
        return self._step(request, case_id, "Note countersigned.",
                          lambda: commands.countersign_note(request.user, case_id, note_id))

    @post("/cases/{case_id:uuid}/referral", guards=[may(Commands.refer_case_out)], sync_to_thread=True)
    def refer(self, request: Request, commands: CommandPath, case_id: FromPath[UUID], data: Form) -> Response:
        return self._step(request, case_id, "Referral recorded.", lambda: commands.refer_case_out(
            request.user, case_id, data.get("to", "")))

    @post("/cases/{case_id:uuid}/transfer", guards=[may(Commands.transfer_case)], sync_to_thread=True)
    def transfer(self, request: Request, commands: CommandPath, case_id: FromPath[UUID], data: Form) -> Response:
        return self._step(request, case_id, "Case transferred.", lambda: commands.transfer_case(
            request.user, case_id, form_id(data, "to_worker_id")))

    @post("/cases/{case_id:uuid}/evaluation", guards=[may(Commands.evaluate_case)], sync_to_thread=True)
    def evaluate(self, request: Request, commands: CommandPath, case_id: FromPath[UUID], data: Form) -> Response:
        return self._step(request, case_id, "Evaluation recorded.", lambda: commands.evaluate_case(
            request.user, case_id, data.get("result", "")))

    @post("/cases/{case_id:uuid}/close", guards=[may(Commands.close_case)], sync_to_thread=True)
    def close(self, request: Request, commands: CommandPath, case_id: FromPath[UUID], data: Form) -> Response:
        return self._step(request, case_id, "Case closed.", lambda: commands.close_case(
            request.user, case_id, data.get("outcome", "")))

    @get("/cases/reports", guards=[allow(*CASE_REPORT_ROLES)], sync_to_thread=True)
    def reports(self, request: Request, from_: Annotated[date | None, QueryParameter(name="from")] = None,
                to: FromQuery[date | None] = None, unit: FromQuery[str | None] = None) -> Template:
        db, state = reader(request), request.app.state
        period = period_of(request, from_, to, unit)
        units = period.unit_ids or request.user.scope()
        names = {u["id"]: u["name"] for u in directory.units(db)}
        shown = dict(period=period, first=period.first, last=period.last, names=names)
        if period.reversed:
            return page(request, "case_reports.html", **shown, report=None, by_worker=[], overdue=[])
        overdue = [i for i in casework.worklist(db, units, state.ledger.clock.now(), state.ledger.case_policy)
                   if i["overdue"]]
        return page(request, "case_reports.html", **shown, report=casework.report(db, units, period.first, period.last),
                    by_worker=caseload.per_worker(db, units, period.first, period.last), overdue=overdue)


def _story(ledger, events, reader_id: str) -> list[dict]:
    """The case as it happened, one entry per recorded step (notes with their text: read from the log,
    never from a read model, and only for the case's workers and supervisors)."""
    names: dict[str, str] = {}

    def who(actor: str) -> str:
        if actor not in names:
            try:
                names[actor] = ledger.get_account(UUID(actor)).username
            except (ValueError, NotFound):  # an import or a job, not a person
                names[actor] = ""
        return names[actor]

    story: list[dict] = []
    notes: dict[UUID, dict] = {}
    for event in events:
        kind = type(event).__name__
        step = {"kind": kind, "at": getattr(event, "at", None) or getattr(event, "given_at", None)
                or getattr(event, "withdrawn_at", None) or getattr(event, "opened_at", None) or event.timestamp,
                "by": who(getattr(event, "actor", ""))}
        if kind == "Opened":
            step["source"] = event.source
        elif kind == "ConsentGiven":
            step["scope"] = event.scope
        elif kind == "Assessed":
            step.update(risk=event.risk, needs=event.needs)
        elif kind == "Planned":
            step["goals"] = [g for g in event.goals if g.strip()]
        elif kind == "NoteRecorded":
            author = ledger.get_account(event.author)
            step.update(note_id=str(event.note_id), at=event.contact_at, by=author.username, contacted=event.contacted,
                        text=event.text, late=event.late, pending=event.pending,
                        may_countersign=event.pending and author.supervisor_id == UUID(reader_id))
            notes[event.note_id] = step
        elif kind == "Countersigned":
            notes[event.note_id].update(pending=False, may_countersign=False, countersigned_by=step["by"])
            continue  # told on its note, not as a step of its own
        elif kind == "ReferredOut":
            step["to"] = event.to
        elif kind == "Transferred":
            step.update(from_worker=who(str(event.from_worker)), to_worker=who(str(event.to_worker)))
        elif kind == "Evaluated":
            step["result"] = event.result
        elif kind == "Closed":
            step["outcome"] = event.outcome
        story.append(step)
    return story


def _next_step(case: dict, assessed: dict | None, planned: dict | None) -> str:
    """The step a case waits for (its form is the one shown open): consent, assessment, plan, notes, and
    once evaluated, closing."""
    if "health_information" not in case["consent"]:  # what an assessment needs consented first
        return "consent"
    if assessed is None:
        return "assessment"
    if planned is None:
        return "plan"
    return "close" if case["status"] == "evaluated" else "note"


def _cases_page(request: Request, patient_ref: str | None = None, looked_for: bool = False) -> Template:
    """The social worker's cases: the active ones, or one patient's (open or closed) when looked for."""
    db, state = reader(request), request.app.state
    units = list(request.user.unit_ids)
    me = request.user.account_id
    supervisees = [a["account_id"] for a in directory.supervisees(db, me)]
    found = casework.cases(db, units, None if patient_ref else "active", patient_ref=patient_ref)
    return page(request, "cases.html", cases=found, looked_for=looked_for,
                worklist=casework.worklist(db, units, state.ledger.clock.now(), state.ledger.case_policy),
                to_countersign=casework.pending_countersignatures(db, supervisees),
                units=[u for u in directory.units(db) if u["id"] in units], sources=INTAKE_SOURCES, me=me)
