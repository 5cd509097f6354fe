"""Following the log: apply events to the read models a batch per transaction, exactly once;
wait for a position (read-your-writes); rebuild aside and swap."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from projections.caseload import caseload
from projections.casework import casework
from projections.directory import directory
from projections.hours import hours
from projections.qualifications import qualifications
from projections.roster import roster
from projections.store import ReadModel, ReadModelStore, connect
from projections.tallies import tallies
from projections.trainings import trainings

READ_MODELS: tuple[ReadModel, ...] = (directory, roster, hours, tallies, qualifications, caseload, trainings,
                                         casework)
BY_NAME = {model.name: model for model in READ_MODELS}


def models_named(names: Iterable[str] | None) -> list[ReadModel]:
    names = list(names or [])
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise ValueError(f"unknown read model(s): {', '.join(unknown)}; known: {', '.join(BY_NAME)}")
    return [BY_NAME[n] for n in names] if names else list(READ_MODELS)


class Projector:
    """Applies the log to a read-model store. Each batch of events and the new positions are
    committed in ONE SQLite transaction, so a crash at any moment loses or repeats nothing."""

    def __init__(self, ledger: Any, store: ReadModelStore, batch_size: int = 500) -> None:
        self.recorder = ledger.recorder
        self.mapper = ledger.mapper
        self.store = store
        self.batch_size = batch_size
        self._woken = threading.Event()
        self._advanced = threading.Condition()
        self._readers = threading.local()
        self.on_applied: list[Any] = []  # called with the position just committed (lag, metrics)

    @property
    def log_position(self) -> int:
        return self.recorder.max_notification_id() or 0

    def catch_up(self, reporter: Any = None, max_batches: int | None = None) -> int:
        """Apply everything recorded so far; returns how many events were read."""
        read = batches = 0
        while max_batches is None or batches < max_batches:
            start = min(self.store.positions().values(), default=0)
            notifications = self.recorder.select_notifications(start + 1, self.batch_size)
            if not notifications:
                break
            events = [(n.id, self.mapper.to_domain_event(n)) for n in notifications]
            self.apply(events)
            read += len(events)
            batches += 1
            if reporter is not None:
                reporter.advance(len(events))
        return read

    def apply(self, events: list[tuple[int, Any]]) -> None:
        last = events[-1][0]
        with self.store.transaction() as c:
            positions = self.store.positions(c)  # re-read under the write lock
            for name, model in self.store.models.items():
                for position, event in events:
                    if position > positions[name]:
                        model.apply(c, event, position)
                c.execute("UPDATE positions SET position = ? WHERE read_model = ? AND position < ?",
                          (last, name, last))
        with self._advanced:
            self._advanced.notify_all()
        for listener in self.on_applied:
            listener(last)

    def wake(self, *_: Any) -> None:
        """Something was just saved here: look at the log now rather than at the next poll."""
        self._woken.set()

    def follow(self, stop: threading.Event, poll_seconds: float = 0.25, gather_seconds: float = 0.01) -> None:
        """Keep the read models up to date until `stop` is set. Woken by a save, it lets
        `gather_seconds` pass first: under load one transaction then carries many events
        instead of one each (a batch costs more than the events in it)."""
        while not stop.is_set():
            try:
                if self.catch_up():
                    continue
            except sqlite3.OperationalError:  # the file is busy (a rebuild swapping): try again shortly
                pass
            if self._woken.wait(poll_seconds) and gather_seconds:
                stop.wait(gather_seconds)
            self._woken.clear()

    def positions(self) -> dict[str, int]:
        """Positions as committed (a connection of this thread's own, never mid-transaction)."""
        conn = getattr(self._readers, "conn", None)
        if conn is None:
            conn = self._readers.conn = connect(self.store.path)
        return self.store.positions(conn)

    def wait(self, position: int, timeout: float = 5.0) -> bool:
        """Block until every read model has reached `position`; False if `timeout` passes first."""
        deadline = time.monotonic() + timeout
        while min(self.positions().values(), default=0) < position:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self._advanced:
                self._advanced.wait(min(remaining, 0.05))  # another process may be the one advancing
        return True


def rebuild(ledger: Any, path: Path, names: Iterable[str] | None = None, reporter: Any = None,
            batch_size: int = 2000) -> dict[str, int]:
    """Replay the log into fresh tables in a file aside, then swap them in with one short
    transaction, so a live server keeps reading the old tables until the new ones are whole."""
    models = models_named(names)
    aside_path = path.with_name(path.stem + ".rebuild" + path.suffix)
    for leftover in (aside_path, Path(f"{aside_path}-wal"), Path(f"{aside_path}-shm")):
        leftover.unlink(missing_ok=True)
    aside = ReadModelStore(aside_path, models)
    Projector(ledger, aside, batch_size).catch_up(reporter)
    positions = aside.positions()
    aside.close()

    live = ReadModelStore(path, READ_MODELS)
    live.conn.execute("ATTACH DATABASE ? AS aside", (str(aside_path),))
    try:
        with live.transaction() as c:
            for model in models:
                for table in model.tables:
                    c.execute(f"DELETE FROM main.[{table}]")
                    c.execute(f"INSERT INTO main.[{table}] SELECT * FROM aside.[{table}]")
                c.execute("UPDATE main.positions SET position = ? WHERE read_model = ?",
                          (positions[model.name], model.name))
    finally:
        live.conn.execute("DETACH DATABASE aside")
        live.close()
        for leftover in (aside_path, Path(f"{aside_path}-wal"), Path(f"{aside_path}-shm")):
            leftover.unlink(missing_ok=True)
    return positions
