"""The audit trail as every face reads it (the API and the admin's screen): who did what, when,
in log order, and never a payload."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEvent

from domain.aggregate import Aggregate


@dataclass(frozen=True)
class Entry:
    position: int
    type: str
    aggregate_id: UUID
    actor: str
    timestamp: datetime


def trail(ledger: Any, after: int, limit: int) -> list[Entry]:
    found = []
    for notification in ledger.recorder.select_notifications(after + 1, limit):
        event = ledger.mapper.to_domain_event(notification)
        found.append(Entry(notification.id, notification.topic.rsplit(":", 1)[-1], notification.originator_id,
                           getattr(event, "actor", ""), event.timestamp))
    return found


def event_types() -> list[str]:
    """Every event type the log can hold ("Shift.CheckedIn"), by aggregate: for choosing one to look for."""
    from domain import application  # noqa: F401 - every aggregate imported

    found = set()
    for aggregate in _subclasses(Aggregate):
        for name, value in vars(aggregate).items():
            if isinstance(value, type) and issubclass(value, DomainEvent) and name != "Event":
                found.add(f"{aggregate.__name__}.{name}")
    return sorted(found)


def _subclasses(cls: type) -> list[type]:
    return [sub for direct in cls.__subclasses__() for sub in (direct, *_subclasses(direct))]
