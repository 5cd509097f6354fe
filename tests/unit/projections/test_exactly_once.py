"""Exactly once: live with restarts equals rebuilt; a SIGKILLed projector resumes to the same
result; a rebuild runs beside readers; a caller can wait for its own write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.application import CareLedger
from domain.clock import FixedClock
from projections import tallies
from projections.projector import READ_MODELS, Projector
from projections.rebuild import rebuild
from projections.store import ReadModelStore
from tests.scenario import play_story
from tests.unit.domain.test_properties import command
from tests.unit.projections.conftest import dump
from web.jobs.demo import build_demo


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(capacities=st.lists(st.integers(1, 3), min_size=4, max_size=4),
       commands=st.lists(command, max_size=30),
       restarts=st.lists(st.tuples(st.integers(1, 7), st.integers(1, 4)), max_size=8))
def test_read_models_built_live_with_restarts_equal_a_rebuild(
    tmp_path_factory, capacities, commands, restarts
) -> None:
    ledger, _, _ = play_story(capacities, commands)
    folder = tmp_path_factory.mktemp("live")
    # Live: a few events at a time, each time a new projector and connection, as after a restart.
    for batch_size, batches in restarts:
        store = ReadModelStore(folder / "live.sqlite3", READ_MODELS)
        Projector(ledger, store, batch_size=batch_size).catch_up(max_batches=batches)
        store.close()
    live = ReadModelStore(folder / "live.sqlite3", READ_MODELS)
    Projector(ledger, live, batch_size=3).catch_up()
    rebuilt_path = folder / "rebuilt.sqlite3"
    rebuild(ledger, rebuilt_path)
    rebuilt = ReadModelStore(rebuilt_path, READ_MODELS)
    assert dump(live) == dump(rebuilt)
    live.close()
    rebuilt.close()


def demo_env(folder: Path) -> dict[str, str]:
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(folder / "events.sqlite3")}


def test_a_projector_killed_mid_way_resumes_to_the_same_result_as_a_rebuild(tmp_path: Path) -> None:
    build_demo(demo_env(tmp_path), date(2026, 11, 22))
    env = {**os.environ, "CARELEDGER_DATA": str(tmp_path)}
    projector = subprocess.Popen(
        [sys.executable, "-m", "web.cli", "project", "--follow", "--batch-size", "1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    watcher = ReadModelStore(tmp_path / "read_models.sqlite3", READ_MODELS)
    deadline = time.monotonic() + 60
    while min(watcher.positions().values()) < 200 and time.monotonic() < deadline:
        time.sleep(0.01)
    projector.send_signal(signal.SIGKILL)
    projector.wait()
    killed_at = min(watcher.positions().values())
    watcher.close()
    ledger = CareLedger(env=demo_env(tmp_path))
    assert 0 < killed_at < ledger.position, "the kill should land mid-way"
    subprocess.run([sys.executable, "-m", "web.cli", "project"], env=env, check=True, capture_output=True)
    resumed = ReadModelStore(tmp_path / "read_models.sqlite3", READ_MODELS)
    rebuild(ledger, tmp_path / "clean.sqlite3")
    clean = ReadModelStore(tmp_path / "clean.sqlite3", READ_MODELS)
    assert dump(resumed) == dump(clean)
    assert tallies.city_total(resumed.db) > 0


def test_a_rebuild_runs_beside_readers_without_blocking_or_emptying_them(tmp_path: Path) -> None:
    build_demo(demo_env(tmp_path), date(2026, 11, 22))
    ledger = CareLedger(env=demo_env(tmp_path))
    path = tmp_path / "read_models.sqlite3"
    store = ReadModelStore(path, READ_MODELS)
    Projector(ledger, store).catch_up()
    expected = tallies.city_total(store.db)
    stop, seen, errors = threading.Event(), [], []

    def read_continuously() -> None:
        reader = store.reader()
        while not stop.is_set():
            try:
                seen.append(tallies.city_total(reader))
            except Exception as problem:  # noqa: BLE001 - any failure is the finding
                errors.append(problem)

    thread = threading.Thread(target=read_continuously)
    thread.start()
    rebuild(ledger, path, ["tallies"], batch_size=50)
    stop.set()
    thread.join()
    assert not errors and len(seen) > 10
    assert set(seen) == {expected}  # never half-built, never empty
    store.close()


def test_a_caller_can_wait_until_the_read_models_hold_its_write(tmp_path: Path, clock: FixedClock) -> None:
    ledger = CareLedger(env=demo_env(tmp_path), clock=clock)
    store = ReadModelStore(tmp_path / "read_models.sqlite3", READ_MODELS)
    projector = Projector(ledger, store)
    ledger.on_saved.append(projector.wake)
    stop = threading.Event()
    follower = threading.Thread(target=projector.follow, args=(stop, 5.0))
    follower.start()
    try:
        position = ledger.register_unit("Huashan Hospital", "Jing'an", "admin").position
        assert projector.wait(position, timeout=5.0)
        assert [u["name"] for u in store.reader().query("SELECT name FROM units")] == ["Huashan Hospital"]
        assert not projector.wait(position + 1000, timeout=0.2)  # a position never reached times out
    finally:
        stop.set()
        projector.wake()
        follower.join()
        store.close()


def test_a_read_model_whose_tables_changed_is_rebuilt_from_the_log_on_start(tmp_path: Path) -> None:
    build_demo(demo_env(tmp_path), date(2026, 11, 22))
    ledger = CareLedger(env=demo_env(tmp_path))
    path = tmp_path / "read_models.sqlite3"
    store = ReadModelStore(path, READ_MODELS)
    Projector(ledger, store).catch_up()
    expected = tallies.report(store.db, "2026-11-01", "2026-11-30")
    # As if these tables had been made by an older CareLedger without the monthly roll-up.
    store.conn.execute("DROP TABLE person_times_monthly")
    store.conn.execute("UPDATE positions SET version = 1 WHERE read_model = 'tallies'")
    store.close()
    upgraded = ReadModelStore(path, READ_MODELS)
    assert upgraded.positions()["tallies"] == 0 and upgraded.positions()["roster"] == ledger.position
    Projector(ledger, upgraded).catch_up()
    assert tallies.report(upgraded.db, "2026-11-01", "2026-11-30") == expected
    upgraded.close()


def test_a_rebuild_shared_between_two_processes_equals_one_in_a_single_process(tmp_path: Path) -> None:
    build_demo(demo_env(tmp_path), date(2026, 11, 22))
    ledger = CareLedger(env=demo_env(tmp_path))
    positions = rebuild(ledger, tmp_path / "shared.sqlite3", workers=2)
    rebuild(ledger, tmp_path / "single.sqlite3", workers=1)
    assert set(positions.values()) == {ledger.position}
    shared, single = (ReadModelStore(tmp_path / name, READ_MODELS) for name in ("shared.sqlite3", "single.sqlite3"))
    assert dump(shared) == dump(single) and tallies.city_total(shared.db) > 0
    assert not list(tmp_path.glob("*.rebuild*")), "the files aside are gone after the swap"
    shared.close()
    single.close()


def test_the_demo_names_its_hospitals_posts_and_trainings_in_both_languages(tmp_path: Path) -> None:
    """Out of the box the Chinese screens are Chinese and the English ones English: every name a
    demo screen shows holds both (as Shanghai's hospitals sign them)."""
    import re

    from projections import directory, trainings

    build_demo(demo_env(tmp_path), date(2026, 11, 22))
    ledger = CareLedger(env=demo_env(tmp_path))
    rebuild(ledger, tmp_path / "read.sqlite3")
    db = ReadModelStore(tmp_path / "read.sqlite3", READ_MODELS).reader()
    units = directory.units(db)
    names = [u["name"] for u in units] + [u["district"] for u in units]
    names += [post for u in units for post in directory.posts(db, u["id"])]
    names += [c["title"] for c in trainings.courses(db, None)]
    assert len(names) > 10
    for name in names:
        assert re.search(r"[\u4e00-\u9fff]", name) and re.search(r"[A-Za-z]{3}", name), name
    ledger.close()
