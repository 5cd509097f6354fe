"""Tallies: person-times (人次) by day x unit x service type, and the running city total."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import date, timedelta
from typing import Any

import sqlite_utils

from domain.groups import GroupWork
from domain.requests import ServiceRequest
from domain.sessions import ServiceSession
from domain.shifts import Shift
from projections.store import ReadModel, ident

BY = {"service_type": "service_type", "unit": "unit_id", "day": "day", "month": "substr(day, 1, 7)"}


def create(db: sqlite_utils.Database) -> None:
    db["tally_shifts"].create({"shift_id": str, "unit_id": str, "day": str}, pk="shift_id", if_not_exists=True)
    db["tally_groups"].create({"group_id": str, "unit_id": str, "service_type": str}, pk="group_id",
                              if_not_exists=True)
    db["tally_sessions"].create(
        {"session_id": str, "unit_id": str, "day": str, "service_type": str, "persons": int},
        pk="session_id", if_not_exists=True,
    )
    # Clustered by day: any date range is one range scan of the primary key, however long the history.
    db.execute(
        "CREATE TABLE IF NOT EXISTS person_times (day TEXT NOT NULL, unit_id TEXT NOT NULL, "
        "service_type TEXT NOT NULL, person_times INTEGER NOT NULL, "
        "PRIMARY KEY (day, unit_id, service_type)) WITHOUT ROWID"
    )
    db["person_times"].create_index(["unit_id", "day", "service_type", "person_times"], if_not_exists=True)
    # The same counts rolled up by month: a year is 12 rows per unit and type, not 365.
    db.execute(
        "CREATE TABLE IF NOT EXISTS person_times_monthly (month TEXT NOT NULL, unit_id TEXT NOT NULL, "
        "service_type TEXT NOT NULL, person_times INTEGER NOT NULL, "
        "PRIMARY KEY (month, unit_id, service_type)) WITHOUT ROWID"
    )
    db["person_times_monthly"].create_index(["unit_id", "month", "service_type", "person_times"],
                                            if_not_exists=True)
    # And by month for the whole city: "a year, all units, by service type" is 12 rows a type, however
    # many hospitals join.
    db.execute(
        "CREATE TABLE IF NOT EXISTS city_person_times_monthly (month TEXT NOT NULL, service_type TEXT NOT NULL, "
        "person_times INTEGER NOT NULL, PRIMARY KEY (month, service_type)) WITHOUT ROWID"
    )
    db["city_total"].create({"id": int, "person_times": int}, pk="id", if_not_exists=True)
    db.execute("INSERT OR IGNORE INTO city_total VALUES (1, 0)")


tallies = ReadModel("tallies", create, version=4, tables=("tally_shifts", "tally_sessions", "tally_groups",
                                                         "person_times", "person_times_monthly",
                                                         "city_person_times_monthly", "city_total"),
                    indexes_only_for_queries=("person_times", "person_times_monthly"))


# Person-times counted during one batch, written once at its end: (day, unit, type) -> count.
_gathered: dict[int, Counter[tuple[str, str, str]]] = {}


def _begin(c: sqlite3.Connection) -> None:
    _gathered[id(c)] = Counter()


def _flush(c: sqlite3.Connection) -> None:
    counts = _gathered.pop(id(c), None)
    if counts:
        _add_many(c, [(day, unit, kind, n) for (day, unit, kind), n in counts.items() if n])


tallies.begin, tallies.flush = _begin, _flush


def _count(c: sqlite3.Connection, day: str, unit_id: str, service_type: str, person_times: int) -> None:
    """Add person-times: gathered for the batch's end when inside a batch, else written now."""
    counts = _gathered.get(id(c))
    if counts is None:
        _add(c, day, unit_id, service_type, person_times)
    else:
        counts[(day, unit_id, service_type)] += person_times


def _add(c: sqlite3.Connection, day: str, unit_id: str, service_type: str, person_times: int) -> None:
    _add_many(c, [(day, unit_id, service_type, person_times)])


