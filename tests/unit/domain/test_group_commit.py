"""The embedded SQLite log under load: saves that arrive together share a commit, a lost race is
refused alone, every answered save is in the log with the position it was told."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from domain.application import CareLedger
from domain.clock import FixedClock
from domain.storage.recorder import GroupCommitRecorder
from tests.conftest import CST
from tests.scenario import COORDINATOR, Hospital


@pytest.fixture
def sqlite_ledger(tmp_path: Path, clock: FixedClock) -> CareLedger:
    ledger = CareLedger(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                             "SQLITE_DBNAME": str(tmp_path / "events.sqlite3")}, clock=clock)
    ledger.open_catalogue()
    yield ledger
    ledger.close()


def _event(originator, version: int) -> StoredEvent:
    return StoredEvent(originator_id=originator, originator_version=version, topic="test:Event", state=b"{}")


def test_the_sqlite_log_is_written_by_the_group_commit_recorder(sqlite_ledger: CareLedger) -> None:
    assert isinstance(sqlite_ledger.recorder, GroupCommitRecorder)


def test_saves_from_many_threads_all_land_with_the_positions_they_were_told(sqlite_ledger: CareLedger) -> None:
    recorder = sqlite_ledger.recorder
    told: dict[object, list[int]] = {}
    lock = threading.Lock()

    def save(n: int) -> None:
        for _ in range(n):
            originator = uuid4()
            ids = recorder.insert_events([_event(originator, 1), _event(originator, 2)])
            with lock:
                told[originator] = list(ids)

    threads = [threading.Thread(target=save, args=(40,)) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(told) == 640
    recorded = {(n.originator_id, n.originator_version): n.id
                for n in recorder.select_notifications(1, 10_000)}
    for originator, (first, second) in told.items():
        assert recorded[(originator, 1)] == first and recorded[(originator, 2)] == second
    every_id = sorted(i for ids in told.values() for i in ids)
    assert len(set(every_id)) == len(every_id)


def test_a_lost_race_in_a_shared_commit_is_refused_alone(sqlite_ledger: CareLedger) -> None:
    recorder = sqlite_ledger.recorder
    taken = uuid4()
    recorder.insert_events([_event(taken, 1)])
    barrier = threading.Barrier(12)
    outcomes: list[str] = []

    def save(originator) -> None:
        barrier.wait()
        try:
            recorder.insert_events([_event(originator, 1)])
            outcomes.append("saved")
        except IntegrityError:
            outcomes.append("refused")

    racers = [taken] * 4 + [uuid4() for _ in range(8)]
    threads = [threading.Thread(target=save, args=(o,)) for o in racers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused"] * 4 + ["saved"] * 8
    assert len(recorder.select_notifications(1, 100)) > 8


def test_commands_performed_from_an_event_loop_race_cleanly_for_the_last_place(sqlite_ledger: CareLedger) -> None:
    hospital = Hospital(sqlite_ledger)
    shift = hospital.shift(capacity=3)
    volunteers = [hospital.volunteer(f"V{i}") for i in range(8)]

    async def everyone() -> list[str]:
        async def one(v) -> str:
            try:
                await sqlite_ledger.perform(sqlite_ledger.sign_up, shift, v, COORDINATOR)
                return "signed up"
            except Exception as refused:  # noqa: BLE001 - the refusal's reason is what we check
                return getattr(refused, "reason", repr(refused))
        return await asyncio.gather(*(one(v) for v in volunteers))

    outcomes = run(everyone())
    assert outcomes.count("signed up") == 3
    assert set(outcomes) - {"signed up"} <= {"shift_full", "concurrent_change"}
    assert sqlite_ledger.get_shift(shift).filled == 3


def test_a_performed_command_answers_the_position_of_its_events(sqlite_ledger: CareLedger) -> None:
    hospital = Hospital(sqlite_ledger)
    shift, volunteer = hospital.shift(), hospital.volunteer()
    receipt = run(sqlite_ledger.perform(sqlite_ledger.sign_up, shift, volunteer, COORDINATOR))
    assert receipt.position == sqlite_ledger.position
    assert hospital.events_of(shift)[-1] == "SignedUp"


def test_a_repeated_check_in_performed_twice_records_nothing_the_second_time(sqlite_ledger: CareLedger,
                                                                             clock: FixedClock) -> None:
    hospital = Hospital(sqlite_ledger)
    shift, volunteer = hospital.shift(), hospital.volunteer()
    sqlite_ledger.sign_up(shift, volunteer, COORDINATOR)
    clock.set(sqlite_ledger.get_shift(shift).starts_at)

    async def twice():
        first = await sqlite_ledger.perform(sqlite_ledger.check_in, shift, volunteer, "kiosk", COORDINATOR)
        second = await sqlite_ledger.perform(sqlite_ledger.check_in, shift, volunteer, "kiosk", COORDINATOR)
        return first, second

    first, second = run(twice())
    assert first.value == second.value and first.position is not None and second.position is None
    assert hospital.events_of(shift).count("CheckedIn") == 1


def test_the_committer_keeps_saving_after_a_caller_s_event_loop_has_gone(sqlite_ledger: CareLedger) -> None:
    hospital = Hospital(sqlite_ledger)
    first = hospital.shift()
    second = hospital.shift(starts=datetime(2026, 11, 25, 8, tzinfo=CST))
    volunteer = hospital.volunteer()
    def leave_early() -> None:
        loop = asyncio.new_event_loop()
        loop.run_until_complete(_start(sqlite_ledger, first, volunteer))
        loop.close()  # gone before its answer could be delivered
    on_a_thread_of_its_own(leave_early)
    receipt = run(sqlite_ledger.perform(sqlite_ledger.sign_up, second, volunteer, COORDINATOR))
    assert receipt.position is not None and hospital.events_of(second)[-1] == "SignedUp"


def on_a_thread_of_its_own(work: Any) -> Any:
    """Run `work` where no event loop is running (another test's browser may be running one here)."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(work).result()


def run(coroutine: Any) -> Any:
    return on_a_thread_of_its_own(lambda: asyncio.run(coroutine))


async def _start(ledger: CareLedger, shift, volunteer):
    """Hand a save to the committer and leave without waiting for it."""
    task = asyncio.ensure_future(ledger.perform(ledger.sign_up, shift, volunteer, COORDINATOR))
    await asyncio.sleep(0)  # the command is decided and its save queued
    return task


def test_a_write_by_another_process_is_seen_before_the_next_decision(tmp_path: Path, clock: FixedClock) -> None:
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "events.sqlite3")}
    server, cli = CareLedger(env=env, clock=clock), CareLedger(env=env, clock=clock)
    server.HEAD_LOOK_SECONDS = 0  # look at the log's head before every decision
    server.open_catalogue()
    hospital = Hospital(server)
    shift, volunteer = hospital.shift(capacity=1), hospital.volunteer()
    other = hospital.volunteer("Wang Fang")
    server.get_volunteer(volunteer), server.get_shift(shift)  # both cached in the serving process
    cli.suspend_volunteer(volunteer, "badge lost", COORDINATOR)  # written by another process
    with pytest.raises(Exception) as refused:
        server.sign_up(shift, volunteer, COORDINATOR)
    assert getattr(refused.value, "reason", "") == "volunteer_not_active"
    cli.sign_up(shift, other, COORDINATOR)  # the last place, taken elsewhere
    assert server.get_shift(shift).filled == 1
    server.close(), cli.close()


