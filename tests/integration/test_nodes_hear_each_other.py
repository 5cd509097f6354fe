"""Nodes on one PostgreSQL log hear each other's writes at once (LISTEN/NOTIFY), so a write
through one node shows on another's live board without waiting for its next look at the log."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from domain.clock import FixedClock
from tests.integration.conftest import nodes_on_postgres

pytestmark = pytest.mark.postgres


def test_a_write_through_one_node_reaches_the_others_read_models_long_before_their_next_poll(
        tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    # Each node looks at the log on its own only every 30 s here: hearing is the only quick way.
    with nodes_on_postgres(tmp_path, clock, monkeypatch, CARELEDGER_POLL_SECONDS="30") as (a, b):
        b.app.state.projector.wait(b.app.state.ledger.position, timeout=10)
        time.sleep(0.5)  # B has settled into its 30-second wait
        for name in ("Ruijin Hospital", "Renji Hospital", "Huashan Hospital"):
            written = time.monotonic()
            position = a.app.state.ledger.register_unit(name, "Huangpu", "admin").position
            assert b.app.state.projector.wait(position, timeout=5)
            assert time.monotonic() - written < 2
        units = b.app.state.reader().query("SELECT name FROM units ORDER BY name")
        assert [u["name"] for u in units] == ["Huashan Hospital", "Renji Hospital", "Ruijin Hospital"]