def _add_many(c: sqlite3.Connection, counts: list[tuple[str, str, str, int]]) -> None:
    c.executemany(
        "INSERT INTO person_times VALUES (?, ?, ?, ?) ON CONFLICT (day, unit_id, service_type) "
        "DO UPDATE SET person_times = person_times + excluded.person_times", counts)
    monthly: Counter[tuple[str, str, str]] = Counter()
    city: Counter[tuple[str, str]] = Counter()
    for day, unit_id, service_type, n in counts:
        monthly[(day[:7], unit_id, service_type)] += n
        city[(day[:7], service_type)] += n
    c.executemany(
        "INSERT INTO person_times_monthly VALUES (?, ?, ?, ?) ON CONFLICT (month, unit_id, service_type) "
        "DO UPDATE SET person_times = person_times + excluded.person_times",
        [(*key, n) for key, n in monthly.items()])
    c.executemany(
        "INSERT INTO city_person_times_monthly VALUES (?, ?, ?) ON CONFLICT (month, service_type) "
        "DO UPDATE SET person_times = person_times + excluded.person_times",
        [(*key, n) for key, n in city.items()])
    c.execute("UPDATE city_total SET person_times = person_times + ? WHERE id = 1",
              (sum(n for *_, n in counts),))


@tallies.handles(Shift.Scheduled, Shift.Rescheduled)
def shift_day(c: sqlite3.Connection, e: Any, position: int) -> None:
    day = e.starts_at.date().isoformat()
    if isinstance(e, Shift.Scheduled):
        c.execute("INSERT OR REPLACE INTO tally_shifts VALUES (?, ?, ?)", (ident(e.originator_id), ident(e.unit_id), day))
    else:
        c.execute("UPDATE tally_shifts SET day = ? WHERE shift_id = ?", (day, ident(e.originator_id)))


@tallies.handles(Shift.CheckedOut)
def checked_out(c: sqlite3.Connection, e: Any, position: int) -> None:
    unit_id, day = c.execute("SELECT unit_id, day FROM tally_shifts WHERE shift_id = ?",
                             (ident(e.originator_id),)).fetchone()
    for service_type, person_times in sorted(e.served.items()):
        if person_times:
            _count(c, day, unit_id, service_type, person_times)


@tallies.handles(ServiceSession.Logged)
def session_logged(c: sqlite3.Connection, e: Any, position: int) -> None:
    session_id, unit_id, day = ident(e.originator_id), ident(e.unit_id), e.started_at.date().isoformat()
    c.execute("INSERT OR REPLACE INTO tally_sessions VALUES (?, ?, ?, ?, ?)",
              (session_id, unit_id, day, e.service_type, e.persons))
    _count(c, day, unit_id, e.service_type, e.persons)


@tallies.handles(ServiceSession.Amended)
def session_amended(c: sqlite3.Connection, e: Any, position: int) -> None:
    session_id = ident(e.originator_id)
    unit_id, day, service_type, persons = c.execute(
        "SELECT unit_id, day, service_type, persons FROM tally_sessions WHERE session_id = ?", (session_id,)).fetchone()
    _count(c, day, unit_id, service_type, -persons)
    new_day = e.started_at.date().isoformat()
    c.execute("UPDATE tally_sessions SET day = ?, service_type = ?, persons = ? WHERE session_id = ?",
              (new_day, e.service_type, e.persons, session_id))
    _count(c, new_day, unit_id, e.service_type, e.persons)


@tallies.handles(GroupWork.Formed)
def group_formed(c: sqlite3.Connection, e: Any, position: int) -> None:
    c.execute("INSERT OR REPLACE INTO tally_groups VALUES (?, ?, ?)",
              (ident(e.originator_id), ident(e.unit_id), e.service_type))


