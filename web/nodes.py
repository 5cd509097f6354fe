"""What the web nodes of one PostgreSQL log share besides it: the answers kept for
`Idempotency-Key` retries and the failed logins the throttle counts (a retry or a guess that
lands on another node behind the load balancer finds them there too); and how a node hears at
once that another one wrote.

One SQLite-backed serving process keeps them locally (web/idempotency.py, web/auth.py); these
are the same questions asked of tables in the log's database (and schema)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier
from psycopg_pool import ConnectionPool

from web.idempotency import ABANDONED_SECONDS, PENDING, verdict
from web.settings import Settings

_SCHEMA = [
    ("CREATE TABLE IF NOT EXISTS careledger_idempotency (key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, "
     "status INTEGER NOT NULL, headers TEXT NOT NULL, body BYTEA NOT NULL, stored_at DOUBLE PRECISION NOT NULL)"),
    "CREATE INDEX IF NOT EXISTS careledger_idempotency_stored_at ON careledger_idempotency (stored_at)",
    "CREATE TABLE IF NOT EXISTS careledger_failed_logins (username TEXT NOT NULL, at DOUBLE PRECISION NOT NULL)",
    "CREATE INDEX IF NOT EXISTS careledger_failed_logins_username ON careledger_failed_logins (username, at)",
]
_NOW = "extract(epoch from clock_timestamp())::float8"  # the database's clock: the same for every node


def shared_pool(settings: Settings) -> ConnectionPool:
    """A few connections for these small tables, which are made on first use (by whichever node
    comes first: an advisory lock keeps two from making them at once)."""
    pool = ConnectionPool(kwargs={**settings.postgres_params(), "autocommit": True, "row_factory": tuple_row},
                          min_size=1, max_size=4, open=True, name="careledger-nodes")
    with pool.connection() as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('careledger_nodes_schema'))")
        for statement in _SCHEMA:
            conn.execute(statement)
    return pool


class SharedAnswers:
    """web/idempotency.py's IdempotencyStore, its questions asked of PostgreSQL."""

    def __init__(self, pool: ConnectionPool, keep_hours: int = 48, abandoned_seconds: float = ABANDONED_SECONDS) -> None:
        self.pool = pool
        self.keep_seconds, self.abandoned_seconds = keep_hours * 3600, abandoned_seconds

    def claim(self, key: str, body_hash: str) -> tuple[str, Any]:
        with self.pool.connection() as conn:
            conn.execute(f"DELETE FROM careledger_idempotency WHERE stored_at < {_NOW} - %s", (self.keep_seconds,))
            claimed = conn.execute(
                f"INSERT INTO careledger_idempotency VALUES (%s, %s, %s, '[]', '', {_NOW}) "
                "ON CONFLICT (key) DO UPDATE SET stored_at = EXCLUDED.stored_at "
                "WHERE careledger_idempotency.status = %s AND careledger_idempotency.body_hash = EXCLUDED.body_hash "
                f"AND careledger_idempotency.stored_at < {_NOW} - %s "
                "RETURNING key", (key, body_hash, PENDING, PENDING, self.abandoned_seconds)).fetchone()
            if claimed is not None:
                return "new", None
            row = conn.execute("SELECT body_hash, status, headers, body FROM careledger_idempotency WHERE key = %s",
                               (key,)).fetchone()
        if row is None:  # dropped as too old between the two statements: ask again
            return self.claim(key, body_hash)
        return verdict(row[0], row[1], row[2], bytes(row[3]), body_hash)

    def store(self, key: str, status: int, headers: list, body: bytes) -> None:
        with self.pool.connection() as conn:
            conn.execute("UPDATE careledger_idempotency SET status = %s, headers = %s, body = %s WHERE key = %s",
                         (status, json.dumps(headers), body, key))

    def forget(self, key: str) -> None:
        with self.pool.connection() as conn:
            conn.execute("DELETE FROM careledger_idempotency WHERE key = %s", (key,))


class SharedThrottle:
    """web/auth.py's LoginThrottle, its failed logins counted in PostgreSQL."""

    def __init__(self, pool: ConnectionPool, attempts: int = 5, window: float = 300.0) -> None:
        self.pool, self.attempts, self.window = pool, attempts, window

    def retry_after(self, username: str) -> int:
        with self.pool.connection() as conn:
            conn.execute(f"DELETE FROM careledger_failed_logins WHERE at < {_NOW} - %s", (self.window,))
            failures, oldest, now = conn.execute(
                f"SELECT count(*), min(at), {_NOW} FROM careledger_failed_logins WHERE username = %s",
                (username.lower(),)).fetchone()
        return int(oldest + self.window - now) + 1 if failures >= self.attempts else 0

    def failed(self, username: str) -> None:
        with self.pool.connection() as conn:
            conn.execute(f"INSERT INTO careledger_failed_logins VALUES (%s, {_NOW})", (username.lower(),))

    def succeeded(self, username: str) -> None:
        with self.pool.connection() as conn:
            conn.execute("DELETE FROM careledger_failed_logins WHERE username = %s", (username.lower(),))


def hear_writes(settings: Settings, channel: str, wake: Callable[[], None], stop: threading.Event) -> threading.Thread:
    """Call `wake` whenever any node commits to the log: eventsourcing's PostgreSQL recorder
    NOTIFYs `channel` in every insert, so read models follow other nodes' writes within
    milliseconds rather than at their next poll. A connection of its own (LISTEN holds it)."""

    def listen() -> None:
        while not stop.is_set():
            try:
                with psycopg.connect(**settings.postgres_params(), autocommit=True) as conn:
                    conn.execute(SQL("LISTEN {0}").format(Identifier(channel)))
                    wake()  # anything written while we were not listening
                    while not stop.is_set():
                        for _ in conn.notifies(timeout=0.5, stop_after=1):
                            wake()
            except psycopg.Error as lost:
                logging.getLogger("careledger").warning("not hearing other nodes' writes; polling meanwhile",
                                                        extra={"problem": str(lost)})
                stop.wait(5)

    listener = threading.Thread(target=listen, name="log listener", daemon=True)
    listener.start()
    return listener