def test_with_the_default_look_a_write_elsewhere_is_seen_within_milliseconds(tmp_path: Path, clock: FixedClock) -> None:
    import time

    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "events.sqlite3")}
    server, cli = CareLedger(env=env, clock=clock), CareLedger(env=env, clock=clock)
    server.open_catalogue()
    hospital = Hospital(server)
    shift, other = hospital.shift(capacity=1), hospital.volunteer("Wang Fang")
    assert server.get_shift(shift).filled == 0
    cli.sign_up(shift, other, COORDINATOR)
    time.sleep(server.HEAD_LOOK_SECONDS * 2)
    assert server.get_shift(shift).filled == 1
    server.close(), cli.close()


def test_a_commit_sqlite_calls_locked_at_once_is_tried_again_not_refused(sqlite_ledger: CareLedger,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    recorder = sqlite_ledger.recorder
    original, failures = recorder._transaction, []

    def locked_twice(conn, batch):
        if len(failures) < 2:
            failures.append(1)
            raise sqlite3.OperationalError("database is locked")
        return original(conn, batch)

    monkeypatch.setattr(recorder, "_transaction", locked_twice)
    hospital = Hospital(sqlite_ledger)
    assert len(failures) == 2  # the first writes met "locked" twice, and landed all the same
    assert sqlite_ledger.get_unit(hospital.unit).name == "Ruijin Hospital"

    def always_locked(conn, batch):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(recorder, "_transaction", always_locked)
    with pytest.raises(Exception, match="locked"):
        sqlite_ledger.register_unit("Huashan Hospital", "Jing'an", "admin")
