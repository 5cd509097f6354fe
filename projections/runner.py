"""Following the log: apply events to the read models a batch per transaction, exactly once;
wait for a position (read-your-writes); rebuild aside and swap."""

from __future__ import annotations

import gc
import json
import logging
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from eventsourcing.utils import get_topic, resolve_topic

from domain.eventlog import REPAIRED
from domain.volunteers import Volunteer
from projections.awards import awards
from projections.caseload import caseload
from projections.casework import casework
from projections.certificates import certificates
from projections.directory import directory
from projections.hours import hours
from projections.interpreting import interpreting
from projections.notices import notices
from projections.qualifications import qualifications
from projections.reviews import reviews
from projections.roster import roster
from projections.store import ReadModel, ReadModelStore, connect
from projections.tallies import tallies
from projections.trainings import trainings

log = logging.getLogger("careledger")

READ_MODELS: tuple[ReadModel, ...] = (directory, roster, hours, tallies, qualifications, caseload, trainings,
                                         casework, reviews, awards, notices, interpreting,
                                         certificates)
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
        self._repairs_told: set[int] = set()  # positions of events read clamped, logged once each
        self._applying = threading.RLock()  # held while a batch is applied and its listeners told
        self._readers = threading.local()
        # For each kind of event, the (read model, handler) pairs that care about it, in model order.
        self._routes: dict[type, list[tuple[str, Any]]] = {}
        for name, model in store.models.items():
            for event_class, handler in model.handlers.items():
                self._routes.setdefault(event_class, []).append((name, handler))
        self._topics = [get_topic(event_class) for event_class in self._routes]
        self.on_applied: list[Any] = []  # called with the position just committed (lag, metrics)
        self._watchers: dict[type, list[Any]] = {}
        self.watch(Volunteer.Forgotten, lambda _: self.store.scrub())  # no copy of the name left in the file

    def watch(self, event_class: type, listener: Any) -> None:
        """Call `listener(event)` for each event of this kind, once its batch is committed: how a
        node hears of what another node wrote (the log is the only thing nodes share)."""
        if event_class not in self._routes and event_class not in self._watchers:
            self._topics.append(get_topic(event_class))
        self._watchers.setdefault(event_class, []).append(listener)

    @property
    def log_position(self) -> int:
        return self.recorder.max_notification_id() or 0

    def catch_up(self, reporter: Any = None, max_batches: int | None = None) -> int:
        """Apply everything recorded so far; returns how many log positions were passed.

        Only events some read model handles are read (by topic): a volunteer's bookings, say,
        are never decoded here. Positions still advance over the rest."""
        passed = batches = 0
        end = self.log_position
        while max_batches is None or batches < max_batches:
            start = min(self.store.positions().values(), default=0)
            if start >= end:
                break
            events = self._read(start + 1, end)
            if events:
                self.apply(events)
                reached = events[-1][0] if len(events) == self.batch_size else end
            else:
                reached = end
            if reached > (events[-1][0] if events else start):
                self._advance(reached)  # nothing this store cares about lies between
            passed += reached - start
            batches += 1
            if reporter is not None:
                reporter.advance(reached - start)
        return passed

    def _read(self, first: int, last: int) -> list[tuple[int, Any]]:
        """(position, event) for the next batch of events this store handles, from `first` to `last`."""
        quick = getattr(self.recorder, "stored_between", None)
        if quick is not None:  # the embedded log: plain rows, ids spelled once (a rebuild reads millions)
            events = [(position, self.mapper.to_domain_event(row))
                      for position, row in quick(first, last, self.batch_size, self._topics)]
        else:
            events = [(n.id, self.mapper.to_domain_event(n)) for n in
                      self.recorder.select_notifications(first, self.batch_size, stop=last, topics=self._topics)]
        for position, event in events:
            if REPAIRED in event.__dict__ and position not in self._repairs_told:
                self._repairs_told.add(position)
                log.warning("event read with values clamped to their bounds", extra={
                    "position": position, "event": type(event).__qualname__, "fields": event.__dict__[REPAIRED]})
        return events

    def _advance(self, position: int) -> None:
        with self.store.transaction() as c:
            names = list(self.store.models)
            c.execute(f"UPDATE positions SET position = ? WHERE position < ? AND read_model IN "
                      f"({','.join('?' * len(names))})", (position, position, *names))
        self._reached(position)

    def _reached(self, position: int) -> None:
        """Tell those waiting (read-your-writes) and listening (lag) that `position` is applied."""
        with self._advanced:
            self._advanced.notify_all()
        for listener in self.on_applied:
            listener(position)

    def apply(self, events: list[tuple[int, Any]]) -> None:
        with self._applying:  # held until the listeners are done too: see wait()
            self._apply(events)

    def _apply(self, events: list[tuple[int, Any]]) -> None:
        last = events[-1][0]
        routes = self._routes
        with self.store.transaction() as c:
            positions = self.store.positions(c)  # re-read under the write lock
            for model in self.store.models.values():
                model.begin(c)
            for position, event in events:
                for name, handler in routes.get(type(event), ()):
                    if position > positions[name]:
                        handler(c, event, position)
            for name, model in self.store.models.items():
                model.flush(c)
                c.execute("UPDATE positions SET position = ? WHERE read_model = ? AND position < ?",
                          (last, name, last))
        if self._watchers:
            for _, event in events:
                for listener in self._watchers.get(type(event), ()):
                    listener(event)
        self._reached(last)

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
        with self._applying:  # a batch committed here has also been heard by its listeners (watch)
            return True


