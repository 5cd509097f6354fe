"""Feedback: ratings by unit, post and month, from volunteers and from patients and families. The
lines people wrote stay in the log; a coordinator's page reads them from there."""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlite_utils

from domain.feedback import Feedback
from projections.store import ReadModel, ident, iso, within_units


def create(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS feedback (feedback_id TEXT PRIMARY KEY, source TEXT, shift_id TEXT, "
               "volunteer_id TEXT, unit_id TEXT, post TEXT, day TEXT, rating INTEGER, has_line INTEGER, given_at TEXT)")
    db["feedback"].create_index(["unit_id", "day"], if_not_exists=True)
    db["feedback"].create_index(["volunteer_id", "shift_id"], if_not_exists=True)


feedback = ReadModel("feedback", create, tables=("feedback",))


@feedback.handles(Feedback.Given)
def given(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("INSERT OR REPLACE INTO feedback VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              (ident(e.originator_id), e.source, ident(e.shift_id), ident(e.volunteer_id), ident(e.unit_id), e.post,
               e.day.isoformat(), e.rating, int(bool(e.line)), iso(e.timestamp)))


def results(db: sqlite_utils.Database, unit_ids: list[str] | None, first: str, last: str) -> list[dict]:
    """Per unit, post and month, from each source: how many, and the average rating."""
    where, params = ["f.day BETWEEN ? AND ?"], [first, last]
    within_units(where, params, "f.unit_id", unit_ids)
    return list(db.query(
        "SELECT f.unit_id, COALESCE(u.name, f.unit_id) AS unit, f.post, substr(f.day, 1, 7) AS month, f.source, "
        "COUNT(*) AS count, ROUND(AVG(f.rating), 2) AS average FROM feedback f LEFT JOIN units u "
        f"ON u.unit_id = f.unit_id WHERE {' AND '.join(where)} GROUP BY f.unit_id, f.post, month, f.source "
        "ORDER BY month DESC, unit, f.post, f.source LIMIT 500", params))


def with_lines(db: sqlite_utils.Database, unit_ids: list[str], first: str, last: str, limit: int = 100) -> list[dict]:
    """The latest feedback that says something, of these units: for their coordinators to read."""
    where, params = ["f.day BETWEEN ? AND ?", "f.has_line = 1"], [first, last]
    within_units(where, params, "f.unit_id", unit_ids)
    return list(db.query(
        "SELECT f.feedback_id AS id, f.source, f.post, f.day, f.rating, f.given_at, COALESCE(v.name, '') AS volunteer "
        f"FROM feedback f LEFT JOIN volunteers v USING (volunteer_id) WHERE {' AND '.join(where)} "
        "ORDER BY f.given_at DESC LIMIT ?", [*params, limit]))


def rated_by(db: sqlite_utils.Database, volunteer_id: str) -> set[str]:
    """The shifts this volunteer has rated."""
    return {r[0] for r in db.execute("SELECT shift_id FROM feedback WHERE volunteer_id = ? AND source = 'volunteer'",
                                     [volunteer_id])}
