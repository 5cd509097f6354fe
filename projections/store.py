"""The read-model database: one SQLite file (WAL), the position each read model has reached,
and the small vocabulary every read model is written in."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any
from uuid import UUID

import sqlite_utils
from sqlite_utils.utils import dedupe_keys

from domain.storage.wal import fold_wal

Handler = Callable[[sqlite3.Connection, Any, int], None]


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection in autocommit mode: transactions are begun and ended explicitly."""
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a crash loses no committed batch
    conn.execute("PRAGMA foreign_keys=OFF")
    # What is deleted or overwritten is zeroed, not left in free space: a forgotten volunteer's
    # name must not outlive its row in the file (see ReadModelStore.scrub).
    conn.execute("PRAGMA secure_delete=ON")
    return conn


def iso(moment: datetime | None) -> str | None:
    """Instants are stored in UTC ISO 8601, so that text order is time order."""
    return None if moment is None else moment.astimezone(timezone.utc).isoformat()


def ident(id: UUID | None) -> str | None:
    return None if id is None else _text(id)


@lru_cache(maxsize=65_536)
def _text(id: UUID) -> str:
    """The same ids come back event after event (a shift's, a volunteer's): spell each once."""
    return str(id)


def within_units(where: list[str], params: list, column: str, unit_ids: list[str] | None) -> None:
    """Restrict a query to the units a person acts for (None: every unit)."""
    if unit_ids is not None:
        where.append(f"{column} IN ({','.join('?' * len(unit_ids))})")
        params += unit_ids


@dataclass
class ReadModel:
    """One read model: its tables (created idempotently) and a handler per event it cares about."""

    name: str
    create: Callable[[sqlite_utils.Database], None]
    tables: tuple[str, ...]
    version: int = 1  # raise it when the tables change: the read model is then rebuilt from the log
    handlers: dict[type, Handler] = field(default_factory=dict)
    # Tables whose secondary indexes serve queries only (handlers find rows by primary key):
    # a rebuild creates those indexes after the replay instead of during it.
    indexes_only_for_queries: tuple[str, ...] = ()
    # Called at the start and end of each batch's transaction: a model may gather in memory
    # what many events add up to and write it once (the tallies do).
    begin: Callable[[sqlite3.Connection], None] = lambda conn: None
    flush: Callable[[sqlite3.Connection], None] = lambda conn: None

    def handles(self, *event_classes: type) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            for event_class in event_classes:
                self.handlers[event_class] = handler
            return handler
        return register

    def apply(self, conn: sqlite3.Connection, event: Any, position: int) -> None:
        handler = self.handlers.get(type(event))
        if handler is not None:
            handler(conn, event, position)


class Reader(sqlite_utils.Database):
    """A connection that only reads (PRAGMA query_only: SQLite refuses it any write). Its queries
    go without sqlite-utils' guard for a statement that might write (a SAVEPOINT and a RELEASE
    around each: a phone's home page asks 15 queries)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        super().__init__(conn)
        conn.execute("PRAGMA query_only=ON")

    def query(self, sql: str, params: Any = None) -> Iterator[dict]:
        cursor = self.conn.execute(sql, () if params is None else params)
        if cursor.description is None:
            raise ValueError("query() can only be used with SQL that returns rows")
        keys = dedupe_keys(d[0] for d in cursor.description)
        return (dict(zip(keys, row)) for row in cursor)


class ReadModelStore:
    """The read-model file: tables, positions, and transactions that carry both."""

    def __init__(self, path: Path | str, models: Iterable[ReadModel]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.models = {m.name: m for m in models}
        self.conn = connect(self.path)
        self.conn.execute("PRAGMA cache_size=-32768")  # the writer's: a city's read models are hundreds of MB
        self.db = sqlite_utils.Database(self.conn)
        self.db["positions"].create({"read_model": str, "position": int, "version": int}, pk="read_model",
                                    if_not_exists=True)
        if "version" not in self.db["positions"].columns_dict:
            self.conn.execute("ALTER TABLE positions ADD COLUMN version INTEGER NOT NULL DEFAULT 1")
        # The log this file was made from (projections/checkup.py): a file from another is never served.
        self.conn.execute("CREATE TABLE IF NOT EXISTS log_identity (first_event TEXT NOT NULL)")
        for model in self.models.values():
            self._ensure_schema(model)

    def identify(self, first_event: str) -> None:
        """Record the log this file follows, once (see projections/checkup.log_identity)."""
        if self.conn.execute("SELECT 1 FROM log_identity").fetchone() is None:
            self.conn.execute("INSERT INTO log_identity VALUES (?)", (first_event,))

    def _ensure_schema(self, model: ReadModel) -> None:
        """Create the model's tables; if they were made by another version, start it again from 0."""
        row = self.conn.execute("SELECT version FROM positions WHERE read_model = ?", (model.name,)).fetchone()
        if row is not None and row[0] != model.version:
            for table in model.tables:
                self.conn.execute(f"DROP TABLE IF EXISTS [{table}]")
            self.conn.execute("UPDATE positions SET position = 0, version = ? WHERE read_model = ?",
                              (model.version, model.name))
        model.create(self.db)
        self.conn.execute("INSERT OR IGNORE INTO positions VALUES (?, 0, ?)", (model.name, model.version))

    def positions(self, conn: sqlite3.Connection | None = None) -> dict[str, int]:
        rows = (conn or self.conn).execute("SELECT read_model, position FROM positions").fetchall()
        return {name: position for name, position in rows if name in self.models}

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE: the writer lock is taken before positions are read, so two
        projectors never apply the same event. Inside a transaction already begun (a rebuild
        replays into a file of its own in one), the outer one commits."""
        if self.conn.in_transaction:  # a batch refused inside it is undone alone (a quarantine)
            self.conn.execute("SAVEPOINT batch")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK TO batch")
                self.conn.execute("RELEASE batch")
                raise
            self.conn.execute("RELEASE batch")
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def scrub(self) -> None:
        """After someone is forgotten: the write-ahead log still holds pages as they were before,
        so copy the current pages into the file and empty the log (waiting for readers of older
        pages to let go). Inside a transaction (a rebuild's file aside, without a log, thrown away
        once copied) there is nothing to do."""
        if not self.conn.in_transaction:
            fold_wal(self.conn)

    def reader(self) -> Reader:
        """A fresh connection for queries from another thread (WAL: readers never wait)."""
        return Reader(connect(self.path))

    def close(self) -> None:
        self.conn.close()
