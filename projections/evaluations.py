"""Evaluations of volunteers' service: who was rated what for which days, and whether it was amended.
The comments stay in the log (sealed with the volunteer's key); a page reads them from there."""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlite_utils

from domain.evaluations import Evaluation
from projections.store import ReadModel, ident, iso


def create(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS evaluations (evaluation_id TEXT PRIMARY KEY, volunteer_id TEXT, "
               "unit_id TEXT, first_day TEXT, last_day TEXT, rating TEXT, evaluator TEXT, given_at TEXT, "
               "amended_at TEXT, amendments INTEGER)")
    db["evaluations"].create_index(["volunteer_id", "last_day"], if_not_exists=True)


evaluations = ReadModel("evaluations", create, tables=("evaluations",))


@evaluations.handles(Evaluation.Given)
def given(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("INSERT OR REPLACE INTO evaluations VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, 0)",
              (ident(e.originator_id), ident(e.volunteer_id), ident(e.unit_id), e.first_day.isoformat(),
               e.last_day.isoformat(), e.rating, e.evaluator, iso(e.timestamp)))


@evaluations.handles(Evaluation.Amended)
def amended(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE evaluations SET rating = ?, amended_at = ?, amendments = amendments + 1 WHERE evaluation_id = ?",
              (e.rating, iso(e.timestamp), ident(e.originator_id)))


def of_volunteer(db: sqlite_utils.Database, volunteer_id: str, first_day: str = "0000-01-01",
                 last_day: str = "9999-12-31") -> list[dict]:
    """The volunteer's evaluations of periods overlapping [first_day, last_day], latest period first."""
    return list(db.query("SELECT evaluation_id AS id, volunteer_id, unit_id, first_day, last_day, rating, evaluator, "
                         "given_at, amended_at, amendments FROM evaluations WHERE volunteer_id = ? AND first_day <= ? "
                         "AND last_day >= ? ORDER BY last_day DESC, given_at DESC LIMIT 100",
                         [volunteer_id, last_day, first_day]))
