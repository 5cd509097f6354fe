"""Reviews: automatic check-outs of volunteers who forgot to check out, waiting for a coordinator
to confirm or correct them."""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlite_utils

from domain.shifts import Shift
from projections.store import ReadModel, ident, iso, within_units


def create(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS checkout_reviews (shift_id TEXT NOT NULL, volunteer_id TEXT NOT NULL, "
               "checked_out_at TEXT, minutes INTEGER, status TEXT, reviewed_by TEXT, "
               "PRIMARY KEY (shift_id, volunteer_id)) WITHOUT ROWID")
    db["checkout_reviews"].create_index(["status"], if_not_exists=True)


reviews = ReadModel("reviews", create, tables=("checkout_reviews",))


@reviews.handles(Shift.CheckedOutAutomatically)
def checked_out_automatically(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("INSERT OR REPLACE INTO checkout_reviews VALUES (?, ?, ?, ?, 'pending', NULL)",
              (ident(e.originator_id), ident(e.volunteer_id), iso(e.at), e.minutes))


@reviews.handles(Shift.AutoCheckOutConfirmed, Shift.AutoCheckOutCorrected)
def reviewed(c: sqlite3.Connection, e: Any, position: int) -> None:
    corrected = isinstance(e, Shift.AutoCheckOutCorrected)
    c.execute("UPDATE checkout_reviews SET status = ?, minutes = COALESCE(?, minutes), reviewed_by = ? "
              "WHERE shift_id = ? AND volunteer_id = ?",
              ("corrected" if corrected else "confirmed", e.minutes if corrected else None, e.actor,
               ident(e.originator_id), ident(e.volunteer_id)))


# --- queries -------------------------------------------------------------------------

def pending(db: sqlite_utils.Database, unit_ids: list[str] | None) -> list[dict]:
    """Automatic check-outs still to be reviewed, oldest first, with the shift and the volunteer."""
    where, params = ["r.status = 'pending'"], []
    within_units(where, params, "sh.unit_id", unit_ids)
    return list(db.query(
        "SELECT r.shift_id, r.volunteer_id, COALESCE(v.name, '') AS name, sh.unit_id, sh.post, sh.starts_at, "
        "sh.ends_at, s.checked_in_at, r.checked_out_at, r.minutes FROM checkout_reviews r "
        "JOIN shifts sh USING (shift_id) JOIN seats s ON s.shift_id = r.shift_id AND s.volunteer_id = r.volunteer_id "
        f"LEFT JOIN volunteers v ON v.volunteer_id = r.volunteer_id WHERE {' AND '.join(where)} "
        "ORDER BY sh.ends_at", params))


FORGOTTEN = ("SELECT s.shift_id, s.volunteer_id FROM seats s JOIN shifts sh USING (shift_id) "
             "WHERE s.state = 'checked_in' AND sh.ends_at < ?")


def forgotten(db: sqlite_utils.Database, ended_before: str) -> list[tuple[str, str]]:
    """(shift, volunteer) of every seat still checked in on a shift that ended before the moment
    (a small partial index of checked-in seats: the sweep runs every minute over a city's year)."""
    return [(r[0], r[1]) for r in db.execute(FORGOTTEN, [ended_before]).fetchall()]
