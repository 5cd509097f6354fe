"""Forgotten check-outs: volunteers still checked in long after their shift ended are checked out
at its end, for a coordinator to review. The server sweeps every minute; `careledger sweep` once."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any
from uuid import UUID

from domain.errors import DomainError
from projections import reviews
from projections.store import iso

log = logging.getLogger("careledger")


def sweep(ledger: Any, db: Any) -> int:
    """Check out everyone who forgot to; returns how many. Two nodes sweeping at once is fine:
    the second finds the seat already checked out and records nothing."""
    ended_before = ledger.clock.now() - timedelta(minutes=ledger.policy.auto_check_out_after_minutes)
    done = 0
    for shift, volunteer in reviews.forgotten(db, iso(ended_before)):
        try:
            if ledger.check_out_forgotten(UUID(shift), UUID(volunteer)).position is not None:
                done += 1
        except DomainError:
            continue  # changed meanwhile (checked out by hand, or by another node)
    if done:
        log.info("checked out automatically", extra={"seats": done})
    return done


def sweep_every(seconds: float, ledger: Any, reader: Any, stop: threading.Event) -> threading.Thread:
    def run() -> None:
        while not stop.wait(seconds):
            try:
                sweep(ledger, reader())
            except Exception:  # a failed sweep is logged and tried again next time
                log.exception("sweep failed")

    thread = threading.Thread(target=run, name="check-out sweeper", daemon=True)
    thread.start()
    return thread
