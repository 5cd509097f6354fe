"""The right to be forgotten, by crypto-shredding: a volunteer's name and phone become unreadable for
good, while the log stays whole and hours and tallies stay right — live, cold, and after a rebuild."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
from litestar.testing import TestClient

from domain.application import CareLedger
from domain.personal import ERASED
from projections.projector import READ_MODELS, Projector
from projections.store import ReadModelStore
from tests.integration.conftest import World
from tests.scenario import COORDINATOR
from tests.unit.projections.conftest import dump
from web.app import create_app
from web.settings import Settings

NAME, PHONE = "Ouyang Xiaoqing", "13612345678"


@pytest.fixture
def world(tmp_path: Path, clock, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CARELEDGER_DATA", str(tmp_path))
    settings = Settings(read_wait_seconds=5)
    ledger = CareLedger(env=settings.event_store_env(), clock=clock, policy=settings.policy)
    with TestClient(app=create_app(settings, ledger)) as client:
        yield World(client, ledger)
    ledger.close()


def _served_volunteer(world: World, clock) -> str:
    """A volunteer with a history: registered, approved, a shift served, more than 100 events (a snapshot)."""
    ledger, h = world.ledger, world.hospital
    # Registered over HTTP with an Idempotency-Key: the answer kept for a retry names them too.
    registered = world.call("coord", "POST", "/api/v1/volunteers", headers={"Idempotency-Key": "register-ouyang"},
                            json={"name": NAME, "phone": PHONE, "unit_id": str(h.unit), "languages": ["zh"]})
    assert registered.status_code == 201 and NAME in registered.text, registered.text
    volunteer = UUID(registered.json()["id"])
    ledger.approve_volunteer(volunteer, COORDINATOR)
    ledger.enrol(h.pre_job, volunteer, COORDINATOR)
    ledger.assess(h.pre_job, volunteer, True, 90, COORDINATOR)
    with ledger.batch():
        for day in range(105):
            ledger.sign_up(h.shift(starts=clock.now() + timedelta(days=2 + day), capacity=3), volunteer, COORDINATOR)
    today = h.shift(starts=clock.now() + timedelta(minutes=30))
    ledger.sign_up(today, volunteer, COORDINATOR)
    clock.advance(minutes=30)
    ledger.check_in(today, volunteer, "kiosk", COORDINATOR)
    clock.advance(minutes=240)
    ledger.check_out(today, volunteer, {"guidance": 7}, COORDINATOR)
    return str(volunteer)


@contextmanager
def readers_all_along(world: World) -> Iterator[None]:
    """Someone reading the read models and the log the whole time (a busy desk)."""
    stop, reads = threading.Event(), [0]
    state = world.client.app.state

    def keep_reading() -> None:
        db = state.store.reader()
        while not stop.is_set():
            db.execute("SELECT count(*) FROM volunteers").fetchone()
            state.ledger.position
            reads[0] += 1
    reader = threading.Thread(target=keep_reading)
    reader.start()
    try:
        yield
    finally:
        stop.set()
        reader.join()
    assert reads[0] > 0


def _seen(world: World, volunteer: str) -> dict:
    world.settle()
    return {"profile": world.call("coord", "GET", f"/api/v1/volunteers/{volunteer}").json(),
            "list": world.call("coord", "GET", "/api/v1/volunteers").json(),
            "hours": world.call("coord", "GET", f"/api/v1/volunteers/{volunteer}/hours").json(),
            "tallies": world.call("auditor", "GET", "/api/v1/reports/tallies?from=2026-01-01&to=2026-12-31").json()}


def test_a_forgotten_volunteer_is_erased_everywhere_while_hours_and_tallies_stay(world: World, clock,
                                                                                 tmp_path: Path) -> None:
    volunteer = _served_volunteer(world, clock)
    before = _seen(world, volunteer)
    assert before["profile"]["name"] == NAME and before["profile"]["phone"] == PHONE
    events = (tmp_path / "events.sqlite3").read_bytes()
    assert NAME.encode() not in events and PHONE.encode() not in events  # sealed from the start

    with CareLedger(env=world.ledger.env) as cold:  # read cold: from its snapshot, unsealed with its key
        assert (cold.get_volunteer(UUID(volunteer)).name, cold.snapshots is not None) == (NAME, True)
        assert list(cold.snapshots.get(UUID(volunteer)))

    assert world.call("coord", "POST", f"/api/v1/volunteers/{volunteer}/forget").status_code == 403
    with readers_all_along(world):  # readers hold old pages of the write-ahead logs as it is forgotten
        forgotten = world.call("admin", "POST", f"/api/v1/volunteers/{volunteer}/forget")
    assert forgotten.status_code == 200, forgotten.text
    # Once it answers, and not some time later: no copy left in a file, not in free space, not in
    # a write-ahead log, not in an answer kept for a retry.
    for kept in tmp_path.iterdir():
        assert NAME.encode() not in kept.read_bytes() and PHONE.encode() not in kept.read_bytes(), kept.name
    after = _seen(world, volunteer)
    assert after["profile"]["name"] == ERASED and after["profile"]["phone"] == ERASED
    assert [v["name"] for v in after["list"] if v["id"] == volunteer] == [ERASED]
    assert after["hours"] == before["hours"] and after["tallies"] == before["tallies"]
    assert after["hours"]["minutes"] > 0

    # The key is gone: a fresh process reading the log (snapshot and all) finds nothing to read.
    assert world.ledger.vault.key(UUID(volunteer), create=False) is None
    with CareLedger(env=world.ledger.env) as cold:
        again = cold.get_volunteer(UUID(volunteer))
        assert (again.name, again.phone) == (ERASED, ERASED) and again.status == "active"
        assert sum(1 for _ in cold.events.get(again.id)) > 100  # the log is whole
    # A rebuild from the log shows the same: erased, hours and tallies as before.
    fresh = ReadModelStore(tmp_path / "rebuilt.sqlite3", READ_MODELS)
    Projector(world.ledger, fresh).catch_up()
    live = world.client.app.state.store
    assert dump(fresh) == dump(live)
    fresh.close()

    # Forgetting twice is harmless (and finishes a forgetting cut short between event and key).
    assert world.call("admin", "POST", f"/api/v1/volunteers/{volunteer}/forget").status_code == 200


def test_forget_volunteer_on_the_command_line(tmp_path: Path) -> None:
    env = {**os.environ, "CARELEDGER_DATA": str(tmp_path)}
    settings_env = Settings(data_dir=tmp_path).event_store_env() | {"SQLITE_DBNAME": str(tmp_path / "events.sqlite3")}
    with CareLedger(env=settings_env) as ledger:
        unit = ledger.register_unit("Ruijin", "Huangpu", "admin").id
        volunteer = ledger.register_volunteer(NAME, PHONE, unit, [], [], "admin").id
    done = subprocess.run([sys.executable, "-m", "web.cli", "forget-volunteer", str(volunteer)], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with CareLedger(env=settings_env) as ledger:
        assert ledger.get_volunteer(volunteer).name == ERASED
    unknown = subprocess.run([sys.executable, "-m", "web.cli", "forget-volunteer", str(unit)], env=env,
                             capture_output=True, text=True)
    assert unknown.returncode == 2 and "not_found" in unknown.stderr


def test_careledger_rebuild_replays_a_forgetting(world: World, clock, tmp_path: Path) -> None:
    """The rebuild replays each share in one transaction: the read models' scrub after a
    forgetting has nothing to empty there, and must not stop it."""
    from projections.rebuild import rebuild

    volunteer = _served_volunteer(world, clock)
    assert world.call("admin", "POST", f"/api/v1/volunteers/{volunteer}/forget").status_code == 200
    world.settle()
    positions = rebuild(world.ledger, tmp_path / "read_models.sqlite3")
    assert min(positions.values()) == world.ledger.position
    assert _seen(world, volunteer)["profile"]["name"] == ERASED


@pytest.mark.postgres
def test_on_postgresql_forgetting_leaves_no_copy_in_the_tables_files(tmp_path: Path, clock,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import psycopg

    from tests.conftest import POSTGRES
    from tests.integration.conftest import nodes_on_postgres

    with nodes_on_postgres(tmp_path, clock, monkeypatch, count=1) as [client]:
        world = World(client, client.app.state.ledger)
        volunteer = _served_volunteer(world, clock)
        key = world.ledger.vault.key(UUID(volunteer), create=False)
        assert key is not None
        forgotten = world.call("admin", "POST", f"/api/v1/volunteers/{volunteer}/forget")
        assert forgotten.status_code == 200, forgotten.text
        with psycopg.connect(host=POSTGRES["POSTGRES_HOST"], port=POSTGRES["POSTGRES_PORT"],
                             user=POSTGRES["POSTGRES_USER"], dbname=POSTGRES["POSTGRES_DBNAME"],
                             autocommit=True) as conn:
            conn.execute("CHECKPOINT")  # every page as it is now, on disk; files of rewritten tables unlinked
            data = Path(conn.execute("SHOW data_directory").fetchone()[0])
            database = conn.execute("SELECT oid FROM pg_database WHERE datname = current_database()").fetchone()[0]
            schema = os.environ["POSTGRES_SCHEMA"]
            tables = [conn.execute(f"SELECT pg_relation_filepath('{schema}.{t}')").fetchone()[0]
                      for t in ("personal_keys", "careledger_idempotency")]
        for table in tables:  # the very files of the vault and of the kept answers, and their TOAST
            assert (data / table).exists()
        files = [p for p in (data / "base" / str(database)).iterdir() if p.is_file()]
        held = [p.name for p in files if (lambda b: key in b or NAME.encode() in b)(p.read_bytes())]
        assert held == [], "a file of the database still holds the key or the name"
        for kept in (tmp_path / "node0").iterdir():  # and the node's own files (its read models)
            assert NAME.encode() not in kept.read_bytes() and PHONE.encode() not in kept.read_bytes(), kept.name
        assert world.ledger.vault.key(UUID(volunteer), create=False) is None
