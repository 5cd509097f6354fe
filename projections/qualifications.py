"""Qualifications: who holds which qualification or credential until when; what expires soon;
and the history of every grant and revocation, for retroactive compliance."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from typing import Any

import sqlite_utils

from domain.volunteers import INSURANCE, Volunteer
from projections.store import ReadModel, ident, within_units


def create(db: sqlite_utils.Database) -> None:
    db["holdings"].create(
        {"volunteer_id": str, "kind": str, "source": str, "since": str, "valid_until": str},
        pk=("volunteer_id", "kind", "source"), if_not_exists=True,
    )
    db["holdings"].create_index(["valid_until"], if_not_exists=True)
    db["holdings_log"].create(
        {"position": int, "volunteer_id": str, "kind": str, "since": str, "valid_until": str, "revoked": int},
        pk="position", if_not_exists=True,
    )
    db["holdings_log"].create_index(["volunteer_id", "kind", "position"], if_not_exists=True)


qualifications = ReadModel("qualifications", create, tables=("holdings", "holdings_log"))


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


@qualifications.handles(Volunteer.QualificationGranted)
def granted(c: sqlite3.Connection, e: Any, position: int) -> None:
    row = (ident(e.originator_id), e.kind, _day(e.since), _day(e.valid_until))
    c.execute("INSERT OR REPLACE INTO holdings VALUES (?, ?, 'qualification', ?, ?)", row)
    c.execute("INSERT OR REPLACE INTO holdings_log VALUES (?, ?, ?, ?, ?, 0)", (position, *row))


@qualifications.handles(Volunteer.QualificationRevoked)
def revoked(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("DELETE FROM holdings WHERE volunteer_id = ? AND kind = ? AND source = 'qualification'",
              (ident(e.originator_id), e.kind))
    c.execute("INSERT OR REPLACE INTO holdings_log VALUES (?, ?, ?, NULL, NULL, 1)",
              (position, ident(e.originator_id), e.kind))


@qualifications.handles(Volunteer.CredentialRecorded)
def credential(c: sqlite3.Connection, e: Any, position: int) -> None:
    row = (ident(e.originator_id), e.kind, _day(e.recorded_on), _day(e.expires_on))
    c.execute("DELETE FROM holdings WHERE volunteer_id = ? AND kind = ? AND source != 'qualification'", row[:2])
    c.execute("INSERT INTO holdings VALUES (?, ?, ?, ?, ?)",
              (*row[:2], "declination" if e.declined else "credential", *row[2:]))
    c.execute("INSERT OR REPLACE INTO holdings_log VALUES (?, ?, ?, ?, ?, 0)", (position, *row))


@qualifications.handles(Volunteer.InsuranceRecorded)
def insurance(c: sqlite3.Connection, e: Any, position: int) -> None:
    row = (ident(e.originator_id), INSURANCE, _day(e.valid_from), _day(e.valid_until))
    c.execute("DELETE FROM holdings WHERE volunteer_id = ? AND kind = ? AND source != 'qualification'", row[:2])
    c.execute("INSERT INTO holdings VALUES (?, ?, ?, ?, ?)", (*row[:2], "insurance", *row[2:]))
    c.execute("INSERT OR REPLACE INTO holdings_log VALUES (?, ?, ?, ?, ?, 0)", (position, *row))


# --- queries -------------------------------------------------------------------------

def uninsured(db: sqlite_utils.Database, unit_ids: list[str] | None, first: str, last: str) -> list[dict]:
    """Volunteers on shifts starting in [first, last) at posts that require accident insurance, whose
    insurance does not cover that shift's day: who to call before the week starts."""
    where, params = ["sh.starts_at >= ? AND sh.starts_at < ?", "sh.cancelled = 0",
                     "s.state IN ('signed_up', 'checked_in')"], [first, last]
    if unit_ids is not None:
        where.append(f"sh.unit_id IN ({','.join('?' * len(unit_ids))})")
        params += unit_ids
    return list(db.query(
        "SELECT s.volunteer_id, COALESCE(v.name, '') AS name, sh.shift_id, sh.unit_id, sh.post, sh.starts_at, "
        "sh.day, (SELECT h.valid_until FROM holdings h WHERE h.volunteer_id = s.volunteer_id AND h.kind = ?) "
        "AS insured_until FROM seats s JOIN shifts sh USING (shift_id) LEFT JOIN volunteers v USING (volunteer_id) "
        f"WHERE {' AND '.join(where)} AND EXISTS (SELECT 1 FROM json_each(sh.requires) WHERE value = ?) "
        "AND NOT EXISTS (SELECT 1 FROM holdings h WHERE h.volunteer_id = s.volunteer_id AND h.kind = ? "
        "AND (h.since IS NULL OR h.since <= sh.day) AND (h.valid_until IS NULL OR h.valid_until >= sh.day)) "
        "ORDER BY sh.starts_at, name LIMIT 500", [INSURANCE, *params, INSURANCE, INSURANCE]))