# Roughly what each read model costs to replay, to share a rebuild fairly between processes.
_REPLAY_WEIGHT = {"hours": 3.0, "roster": 2.5, "tallies": 0.6}


def rebuild(ledger: Any, path: Path, names: Iterable[str] | None = None, reporter: Any = None,
            batch_size: int = 10_000, workers: int | None = None) -> dict[str, int]:
    """Replay the log into fresh tables in files aside, then swap them in with short
    transactions, so a live server keeps reading the old tables until the new ones are whole.

    With a log on disk the read models are shared between `workers` processes (default: one
    per core, at most two), each replaying its share into a file of its own."""
    models = models_named(names)
    if workers is None:
        workers = min(2, os.cpu_count() or 1)
    env = dict(getattr(ledger, "env", {}) or {})
    if env.get("PERSISTENCE_MODULE") not in ("eventsourcing.sqlite", "eventsourcing.postgres") or \
            ":memory:" in env.get("SQLITE_DBNAME", ":memory:" if env.get("PERSISTENCE_MODULE") ==
                                  "eventsourcing.sqlite" else ""):
        workers = 1  # an in-memory log is visible to this process only
    shares: list[list[ReadModel]] = [[] for _ in range(max(1, min(workers, len(models))))]
    for model in sorted(models, key=lambda m: -_REPLAY_WEIGHT.get(m.name, 0.1)):
        min(shares, key=lambda share: sum(_REPLAY_WEIGHT.get(m.name, 0.1) for m in share)).append(model)
    asides = [path.with_name(f"{path.stem}.rebuild{i}{path.suffix}") for i in range(len(shares))]
    for aside_path in asides:
        _remove(aside_path)
    helpers = [subprocess.Popen(
        [sys.executable, "-m", "projections.runner", get_topic(type(ledger)), str(path), str(aside_path),
         ",".join(m.name for m in share), str(batch_size)],
        env={**os.environ, "CARELEDGER_REPLAY_ENV": json.dumps(env)}, cwd=Path(__file__).resolve().parents[1])
        for aside_path, share in zip(asides[1:], shares[1:])]
    try:
        positions = _replay(ledger, asides[0], shares[0], batch_size, reporter)
        # Each share is swapped in as soon as it is whole (each read model carries its own
        # position, so models never had to move together); helpers swap in their own.
        _swap_in(path, asides[0], shares[0], positions)
        for helper in helpers:
            if helper.wait() != 0:
                raise RuntimeError(f"a rebuild process failed (exit code {helper.returncode})")
    except BaseException:
        for helper in helpers:
            helper.kill()
        raise
    finally:
        for aside_path in asides:
            _remove(aside_path)
    live = ReadModelStore(path, READ_MODELS)
    positions = live.positions()
    live.close()
    return {model.name: positions[model.name] for model in models}


