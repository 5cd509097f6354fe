"""A read-model file is checked before it is served: one that is damaged, made from another log or
ahead of the log is moved aside (never deleted, never trusted) and made again from the log."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from projections.store import ReadModel, ReadModelStore

log = logging.getLogger("careledger")
DAMAGED = frozenset({11, 18, 26})  # SQLITE_CORRUPT ("disk image is malformed"), SQLITE_TOOBIG (a garbled length), SQLITE_NOTADB


def log_identity(recorder: Any) -> str | None:
    """What names a log: its first event (id, version and kind), the same for as long as the log
    lives (forgetting and encrypting leave them be); None while the log is empty."""
    first = recorder.select_notifications(1, 1)
    if not first:
        return None
    event = first[0]
    return f"{event.originator_id}:{event.originator_version}:{event.topic}"


def examine(path: Path, recorder: Any, thorough: bool = True) -> str | None:
    """What is wrong with the read-model file at `path`, in words; None if it may be served.
    `thorough` reads every page (`PRAGMA quick_check`): for a server starting or a rebuild;
    short jobs look at the header, the positions and the log it was made from only."""
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(path, timeout=30)  # read-write: a crash's -wal is recovered, not taken for damage
        conn.text_factory = lambda raw: raw.decode("utf-8", "replace")  # damage quotes garbled names back
        try:
            verdict = [row[0] for row in conn.execute("PRAGMA quick_check(5)")] if thorough else ["ok"]
            if verdict != ["ok"]:
                return f"it is damaged ({'; '.join(verdict)[:300]})"
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not tables:
                return None  # an empty file: nothing to trust or distrust
            if "positions" not in tables:
                return "it is not a read-model file (no positions table)"
            reached = conn.execute("SELECT max(position) FROM positions").fetchone()[0] or 0
            head = recorder.max_notification_id() or 0
            if reached > head:
                return f"it is ahead of the log (a read model at position {reached}, the log ends at {head})"
            made_from = conn.execute("SELECT first_event FROM log_identity").fetchone() \
                if "log_identity" in tables else None
            if made_from is not None and made_from[0] != log_identity(recorder):
                return "it was made from another log (its first event is not this log's)"
        finally:
            conn.close()
    except sqlite3.DatabaseError as unreadable:
        if getattr(unreadable, "sqlite_errorcode", 0) & 0xFF not in DAMAGED:
            raise  # busy, locked, full, an I/O error: the file may be fine; never set aside for that
        return f"it is damaged: it cannot be read ({unreadable})"
    except UnicodeDecodeError:  # SQLite's own message quoted garbled bytes: damage it could not put in words
        return "it is damaged: it cannot be read (its pages hold garbled names)"
    return None


def set_aside(path: Path, problem: str) -> Path:
    """Move the file (and its -wal and -shm) aside, named for when; say where in the log."""
    aside = path.with_name(f"{path.stem}.set-aside-{time.strftime('%Y%m%d-%H%M%S')}{path.suffix}")
    n = 1
    while aside.exists():
        n += 1
        aside = aside.with_name(f"{path.stem}.set-aside-{time.strftime('%Y%m%d-%H%M%S')}-{n}{path.suffix}")
    for suffix in ("-wal", "-shm"):
        companion = Path(f"{path}{suffix}")
        if companion.exists():
            companion.rename(f"{aside}{suffix}")
    path.rename(aside)
    log.error("read-model file set aside: it is made again from the log before it is served",
              extra={"file": str(path), "moved_to": str(aside), "problem": problem})
    return aside


def open_checked(path: Path, recorder: Any, models: Iterable[ReadModel], thorough: bool = True) -> ReadModelStore:
    """The read-model store at `path`, once checked: a bad file is set aside and a new one begun
    (the caller's catch-up fills it from the log, with progress)."""
    problem = examine(path, recorder, thorough)
    if problem is not None:
        set_aside(path, problem)
    store = ReadModelStore(path, models)
    identity = log_identity(recorder)
    if identity is not None:
        store.identify(identity)
    return store
