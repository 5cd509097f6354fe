"""Certificates: the register of issued service record certificates, found by code or by person.
Names and identity numbers are not here: they are read, sealed, from the certificate's event."""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlite_utils

from domain.certificates import ServiceCertificate
from projections.store import ReadModel, ident, within_units


def create(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS certificates (certificate_id TEXT PRIMARY KEY, number TEXT, "
               "code TEXT UNIQUE, unit_id TEXT, unit_name TEXT, volunteer_id TEXT, first_day TEXT, last_day TEXT, "
               "issued_on TEXT, total_minutes INTEGER, services INTEGER, handler TEXT)")
    db["certificates"].create_index(["volunteer_id", "issued_on"], if_not_exists=True)
    db["certificates"].create_index(["unit_id", "issued_on"], if_not_exists=True)


certificates = ReadModel("certificates", create, tables=("certificates",))


@certificates.handles(ServiceCertificate.Issued)
def issued(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("INSERT OR REPLACE INTO certificates VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              (ident(e.originator_id), e.number, e.code, ident(e.unit_id), e.unit_name, ident(e.volunteer_id),
               e.first_day.isoformat(), e.last_day.isoformat(), e.issued_on.isoformat(), e.total_minutes,
               len(e.lines), e.handler))


# --- queries -------------------------------------------------------------------------

_LISTED = ("SELECT c.certificate_id AS id, c.number, c.unit_id, c.unit_name, c.volunteer_id, "
           "COALESCE(v.name, '') AS name, c.first_day, c.last_day, c.issued_on, c.total_minutes, c.services, "
           "c.handler FROM certificates c LEFT JOIN volunteers v USING (volunteer_id) ")


def by_code(db: sqlite_utils.Database, code: str) -> dict | None:
    found = list(db.query("SELECT certificate_id AS id FROM certificates WHERE code = ?", [code.strip().upper()]))
    return found[0] if found else None


def of_volunteer(db: sqlite_utils.Database, volunteer_id: str) -> list[dict]:
    return list(db.query(_LISTED + "WHERE c.volunteer_id = ? ORDER BY c.issued_on DESC, c.number DESC",
                         [volunteer_id]))


def of_units(db: sqlite_utils.Database, unit_ids: list[str] | None, limit: int = 200) -> list[dict]:
    where, params = ["1 = 1"], []
    within_units(where, params, "c.unit_id", unit_ids)
    return list(db.query(_LISTED + f"WHERE {' AND '.join(where)} ORDER BY c.issued_on DESC, c.number DESC LIMIT ?",
                         [*params, limit]))
