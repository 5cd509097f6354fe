"""CareLedger's use cases: each loads what it needs, decides, and saves every change in ONE save()."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from domain.accounts import Account, account_id
from domain.errors import InvalidCommand, NotFound, UsernameTaken
from domain.ledger import Receipt
from domain.casework import CaseWork
from domain.certifying import Certifying
from domain.notifying import Notifying
from domain.rostering import Rostering
from domain.socialwork import SocialWork
from domain.trainings import TrainingCourse
from domain.units import Unit
from domain.volunteers import CREDENTIAL_KINDS, Volunteer

__all__ = ["CareLedger", "Receipt"]


class CareLedger(Rostering, SocialWork, CaseWork, Notifying, Certifying):
    """The whole application: units, accounts, volunteers and trainings here; shifts in
    `Rostering`, sessions in `SocialWork`, cases and groups in `CaseWork`. Every method records all its events or none."""

    # A volunteer's log grows for as long as they serve: load it from a snapshot and the rest.
    snapshotting_intervals = {Volunteer: 100}

    # --- units, posts and the service catalogue ---------------------------------------

    def register_unit(self, name: str, district: str, actor: str) -> Receipt:
        unit = Unit.register(name, district, actor)
        return Receipt(self._commit(unit), unit.id)

    def define_post(self, unit_id: UUID, post: str, requires: list[str], actor: str) -> Receipt:
        def decide() -> Receipt:
            unit = self._get(Unit, unit_id, "unit")
            unit.define_post(post, frozenset(requires), actor)
            return Receipt(self._commit(unit), unit.id)
        return self._decide(decide)

    def get_unit(self, unit_id: UUID) -> Unit:
        return self._read(Unit, unit_id, "unit")

    # --- accounts ------------------------------------------------------------------------

    def open_account(self, username: str, password_hash: str, role: str, unit_ids: list[UUID],
                     volunteer_id: UUID | None, actor: str) -> Receipt:
        for unit_id in unit_ids:
            self._get(Unit, unit_id, "unit")
        if volunteer_id is not None:
            self._get(Volunteer, volunteer_id, "volunteer")
        account = Account.open(username, password_hash, role, unit_ids, volunteer_id, actor)
        if account.id in self.repository:
            raise UsernameTaken(f"The username {account.username!r} is taken.")
        try:
            return Receipt(self._commit(account), account.id)
        except IntegrityError:
            raise UsernameTaken(f"The username {account.username!r} is taken.") from None

    def find_account(self, username: str) -> Account | None:
        try:
            return self._read(Account, account_id(username), "account")
        except NotFound:
            return None

    def get_account(self, id: UUID) -> Account:
        return self._read(Account, id, "account")

    def _change_account(self, id: UUID, change: Callable[[Account], None]) -> Receipt:
        def decide() -> Receipt:
            account = self._get(Account, id, "account")
            change(account)
            return Receipt(self._commit(account), id)
        return self._decide(decide)

    def change_password(self, id: UUID, password_hash: str, actor: str) -> Receipt:
        return self._change_account(id, lambda a: a.change_password(password_hash, actor))

    def sign_out_everywhere(self, id: UUID, actor: str) -> Receipt:
        """Every token issued to the account so far stops working (logging out, a lost phone)."""
        return self._change_account(id, lambda a: a.sign_out_everywhere(actor))

    def end_session(self, id: UUID, session_id: str, expires_at: datetime, actor: str) -> Receipt:
        """One signed-in session of the account stops working (logging out on this device)."""
        return self._change_account(id, lambda a: a.end_session(session_id, expires_at, self.clock.now(), actor))

    def disable_account(self, id: UUID, actor: str) -> Receipt:
        return self._change_account(id, lambda a: a.disable(actor))

    # --- volunteers ----------------------------------------------------------------------

    def register_volunteer(self, name: str, phone: str, unit_id: UUID, languages: list[str],
                           skills: list[str], actor: str, email: str = "") -> Receipt:
        volunteer = Volunteer.register(name, phone, unit_id, languages, skills, actor)
        self._get(Unit, unit_id, "unit")
        volunteer.change_email(email, actor)
        return Receipt(self._commit(volunteer), volunteer.id, volunteer.status)

    def get_volunteer(self, id: UUID) -> Volunteer:
        return self._read(Volunteer, id, "volunteer")

    def _change_volunteer(self, id: UUID, change: Callable[[Volunteer], None]) -> Receipt:
        def decide() -> Receipt:
            volunteer = self._get(Volunteer, id, "volunteer")
            change(volunteer)
            return Receipt(self._commit(volunteer), id, volunteer.status)
        return self._decide(decide)

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

    def record_credential(self, id: UUID, kind: str, recorded_on: date, expires_on: date | None,
                          actor: str, declined: bool = False) -> Receipt:
        if kind not in CREDENTIAL_KINDS:
            raise InvalidCommand("kind", f"must be one of {', '.join(CREDENTIAL_KINDS)}")
        if declined and kind != "flu_vaccination":
            raise InvalidCommand("declined", "only a flu vaccination may be declined")
        if expires_on is not None and expires_on < recorded_on:
            raise InvalidCommand("expires_on", "must not be before recorded_on")
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

    # --- trainings -----------------------------------------------------------------------

    def schedule_training(self, title: str, kind: str, unit_id: UUID, starts_at: datetime,
                          ends_at: datetime, capacity: int, validity_days: int | None, actor: str,
                          grants: str | None = None) -> Receipt:
        self._get(Unit, unit_id, "unit")
        course = TrainingCourse.schedule(title, kind, unit_id, starts_at, ends_at, capacity,
                                         validity_days, grants, actor)
        return Receipt(self._commit(course), course.id)

    def get_training(self, id: UUID) -> TrainingCourse:
        return self._read(TrainingCourse, id, "training")

    def enrol(self, training_id: UUID, volunteer_id: UUID, actor: str) -> Receipt:
        def decide() -> Receipt:
            course = self._get(TrainingCourse, training_id, "training")
            volunteer = self._get(Volunteer, volunteer_id, "volunteer")
            course.enrol(volunteer, actor)
            return Receipt(self._commit(course), training_id)
        return self._decide(decide)

    def record_attendance(self, training_id: UUID, volunteer_id: UUID, present: bool, actor: str) -> Receipt:
        def decide() -> Receipt:
            course = self._get(TrainingCourse, training_id, "training")
            course.record_attendance(volunteer_id, present, actor)
            return Receipt(self._commit(course), training_id)
        return self._decide(decide)

    def assess(self, training_id: UUID, volunteer_id: UUID, passed: bool, score: float | None,
               actor: str) -> Receipt:
        def decide() -> Receipt:
            course = self._get(TrainingCourse, training_id, "training")
            volunteer = self._get(Volunteer, volunteer_id, "volunteer")
            course.assess(volunteer, passed, score, actor)
            return Receipt(self._commit(course, volunteer), training_id, passed)
        return self._decide(decide)

    def cancel_training(self, training_id: UUID, reason: str, actor: str) -> Receipt:
        def decide() -> Receipt:
            course = self._get(TrainingCourse, training_id, "training")
            course.cancel(reason, actor)
            return Receipt(self._commit(course), training_id)
        return self._decide(decide)

