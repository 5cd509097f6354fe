"""Interpreting: sign-language interpreter requests, who was asked, who is booked — and who could be."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from domain.interpreting import SIGN_LANGUAGE, InterpreterRequest
from projections.store import ReadModel, ident, iso, within_units


def create(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS interpreter_requests (request_id TEXT PRIMARY KEY, unit_id TEXT, "
               "place TEXT, starts_at TEXT, ends_at TEXT, minutes INTEGER, session_id TEXT, requested_by TEXT, "
               "state TEXT, volunteer_id TEXT, accepted_at TEXT, served_minutes INTEGER, reason TEXT)")
    db["interpreter_requests"].create_index(["unit_id", "starts_at"], if_not_exists=True)
    db["interpreter_requests"].create_index(["volunteer_id", "starts_at"], if_not_exists=True)
    db.execute("CREATE TABLE IF NOT EXISTS interpreter_candidates (volunteer_id TEXT NOT NULL, request_id TEXT NOT NULL, "
               "PRIMARY KEY (volunteer_id, request_id)) WITHOUT ROWID")


interpreting = ReadModel("interpreting", create, tables=("interpreter_requests", "interpreter_candidates"))


@interpreting.handles(InterpreterRequest.Requested)
def requested(c: sqlite3.Connection, e: Any, position: int) -> None:
    request_id = ident(e.originator_id)
    c.execute("INSERT OR REPLACE INTO interpreter_requests VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', NULL, NULL, NULL, "
              "NULL)", (request_id, ident(e.unit_id), e.place, iso(e.starts_at),
                        iso(e.starts_at + timedelta(minutes=e.minutes)), e.minutes, ident(e.session_id), e.actor))
    c.executemany("INSERT OR IGNORE INTO interpreter_candidates VALUES (?, ?)",
                  [(ident(v), request_id) for v in e.candidates])


@interpreting.handles(InterpreterRequest.Accepted)
def accepted(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE interpreter_requests SET state = 'booked', volunteer_id = ?, accepted_at = ? WHERE request_id = ?",
              (ident(e.volunteer_id), iso(e.at), ident(e.originator_id)))


@interpreting.handles(InterpreterRequest.Served)
def served(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE interpreter_requests SET state = 'served', served_minutes = ? WHERE request_id = ?",
              (e.minutes, ident(e.originator_id)))


@interpreting.handles(InterpreterRequest.Cancelled)
def cancelled(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE interpreter_requests SET state = 'cancelled', reason = ? WHERE request_id = ?",
              (e.reason, ident(e.originator_id)))


# --- queries -------------------------------------------------------------------------

_LISTED = ("SELECT r.request_id AS id, r.unit_id, COALESCE(u.name, '') AS unit, r.place, r.starts_at, r.ends_at, "
           "r.minutes, r.session_id, r.state, r.volunteer_id, COALESCE(v.name, '') AS interpreter, r.accepted_at, "
           "r.served_minutes, r.reason, r.requested_by, (SELECT COUNT(*) FROM interpreter_candidates c "
           "WHERE c.request_id = r.request_id) AS asked FROM interpreter_requests r "
           "LEFT JOIN units u ON u.unit_id = r.unit_id LEFT JOIN volunteers v ON v.volunteer_id = r.volunteer_id ")


def candidates(db: sqlite_utils.Database, unit_id: str, starts_at: datetime, ends_at: datetime) -> list[dict]:
    """Active volunteers holding a sign-language qualification valid that day who are free then or
    on duty at this unit (on duty first, then this unit's own, then the rest, by name). Neither
    booked on a shift elsewhere nor booked to interpret elsewhere at that time."""
    starts, ends, day = iso(starts_at), iso(ends_at), starts_at.date().isoformat()
    return list(db.query(
        "SELECT v.volunteer_id, v.name, v.unit_id, EXISTS (SELECT 1 FROM seats s JOIN shifts sh USING (shift_id) "
        "  WHERE s.volunteer_id = v.volunteer_id AND s.state IN ('signed_up', 'checked_in') AND sh.cancelled = 0 "
        "  AND sh.starts_at < :ends AND sh.ends_at > :starts) AS on_duty "
        "FROM volunteers v WHERE v.status = 'active' AND EXISTS (SELECT 1 FROM holdings h "
        "  WHERE h.volunteer_id = v.volunteer_id AND h.kind = :kind AND h.since <= :day "
        "  AND (h.valid_until IS NULL OR h.valid_until >= :day)) "
        "AND NOT EXISTS (SELECT 1 FROM seats s JOIN shifts sh USING (shift_id) WHERE s.volunteer_id = v.volunteer_id "
        "  AND s.state IN ('signed_up', 'checked_in') AND sh.cancelled = 0 AND sh.starts_at < :ends "
        "  AND sh.ends_at > :starts AND sh.unit_id != :unit) "
        "AND NOT EXISTS (SELECT 1 FROM interpreter_requests r WHERE r.volunteer_id = v.volunteer_id "
        "  AND r.state = 'booked' AND r.starts_at < :ends AND r.ends_at > :starts) "
        "ORDER BY on_duty DESC, v.unit_id = :unit DESC, v.name LIMIT 200",
        {"starts": starts, "ends": ends, "day": day, "kind": SIGN_LANGUAGE, "unit": unit_id}))


def listed(db: sqlite_utils.Database, unit_ids: list[str] | None, state: str | None = None,
           limit: int = 200) -> list[dict]:
    """Requests of these units, the soonest first, for social workers and coordinators."""
    where, params = ["1 = 1"], []
    within_units(where, params, "r.unit_id", unit_ids)
    if state is not None:
        where.append("r.state = ?")
        params.append(state)
    return list(db.query(_LISTED + f"WHERE {' AND '.join(where)} ORDER BY r.starts_at DESC LIMIT ?", [*params, limit]))


def for_volunteer(db: sqlite_utils.Database, volunteer_id: str, ending_after: datetime) -> list[dict]:
    """Open requests this volunteer was asked to take, and those booked to them, not yet over."""
    return list(db.query(
        _LISTED + "WHERE r.ends_at > ? AND ((r.state = 'open' AND r.request_id IN (SELECT request_id FROM "
        "interpreter_candidates WHERE volunteer_id = ?)) OR (r.state IN ('booked', 'served') AND r.volunteer_id = ?)) "
        "ORDER BY r.starts_at", [iso(ending_after), volunteer_id, volunteer_id]))


def request(db: sqlite_utils.Database, request_id: str) -> dict | None:
    found = list(db.query(_LISTED + "WHERE r.request_id = ?", [request_id]))
    if not found:
        return None
    asked = [row[0] for row in db.execute("SELECT volunteer_id FROM interpreter_candidates WHERE request_id = ?",
                                          [request_id])]
    return found[0] | {"candidates": asked}
