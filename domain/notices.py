"""Notices: one message to one volunteer. The log is the outbox.

A notice is queued in the same save as what it tells of (a shift cancelled is cancelled and its
volunteers' notices queued together, or neither), or by the reminder sweep. Its id is derived
from what it is about, so the log itself refuses a second copy: exactly one notice per reminder,
however often the sweep runs, on however many nodes, across restarts.

Sending is claimed first (`Dispatching`, with a lease): of two nodes reaching for the same notice
only one wins the version race; a node that dies mid-send leaves a lease that runs out, and the
message goes again under the same Message-ID, which mail systems use to drop a duplicate.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import Aggregate
from domain.errors import NoticeNotDue

NOTICES = UUID("0b3c4a61-77c1-4c5e-8c1e-3c2d7b1f5a90")
KINDS = ("shift_changed", "shift_cancelled", "shift_reminder", "qualification_expiring", "interpreter_wanted",
         "interpreter_cancelled", "invitation", "application_rejected", "application_withdrawn",
         "waitlist_promoted", "seat_offered", "seat_taken", "service_wanted", "service_cancelled",
         "handover_approved", "handover_declined", "star_level",
         "national_record")
QUEUED, DISPATCHING, SENT, RETRYING, UNDELIVERABLE = "queued", "dispatching", "sent", "retrying", "undeliverable"
MAX_ATTEMPTS = 5
LEASE = timedelta(minutes=5)


def notice_id(key: str) -> UUID:
    return uuid5(NOTICES, key)


class Notice(Aggregate):
    @staticmethod
    def create_id(key: str) -> UUID:
        return notice_id(key)

    @event("Queued")
    def __init__(self, key: str, volunteer_id: UUID, kind: str, facts: dict[str, str], at: datetime,
                 actor: str) -> None:
        self.key, self.volunteer_id, self.kind, self.facts = key, volunteer_id, kind, facts
        self.state = QUEUED
        self.attempts = 0
        self.lease_until: datetime | None = None
        self.retry_at: datetime | None = None

    def due(self, now: datetime) -> bool:
        if self.state == QUEUED:
            return True
        if self.state == RETRYING:
            return self.retry_at is None or self.retry_at <= now
        return self.state == DISPATCHING and self.lease_until is not None and self.lease_until <= now

    def dispatch(self, node: str, now: datetime) -> None:
        """Claim the sending; refused when sent, given up, or another node holds a live lease."""
        if not self.due(now):
            raise NoticeNotDue(f"This notice is {self.state}, not due to be sent.", state=self.state)
        self._dispatching(node, self.attempts + 1, now + LEASE)

    @event("Dispatching")
    def _dispatching(self, node: str, attempt: int, lease_until: datetime) -> None:
        self.state, self.attempts, self.lease_until = DISPATCHING, attempt, lease_until

    def sent(self, channel: str, at: datetime) -> None:
        if self.state != DISPATCHING:
            raise NoticeNotDue(f"This notice is {self.state}; only a dispatching notice is sent.", state=self.state)
        self._sent(channel, at)

    @event("Sent")
    def _sent(self, channel: str, at: datetime) -> None:
        self.state, self.lease_until = SENT, None

    def failed(self, problem: str, at: datetime, permanent: bool) -> None:
        """A transient failure is tried again later (1, 4, 16, 64 minutes); a permanent one — no address,
        no channel — or the last attempt's failure leaves the notice undeliverable, for a person to see."""
        if self.state != DISPATCHING:
            raise NoticeNotDue(f"This notice is {self.state}; only a dispatching notice fails.", state=self.state)
        gives_up = permanent or self.attempts >= MAX_ATTEMPTS
        retry_at = None if gives_up else at + timedelta(minutes=4 ** (self.attempts - 1))
        self._failed(problem[:500], at, retry_at)

    @event("Failed")
    def _failed(self, problem: str, at: datetime, retry_at: datetime | None) -> None:
        self.state = RETRYING if retry_at is not None else UNDELIVERABLE
        self.retry_at, self.lease_until = retry_at, None
