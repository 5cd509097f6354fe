"""An app on a fresh data folder, a fixed clock, and a client per role."""

from __future__ import annotations

import logging

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from litestar.testing import TestClient

from domain.application import CareLedger
from domain.clock import FixedClock
from tests.conftest import postgres_schema
from tests.scenario import Hospital
from web.app import create_app
from web.passwords import hash_password
from web.settings import Settings

PASSWORD = "correct horse battery"


def login_token(client: TestClient, prefix: str = "") -> dict[str, str]:
    """The login form's token, read off the login page as a browser has it (its cookie kept)."""
    import re

    found = re.search(r'name="_csrf" value="([0-9a-f]+)"', client.get(prefix + "/login").text)
    assert found, "the login form carries its token"
    return {"_csrf": found.group(1)}


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
            ("ward", "ward", unit, None),
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


@contextmanager
def nodes_on_postgres(tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch, count: int = 2,
                      **env: str) -> Iterator[list[TestClient]]:
    """`count` web nodes in this process, each with its own data folder, on one fresh PostgreSQL
    schema and the same secrets (as a city runs them); their apps are `client.app`."""
    for schema_env in postgres_schema():
        for name, value in {**schema_env, "CARELEDGER_TOKEN_SECRET": "same-on-every-node-" + "1" * 32,
                            "CARELEDGER_PSEUDONYM_SECRET": "same-on-every-node-" + "2" * 32, **env}.items():
            monkeypatch.setenv(name, value)
        apps = []
        for node in range(count):
            monkeypatch.setenv("CARELEDGER_DATA", str(tmp_path / f"node{node}"))
            settings = Settings(read_wait_seconds=2)
            apps.append(create_app(settings, CareLedger(env=settings.event_store_env(), clock=clock,
                                                        policy=settings.policy)))
        try:
            with ExitStack() as running:
                yield [running.enter_context(TestClient(app=app)) for app in apps]
        finally:
            for app in apps:
                app.state.ledger.close()


class Told(logging.Handler):
    """What CareLedger logged while a test ran (the app configures logging as it starts, so this
    listens on CareLedger's own logger, not through pytest's caplog)."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def told() -> Iterator[Told]:
    handler = Told()
    logging.getLogger("careledger").addHandler(handler)
    yield handler
    logging.getLogger("careledger").removeHandler(handler)
