from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.application import CareLedger
from projections.projector import READ_MODELS, Projector
from projections.store import ReadModelStore
from tests.scenario import Hospital


def dump(store: ReadModelStore) -> dict[str, list[tuple]]:
    """Every row of every read-model table, in a stable order: what 'equal read models' means."""
    tables = [t for m in store.models.values() for t in m.tables]
    return {t: sorted(store.conn.execute(f"SELECT * FROM [{t}]").fetchall(), key=repr) for t in tables} | {
        "positions": sorted(store.conn.execute("SELECT * FROM positions").fetchall())}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ReadModelStore]:
    s = ReadModelStore(tmp_path / "read_models.sqlite3", READ_MODELS)
    yield s
    s.close()


@pytest.fixture
def hospital(memory_ledger: CareLedger) -> Hospital:
    return Hospital(memory_ledger)


@pytest.fixture
def project(memory_ledger: CareLedger, store: ReadModelStore):
    """Bring the read models up to date with everything recorded so far."""
    projector = Projector(memory_ledger, store)
    return lambda: projector.catch_up()
