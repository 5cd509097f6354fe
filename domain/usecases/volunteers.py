"""Volunteer use cases: register, approve, suspend, reinstate, retire, forget; credentials and qualifications."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from uuid import UUID

from domain.errors import InvalidCommand
from domain.units import Unit
from domain.usecases.ledger import Ledger, Receipt
from domain.volunteers import CREDENTIAL_KINDS, Volunteer

EARTHS_LEAD = timedelta(hours=14)  # the furthest any time zone runs ahead of UTC (Kiribati)


class VolunteerUseCases(Ledger):

    def register_volunteer(self, name: str, phone: str, unit_id: UUID, languages: list[str],
                           skills: list[str], actor: str, email: str = "") -> Receipt:
        volunteer = Volunteer.register(name, phone, unit_id, languages, skills, actor)
        self._get(Unit, unit_id, "unit")
        volunteer.change_email(email, actor)
        return Receipt(self._commit(volunteer), volunteer.id, volunteer.status)

    def get_volunteer(self, id: UUID) -> Volunteer:
        return self._read(Volunteer, id, "volunteer")

    def _change_volunteer(self, id: UUID, change: Callable[[Volunteer], None]) -> Receipt:
        """A change of one volunteer; the receipt's value is their status after it."""
        def changed(volunteer: Volunteer) -> str:
            change(volunteer)
            return volunteer.status
        return self._change(Volunteer, id, "volunteer", changed)

    def change_volunteer_email(self, id: UUID, email: str, actor: str) -> Receipt:
        return self._change_volunteer(id, lambda v: v.change_email(email, actor))

    def approve_volunteer(self, id: UUID, actor: str) -> Receipt:
        return self._change_volunteer(id, lambda v: v.approve(actor))

    def suspend_volunteer(self, id: UUID, reason: str, actor: str) -> Receipt:
        if not reason.strip():
            raise InvalidCommand("reason", "a suspension must say why")
        return self._change_volunteer(id, lambda v: v.suspend(reason, actor))

    def present_award(self, id: UUID, hours: int, actor: str) -> Receipt:
        return self._change_volunteer(id, lambda v: v.present_award(hours, actor))

    def forget_volunteer(self, id: UUID, actor: str) -> Receipt:
        """Erase a volunteer's name and phone for good: the Forgotten event first (read models
        erase what they show), then their key (what the log holds of them is unreadable since).
        Running it again finishes a forgetting that stopped between the two."""
        receipt = self._change_volunteer(id, lambda v: v.forget(actor))
        self.vault.forget(id)
        self.drop_cache()  # other aggregates hold their name unsealed too (their certificates)
        return receipt

    def reinstate_volunteer(self, id: UUID, actor: str) -> Receipt:
        return self._change_volunteer(id, lambda v: v.reinstate(actor))

    def retire_volunteer(self, id: UUID, actor: str) -> Receipt:
        return self._change_volunteer(id, lambda v: v.retire(actor))

    def update_volunteer_profile(self, id: UUID, phone: str, languages: list[str], skills: list[str],
                                 actor: str) -> Receipt:
        return self._change_volunteer(id, lambda v: v.update_profile(phone, languages, skills, actor))

    def record_insurance(self, id: UUID, policy_number: str, insurer: str, valid_from: date, valid_until: date,
                         actor: str) -> Receipt:
        return self._change_volunteer(
            id, lambda v: v.record_insurance(policy_number, insurer, valid_from, valid_until, actor))

    def accept_agreement(self, id: UUID, version: str, actor: str) -> Receipt:
        return self._change_volunteer(id, lambda v: v.accept_agreement(version, actor))

    def record_credential(self, id: UUID, kind: str, recorded_on: date, expires_on: date | None,
                          actor: str, declined: bool = False) -> Receipt:
        if kind not in CREDENTIAL_KINDS:
            raise InvalidCommand("kind", f"must be one of {', '.join(CREDENTIAL_KINDS)}")
        if declined and kind != "flu_vaccination":
            raise InvalidCommand("declined", "only a flu vaccination may be declined")
        if expires_on is not None and expires_on < recorded_on:
            raise InvalidCommand("expires_on", "must not be before the day it was recorded")
        if recorded_on > (self.clock.now() + EARTHS_LEAD).date():  # today anywhere on earth is no later
            raise InvalidCommand("recorded_on", "must not be in the future")
        return self._change_volunteer(
            id, lambda v: v.record_credential(kind, recorded_on, expires_on, declined, actor))

    def grant_qualification(self, id: UUID, kind: str, valid_until: date | None, actor: str) -> Receipt:
        """A qualification earned outside CareLedger's trainings (e.g. a recognised certificate)."""
        if not kind.strip():
            raise InvalidCommand("kind", "must not be empty")
        today = self.clock.now().date()
        return self._change_volunteer(id, lambda v: v.grant_qualification(kind, None, today, valid_until, actor))

    def revoke_qualification(self, id: UUID, kind: str, reason: str, actor: str) -> Receipt:
        return self._change_volunteer(id, lambda v: v.revoke_qualification(kind, reason, actor))
