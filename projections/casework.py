"""Case work: each case's stage, consent and timeliness, groups and their meetings — never a note's text."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from domain.cases import Case
from domain.groups import GroupWork
from domain.policy import CasePolicy
from projections.store import ReadModel, ident, iso, within_units


def create(db: sqlite_utils.Database) -> None:
    db["cases"].create(
        {"case_id": str, "unit_id": str, "lead_worker": str, "patient_ref": str, "source": str, "opened_at": str,
         "opened_day": str, "status": str, "risk": str, "consent": str, "consent_withdrawn": int,
         "assessed_at": str, "planned_at": str, "evaluated_at": str, "evaluation": str, "closed_at": str,
         "closed_day": str, "outcome": str, "last_note_at": str, "notes": int, "late_notes": int,
         "pending_countersign": int, "referrals": int},
        pk="case_id", if_not_exists=True,
    )
    db["cases"].create_index(["unit_id", "opened_day"], if_not_exists=True)
    db["cases"].create_index(["unit_id", "closed_day"], if_not_exists=True)
    db["cases"].create_index(["status"], if_not_exists=True)
    db["case_notes"].create(
        {"note_id": str, "case_id": str, "author": str, "contact_at": str, "written_at": str, "late": int,
         "pending": int, "countersigned_by": str},
        pk="note_id", if_not_exists=True,
    )
    db["case_notes"].create_index(["case_id"], if_not_exists=True)
    db["case_notes"].create_index(["pending", "author"], if_not_exists=True)
    db["groups"].create({"group_id": str, "unit_id": str, "kind": str, "title": str, "service_type": str,
                         "worker": str, "meetings": int, "persons": int, "ended": int},
                        pk="group_id", if_not_exists=True)
    db["group_meetings"].create({"position": int, "group_id": str, "unit_id": str, "kind": str,
                                 "service_type": str, "started_at": str, "day": str, "minutes": int, "persons": int},
                                pk="position", if_not_exists=True)
    db["group_meetings"].create_index(["unit_id", "day"], if_not_exists=True)


casework = ReadModel("casework", create, tables=("cases", "case_notes", "groups", "group_meetings"))


def _set(c: sqlite3.Connection, e: Any, **values: Any) -> None:
    assignments = ", ".join(f"{column} = ?" for column in values)
    c.execute(f"UPDATE cases SET {assignments} WHERE case_id = ?", (*values.values(), ident(e.originator_id)))


@casework.handles(Case.Opened)
def opened(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute(
        "INSERT OR REPLACE INTO cases (case_id, unit_id, lead_worker, patient_ref, source, opened_at, opened_day, "
        "status, consent, consent_withdrawn, notes, late_notes, pending_countersign, referrals) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 'open', '[]', 0, 0, 0, 0, 0)",
        (ident(e.originator_id), ident(e.unit_id), ident(e.lead_worker), e.patient_ref, e.source, iso(e.opened_at),
         e.opened_at.date().isoformat()))


@casework.handles(Case.ConsentGiven)
def consent_given(c: sqlite3.Connection, e: Any, position: int) -> None:
    held = set(json.loads(c.execute("SELECT consent FROM cases WHERE case_id = ?",
                                    (ident(e.originator_id),)).fetchone()[0]))
    _set(c, e, consent=json.dumps(sorted(held | set(e.scope))), consent_withdrawn=0)


@casework.handles(Case.ConsentWithdrawn)
def consent_withdrawn(c: sqlite3.Connection, e: Any, position: int) -> None:
    _set(c, e, consent="[]", consent_withdrawn=1)


@casework.handles(Case.Assessed)
def assessed(c: sqlite3.Connection, e: Any, position: int) -> None:
    _set(c, e, risk=e.risk, assessed_at=iso(e.at))
    c.execute("UPDATE cases SET status = 'assessed' WHERE case_id = ? AND status = 'open'", (ident(e.originator_id),))


@casework.handles(Case.Planned)
def planned(c: sqlite3.Connection, e: Any, position: int) -> None:
    _set(c, e, planned_at=iso(e.at))
    c.execute("UPDATE cases SET status = 'planned' WHERE case_id = ? AND status = 'assessed'",
              (ident(e.originator_id),))


@casework.handles(Case.NoteRecorded)
def note_recorded(c: sqlite3.Connection, e: Any, position: int) -> None:
    # The note's text and who was contacted stay in the (encrypted) log; only its facts are kept here.
    c.execute("INSERT OR REPLACE INTO case_notes VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
              (ident(e.note_id), ident(e.originator_id), ident(e.author), iso(e.contact_at), iso(e.written_at),
               int(e.late), int(e.pending)))
    c.execute("UPDATE cases SET notes = notes + 1, late_notes = late_notes + ?, "
              "pending_countersign = pending_countersign + ?, last_note_at = MAX(COALESCE(last_note_at, ''), ?) "
              "WHERE case_id = ?", (int(e.late), int(e.pending), iso(e.contact_at), ident(e.originator_id)))


@casework.handles(Case.Countersigned)
def countersigned(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE case_notes SET pending = 0, countersigned_by = ? WHERE note_id = ?",
              (ident(e.supervisor), ident(e.note_id)))
    c.execute("UPDATE cases SET pending_countersign = pending_countersign - 1 WHERE case_id = ?",
              (ident(e.originator_id),))


@casework.handles(Case.ReferredOut)
def referred_out(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE cases SET referrals = referrals + 1 WHERE case_id = ?", (ident(e.originator_id),))


@casework.handles(Case.Transferred)
def transferred(c: sqlite3.Connection, e: Any, position: int) -> None:
    _set(c, e, lead_worker=ident(e.to_worker))


@casework.handles(Case.Evaluated)
def evaluated(c: sqlite3.Connection, e: Any, position: int) -> None:
    _set(c, e, status="evaluated", evaluated_at=iso(e.at), evaluation=e.result)


@casework.handles(Case.Closed)
def closed(c: sqlite3.Connection, e: Any, position: int) -> None:
    _set(c, e, status="closed", closed_at=iso(e.at), closed_day=e.at.date().isoformat(), outcome=e.outcome)


@casework.handles(GroupWork.Formed)
def group_formed(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("INSERT OR REPLACE INTO groups VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0)",
              (ident(e.originator_id), ident(e.unit_id), e.kind, e.title, e.service_type, ident(e.worker)))


@casework.handles(GroupWork.MeetingHeld)
def meeting_held(c: sqlite3.Connection, e: Any, position: int) -> None:
    group_id = ident(e.originator_id)
    unit_id, kind, service_type = c.execute("SELECT unit_id, kind, service_type FROM groups WHERE group_id = ?",
                                            (group_id,)).fetchone()
    c.execute("INSERT OR REPLACE INTO group_meetings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              (position, group_id, unit_id, kind, service_type, iso(e.started_at), e.started_at.date().isoformat(),
               e.minutes, e.persons))
    c.execute("UPDATE groups SET meetings = meetings + 1, persons = persons + ? WHERE group_id = ?",
              (e.persons, group_id))


@casework.handles(GroupWork.Ended)
def group_ended(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE groups SET ended = 1 WHERE group_id = ?", (ident(e.originator_id),))


# --- queries -------------------------------------------------------------------------

def _case_row(row: dict) -> dict:
    row["consent"] = json.loads(row["consent"])
    row["consent_withdrawn"] = bool(row["consent_withdrawn"])
    return row


def cases(db: sqlite_utils.Database, unit_ids: list[str] | None, status: str | None = None,
          lead_worker: str | None = None, patient_ref: str | None = None) -> list[dict]:
    where, params = ["1=1"], []
    within_units(where, params, "unit_id", unit_ids)
    if patient_ref:  # a patient's cases, found by the pseudonym of the number typed (never the number)
        where.append("patient_ref = ?")
        params.append(patient_ref)
    if status == "active":
        where.append("status != 'closed'")
    elif status:
        where.append("status = ?")
        params.append(status)
    if lead_worker:
        where.append("lead_worker = ?")
        params.append(lead_worker)
    return [_case_row(r) for r in db.query(
        f"SELECT * FROM cases WHERE {' AND '.join(where)} ORDER BY opened_at DESC LIMIT 500", params)]


def case(db: sqlite_utils.Database, case_id: str) -> dict | None:
    rows = list(db.query("SELECT * FROM cases WHERE case_id = ?", [case_id]))
    if not rows:
        return None
    found = _case_row(rows[0])
    found["note_index"] = list(db.query("SELECT note_id, author, contact_at, written_at, late, pending, "
                                        "countersigned_by FROM case_notes WHERE case_id = ? ORDER BY contact_at",
                                        [case_id]))
    for note in found["note_index"]:
        note["late"], note["pending"] = bool(note["late"]), bool(note["pending"])
    return found


def pending_countersignatures(db: sqlite_utils.Database, authors: list[str]) -> list[dict]:
    if not authors:
        return []
    return list(db.query(
        "SELECT n.note_id, n.case_id, n.author, n.written_at, c.unit_id FROM case_notes n JOIN cases c USING (case_id) "
        f"WHERE n.pending = 1 AND n.author IN ({','.join('?' * len(authors))}) ORDER BY n.written_at", authors))


def worklist(db: sqlite_utils.Database, unit_ids: list[str] | None, now: datetime, policy: CasePolicy,
             lead_worker: str | None = None) -> list[dict]:
    """What is due or overdue: assessments within N hours of intake, weekly notes on high-risk cases,
    countersignatures still pending."""
    items = []
    for row in cases(db, unit_ids, "active", lead_worker):
        opened = datetime.fromisoformat(row["opened_at"])
        if row["assessed_at"] is None:
            due = opened + timedelta(hours=policy.assessment_hours)
            items.append({"case_id": row["case_id"], "unit_id": row["unit_id"], "lead_worker": row["lead_worker"],
                          "patient_ref": row["patient_ref"], "item": "assessment", "due_at": iso(due),
                          "overdue": now > due})
        if row["risk"] == "high":
            since = datetime.fromisoformat(row["last_note_at"] or row["assessed_at"])
            due = since + timedelta(days=policy.high_risk_note_days)
            if now > due - timedelta(days=2):
                items.append({"case_id": row["case_id"], "unit_id": row["unit_id"],
                              "lead_worker": row["lead_worker"], "patient_ref": row["patient_ref"],
                              "item": "high_risk_note", "due_at": iso(due), "overdue": now > due})
        if row["pending_countersign"]:
            items.append({"case_id": row["case_id"], "unit_id": row["unit_id"], "lead_worker": row["lead_worker"],
                          "patient_ref": row["patient_ref"], "item": "countersignature", "due_at": None,
                          "overdue": False})
    return sorted(items, key=lambda i: (not i["overdue"], i["due_at"] or "9999"))


def report(db: sqlite_utils.Database, unit_ids: list[str] | None, first_day: str, last_day: str) -> dict:
    """Cases opened, active and closed per unit in a period, by intake source and by outcome; and
    sessions and person-times by mode (individual, group, community)."""
    where, params = ["opened_day BETWEEN ? AND ?"], [first_day, last_day]
    within_units(where, params, "unit_id", unit_ids)
    opened = list(db.query(f"SELECT unit_id, source, COUNT(*) AS cases FROM cases WHERE {' AND '.join(where)} "
                           "GROUP BY unit_id, source ORDER BY unit_id, source", params))
    where, params = ["closed_day BETWEEN ? AND ?"], [first_day, last_day]
    within_units(where, params, "unit_id", unit_ids)
    closed = list(db.query(f"SELECT unit_id, outcome, COUNT(*) AS cases FROM cases WHERE {' AND '.join(where)} "
                           "GROUP BY unit_id, outcome ORDER BY unit_id, outcome", params))
    where, params = ["opened_day <= ?", "(closed_day IS NULL OR closed_day > ?)"], [last_day, last_day]
    within_units(where, params, "unit_id", unit_ids)
    active = list(db.query(f"SELECT unit_id, COUNT(*) AS cases FROM cases WHERE {' AND '.join(where)} "
                           "GROUP BY unit_id ORDER BY unit_id", params))
    where, params = ["day BETWEEN ? AND ?"], [first_day, last_day]
    within_units(where, params, "unit_id", unit_ids)
    by_mode = list(db.query(
        f"SELECT mode, SUM(n) AS sessions, SUM(persons) AS person_times FROM ("
        f"SELECT mode, 1 AS n, persons FROM sessions WHERE {' AND '.join(where)} "
        f"UNION ALL SELECT kind AS mode, 1 AS n, persons FROM group_meetings WHERE {' AND '.join(where)}) "
        "GROUP BY mode ORDER BY mode", params + params))
    return {"from": first_day, "to": last_day, "opened": opened, "closed": closed, "active": active,
            "by_mode": by_mode}


def groups(db: sqlite_utils.Database, unit_ids: list[str] | None) -> list[dict]:
    where, params = ["ended = 0"], []
    within_units(where, params, "unit_id", unit_ids)
    return list(db.query(f"SELECT * FROM groups WHERE {' AND '.join(where)} ORDER BY title", params))
