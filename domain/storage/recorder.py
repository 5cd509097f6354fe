"""The embedded SQLite log, tuned for many people at once: group commit, and readers that never wait.

eventsourcing's SQLite recorder gives each save its own transaction (one fsync each) and
hands out read connections in turn behind the writer, so under load every read of an
aggregate queued behind someone else's fsync. Here:

- saves that arrive together are written in ONE transaction, each inside its own SAVEPOINT:
  a save that loses a race (same aggregate version) is rolled back alone and refused with
  the usual IntegrityError, while the others commit; one fsync serves them all;
- each thread reads through a connection of its own (WAL: readers see the last commit and
  never wait for the writer).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.persistence import IntegrityError, OperationalError, PersistenceError, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore


_ROWS_PER_INSERT = 1000  # 4 parameters a row, well under SQLite's 32,766


def _rows(stored_events: Sequence[StoredEvent]) -> list[tuple[Any, ...]]:
    return [(s.originator_id.hex if isinstance(s.originator_id, UUID) else s.originator_id, s.originator_version,
             s.topic, s.state) for s in stored_events]


class _Stored(NamedTuple):
    """A stored event as the mapper reads it (eventsourcing's StoredEvent, minus its cost)."""

    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes


@lru_cache(maxsize=65_536)  # ids recur within days of each other in the log
def _uuid(hex_id: str) -> UUID:
    return UUID(hex_id)


class _Save:
    __slots__ = ("stored_events", "kwargs", "ids", "error", "done")

    def __init__(self, stored_events: Sequence[StoredEvent], kwargs: dict[str, Any]) -> None:
        self.stored_events, self.kwargs = stored_events, kwargs
        self.ids: Sequence[int] | None = None
        self.error: Exception | None = None
        self.done = False


class _OwnReaders:
    """The datastore as the recorder's read methods see it: a connection per thread for reads."""

    def __init__(self, datastore: SQLiteDatastore) -> None:
        self._datastore = datastore
        self._local = threading.local()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._datastore, name)

    @contextmanager
    def transaction(self, *, commit: bool) -> Iterator[Any]:
        if commit:
            with self._datastore.transaction(commit=True) as c:
                yield c
            return
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect(self._datastore.pool.db_name, self._datastore.pool.lock_timeout)
        cursor = SQLiteCursor(conn.cursor())
        try:
            yield cursor
        except sqlite3.OperationalError as e:
            raise OperationalError(e) from e
        finally:
            cursor.sqlite_cursor.close()


def connect(db_name: str, lock_timeout: int | None) -> sqlite3.Connection:
    conn = sqlite3.connect(db_name, uri=True, check_same_thread=False, isolation_level=None,
                           timeout=lock_timeout or 5)
    conn.row_factory = sqlite3.Row
    return conn


BUSY_RETRIES = 5  # an immediate "database is locked" is tried again, 10 ms to 160 ms later


class GroupCommit:
    """Saves queued while a transaction is written go together in the next one: `_write(batch)`
    writes a batch, each save all or none, and marks each save done (with its ids or its error)."""

    def _start_queue(self) -> None:
        self._queue: list[_Save] = []
        self._queue_lock = threading.Lock()
        self._write_lock = threading.Lock()

    def _write(self, batch: list[_Save]) -> None:
        raise NotImplementedError

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        save = _Save(stored_events, kwargs)
        with self._queue_lock:
            self._queue.append(save)
        # Whoever holds the write lock writes everything queued so far, ours included if we
        # arrived while the last transaction was being synced.
        with self._write_lock:
            if not save.done:
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                self._write(batch)
        if save.error is not None:
            raise save.error
        return save.ids

    def insert_batch(self, saves: Sequence[Sequence[StoredEvent]]) -> list[_Save]:
        """Several saves written together by one caller (the committer): each all or none."""
        batch = [_Save(events, {}) for events in saves]
        with self._write_lock:
            self._write(batch)
        return batch


