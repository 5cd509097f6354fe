"""CareLedger benchmarks. Each figure is printed beside a baseline measured in the same process
(raw SQLite on the same disk), because absolute times on shared machines drift.

    .venv/bin/python bench/run.py            # or: make bench
"""

from __future__ import annotations

import random
import resource
import sqlite3
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from domain.application import CareLedger  # noqa: E402
from domain.clock import FixedClock  # noqa: E402
from projections import tallies  # noqa: E402
from projections.runner import READ_MODELS, Projector, rebuild  # noqa: E402
from projections.store import ReadModelStore  # noqa: E402

CST = timezone(timedelta(hours=8))


def raw_sqlite_commits(folder: Path, n: int = 2000) -> float:
    """Baseline: single-row INSERT + COMMIT per row, WAL, synchronous FULL (as the event store)."""
    conn = sqlite3.connect(folder / "raw.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)")
    start = time.perf_counter()
    for i in range(n):
        conn.execute("BEGIN")
        conn.execute("INSERT INTO t (v) VALUES (?)", (b"x" * 200,))
        conn.execute("COMMIT")
    rate = n / (time.perf_counter() - start)
    conn.close()
    return rate


def raw_sqlite_batched_rows(folder: Path, n: int = 200_000) -> float:
    """Baseline: rows/s inserted 500 per transaction, synchronous NORMAL (as the read models)."""
    conn = sqlite3.connect(folder / "raw_batch.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE t (k TEXT PRIMARY KEY, a TEXT, b INTEGER)")
    start = time.perf_counter()
    for first in range(0, n, 500):
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO t VALUES (?, ?, ?)", ((f"k{i}", "x" * 36, i) for i in range(first, first + 500)))
        conn.execute("COMMIT")
    rate = n / (time.perf_counter() - start)
    conn.close()
    return rate


def command_rates(folder: Path, shifts: int = 300, per_shift: int = 3) -> tuple[CareLedger, dict[str, float]]:
    """Sign-ups, check-ins and check-outs through the application on the SQLite file."""
    clock = FixedClock(datetime(2026, 11, 1, 9, tzinfo=CST))
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(folder / "events.sqlite3")}
    ledger = CareLedger(env=env, clock=clock)
    ledger.open_catalogue("bench")
    unit = ledger.register_unit("Bench Hospital", "Huangpu", "bench").id
    volunteers = []
    for i in range(per_shift * 4):
        v = ledger.register_volunteer(f"V{i}", "1", unit, ["zh"], [], "bench").id
        ledger.approve_volunteer(v, "bench")
        volunteers.append(v)
    first = datetime(2026, 11, 2, 8, tzinfo=CST)
    shift_ids = [ledger.schedule_shift(unit, "desk", first + timedelta(hours=5 * i), first + timedelta(hours=5 * i + 4),
                                       per_shift, [], "bench").id for i in range(shifts)]
    rates = {}
    start = time.perf_counter()
    for i, s in enumerate(shift_ids):
        for v in volunteers[(i % 4) * per_shift:(i % 4 + 1) * per_shift]:
            ledger.sign_up(s, v, "bench")
    rates["sign-ups/s"] = shifts * per_shift / (time.perf_counter() - start)
    check_ins = check_outs = 0.0
    for i, s in enumerate(shift_ids):
        shift = ledger.get_shift(s)
        clock.set(shift.starts_at)
        t = time.perf_counter()
        for v in shift.seats:
            ledger.check_in(s, v, "kiosk", "bench")
        check_ins += time.perf_counter() - t
        clock.set(shift.ends_at)
        t = time.perf_counter()
        for v in shift.seats:
            ledger.check_out(s, v, {"guidance": random.randint(5, 40)}, "bench")
        check_outs += time.perf_counter() - t
    rates["check-ins/s"] = shifts * per_shift / check_ins
    rates["check-outs/s"] = shifts * per_shift / check_outs
    return ledger, rates


def projection_rates(ledger: CareLedger, folder: Path) -> dict[str, float]:
    events = ledger.position
    store = ReadModelStore(folder / "read_models.sqlite3", READ_MODELS)
    start = time.perf_counter()
    Projector(ledger, store).catch_up()
    live = events / (time.perf_counter() - start)
    store.close()
    start = time.perf_counter()
    rebuild(ledger, folder / "read_models.sqlite3")
    rebuilt = events / (time.perf_counter() - start)
    return {"events in log": events, "project (catch-up), events/s": live, "rebuild incl. swap, events/s": rebuilt}


