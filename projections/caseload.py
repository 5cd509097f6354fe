"""Caseload: each social worker's sessions by unit — never the notes, only that there are some."""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlite_utils

from domain.sessions import ServiceSession
from projections.store import ReadModel, ident, iso, within_units


def create(db: sqlite_utils.Database) -> None:
    db["sessions"].create(
        {"session_id": str, "unit_id": str, "social_worker": str, "patient_ref": str, "service_type": str,
         "mode": str, "started_at": str, "day": str, "minutes": int, "persons": int, "case_id": str,
         "has_notes": int, "referrals": int, "interpreter_requests": int, "closed": int},
        pk="session_id", if_not_exists=True,
    )
    db["sessions"].create_index(["unit_id", "day"], if_not_exists=True)
    db["sessions"].create_index(["social_worker", "day"], if_not_exists=True)


caseload = ReadModel("caseload", create, tables=("sessions",))


@caseload.handles(ServiceSession.Logged)
def logged(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute(
        "INSERT OR REPLACE INTO sessions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0)",
        (ident(e.originator_id), ident(e.unit_id), ident(e.social_worker), e.patient_ref, e.service_type, e.mode,
         iso(e.started_at), e.started_at.date().isoformat(), e.minutes, e.persons, ident(e.case_id)),
    )


@caseload.handles(ServiceSession.NotesRecorded)
def notes_recorded(c: sqlite3.Connection, e: Any, position: int) -> None:
    # The notes themselves stay in the (encrypted) log; a read model only learns they exist.
    c.execute("UPDATE sessions SET has_notes = 1 WHERE session_id = ?", (ident(e.originator_id),))


@caseload.handles(ServiceSession.Amended)
def amended(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE sessions SET service_type = ?, mode = ?, started_at = ?, day = ?, minutes = ?, persons = ? "
              "WHERE session_id = ?", (e.service_type, e.mode, iso(e.started_at), e.started_at.date().isoformat(),
                                       e.minutes, e.persons, ident(e.originator_id)))


@caseload.handles(ServiceSession.Referred)
def referred(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE sessions SET referrals = referrals + 1 WHERE session_id = ?", (ident(e.originator_id),))


@caseload.handles(ServiceSession.InterpreterRequested)
def interpreter_requested(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE sessions SET interpreter_requests = interpreter_requests + 1 WHERE session_id = ?",
              (ident(e.originator_id),))


@caseload.handles(ServiceSession.Closed)
def closed(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE sessions SET closed = 1 WHERE session_id = ?", (ident(e.originator_id),))


# --- queries -------------------------------------------------------------------------

_COLUMNS = ("session_id AS id, unit_id, social_worker, patient_ref, service_type, mode, started_at, minutes, "
            "persons, case_id, has_notes, referrals, interpreter_requests, closed")


def sessions(db: sqlite_utils.Database, unit_ids: list[str] | None, first_day: str, last_day: str,
             social_worker: str | None = None, limit: int = 500, session_id: str | None = None) -> list[dict]:
    where, params = ["day BETWEEN ? AND ?"], [first_day, last_day]
    if session_id:
        where.append("session_id = ?")
        params.append(session_id)
    within_units(where, params, "unit_id", unit_ids)
    if social_worker:
        where.append("social_worker = ?")
        params.append(social_worker)
    rows = list(db.query(f"SELECT {_COLUMNS} FROM sessions WHERE {' AND '.join(where)} "
                         "ORDER BY started_at LIMIT ?", [*params, limit]))
    for row in rows:
        row["has_notes"], row["closed"] = bool(row["has_notes"]), bool(row["closed"])
    return rows


def per_worker(db: sqlite_utils.Database, unit_ids: list[str] | None, first_day: str, last_day: str) -> list[dict]:
    """Sessions, persons and minutes of each social worker in the days (the department's caseload),
    with the worker's username from the directory."""
    where, params = ["day BETWEEN ? AND ?"], [first_day, last_day]
    within_units(where, params, "unit_id", unit_ids)
    return list(db.query(
        "SELECT social_worker, COALESCE(staff.username, social_worker) AS username, sessions.unit_id, "
        "COUNT(*) AS sessions, SUM(persons) AS persons, SUM(minutes) AS minutes "
        f"FROM sessions LEFT JOIN staff ON staff.account_id = social_worker WHERE {' AND '.join(where)} "
        "GROUP BY social_worker, sessions.unit_id ORDER BY sessions DESC", params))