@tallies.handles(GroupWork.MeetingHeld)
def meeting_held(c: sqlite3.Connection, e: Any, position: int) -> None:
    """A group session's participants and a community activity's persons reached are person-times too."""
    unit_id, service_type = c.execute("SELECT unit_id, service_type FROM tally_groups WHERE group_id = ?",
                                      (ident(e.originator_id),)).fetchone()
    _count(c, e.started_at.date().isoformat(), unit_id, service_type, e.persons)


@tallies.handles(ServiceRequest.Served)
def served_on_request(c: sqlite3.Connection, e: Any, position: int) -> None:
    """A ward's request served is one person-time of its kind (companionship, sign language...)."""
    _count(c, e.starts_at.date().isoformat(), ident(e.unit_id), e.kind, 1)


# --- queries -------------------------------------------------------------------------

def _split(first_day: str, last_day: str) -> tuple[list[tuple[str, str]], tuple[str, str] | None]:
    """Day ranges at either end and the whole months between them, covering [first_day, last_day]."""
    first, last = date.fromisoformat(first_day), date.fromisoformat(last_day)
    start = first if first.day == 1 else (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    end = last if (last + timedelta(days=1)).day == 1 else last.replace(day=1) - timedelta(days=1)
    if start > end:
        return [(first_day, last_day)], None
    edges = [(first_day, (start - timedelta(days=1)).isoformat()), ((end + timedelta(days=1)).isoformat(), last_day)]
    return [(a, b) for a, b in edges if a <= b], (start.isoformat()[:7], end.isoformat()[:7])


def tally_query(first_day: str, last_day: str, unit_ids: list[str] | None, by: str) -> tuple[str, list]:
    """One indexed query: the person-times in [first_day, last_day] grouped by `by`.

    Whole months are read from the monthly roll-up and only the partial months at either end
    from the daily rows, so a long range costs months, not days."""
    units_sql = f" AND unit_id IN ({','.join('?' * len(unit_ids))})" if unit_ids is not None else ""
    units = list(unit_ids or [])
    day_ranges, months = _split(first_day, last_day) if by != "day" else ([(first_day, last_day)], None)
    parts, params = [], []
    for first, last in day_ranges:
        parts.append(f"SELECT {BY[by]} AS key, person_times FROM person_times WHERE day BETWEEN ? AND ?{units_sql}")
        params += [first, last, *units]
    if months is not None:
        key = BY[by].replace("substr(day, 1, 7)", "month")
        if unit_ids is None and by != "unit":
            parts.append(f"SELECT {key} AS key, person_times FROM city_person_times_monthly WHERE month BETWEEN ? AND ?")
            params += [*months]
        else:
            parts.append(f"SELECT {key} AS key, person_times FROM person_times_monthly "
                         f"WHERE month BETWEEN ? AND ?{units_sql}")
            params += [*months, *units]
    sql = (f"SELECT key, SUM(person_times) AS person_times FROM ({' UNION ALL '.join(parts)}) "
           f"GROUP BY key HAVING SUM(person_times) != 0 ORDER BY key")
    return sql, params


def report(db: sqlite_utils.Database, first_day: str, last_day: str, unit_ids: list[str] | None = None,
           by: str = "service_type") -> dict:
    """{total_person_times, by, rows: [{key, person_times}]} as API.md describes."""
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}")
    rows = list(db.query(*tally_query(first_day, last_day, unit_ids, by)))
    return {"total_person_times": sum(r["person_times"] for r in rows), "by": by, "rows": rows}


def city_total(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT person_times FROM city_total WHERE id = 1").fetchone()[0]


def every_day(rows: list[dict], first: str, last: str, longest: int = 400) -> list[dict]:
    """Each day of the range, a day with nothing served as 0 (a line that skips quiet days lies);
    a range longer than `longest` days is drawn from the days that have figures."""
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    if (end - start).days > longest:
        return rows
    served = {r["key"]: r["person_times"] for r in rows}
    return [{"key": day.isoformat(), "person_times": served.get(day.isoformat(), 0)}
            for day in (start + timedelta(days=n) for n in range((end - start).days + 1))]
