"""Hours: every seat's outcome and credited minutes — each volunteer's service record (志愿服务记录)."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from functools import cache
from typing import Any

import msgspec

import sqlite_utils

from domain.requests import SIGN_LANGUAGE, ServiceRequest
from domain.shifts import Shift
from projections.store import ReadModel, ident, iso, within_units


def create(db: sqlite_utils.Database) -> None:
    db["hours_shifts"].create(
        {"shift_id": str, "unit_id": str, "post": str, "starts_at": str, "ends_at": str, "day": str},
        pk="shift_id", if_not_exists=True,
    )
    db.execute(
        "CREATE TABLE IF NOT EXISTS service_records (shift_id TEXT NOT NULL, volunteer_id TEXT NOT NULL, "
        "trainee INTEGER, unit_id TEXT, post TEXT, day TEXT, starts_at TEXT, ends_at TEXT, checked_in_at TEXT, "
        "checked_out_at TEXT, minutes INTEGER, served TEXT, outcome TEXT, PRIMARY KEY (shift_id, volunteer_id)) "
        "WITHOUT ROWID"
    )
    db["service_records"].create_index(["volunteer_id", "day"], if_not_exists=True)
    db["service_records"].create_index(["unit_id", "day"], if_not_exists=True)
    db["service_records"].create_index(["day"], if_not_exists=True)  # the national record's round: recent days
    # Each volunteer's certified minutes in all (what a star level follows), kept as records change;
    # a file made before it had this table has it filled from the records it holds.
    new = "service_totals" not in db.table_names()
    db.execute("CREATE TABLE IF NOT EXISTS service_totals (volunteer_id TEXT PRIMARY KEY, minutes INTEGER NOT NULL) "
               "WITHOUT ROWID")
    db["service_totals"].create_index(["minutes"], if_not_exists=True)
    if new:
        db.execute("INSERT INTO service_totals SELECT volunteer_id, SUM(minutes) FROM service_records "
                   "WHERE outcome = 'served' GROUP BY volunteer_id")
    # And each unit's certified minutes by day (the dashboard's hours and their value), clustered by day.
    new = "minutes_daily" not in db.table_names()
    db.execute("CREATE TABLE IF NOT EXISTS minutes_daily (day TEXT NOT NULL, unit_id TEXT NOT NULL, "
               "minutes INTEGER NOT NULL, PRIMARY KEY (day, unit_id)) WITHOUT ROWID")
    if new:
        db.execute("INSERT INTO minutes_daily SELECT day, unit_id, SUM(minutes) FROM service_records "
                   "WHERE outcome = 'served' AND day IS NOT NULL GROUP BY day, unit_id")


_JSON = msgspec.json.Encoder()
INTERPRETING = "Sign-language interpreting"  # the post shown for an interpreting record
ON_REQUEST = "On a ward's request"  # the post shown for another service asked for by a ward

hours = ReadModel("hours", create, version=2, tables=("hours_shifts", "service_records", "service_totals",
                                                    "minutes_daily"),
                  indexes_only_for_queries=("service_records",))


@hours.handles(Shift.Scheduled, Shift.Rescheduled)
def shift_times(c: sqlite3.Connection, e: Any, position: int) -> None:
    shift_id, day = ident(e.originator_id), e.starts_at.date().isoformat()
    if isinstance(e, Shift.Scheduled):
        c.execute("INSERT OR REPLACE INTO hours_shifts VALUES (?, ?, ?, ?, ?, ?)",
                  (shift_id, ident(e.unit_id), e.post, iso(e.starts_at), iso(e.ends_at), day))
    else:
        c.execute("UPDATE hours_shifts SET starts_at = ?, ends_at = ?, day = ? WHERE shift_id = ?",
                  (iso(e.starts_at), iso(e.ends_at), day, shift_id))
        c.execute("UPDATE service_records SET starts_at = ?, ends_at = ?, day = ? WHERE shift_id = ?",
                  (iso(e.starts_at), iso(e.ends_at), day, shift_id))


@hours.handles(Shift.SignedUp)
def signed_up(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute(
        "INSERT OR REPLACE INTO service_records (shift_id, volunteer_id, trainee, unit_id, post, day, starts_at, "
        "ends_at, minutes, served) SELECT shift_id, ?, ?, unit_id, post, day, starts_at, ends_at, 0, '{}' "
        "FROM hours_shifts WHERE shift_id = ?",
        (ident(e.volunteer_id), int(e.trainee), ident(e.originator_id)),
    )


def _settle(c: sqlite3.Connection, e: Any, **values: Any) -> None:
    c.execute(_settling(tuple(values)), (*values.values(), ident(e.originator_id), ident(e.volunteer_id)))


def _credit(c: sqlite3.Connection, record_id: str, volunteer_id: str, minutes: int, unit_id: str | None = None,
            day: str | None = None) -> None:
    """The volunteer's total, and their unit's day, move by what this record now credits beyond what it
    did (asked before the record changes; a record not made yet names its unit and day)."""
    was = c.execute("SELECT minutes, outcome, unit_id, day FROM service_records WHERE shift_id = ? AND "
                    "volunteer_id = ?", (record_id, volunteer_id)).fetchone()
    change = minutes - (was[0] or 0 if was is not None and was[1] == "served" else 0)
    if change:
        c.execute("INSERT INTO service_totals VALUES (?, ?) ON CONFLICT (volunteer_id) DO UPDATE "
                  "SET minutes = minutes + excluded.minutes", (volunteer_id, change))
        unit_id, day = (was[2], was[3]) if was is not None else (unit_id, day)
        if unit_id is not None and day is not None:
            c.execute("INSERT INTO minutes_daily VALUES (?, ?, ?) ON CONFLICT (day, unit_id) DO UPDATE "
                      "SET minutes = minutes + excluded.minutes", (day, unit_id, change))


@cache
def _settling(columns: tuple[str, ...]) -> str:
    assignments = ", ".join(f"{column} = ?" for column in columns)
    return f"UPDATE service_records SET {assignments} WHERE shift_id = ? AND volunteer_id = ?"


@hours.handles(Shift.Withdrawn)
def withdrawn(c: sqlite3.Connection, e: Any, position: int) -> None:
    _settle(c, e, outcome=e.outcome)


@hours.handles(Shift.CheckedIn)
def checked_in(c: sqlite3.Connection, e: Any, position: int) -> None:
    _settle(c, e, checked_in_at=iso(e.at))


@hours.handles(Shift.CheckedOut)
def checked_out(c: sqlite3.Connection, e: Any, position: int) -> None:
    _credit(c, ident(e.originator_id), ident(e.volunteer_id), e.minutes)
    _settle(c, e, checked_out_at=iso(e.at), minutes=e.minutes, served=_JSON.encode(dict(sorted(e.served.items()))).decode(),
            outcome="served")


@hours.handles(Shift.CheckedOutAutomatically)
def checked_out_automatically(c: sqlite3.Connection, e: Any, position: int) -> None:
    _credit(c, ident(e.originator_id), ident(e.volunteer_id), e.minutes)
    _settle(c, e, checked_out_at=iso(e.at), minutes=e.minutes, served="{}", outcome="served")


@hours.handles(Shift.MarkedNoShow)
def marked_no_show(c: sqlite3.Connection, e: Any, position: int) -> None:
    _credit(c, ident(e.originator_id), ident(e.volunteer_id), 0)
    _settle(c, e, outcome="no_show", minutes=0)


@hours.handles(Shift.HoursCorrected, Shift.AutoCheckOutCorrected)
def hours_corrected(c: sqlite3.Connection, e: Any, position: int) -> None:
    _credit(c, ident(e.originator_id), ident(e.volunteer_id), e.minutes)
    _settle(c, e, minutes=e.minutes, outcome="served")


@hours.handles(Shift.Cancelled)
def cancelled(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("UPDATE service_records SET outcome = 'cancelled_in_time' WHERE shift_id = ? AND outcome IS NULL",
              (ident(e.originator_id),))


@hours.handles(ServiceRequest.Served)
def served_on_request(c: sqlite3.Connection, e: Any, position: int) -> None:
    """A request served is service: one record, from the time asked for, with the minutes given."""
    ends_at = e.starts_at + timedelta(minutes=e.minutes)
    head = INTERPRETING if e.kind == SIGN_LANGUAGE else ON_REQUEST
    _credit(c, ident(e.originator_id), ident(e.volunteer_id), e.minutes, ident(e.unit_id), e.starts_at.date().isoformat())
    c.execute("INSERT OR REPLACE INTO service_records VALUES (?, ?, 0, ?, ?, ?, ?, ?, NULL, ?, ?, ?, 'served')",
              (ident(e.originator_id), ident(e.volunteer_id), ident(e.unit_id), f"{head}: {e.place}",
               e.starts_at.date().isoformat(), iso(e.starts_at), iso(ends_at), iso(e.at), e.minutes,
               json.dumps({e.kind: 1})))


# --- queries -------------------------------------------------------------------------

def summary(db: sqlite_utils.Database, volunteer_id: str, first_day: str, last_day: str) -> dict:
    """{minutes, shifts, no_shows, by_month: [{month, minutes, shifts, no_shows}]} over the days given."""
    by_month = list(db.query(
        "SELECT substr(day, 1, 7) AS month, SUM(minutes) AS minutes, SUM(outcome = 'served') AS shifts, "
        "SUM(outcome = 'no_show') AS no_shows, SUM(outcome = 'late_cancellation') AS late_cancellations "
        "FROM service_records WHERE volunteer_id = ? AND day BETWEEN ? AND ? AND outcome IS NOT NULL "
        "GROUP BY month ORDER BY month", [volunteer_id, first_day, last_day]))
    settled = sum(m["shifts"] + m["no_shows"] + m["late_cancellations"] for m in by_month)
    return {
        "minutes": sum(m["minutes"] for m in by_month),
        "shifts": sum(m["shifts"] for m in by_month),
        "no_shows": sum(m["no_shows"] for m in by_month),
        "late_cancellations": sum(m["late_cancellations"] for m in by_month),
        "attendance_rate": round(sum(m["shifts"] for m in by_month) / settled, 4) if settled else None,
        "by_month": by_month,
    }


def service_record(db: sqlite_utils.Database, volunteer_id: str, first_day: str, last_day: str) -> list[dict]:
    """志愿服务记录: who, where, when, what service, how long — each served shift."""
    rows = list(db.query(
        "SELECT r.shift_id, r.day, r.starts_at, r.ends_at, COALESCE(u.name, r.unit_id) AS unit, r.post, "
        "r.checked_in_at, r.checked_out_at, r.minutes, r.served FROM service_records r LEFT JOIN units u USING (unit_id) "
        "WHERE r.volunteer_id = ? AND r.day BETWEEN ? AND ? AND r.outcome = 'served' ORDER BY r.starts_at",
        [volunteer_id, first_day, last_day]))
    for row in rows:
        row["served"] = json.loads(row["served"] or "{}")
    return rows


def by_volunteer(db: sqlite_utils.Database, unit_ids: list[str] | None, first_day: str, last_day: str) -> list[dict]:
    """Each volunteer's settled service over the days given: minutes, shifts served, no-shows."""
    where, params = ["r.day BETWEEN ? AND ?", "r.outcome IS NOT NULL"], [first_day, last_day]
    within_units(where, params, "r.unit_id", unit_ids)
    return list(db.query(
        "SELECT r.volunteer_id, COALESCE(v.name, '') AS name, COALESCE(u.name, r.unit_id) AS unit, "
        "SUM(r.minutes) AS minutes, SUM(r.outcome = 'served') AS shifts, SUM(r.outcome = 'no_show') AS no_shows "
        "FROM service_records r LEFT JOIN volunteers v USING (volunteer_id) LEFT JOIN units u ON u.unit_id = r.unit_id "
        f"WHERE {' AND '.join(where)} GROUP BY r.volunteer_id ORDER BY name", params))


