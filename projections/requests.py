"""Service requests: what wards asked for, who was asked, who is coming; who is on call; and who
could be asked. The note a ward wrote stays in the log (encrypted at rest), never here."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from domain.requests import SIGN_LANGUAGE, ServiceRequest
from domain.volunteers import Volunteer
from projections.store import ReadModel, ident, iso, within_units

# Scarce skills are asked of everyone who holds them and is free then, not only of those at hand.
ASKED_WHEN_FREE = (SIGN_LANGUAGE,)


def create(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS service_requests (request_id TEXT PRIMARY KEY, unit_id TEXT, kind TEXT, "
               "place TEXT, starts_at TEXT, ends_at TEXT, minutes INTEGER, needs TEXT, language TEXT, "
               "session_id TEXT, requested_by TEXT, requested_at TEXT, state TEXT, volunteer_id TEXT, "
               "accepted_at TEXT, served_minutes INTEGER, reason TEXT, escalated_at TEXT)")
    db["service_requests"].create_index(["unit_id", "starts_at"], if_not_exists=True)
    db["service_requests"].create_index(["volunteer_id", "starts_at"], if_not_exists=True)
    db["service_requests"].create_index(["state", "requested_at"], if_not_exists=True)
    db.execute("CREATE TABLE IF NOT EXISTS request_candidates (volunteer_id TEXT NOT NULL, request_id TEXT NOT NULL, "
               "PRIMARY KEY (volunteer_id, request_id)) WITHOUT ROWID")
    db.execute("CREATE TABLE IF NOT EXISTS on_call (volunteer_id TEXT PRIMARY KEY, starts_at TEXT, ends_at TEXT) "
               "WITHOUT ROWID")
    # the board's "on call now": spans not yet over, not every span anyone ever offered
    db.execute("CREATE INDEX IF NOT EXISTS on_call_ends_at ON on_call (ends_at)")


requests = ReadModel("requests", create, tables=("service_requests", "request_candidates", "on_call"))


@requests.handles(ServiceRequest.Requested)
def requested(c: sqlite3.Connection, e: Any, position: int) -> None:
    request_id = ident(e.originator_id)
    c.execute("INSERT OR REPLACE INTO service_requests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', NULL, "
              "NULL, NULL, NULL, NULL)",
              (request_id, ident(e.unit_id), e.kind, e.place, iso(e.starts_at),
               iso(e.starts_at + timedelta(minutes=e.minutes)), e.minutes, json.dumps(e.needs), e.language,
               ident(e.session_id), e.actor, iso(e.at or e.timestamp)))
    c.executemany("INSERT OR IGNORE INTO request_candidates VALUES (?, ?)",
                  [(ident(v), request_id) for v in e.candidates])


@requests.handles(ServiceRequest.Accepted)
def accepted(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE service_requests SET state = 'booked', volunteer_id = ?, accepted_at = ? WHERE request_id = ?",
              (ident(e.volunteer_id), iso(e.at), ident(e.originator_id)))


@requests.handles(ServiceRequest.Escalated)
def escalated(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE service_requests SET escalated_at = ? WHERE request_id = ?", (iso(e.at), ident(e.originator_id)))


@requests.handles(ServiceRequest.Served)
def served(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE service_requests SET state = 'served', served_minutes = ? WHERE request_id = ?",
              (e.minutes, ident(e.originator_id)))


@requests.handles(ServiceRequest.Cancelled)
def cancelled(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE service_requests SET state = 'cancelled', reason = ? WHERE request_id = ?",
              (e.reason, ident(e.originator_id)))


@requests.handles(Volunteer.WentOnCall)
def went_on_call(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("INSERT OR REPLACE INTO on_call VALUES (?, ?, ?)",
              (ident(e.originator_id), iso(e.starts_at), iso(e.ends_at)))


@requests.handles(Volunteer.WentOffCall)
def went_off_call(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("DELETE FROM on_call WHERE volunteer_id = ?", (ident(e.originator_id),))


# --- queries -------------------------------------------------------------------------

_LISTED = ("SELECT r.request_id AS id, r.unit_id, COALESCE(u.name, '') AS unit, r.kind, r.place, r.starts_at, "
           "r.ends_at, r.minutes, r.needs, r.language, r.session_id, r.state, r.volunteer_id, "
           "COALESCE(v.name, '') AS interpreter, COALESCE(v.name, '') AS volunteer, r.accepted_at, r.served_minutes, "
           "r.reason, r.requested_by, r.requested_at, r.escalated_at, (SELECT COUNT(*) FROM request_candidates c "
           "WHERE c.request_id = r.request_id) AS asked FROM service_requests r "
           "LEFT JOIN units u ON u.unit_id = r.unit_id LEFT JOIN volunteers v ON v.volunteer_id = r.volunteer_id ")

_BUSY = "s.state IN ('signed_up', 'checked_in') AND sh.cancelled = 0 AND sh.starts_at < :ends AND sh.ends_at > :starts"


def _row(row: dict) -> dict:
    return row | {"needs": json.loads(row["needs"] or "[]")}


def candidates(db: sqlite_utils.Database, unit_id: str, kind: str, needs: list[str], starts_at: datetime,
               ends_at: datetime, language: str | None = None) -> list[dict]:
    """Active volunteers holding every qualification needed, valid that day, who are on duty at this
    unit then or on call then (for a scarce skill: anyone free then), on duty first, then on
    call, then this unit's own, by name. Never one booked elsewhere, on a shift or a request."""
    params: dict[str, Any] = {"starts": iso(starts_at), "ends": iso(ends_at), "day": starts_at.date().isoformat(),
                              "unit": unit_id, "language": (language or "").lower()}
    held = "".join(f"AND EXISTS (SELECT 1 FROM holdings h WHERE h.volunteer_id = v.volunteer_id AND h.kind = :need{i} "
                   f"AND h.since <= :day AND (h.valid_until IS NULL OR h.valid_until >= :day)) "
                   for i, _ in enumerate(needs))
    params |= {f"need{i}": need for i, need in enumerate(needs)}
    spoken = ("AND EXISTS (SELECT 1 FROM json_each(v.languages) WHERE lower(value) = :language) " if language else "")
    reachable = "" if kind in ASKED_WHEN_FREE else "AND (on_duty OR on_call) "
    return [{"volunteer_id": r["volunteer_id"], "name": r["name"], "unit_id": r["unit_id"],
             "on_duty": bool(r["on_duty"]), "on_call": bool(r["on_call"])} for r in db.query(
        "SELECT * FROM (SELECT v.volunteer_id, v.name, v.unit_id, "
        "  EXISTS (SELECT 1 FROM seats s JOIN shifts sh USING (shift_id) WHERE s.volunteer_id = v.volunteer_id "
        f"   AND sh.unit_id = :unit AND {_BUSY}) AS on_duty, "
        "  EXISTS (SELECT 1 FROM on_call o WHERE o.volunteer_id = v.volunteer_id AND o.starts_at < :ends "
        "   AND o.ends_at > :starts) AND v.unit_id = :unit AS on_call "
        "FROM volunteers v WHERE v.status = 'active' "
        f"{held}{spoken}"
        "AND NOT EXISTS (SELECT 1 FROM seats s JOIN shifts sh USING (shift_id) WHERE s.volunteer_id = v.volunteer_id "
        f"  AND sh.unit_id != :unit AND {_BUSY}) "
        "AND NOT EXISTS (SELECT 1 FROM service_requests r WHERE r.volunteer_id = v.volunteer_id "
        "  AND r.state = 'booked' AND r.starts_at < :ends AND r.ends_at > :starts)) "
        f"WHERE 1 = 1 {reachable}"
        "ORDER BY on_duty DESC, on_call DESC, unit_id = :unit DESC, name LIMIT 200", params)]


