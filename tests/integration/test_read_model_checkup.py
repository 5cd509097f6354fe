"""Never dark at start: a read-model file that is damaged, truncated, made from another log or
ahead of the log is found before it is served, moved aside (the log line says where) and made
again from the log; nobody deletes anything by hand."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from litestar.testing import TestClient

from domain.application import CareLedger
from domain.clock import FixedClock
from projections.checkup import examine
from projections.tallies import city_total
from tests.scenario import Hospital
from web.app import create_app
from web.settings import Settings


def serve_a_day(ledger: CareLedger, clock: FixedClock, volunteers: int = 3) -> None:
    hospital = Hospital(ledger)
    shift = hospital.shift(clock.now() - timedelta(hours=1), capacity=volunteers)
    for i in range(volunteers):
        volunteer = hospital.volunteer(f"Volunteer {i}")
        ledger.sign_up(shift, volunteer, "coordinator")
        ledger.check_in(shift, volunteer, "kiosk", "kiosk")
        ledger.check_out(shift, volunteer, {"guidance": 2}, "kiosk")


def built(folder: Path, clock: FixedClock, volunteers: int = 3) -> tuple[Settings, CareLedger]:
    """A data folder whose log holds a served day and whose read models hold all of it."""
    settings = Settings(data_dir=folder, read_wait_seconds=5)
    ledger = CareLedger(env=settings.event_store_env(), clock=clock, policy=settings.policy)
    serve_a_day(ledger, clock, volunteers)
    with TestClient(app=create_app(settings, ledger)) as client:
        assert client.app.state.projector.wait(ledger.position, timeout=10)
    return settings, ledger


def damage_pages(path: Path) -> None:
    """Random bytes over every page but the first (a disk or a copy gone wrong)."""
    size = path.stat().st_size
    with path.open("r+b") as file:
        for offset in range(4096, size, 4096):
            file.seek(offset + 16)
            file.write(os.urandom(2000))


def destroy_header(path: Path) -> None:
    with path.open("r+b") as file:
        file.write(os.urandom(100))


def truncate(path: Path) -> None:
    with path.open("r+b") as file:
        file.truncate(path.stat().st_size // 3)


def ahead_of_the_log(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("UPDATE positions SET position = position + 1000000")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(("damage", "said"), [
    (damage_pages, "damaged"), (destroy_header, "cannot be read"), (truncate, "damaged"),
    (ahead_of_the_log, "ahead of the log"),
])
def test_a_bad_read_model_file_is_set_aside_and_made_again_before_serving(
        tmp_path: Path, clock: FixedClock, told, damage: Callable[[Path], None], said: str) -> None:
    settings, ledger = built(tmp_path, clock)
    path = settings.read_models_path
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    damage(path)
    problem = examine(path, ledger.recorder)
    assert problem is not None and said in problem, problem
    with TestClient(app=create_app(settings, ledger)) as client:  # the server starts, on a new file
        state = client.app.state
        assert state.projector.wait(ledger.position, timeout=10)
        assert min(state.projector.positions().values()) == ledger.position
        assert city_total(state.reader()) == 6, "made again from the log: every person-time is there"
        assert client.get("/api/v1/healthz").status_code == 200
    [line] = [r for r in told.records if r.getMessage().startswith("read-model file set aside")]
    assert line.file == str(path) and said in line.problem
    moved = Path(line.moved_to)
    assert moved.exists() and moved.parent == path.parent and moved.name.startswith("read_models.set-aside-")
    assert examine(path, ledger.recorder) is None
    ledger.close()


def test_any_garbling_of_the_pages_is_called_damage_never_raised(tmp_path: Path, clock: FixedClock) -> None:
    """Random bytes can make SQLite's own message undecodable or a length too big: still damage."""
    settings, ledger = built(tmp_path, clock)
    pristine = settings.read_models_path.read_bytes()
    copy = tmp_path / "copy.sqlite3"
    for seed in range(3000):
        garble = random.Random(seed)
        page = bytearray(pristine)
        for offset in range(4096, len(page), 4096):
            page[offset + 16:offset + 2016] = garble.randbytes(2000)
        copy.write_bytes(bytes(page[:len(pristine)]))
        problem = examine(copy, ledger.recorder)
        assert problem is not None and "damaged" in problem, (seed, problem)
    ledger.close()


