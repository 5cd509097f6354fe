"""Never dark when the log's PostgreSQL goes away: on a throwaway cluster this test starts from the
installed binaries, paused (SIGSTOP: a network partition, which never refuses and never answers)
and then stopped and started again under a running `careledger serve`. Whatever needs the database
answers 503 with Retry-After within 2 s, the event loop never waits (the login page answers at
once), reads from the local read models go on (marked stale), and once the database is back the
node writes and catches up by itself, without a restart."""

from __future__ import annotations

import concurrent.futures
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from domain.application import CareLedger
from tests.e2e.conftest import free_port, serve, stop
from tests.scenario import Hospital
from web.passwords import hash_password

PASSWORD = "a long password"


@dataclass
class Cluster:
    data: Path
    port: int
    bin: Path

    def _as_postgres(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-l", str(self.data.parent / "log"),
                          "-o", f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1 -c fsync=off",
                          "start")

    def stop(self) -> None:
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-m", "fast", "stop")

    def processes(self) -> list[int]:
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True, text=True).stdout.split()
        return [postmaster, *map(int, children)]

    def pause(self) -> None:
        for pid in self.processes():
            os.kill(pid, signal.SIGSTOP)

    def resume(self) -> None:
        for pid in reversed(self.processes()):
            os.kill(pid, signal.SIGCONT)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    """A PostgreSQL cluster of this test's own (the shared server must never be paused)."""
    versions = sorted(Path("/usr/lib/postgresql").iterdir(), key=lambda p: int(p.name))
    root = Path(tempfile.mkdtemp(prefix="careledger-pg-"))
    root.chmod(0o755)
    shutil.chown(root, "postgres", "postgres") if os.geteuid() == 0 else None
    found = Cluster(root / "data", free_port(), versions[-1] / "bin")
    found._as_postgres(str(found.bin / "initdb"), "-D", str(found.data), "-A", "trust", "-U", "postgres",
                       "--no-sync", "-E", "UTF8")
    found.start()
    try:
        yield found
    finally:
        try:
            found.resume()
        except (OSError, ValueError):
            pass
        subprocess.run(["runuser", "-u", "postgres", "--", str(found.bin / "pg_ctl"), "-D", str(found.data),
                        "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def call(base: str, method: str, path: str, body: dict | None = None, token: str | None = None,
         timeout: float = 15) -> tuple[int, dict, str, float]:
    """(status, headers, text, seconds taken)."""
    headers = {"content-type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    request = urllib.request.Request(base + path, method=method, headers=headers,
                                     data=json.dumps(body).encode() if body is not None else None)
    began = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, _lower(answer.headers), answer.read().decode(), time.monotonic() - began
    except urllib.error.HTTPError as refused:
        return refused.code, _lower(refused.headers), refused.read().decode(), time.monotonic() - began


def _lower(headers) -> dict:
    return {k.lower(): v for k, v in headers.items()}


def until(check, what: str, seconds: float = 60) -> None:
    """Wait for an effect (not for a time): `check()` true, or fail saying what never happened."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_the_node_answers_while_postgresql_is_paused_or_stopped_and_recovers_by_itself(
        cluster: Cluster, tmp_path: Path) -> None:
    env = {**os.environ, "PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_HOST": "127.0.0.1",
           "POSTGRES_PORT": str(cluster.port), "POSTGRES_USER": "postgres", "POSTGRES_PASSWORD": "",
           "POSTGRES_DBNAME": "postgres", "CARELEDGER_DATA": str(tmp_path / "node"),
           "CARELEDGER_TOKEN_SECRET": "t" * 64, "CARELEDGER_PSEUDONYM_SECRET": "p" * 64,
           "CARELEDGER_CIPHER_KEY": "", "CARELEDGER_LOG_FORMAT": "json"}
    with CareLedger(env={k: v for k, v in env.items() if k.startswith(("PERSISTENCE", "POSTGRES"))}) as ledger:
        hospital = Hospital(ledger)
        ledger.open_account("coord", hash_password(PASSWORD), "coordinator", [hospital.unit], None, "admin")
        unit = str(hospital.unit)
    port, log = free_port(), tmp_path / "server.log"
    server = serve(env, port, log)
    base = f"http://127.0.0.1:{port}"
    try:
        status, _, text, _ = call(base, "POST", "/api/v1/auth/token", {"username": "coord", "password": PASSWORD})
        assert status == 200, text
        token = json.loads(text)["access_token"]
        n = iter(range(1_000_000))

        def register() -> tuple[int, dict, str, float]:
            i = next(n)
            return call(base, "POST", "/api/v1/volunteers", {"name": f"Volunteer {i}", "phone": f"139{i:08d}",
                                                              "unit_id": unit, "languages": []}, token)

        first = register()
        assert first[0] == 201, first
        status, _, text, _ = call(base, "GET", f"/api/v1/volunteers?min_position={first[1]['x-careledger-position']}",
                                  None, token)
        assert status == 200 and "Volunteer 0" in text, text
        until(lambda: call(base, "GET", "/api/v1/healthz")[0] == 200, "healthy at first")

        for outage, begin, end in (("paused", cluster.pause, cluster.resume), ("stopped", cluster.stop, cluster.start)):
            begin()
            with concurrent.futures.ThreadPoolExecutor(8) as pool:  # in flight at once, as a busy desk's are
                writes = [pool.submit(register) for _ in range(4)]
                login_page = pool.submit(call, base, "GET", "/login")
                read = pool.submit(call, base, "GET", "/api/v1/volunteers", None, token)
                health = pool.submit(call, base, "GET", "/api/v1/healthz")
                for write in writes:
                    status, headers, text, took = write.result()
                    assert status == 503, (outage, status, text)
                    assert json.loads(text)["reason"] == "log_unreachable" and int(headers["retry-after"]) > 0
                    assert took < 2.5, f"{outage}: a write waited {took:.1f} s for the database"
                status, _, text, took = login_page.result()
                assert status == 200 and took < 1.5, f"{outage}: the login page waited {took:.1f} s"
                status, headers, text, took = read.result()
                assert status == 200 and "Volunteer 0" in text, (outage, status, text)  # the local read models
                assert "cannot be reached" in headers.get("careledger-stale", ""), headers
                status, _, text, took = health.result()
                assert status == 503 and took < 2.5, (outage, status, took)  # caught in flight: a bare 503
            status, _, text, took = call(base, "GET", "/api/v1/healthz")  # asked since: in words, at once
            assert status == 503 and took < 1 and json.loads(text)["status"] == "degraded", (outage, status, took)
            assert any(p["part"] == "log" and "cannot be reached" in p["problem"]
                       for p in json.loads(text)["problems"]), text
            status, _, text, _ = call(base, "GET", "/metrics")
            assert "careledger_log_reachable 0.0" in text
            end()
            # Back: without a restart, it writes again and its read models catch up with what it wrote.
            until(lambda: register()[0] == 201, f"writes land again after the database was {outage}")
            _, headers, text, _ = register()
            status, _, listed, _ = call(base, "GET", f"/api/v1/volunteers?min_position={headers['x-careledger-position']}",
                                        None, token)
            assert status == 200 and json.loads(text)["id"] in listed, (outage, status, listed[:300])
            until(lambda: call(base, "GET", "/api/v1/healthz")[0] == 200, f"healthy again after {outage}")
        lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
        said = [line["message"] for line in lines]
        assert any("cannot be reached" in m for m in said) and any("answers again" in m for m in said)
        assert any("notes are NOT encrypted" in m for m in said)  # no CARELEDGER_CIPHER_KEY: said at start
    finally:
        stop(server)
