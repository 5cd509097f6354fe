"""Accounts: who may log in, with which role, acting for which units or which volunteer."""

from __future__ import annotations

import re
import unicodedata

from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain import bounds
from domain.aggregate import Aggregate
from domain.errors import InvalidCommand
from domain.permissions import ROLES, UNIT_BOUND_ROLES

USERNAME = 64
_USERNAME = re.compile(r"[\w.@-]+")  # letters of any script, digits, and what e-mail addresses use
_ACCOUNT_NAMESPACE = UUID("0b0d5a4e-3f57-4b8e-8f0e-5d1c9f3a7e21")


def normal_username(username: str) -> str:
    """One spelling of a username for every purpose (its account, its failed logins): Unicode
    compatibility forms folded (NFKC: a full-width letter is the letter), spaces around it of any
    kind stripped, case folded. " Victim", "victim\t" and "\u3000victim" are all "victim"."""
    return unicodedata.normalize("NFKC", username).strip().casefold()


def account_id(username: str) -> UUID:
    """Usernames are unique because the account's id is derived from it: a second one conflicts."""
    return uuid5(_ACCOUNT_NAMESPACE, normal_username(username))


def legacy_account_id(username: str) -> UUID:
    """The id an account made before usernames were normalised with NFKC and casefold got."""
    return uuid5(_ACCOUNT_NAMESPACE, username.strip().lower())


class Account(Aggregate):
    @classmethod
    def open(
        cls, username: str, password_hash: str, role: str, unit_ids: list[UUID],
        volunteer_id: UUID | None, actor: str,
    ) -> Account:
        username = bounds.text("username", username, USERNAME)
        if not _USERNAME.fullmatch(normal_username(username)):
            raise InvalidCommand("username", "use letters, digits and . _ - @ only, without spaces")
        if role not in ROLES:
            raise InvalidCommand("role", f"must be one of {', '.join(ROLES)}")
        if role in UNIT_BOUND_ROLES and not unit_ids:
            raise InvalidCommand("unit_ids", "a {role} must act for at least one unit", role=role)
        if role == "volunteer" and volunteer_id is None:
            raise InvalidCommand("volunteer_id", "a volunteer account must name its volunteer")
        return cls(normal_username(username), password_hash, role, unit_ids, volunteer_id, actor)

    @staticmethod
    def create_id(username: str) -> UUID:
        return account_id(username)

    @event("Opened")
    def __init__(
        self, username: str, password_hash: str, role: str, unit_ids: list[UUID],
        volunteer_id: UUID | None, actor: str,
    ) -> None:
        self.username, self.password_hash, self.role = username, password_hash, role
        self.unit_ids, self.volunteer_id = unit_ids, volunteer_id
        self.disabled = False
        self.sessions_ended = 0  # tokens carry the count they were issued under: older ones are void
        self.ended_sessions: dict[str, datetime] = {}  # one device signed out: its session id, until it expires
        self.supervisor_id: UUID | None = None
        self.intern = False

    def change_password(self, password_hash: str, actor: str) -> None:
        self._password_changed(password_hash, actor)

    @event("PasswordChanged")
    def _password_changed(self, password_hash: str, actor: str) -> None:
        self.password_hash = password_hash
        self.sessions_ended += 1

    def sign_out_everywhere(self, actor: str) -> None:
        self._signed_out(actor)

    @event("SignedOut")
    def _signed_out(self, actor: str) -> None:
        self.sessions_ended += 1

    def end_session(self, session_id: str, expires_at: datetime, at: datetime, actor: str) -> None:
        """One session (a browser, a phone) signs out: its token is refused from now on, others go on."""
        if session_id and session_id not in self.ended_sessions and expires_at > at:
            self._session_ended(session_id, expires_at, at, actor)

    @event("SessionEnded")
    def _session_ended(self, session_id: str, expires_at: datetime, at: datetime, actor: str) -> None:
        # A session past its expiry needs no refusing (its token has expired): the list stays short.
        self.ended_sessions = {s: until for s, until in self.ended_sessions.items() if until > at}
        self.ended_sessions[session_id] = expires_at

    def disable(self, actor: str) -> None:
        if not self.disabled:
            self._disabled(actor)

    @event("Disabled")
    def _disabled(self, actor: str) -> None:
        self.disabled = True

    def enable(self, actor: str) -> None:
        """A suspended account may log in again; what it was signed in with before stays void."""
        if self.disabled:
            self._enabled(actor)

    @event("Enabled")
    def _enabled(self, actor: str) -> None:
        self.disabled = False
        self.sessions_ended += 1

    def assign_units(self, unit_ids: list[UUID], actor: str) -> None:
        """The units a coordinator, kiosk or social worker acts for (admins and auditors see the city)."""
        if self.role not in UNIT_BOUND_ROLES:
            raise InvalidCommand("unit_ids", "a {role} acts for the whole city, not for units", role=self.role)
        if not unit_ids:
            raise InvalidCommand("unit_ids", "a {role} must act for at least one unit", role=self.role)
        chosen = list(dict.fromkeys(unit_ids))
        if chosen != self.unit_ids:
            self._units_assigned(chosen, actor)

    @event("UnitsAssigned")
    def _units_assigned(self, unit_ids: list[UUID], actor: str) -> None:
        self.unit_ids = unit_ids

    def assign_supervision(self, supervisor_id: UUID | None, intern: bool, actor: str) -> None:
        """Who supervises this social worker (督导), and whether it is an intern whose notes need countersigning."""
        if self.role != "social_worker":
            raise InvalidCommand("supervisor_id", "only social workers are supervised")
        if supervisor_id == self.id:
            raise InvalidCommand("supervisor_id", "nobody supervises themselves")
        if intern and supervisor_id is None:
            raise InvalidCommand("supervisor_id", "an intern needs a supervisor")
        self._supervision_assigned(supervisor_id, intern, actor)

    @event("SupervisionAssigned")
    def _supervision_assigned(self, supervisor_id: UUID | None, intern: bool, actor: str) -> None:
        self.supervisor_id, self.intern = supervisor_id, intern
