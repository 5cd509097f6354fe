"""Account use cases: open one, change its password, sign it out, disable it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from domain.accounts import Account, account_id, legacy_account_id
from domain.errors import InvitationInvalid, NotFound, UsernameTaken, VolunteerNotActive
from domain.invitations import Invitation, digest, invitation_id
from domain.notices import Notice
from domain.units import Unit
from domain.usecases.ledger import Ledger, Receipt
from domain.volunteers import Volunteer


class AccountUseCases(Ledger):

    def open_account(self, username: str, password_hash: str, role: str, unit_ids: list[UUID],
                     volunteer_id: UUID | None, actor: str) -> Receipt:
        for unit_id in unit_ids:
            self._get(Unit, unit_id, "unit")
        if volunteer_id is not None:
            self._get(Volunteer, volunteer_id, "volunteer")
        account = Account.open(username, password_hash, role, unit_ids, volunteer_id, actor)
        if account.id in self.repository or legacy_account_id(username) in self.repository:
            raise UsernameTaken(f"The username {account.username!r} is taken.")
        try:
            return Receipt(self._commit(account), account.id)
        except IntegrityError:
            raise UsernameTaken(f"The username {account.username!r} is taken.") from None

    def invite_volunteer(self, volunteer_id: UUID, code: str, expires_at: datetime, actor: str) -> Receipt:
        """A one-time code with which the volunteer sets up their own login (see domain/invitations.py)."""
        volunteer = self._get(Volunteer, volunteer_id, "volunteer")
        if volunteer.status not in ("pending", "active"):
            raise VolunteerNotActive(f"{volunteer.name} is {volunteer.status}.", volunteer_status=volunteer.status)
        invitation = Invitation(digest=digest(code), volunteer_id=volunteer_id, expires_at=expires_at, actor=actor)
        return Receipt(self._commit(invitation), invitation.id)

    def send_invitation(self, code: str, link: str, actor: str) -> Receipt:
        """The invitation sent to the volunteer (e-mail, else SMS) by the mailroom: the code handed
        to the outbox and the notice queued in one save."""
        def decide() -> Receipt:
            invitation = self._invitation_of(code)
            invitation.post(code, link, self.clock.now(), actor)
            notice = Notice(key=f"invitation:{invitation.id}", volunteer_id=invitation.volunteer_id, kind="invitation",
                            facts={"invitation_id": str(invitation.id), "expires_at": invitation.expires_at.isoformat()},
                            at=self.clock.now(), actor=actor)
            return Receipt(self._commit(invitation, notice), notice.id)
        return self._decide(decide)

    def _invitation_of(self, code: str) -> Invitation:
        try:
            return self._get(Invitation, invitation_id(code), "invitation")
        except NotFound:
            raise InvitationInvalid("This code is not known: check it, or ask the coordinator for a new one.") \
                from None

    def get_invitation(self, id: UUID) -> Invitation:
        return self._read(Invitation, id, "invitation")

    def accept_invitation(self, code: str, username: str, password_hash: str) -> Receipt:
        """The volunteer's own login, opened with the code: the account and the code's use in one save
        (a code is used once, however many times it is sent at once)."""
        def decide() -> Receipt:
            invitation = self._invitation_of(code)
            account = Account.open(username, password_hash, "volunteer", [], invitation.volunteer_id,
                                   f"volunteer:{invitation.volunteer_id}")
            if account.id in self.repository or legacy_account_id(username) in self.repository:
                raise UsernameTaken(f"The username {account.username!r} is taken.")
            invitation.accept(account.id, self.clock.now(), f"volunteer:{invitation.volunteer_id}")
            # A race lost (the code used, or the username taken, a moment ago) is decided again: said so then.
            return Receipt(self._commit(invitation, account), account.id)
        return self._decide(decide)

    def find_account(self, username: str) -> Account | None:
        for id in dict.fromkeys((account_id(username), legacy_account_id(username))):  # older ids too
            try:
                return self._read(Account, id, "account")
            except NotFound:
                continue
        return None

    def get_account(self, id: UUID) -> Account:
        return self._read(Account, id, "account")

    def known_account(self, id: UUID) -> Account | None:
        """The account as this process last read it, without asking the log (None if it has not):
        who is logged in can still be told while the log's database is away."""
        return self._known(Account, id)

    def _change_account(self, id: UUID, change: Callable[[Account], None]) -> Receipt:
        return self._change(Account, id, "account", change)

    def enable_account(self, id: UUID, actor: str) -> Receipt:
        return self._change_account(id, lambda a: a.enable(actor))

    def assign_units(self, id: UUID, unit_ids: list[UUID], actor: str) -> Receipt:
        for unit_id in unit_ids:
            self._get(Unit, unit_id, "unit")
        return self._change_account(id, lambda a: a.assign_units(unit_ids, actor))

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
