"""Fixtures shared by every test: a ledger on each event store, a clock that stands still."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

os.environ.setdefault("CARELEDGER_CHECK_ANSWERS", "1")  # every JSON answer as documented (web/answers.py)
os.environ.setdefault("CARELEDGER_PASSWORD_HASHING", "cheapest-for-tests")  # before web.passwords is imported

from domain.application import CareLedger
from domain.clock import FixedClock
from domain.policy import Policy

CST = timezone(timedelta(hours=8))  # the programme's wall clock (Asia/Shanghai has no DST)
POSTGRES = {
    "POSTGRES_HOST": os.environ.get("CARELEDGER_TEST_PG_HOST", "127.0.0.1"),
    "POSTGRES_PORT": os.environ.get("CARELEDGER_TEST_PG_PORT", "5432"),
    "POSTGRES_USER": os.environ.get("CARELEDGER_TEST_PG_USER", "postgres"),
    "POSTGRES_PASSWORD": os.environ.get("CARELEDGER_TEST_PG_PASSWORD", ""),
    "POSTGRES_DBNAME": os.environ.get("CARELEDGER_TEST_PG_DBNAME", "test"),
}


def postgres_schema() -> Iterator[dict[str, str]]:
    """A fresh schema in the test database; dropped afterwards. Never skipped: CI must run it."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    dsn = (f"host={POSTGRES['POSTGRES_HOST']} port={POSTGRES['POSTGRES_PORT']} "
           f"user={POSTGRES['POSTGRES_USER']} dbname={POSTGRES['POSTGRES_DBNAME']}")
    if POSTGRES["POSTGRES_PASSWORD"]:
        dsn += f" password={POSTGRES['POSTGRES_PASSWORD']}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_SCHEMA": schema, **POSTGRES}
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of one event store: in memory, an SQLite file, or PostgreSQL."""
    if request.param == "memory":
        yield {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    elif request.param == "sqlite":
        yield {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
               "SQLITE_DBNAME": str(tmp_path / "events.sqlite3"), "SQLITE_LOCK_TIMEOUT": "10"}
    else:
        yield from postgres_schema()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=CST))


@pytest.fixture
def ledger(store_env: dict[str, str], clock: FixedClock) -> Iterator[CareLedger]:
    app = CareLedger(env=store_env, clock=clock, policy=Policy())
    app.open_catalogue()
    yield app
    app.close()


@pytest.fixture
def memory_ledger(clock: FixedClock) -> Iterator[CareLedger]:
    app = CareLedger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=clock)
    app.open_catalogue()
    yield app
    app.close()
