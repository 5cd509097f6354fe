"""The Case (个案): intake, consent, assessment, plan, intervention notes, evaluation, closure.

Consent first (PIPL): without the patient's valid consent a case records no notes and makes no
referral out, and withdrawing consent stops further processing. The patient is a pseudonym."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from eventsourcing.domain import event

from domain import bounds
from domain.aggregate import Aggregate

from domain.errors import (
    CaseClosed,
    CaseStepOutOfOrder,
    ConsentMissing,
    CountersignaturePending,
    InvalidCommand,
    NotPending,
)
from domain.policy import CasePolicy

INTAKE_SOURCES = ("self_referral", "outreach", "ward_referral", "agency_referral")
CONSENT_SCOPES = ("health_information", "referral")
CONTACTS = ("patient", "family", "care_team", "community_resource")
RISKS = ("low", "medium", "high")
EVALUATIONS = ("goals_met", "partially_met", "not_met")
OUTCOMES = ("goals_met", "partially_met", "referred_out", "patient_withdrew", "patient_died", "transferred_care",
            "other")
OPEN, ASSESSED, PLANNED, EVALUATED, CLOSED = "open", "assessed", "planned", "evaluated", "closed"


@dataclass
class Note:
    author: UUID
    contact_at: datetime
    written_at: datetime
    contacted: list[str]
    text: str
    late: bool
    pending: bool


def _choose(field: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise InvalidCommand(field, f"must be one of {', '.join(allowed)}")


class Case(Aggregate):
    @classmethod
    def open(cls, unit_id: UUID, lead_worker: UUID, patient_ref: str, source: str, opened_at: datetime,
             actor: str) -> Case:
        _choose("source", source, INTAKE_SOURCES)
        if not patient_ref.strip():
            raise InvalidCommand("patient_ref", "must not be empty")
        bounds.text("patient_ref", patient_ref, bounds.PATIENT_ID)
        return cls(unit_id, lead_worker, patient_ref, source, opened_at, actor)

    @event("Opened")
    def __init__(self, unit_id: UUID, lead_worker: UUID, patient_ref: str, source: str, opened_at: datetime,
                 actor: str) -> None:
        self.unit_id, self.lead_worker, self.patient_ref = unit_id, lead_worker, patient_ref
        self.source, self.opened_at = source, opened_at
        self.status = OPEN
        self.workers: set[UUID] = {lead_worker}
        self.consent: frozenset[str] = frozenset()
        self.consent_withdrawn = False
        self.risk: str | None = None
        self.notes: dict[UUID, Note] = {}
        self.referrals: list[str] = []

    # --- guards --------------------------------------------------------------------------

    def _ensure_open(self) -> None:
        if self.status == CLOSED:
            raise CaseClosed("This case is closed.")

    def _ensure_consent(self, scope: str) -> None:
        if self.consent_withdrawn:
            raise ConsentMissing("The patient has withdrawn consent: no further processing.", scope=scope)
        if scope not in self.consent:
            raise ConsentMissing(f"The patient has not consented to {scope.replace('_', ' ')}.", scope=scope)

    @property
    def pending_countersignatures(self) -> list[UUID]:
        return [note_id for note_id, note in self.notes.items() if note.pending]

    # --- consent ---------------------------------------------------------------------------

    def give_consent(self, scope: list[str], given_at: datetime, actor: str) -> None:
        self._ensure_open()
        for item in scope:
            _choose("scope", item, CONSENT_SCOPES)
        if not scope:
            raise InvalidCommand("scope", "name what the patient consents to")
        self._consent_given(sorted(set(scope)), given_at, actor)

    @event("ConsentGiven")
    def _consent_given(self, scope: list[str], given_at: datetime, actor: str) -> None:
        self.consent = self.consent | frozenset(scope)
        self.consent_withdrawn = False

    def withdraw_consent(self, withdrawn_at: datetime, actor: str) -> None:
        self._ensure_open()
        self._consent_withdrawn(withdrawn_at, actor)

    @event("ConsentWithdrawn")
    def _consent_withdrawn(self, withdrawn_at: datetime, actor: str) -> None:
        self.consent, self.consent_withdrawn = frozenset(), True

    # --- the steps ---------------------------------------------------------------------------

    def assess(self, risk: str, needs: list[str], at: datetime, actor: str) -> None:
        self._ensure_open()
        self._ensure_consent("health_information")
        _choose("risk", risk, RISKS)
        self._assessed(risk, bounds.tags("needs", [n for n in needs if n.strip()], longest=bounds.TITLE), at, actor)

    @event("Assessed")
    def _assessed(self, risk: str, needs: list[str], at: datetime, actor: str) -> None:
        self.risk = risk
        if self.status == OPEN:
            self.status = ASSESSED

    def plan(self, goals: list[str], at: datetime, actor: str) -> None:
        self._ensure_open()
        self._ensure_consent("health_information")
        if self.status == OPEN:
            raise CaseStepOutOfOrder("Assess the case before planning.")
        if not [g for g in goals if g.strip()]:
            raise InvalidCommand("goals", "a plan needs at least one goal")
        self._planned(bounds.tags("goals", [g for g in goals if g.strip()], longest=bounds.REASON), at, actor)

    @event("Planned")
    def _planned(self, goals: list[str], at: datetime, actor: str) -> None:
        if self.status == ASSESSED:
            self.status = PLANNED

    def record_note(self, author: UUID, intern: bool, contact_at: datetime, written_at: datetime,
                    contacted: list[str], text: str, policy: CasePolicy, actor: str) -> UUID:
        """A progress note; late entries are flagged, an intern's note waits for a countersignature."""
        self._ensure_open()
        self._ensure_consent("health_information")
        for who in contacted:
            _choose("contacted", who, CONTACTS)
        if not contacted:
            raise InvalidCommand("contacted", "say who was contacted")
        if not text.strip():
            raise InvalidCommand("text", "a note must say something")
        text = bounds.text("text", text, bounds.NOTE)
        bounds.moment("contact_at", contact_at)
        if contact_at > written_at:
            raise InvalidCommand("contact_at", "cannot be after the note is written")
        note_id = uuid4()
        self._note_recorded(note_id, author, contact_at, written_at, sorted(set(contacted)), text.strip(),
                            policy.is_late_entry(contact_at, written_at), intern, actor)
        return note_id

    @event("NoteRecorded")
    def _note_recorded(self, note_id: UUID, author: UUID, contact_at: datetime, written_at: datetime,
                       contacted: list[str], text: str, late: bool, pending: bool, actor: str) -> None:
        self.notes[note_id] = Note(author, contact_at, written_at, contacted, text, late, pending)
        self.workers.add(author)

    def countersign(self, note_id: UUID, supervisor: UUID, at: datetime, actor: str) -> None:
        note = self.notes.get(note_id)
        if note is None or not note.pending:
            raise NotPending("This note is not waiting for a countersignature.")
        if supervisor == note.author:
            raise InvalidCommand("supervisor", "an intern cannot countersign their own note")
        self._countersigned(note_id, supervisor, at, actor)

    @event("Countersigned")
    def _countersigned(self, note_id: UUID, supervisor: UUID, at: datetime, actor: str) -> None:
        self.notes[note_id].pending = False

    def refer_out(self, to: str, at: datetime, actor: str) -> None:
        self._ensure_open()
        self._ensure_consent("referral")
        if not to.strip():
            raise InvalidCommand("to", "name the service or agency")
        self._referred_out(bounds.text("to", to, bounds.TITLE), at, actor)

    @event("ReferredOut")
    def _referred_out(self, to: str, at: datetime, actor: str) -> None:
        self.referrals.append(to)

    def transfer(self, to_worker: UUID, at: datetime, actor: str) -> None:
        self._ensure_open()
        if to_worker == self.lead_worker:
            raise InvalidCommand("to_worker_id", "the case is already theirs")
        self._transferred(self.lead_worker, to_worker, at, actor)

    @event("Transferred")
    def _transferred(self, from_worker: UUID, to_worker: UUID, at: datetime, actor: str) -> None:
        self.lead_worker = to_worker
        self.workers.add(to_worker)

    def evaluate(self, result: str, at: datetime, actor: str) -> None:
        self._ensure_open()
        _choose("result", result, EVALUATIONS)
        if self.status in (OPEN, ASSESSED):
            raise CaseStepOutOfOrder("Make a plan before evaluating it.")
        self._evaluated(result, at, actor)

    @event("Evaluated")
    def _evaluated(self, result: str, at: datetime, actor: str) -> None:
        self.status = EVALUATED

    def close(self, outcome: str, at: datetime, actor: str) -> None:
        self._ensure_open()
        _choose("outcome", outcome, OUTCOMES)
        if self.pending_countersignatures:
            raise CountersignaturePending(
                f"{len(self.pending_countersignatures)} note(s) still wait for the supervisor's countersignature.",
                pending=len(self.pending_countersignatures))
        self._closed(outcome, at, actor)

    @event("Closed")
    def _closed(self, outcome: str, at: datetime, actor: str) -> None:
        self.status = CLOSED
