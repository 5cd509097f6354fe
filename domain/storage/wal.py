"""Emptying an SQLite write-ahead log for good, after a deletion that must leave no copy behind
(a forgotten person's key, name or kept answer)."""

from __future__ import annotations

import sqlite3
import time

FOLD_PATIENCE_SECONDS = 120.0  # readers hold old pages for milliseconds; this long means something is stuck


def fold_wal(conn: sqlite3.Connection) -> None:
    """Copy every page of the write-ahead log into the file and truncate the log. A reader still
    looking at older pages makes SQLite answer "busy": wait for it to let go and ask again, so
    that the deleted rows are gone from the disk when this returns, on a slow machine too."""
    given_up = time.monotonic() + FOLD_PATIENCE_SECONDS
    while True:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if not busy:
            return
        if time.monotonic() > given_up:
            raise TimeoutError("the write-ahead log could not be emptied: a reader has held it for "
                               f"{FOLD_PATIENCE_SECONDS:.0f} s")
        time.sleep(0.002)