def missing_for(db: sqlite_utils.Database, volunteer_ids: list[str], kinds: list[str], day: str) -> dict[str, list[str]]:
    """What each volunteer lacks of `kinds` on `day` (held, valid that day): {volunteer: [kind]},
    only those lacking something."""
    if not kinds or not volunteer_ids:
        return {}
    held: dict[str, set[str]] = {v: set() for v in volunteer_ids}
    marks = ",".join("?" * len(volunteer_ids))
    for row in db.query(f"SELECT volunteer_id, kind FROM holdings WHERE volunteer_id IN ({marks}) AND "
                        f"kind IN ({','.join('?' * len(kinds))}) AND (since IS NULL OR since <= ?) AND "
                        "(valid_until IS NULL OR valid_until >= ?)",  # a signed declination counts, as in the domain
                        [*volunteer_ids, *kinds, day, day]):
        held[row["volunteer_id"]].add(row["kind"])
    return {v: [k for k in kinds if k not in have] for v, have in held.items() if set(kinds) - have}


def held_by(db: sqlite_utils.Database, volunteer_id: str) -> list[dict]:
    return list(db.query("SELECT kind, source, since, valid_until FROM holdings WHERE volunteer_id = ? "
                         "ORDER BY kind", [volunteer_id]))


def expiring(db: sqlite_utils.Database, today: date, days: int = 30, unit_ids: list[str] | None = None) -> list[dict]:
    """What lapses in the next `days` days, soonest first, with whose it is."""
    where, params = ["h.valid_until BETWEEN ? AND ?"], [today.isoformat(), (today + timedelta(days=days)).isoformat()]
    within_units(where, params, "v.unit_id", unit_ids)
    return list(db.query(
        "SELECT h.volunteer_id, COALESCE(v.name, '') AS name, v.unit_id, h.kind, h.source, h.valid_until "
        "FROM holdings h LEFT JOIN volunteers v USING (volunteer_id) "
        f"WHERE {' AND '.join(where)} ORDER BY h.valid_until, name", params))


def compliance(db: sqlite_utils.Database, first_day: str, last_day: str,
               unit_ids: list[str] | None = None) -> list[dict]:
    """Every check-in in the period where the volunteer did not, at that moment of the log, hold a
    required qualification valid on that day: never held, granted later, lapsed or revoked."""
    where, params = ["sh.day BETWEEN ? AND ?", "s.check_in_position IS NOT NULL"], [first_day, last_day]
    within_units(where, params, "sh.unit_id", unit_ids)
    findings = []
    for row in db.query(
        "SELECT s.shift_id, s.volunteer_id, s.trainee, s.checked_in_at, s.check_in_position, sh.unit_id, sh.post, "
        "sh.day, sh.requires, COALESCE(v.name, '') AS name FROM seats s JOIN shifts sh USING (shift_id) "
        f"LEFT JOIN volunteers v USING (volunteer_id) WHERE {' AND '.join(where)} ORDER BY s.checked_in_at",
        params,
    ):
        check_in_day = row["checked_in_at"][:10] if row["checked_in_at"] else row["day"]
        for kind in json.loads(row["requires"]):
            latest = list(db.query(
                "SELECT since, valid_until, revoked, position FROM holdings_log WHERE volunteer_id = ? AND kind = ? "
                "AND position < ? ORDER BY position DESC LIMIT 1",
                [row["volunteer_id"], kind, row["check_in_position"]]))
            problem = None
            if not latest:
                granted_later = db.execute(
                    "SELECT 1 FROM holdings_log WHERE volunteer_id = ? AND kind = ? AND position > ? AND revoked = 0",
                    [row["volunteer_id"], kind, row["check_in_position"]]).fetchone()
                problem = "granted_later" if granted_later else "never_held"
            elif latest[0]["revoked"]:
                problem = "revoked"
            elif latest[0]["valid_until"] is not None and latest[0]["valid_until"] < check_in_day:
                problem = "expired"
            elif latest[0]["since"] is not None and latest[0]["since"] > check_in_day:
                problem = "not_yet_valid"
            if problem:
                findings.append({k: row[k] for k in ("shift_id", "volunteer_id", "name", "unit_id", "post",
                                                     "checked_in_at")} | {"kind": kind, "problem": problem,
                                                                          "trainee": bool(row["trainee"])})
    return findings