def listed(db: sqlite_utils.Database, unit_ids: list[str] | None, state: str | None = None,
           limit: int = 200, kind: str | None = None) -> list[dict]:
    """Requests of these units, the latest first, for wards, social workers and coordinators."""
    where, params = ["1 = 1"], []
    within_units(where, params, "r.unit_id", unit_ids)
    for column, value in (("r.state", state), ("r.kind", kind)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    return [_row(r) for r in db.query(_LISTED + f"WHERE {' AND '.join(where)} ORDER BY r.starts_at DESC LIMIT ?",
                                      [*params, limit])]


def current(db: sqlite_utils.Database, unit_ids: list[str] | None, now: datetime, limit: int = 100) -> list[dict]:
    """What a ward or the board is waiting on: open or booked requests not yet over, soonest first,
    and those served or cancelled in the last twelve hours (the ward sees what became of them)."""
    where, params = ["((r.state IN ('open', 'booked') AND r.ends_at > ?) OR (r.state IN ('served', 'cancelled') "
                     "AND r.ends_at > ?))"], [iso(now), iso(now - timedelta(hours=12))]
    within_units(where, params, "r.unit_id", unit_ids)
    return [_row(r) for r in db.query(
        _LISTED + f"WHERE {' AND '.join(where)} ORDER BY r.state NOT IN ('open', 'booked'), r.starts_at LIMIT ?",
        [*params, limit])]


def unanswered(db: sqlite_utils.Database, asked_before: datetime, now: datetime) -> list[str]:
    """Open requests asked before `asked_before`, not over, not yet escalated: for the escalation round."""
    return [row[0] for row in db.execute(
        "SELECT request_id FROM service_requests WHERE state = 'open' AND escalated_at IS NULL AND requested_at <= ? "
        "AND ends_at > ? ORDER BY requested_at LIMIT 500", [iso(asked_before), iso(now)])]


def for_volunteer(db: sqlite_utils.Database, volunteer_id: str, ending_after: datetime,
                  kind: str | None = None) -> list[dict]:
    """Open requests this volunteer was asked to take, and those booked to them, not yet over."""
    where = "AND r.kind = ? " if kind else ""
    return [_row(r) for r in db.query(
        _LISTED + "WHERE r.ends_at > ? AND ((r.state = 'open' AND r.request_id IN (SELECT request_id FROM "
        "request_candidates WHERE volunteer_id = ?)) OR (r.state IN ('booked', 'served') AND r.volunteer_id = ?)) "
        f"{where}ORDER BY r.starts_at", [iso(ending_after), volunteer_id, volunteer_id, *([kind] if kind else [])])]


def request(db: sqlite_utils.Database, request_id: str) -> dict | None:
    found = list(db.query(_LISTED + "WHERE r.request_id = ?", [request_id]))
    if not found:
        return None
    asked = [row[0] for row in db.execute("SELECT volunteer_id FROM request_candidates WHERE request_id = ?",
                                          [request_id])]
    return _row(found[0]) | {"candidates": asked}


def on_call_of(db: sqlite_utils.Database, volunteer_id: str, now: datetime) -> dict | None:
    found = list(db.query("SELECT starts_at, ends_at FROM on_call WHERE volunteer_id = ? AND ends_at > ?",
                          [volunteer_id, iso(now)]))
    return found[0] if found else None


def on_call_at(db: sqlite_utils.Database, unit_ids: list[str] | None, now: datetime) -> list[dict]:
    """Who of these units is on call now, for the live board."""
    where, params = ["o.starts_at <= ? AND o.ends_at > ?"], [iso(now), iso(now)]
    within_units(where, params, "v.unit_id", unit_ids)
    # CROSS JOIN keeps on_call outermost: the few spans not over yet, each its volunteer's row, not a
    # unit's every volunteer looked up in on_call (SQLite's choice without statistics)
    return list(db.query("SELECT v.volunteer_id, v.name, o.ends_at FROM on_call o CROSS JOIN volunteers v USING "
                         f"(volunteer_id) WHERE {' AND '.join(where)} ORDER BY v.name LIMIT 200", params))


def qualification_kinds(db: sqlite_utils.Database) -> list[str]:
    """The qualifications some volunteer holds: what a ward may ask for besides the service."""
    return [row[0] for row in db.execute("SELECT DISTINCT kind FROM holdings ORDER BY kind LIMIT 100")]
