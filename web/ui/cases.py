"""Case work in the browser: my cases and worklist, a case from intake to closure, countersigning,
and the department's reports."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery, QueryParameter, URLEncodedBody
from litestar.response import Template

from domain.cases import CONSENT_SCOPES, CONTACTS, EVALUATIONS, INTAKE_SOURCES, OUTCOMES, RISKS
from domain.errors import InvalidCommand
from projections import caseload, casework, directory
from web.api.cases import case_role
from web.auth import allow
from web.pseudonyms import patient_ref
from web.ui.common import act, now_local, page, reader

Form = URLEncodedBody[dict[str, str]]


def _checked(data: dict[str, str], prefix: str, allowed: tuple[str, ...]) -> list[str]:
    return [value for value in allowed if data.get(f"{prefix}_{value}") == "on"]


class CasesPagesController(Controller):
    include_in_schema = False

    @get("/cases", guards=[allow("social_worker")], sync_to_thread=True)
    def cases(self, request: Request) -> Template:
        db, state = reader(request), request.app.state
        units = list(request.user.unit_ids)
        me = request.user.account_id
        supervisees = [a["account_id"] for a in directory.supervisees(db, me)]
        return page(request, "cases.html", cases=casework.cases(db, units, "active"),
                    worklist=casework.worklist(db, units, state.ledger.clock.now(), state.ledger.case_policy),
                    to_countersign=casework.pending_countersignatures(db, supervisees),
                    units=[u for u in directory.units(db) if u["id"] in units], sources=INTAKE_SOURCES, me=me)

    @post("/cases", guards=[allow("social_worker")], sync_to_thread=True)
    def open_case(self, request: Request, data: Form) -> Response:
        state = request.app.state
        request.user.ensure_unit(data.get("unit_id", ""))

        def command():
            if not data.get("patient_id", "").strip():
                raise InvalidCommand("patient_id", "is needed (it is turned into a pseudonym)")
            return state.ledger.open_case(UUID(data["unit_id"]), UUID(request.user.account_id),
                                          patient_ref(data["patient_id"], state.pseudonym_secret),
                                          data.get("source", ""), request.user.account_id)
        return act(request, "/cases", "Case opened.", command)

    @get("/cases/{case_id:uuid}", guards=[allow("social_worker")], sync_to_thread=True)
    def case(self, request: Request, case_id: FromPath[UUID]) -> Template:
        db, ledger = reader(request), request.app.state.ledger
        found = casework.case(db, str(case_id))
        if found is None:
            raise NotFoundException("No such case")
        request.user.ensure_unit(found["unit_id"])
        aggregate = ledger.get_case(case_id)
        role = case_role(request, aggregate)
        notes = []
        if role is not None:  # notes come from the log, only for the case's workers and supervisors
            for note_id, note in aggregate.notes.items():
                author = ledger.get_account(note.author)
                notes.append({"note_id": str(note_id), "author": author.username, "contact_at": note.contact_at,
                              "contacted": note.contacted, "text": note.text, "late": note.late,
                              "pending": note.pending,
                              "may_countersign": note.pending and author.supervisor_id == UUID(request.user.account_id)})
        sessions = caseload.sessions(db, [found["unit_id"]], "2000-01-01", "2999-12-31", limit=200)
        colleagues = [w for w in directory.social_workers(db, found["unit_id"]) if w["account_id"] != found["lead_worker"]]
        return page(request, "case.html", case=found, role=role, notes=notes, colleagues=colleagues,
                    sessions=[s for s in sessions if s["case_id"] == str(case_id)], scopes=CONSENT_SCOPES,
                    contacts=CONTACTS, risks=RISKS, evaluations=EVALUATIONS, outcomes=OUTCOMES,
                    now=now_local(request))

    def _step(self, request: Request, case_id: UUID, done: str, command) -> Response:
        aggregate = request.app.state.ledger.get_case(case_id)
        request.user.ensure_unit(aggregate.unit_id)
        if case_role(request, aggregate) is None:
            raise PermissionDeniedException("Only the case's social workers and their supervisors")
        return act(request, f"/cases/{case_id}", done, command)

    @post("/cases/{case_id:uuid}/consent", guards=[allow("social_worker")], sync_to_thread=True)
    def consent(self, request: Request, case_id: FromPath[UUID], data: Form) -> Response:
        ledger, me = request.app.state.ledger, request.user.account_id
        if data.get("withdraw") == "yes":
            return self._step(request, case_id, "Consent withdrawn.", lambda: ledger.withdraw_consent(case_id, me))
        return self._step(request, case_id, "Consent recorded.", lambda: ledger.give_consent(
            case_id, _checked(data, "scope", CONSENT_SCOPES), me))

    @post("/cases/{case_id:uuid}/assessment", guards=[allow("social_worker")], sync_to_thread=True)
    def assess(self, request: Request, case_id: FromPath[UUID], data: Form) -> Response:
        needs = [n.strip() for n in data.get("needs", "").split(",") if n.strip()]
        return self._step(request, case_id, "Assessment recorded.", lambda: request.app.state.ledger.assess_case(
            case_id, data.get("risk", ""), needs, request.user.account_id))

    @post("/cases/{case_id:uuid}/plan", guards=[allow("social_worker")], sync_to_thread=True)
    def plan(self, request: Request, case_id: FromPath[UUID], data: Form) -> Response:
        goals = data.get("goals", "").splitlines()
        return self._step(request, case_id, "Plan recorded.", lambda: request.app.state.ledger.plan_case(
            case_id, goals, request.user.account_id))

    @post("/cases/{case_id:uuid}/notes", guards=[allow("social_worker")], sync_to_thread=True)
    def note(self, request: Request, case_id: FromPath[UUID], data: Form) -> Response:
        zone = now_local(request).tzinfo

        def command():
            contact_at = datetime.combine(date.fromisoformat(data["day"]), time.fromisoformat(data["time"]), zone)
            return request.app.state.ledger.record_case_note(
                case_id, UUID(request.user.account_id), contact_at, _checked(data, "contacted", CONTACTS),
                data.get("text", ""), request.user.account_id)
        return self._step(request, case_id, "Note recorded.", command)

    @post("/cases/{case_id:uuid}/notes/{note_id:uuid}/countersign", guards=[allow("social_worker")],
          sync_to_thread=True)
    def countersign(self, request: Request, case_id: FromPath[UUID], note_id: FromPath[UUID]) -> Response:
        return self._step(request, case_id, "Note countersigned.", lambda: request.app.state.ledger.countersign_note(
            case_id, note_id, UUID(request.user.account_id), request.user.account_id))

    @post("/cases/{case_id:uuid}/referral", guards=[allow("social_worker")], sync_to_thread=True)
    def refer(self, request: Request, case_id: FromPath[UUID], data: Form) -> Response:
        return self._step(request, case_id, "Referral recorded.", lambda: request.app.state.ledger.refer_case_out(
            case_id, data.get("to", ""), request.user.account_id))

    @post("/cases/{case_id:uuid}/transfer", guards=[allow("social_worker")], sync_to_thread=True)
    def transfer(self, request: Request, case_id: FromPath[UUID], data: Form) -> Response:
        return self._step(request, case_id, "Case transferred.", lambda: request.app.state.ledger.transfer_case(
            case_id, UUID(data["to_worker_id"]), request.user.account_id))

    @post("/cases/{case_id:uuid}/evaluation", guards=[allow("social_worker")], sync_to_thread=True)
    def evaluate(self, request: Request, case_id: FromPath[UUID], data: Form) -> Response:
        return self._step(request, case_id, "Evaluation recorded.", lambda: request.app.state.ledger.evaluate_case(
            case_id, data.get("result", ""), request.user.account_id))

    @post("/cases/{case_id:uuid}/close", guards=[allow("social_worker")], sync_to_thread=True)
    def close(self, request: Request, case_id: FromPath[UUID], data: Form) -> Response:
        return self._step(request, case_id, "Case closed.", lambda: request.app.state.ledger.close_case(
            case_id, data.get("outcome", ""), request.user.account_id))

    @get("/cases/reports", guards=[allow("social_worker", "coordinator", "auditor", "admin")], sync_to_thread=True)
    def reports(self, request: Request, from_: Annotated[date | None, QueryParameter(name="from")] = None,
                to: FromQuery[date | None] = None) -> Template:
        db, state = reader(request), request.app.state
        today = now_local(request).date()
        first, last = (from_ or today - timedelta(days=29)).isoformat(), (to or today).isoformat()
        units = request.user.scope()
        names = {u["id"]: u["name"] for u in directory.units(db)}
        overdue = [i for i in casework.worklist(db, units, state.ledger.clock.now(), state.ledger.case_policy)
                   if i["overdue"]]
        return page(request, "case_reports.html", report=casework.report(db, units, first, last), first=first,
                    last=last, names=names, overdue=overdue)
