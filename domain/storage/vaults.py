"""Key vaults: a key per person beside the log (SQLite file, PostgreSQL table, or memory), and the
sealing of personal fields with it. Deleting a key forgets the person (see domain/personal.py)."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Mapping
from typing import Any, Protocol
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.storage.wal import fold_wal


class KeyVault(Protocol):
    def key(self, owner: UUID, create: bool) -> bytes | None: ...
    def forget(self, owner: UUID) -> bool: ...
    def close(self) -> None: ...


class MemoryVault:
    def __init__(self) -> None:
        self._keys: dict[UUID, bytes] = {}
        self._lock = threading.Lock()

    def key(self, owner: UUID, create: bool) -> bytes | None:
        with self._lock:
            if owner not in self._keys and create:
                self._keys[owner] = AESGCM.generate_key(bit_length=256)
            return self._keys.get(owner)

    def forget(self, owner: UUID) -> bool:
        with self._lock:
            return self._keys.pop(owner, None) is not None

    def close(self) -> None:
        pass


class SQLiteVault:
    """Keys in a table of the log's own SQLite file (backed up with it). secure_delete: a deleted
    key's bytes are overwritten on disk, not left in a free page."""

    def __init__(self, path: str) -> None:
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL is enough: the event sealed with a new key commits after it with a full sync,
        # which carries the key's earlier frames of the same WAL to disk too.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA secure_delete=ON")
        self._db.execute("CREATE TABLE IF NOT EXISTS personal_keys (owner_id TEXT PRIMARY KEY, key BLOB NOT NULL)")
        self._lock = threading.Lock()

    def key(self, owner: UUID, create: bool) -> bytes | None:
        with self._lock:
            row = self._db.execute("SELECT key FROM personal_keys WHERE owner_id = ?", (owner.hex,)).fetchone()
            if row is None and create:
                self._db.execute("INSERT INTO personal_keys VALUES (?, ?)", (owner.hex, AESGCM.generate_key(256)))
                row = self._db.execute("SELECT key FROM personal_keys WHERE owner_id = ?", (owner.hex,)).fetchone()
            return row[0] if row else None

    def forget(self, owner: UUID) -> bool:
        with self._lock:
            gone = self._db.execute("DELETE FROM personal_keys WHERE owner_id = ?", (owner.hex,)).rowcount > 0
            fold_wal(self._db)  # the deleted key must not live on in the write-ahead log either
            return gone

    def close(self) -> None:
        with self._lock:
            self._db.close()


class PostgresVault:
    """Keys in a table of the log's PostgreSQL schema, shared by every node, through the log's own
    connection pool (a connection of its own per application ran a busy server out of them)."""

    def __init__(self, env: Mapping[str, str], datastore: Callable[[], Any]) -> None:
        schema = env.get("POSTGRES_SCHEMA")
        self._table = f"{schema}.personal_keys" if schema else "personal_keys"
        self._datastore = datastore
        self._table_made = False

    def _run(self, sql: str, params: tuple, fetch: bool) -> Any:
        # One statement, one round trip: the pool's connections commit each statement by itself
        # (a transaction around a key's look-up was three round trips, on every event unsealed).
        with self._datastore().get_connection() as conn:
            if not self._table_made:
                conn.execute(f"CREATE TABLE IF NOT EXISTS {self._table} (owner_id uuid PRIMARY KEY, key bytea NOT NULL)")
                self._table_made = True
            cursor = conn.execute(sql, params, prepare=True)
            return cursor.fetchone() if fetch else cursor.rowcount

    def key(self, owner: UUID, create: bool) -> bytes | None:
        row = self._run(f"SELECT key FROM {self._table} WHERE owner_id = %s", (owner,), fetch=True)
        if row is None and create:  # a new person's key; a node making it at the same moment wins alike
            self._run(f"INSERT INTO {self._table} VALUES (%s, %s) ON CONFLICT DO NOTHING",
                      (owner, AESGCM.generate_key(256)), fetch=False)
            row = self._run(f"SELECT key FROM {self._table} WHERE owner_id = %s", (owner,), fetch=True)
        return bytes(row["key"] if isinstance(row, dict) else row[0]) if row else None

    def forget(self, owner: UUID) -> bool:
        gone = self._run(f"DELETE FROM {self._table} WHERE owner_id = %s", (owner,), fetch=False) > 0
        # A deleted row stays in its page until the page is reused: the table is written anew, so
        # that no file of the table holds the key (pg_wal and backups: see the README).
        with self._datastore().get_connection() as conn:
            conn.execute(f"VACUUM FULL {self._table}")
        return gone

    def close(self) -> None:
        pass  # the pool is the log's, closed with it


def vault_for(env: Mapping[str, str], datastore: Callable[[], Any]) -> KeyVault:
    """The vault beside the log the environment names (in memory for an in-memory log);
    `datastore()` is the log's own datastore, once the application has made it."""
    module = env.get("PERSISTENCE_MODULE", "")
    dbname = env.get("SQLITE_DBNAME") or ":memory:"
    if module == "eventsourcing.sqlite" and ":memory:" not in dbname and "mode=memory" not in dbname:
        return SQLiteVault(dbname)
    if module == "eventsourcing.postgres":
        return PostgresVault(env, datastore)
    return MemoryVault()


def seal(vault: KeyVault, owner: UUID, plain: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(vault.key(owner, create=True)).encrypt(nonce, plain, owner.bytes)


def unseal(vault: KeyVault, owner: UUID, sealed: bytes) -> bytes | None:
    """The plain bytes, or None once the owner's key is gone (forgotten)."""
    key = vault.key(owner, create=False)
    if key is None:
        return None
    return AESGCM(key).decrypt(sealed[:12], sealed[12:], owner.bytes)
