"""Trainings: courses with their enrolments and results, for the coordinator's training screen."""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlite_utils

from domain.trainings import TrainingCourse
from projections.store import ReadModel, ident, iso, within_units


def create(db: sqlite_utils.Database) -> None:
    db["courses"].create(
        {"training_id": str, "title": str, "kind": str, "grants": str, "unit_id": str, "starts_at": str,
         "ends_at": str, "capacity": int, "enrolled": int, "passed": int, "cancelled": int},
        pk="training_id", if_not_exists=True,
    )
    db["courses"].create_index(["unit_id", "starts_at"], if_not_exists=True)
    db["enrolments"].create(
        {"training_id": str, "volunteer_id": str, "attended": int, "passed": int, "score": float},
        pk=("training_id", "volunteer_id"), if_not_exists=True,
    )


trainings = ReadModel("trainings", create, tables=("courses", "enrolments"))


@trainings.handles(TrainingCourse.Scheduled)
def scheduled(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("INSERT OR REPLACE INTO courses VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0)",
              (ident(e.originator_id), e.title, e.kind, e.grants, ident(e.unit_id), iso(e.starts_at),
               iso(e.ends_at), e.capacity))


@trainings.handles(TrainingCourse.Enrolled)
def enrolled(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("INSERT OR IGNORE INTO enrolments (training_id, volunteer_id) VALUES (?, ?)",
              (ident(e.originator_id), ident(e.volunteer_id)))
    c.execute("UPDATE courses SET enrolled = (SELECT COUNT(*) FROM enrolments WHERE training_id = ?1) "
              "WHERE training_id = ?1", (ident(e.originator_id),))


@trainings.handles(TrainingCourse.AttendanceRecorded)
def attendance(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE enrolments SET attended = ? WHERE training_id = ? AND volunteer_id = ?",
              (int(e.present), ident(e.originator_id), ident(e.volunteer_id)))


@trainings.handles(TrainingCourse.Assessed)
def assessed(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE enrolments SET passed = ?, score = ? WHERE training_id = ? AND volunteer_id = ?",
              (int(e.passed), e.score, ident(e.originator_id), ident(e.volunteer_id)))
    c.execute("UPDATE courses SET passed = (SELECT COUNT(*) FROM enrolments WHERE training_id = ?1 AND passed = 1) "
              "WHERE training_id = ?1", (ident(e.originator_id),))


@trainings.handles(TrainingCourse.Cancelled)
def cancelled(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE courses SET cancelled = 1 WHERE training_id = ?", (ident(e.originator_id),))


# --- queries -------------------------------------------------------------------------

def courses(db: sqlite_utils.Database, unit_ids: list[str] | None) -> list[dict]:
    where, params = ["1=1"], []
    within_units(where, params, "unit_id", unit_ids)
    return list(db.query(f"SELECT * FROM courses WHERE {' AND '.join(where)} ORDER BY starts_at DESC", params))


def granted(db: sqlite_utils.Database, unit_ids: list[str] | None) -> list[str]:
    """The qualifications these units' trainings grant (what a shift may go on to require)."""
    where, params = ["grants IS NOT NULL", "grants NOT IN ('', 'other')"], []  # "other": as older courses said
    within_units(where, params, "unit_id", unit_ids)
    return [row[0] for row in db.execute(f"SELECT DISTINCT grants FROM courses WHERE {' AND '.join(where)} "
                                         "ORDER BY grants", params)]


def course(db: sqlite_utils.Database, training_id: str) -> dict | None:
    rows = list(db.query("SELECT * FROM courses WHERE training_id = ?", [training_id]))
    if not rows:
        return None
    found = rows[0]
    found["enrolments"] = list(db.query(
        "SELECT e.volunteer_id, COALESCE(v.name, '') AS name, e.attended, e.passed, e.score FROM enrolments e "
        "LEFT JOIN volunteers v USING (volunteer_id) WHERE e.training_id = ? ORDER BY name", [training_id]))
    return found
