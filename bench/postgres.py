"""The scale-out store: CareLedger sign-ups on PostgreSQL from one node and from three nodes on one
log (each node a process of its own, eight people signing up at once in each, as a web node's
threads do), beside raw single-row INSERT+COMMIT through psycopg on the same server."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
import uuid
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from bench.history import CST
from bench.load import by_shift
from domain.application import CareLedger
from domain.clock import FixedClock

THREADS = 8  # people signing up at once on one node
PER_SHIFT = 10
NOW = datetime(2026, 11, 1, 9, tzinfo=CST)


def _params() -> dict[str, str]:
    return {"host": os.environ.get("POSTGRES_HOST", "127.0.0.1"), "port": os.environ.get("POSTGRES_PORT", "5432"),
            "user": os.environ.get("POSTGRES_USER", "postgres"), "dbname": os.environ.get("POSTGRES_DBNAME", "test"),
            "password": os.environ.get("POSTGRES_PASSWORD", "")}


def _env(schema: str, plain: bool = False) -> dict[str, str]:
    """`plain`: eventsourcing's own recorder, one lock and one commit per save (for an A/B)."""
    return {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_SCHEMA": schema,
            **{f"POSTGRES_{k.upper()}": str(v) for k, v in _params().items()}, "POSTGRES_POOL_SIZE": str(THREADS + 2),
            **({"APPLICATION_RECORDER_TOPIC": "eventsourcing.postgres:PostgresApplicationRecorder"} if plain else {})}


def _places(ledger: CareLedger, count: int) -> list[tuple[UUID, UUID]]:
    """`count` new volunteers and a free place for each on shifts to come, ten to a shift."""
    with ledger.batch():
        unit = ledger.register_unit(f"Bench Hospital {uuid.uuid4().hex[:6]}", "Huangpu", "bench").id
    places = []
    for first in range(0, count, 500):
        with ledger.batch():
            for i in range(first, min(first + 500, count)):
                if i % PER_SHIFT == 0:
                    starts_at = NOW + timedelta(days=1, hours=5 * (i // PER_SHIFT))
                    shift = ledger.schedule_shift(unit, "desk", starts_at, starts_at + timedelta(hours=4), PER_SHIFT,
                                                  [], "bench").id
                v = ledger.register_volunteer(f"V{i}", f"139{i:08d}", unit, [], [], "bench").id
                ledger.approve_volunteer(v, "bench")
                places.append((shift, v))
    return places


def _node(schema: str, places: list[tuple[UUID, UUID]], go: Any, answers: Any, plain: bool) -> None:
    """One web node: its own ledger and pool, THREADS people signing up their places at once
    (each their own shifts, as in the HTTP load: the figure is of saves, not of lost races)."""
    ledger = CareLedger(env=_env(schema, plain), clock=FixedClock(NOW))
    failures: list[str] = []

    def person(mine: list[tuple[UUID, UUID]]) -> None:
        for shift, volunteer in mine:
            try:
                ledger.sign_up(shift, volunteer, "bench")
            except Exception as refused:  # noqa: BLE001 - counted, and the figure refused
                failures.append(repr(refused))

    people = [threading.Thread(target=person, args=(mine,)) for mine in by_shift(places, THREADS)]
    go.wait()
    started = time.time()
    for p in people:
        p.start()
    for p in people:
        p.join()
    answers.put((len(places), started, time.time(), failures[:3], len(failures)))
    ledger.close()


def _nodes(schema: str, places: list[tuple[UUID, UUID]], nodes: int, plain: bool = False) -> float:
    context = multiprocessing.get_context("spawn")  # psycopg's connections do not survive a fork
    go, answers = context.Event(), context.Queue()
    processes = [context.Process(target=_node, args=(schema, mine, go, answers, plain)) for mine in by_shift(places, nodes)]
    for process in processes:
        process.start()
    time.sleep(3)  # every node started and connected before the first sign-up
    go.set()
    results = [answers.get(timeout=300) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    refused = sum(r[4] for r in results)
    if refused:
        raise RuntimeError(f"{refused} PostgreSQL sign-ups refused, e.g. {results[0][3]}")
    return sum(r[0] for r in results) / (max(r[2] for r in results) - min(r[1] for r in results))


def postgres_rates(n: int = 3000, plain: bool = False) -> dict[str, float] | None:
    """Sign-ups a second from one node and from three, and raw INSERT+COMMIT a second; None
    where no PostgreSQL answers. `plain`: on eventsourcing's own recorder (for an A/B)."""
    import psycopg

    params = _params()
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
        for _ in range(n // 3):
            raw.execute(f"INSERT INTO {schema}.t (v) VALUES (%s)", (b"x" * 200,))
            raw.commit()
        baseline = (n // 3) / (time.perf_counter() - start)
        raw.close()
        with CareLedger(env=_env(schema), clock=FixedClock(NOW - timedelta(days=1))) as ledger:
            ledger.open_catalogue("bench")
            one_places, three_places = _places(ledger, n), _places(ledger, n)
        one = _nodes(schema, one_places, 1, plain)
        three = _nodes(schema, three_places, 3, plain)
        return {"raw": baseline, "one": one, "many": three}
    finally:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()


if __name__ == "__main__":  # python -m bench.postgres: an A/B of the recorders, alternating
    for round_ in range(2):
        for plain in (True, False):
            rates = postgres_rates(plain=plain)
            assert rates is not None, "no PostgreSQL answers"
            print(f"{'eventsourcing' if plain else 'group commit'}: one node {rates['one']:,.0f}/s, three "
                  f"{rates['many']:,.0f}/s, raw INSERT+COMMIT {rates['raw']:,.0f}/s", flush=True)