def tally_query_times(folder: Path, units: int = 170, years: int = 3) -> dict[str, float]:
    """The auditor's questions over `years` of city-wide tallies (170 units x 5 types x every day)."""
    store = ReadModelStore(folder / "tallies.sqlite3", READ_MODELS)
    kinds = ["guidance", "communication", "visitation", "psychological_support", "sign_language"]
    day0 = date(2024, 1, 1)
    rows = ((str(day0 + timedelta(days=d)), f"unit-{u:03d}", k, random.randint(0, 300))
            for d in range(365 * years) for u in range(units) for k in kinds)
    store.conn.execute("BEGIN")
    store.conn.executemany("INSERT INTO person_times VALUES (?, ?, ?, ?)", rows)
    store.conn.execute("INSERT INTO person_times_monthly SELECT substr(day, 1, 7), unit_id, service_type, "
                       "SUM(person_times) FROM person_times GROUP BY 1, 2, 3")
    store.conn.execute("COMMIT")
    store.conn.execute("ANALYZE")
    count = store.conn.execute("SELECT COUNT(*) FROM person_times").fetchone()[0]
    figures: dict[str, float] = {"tally rows": count}
    start = time.perf_counter()
    store.conn.execute("SELECT SUM(person_times) FROM person_times").fetchone()
    figures["baseline: full scan of all rows, ms"] = (time.perf_counter() - start) * 1000
    for label, first, last, unit_ids, by in (
        ("one week, city, by service_type, ms", "2026-03-02", "2026-03-08", None, "service_type"),
        ("11 months (ragged ends), city, by month, ms", "2026-01-15", "2026-12-20", None, "month"),
        ("3 years, city, by unit, ms", "2024-01-01", "2026-12-31", None, "unit"),
        ("one year, 3 units, by day, ms", "2026-01-01", "2026-12-31", ["unit-001", "unit-050", "unit-120"], "day"),
    ):
        start = time.perf_counter()
        tallies.report(store.db, first, last, unit_ids, by)
        figures[label] = (time.perf_counter() - start) * 1000
    store.close()
    return figures


def postgres_rates(n: int = 300) -> dict[str, float] | None:
    """The scale-out store: CareLedger sign-ups on PostgreSQL, one writer and four, beside raw
    single-row INSERT+COMMIT through psycopg on the same server."""
    import os
    import threading
    import uuid

    import psycopg

    params = {"host": os.environ.get("POSTGRES_HOST", "127.0.0.1"), "port": os.environ.get("POSTGRES_PORT", "5432"),
              "user": os.environ.get("POSTGRES_USER", "postgres"), "dbname": os.environ.get("POSTGRES_DBNAME", "test"),
              "password": os.environ.get("POSTGRES_PASSWORD", "")}
    try:
        admin = psycopg.connect(**params, autocommit=True, connect_timeout=3)
    except psycopg.Error:
        return None
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin.execute(f"CREATE SCHEMA {schema}")
    try:
        raw = psycopg.connect(**params, autocommit=False)
        raw.execute(f"CREATE TABLE {schema}.t (id bigserial primary key, v bytea)")
        raw.commit()
        start = time.perf_counter()
        for _ in range(n):
            raw.execute(f"INSERT INTO {schema}.t (v) VALUES (%s)", (b"x" * 200,))
            raw.commit()
        baseline = n / (time.perf_counter() - start)
        raw.close()
        env = {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_SCHEMA": schema,
               **{f"POSTGRES_{k.upper()}": str(v) for k, v in params.items()}, "POSTGRES_POOL_SIZE": "8"}
        clock = FixedClock(datetime(2026, 11, 1, 9, tzinfo=CST))
        ledger = CareLedger(env=env, clock=clock)
        ledger.open_catalogue("bench")
        unit = ledger.register_unit("Bench Hospital", "Huangpu", "bench").id
        volunteers = []
        for i in range(4):
            v = ledger.register_volunteer(f"V{i}", "1", unit, [], [], "bench").id
            ledger.approve_volunteer(v, "bench")
            volunteers.append(v)
        first = datetime(2026, 11, 2, 8, tzinfo=CST)
        shifts = [ledger.schedule_shift(unit, "desk", first + timedelta(hours=5 * i),
                                        first + timedelta(hours=5 * i + 4), 4, [], "bench").id for i in range(n)]
        start = time.perf_counter()
        for s in shifts[: n // 2]:
            ledger.sign_up(s, volunteers[0], "bench")
        one = (n // 2) / (time.perf_counter() - start)

        def writer(v) -> None:
            for s in shifts[n // 2:]:
                ledger.sign_up(s, v, "bench")

        threads = [threading.Thread(target=writer, args=(v,)) for v in volunteers[1:]]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        many = 3 * (n - n // 2) / (time.perf_counter() - start)
        ledger.close()
        return {"raw": baseline, "one": one, "many": many}
    finally:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()


def main() -> None:
    random.seed(1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("CareLedger benchmark (SQLite file store, one process)\n")
        print("| measure | value | baseline in the same run |")
        print("| --- | ---: | --- |")
        commits = raw_sqlite_commits(folder)
        batched = raw_sqlite_batched_rows(folder)
        ledger, rates = command_rates(folder)
        for name, value in rates.items():
            print(f"| {name} | {value:,.0f} | raw SQLite single-row commits/s: {commits:,.0f} ({value / commits:.0%}) |")
        for name, value in projection_rates(ledger, folder).items():
            note = f"raw SQLite rows/s in 500-row transactions: {batched:,.0f}" if "/s" in name else ""
            print(f"| {name} | {value:,.0f} | {note} |")
        ledger.close()
        figures = tally_query_times(folder)
        baseline = figures["baseline: full scan of all rows, ms"]
        for name, value in figures.items():
            print(f"| {name} | {value:,.1f} | {'' if 'ms' not in name or 'baseline' in name else f'{value / baseline:.1%} of a full scan'} |")
        pg = postgres_rates()
        if pg:
            print(f"| PostgreSQL: sign-ups/s, one writer | {pg['one']:,.0f} | raw psycopg INSERT+COMMIT/s: "
                  f"{pg['raw']:,.0f} ({pg['one'] / pg['raw']:.0%}) |")
            print(f"| PostgreSQL: sign-ups/s, 3 writers on different shifts | {pg['many']:,.0f} | "
                  f"{pg['many'] / pg['one']:.2f}x one writer (inserts are serialised by a table lock) |")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"| peak RSS of this process, MiB | {peak:,.0f} | |")


if __name__ == "__main__":
    main()
