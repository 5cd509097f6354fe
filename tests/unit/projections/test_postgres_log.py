"""The projector follows a PostgreSQL log exactly as it follows the SQLite file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from domain.application import CareLedger
from projections import tallies
from projections.projector import READ_MODELS, Projector
from projections.rebuild import rebuild
from projections.store import ReadModelStore
from tests.conftest import postgres_schema
from tests.unit.projections.conftest import dump
from web.jobs.demo import build_demo


@pytest.mark.postgres
def test_read_models_from_a_postgres_log_match_a_rebuild_and_the_demo(tmp_path: Path) -> None:
    for env in postgres_schema():
        summary = build_demo(env, date(2026, 11, 22))
        ledger = CareLedger(env=env)
        live = ReadModelStore(tmp_path / "live.sqlite3", READ_MODELS)
        Projector(ledger, live, batch_size=97).catch_up()
        rebuild(ledger, tmp_path / "rebuilt.sqlite3")
        rebuilt = ReadModelStore(tmp_path / "rebuilt.sqlite3", READ_MODELS)
        assert dump(live) == dump(rebuilt)
        session_persons = live.db.execute("SELECT SUM(persons) FROM sessions").fetchone()[0]
        group_persons = live.db.execute("SELECT SUM(persons) FROM group_meetings").fetchone()[0]
        assert tallies.city_total(live.db) == summary.person_times + session_persons + group_persons
        ledger.close()
