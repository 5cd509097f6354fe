"""Roster: each shift with its seats and their state; fill rate by unit, post and day; who's missing."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from domain import bounds
from domain.shifts import Shift
from projections.store import ReadModel, ident, iso, within_units


# Shifts a volunteer may still take (False) or wait for (True); the same words in the query and
# in its partial index, so that SQLite sees the index answers it. Changing them needs a new index
# name (or the model's version): IF NOT EXISTS keeps an old index, and a rebuild copies it.
_TO_COME = {False: "cancelled = 0 AND filled < capacity", True: "cancelled = 0 AND filled >= capacity"}


def create(db: sqlite_utils.Database) -> None:
    db["shifts"].create(
        {"shift_id": str, "unit_id": str, "post": str, "starts_at": str, "ends_at": str, "day": str,
         "capacity": int, "filled": int, "trainees": int, "cancelled": int, "series_id": str, "requires": str,
         # how many times it was changed, and when last: a calendar's SEQUENCE and LAST-MODIFIED
         "revision": int, "changed_at": str},
        pk="shift_id", if_not_exists=True,
    )
    db["shifts"].create_index(["unit_id", "starts_at"], if_not_exists=True)
    db["shifts"].create_index(["starts_at"], if_not_exists=True)
    db["shifts"].create_index(["day"], if_not_exists=True)
    # A phone's open shifts and full ones (to_come): once next weeks fill, the start index alone
    # read every full shift of the city's three weeks to find no open one
    db.execute(f"CREATE INDEX IF NOT EXISTS shifts_open ON shifts (starts_at) WHERE {_TO_COME[False]}")
    db.execute(f"CREATE INDEX IF NOT EXISTS shifts_full ON shifts (starts_at) WHERE {_TO_COME[True]}")
    # Clustered by (shift, volunteer): every event finds its seat in one B-tree, not an index then a row.
    db.execute(
        "CREATE TABLE IF NOT EXISTS seats (shift_id TEXT NOT NULL, volunteer_id TEXT NOT NULL, state TEXT, "
        "trainee INTEGER, checked_in_at TEXT, checked_in_via TEXT, check_in_position INTEGER, checked_out_at TEXT, "
        "minutes INTEGER, outcome TEXT, changed_at TEXT, revision INTEGER NOT NULL DEFAULT 0, "
        "PRIMARY KEY (shift_id, volunteer_id)) WITHOUT ROWID"
    )
    db["seats"].create_index(["volunteer_id"], if_not_exists=True)
    db["seats"].create_index(["checked_in_at"], if_not_exists=True)
    # Who is checked in right now: a handful of rows among millions (the forgotten check-out sweep)
    db.execute("CREATE INDEX IF NOT EXISTS seats_checked_in ON seats (shift_id) WHERE state = 'checked_in'")


roster = ReadModel("roster", create, version=4, tables=("shifts", "seats"),
                   indexes_only_for_queries=("shifts", "seats"))


def _recount(c: sqlite3.Connection, shift_id: str) -> None:
    c.execute(
        "UPDATE shifts SET "
        "filled = (SELECT COUNT(*) FROM seats WHERE shift_id = ?1 AND trainee = 0 AND state != 'withdrawn'), "
        "trainees = (SELECT COUNT(*) FROM seats WHERE shift_id = ?1 AND trainee = 1 AND state != 'withdrawn') "
        "WHERE shift_id = ?1",
        (shift_id,),
    )


@roster.handles(Shift.Scheduled)
def scheduled(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute(
        "INSERT OR REPLACE INTO shifts VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?, 0, ?)",
        (ident(e.originator_id), ident(e.unit_id), e.post, iso(e.starts_at), iso(e.ends_at),
         e.starts_at.date().isoformat(), e.capacity, ident(e.series_id), json.dumps(sorted(e.requires)),
         iso(e.timestamp)),
    )


@roster.handles(Shift.Rescheduled)
def rescheduled(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE shifts SET starts_at = ?, ends_at = ?, day = ?, capacity = ?, revision = revision + 1, "
              "changed_at = ? WHERE shift_id = ?",
              (iso(e.starts_at), iso(e.ends_at), e.starts_at.date().isoformat(), e.capacity, iso(e.timestamp),
               ident(e.originator_id)))


@roster.handles(Shift.SignedUp)
def signed_up(c: sqlite3.Connection, e: Any, position: int) -> None:
    shift_id = ident(e.originator_id)
    # Signing up again after withdrawing is a change a calendar must see: the seat's revision
    # goes on counting (SEQUENCE never goes back, RFC 5545 §3.8.7.4).
    c.execute("INSERT INTO seats (shift_id, volunteer_id, state, trainee, minutes, changed_at) "
              "VALUES (?, ?, 'signed_up', ?, 0, ?) ON CONFLICT (shift_id, volunteer_id) DO UPDATE SET "
              "state = 'signed_up', trainee = excluded.trainee, minutes = 0, checked_in_at = NULL, "
              "checked_in_via = NULL, check_in_position = NULL, checked_out_at = NULL, outcome = NULL, "
              "revision = seats.revision + 1, changed_at = excluded.changed_at",
              (shift_id, ident(e.volunteer_id), int(e.trainee), iso(e.timestamp)))
    # A sign-up adds one place taken (or one trainee): the seat it may replace was withdrawn, so
    # not counted. Counting the seats again each time cost more than the rest of the roster.
    c.execute("UPDATE shifts SET filled = filled + ?, trainees = trainees + ? WHERE shift_id = ?",
              (0 if e.trainee else 1, 1 if e.trainee else 0, shift_id))


@roster.handles(Shift.Withdrawn)
def withdrawn(c: sqlite3.Connection, e: Any, position: int) -> None:
    shift_id = ident(e.originator_id)
    c.execute("UPDATE seats SET state = 'withdrawn', outcome = ?, changed_at = ?, revision = revision + 1 "
              "WHERE shift_id = ? AND volunteer_id = ?",
              (e.outcome, iso(e.timestamp), shift_id, ident(e.volunteer_id)))
    _recount(c, shift_id)


@roster.handles(Shift.CheckedIn)
def checked_in(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE seats SET state = 'checked_in', checked_in_at = ?, checked_in_via = ?, check_in_position = ? "
              "WHERE shift_id = ? AND volunteer_id = ?",
              (iso(e.at), e.via, position, ident(e.originator_id), ident(e.volunteer_id)))


@roster.handles(Shift.CheckedOut, Shift.CheckedOutAutomatically)
def checked_out(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE seats SET state = 'checked_out', checked_out_at = ?, minutes = ?, outcome = 'served' "
              "WHERE shift_id = ? AND volunteer_id = ?",
              (iso(e.at), e.minutes, ident(e.originator_id), ident(e.volunteer_id)))


@roster.handles(Shift.MarkedNoShow)
def marked_no_show(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE seats SET state = 'no_show', outcome = 'no_show' WHERE shift_id = ? AND volunteer_id = ?",
              (ident(e.originator_id), ident(e.volunteer_id)))


@roster.handles(Shift.HoursCorrected, Shift.AutoCheckOutCorrected)
def hours_corrected(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE seats SET minutes = ?, outcome = 'served' WHERE shift_id = ? AND volunteer_id = ?",
              (e.minutes, ident(e.originator_id), ident(e.volunteer_id)))


@roster.handles(Shift.Cancelled)
def cancelled(c: sqlite3.Connection, e: Any, position: int) -> None:
    shift_id = ident(e.originator_id)
    c.execute("UPDATE shifts SET cancelled = 1, revision = revision + 1, changed_at = ? WHERE shift_id = ?",
              (iso(e.timestamp), shift_id))
    c.execute("UPDATE seats SET state = 'withdrawn', outcome = 'cancelled_in_time', changed_at = ? "
              "WHERE shift_id = ? AND state = 'signed_up'", (iso(e.timestamp), shift_id))
    _recount(c, shift_id)


# --- queries -------------------------------------------------------------------------

LONGEST_SHIFT = timedelta(minutes=bounds.DAY_MINUTES)  # domain/shifts.py refuses a longer one


def under_way(where: list[str], params: list, first: datetime, last: datetime, table: str = "sh") -> None:
    """Shifts overlapping [first, last). Their start is bounded on both sides, so that the
    (unit, start) and start indexes read the days around, not every shift since the first."""
    where += [f"{table}.starts_at > ?", f"{table}.starts_at < ?", f"{table}.ends_at > ?"]
    params += [iso(first - LONGEST_SHIFT), iso(last), iso(first)]


_SHIFT_COLUMNS = ("shift_id AS id, unit_id, post, starts_at, ends_at, day, capacity, filled, trainees, "
                  "cancelled, series_id, requires")


def _shift_row(row: dict) -> dict:
    row["cancelled"] = bool(row["cancelled"])
    row["requires"] = json.loads(row["requires"])
    return row


def shifts(db: sqlite_utils.Database, unit_ids: list[str] | None, starts_from: datetime | None,
           starts_before: datetime | None, limit: int = 500) -> list[dict]:
    where, params = ["1=1"], []
    within_units(where, params, "unit_id", unit_ids)
    if starts_from is not None:
        where.append("starts_at >= ?")
        params.append(iso(starts_from))
    if starts_before is not None:
        where.append("starts_at < ?")
        params.append(iso(starts_before))
    sql = f"SELECT {_SHIFT_COLUMNS} FROM shifts WHERE {' AND '.join(where)} ORDER BY starts_at LIMIT ?"
    return [_shift_row(r) for r in db.query(sql, [*params, limit])]


def to_come(db: sqlite_utils.Database, starts_from: datetime, starts_before: datetime, full: bool) -> Iterator[dict]:
    """Shifts not cancelled starting in a window, in order, with a free place (or, `full`, none),
    read only as far as the caller goes (a phone's home shows the first few a volunteer may take
    of a whole city's weeks)."""
    rows = db.query(f"SELECT {_SHIFT_COLUMNS} FROM shifts WHERE starts_at >= ? AND starts_at < ? AND {_TO_COME[full]} "
                    "ORDER BY starts_at", [iso(starts_from), iso(starts_before)])
    return (_shift_row(r) for r in rows)


def series_of(db: sqlite_utils.Database, series_id: str) -> list[dict]:
    """Every occurrence of a weekly series, in order."""
    return [_shift_row(r) for r in db.query(f"SELECT {_SHIFT_COLUMNS} FROM shifts WHERE series_id = ? "
                                            "ORDER BY starts_at", [series_id])]


def shift(db: sqlite_utils.Database, shift_id: str) -> dict | None:
    rows = [_shift_row(r) for r in db.query(f"SELECT {_SHIFT_COLUMNS} FROM shifts WHERE shift_id = ?", [shift_id])]
    if not rows:
        return None
    found = rows[0]
    found["roster"] = list(db.query(
        "SELECT s.volunteer_id, COALESCE(v.name, '') AS name, s.state, s.trainee, s.checked_in_at, "
        "s.checked_in_via, s.checked_out_at, s.minutes, s.outcome FROM seats s LEFT JOIN volunteers v USING (volunteer_id) "
        "WHERE s.shift_id = ? AND s.state != 'withdrawn' ORDER BY name", [shift_id]))
    for seat in found["roster"]:
        seat["trainee"] = bool(seat["trainee"])
    return found


def fill_rates(db: sqlite_utils.Database, unit_ids: list[str] | None, first_day: str, last_day: str,
               by: str = "unit") -> list[dict]:
    """Places filled over places offered, for shifts not cancelled, by unit, post or day."""
    keys = {"unit": "unit_id", "post": "unit_id || ' / ' || post", "day": "day"}
    where, params = ["cancelled = 0", "day BETWEEN ? AND ?"], [first_day, last_day]
    within_units(where, params, "unit_id", unit_ids)
    sql = (f"SELECT {keys[by]} AS key, SUM(filled) AS filled, SUM(capacity) AS capacity, COUNT(*) AS shifts "
           f"FROM shifts WHERE {' AND '.join(where)} GROUP BY key ORDER BY key")
    rows = list(db.query(sql, params))
    for row in rows:
        row["fill_rate"] = round(row["filled"] / row["capacity"], 4) if row["capacity"] else 0.0
    return rows


def missing(db: sqlite_utils.Database, now: datetime, unit_ids: list[str] | None = None) -> list[dict]:
    """Who's missing: signed up for a shift that has started and not ended, and not checked in."""
    where, params = ["sh.starts_at <= ?", "sh.cancelled = 0", "s.state = 'signed_up'"], [iso(now)]
    under_way(where, params, now, now + timedelta(microseconds=1))
    within_units(where, params, "sh.unit_id", unit_ids)
    return list(db.query(
        "SELECT sh.shift_id, sh.unit_id, sh.post, sh.starts_at, sh.ends_at, s.volunteer_id, "
        "COALESCE(v.name, '') AS name, COALESCE(v.phone, '') AS phone "
        "FROM shifts sh JOIN seats s USING (shift_id) LEFT JOIN volunteers v USING (volunteer_id) "
        f"WHERE {' AND '.join(where)} ORDER BY sh.starts_at, name", params))


def names(db: sqlite_utils.Database, volunteer_ids: list[str]) -> dict[str, str]:
    if not volunteer_ids:
        return {}
    rows = db.query(f"SELECT volunteer_id, name FROM volunteers WHERE volunteer_id IN "
                    f"({','.join('?' * len(volunteer_ids))})", volunteer_ids)
    return {r["volunteer_id"]: r["name"] for r in rows}


def seats_of(db: sqlite_utils.Database, volunteer_id: str, ending_after: datetime) -> list[dict]:
    """A volunteer's own seats on shifts that end after a moment: what is coming and what is on now."""
    return list(db.query(
        "SELECT sh.shift_id, sh.unit_id, sh.post, sh.starts_at, sh.ends_at, sh.day, sh.cancelled, s.state, s.trainee, "
        "s.checked_in_at FROM seats s JOIN shifts sh USING (shift_id) WHERE s.volunteer_id = ? AND sh.ends_at > ? "
        "AND s.state != 'withdrawn' ORDER BY sh.starts_at", [volunteer_id, iso(ending_after)]))


def on_the_day(db: sqlite_utils.Database, first: datetime, last: datetime) -> tuple[list[str], list[str]]:
    """The shifts under way or starting between two moments, and the volunteers signed up or on duty
    on them: what the kiosks will touch next."""
    where, params = ["sh.cancelled = 0"], []
    under_way(where, params, first, last)
    rows = db.execute(
        "SELECT sh.shift_id, s.volunteer_id FROM shifts sh LEFT JOIN seats s ON s.shift_id = sh.shift_id "
        f"AND s.state IN ('signed_up', 'checked_in') WHERE {' AND '.join(where)}", params).fetchall()
    return sorted({shift for shift, _ in rows}), sorted({v for _, v in rows if v is not None})


def on_duty(db: sqlite_utils.Database, unit_ids: list[str] | None, now: datetime) -> list[dict]:
    """Who is on duty now (checked in, shift not over), soonest ending first; and today's sign-ups."""
    where, params = ["s.state = 'checked_in'"], []
    under_way(where, params, now - timedelta(hours=2), now + LONGEST_SHIFT)
    within_units(where, params, "sh.unit_id", unit_ids)
    return list(db.query(
        "SELECT sh.shift_id, sh.post, sh.starts_at, sh.ends_at, s.volunteer_id, COALESCE(v.name, '') AS name, "
        "s.checked_in_at FROM seats s JOIN shifts sh USING (shift_id) LEFT JOIN volunteers v USING (volunteer_id) "
        f"WHERE {' AND '.join(where)} ORDER BY sh.ends_at, name", params))


def desk_today(db: sqlite_utils.Database, unit_ids: list[str] | None, first: datetime, last: datetime) -> list[dict]:
    """Everyone signed up or on duty at these units' shifts under way between two moments (the kiosk's list),
    with their phone as lists show it (its last four digits find a person at the desk)."""
    where, params = ["s.state IN ('signed_up', 'checked_in')", "sh.cancelled = 0"], []
    under_way(where, params, first, last)
    within_units(where, params, "sh.unit_id", unit_ids)
    return list(db.query(
        "SELECT sh.shift_id, sh.unit_id, sh.post, sh.starts_at, sh.ends_at, s.volunteer_id, s.state, "
        "COALESCE(v.name, '') AS name, COALESCE(v.phone, '') AS phone FROM seats s JOIN shifts sh USING (shift_id) "
        f"LEFT JOIN volunteers v USING (volunteer_id) WHERE {' AND '.join(where)} ORDER BY name, sh.starts_at", params))


def seat_rows(db: sqlite_utils.Database, unit_ids: list[str] | None, first_day: str, last_day: str) -> list[dict]:
    """The rosters of the days given, one row a seat (withdrawals left out): for exports."""
    where, params = ["sh.day BETWEEN ? AND ?", "s.state != 'withdrawn'"], [first_day, last_day]
    within_units(where, params, "sh.unit_id", unit_ids)
    return list(db.query(
        "SELECT sh.day, sh.starts_at, sh.ends_at, COALESCE(u.name, sh.unit_id) AS unit, sh.post, sh.cancelled, "
        "s.volunteer_id, COALESCE(v.name, '') AS name, s.state, s.trainee, s.checked_in_at, s.checked_out_at, "
        "s.minutes FROM shifts sh JOIN seats s USING (shift_id) LEFT JOIN volunteers v USING (volunteer_id) "
        f"LEFT JOIN units u ON u.unit_id = sh.unit_id WHERE {' AND '.join(where)} "
        "ORDER BY sh.starts_at, sh.post, name", params))


def calendar_of(db: sqlite_utils.Database, volunteer_id: str, first: datetime, last: datetime) -> list[dict]:
    """A volunteer's seats on shifts between two moments, withdrawn and cancelled ones included
    (a calendar must show them as cancelled, not drop them)."""
    return list(db.query(
        "SELECT sh.shift_id, sh.unit_id, COALESCE(u.name, sh.unit_id) AS unit, sh.post, sh.starts_at, sh.ends_at, "
        "sh.cancelled, s.state, s.trainee, sh.revision + s.revision AS revision, "
        "max(sh.changed_at, COALESCE(s.changed_at, '')) AS changed_at FROM seats s JOIN shifts sh USING (shift_id) "
        "LEFT JOIN units u ON u.unit_id = sh.unit_id WHERE s.volunteer_id = ? AND sh.ends_at > ? AND sh.starts_at < ? "
        "ORDER BY sh.starts_at", [volunteer_id, iso(first), iso(last)]))


def calendar_of_unit(db: sqlite_utils.Database, unit_id: str, first: datetime, last: datetime) -> list[dict]:
    """A unit's shifts between two moments, cancelled ones included, with how full each is."""
    where, params = ["sh.unit_id = ?"], [unit_id]
    under_way(where, params, first, last)
    return list(db.query(
        "SELECT shift_id, unit_id, post, starts_at, ends_at, cancelled, filled, capacity, revision, changed_at "
        f"FROM shifts sh WHERE {' AND '.join(where)} ORDER BY starts_at LIMIT 20000", params))
