"""Case-work use cases: a case from intake to closure, its consent, notes and supervision; group work."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.accounts import Account
from domain.cases import Case
from domain.errors import InvalidCommand, NotFound
from domain.usecases.ledger import Ledger, Receipt
from domain.units import Unit


class CaseUseCases(Ledger):
    def _social_worker(self, account_id: UUID, field: str) -> Account:
        try:
            account = self._get(Account, account_id, "account")
        except NotFound:
            raise InvalidCommand(field, "is not a known account") from None
        if account.role != "social_worker":
            raise InvalidCommand(field, "must be a social worker")
        return account

    def open_case(self, unit_id: UUID, lead_worker: UUID, patient_ref: str, source: str, actor: str) -> Receipt:
        self._get(Unit, unit_id, "unit")
        self._social_worker(lead_worker, "lead_worker_id")
        case = Case.open(unit_id, lead_worker, patient_ref, source, self.clock.now(), actor)
        return Receipt(self._commit(case), case.id)

    def get_case(self, id: UUID) -> Case:
        return self._read(Case, id, "case")

    def _change_case(self, id: UUID, change) -> Receipt:
        return self._change(Case, id, "case", change)

    def give_consent(self, id: UUID, scope: list[str], actor: str) -> Receipt:
        return self._change_case(id, lambda c: c.give_consent(scope, self.clock.now(), actor))

    def withdraw_consent(self, id: UUID, actor: str) -> Receipt:
        return self._change_case(id, lambda c: c.withdraw_consent(self.clock.now(), actor))

    def assess_case(self, id: UUID, risk: str, needs: list[str], actor: str) -> Receipt:
        return self._change_case(id, lambda c: c.assess(risk, needs, self.clock.now(), actor))

    def plan_case(self, id: UUID, goals: list[str], actor: str) -> Receipt:
        return self._change_case(id, lambda c: c.plan(goals, self.clock.now(), actor))

    def record_case_note(self, id: UUID, author: UUID, contact_at: datetime, contacted: list[str], text: str,
                         actor: str) -> Receipt:
        """A progress note by `author`; an intern's note waits for its supervisor's countersignature."""
        writer = self._social_worker(author, "author")
        return self._change_case(id, lambda c: c.record_note(
            author, writer.intern, contact_at, self.clock.now(), contacted, text, self.case_policy, actor))

    def countersign_note(self, id: UUID, note_id: UUID, supervisor: UUID, actor: str) -> Receipt:
        return self._change_case(id, lambda c: c.countersign(note_id, supervisor, self.clock.now(), actor))

    def refer_case_out(self, id: UUID, to: str, actor: str) -> Receipt:
        return self._change_case(id, lambda c: c.refer_out(to, self.clock.now(), actor))

    def transfer_case(self, id: UUID, to_worker: UUID, actor: str) -> Receipt:
        self._social_worker(to_worker, "to_worker_id")
        return self._change_case(id, lambda c: c.transfer(to_worker, self.clock.now(), actor))

    def evaluate_case(self, id: UUID, result: str, actor: str) -> Receipt:
        return self._change_case(id, lambda c: c.evaluate(result, self.clock.now(), actor))

    def close_case(self, id: UUID, outcome: str, actor: str) -> Receipt:
        return self._change_case(id, lambda c: c.close(outcome, self.clock.now(), actor))

    def assign_supervision(self, account_id: UUID, supervisor_id: UUID | None, intern: bool, actor: str) -> Receipt:
        if supervisor_id is not None:
            self._social_worker(supervisor_id, "supervisor_id")

        return self._change(Account, account_id, "account", lambda account: account.assign_supervision(supervisor_id, intern, actor))
