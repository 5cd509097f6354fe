"""Rebuilding read models: replay the log into fresh tables aside (shared between processes),
then swap them in with short transactions while the server keeps reading the old ones."""

from __future__ import annotations

import gc
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from eventsourcing.utils import get_topic, resolve_topic

from projections.projector import READ_MODELS, Projector, models_named
from projections.store import ReadModel, ReadModelStore


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
        [sys.executable, "-m", "projections.rebuild", get_topic(type(ledger)), str(path), str(aside_path),
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
