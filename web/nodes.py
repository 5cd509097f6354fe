"""What the web nodes of one PostgreSQL log share besides it: the answers kept for
`Idempotency-Key` retries, the failed logins the throttle counts and the progress of imports (a
retry, a guess or a progress poll that lands on another node behind the load balancer finds
them there too), whose turn it is to run a periodic job; and how a node hears at once that
another one wrote.

One SQLite-backed serving process keeps them itself (web/idempotency.py, web/auth.py,
web/jobs/importing.py); these are the same questions asked of tables in the log's database."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any
from uuid import uuid4

import psycopg
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier
from psycopg_pool import ConnectionPool

from web.auth import LoginThrottle
from web.idempotency import ABANDONED_SECONDS, PENDING, Answers, IdempotencyStore, verdict
from web.jobs.importing import ImportJob, ImportJobs
from web.settings import Settings

_SCHEMA = [
    ("CREATE TABLE IF NOT EXISTS careledger_idempotency (key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, "
     "status INTEGER NOT NULL, headers TEXT NOT NULL, body BYTEA NOT NULL, stored_at DOUBLE PRECISION NOT NULL)"),
    "CREATE INDEX IF NOT EXISTS careledger_idempotency_stored_at ON careledger_idempotency (stored_at)",
    "CREATE TABLE IF NOT EXISTS careledger_failed_logins (username TEXT NOT NULL, at DOUBLE PRECISION NOT NULL)",
    "CREATE INDEX IF NOT EXISTS careledger_failed_logins_username ON careledger_failed_logins (username, at)",
    ("CREATE TABLE IF NOT EXISTS careledger_imports (id TEXT PRIMARY KEY, job TEXT NOT NULL, "
     "updated_at DOUBLE PRECISION NOT NULL)"),
    "CREATE TABLE IF NOT EXISTS careledger_rounds (name TEXT PRIMARY KEY, taken_at DOUBLE PRECISION NOT NULL)",
]
KEEP_IMPORTS_SECONDS = 24 * 3600  # a finished import's report is shown for a day
_NOW = "extract(epoch from clock_timestamp())::float8"  # the database's clock: the same for every node


@dataclass(frozen=True)
class Kept:
    """What a serving process keeps between requests, and how to let it go at shutdown."""

    answers: Answers
    throttle: Any  # LoginThrottle or SharedThrottle: retry_after, failed, succeeded
    imports: Any  # ImportJobs or SharedImportJobs: add, get, save
    close: Callable[[], None]
    # take_turn(name, seconds): whether this node does this round of a periodic job (the sweep,
    # the mailroom). One node alone always does; of several, the first to ask in each period.
    take_turn: Callable[[str, float], bool] = lambda name, seconds: True
    address_throttle: Any = None  # failed logins per client address (password spraying)


def kept_between_requests(settings: Settings) -> Kept:
    """In this process's data folder, or, when several nodes serve one PostgreSQL log, in its
    database, where every node finds them."""
    if settings.shared_log:
        pool = shared_pool(settings)
        return Kept(SharedAnswers(pool), SharedThrottle(pool, settings.login_attempts), SharedImportJobs(pool),
                    pool.close, SharedRounds(pool).take_turn,
                    SharedThrottle(pool, settings.login_attempts_per_address, prefix="\x01address "))
    answers = IdempotencyStore(settings.data_dir / "idempotency.sqlite3")
    return Kept(answers, LoginThrottle(settings.login_attempts), ImportJobs(), answers.conn.close,
                address_throttle=LoginThrottle(settings.login_attempts_per_address))


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

    def forget_mentioning(self, text: str) -> None:
        with self.pool.connection() as conn:
            conn.execute("DELETE FROM careledger_idempotency WHERE position(%s::bytea in body) > 0", (text.encode(),))
            # Written anew, so that no page of the table's files keeps the deleted answer.
            conn.execute("VACUUM FULL careledger_idempotency")


class SharedThrottle:
    """web/auth.py's LoginThrottle, its failed logins counted in PostgreSQL."""

    def __init__(self, pool: ConnectionPool, attempts: int = 5, window: float = 300.0, prefix: str = "") -> None:
        self.pool, self.attempts, self.window = pool, attempts, window
        self.prefix = prefix  # failed logins per client address share the table, under their own keys

    def retry_after(self, username: str) -> int:
        with self.pool.connection() as conn:
            conn.execute(f"DELETE FROM careledger_failed_logins WHERE at < {_NOW} - %s", (self.window,))
            failures, oldest, now = conn.execute(
                f"SELECT count(*), min(at), {_NOW} FROM careledger_failed_logins WHERE username = %s",
                (self.prefix + username.lower(),)).fetchone()
        return int(oldest + self.window - now) + 1 if failures >= self.attempts else 0

    def failed(self, username: str) -> None:
        with self.pool.connection() as conn:
            conn.execute(f"INSERT INTO careledger_failed_logins VALUES (%s, {_NOW})", (self.prefix + username.lower(),))

    def succeeded(self, username: str) -> None:
        with self.pool.connection() as conn:
            conn.execute("DELETE FROM careledger_failed_logins WHERE username = %s", (self.prefix + username.lower(),))


class SharedImportJobs:
    """web/jobs/importing.py's ImportJobs, each job a row that its node rewrites as the import goes on."""

    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def add(self, job: ImportJob) -> str:
        job_id = uuid4().hex
        with self.pool.connection() as conn:
            conn.execute(f"DELETE FROM careledger_imports WHERE updated_at < {_NOW} - %s", (KEEP_IMPORTS_SECONDS,))
            conn.execute(f"INSERT INTO careledger_imports VALUES (%s, %s, {_NOW})", (job_id, json.dumps(asdict(job))))
        return job_id

    def get(self, job_id: str) -> ImportJob | None:
        with self.pool.connection() as conn:
            row = conn.execute("SELECT job FROM careledger_imports WHERE id = %s", (job_id,)).fetchone()
        return ImportJob(**json.loads(row[0])) if row else None

    def save(self, job_id: str, job: ImportJob) -> None:
        with self.pool.connection() as conn:
            conn.execute(f"UPDATE careledger_imports SET job = %s, updated_at = {_NOW} WHERE id = %s",
                         (json.dumps(asdict(job)), job_id))


class SharedRounds:
    """Periodic jobs done by one node a period, not by every node: the first node to ask after
    the last round's period has passed takes the next (a node that dies mid-round is followed
    by another one period later)."""

    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def take_turn(self, name: str, seconds: float) -> bool:
        with self.pool.connection() as conn:
            conn.execute("INSERT INTO careledger_rounds VALUES (%s, 0) ON CONFLICT (name) DO NOTHING", (name,))
            # Nine tenths of the period: the nodes' timers drift, and the round must not be skipped.
            taken = conn.execute(f"UPDATE careledger_rounds SET taken_at = {_NOW} WHERE name = %s "
                                 f"AND taken_at < {_NOW} - %s RETURNING name", (name, seconds * 0.9)).fetchone()
        return taken is not None


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