# --- star levels: what the certified hours have reached, and when -----------------------

def certified_minutes(db: sqlite_utils.Database, volunteer_id: str) -> int:
    row = db.execute("SELECT minutes FROM service_totals WHERE volunteer_id = ?", [volunteer_id]).fetchone()
    return int(row[0]) if row else 0


def certified_minutes_of(db: sqlite_utils.Database, volunteer_ids: list[str]) -> dict[str, int]:
    if not volunteer_ids:
        return {}
    found = db.execute(f"SELECT volunteer_id, minutes FROM service_totals WHERE volunteer_id IN "
                       f"({','.join('?' * len(volunteer_ids))})", volunteer_ids).fetchall()
    return {v: int(m) for v, m in found}


def days_reached(db: sqlite_utils.Database, volunteer_id: str, thresholds: tuple[int, ...],
                 total: int | None = None) -> dict[int, str]:
    """The day each threshold (hours) was reached: the day of the service that crossed it, so the
    same whenever the log is read again."""
    reached: dict[int, str] = {}
    total = certified_minutes(db, volunteer_id) if total is None else total
    left = sorted(h for h in thresholds if h * 60 <= total)  # only those reached: the scan stops at the last
    if not left:
        return reached
    for day, running in db.execute(
            "SELECT day, SUM(minutes) OVER (ORDER BY day, starts_at, shift_id ROWS UNBOUNDED PRECEDING) "
            "FROM service_records WHERE volunteer_id = ? AND outcome = 'served' AND minutes > 0 "
            "ORDER BY day, starts_at, shift_id", [volunteer_id]):
        while left and running >= left[0] * 60:
            reached[left.pop(0)] = day
        if not left:
            break
    return reached


