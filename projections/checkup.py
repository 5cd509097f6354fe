"""A read-model file is checked before it is served: one that is damaged, made from another log or
ahead of the log is moved aside (never deleted, never trusted) and made again from the log.

Reading every page takes a second a gigabyte (a city's ten years: 5 GB, 13 s before a restarted
server answers, 48 s from a cold disk). A server that stops cleanly notes the file as it leaves
it (`left_clean`: its size, times and inode, and a digest of 257 of its pages); the next start
that finds it so skips that reading once, as fsck skips a file system unmounted cleanly. After a
crash, a copy, a restore or any change that shows, every page is read as before; a fault that
arises on the disk while the server is stopped, in a page not sampled, is found when that page
is read."""

from __future__ import annotations

import hashlib
import json
import logging
import os
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


SAMPLED_PAGES = 256  # of the file's pages, spread over it, read to recognise it after a clean stop


def _as_left(path: Path) -> list | None:
    """The file as the disk has it (size, times, inode, and a digest of its first page and of
    pages spread over it); None if the write-ahead log beside it holds pages the file does not
    (a clean stop folds them in)."""
    try:
        if path.with_name(path.name + "-wal").stat().st_size:
            return None
    except FileNotFoundError:
        pass
    try:
        seen = path.stat()
        digest = hashlib.blake2b(digest_size=16)
        with path.open("rb") as file:
            for n in range(SAMPLED_PAGES + 1):
                file.seek(seen.st_size * n // SAMPLED_PAGES // 4096 * 4096)
                digest.update(file.read(4096))
    except FileNotFoundError:
        return None
    return [seen.st_size, seen.st_mtime_ns, seen.st_ctime_ns, seen.st_ino, digest.hexdigest()]


def _clean_mark(path: Path) -> Path:
    return path.with_name(path.name + ".left-clean")


def stopped_cleanly(path: Path) -> None:
    """The server stopped and its writer closed the file whole: note it as it is now."""
    left = _as_left(path)
    if left is not None:
        _clean_mark(path).write_text(json.dumps(left))


def left_clean(path: Path) -> bool:
    """The file is as a clean stop left it, untouched since. Asked once: the note is taken away,
    so that a crash of the server now starting is never taken for a clean stop."""
    mark = _clean_mark(path)
    try:
        noted = json.loads(mark.read_text())
    except (OSError, ValueError):
        return False
    finally:
        try:
            os.unlink(mark)
        except FileNotFoundError:
            pass
    return noted is not None and noted == _as_left(path)


def open_checked(path: Path, recorder: Any, models: Iterable[ReadModel], thorough: bool = True) -> ReadModelStore:
    """The read-model store at `path`, once checked: a bad file is set aside and a new one begun
    (the caller's catch-up fills it from the log, with progress). `thorough` reads every page,
    unless a clean stop left the file as it is (see left_clean)."""
    if thorough and left_clean(path):
        log.info("read models as a clean stop left them: their pages are not read through again", extra={"path": str(path)})
        thorough = False
    problem = examine(path, recorder, thorough)
    if problem is not None:
        set_aside(path, problem)
    store = ReadModelStore(path, models)
    identity = log_identity(recorder)
    if identity is not None:
        store.identify(identity)
    return store
