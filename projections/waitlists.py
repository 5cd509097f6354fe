"""Places changing hands: who waits for a place on a full shift, in order (a promotion, leaving or the
shift's cancellation takes them off), and the places offered by their holders, to a colleague or anyone
(and who asked to take one where the unit's coordinator approves handovers)."""

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
    db["offers"].create({"shift_id": str, "volunteer_id": str, "to_volunteer": str, "since": str, "asked_by": str,
                         "asked_at": str}, pk=("shift_id", "volunteer_id"), if_not_exists=True)


waitlists = ReadModel("waitlists", create, version=2, tables=("waitlist", "offers"))


@waitlists.handles(Shift.SeatOffered)
def offered(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("INSERT OR REPLACE INTO offers VALUES (?, ?, ?, ?, NULL, NULL)",
              (ident(e.originator_id), ident(e.volunteer_id), ident(e.to), iso(e.timestamp)))


@waitlists.handles(Shift.HandoverAsked)
def handover_asked(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE offers SET asked_by = ?, asked_at = ? WHERE shift_id = ? AND volunteer_id = ?",
              (ident(e.to_volunteer), iso(e.timestamp), ident(e.originator_id), ident(e.from_volunteer)))


@waitlists.handles(Shift.HandoverDeclined)
def handover_declined(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE offers SET asked_by = NULL, asked_at = NULL WHERE shift_id = ? AND volunteer_id = ?",
              (ident(e.originator_id), ident(e.from_volunteer)))


@waitlists.handles(Shift.OfferWithdrawn)
def offer_withdrawn(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("DELETE FROM offers WHERE shift_id = ? AND volunteer_id = ?", (ident(e.originator_id), ident(e.volunteer_id)))


@waitlists.handles(Shift.HandedOver)
def handed_over(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("DELETE FROM offers WHERE shift_id = ? AND volunteer_id = ?",
              (ident(e.originator_id), ident(e.from_volunteer)))


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
    c.execute("DELETE FROM offers WHERE shift_id = ?", (ident(e.originator_id),))


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


def offers_to(db: sqlite_utils.Database, volunteer_id: str, after: str) -> list[dict]:
    """Places offered to this volunteer by name, or to anyone, on shifts starting after `after` (not their own)."""
    return list(db.query(
        "SELECT o.shift_id, o.volunteer_id AS giver, o.to_volunteer, sh.unit_id, sh.post, sh.starts_at, sh.ends_at, "
        "sh.day, o.asked_by = ? AS awaiting_approval FROM offers o JOIN shifts sh USING (shift_id) "
        "WHERE sh.starts_at > ? AND o.volunteer_id != ? AND (o.to_volunteer IS NULL OR o.to_volunteer = ?) "
        "AND (o.asked_by IS NULL OR o.asked_by = ?) AND sh.cancelled = 0 ORDER BY sh.starts_at LIMIT 30",
        [volunteer_id, after, volunteer_id, volunteer_id, volunteer_id]))


def handovers_awaiting(db: sqlite_utils.Database, shift_id: str) -> list[dict]:
    """The takes of this shift's places waiting for the coordinator: who gives, who would take."""
    return list(db.query(
        "SELECT o.volunteer_id AS giver, COALESCE(g.name, '') AS giver_name, o.asked_by AS taker, "
        "COALESCE(t.name, '') AS taker_name, o.asked_at FROM offers o LEFT JOIN volunteers g ON g.volunteer_id = "
        "o.volunteer_id LEFT JOIN volunteers t ON t.volunteer_id = o.asked_by WHERE o.shift_id = ? AND o.asked_by "
        "IS NOT NULL ORDER BY o.asked_at", [shift_id]))


def offered_by(db: sqlite_utils.Database, volunteer_id: str) -> set[str]:
    """The shifts whose place this volunteer has on offer."""
    return {r["shift_id"] for r in db.query("SELECT shift_id FROM offers WHERE volunteer_id = ?", [volunteer_id])}
