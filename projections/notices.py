"""Notices: the outbox as people see it (who was told what, and did it go), and what is due."""

from __future__ import annotations

import sqlite3
from typing import Any

import msgspec
import sqlite_utils

from domain.notices import Notice
from projections.store import ReadModel, ident, iso, within_units

_JSON = msgspec.json.Encoder()


def create(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS notices (notice_id TEXT PRIMARY KEY, key TEXT UNIQUE, volunteer_id TEXT, "
               "kind TEXT, facts TEXT, state TEXT, attempts INTEGER, queued_at TEXT, next_at TEXT, sent_at TEXT, "
               "channel TEXT, problem TEXT)")
    db["notices"].create_index(["volunteer_id", "queued_at"], if_not_exists=True)
    # What the mailroom looks for every few seconds: a few rows among a city's millions of sent ones.
    db.execute("CREATE INDEX IF NOT EXISTS notices_open ON notices (next_at) WHERE state IN ('queued', 'retrying', "
               "'dispatching')")


notices = ReadModel("notices", create, tables=("notices",))


@notices.handles(Notice.Queued)
def queued(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("INSERT OR REPLACE INTO notices VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?, NULL, NULL, NULL)",
              (ident(e.originator_id), e.key, ident(e.volunteer_id), e.kind, _JSON.encode(e.facts).decode(),
               iso(e.at), iso(e.at)))


@notices.handles(Notice.Dispatching)
def dispatching(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE notices SET state = 'dispatching', attempts = ?, next_at = ? WHERE notice_id = ?",
              (e.attempt, iso(e.lease_until), ident(e.originator_id)))


@notices.handles(Notice.Sent)
def sent(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE notices SET state = 'sent', sent_at = ?, channel = ?, next_at = NULL, problem = NULL "
              "WHERE notice_id = ?", (iso(e.at), e.channel, ident(e.originator_id)))


@notices.handles(Notice.Failed)
def failed(c: sqlite3.Connection, e: Any, position: int) -> None:
    state = "retrying" if e.retry_at is not None else "undeliverable"
    c.execute("UPDATE notices SET state = ?, next_at = ?, problem = ? WHERE notice_id = ?",
              (state, iso(e.retry_at), e.problem, ident(e.originator_id)))


# --- queries -------------------------------------------------------------------------

def due(db: sqlite_utils.Database, now: str, limit: int = 100) -> list[str]:
    """Notices to try now: queued, due for a retry, or claimed by a node whose lease ran out."""
    return [row[0] for row in db.execute(
        "SELECT notice_id FROM notices WHERE state IN ('queued', 'retrying', 'dispatching') AND next_at <= ? "
        "ORDER BY next_at LIMIT ?", [now, limit])]


def listed(db: sqlite_utils.Database, unit_ids: list[str] | None, volunteer_id: str | None = None,
           state: str | None = None, limit: int = 200) -> list[dict]:
    """The newest notices first, with the volunteer's name, for the coordinator's outbox and a volunteer's own."""
    where, params = ["1 = 1"], []
    within_units(where, params, "v.unit_id", unit_ids)
    if volunteer_id is not None:
        where.append("n.volunteer_id = ?")
        params.append(volunteer_id)
    if state is not None:
        where.append("n.state = ?")
        params.append(state)
    rows = db.query(
        "SELECT n.notice_id AS id, n.volunteer_id, COALESCE(v.name, '') AS name, n.kind, n.facts, n.state, "
        "n.attempts, n.queued_at, n.sent_at, n.channel, n.problem FROM notices n "
        f"LEFT JOIN volunteers v USING (volunteer_id) WHERE {' AND '.join(where)} "
        "ORDER BY n.queued_at DESC LIMIT ?", [*params, limit])
    return [row | {"facts": msgspec.json.decode(row["facts"])} for row in rows]


def reminders_missing(db: sqlite_utils.Database, now: str, until: str) -> list[dict]:
    """Signed-up volunteers of shifts starting in (now, until] not yet reminded of that start."""
    return list(db.query(
        "SELECT s.shift_id, s.volunteer_id, sh.post, sh.starts_at, sh.ends_at, COALESCE(u.name, '') AS unit "
        "FROM shifts sh JOIN seats s USING (shift_id) LEFT JOIN units u ON u.unit_id = sh.unit_id "
        "WHERE sh.starts_at > ? AND sh.starts_at <= ? AND sh.cancelled = 0 AND s.state = 'signed_up' "
        "AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.key = "
        "'shift_reminder:' || s.shift_id || ':' || s.volunteer_id || ':' || sh.starts_at)", [now, until]))


def expiries_missing(db: sqlite_utils.Database, today: str, until: str) -> list[dict]:
    """Qualifications and credentials of active volunteers running out in [today, until], not yet told."""
    return list(db.query(
        "SELECT h.volunteer_id, h.kind, h.valid_until FROM holdings h JOIN volunteers v USING (volunteer_id) "
        "WHERE h.valid_until BETWEEN ? AND ? AND v.status = 'active' AND NOT EXISTS (SELECT 1 FROM notices n "
        "WHERE n.key = 'qualification_expiring:' || h.volunteer_id || ':' || h.kind || ':' || h.valid_until)",
        [today, until]))
