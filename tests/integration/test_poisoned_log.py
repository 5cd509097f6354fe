"""A log that was already poisoned still serves: a store written before the domain checked its
bounds may hold a quadrillion person-times. Such an event is read clamped to the bound (logged
once, with its position); the read models build, the server starts, `careledger rebuild` ends well."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
from litestar.testing import TestClient

from domain import bounds
from domain.application import CareLedger
from domain.clock import FixedClock
from domain.shifts import Shift
from projections.tallies import city_total
from tests.scenario import Hospital
from web.app import create_app
from web.settings import Settings

QUADRILLION = 10**15
PAST_UINT64 = 18446744073709551621  # what SQLite cannot hold at all (the projector died on it)


def poison(ledger: CareLedger, clock: FixedClock, served: int) -> UUID:
    """A check-out recorded straight into the log, past the domain's checks (as an old version could)."""
    hospital = Hospital(ledger)
    volunteer = hospital.volunteer("Li Wei")
    shift_id = hospital.shift(clock.now() - timedelta(hours=1))
    ledger.sign_up(shift_id, volunteer, "coordinator")
    ledger.check_in(shift_id, volunteer, "kiosk", "kiosk")
    shift = ledger._get(Shift, shift_id, "shift")
    shift._checked_out(volunteer, clock.now(), {"guidance": served, "communication": 3}, 60, "old-version")
    ledger.save(shift)
    return shift_id


@pytest.mark.parametrize("served", [QUADRILLION, PAST_UINT64, -5])
def test_a_poisoned_check_out_is_read_clamped_and_everything_else_is_served(
        tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch, told, served: int) -> None:
    monkeypatch.setenv("CARELEDGER_DATA", str(tmp_path))
    settings = Settings(read_wait_seconds=5)
    ledger = CareLedger(env=settings.event_store_env(), clock=clock, policy=settings.policy)
    shift_id = poison(ledger, clock, served)
    poisoned_at = ledger.position
    ledger.register_unit("Huashan Hospital", "Jing'an", "admin")  # the log goes on after the poisoned event
    with TestClient(app=create_app(settings, ledger)) as client:  # the server starts on it
        state = client.app.state
        assert state.projector.wait(ledger.position, timeout=10), "every read model reaches the head"
        expected = min(max(served, 0), bounds.PERSON_TIMES) + 3
        assert city_total(state.reader()) == expected
        assert ledger.get_shift(shift_id).seats  # the shift itself still loads
    clamped = [r for r in told.records if r.getMessage() == "event read with values clamped to their bounds"]
    assert [(r.position, r.fields) for r in clamped] == [(poisoned_at, ["served.guidance"])], "logged once"
    ledger.close()


def test_careledger_rebuild_and_serve_start_on_a_poisoned_store(tmp_path: Path, clock: FixedClock) -> None:
    env = {**os.environ, "CARELEDGER_DATA": str(tmp_path), "CARELEDGER_LOG_FORMAT": "json"}
    settings_env = Settings(data_dir=tmp_path).event_store_env() | {"SQLITE_DBNAME": str(tmp_path / "events.sqlite3")}
    with CareLedger(env=settings_env, clock=clock) as ledger:
        poison(ledger, clock, PAST_UINT64)
        head = ledger.position
    rebuilt = subprocess.run([sys.executable, "-m", "web.cli", "rebuild"], env=env, capture_output=True, text=True)
    assert rebuilt.returncode == 0, rebuilt.stderr
    lines = [json.loads(line) for line in rebuilt.stderr.splitlines() + rebuilt.stdout.splitlines()
             if line.startswith("{")]
    assert any(line.get("message") == "event read with values clamped to their bounds" for line in lines), lines
    reported = subprocess.run([sys.executable, "-m", "web.cli", "report", "--from", "2026-11-01", "--to",
                               "2026-11-30"], env=env, capture_output=True, text=True)
    assert reported.returncode == 0, reported.stderr
    assert f"{bounds.PERSON_TIMES + 3:,}" in reported.stdout or str(bounds.PERSON_TIMES + 3) in reported.stdout
    assert head > 0


def test_what_is_recorded_from_now_on_is_refused_before_it_is_written(tmp_path: Path, clock: FixedClock,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The repair is for the past only: the domain itself refuses the same check-out today."""
    from domain.errors import InvalidCommand

    monkeypatch.setenv("CARELEDGER_DATA", str(tmp_path))
    settings = Settings()
    with CareLedger(env=settings.event_store_env(), clock=clock, policy=settings.policy) as ledger:
        hospital = Hospital(ledger)
        volunteer = hospital.volunteer("Li Wei")
        shift = hospital.shift(clock.now() - timedelta(hours=1))
        ledger.sign_up(shift, volunteer, "coordinator")
        ledger.check_in(shift, volunteer, "kiosk", "kiosk")
        before = ledger.position
        with pytest.raises(InvalidCommand) as refused:
            ledger.check_out(shift, volunteer, {"guidance": QUADRILLION}, "volunteer")
        assert refused.value.field == "served.guidance" and ledger.position == before
