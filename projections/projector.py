"""Following the log: apply events to the read models a batch per transaction, exactly once;
wait for a position (read-your-writes). Every read model is named here (READ_MODELS)."""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from dataclasses import dataclass
from collections.abc import Iterable
from typing import Any

from eventsourcing.utils import get_topic

from domain.storage.mapper import REPAIRED
from domain.volunteers import Volunteer
from projections.awards import awards
from projections.caseload import caseload
from projections.checkup import log_identity
from projections.casework import casework
from projections.certificates import certificates
from projections.directory import directory
from projections.hours import hours
from projections.requests import requests
from projections.notices import notices
from projections.qualifications import qualifications
from projections.reviews import reviews
from projections.roster import roster
from projections.store import ReadModel, ReadModelStore, connect
from projections.tallies import tallies
from projections.trainings import trainings
from projections.usual import usual
from projections.devices import devices
from projections.applications import applications
from projections.waitlists import waitlists
from projections.evaluations import evaluations
from projections.feedback import feedback

log = logging.getLogger("careledger")

READ_MODELS: tuple[ReadModel, ...] = (directory, roster, hours, tallies, qualifications, caseload, trainings,
                                         casework, reviews, awards, notices, requests,
                                         certificates, usual, devices, applications, waitlists,
                                         evaluations, feedback)
BY_NAME = {model.name: model for model in READ_MODELS}


def models_named(names: Iterable[str] | None) -> list[ReadModel]:
    names = list(names or [])
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise ValueError(f"unknown read model(s): {', '.join(unknown)}; known: {', '.join(BY_NAME)}")
    return [BY_NAME[n] for n in names] if names else list(READ_MODELS)


@dataclass(frozen=True)
class Quarantine:
    """A read model stopped at an event it cannot apply: the others go on without it."""

    read_model: str
    position: int  # of the event it could not apply; it holds everything before
    event: str
    error: str

    def as_dict(self) -> dict[str, Any]:
        return {"read_model": self.read_model, "position": self.position, "event": self.event, "error": self.error}


# SQLite's primary result codes that say the file or the machine failed, not the statement:
# busy, locked, out of memory, read-only, I/O error, full, cannot open, locking protocol.
_FILE_FAULTS = frozenset({5, 6, 7, 8, 10, 13, 14, 15})


def _the_files_fault(error: Exception) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(error, sqlite3.Error) and code is not None and code & 0xFF in _FILE_FAULTS


