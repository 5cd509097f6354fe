"""What is usually served at each post (most check-outs name it, about this many person-times):
the default a volunteer accepts with one tap when checking out, at the kiosk or on a phone."""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlite_utils

from domain.shifts import Shift
from projections.store import ReadModel, ident


def create(db: sqlite_utils.Database) -> None:
    db["usual_posts"].create({"shift_id": str, "unit_id": str, "post": str}, pk="shift_id", if_not_exists=True)
    db.execute("CREATE TABLE IF NOT EXISTS usual_served (unit_id TEXT NOT NULL, post TEXT NOT NULL, "
               "service_type TEXT NOT NULL, check_outs INTEGER NOT NULL, person_times INTEGER NOT NULL, "
               "PRIMARY KEY (unit_id, post, service_type))")


usual = ReadModel("usual", create, tables=("usual_posts", "usual_served"))


@usual.handles(Shift.Scheduled)
def scheduled(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("INSERT OR REPLACE INTO usual_posts VALUES (?, ?, ?)", (ident(e.originator_id), ident(e.unit_id), e.post))


@usual.handles(Shift.CheckedOut)
def checked_out(c: sqlite3.Connection, e: Any, position: int) -> None:
    post = c.execute("SELECT unit_id, post FROM usual_posts WHERE shift_id = ?", (ident(e.originator_id),)).fetchone()
    if post is None:
        return
    for service_type, n in e.served.items():
        if n:
            c.execute("INSERT INTO usual_served VALUES (?, ?, ?, 1, ?) ON CONFLICT (unit_id, post, service_type) DO "
                      "UPDATE SET check_outs = check_outs + 1, person_times = person_times + excluded.person_times",
                      (*post, service_type, n))


def at(db: sqlite_utils.Database, unit_id: str, post: str) -> tuple[str, int] | None:
    """The service most often given at this post, and its typical count a check-out (rounded mean)."""
    row = db.execute("SELECT service_type, person_times, check_outs FROM usual_served WHERE unit_id = ? AND post = ? "
                     "ORDER BY check_outs DESC, service_type LIMIT 1", [unit_id, post]).fetchone()
    return (row[0], max(1, round(row[1] / row[2]))) if row else None