def test_a_read_model_file_made_from_another_log_is_not_served(tmp_path: Path, clock: FixedClock, told) -> None:
    other_settings, other = built(tmp_path / "other", clock, volunteers=1)
    other.close()
    settings, ledger = built(tmp_path / "ours", clock, volunteers=3)  # longer: its positions are not ahead
    other_settings.read_models_path.replace(settings.read_models_path)  # someone copied the wrong file in
    assert "made from another log" in (examine(settings.read_models_path, ledger.recorder) or "")
    with TestClient(app=create_app(settings, ledger)) as client:
        assert client.app.state.projector.wait(ledger.position, timeout=10)
        assert city_total(client.app.state.reader()) == 6  # ours, not the other's 2
    assert any("made from another log" in getattr(r, "problem", "") for r in told.records)
    ledger.close()


def test_rebuild_and_doctor_deal_with_a_damaged_file_by_themselves(tmp_path: Path, clock: FixedClock) -> None:
    settings, ledger = built(tmp_path, clock)
    head = ledger.position
    ledger.close()
    destroy_header(settings.read_models_path)
    env = {**os.environ, "CARELEDGER_DATA": str(tmp_path)}
    doctor = subprocess.run([sys.executable, "-m", "web.cli", "doctor"], env=env, capture_output=True, text=True)
    assert doctor.returncode == 1 and "cannot be read" in doctor.stdout and "moves it aside" in doctor.stdout
    rebuilt = subprocess.run([sys.executable, "-m", "web.cli", "rebuild"], env=env, capture_output=True, text=True)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"to position {head}" in rebuilt.stdout and "set aside" in rebuilt.stderr
    assert list(tmp_path.glob("read_models.set-aside-*.sqlite3"))
    well = subprocess.run([sys.executable, "-m", "web.cli", "doctor"], env=env, capture_output=True, text=True)
    assert well.returncode == 0 and "All is well." in well.stdout


@pytest.mark.postgres
def test_on_a_postgresql_node_a_read_model_file_from_another_log_or_ahead_of_it_is_set_aside(
        tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch, told) -> None:
    from tests.conftest import postgres_schema

    monkeypatch.setenv("CARELEDGER_TOKEN_SECRET", "t" * 64)
    monkeypatch.setenv("CARELEDGER_PSEUDONYM_SECRET", "p" * 64)
    for other_env in postgres_schema():  # another city's log, and a node file made from it
        for name, value in other_env.items():
            monkeypatch.setenv(name, value)
        other_settings, other = built(tmp_path / "other", clock, volunteers=1)
        other.close()
    for schema_env in postgres_schema():
        for name, value in schema_env.items():
            monkeypatch.setenv(name, value)
        settings, ledger = built(tmp_path / "node", clock, volunteers=3)
        other_settings.read_models_path.replace(settings.read_models_path)
        assert "made from another log" in (examine(settings.read_models_path, ledger.recorder) or "")
        with TestClient(app=create_app(settings, ledger)) as client:
            assert client.app.state.projector.wait(ledger.position, timeout=10)
            assert city_total(client.app.state.reader()) == 6
        ahead_of_the_log(settings.read_models_path)
        assert "ahead of the log" in (examine(settings.read_models_path, ledger.recorder) or "")
        with TestClient(app=create_app(settings, ledger)) as client:
            assert client.app.state.projector.wait(ledger.position, timeout=10)
            assert min(client.app.state.projector.positions().values()) == ledger.position
        ledger.close()
    assert len([r for r in told.records if r.getMessage().startswith("read-model file set aside")]) == 2


def test_a_file_a_clean_stop_left_is_not_read_through_again_and_any_change_since_is(
        tmp_path: Path, clock: FixedClock, told) -> None:
    """A city's read models are gigabytes: a restart after a clean stop does not read every page
    again (once: a crash of that server is not taken for a clean stop); after a change it does."""
    settings, ledger = built(tmp_path, clock)  # started and stopped cleanly
    path = settings.read_models_path

    def started_without_reading_through() -> bool:
        told.records.clear()
        with TestClient(app=create_app(settings, ledger)) as client:
            assert client.get("/api/v1/healthz").status_code == 200
        return any(r.getMessage().startswith("read models as a clean stop left them") for r in told.records)

    assert started_without_reading_through()
    assert started_without_reading_through(), "that start stopped cleanly too"
    with TestClient(app=create_app(settings, ledger)):
        pass
    conn = sqlite3.connect(path)  # someone changes the file while no server runs
    conn.execute("UPDATE positions SET position = position")
    conn.execute("CREATE TABLE scribbled (x)")
    conn.commit()
    conn.close()
    assert not started_without_reading_through()
    assert started_without_reading_through()
    copy = path.with_name("copy.sqlite3")
    copy.write_bytes(path.read_bytes())
    copy.replace(path)  # a restore, or a copy from elsewhere: the same bytes, another file
    assert not started_without_reading_through()
    ledger.close()