class _HandlerFailed(Exception):
    def __init__(self, read_model: str, position: int | None, event: Any, error: Exception) -> None:
        super().__init__(read_model)
        self.read_model, self.position, self.event, self.error = read_model, position, event, error


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
        self.quarantined: dict[str, Quarantine] = {}  # read models stopped at an event they cannot apply
        self.quarantines = 0
        self._identified = False  # whether the store has been told which log it follows
        self.trouble: str | None = None  # why following the log fails just now (None: it does not)
        self._behind_since: dict[str, tuple[int, float]] = {}
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
        if not self._identified and end:
            self.store.identify(log_identity(self.recorder))
            self._identified = True
        while max_batches is None or batches < max_batches:
            start = min(self._live(self.store.positions()).values(), default=end)
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

    def _live(self, positions: dict[str, int]) -> dict[str, int]:
        """The positions of the read models still following the log (not quarantined)."""
        return {name: at for name, at in positions.items() if name not in self.quarantined}

    def _advance(self, position: int) -> None:
        with self.store.transaction() as c:
            names = [name for name in self.store.models if name not in self.quarantined]
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
        """Apply a batch. A read model whose handler fails is quarantined at that event: what came
        before it is applied with the model, the rest without it (the failed attempt rolled back),
        so one bad event never stops the others."""
        try:
            self._apply_batch(events)
        except _HandlerFailed as failed:
            if failed.position is None:  # it failed writing the batch's sums: find the event, one at a time
                if len(events) > 1:
                    for one in events:
                        self._apply([one])
                    return
                failed.position, failed.event = events[0]
            before = [e for e in events if e[0] < failed.position]
            if before:
                self._apply(before)
            self._quarantine(failed)
            self._apply([e for e in events if e[0] >= failed.position])
            return
        if self._watchers:
            for _, event in events:
                for listener in self._watchers.get(type(event), ()):
                    try:
                        listener(event)
                    except Exception:  # noqa: BLE001 - one listener's failure stops neither the others nor us
                        log.exception("a listener failed on an event", extra={"event": type(event).__qualname__})
        self._reached(events[-1][0])

    def _apply_batch(self, events: list[tuple[int, Any]]) -> None:
        last = events[-1][0]
        routes, quarantined = self._routes, self.quarantined
        with self.store.transaction() as c:
            positions = self.store.positions(c)  # re-read under the write lock
            for model in self.store.models.values():
                model.begin(c)
            for position, event in events:
                for name, handler in routes.get(type(event), ()):
                    if position > positions[name] and name not in quarantined:
                        try:
                            handler(c, event, position)
                        except Exception as error:
                            if _the_files_fault(error):
                                raise  # full, busy, unreadable: not the event's fault, tried again later
                            raise _HandlerFailed(name, position, event, error) from error
            for name, model in self.store.models.items():
                if name in quarantined:
                    continue
                try:
                    model.flush(c)
                except Exception as error:
                    if _the_files_fault(error):
                        raise
                    raise _HandlerFailed(name, None, None, error) from error
                c.execute("UPDATE positions SET position = ? WHERE read_model = ? AND position < ?",
                          (last, name, last))

    def _quarantine(self, failed: _HandlerFailed) -> None:
        found = Quarantine(failed.read_model, failed.position or 0, type(failed.event).__qualname__,
                           f"{type(failed.error).__name__}: {failed.error}"[:500])
        self.quarantined[failed.read_model] = found
        self.quarantines += 1  # query connections re-check what they may read (guard)
        log.error("read model quarantined: it cannot apply an event; the others go on", extra=found.as_dict())

    def guard(self, conn: sqlite3.Connection) -> None:
        """Refuse, on this query connection, every statement that reads a quarantined read model's
        tables (sqlite3.DatabaseError "access to TABLE.COLUMN is prohibited", see `stopped_reads`): its rows stop at an
        event it could not apply, so an answer from them would be wrong without saying so.
        Setting the authorizer expires the connection's prepared statements, so it holds at once."""
        tables = {table for name in tuple(self.quarantined) for table in self.store.models[name].tables}
        if not tables:
            conn.set_authorizer(None)
            return
        read = sqlite3.SQLITE_READ

        def authorise(action: int, table: str | None, *_: Any) -> int:
            return sqlite3.SQLITE_DENY if action == read and table in tables else sqlite3.SQLITE_OK
        conn.set_authorizer(authorise)

    def stopped_reads(self, error: BaseException) -> list[Quarantine]:
        """The quarantines behind a query refused by `guard` (empty for any other error)."""
        if not isinstance(error, sqlite3.DatabaseError) or not self.quarantined:
            return []
        if str(error) == "not authorized":  # a statement that reads no column (count(*)) names no table
            return list(self.quarantined.values())
        denied = re.match(r"access to (\w+)\.", str(error))
        if denied is None:
            return []
        return [q for name, q in self.quarantined.items() if denied[1] in self.store.models[name].tables]

    def behind_for(self, name: str, at: int) -> float:
        """Seconds the read model has stood at position `at` while the log was ahead of it, as far
        as those asking have seen (0 the first time it is asked at that position)."""
        seen, now = self._behind_since.get(name), time.monotonic()
        if seen is None or seen[0] != at:
            self._behind_since[name] = (at, now)
            return 0.0
        return now - seen[1]

    def wake(self, *_: Any) -> None:
        """Something was just saved here: look at the log now rather than at the next poll."""
        self._woken.set()

    def follow(self, stop: threading.Event, poll_seconds: float = 0.25, gather_seconds: float = 0.01) -> None:
        """Keep the read models up to date until `stop` is set. Woken by a save, it lets
        `gather_seconds` pass first: under load one transaction then carries many events
        instead of one each (a batch costs more than the events in it)."""
        while not stop.is_set():
            try:
                passed = self.catch_up()
                if self.trouble is not None:
                    log.warning("the read models follow the log again", extra={"after": self.trouble})
                    self.trouble = None
                if passed:
                    continue
            except Exception as error:  # noqa: BLE001 - the log's database away, the disk full, the file
                # busy (a rebuild swapping): never the end of following. Said once, in /healthz meanwhile.
                said = f"{type(error).__name__}: {error}"[:300]
                if said != self.trouble:
                    log.error("the read models cannot follow the log just now; trying again", extra={"error": said})
                self.trouble = said
                stop.wait(min(1.0, poll_seconds * 4))
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
        while min(self._live(self.positions()).values(), default=position) < position:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self._advanced:
                self._advanced.wait(min(remaining, 0.05))  # another process may be the one advancing
        with self._applying:  # a batch committed here has also been heard by its listeners (watch)
            return True
