"""Group work (小组) and community activities: meetings with the persons they reached, no patient named."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import event

from domain import bounds
from domain.aggregate import Aggregate

from domain.errors import InvalidCommand, SessionClosed

KINDS = ("group", "community")


class GroupWork(Aggregate):
    @classmethod
    def form(cls, kind: str, unit_id: UUID, title: str, service_type: str, worker: UUID, actor: str) -> GroupWork:
        if kind not in KINDS:
            raise InvalidCommand("kind", "must be group or community")
        title = bounds.text("title", title, bounds.TITLE)
        return cls(kind, unit_id, title, service_type, worker, actor)

    @event("Formed")
    def __init__(self, kind: str, unit_id: UUID, title: str, service_type: str, worker: UUID, actor: str) -> None:
        self.kind, self.unit_id, self.title, self.service_type, self.worker = kind, unit_id, title, service_type, worker
        self.meetings = 0
        self.closed = False

    def hold_meeting(self, started_at: datetime, minutes: int, persons: int, actor: str) -> None:
        """A group session (participants) or a community activity (persons reached)."""
        if self.closed:
            raise SessionClosed("This group has ended.")
        bounds.moment("started_at", started_at)
        bounds.count("minutes", minutes, 1, bounds.DAY_MINUTES)
        bounds.count("persons", persons, 1, bounds.PERSONS)
        self._meeting_held(started_at, minutes, persons, actor)

    @event("MeetingHeld")
    def _meeting_held(self, started_at: datetime, minutes: int, persons: int, actor: str) -> None:
        self.meetings += 1

    def end(self, actor: str) -> None:
        if not self.closed:
            self._ended(actor)

    @event("Ended")
    def _ended(self, actor: str) -> None:
        self.closed = True


# Stores written before the domain checked these bounds may hold impossible counts: read them clamped.
bounds.repaired_on_read(GroupWork.MeetingHeld)(
    lambda state: bounds.clamped(state, {"minutes": (1, bounds.DAY_MINUTES), "persons": (1, bounds.PERSONS)}))
