"""Service awards: which hour milestones have been presented to whom, and which are due."""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlite_utils

from domain.volunteers import Volunteer
from projections.store import ReadModel, ident, within_units


def create(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS awards_presented (volunteer_id TEXT NOT NULL, hours INTEGER NOT NULL, "
               "presented_at TEXT, presented_by TEXT, PRIMARY KEY (volunteer_id, hours)) WITHOUT ROWID")


awards = ReadModel("awards", create, tables=("awards_presented",))


@awards.handles(Volunteer.AwardPresented)
def presented(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("INSERT OR REPLACE INTO awards_presented VALUES (?, ?, ?, ?)",
              (ident(e.originator_id), e.hours, e.timestamp.isoformat(), e.actor))


# --- queries -------------------------------------------------------------------------

def served_minutes(db: sqlite_utils.Database, volunteer_id: str) -> int:
    row = db.execute("SELECT COALESCE(SUM(minutes), 0) FROM service_records WHERE volunteer_id = ? "
                     "AND outcome = 'served'", [volunteer_id]).fetchone()
    return int(row[0])


def due(db: sqlite_utils.Database, unit_ids: list[str] | None, milestones: tuple[int, ...]) -> list[dict]:
    """Volunteers of these units whose hours of service (all units) have reached a milestone whose
    award has not been presented: one row per award due, the highest milestone first."""
    if not milestones:
        return []
    where, params = ["r.outcome = 'served'"], []
    within_units(where, params, "v.unit_id", unit_ids)
    totals = db.execute(
        "SELECT v.volunteer_id, v.name, v.unit_id, SUM(r.minutes) AS minutes FROM volunteers v "
        f"JOIN service_records r USING (volunteer_id) WHERE {' AND '.join(where)} GROUP BY v.volunteer_id "
        "HAVING SUM(r.minutes) >= ?", [*params, min(milestones) * 60]).fetchall()
    given = {(v, h) for v, h in db.execute("SELECT volunteer_id, hours FROM awards_presented").fetchall()}
    found = []
    for volunteer_id, name, unit_id, minutes in totals:
        for hours in sorted(milestones, reverse=True):
            if minutes >= hours * 60 and (volunteer_id, hours) not in given:
                found.append({"volunteer_id": volunteer_id, "name": name, "unit_id": unit_id, "award_hours": hours,
                              "hours": round(minutes / 60, 1)})
    return sorted(found, key=lambda a: (-a["award_hours"], a["name"]))


def due_hours(db: sqlite_utils.Database, volunteer_id: str, milestones: tuple[int, ...]) -> list[int]:
    """The milestones one volunteer has reached whose award has not been presented."""
    minutes = served_minutes(db, volunteer_id)
    given = {h for (h,) in db.execute("SELECT hours FROM awards_presented WHERE volunteer_id = ?", [volunteer_id])}
    return [h for h in milestones if minutes >= h * 60 and h not in given]
