"""Invitations: a coordinator lets a volunteer set up their own login with a one-time code. Only
the code's digest is kept (the log never holds the code), and the invitation's id is derived from
it: whoever holds the code finds it, nobody else can."""

from __future__ import annotations

import hashlib
from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import Aggregate
from domain.errors import InvitationInvalid, InvitationSent
from domain.personal import personal

_INVITATIONS = UUID("6f1b7b0e-2c7a-4f0e-9a55-0c4d2b8e91a3")


def normal_code(code: str) -> str:
    """As a person types it from a paper or a message: spaces and dashes left out, any case."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def digest(code: str) -> str:
    return hashlib.sha256(normal_code(code).encode()).hexdigest()


def invitation_id(code: str) -> UUID:
    return Invitation.create_id(digest(code))


class Invitation(Aggregate):
    """Issued with the code's digest: the code itself is in no event."""

    @staticmethod
    def create_id(digest: str) -> UUID:
        return uuid5(_INVITATIONS, digest)

    @event("Issued")
    def __init__(self, digest: str, volunteer_id: UUID, expires_at: datetime, actor: str) -> None:
        self.digest, self.volunteer_id, self.expires_at, self.actor = digest, volunteer_id, expires_at, actor
        self.account_id: UUID | None = None
        self.posted: tuple[str, str] | None = None  # (code, link), once it is to be sent

    def post(self, code: str, link: str, at: datetime, actor: str) -> None:
        """To be sent to the volunteer's e-mail or phone: only then does the log hold the code, sealed
        with the volunteer's own key (domain/personal.py) so that forgetting them forgets it too."""
        if digest(code) != self.digest:
            raise InvitationInvalid("This code is not this invitation's.")
        if self.account_id is not None:
            raise InvitationInvalid("This invitation was used already; ask the coordinator for a new one.")
        if at > self.expires_at:
            raise InvitationInvalid("This invitation has expired; ask the coordinator for a new one.")
        if self.posted is not None:
            raise InvitationSent("This invitation has been sent to the volunteer already; see the notices.")
        self._posted(self.volunteer_id, normal_code(code), link, actor)

    @event("Posted")
    def _posted(self, volunteer_id: UUID, code: str, link: str, actor: str) -> None:
        self.posted = (code, link)

    def accept(self, account_id: UUID, at: datetime, actor: str) -> None:
        if self.account_id is not None:
            raise InvitationInvalid("This invitation was used already; ask the coordinator for a new one.")
        if at > self.expires_at:
            raise InvitationInvalid("This invitation has expired; ask the coordinator for a new one.")
        self._accepted(account_id, actor)

    @event("Accepted")
    def _accepted(self, account_id: UUID, actor: str) -> None:
        self.account_id = account_id


personal(Invitation.Posted, "code", "link", owner="volunteer_id")
personal(Invitation, "posted")  # in snapshots, were there any
