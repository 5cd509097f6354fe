"""careledger backup / restore: a copy taken while the server runs and writes, brought back whole."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from litestar.testing import TestClient

from domain.application import CareLedger
from domain.errors import DomainError
from projections.projector import READ_MODELS, Projector
from projections.store import ReadModelStore
from tests.integration.conftest import World
from tests.scenario import COORDINATOR
from tests.unit.projections.conftest import dump
from web.app import create_app
from web.settings import Settings


def careledger(*args: str, data: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "web.cli", *args], env={**os.environ, "CARELEDGER_DATA": str(data)},
                          capture_output=True, text=True, timeout=120)


def _busy_day(world: World, shifts: int = 6, per_shift: int = 4) -> list:
    h, ledger = world.hospital, world.ledger
    made = []
    for s in range(shifts):
        shift = h.shift(starts=ledger.clock.now() + timedelta(hours=1 + 5 * s), post=f"desk {s}", capacity=500)
        made.append(shift)
        for v in range(per_shift):
            ledger.sign_up(shift, h.volunteer(f"Volunteer {s}-{v}"), COORDINATOR)
    return made


def _answers(client: TestClient, world: World, shifts: list) -> dict:
    """What rosters and tallies a coordinator and an auditor are shown."""
    headers = {name: world.headers(name) for name in ("coord", "auditor")}
    seen = {str(s): client.get(f"/api/v1/shifts/{s}", headers=headers["coord"]).json() for s in shifts}
    for by in ("service_type", "unit", "day"):
        seen[by] = client.get(f"/api/v1/reports/tallies?from=2026-01-01&to=2026-12-31&by={by}",
                              headers=headers["auditor"]).json()
    return seen


@pytest.fixture
def running(tmp_path: Path, clock, monkeypatch: pytest.MonkeyPatch):
    data = tmp_path / "data"
    monkeypatch.setenv("CARELEDGER_DATA", str(data))
    settings = Settings(read_wait_seconds=5)
    ledger = CareLedger(env=settings.event_store_env(), clock=clock, policy=settings.policy)
    with TestClient(app=create_app(settings, ledger)) as client:
        yield World(client, ledger), data
    ledger.close()


def test_a_backup_taken_while_writes_go_on_is_one_instant_of_the_log(running, tmp_path: Path) -> None:
    world, data = running
    shifts = _busy_day(world)
    stop, written = threading.Event(), []

    def keep_writing() -> None:
        h, i = world.hospital, 0
        while not stop.is_set():
            try:
                world.ledger.sign_up(shifts[i % len(shifts)], h.volunteer(f"Late {i}"), COORDINATOR)
                written.append(i)
            except DomainError:
                pass
            i += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        taken = careledger("backup", str(tmp_path / "backup"), data=data)
    finally:
        stop.set()
        writer.join()
    assert taken.returncode == 0, taken.stderr
    assert written, "writes went on during the backup"

    restored = tmp_path / "restored"
    put_back = careledger("restore", str(tmp_path / "backup"), data=restored)
    assert put_back.returncode == 0, put_back.stderr
    assert not (tmp_path / "backup" / "cipher.key").exists(), "the key is kept apart from backups"
    assert f"put its cipher key into {restored / 'cipher.key'}" in put_back.stdout
    refused = careledger("report", data=restored)
    assert refused.returncode == 2 and "is encrypted, but there is no key" in refused.stderr
    shutil.copy2(data / "cipher.key", restored / "cipher.key")  # the operator brings the key
    env = Settings(data_dir=restored).event_store_env() | {"SQLITE_DBNAME": str(restored / "events.sqlite3")}
    with CareLedger(env=env) as copy, CareLedger(env=world.ledger.env) as original:
        n = copy.position
        assert 0 < n <= original.position
        # the restored log is exactly the original's first n events: no gap, nothing torn
        head = [(e.originator_id, e.originator_version, e.topic)
                for e in original.recorder.select_notifications(1, n)]
        assert [(e.originator_id, e.originator_version, e.topic)
                for e in copy.recorder.select_notifications(1, n)] == head
        store = ReadModelStore(restored / "read_models.sqlite3", READ_MODELS)
        Projector(copy, store).catch_up()  # the copied read models were at most behind the log
        caught_up = dump(store)
        store.close()
        fresh = ReadModelStore(tmp_path / "fresh.sqlite3", READ_MODELS)
        Projector(copy, fresh).catch_up()
        assert caught_up == dump(fresh)
        fresh.close()


def test_a_restored_store_serves_the_same_rosters_and_tallies(running, tmp_path: Path, clock,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    world, data = running
    shifts = _busy_day(world)
    clock.advance(minutes=60)
    for shift in shifts[:1]:
        for seat in world.ledger.get_shift(shift).seats:
            world.ledger.check_in(shift, seat, "kiosk", COORDINATOR)
        clock.advance(minutes=240)
        for seat in world.ledger.get_shift(shift).seats:
            world.ledger.check_out(shift, seat, {"guidance": 3}, COORDINATOR)
    world.settle()
    before = _answers(world.client, world, shifts)
    assert careledger("backup", str(tmp_path / "backup"), data=data).returncode == 0

    restored = tmp_path / "restored"
    (restored).mkdir()
    (restored / "events.sqlite3").write_bytes(b"something else that was here")
    shutil.copy2(data / "cipher.key", restored / "cipher.key")  # the key is kept apart from backups
    put_back = careledger("restore", str(tmp_path / "backup"), data=restored)
    assert put_back.returncode == 0, put_back.stderr
    assert "what was there is in" in put_back.stdout and list(restored.glob("before-restore-*/events.sqlite3"))
    monkeypatch.setenv("CARELEDGER_DATA", str(restored))
    settings = Settings(read_wait_seconds=5)
    with CareLedger(env=settings.event_store_env(), clock=clock, policy=settings.policy) as ledger, \
            TestClient(app=create_app(settings, ledger)) as client:
        again = World.__new__(World)
        again.client, again.ledger, again.tokens = client, ledger, {}
        assert _answers(client, again, shifts) == before


def test_backup_refuses_a_folder_in_use_and_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    assert careledger("demo", data=tmp_path / "data").returncode == 0
    refused = careledger("backup", str(tmp_path / "full"), data=tmp_path / "data")
    assert refused.returncode == 2 and "not empty" in refused.stderr
    not_one = careledger("restore", str(tmp_path / "full"), data=tmp_path / "data")
    assert not_one.returncode == 2 and "not a CareLedger backup" in not_one.stderr