def at_level_untold(db: sqlite_utils.Database, low_hours: int, high_hours: int | None, level: int,
                    limit: int = 5000) -> list[str]:
    """Volunteers whose certified hours stand in [low, high) and who were not yet told of `level`."""
    where, params = "t.minutes >= ?", [low_hours * 60]
    if high_hours is not None:
        where, params = where + " AND t.minutes < ?", [*params, high_hours * 60]
    return [row[0] for row in db.execute(
        f"SELECT t.volunteer_id FROM service_totals t WHERE {where} AND NOT EXISTS (SELECT 1 FROM notices n "
        f"WHERE n.key = 'star_level:' || t.volunteer_id || ':{int(level)}') LIMIT ?", [*params, limit])]


def minutes_served(db: sqlite_utils.Database, unit_ids: list[str] | None, first_day: str, last_day: str) -> int:
    """Certified minutes of service of these units (None: all) in the days: the dashboard's hours."""
    where, params = ["day BETWEEN ? AND ?"], [first_day, last_day]
    within_units(where, params, "unit_id", unit_ids)
    return int(db.execute(f"SELECT COALESCE(SUM(minutes), 0) FROM minutes_daily WHERE {' AND '.join(where)}",
                          params).fetchone()[0])


def records_to_send(db: sqlite_utils.Database, since_day: str, limit: int) -> list[dict]:
    """Served records since `since_day` whose present revision (its minutes) is not in the outbox yet."""
    return list(db.query(
        "SELECT r.shift_id, r.volunteer_id, COALESCE(u.name, r.unit_id) AS unit, r.post, r.day, r.minutes, r.served "
        "FROM service_records r LEFT JOIN units u ON u.unit_id = r.unit_id WHERE r.day >= ? AND r.outcome = 'served' "
        "AND r.minutes > 0 AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.key = 'national_record:' || r.shift_id "
        "|| ':' || r.volunteer_id || ':' || r.minutes) ORDER BY r.day LIMIT ?", [since_day, limit]))
