"""Faults of the server, not of the request: each is answered 503 with Retry-After and a reason a
person reads, never a 500 (a read model stopped, the disk full, the log's database away)."""

from __future__ import annotations

import errno
import sqlite3
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Outage:
    reason: str  # read_model_stopped, disk_full, log_unreachable
    detail: str  # for an API client and the log
    message: str  # for a page, in the reader's language (a catalogue key)
    retry_after: int  # seconds


DISK_FULL = Outage("disk_full", "The server's disk is full: nothing was recorded. An operator must free space; "
                   "it recovers by itself once there is room.",
                   "The server's disk is full: nothing was recorded. Tell the operator; try again later.", 30)
LOG_AWAY = Outage("log_unreachable", "The event log's database cannot be reached: nothing was recorded. "
                  "It recovers by itself once the database answers again.",
                  "The event log's database cannot be reached: nothing was recorded. Try again in a moment.", 5)
STOPPED_MESSAGE = ("Part of what this page shows has stopped updating. Tell the operator: `careledger doctor` "
                   "on the server says what to do.")
MESSAGES = (STOPPED_MESSAGE, DISK_FULL.message, LOG_AWAY.message)  # said on pages, in both languages


def _chain(error: BaseException) -> list[BaseException]:
    """The error and what caused it (eventsourcing wraps its drivers' errors in its own)."""
    seen: list[BaseException] = []
    waiting = [error]
    while waiting and len(seen) < 10:
        error = waiting.pop()
        if error is None or error in seen:
            continue
        seen.append(error)
        waiting += [error.__cause__, error.__context__, *(a for a in error.args if isinstance(a, BaseException))]
    return seen


def _disk_full(error: BaseException) -> bool:
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    if isinstance(error, sqlite3.OperationalError) and "disk is full" in str(error):
        return True
    return getattr(error, "sqlstate", None) == "53100"  # PostgreSQL's disk_full


def _unreachable(error: BaseException) -> bool:
    """The log's database did not answer: PostgreSQL down, paused, or its pool exhausted."""
    from web.log_watch import LogAway

    if isinstance(error, LogAway):
        return True
    module = type(error).__module__
    if module.startswith("psycopg_pool"):
        return True  # PoolTimeout, TooManyRequests
    if module.startswith("psycopg"):
        import psycopg

        return isinstance(error, (psycopg.OperationalError, psycopg.InterfaceError))
    return False


def outage(state: Any, error: BaseException) -> Outage | None:
    """What kind of outage `error` is a sign of, if any."""
    stopped = state.projector.stopped_reads(error) if hasattr(state, "projector") else []
    if stopped:
        names = ", ".join(f"{q.read_model} (stopped at position {q.position}: it cannot apply {q.event})"
                          for q in stopped)
        return Outage("read_model_stopped", f"This answer would come from a read model that stopped at an event "
                      f"it cannot apply: {names}. The operator must repair it (`careledger doctor`).",
                      STOPPED_MESSAGE, 60)
    chain = _chain(error)
    if any(_disk_full(e) for e in chain):
        return DISK_FULL
    if any(_unreachable(e) for e in chain):
        return LOG_AWAY
    return None
