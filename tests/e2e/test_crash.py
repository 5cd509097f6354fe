"""kill -9 under load: every write answered 2xx survives, in the log and in the read models, and
the read models after the crash equal a clean rebuild. On the embedded SQLite log and on PostgreSQL."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from domain.application import CareLedger
from projections.projector import READ_MODELS
from projections.store import ReadModelStore
from tests.conftest import postgres_schema
from tests.e2e.conftest import PASSWORD, ZONE, free_port, serve, stop
from tests.unit.projections.conftest import dump
from web.settings import Settings


class Server:
    """A real server on the store under test, to call, kill and start again."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env, self.port = env, free_port()
        self.base = f"http://127.0.0.1:{self.port}/api/v1"
        self.process: subprocess.Popen | None = None
        self.log = Path(env["CARELEDGER_DATA"]) / "server.log"

    def start(self) -> Server:
        self.process = serve(self.env, self.port, self.log)
        return self

    def kill(self) -> None:
        stop(self.process, signal.SIGKILL)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)

    def call(self, method: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
        headers = {"content-type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
        request = urllib.request.Request(self.base + path, method=method, headers=headers,
                                         data=json.dumps(body).encode() if body is not None else None)
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                body = json.loads(answer.read() or b"{}")
                return answer.status, body | {"_position": int(answer.headers.get("X-CareLedger-Position") or 0)}
        except urllib.error.HTTPError as refused:
            return refused.code, json.loads(refused.read() or b"{}")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PERSISTENCE_", "POSTGRES_", "SQLITE_"))}
    base |= {"CARELEDGER_DATA": str(tmp_path), "CARELEDGER_TIMEZONE": "Asia/Shanghai"}
    if request.param == "sqlite":
        yield base
        return
    for env in postgres_schema():
        yield base | env | {"CARELEDGER_TOKEN_SECRET": "crash-test-1", "CARELEDGER_PSEUDONYM_SECRET": "crash-test-2"}


def _seed(server: Server, volunteers: int = 48, shifts: int = 6) -> tuple[str, list[str], list[str]]:
    admin = server.call("POST", "/auth/token", {"username": "root", "password": PASSWORD})[1]["access_token"]
    unit = server.call("POST", "/units", {"name": "Zhongshan Hospital", "district": "Xuhui"}, admin)[1]["id"]
    server.call("POST", "/accounts", {"username": "coord", "password": PASSWORD, "role": "coordinator",
                                      "unit_ids": [unit]}, admin)
    coord = server.call("POST", "/auth/token", {"username": "coord", "password": PASSWORD})[1]["access_token"]
    people = []
    for i in range(volunteers):
        v = server.call("POST", "/volunteers", {"name": f"Volunteer {i}", "phone": f"1390000{i:04d}",
                                                "unit_id": unit}, coord)[1]["id"]
        assert server.call("POST", f"/volunteers/{v}/approve", token=coord)[0] == 200
        people.append(v)
    start = datetime.now(ZONE).replace(microsecond=0) + timedelta(minutes=10)
    desks = [server.call("POST", "/shifts", {"unit_id": unit, "post": f"desk {k}", "starts_at": start.isoformat(),
                                             "ends_at": (start + timedelta(hours=3)).isoformat(),
                                             "capacity": volunteers}, coord)[1]["id"] for k in range(shifts)]
    return coord, people, desks


def test_every_answered_write_survives_kill_9_and_the_read_models_equal_a_rebuild(store: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "web.cli", "create-user", "--username", "root", "--password", PASSWORD,
                    "--role", "admin"], env=store, check=True, capture_output=True)
    server = Server(store).start()
    coord, people, desks = _seed(server)
    answered: list[tuple[str, str, str, int]] = []  # (what, shift, volunteer, position) answered 2xx
    lock = threading.Lock()

    def kiosk(k: int) -> None:
        # Each worker takes its own volunteers onto every desk: sign up, then check in.
        mine = people[k::8]
        for shift in desks:
            for volunteer in mine:
                for what, path in (("signed_up", "signups"), ("checked_in", "check-in")):
                    try:
                        status, body = server.call("POST", f"/shifts/{shift}/{path}", {"volunteer_id": volunteer},
                                                   coord)
                    except OSError:
                        return  # the server is gone
                    if status in (200, 201):
                        with lock:
                            answered.append((what, shift, volunteer, body["_position"]))

    workers = [threading.Thread(target=kiosk, args=(k,)) for k in range(8)]
    for w in workers:
        w.start()
    time.sleep(random.uniform(0.5, 2.0))
    server.kill()
    for w in workers:
        w.join(timeout=30)
    assert answered, "writes were answered before the kill"

    server = Server(store).start()  # the same data folder and log
    try:
        last = max(position for *_, position in answered)
        for what, shift, volunteer, _ in answered:
            status, seen = server.call("GET", f"/shifts/{shift}?min_position={last}", token=coord)
            assert status == 200
            roster = {seat["volunteer_id"]: seat["state"] for seat in seen["roster"]}
            assert volunteer in roster, f"{what} of {volunteer} on {shift} was answered but is not in the roster"
            if what == "checked_in":
                assert roster[volunteer] == "checked_in"
        health = server.call("GET", "/healthz")[1]
    finally:
        server.stop()
    settings_env = Settings(data_dir=Path(store["CARELEDGER_DATA"])).event_store_env() if "POSTGRES_SCHEMA" not in \
        store else {k: v for k, v in store.items() if k.startswith(("PERSISTENCE_", "POSTGRES_"))}
    if "POSTGRES_SCHEMA" not in store:
        settings_env["SQLITE_DBNAME"] = str(Path(store["CARELEDGER_DATA"]) / "events.sqlite3")
    with CareLedger(env=settings_env) as ledger:  # and in the log itself
        assert ledger.position == health["position"]
        for what, shift, volunteer, _ in answered:
            seat = ledger.get_shift(UUID(shift)).seats[UUID(volunteer)]
            assert what == "signed_up" or seat.checked_in_at is not None
    live_path = Path(store["CARELEDGER_DATA"]) / "read_models.sqlite3"
    live = ReadModelStore(live_path, READ_MODELS)
    after_crash = dump(live)
    live.close()
    rebuilt = subprocess.run([sys.executable, "-m", "web.cli", "rebuild"], env=store, capture_output=True, text=True)
    assert rebuilt.returncode == 0, rebuilt.stderr
    live = ReadModelStore(live_path, READ_MODELS)
    assert dump(live) == after_crash
    live.close()
