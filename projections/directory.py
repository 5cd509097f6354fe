"""Directory: units with their posts, and volunteers with their status — the names other views show."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

import sqlite_utils

from domain.accounts import Account
from domain.personal import ERASED
from domain.units import Unit
from domain.invitations import Invitation
from domain.volunteers import Volunteer
from projections.store import ReadModel, ident, iso, within_units


def create(db: sqlite_utils.Database) -> None:
    db["units"].create({"unit_id": str, "name": str, "district": str}, pk="unit_id", if_not_exists=True)
    db["posts"].create({"unit_id": str, "post": str, "requires": str}, pk=("unit_id", "post"), if_not_exists=True)
    db["volunteers"].create(
        {"volunteer_id": str, "name": str, "phone": str, "unit_id": str, "status": str,
         "languages": str, "skills": str, "registered_at": str},
        pk="volunteer_id", if_not_exists=True,
    )
    db["volunteers"].create_index(["unit_id", "status"], if_not_exists=True)
    # a roster's candidates, in order, read from the index alone (not a row of the table each)
    db["volunteers"].create_index(["unit_id", "status", "name", "volunteer_id"], if_not_exists=True)
    db.execute("DROP INDEX IF EXISTS idx_volunteers_unit_id_status_name")  # its narrower forerunner
    # Who works here and who supervises whom; never a password hash.
    db["staff"].create({"account_id": str, "username": str, "role": str, "unit_ids": str, "supervisor_id": str,
                        "intern": int, "disabled": int}, pk="account_id", if_not_exists=True)
    db["staff"].create_index(["supervisor_id"], if_not_exists=True)
    # A volunteer's own login, and the invitations to set one up (never a code: its digest is the id)
    db["logins"].create({"volunteer_id": str, "account_id": str, "username": str}, pk="volunteer_id",
                        if_not_exists=True)
    db["invitations"].create({"invitation_id": str, "volunteer_id": str, "expires_at": str, "accepted": int},
                             pk="invitation_id", if_not_exists=True)
    db["invitations"].create_index(["volunteer_id"], if_not_exists=True)


directory = ReadModel("directory", create, version=4,
                      tables=("units", "posts", "volunteers", "staff", "logins", "invitations"))


@directory.handles(Unit.Registered)
def unit_registered(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("INSERT OR REPLACE INTO units VALUES (?, ?, ?)", (ident(e.originator_id), e.name, e.district))


@directory.handles(Unit.PostDefined)
def post_defined(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("INSERT OR REPLACE INTO posts VALUES (?, ?, ?)",
              (ident(e.originator_id), e.post, json.dumps(sorted(e.requires))))


def masked(phone: str) -> str:
    """A phone number as lists show it (139****5678): enough to tell people apart and to find
    them by the last digits; the whole number stays in the (encrypted) log, shown on a profile."""
    if phone == ERASED:
        return ""
    keep_front = 3 if len(phone) >= 10 else 0
    return phone[:keep_front] + "*" * max(0, len(phone) - keep_front - 4) + phone[-4:]


@directory.handles(Volunteer.Registered)
def volunteer_registered(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute(
        "INSERT OR REPLACE INTO volunteers VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)",
        (ident(e.originator_id), e.name, masked(e.phone), ident(e.unit_id), json.dumps(e.languages),
         json.dumps(e.skills), e.timestamp.isoformat()),
    )


_STATUS = {Volunteer.Approved: "active", Volunteer.Suspended: "suspended",
           Volunteer.Reinstated: "active", Volunteer.Retired: "retired"}


@directory.handles(*_STATUS)
def status_changed(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE volunteers SET status = ? WHERE volunteer_id = ?", (_STATUS[type(e)], ident(e.originator_id)))


@directory.handles(Volunteer.Forgotten)
def forgotten(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE volunteers SET name = ?, phone = '' WHERE volunteer_id = ?", (ERASED, ident(e.originator_id)))


@directory.handles(Volunteer.ProfileUpdated)
def profile_updated(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE volunteers SET phone = ?, languages = ?, skills = ? WHERE volunteer_id = ?",
              (masked(e.phone), json.dumps(e.languages), json.dumps(e.skills), ident(e.originator_id)))


@directory.handles(Account.Opened)
def account_opened(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("INSERT OR REPLACE INTO staff VALUES (?, ?, ?, ?, NULL, 0, 0)",
              (ident(e.originator_id), e.username, e.role, json.dumps([str(u) for u in e.unit_ids])))
    if e.volunteer_id is not None:
        c.execute("INSERT OR REPLACE INTO logins VALUES (?, ?, ?)",
                  (ident(e.volunteer_id), ident(e.originator_id), e.username))


@directory.handles(Invitation.Issued)
def invitation_issued(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("INSERT OR REPLACE INTO invitations VALUES (?, ?, ?, 0)",
              (ident(e.originator_id), ident(e.volunteer_id), iso(e.expires_at)))


@directory.handles(Invitation.Accepted)
def invitation_accepted(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE invitations SET accepted = 1 WHERE invitation_id = ?", (ident(e.originator_id),))


@directory.handles(Account.SupervisionAssigned)
def supervision_assigned(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE staff SET supervisor_id = ?, intern = ? WHERE account_id = ?",
              (ident(e.supervisor_id), int(e.intern), ident(e.originator_id)))


@directory.handles(Account.Disabled)
def account_disabled(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE staff SET disabled = 1 WHERE account_id = ?", (ident(e.originator_id),))


@directory.handles(Account.Enabled)
def account_enabled(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE staff SET disabled = 0 WHERE account_id = ?", (ident(e.originator_id),))


@directory.handles(Account.UnitsAssigned)
def units_assigned(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE staff SET unit_ids = ? WHERE account_id = ?",
              (json.dumps([str(u) for u in e.unit_ids]), ident(e.originator_id)))


# --- queries -------------------------------------------------------------------------

def login_of(db: sqlite_utils.Database, volunteer_id: str) -> dict | None:
    """The volunteer's own login, if they have one: its username."""
    rows = list(db.query("SELECT account_id, username FROM logins WHERE volunteer_id = ?", [volunteer_id]))
    return rows[0] if rows else None


