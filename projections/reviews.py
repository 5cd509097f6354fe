"""Reviews: automatic check-outs of volunteers who forgot to check out, waiting for a coordinator
to confirm or correct them; and the hour corrections volunteers asked for, waiting for a decision."""

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
    db.execute("CREATE TABLE IF NOT EXISTS hour_corrections (request_id TEXT PRIMARY KEY, shift_id TEXT NOT NULL, "
               "volunteer_id TEXT NOT NULL, minutes INTEGER, reason TEXT, status TEXT, requested_at TEXT, "
               "requested_by TEXT)")
    db["hour_corrections"].create_index(["status"], if_not_exists=True)


reviews = ReadModel("reviews", create, version=2, tables=("checkout_reviews", "hour_corrections"))


@reviews.handles(Shift.HoursCorrectionRequested)
def correction_requested(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("INSERT OR REPLACE INTO hour_corrections VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
              (ident(e.request_id), ident(e.originator_id), ident(e.volunteer_id), e.minutes, e.reason,
               iso(e.timestamp), e.actor))


@reviews.handles(Shift.HoursCorrected, Shift.HoursCorrectionDeclined)
def correction_decided(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE hour_corrections SET status = ? WHERE request_id = ?",
              ("approved" if isinstance(e, Shift.HoursCorrected) else "declined", ident(e.request_id)))


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


def corrections_pending(db: sqlite_utils.Database, unit_ids: list[str] | None) -> list[dict]:
    """Hour corrections asked for and not yet decided, oldest first, beside the minutes recorded."""
    where, params = ["h.status = 'pending'"], []
    within_units(where, params, "sh.unit_id", unit_ids)
    return list(db.query(
        "SELECT h.request_id, h.shift_id, h.volunteer_id, COALESCE(v.name, '') AS name, sh.post, sh.starts_at, "
        "sh.ends_at, s.minutes AS recorded, h.minutes, h.reason, h.requested_at FROM hour_corrections h "
        "JOIN shifts sh USING (shift_id) LEFT JOIN seats s ON s.shift_id = h.shift_id AND s.volunteer_id = h.volunteer_id "
        f"LEFT JOIN volunteers v ON v.volunteer_id = h.volunteer_id WHERE {' AND '.join(where)} ORDER BY h.requested_at",
        params))


def corrections_of(db: sqlite_utils.Database, volunteer_id: str) -> dict[str, str]:
    """A volunteer's corrections by shift: the last one's status (pending, approved, declined)."""
    return {r["shift_id"]: r["status"] for r in db.query(
        "SELECT shift_id, status FROM hour_corrections WHERE volunteer_id = ? ORDER BY requested_at", [volunteer_id])}
