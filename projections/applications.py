"""The coordinator's pipeline board: each application's stage, since when, whether it looks like one
made before (a keyed digest of the phone or ID number; never the number), and why it was closed.
Names come from the directory, where forgetting a person scrubs them."""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlite_utils

from domain.applications import Application
from domain.personal import ERASED
from projections.store import ReadModel, ident, iso, within_units


def create(db: sqlite_utils.Database) -> None:
    db["applications"].create(
        {"application_id": str, "volunteer_id": str, "unit_id": str, "stage": str, "minor": int,
         "availability": str, "submitted_at": str, "changed_at": str, "duplicate_of": str, "reason": str,
         "id_digest": str, "phone_digest": str, "agreement_version": str, "consent_version": str},
        pk="application_id", if_not_exists=True)
    db["applications"].create_index(["unit_id", "stage"], if_not_exists=True)
    db["applications"].create_index(["id_digest"], if_not_exists=True)
    db["applications"].create_index(["phone_digest"], if_not_exists=True)


applications = ReadModel("applications", create, tables=("applications",))


def _digest(value: str) -> str | None:
    return None if not value or value == ERASED else value


@applications.handles(Application.Submitted)
def submitted(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("INSERT OR REPLACE INTO applications VALUES (?, ?, ?, 'applied', ?, ?, ?, ?, ?, '', ?, ?, '', '')",
              (ident(e.originator_id), ident(e.volunteer_id), ident(e.unit_id), int(e.minor), ",".join(e.availability),
               iso(e.at), iso(e.at), ident(e.duplicate_of) if e.duplicate_of else None, _digest(e.id_digest),
               _digest(e.phone_digest)))


@applications.handles(Application.AgreementAccepted)
def agreement(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE applications SET agreement_version = ? WHERE application_id = ?", (e.version, ident(e.originator_id)))


@applications.handles(Application.DataConsentGiven)
def consent(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE applications SET consent_version = ? WHERE application_id = ?", (e.version, ident(e.originator_id)))


_STAGES = {Application.Interviewed: "interviewed", Application.Screened: "screened", Application.Trained: "trained",
           Application.Activated: "active", Application.Rejected: "rejected", Application.Withdrawn: "withdrawn"}


@applications.handles(*_STAGES)
def moved(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE applications SET stage = ?, changed_at = ?, reason = ? WHERE application_id = ?",
              (_STAGES[type(e)], iso(e.at), getattr(e, "reason", ""), ident(e.originator_id)))


def board(db: sqlite_utils.Database, unit_ids: list[str] | None, open_only: bool = True) -> list[dict]:
    """The applications of the units with the applicant's name, oldest change first (who waits longest)."""
    where, params = (["a.stage NOT IN ('active', 'rejected', 'withdrawn')"] if open_only else []), []
    within_units(where, params, "a.unit_id", unit_ids)
    return list(db.query(
        "SELECT a.*, COALESCE(v.name, '') AS name FROM applications a LEFT JOIN volunteers v USING (volunteer_id) "
        f"{'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY a.changed_at", params))


def earlier(db: sqlite_utils.Database, id_digest: str, phone_digest: str) -> str | None:
    """An application made before with the same ID number or phone (withdrawn ones too: a second try
    is worth knowing of), or None."""
    row = db.execute("SELECT application_id FROM applications WHERE id_digest = ? OR phone_digest = ? "
                     "ORDER BY submitted_at LIMIT 1", [id_digest, phone_digest]).fetchone()
    return row[0] if row else None


def one(db: sqlite_utils.Database, application_id: str) -> dict | None:
    rows = list(db.query("SELECT a.*, COALESCE(v.name, '') AS name FROM applications a LEFT JOIN volunteers v "
                         "USING (volunteer_id) WHERE application_id = ?", [application_id]))
    return rows[0] if rows else None