def _swap_in(path: Path, aside_path: Path, share: list[ReadModel], positions: dict[str, int]) -> None:
    """One short transaction: the share's live tables become the aside ones, with their positions."""
    live = ReadModelStore(path, READ_MODELS)
    live.conn.execute("ATTACH DATABASE ? AS aside", (str(aside_path),))
    try:
        with live.transaction() as c:
            for model in share:
                for table in model.tables:
                    _replace_table(c, table, "aside")
                c.execute("UPDATE main.positions SET position = ? WHERE read_model = ?",
                          (positions[model.name], model.name))
    finally:
        live.conn.execute("DETACH DATABASE aside")
        live.close()


def _replace_table(c: sqlite3.Connection, table: str, source: str) -> None:
    """main.table := source.table, inside the caller's transaction (readers see the old rows until
    it commits). Dropped and made again, its indexes built once over the new rows: much faster than
    deleting a million rows and inserting a million through every index."""
    made = c.execute("SELECT type, sql FROM main.sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL "
                     "ORDER BY type = 'index'", (table,)).fetchall()
    c.execute(f"DROP TABLE main.[{table}]")
    for _, sql in made:  # the CREATE TABLE comes first
        c.execute(sql)
    c.execute(f"INSERT INTO main.[{table}] SELECT * FROM {source}.[{table}]")


def _replay(ledger: Any, aside_path: Path, models: list[ReadModel], batch_size: int,
            reporter: Any = None) -> dict[str, int]:
    aside = ReadModelStore(aside_path, models)
    # The aside file is thrown away if we stop half-way: no need to sync it as we go.
    aside.conn.execute("PRAGMA journal_mode=MEMORY")  # no WAL: each page is written once, not per batch
    aside.conn.execute("PRAGMA synchronous=OFF")
    aside.conn.execute("PRAGMA cache_size=-262144")  # 256 MiB: a city's tables stay in memory
    # Indexes no handler reads by are left out: the live file builds them once over the new rows
    # (see _replace_table), faster than keeping them up row by row here.
    unread = [table for model in models for table in model.indexes_only_for_queries]
    indexes = aside.conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN "
        f"({','.join('?' * len(unread))})", unread).fetchall() if unread else []
    for name, _ in indexes:
        aside.conn.execute(f"DROP INDEX [{name}]")
    # A replay makes millions of short-lived, acyclic objects: the cycle collector would walk
    # everything alive again and again for nothing (a quarter of the time, measured).
    gc.disable()
    # One transaction for the whole replay: a batch's commit rewrote every page it touched, and
    # the rows land all over their tables (keys are UUIDs), so most pages were written many times.
    aside.conn.execute("BEGIN IMMEDIATE")
    try:
        Projector(ledger, aside, batch_size).catch_up(reporter)
        aside.conn.execute("COMMIT")
    finally:
        gc.enable()
    for _, sql in indexes:
        aside.conn.execute(sql)
    positions = aside.positions()
    aside.close()
    return positions


def _replay_into(ledger_topic: str, path: str, aside_path: str, names: str, batch_size: str) -> None:
    """A rebuild helper process: its own ledger on the same log, its share of the read models
    replayed aside and swapped into the live file at `path` (while the others still replay)."""
    ledger = resolve_topic(ledger_topic)(env=json.loads(os.environ["CARELEDGER_REPLAY_ENV"]))
    share = models_named(names.split(","))
    try:
        positions = _replay(ledger, Path(aside_path), share, int(batch_size))
        _swap_in(Path(path), Path(aside_path), share, positions)
    finally:
        ledger.close()
        _remove(Path(aside_path))


def _remove(path: Path) -> None:
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)


if __name__ == "__main__":
    _replay_into(*sys.argv[1:6])
