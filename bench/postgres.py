"""The scale-out store: CareLedger sign-ups on PostgreSQL, one writer and three, beside raw
single-row INSERT+COMMIT through psycopg on the same server (an extra figure of `make bench`)."""

from __future__ import annotations

import os
import threading
import time
import uuid
from datetime import datetime, timedelta

from bench.history import CST
from domain.application import CareLedger
from domain.clock import FixedClock


def postgres_rates(n: int = 300) -> dict[str, float] | None:
    """The scale-out store: CareLedger sign-ups on PostgreSQL, one writer and four, beside raw
    single-row INSERT+COMMIT through psycopg on the same server."""
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
            v = ledger.register_volunteer(f"V{i}", f"139{i:08d}", unit, [], [], "bench").id
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
