"""Requests nobody answered: after the programme's wait each open request goes to the coordinator's
board (once; two nodes escalating at once record it once, the second finding it done)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from uuid import UUID

from domain.errors import DomainError
from domain.permissions import system
from projections import requests

log = logging.getLogger("careledger")


def escalate(commands: Any, db: Any, wait_minutes: int) -> int:
    """Escalate the open requests asked more than `wait_minutes` ago; returns how many."""
    now = commands.ledger.clock.now()
    done = 0
    for request_id in requests.unanswered(db, now - timedelta(minutes=wait_minutes), now):
        try:
            if commands.escalate_request(system("system:escalation"), UUID(request_id)).position is not None:
                done += 1
        except DomainError:
            continue  # taken or cancelled meanwhile
    if done:
        log.warning("requests unanswered, escalated to the coordinator", extra={"requests": done})
    return done
