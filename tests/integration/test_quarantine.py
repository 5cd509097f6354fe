"""Never dark: a read model that cannot apply an event is quarantined at it, says so in /healthz
(503, degraded, in words), in /metrics and in the log, and every other read model goes on; the
server starts on such a log; /healthz is `ok` only when all is well."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from domain.application import CareLedger
from domain.clock import FixedClock
from domain.shifts import Shift
from projections.tallies import city_total, tallies
from tests.scenario import Hospital
from web.app import create_app
from web.settings import Settings

POISON = "communication"  # a check-out serving this makes the tallies' handler fail, for this test


@pytest.fixture
def failing_tallies(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tallies' check-out handler, failing on one kind of check-out (as a bug or a bad event would)."""
    handler = tallies.handlers[Shift.CheckedOut]

    def fails_on_poison(c: Any, e: Any, position: int) -> None:
        if POISON in e.served:
            raise ValueError("cannot count this check-out")
        handler(c, e, position)
    monkeypatch.setitem(tallies.handlers, Shift.CheckedOut, fails_on_poison)


def served(ledger: CareLedger, clock: FixedClock, what: dict[str, int], name: str) -> None:
    hospital = Hospital(ledger)
    volunteer = hospital.volunteer(name)
    shift = hospital.shift(clock.now() - timedelta(hours=1))
    ledger.sign_up(shift, volunteer, "coordinator")
    ledger.check_in(shift, volunteer, "kiosk", "kiosk")
    ledger.check_out(shift, volunteer, what, "kiosk")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def log_env(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The server's environment: the embedded log in a data folder, or a PostgreSQL log (a node)."""
    from tests.conftest import postgres_schema

    monkeypatch.setenv("CARELEDGER_DATA", str(tmp_path))
    if request.param == "sqlite":
        yield
        return
    for schema_env in postgres_schema():
        for name, value in {**schema_env, "CARELEDGER_TOKEN_SECRET": "t" * 64,
                            "CARELEDGER_PSEUDONYM_SECRET": "p" * 64}.items():
            monkeypatch.setenv(name, value)
        yield


def test_one_event_a_read_model_cannot_apply_stops_that_one_alone(
        log_env, clock: FixedClock, failing_tallies, told) -> None:
    settings = Settings(read_wait_seconds=5)
    ledger = CareLedger(env=settings.event_store_env(), clock=clock, policy=settings.policy)
    served(ledger, clock, {"guidance": 5}, "Li Wei")
    served(ledger, clock, {POISON: 2}, "Wang Fang")
    poisoned_at = ledger.position
    with TestClient(app=create_app(settings, ledger)) as client:  # the server starts on such a log
        state = client.app.state
        served(ledger, clock, {"guidance": 7}, "Zhao Min")  # and the log goes on
        assert state.projector.wait(ledger.position, timeout=10), "the others reach the head; wait() does not hang"
        positions = state.projector.positions()
        assert positions["roster"] == positions["hours"] == ledger.position
        assert positions["tallies"] < poisoned_at
        assert city_total(state.reader(stale=True)) == 5  # what it held before the event it could not apply

        health = client.get("/api/v1/healthz")
        assert health.status_code == 503 and health.headers["cache-control"] == "no-store"
        body = health.json()
        assert body["status"] == "degraded"
        [problem] = body["problems"]
        assert problem["read_model"] == "tallies" and problem["position"] == poisoned_at
        assert problem["event"] == "Shift.CheckedOut" and "cannot count this check-out" in problem["error"]
        assert "stopped at position" in problem["problem"] and "careledger doctor" in problem["do"]

        from web.auth import issue_token
        client.cookies.set("lang", "zh")
        client.cookies.set("token", issue_token(state, ledger.open_account(
            "auditor", "x", "auditor", [], None, "admin") and ledger.find_account("auditor")))
        board = client.get("/dashboard").text
        assert "部分数字已停止更新" in board and "服务人次统计 · 停在第" in board and "careledger doctor" in board

        # What the stopped model would answer is refused with the reason; the others answer.
        refused = client.get("/api/v1/reports/tallies")
        assert refused.status_code == 503 and refused.headers["retry-after"] == "60"
        assert refused.json()["reason"] == "read_model_stopped"
        assert "tallies (stopped at position" in refused.json()["detail"] and "Shift.CheckedOut" in \
            refused.json()["detail"]
        assert client.get("/api/v1/reports/fill-rates").status_code == 200  # the roster goes on
        again = client.get("/api/v1/reports/tallies")  # refused every time, not only the first
        assert again.status_code == 503
        client.cookies.clear()

        metrics = client.get("/metrics").text
        assert 'careledger_read_model_quarantined{read_model="tallies"} 1.0' in metrics
        assert 'careledger_read_model_quarantined{read_model="roster"} 0.0' in metrics
    [line] = [r for r in told.records if r.getMessage().startswith("read model quarantined")]
    assert (line.read_model, line.position, line.event) == ("tallies", poisoned_at, "Shift.CheckedOut")
    ledger.close()


def test_health_is_ok_only_when_all_is_well_and_says_when_a_read_model_lags(
        tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARELEDGER_DATA", str(tmp_path))
    settings = Settings(read_wait_seconds=5, stale_seconds=0)
    ledger = CareLedger(env=settings.event_store_env(), clock=clock, policy=settings.policy)
    with TestClient(app=create_app(settings, ledger)) as client:
        state = client.app.state
        served(ledger, clock, {"guidance": 5}, "Li Wei")
        assert state.projector.wait(ledger.position, timeout=10)
        fine = client.get("/api/v1/healthz")
        assert fine.status_code == 200 and fine.json()["status"] == "ok" and fine.json()["problems"] == []
        # The projector stops following (as if its thread were stuck): the log moves on without it.
        state.projector.catch_up = lambda *a, **k: 0  # type: ignore[method-assign]
        served(ledger, clock, {"guidance": 3}, "Wang Fang")
        client.get("/api/v1/healthz")  # first seen behind
        behind = client.get("/api/v1/healthz")
        assert behind.status_code == 503
        assert any("events behind the log" in p["problem"] for p in behind.json()["problems"])

        def unreachable() -> int:
            raise OSError("connection refused")
        monkeypatch.setattr(type(ledger), "position", property(lambda self: unreachable()))
        down = client.get("/api/v1/healthz")
        assert down.status_code == 503
        assert any(p["part"] == "log" and "cannot be read" in p["problem"] for p in down.json()["problems"])
    ledger.close()


FAILING_TALLIES = '''
import os
if os.environ.get("CARELEDGER_TEST_FAILING_TALLIES"):
    from domain.shifts import Shift
    from projections.tallies import tallies

    handler = tallies.handlers[Shift.CheckedOut]

    def fails_on_poison(c, e, position):
        if "communication" in e.served:
            raise ValueError("cannot count this check-out")
        handler(c, e, position)
    tallies.handlers[Shift.CheckedOut] = fails_on_poison
'''


def test_rebuild_builds_the_others_and_doctor_says_what_to_do(tmp_path: Path, clock: FixedClock) -> None:
    import os
    import subprocess
    import sys

    data, hook = tmp_path / "data", tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(FAILING_TALLIES)  # the bug, in every process the CLI starts
    env = {**os.environ, "CARELEDGER_DATA": str(data), "CARELEDGER_TEST_FAILING_TALLIES": "1",
           "PYTHONPATH": os.pathsep.join([str(hook), os.getcwd()])}
    settings_env = Settings(data_dir=data).event_store_env() | {"SQLITE_DBNAME": str(data / "events.sqlite3")}
    data.mkdir(exist_ok=True)
    with CareLedger(env=settings_env, clock=clock) as ledger:
        served(ledger, clock, {"guidance": 5}, "Li Wei")
        served(ledger, clock, {POISON: 2}, "Wang Fang")
        poisoned_at = ledger.position
        served(ledger, clock, {"guidance": 7}, "Zhao Min")
        head = ledger.position
    rebuilt = subprocess.run([sys.executable, "-m", "web.cli", "rebuild"], env=env, capture_output=True, text=True)
    assert rebuilt.returncode == 1, rebuilt.stderr
    assert f"tallies stopped at position {poisoned_at - 1}" in rebuilt.stderr
    assert "careledger doctor" in rebuilt.stderr and f"to position {head}" in rebuilt.stdout
    doctor = subprocess.run([sys.executable, "-m", "web.cli", "doctor"], env=env, capture_output=True, text=True)
    assert doctor.returncode == 1, doctor.stderr
    assert f"read model tallies: stopped at position {poisoned_at}: it cannot apply Shift.CheckedOut" in doctor.stdout
    assert "careledger rebuild tallies" in doctor.stdout and f"read model roster: up to date (position {head})" \
        in doctor.stdout
    fixed = {k: v for k, v in env.items() if k != "CARELEDGER_TEST_FAILING_TALLIES"}  # the release that reads it
    assert subprocess.run([sys.executable, "-m", "web.cli", "rebuild", "tallies"], env=fixed).returncode == 0
    well = subprocess.run([sys.executable, "-m", "web.cli", "doctor"], env=fixed, capture_output=True, text=True)
    assert well.returncode == 0 and "All is well." in well.stdout


def test_a_handler_s_sql_error_quarantines_its_model_but_the_file_s_fault_is_tried_again(
        tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from projections.projector import READ_MODELS, Projector
    from projections.store import ReadModelStore

    ledger = CareLedger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=clock)
    served(ledger, clock, {"guidance": 5}, "Li Wei")
    handler = tallies.handlers[Shift.CheckedOut]
    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = 13  # SQLITE_FULL, as SQLite sets it

    def disk_full(c: Any, e: Any, position: int) -> None:
        raise full
    monkeypatch.setitem(tallies.handlers, Shift.CheckedOut, disk_full)
    store = ReadModelStore(tmp_path / "read_models.sqlite3", READ_MODELS)
    projector = Projector(ledger, store)
    with pytest.raises(sqlite3.OperationalError):
        projector.catch_up()  # the file's fault: nothing quarantined, follow() tries again
    assert projector.quarantined == {}

    def bad_sql(c: Any, e: Any, position: int) -> None:
        c.execute("SELECT no_such_column FROM person_times")
    monkeypatch.setitem(tallies.handlers, Shift.CheckedOut, bad_sql)
    projector = Projector(ledger, store)  # (handlers are routed when a projector is made)
    projector.catch_up()  # a bug in the handler: that read model stops there, the others go on
    assert list(projector.quarantined) == ["tallies"] and "no such column" in projector.quarantined["tallies"].error
    assert store.positions()["roster"] == ledger.position
    monkeypatch.setitem(tallies.handlers, Shift.CheckedOut, handler)
    store.close()
