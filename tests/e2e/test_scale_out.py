"""Several web nodes on one PostgreSQL log, each with its own SQLite read models."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import postgres_schema
from tests.e2e.conftest import PASSWORD, ZONE, free_port, serve, stop

pytestmark = pytest.mark.postgres


class Node:
    def __init__(self, env: dict[str, str], data: Path) -> None:
        self.env = {**env, "CARELEDGER_DATA": str(data)}
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log = data / "node.log"

    def start(self) -> Node:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.process = serve(self.env, self.port, self.log)
        return self

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)

    def call(self, method: str, path: str, body: dict | None = None, token: str | None = None,
             query: str = "", headers: dict | None = None) -> tuple[int, dict, dict]:
        headers = {"content-type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {}),
                   **(headers or {})}
        request = urllib.request.Request(f"{self.base}/api/v1{path}{query}", method=method, headers=headers,
                                         data=json.dumps(body).encode() if body is not None else None)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, json.loads(answer.read() or b"{}"), dict(answer.headers)
        except urllib.error.HTTPError as refused:
            return refused.code, json.loads(refused.read() or b"{}"), dict(refused.headers)


@pytest.fixture
def shared_log(tmp_path: Path) -> Iterator[dict[str, str]]:
    for env in postgres_schema():
        shared = {**os.environ, **env, "CARELEDGER_TOKEN_SECRET": "same-on-every-node-1",
                  "CARELEDGER_PSEUDONYM_SECRET": "same-on-every-node-2", "CARELEDGER_TIMEZONE": "Asia/Shanghai"}
        subprocess.run([sys.executable, "-m", "web.cli", "create-user", "--username", "root", "--password", PASSWORD,
                        "--role", "admin"], env={**shared, "CARELEDGER_DATA": str(tmp_path / "admin")}, check=True,
                       capture_output=True)
        yield shared


def test_two_nodes_share_one_log_keep_every_rule_and_read_their_writes(shared_log, tmp_path: Path) -> None:
    a, b = Node(shared_log, tmp_path / "a").start(), Node(shared_log, tmp_path / "b").start()
    try:
        status, login, _ = a.call("POST", "/auth/token", {"username": "root", "password": PASSWORD})
        admin = login["access_token"]
        _, unit, headers = a.call("POST", "/units", {"name": "Ruijin Hospital", "district": "Huangpu"}, admin)
        # Written on A, read on B: the token is valid there and min_position waits for the write.
        status, units, _ = b.call("GET", "/units", token=admin, query=f"?min_position={headers['x-careledger-position']}")
        assert status == 200 and [u["name"] for u in units] == ["Ruijin Hospital"]
        a.call("POST", "/accounts", {"username": "coord", "password": PASSWORD, "role": "coordinator",
                                     "unit_ids": [unit["id"]]}, admin)
        coord = b.call("POST", "/auth/token", {"username": "coord", "password": PASSWORD})[1]["access_token"]
        volunteers = []
        for i in range(11):
            node = (a, b)[i % 2]
            _, v, _ = node.call("POST", "/volunteers", {"name": f"V{i}", "phone": f"1390000{i:04d}", "unit_id": unit["id"]}, coord)
            node.call("POST", f"/volunteers/{v['id']}/approve", token=coord)
            volunteers.append(v["id"])
        start = datetime.now(ZONE) + timedelta(days=1)
        _, shift, _ = a.call("POST", "/shifts", {"unit_id": unit["id"], "post": "desk", "starts_at": start.isoformat(),
                                                 "ends_at": (start + timedelta(hours=4)).isoformat(), "capacity": 10},
                             coord)
        # 11 volunteers race for 10 places through both nodes: PostgreSQL decides, exactly 10 win.
        barrier, statuses = threading.Barrier(11), []

        def take(i: int, volunteer: str) -> None:
            barrier.wait()
            statuses.append((a, b)[i % 2].call("POST", f"/shifts/{shift['id']}/signups",
                                               {"volunteer_id": volunteer}, coord)[0])

        threads = [threading.Thread(target=take, args=(i, v)) for i, v in enumerate(volunteers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(statuses) == [201] * 10 + [409]
        _, seen_b, _ = b.call("GET", f"/shifts/{shift['id']}", token=coord, query="?min_position=" +
                              str(a.call("GET", "/healthz")[1]["position"]))
        assert seen_b["filled"] == 10

        # B goes down; A keeps writing; B comes back and catches up.
        b.stop()
        _, extra, headers = a.call("POST", "/units", {"name": "Renji Hospital", "district": "Pudong"}, admin)
        b.start()
        health = b.call("GET", "/healthz")[1]
        assert health["position"] >= int(headers["x-careledger-position"])
        assert max(health["lag"].values()) == 0
        # A new node starts from an empty read-model file and builds it, showing progress.
        c = Node(shared_log, tmp_path / "c").start()
        try:
            assert "catching up" in c.log.read_text()
            names = [u["name"] for u in c.call("GET", "/units", token=admin)[1]]
            assert sorted(names) == ["Renji Hospital", "Ruijin Hospital"]
        finally:
            c.stop()
    finally:
        a.stop()
        b.stop()


def test_a_retry_and_a_guess_find_what_another_node_kept(shared_log, tmp_path: Path) -> None:
    """Behind a load balancer a retry may reach another node: it gets the first answer and
    records nothing twice; failed logins count on every node, so guessing is no faster there."""
    a, b = Node(shared_log, tmp_path / "a").start(), Node(shared_log, tmp_path / "b").start()
    try:
        admin = a.call("POST", "/auth/token", {"username": "root", "password": PASSWORD})[1]["access_token"]
        once = {"Idempotency-Key": "new-unit-7f3a"}
        body = {"name": "Ruijin Hospital", "district": "Huangpu"}
        first = a.call("POST", "/units", body, admin, headers=once)
        retried = b.call("POST", "/units", body, admin, headers=once)
        assert first[0] == retried[0] == 201 and retried[1]["id"] == first[1]["id"]
        assert b.call("POST", "/units", {**body, "name": "Renji"}, admin, headers=once)[0] == 422
        units = b.call("GET", "/units", token=admin, query=f"?min_position={first[2]['x-careledger-position']}")[1]
        assert [u["name"] for u in units] == ["Ruijin Hospital"]

        for i in range(5):  # the default: five failures in five minutes
            assert (a, b)[i % 2].call("POST", "/auth/token", {"username": "root", "password": "guess"})[0] == 401
        for node in (a, b):
            status, _, headers = node.call("POST", "/auth/token", {"username": "root", "password": PASSWORD})
            assert status == 429 and int(headers["retry-after"]) > 0
    finally:
        a.stop()
        b.stop()


def test_an_unreachable_database_is_one_clear_sentence_not_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_HOST": "127.0.0.1",
           "POSTGRES_PORT": str(free_port()), "POSTGRES_USER": "postgres", "POSTGRES_DBNAME": "test",
           "CARELEDGER_DATA": str(tmp_path), "CARELEDGER_TOKEN_SECRET": "x", "CARELEDGER_PSEUDONYM_SECRET": "y"}
    down = subprocess.run([sys.executable, "-m", "web.cli", "serve"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert down.returncode == 2 and "cannot reach the event store" in down.stderr
    assert "Traceback" not in down.stderr + down.stdout
    wrong_user = subprocess.run([sys.executable, "-m", "web.cli", "report"], env={**env, "POSTGRES_PORT": "5432",
                                "POSTGRES_USER": "no_such_role"}, capture_output=True, text=True, timeout=60)
    assert wrong_user.returncode == 2 and 'role "no_such_role" does not exist' in wrong_user.stderr
    no_secret = subprocess.run([sys.executable, "-m", "web.cli", "serve"],
                               env={**env, "POSTGRES_PORT": "5432", "CARELEDGER_TOKEN_SECRET": ""},
                               capture_output=True, text=True, timeout=60)
    assert no_secret.returncode == 2 and "CARELEDGER_TOKEN_SECRET must be set" in no_secret.stderr