def invitations_open(db: sqlite_utils.Database, volunteer_id: str, now: str) -> list[dict]:
    return list(db.query("SELECT invitation_id, expires_at FROM invitations WHERE volunteer_id = ? AND accepted = 0 "
                         "AND expires_at > ? ORDER BY expires_at", [volunteer_id, now]))


def accounts(db: sqlite_utils.Database) -> list[dict]:
    """Every account, by role then name, with its units and whether it is disabled."""
    rows = list(db.query("SELECT account_id AS id, username, role, unit_ids, supervisor_id, intern, disabled "
                         "FROM staff ORDER BY role, username"))
    for row in rows:
        row["unit_ids"] = json.loads(row["unit_ids"] or "[]")
        row["disabled"], row["intern"] = bool(row["disabled"]), bool(row["intern"])
    return rows


def posts_with_requirements(db: sqlite_utils.Database, unit_id: str) -> list[dict]:
    return [{"post": r["post"], "requires": json.loads(r["requires"] or "[]")}
            for r in db.query("SELECT post, requires FROM posts WHERE unit_id = ? ORDER BY post", [unit_id])]


def units(db: sqlite_utils.Database) -> list[dict]:
    return list(db.query("SELECT unit_id AS id, name, district FROM units ORDER BY name"))


def unit_names(db: sqlite_utils.Database, unit_ids: Iterable[str]) -> dict[str, str]:
    """The names of these units only (a phone's page names a few of a city's 170)."""
    wanted = list(dict.fromkeys(unit_ids))
    if not wanted:
        return {}
    return {r["unit_id"]: r["name"] for r in db.query(
        f"SELECT unit_id, name FROM units WHERE unit_id IN ({','.join('?' * len(wanted))})", wanted)}


def volunteers(db: sqlite_utils.Database, unit_ids: list[str] | None = None, status: str | None = None,
               q: str | None = None, limit: int = 200, offset: int = 0) -> list[dict]:
    where, params = ["1=1"], []
    within_units(where, params, "unit_id", unit_ids)
    if status:
        where.append("status = ?")
        params.append(status)
    if q:
        digits = "".join(ch for ch in q if ch.isdigit())
        if len(digits) >= 4:  # a phone number, or its end: lists hold only the last four digits
            where.append("(name LIKE ? OR phone LIKE ?)")
            params += [f"%{q}%", f"%{digits[-4:]}"]
        else:
            where.append("name LIKE ?")
            params.append(f"%{q}%")
    sql = (f"SELECT volunteer_id AS id, name, phone, unit_id, status, languages, skills FROM volunteers "
           f"WHERE {' AND '.join(where)} ORDER BY name LIMIT ? OFFSET ?")
    rows = list(db.query(sql, [*params, limit, offset]))
    for row in rows:
        row["languages"], row["skills"] = json.loads(row["languages"]), json.loads(row["skills"])
    return rows


def active_names(db: sqlite_utils.Database, unit_id: str, limit: int = 1000) -> list[dict]:
    """A unit's active volunteers by name, id and name only: whom a roster may sign up."""
    return list(db.query("SELECT volunteer_id AS id, name FROM volunteers WHERE unit_id = ? AND status = 'active' "
                         "ORDER BY name LIMIT ?", [unit_id, limit]))


def volunteer(db: sqlite_utils.Database, volunteer_id: str) -> dict | None:
    rows = list(db.query("SELECT volunteer_id AS id, name, phone, unit_id, status, languages, skills FROM volunteers "
                         "WHERE volunteer_id = ?", [volunteer_id]))
    if not rows:
        return None
    row = rows[0]
    row["languages"], row["skills"] = json.loads(row["languages"]), json.loads(row["skills"])
    return row


def posts(db: sqlite_utils.Database, unit_id: str) -> list[str]:
    return [r["post"] for r in db.query("SELECT post FROM posts WHERE unit_id = ? ORDER BY post", [unit_id])]


def supervisees(db: sqlite_utils.Database, supervisor_id: str) -> list[dict]:
    return list(db.query("SELECT account_id, username, intern FROM staff WHERE supervisor_id = ? AND disabled = 0 "
                         "ORDER BY username", [supervisor_id]))


def social_workers(db: sqlite_utils.Database, unit_id: str) -> list[dict]:
    return [r for r in db.query("SELECT account_id, username, unit_ids FROM staff WHERE role = 'social_worker' "
                                "AND disabled = 0 ORDER BY username") if unit_id in json.loads(r["unit_ids"])]
