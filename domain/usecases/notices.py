"""Notice use cases: queue a reminder once, claim a notice for sending, record how it went."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.persistence import IntegrityError

from domain.errors import InvalidCommand
from domain.usecases.ledger import Ledger, Receipt
from domain.notices import KINDS, Notice, notice_id
from domain.personal import ERASED
from domain.volunteers import Volunteer


class NoticeUseCases(Ledger):
    def queue_notices(self, wanted: list[tuple[str, UUID, str, dict[str, str]]],
                      actor: str = "system:reminders", chunk: int = 200) -> int:
        """Queue many (key, volunteer, kind, facts) at once, those not queued yet, a few hundred per
        save (a city's reminders for the next day are thousands); returns how many were new.
        A chunk that meets one queued meanwhile by another node is queued again one by one."""
        if any(kind not in KINDS for _, _, kind, _ in wanted):
            raise InvalidCommand("kind", f"must be one of {', '.join(KINDS)}")
        fresh = [w for w in wanted if notice_id(w[0]) not in self.repository]
        queued = 0
        for first in range(0, len(fresh), chunk):
            part = fresh[first:first + chunk]
            try:
                self._commit(*(self._notice(*w, actor) for w in part))
                queued += len(part)
            except IntegrityError:
                queued += sum(self._queue_alone(*w, actor) for w in part)
        return queued

    def _notice(self, key: str, volunteer_id: UUID, kind: str, facts: dict[str, str], actor: str) -> Notice:
        return Notice(key=key, volunteer_id=volunteer_id, kind=kind, facts=facts, at=self.clock.now(), actor=actor)

    def _queue_alone(self, key: str, volunteer_id: UUID, kind: str, facts: dict[str, str], actor: str) -> bool:
        """Save one notice, made afresh (a refused save has taken the events of the ones it held);
        False when it is queued already (by another node a moment ago)."""
        if notice_id(key) in self.repository:
            return False
        try:
            self._commit(self._notice(key, volunteer_id, kind, facts, actor))
            return True
        except IntegrityError:
            return False

    def get_notice(self, id: UUID) -> Notice:
        return self._read(Notice, id, "notice")

    def dispatch_notice(self, id: UUID, node: str) -> Notice:
        """Claim a notice for sending; refused (NoticeNotDue, ConcurrentChange) when someone else has."""
        def decide() -> Notice:
            notice = self._get(Notice, id, "notice")
            notice.dispatch(node, self.clock.now())
            self._commit(notice)
            return notice
        return self._decide(decide)

    def notice_sent(self, id: UUID, channel: str) -> Receipt:
        return self._change(Notice, id, "notice", lambda notice: notice.sent(channel, self.clock.now()))

    def notice_failed(self, id: UUID, problem: str, permanent: bool) -> Receipt:
        def decide() -> Receipt:
            notice = self._get(Notice, id, "notice")
            notice.failed(problem, self.clock.now(), permanent)
            return Receipt(self._commit(notice), id, notice.state)
        return self._decide(decide)

    def contact_of(self, volunteer_id: UUID) -> tuple[str, str]:
        """(e-mail, phone) to reach a volunteer at; empty where unknown or forgotten."""
        volunteer = self._read(Volunteer, volunteer_id, "volunteer")
        email, phone = getattr(volunteer, "email", ""), volunteer.phone
        return ("" if email == ERASED else email), ("" if phone == ERASED else phone)