class GroupCommitRecorder(GroupCommit, SQLiteApplicationRecorder):
    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name)
        self.datastore = _OwnReaders(datastore)  # type: ignore[assignment]
        self._start_queue()
        self._writer: sqlite3.Connection | None = None
        self._closed = threading.Event()
        # Every event up to here was written by this process (or was there before it started):
        # while the log's head is still this, no other process has written since.
        self._head_lock = threading.Lock()
        self.known_head: int | None = None  # not known until first looked at
        self._snapshots: bool | None = None  # whether there is a snapshot table, once looked
        self._insert_rows = f"INSERT INTO {events_table_name} (originator_id, originator_version, topic, state) VALUES "
        self._select_after = (f"SELECT originator_version, topic, state FROM {events_table_name} "
                              "WHERE originator_id = ? AND originator_version > ? ORDER BY originator_version")
        self._select_snapshot_and_after = (
            "SELECT * FROM (SELECT 1, originator_version, topic, state FROM stored_snapshots "
            "WHERE originator_id = :id ORDER BY originator_version DESC LIMIT 1) UNION ALL "
            f"SELECT 0, originator_version, topic, state FROM {events_table_name} "
            "WHERE originator_id = :id AND originator_version > "
            "coalesce((SELECT max(originator_version) FROM stored_snapshots WHERE originator_id = :id), 0) "
            "ORDER BY 1 DESC, 2")  # the snapshot first, then the events in order

    def _write(self, batch: list[_Save]) -> None:
        if self._writer is None:
            pool = self.datastore.pool
            self._writer = connect(pool.db_name, pool.lock_timeout)
            # A city's log is hundreds of MB: keep the key index's hot pages close to the writer.
            self._writer.execute("PRAGMA cache_size=-32768")
            if "memory" not in pool.db_name:
                # Checkpoints copy the WAL into the database and sync it: done by a thread of
                # their own, they no longer stall whichever commit crossed the threshold.
                self._writer.execute("PRAGMA wal_autocheckpoint=0")
                threading.Thread(target=self._checkpoint, args=(pool.db_name, pool.lock_timeout),
                                 name="checkpointer", daemon=True).start()
        conn = self._writer
        try:
            for attempt in range(BUSY_RETRIES + 1):
                try:
                    self._transaction(conn, batch)
                    break
                except sqlite3.OperationalError as busy:
                    # SQLite answers "locked" at once, without its busy wait, where waiting could
                    # deadlock (several processes on one file under load): the whole batch was
                    # rolled back, so it is simply tried again a moment later.
                    if "locked" not in str(busy) or attempt == BUSY_RETRIES:
                        raise
                    time.sleep(0.01 * 2**attempt)
        except Exception as e:  # nothing of this batch was written: every save in it is refused
            error = OperationalError(e) if isinstance(e, sqlite3.Error) else e
            for save in batch:
                save.ids, save.error = None, error if isinstance(error, PersistenceError) else OperationalError(error)
        finally:
            for save in batch:
                save.done = True

    def _transaction(self, conn: sqlite3.Connection, batch: list[_Save]) -> None:
        conn.execute("BEGIN IMMEDIATE")  # the write lock now, not at the first insert
        try:
            try:
                self._insert_together(conn, batch)
            except sqlite3.IntegrityError:  # someone lost a race: find who, keep the others
                conn.execute("ROLLBACK")
                conn.execute("BEGIN IMMEDIATE")
                self._insert_one_by_one(conn, batch)
            with self._head_lock:  # our commit and our knowing of it, as one step to readers
                conn.execute("COMMIT")
                self._written(batch)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _written(self, batch: list[_Save]) -> None:
        ids = [i for save in batch if save.ids for i in save.ids]
        if ids and self.known_head is not None and min(ids) <= self.known_head + 1:  # nobody else wrote between
            self.known_head = max(self.known_head, max(ids))

    def head_is_ours(self, forget: Any) -> bool:
        """True while no other process has written since our last look; if one has, `forget`
        (the aggregate cache) is called and the head taken as known again."""
        if (self.max_notification_id() or 0) == self.known_head:
            return True
        with self._head_lock:
            head = self.max_notification_id() or 0  # again: a commit of ours may just have landed
            if head == self.known_head:
                return True
            forget()
            self.known_head = head
        return False

    def _insert_together(self, conn: sqlite3.Connection, batch: list[_Save]) -> None:
        """Every event of the batch in as few statements as possible: each statement lets go of
        the GIL and must win it back, which under load costs more than the insert itself."""
        rows = [row for save in batch for row in _rows(save.stored_events)]
        ids: list[int] = []
        for first in range(0, len(rows), _ROWS_PER_INSERT):
            chunk = rows[first:first + _ROWS_PER_INSERT]
            cursor = conn.execute(f"{self._insert_rows}{','.join(['(?,?,?,?)'] * len(chunk))}",
                                  [value for row in chunk for value in row])
            last = cursor.lastrowid
            # We hold the write lock: one statement's rows take consecutive rowids.
            ids.extend(range(last - len(chunk) + 1, last + 1))
        taken = 0
        for save in batch:
            save.ids = ids[taken:taken + len(save.stored_events)]
            taken += len(save.stored_events)

    def _insert_one_by_one(self, conn: sqlite3.Connection, batch: list[_Save]) -> None:
        cursor = SQLiteCursor(conn.cursor())
        for save in batch:
            conn.execute("SAVEPOINT save")
            try:
                save.ids = self._insert_events(cursor, save.stored_events, **save.kwargs)
            except sqlite3.IntegrityError as e:
                conn.execute("ROLLBACK TO save")
                save.ids, save.error = None, IntegrityError(e)
            conn.execute("RELEASE save")

    def _checkpoint(self, db_name: str, lock_timeout: int | None, every_seconds: float = 1.0) -> None:
        conn = connect(db_name, lock_timeout)
        while not self._closed.wait(every_seconds):
            try:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")  # never waits for writers or readers
            except sqlite3.Error:
                pass  # busy or closing: the next round will do
        conn.close()

    def events_after(self, originator_id: Any, version: int) -> list[StoredEvent]:
        """The events of one aggregate after `version` (usually none): one indexed query."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._select_after, (originator_id.hex, version))
            return [StoredEvent(originator_id=originator_id, originator_version=row[0], topic=row[1], state=row[2])
                    for row in c.fetchall()]

    def stored_between(self, first: int, last: int, limit: int, topics: Sequence[str]) -> list[tuple[int, Any]]:
        """(position, stored event) from `first` to `last`, only these topics: tuples, not rows,
        and each aggregate's id made a UUID once (a shift's id comes back in a dozen events)."""
        sql = (f"SELECT rowid, originator_id, originator_version, topic, state FROM {self.events_table_name} "
               f"WHERE rowid >= ? AND rowid <= ? AND topic IN ({','.join('?' * len(topics))}) "
               "ORDER BY rowid LIMIT ?")
        with self.datastore.transaction(commit=False) as c:
            cursor = c.sqlite_cursor
            cursor.row_factory = None
            rows = cursor.execute(sql, (first, last, *topics, limit)).fetchall()
        return [(position, _Stored(_uuid(originator), version, topic, state))
                for position, originator, version, topic, state in rows]

    def snapshot_and_events(self, originator_id: Any) -> tuple[StoredEvent | None, list[StoredEvent]]:
        """An aggregate's newest snapshot, if any, and its events after it, in one query (each
        query on the event loop's thread lets go of the GIL and may wait milliseconds for it)."""
        if self._snapshots is None:
            with self.datastore.transaction(commit=False) as c:
                c.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'stored_snapshots'")
                self._snapshots = c.fetchone() is not None
        if not self._snapshots:
            return None, self.events_after(originator_id, 0)
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._select_snapshot_and_after, {"id": originator_id.hex})
            rows = c.fetchall()
        snapshot = None
        if rows and rows[0][0]:
            _, version, topic, state = rows.pop(0)
            snapshot = StoredEvent(originator_id=originator_id, originator_version=version, topic=topic, state=state)
        return snapshot, [StoredEvent(originator_id=originator_id, originator_version=version, topic=topic,
                                      state=state) for _, version, topic, state in rows]

    def close(self) -> None:
        self._closed.set()
        if self._writer is not None:
            self._writer.close()
