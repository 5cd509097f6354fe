"""The audit trail as every face reads it (the API and the admin's screen): who did what, when,
in log order, and never a payload."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID


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
