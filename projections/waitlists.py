"""Who waits for a place on a full shift, in order: the coordinator's shift page and the volunteer's
own place in line. A promotion (or leaving, or the shift's cancellation) takes them off."""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlite_utils

from domain.shifts import Shift
from projections.store import ReadModel, ident, iso


def create(db: sqlite_utils.Database) -> None:
    db["waitlist"].create({"shift_id": str, "volunteer_id": str, "since": str, "position": int},
                          pk=("shift_id", "volunteer_id"), if_not_exists=True)
    db["waitlist"].create_index(["volunteer_id"], if_not_exists=True)


waitlists = ReadModel("waitlists", create, tables=("waitlist",))


@waitlists.handles(Shift.Waitlisted)
def waitlisted(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("INSERT OR REPLACE INTO waitlist VALUES (?, ?, ?, ?)",
              (ident(e.originator_id), ident(e.volunteer_id), iso(e.timestamp), position))


@waitlists.handles(Shift.LeftWaitlist, Shift.Promoted)
def left(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("DELETE FROM waitlist WHERE shift_id = ? AND volunteer_id = ?",
              (ident(e.originator_id), ident(e.volunteer_id)))


@waitlists.handles(Shift.Cancelled)
def cancelled(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("DELETE FROM waitlist WHERE shift_id = ?", (ident(e.originator_id),))


def of_shift(db: sqlite_utils.Database, shift_id: str) -> list[dict]:
    """The line, first first, with names from the directory."""
    return list(db.query("SELECT w.volunteer_id, w.since, COALESCE(v.name, '') AS name FROM waitlist w "
                         "LEFT JOIN volunteers v USING (volunteer_id) WHERE w.shift_id = ? ORDER BY w.position",
                         [shift_id]))


def of_volunteer(db: sqlite_utils.Database, volunteer_id: str) -> dict[str, int]:
    """Each shift this volunteer waits for, and their place in its line (1: next)."""
    return {r["shift_id"]: r["place"] for r in db.query(
        "SELECT w.shift_id, (SELECT COUNT(*) FROM waitlist o WHERE o.shift_id = w.shift_id "
        "AND o.position <= w.position) AS place FROM waitlist w WHERE w.volunteer_id = ?", [volunteer_id])}
