"""The server's background rounds (`every`), and forgotten check-outs: volunteers still checked in
long after their shift ended are checked out at its end, for a coordinator to review. The server
sweeps every minute; `careledger sweep` once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

from domain.errors import DomainError
from domain.permissions import system
from projections import reviews
from projections.store import iso

log = logging.getLogger("careledger")


def sweep(commands: Any, db: Any) -> int:
    """Check out everyone who forgot to; returns how many. Two nodes sweeping at once is fine:
    the second finds the seat already checked out and records nothing."""
    ledger, sweeper = commands.ledger, system("system:auto-check-out")
    ended_before = ledger.clock.now() - timedelta(minutes=ledger.policy.auto_check_out_after_minutes)
    done = 0
    for shift, volunteer in reviews.forgotten(db, iso(ended_before)):
        try:
            if commands.check_out_forgotten(sweeper, UUID(shift), UUID(volunteer)).position is not None:
                done += 1
        except DomainError:
            continue  # changed meanwhile (checked out by hand, or by another node)
    if done:
        log.info("checked out automatically", extra={"seats": done})
    return done


def every(seconds: float, job: Callable[[], Any], stop: threading.Event, name: str) -> threading.Thread:
    """Run `job` every `seconds` in a thread of its own until `stop` is set."""
    def run() -> None:
        while not stop.wait(seconds):
            try:
                job()
            except Exception:  # a failed round is logged and tried again next time
                log.exception("%s failed", name)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread
