"""An app on a fresh data folder, a fixed clock, and a client per role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from domain.application import CareLedger
from domain.clock import FixedClock
from web.app import create_app
from web.passwords import hash_password
from web.settings import Settings
from tests.scenario import Hospital

PASSWORD = "correct horse battery"


class World:
    """A hospital seeded through the application, and tokens for each role."""

    def __init__(self, client: TestClient, ledger: CareLedger) -> None:
        self.client, self.ledger = client, ledger
        self.hospital = Hospital(ledger)
        self.other_unit = ledger.register_unit("Huashan Hospital", "Jing'an", "admin").id
        self.volunteer = self.hospital.volunteer("Li Wei")
        self.other_volunteer = self.hospital.volunteer("Wang Fang")
        unit = [self.hospital.unit]
        for username, role, units, volunteer in (
            ("admin", "admin", [], None), ("coord", "coordinator", unit, None),
            ("other_coord", "coordinator", [self.other_unit], None), ("li", "volunteer", [], self.volunteer),
            ("kiosk", "kiosk", unit, None), ("sw", "social_worker", unit, None), ("auditor", "auditor", [], None),
        ):
            ledger.open_account(username, hash_password(PASSWORD), role, units, volunteer, "admin")
        self.tokens: dict[str, str] = {}

    def settle(self) -> None:
        """Wait until the read models hold everything written so far (as a client would with min_position)."""
        assert self.client.app.state.projector.wait(self.ledger.position, timeout=10)

    def headers(self, username: str | None) -> dict[str, str]:
        if username is None:
            return {}
        if username not in self.tokens:
            answer = self.client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
            assert answer.status_code == 200, answer.text
            self.tokens[username] = answer.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def call(self, username: str | None, method: str, path: str, headers: dict | None = None, **kwargs):
        return self.client.request(method, path, headers={**self.headers(username), **(headers or {})}, **kwargs)


@pytest.fixture
def world(tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("CARELEDGER_DATA", str(tmp_path))
    settings = Settings(read_wait_seconds=0.5)
    ledger = CareLedger(env=settings.event_store_env(), clock=clock, policy=settings.policy)
    with TestClient(app=create_app(settings, ledger)) as client:
        yield World(client, ledger)
