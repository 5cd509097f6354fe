"""`careledger demo` then `careledger serve`, as `make run` does: a real server answers on its port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.e2e.conftest import serve, stop


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_demo_server_answers_a_demo_login_and_serves_its_tallies(tmp_path: Path) -> None:
    env = {**os.environ, "CARELEDGER_DATA": str(tmp_path)}
    demo = subprocess.run([sys.executable, "-m", "web.cli", "demo"], env=env, capture_output=True, text=True,
                          check=True)
    assert "auditor-demo" in demo.stdout
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = json.load(urllib.request.urlopen(f"{base}/healthz", timeout=2))
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
                time.sleep(0.2)
        assert health["status"] == "ok" and min(health["projections"].values()) == health["position"]
        login = urllib.request.Request(f"{base}/auth/token", method="POST",
                                       data=json.dumps({"username": "auditor", "password": "auditor-demo"}).encode(),
                                       headers={"content-type": "application/json"})
        token = json.load(urllib.request.urlopen(login))["access_token"]
        tallies = urllib.request.Request(f"{base}/reports/tallies?from=2020-01-01&to=2030-12-31",
                                         headers={"Authorization": f"Bearer {token}"})
        assert json.load(urllib.request.urlopen(tallies))["total_person_times"] > 0
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}/schema").status == 200
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_server_serves_its_own_code_from_any_working_directory(tmp_path: Path) -> None:
    """Granian imports the app in its worker: a `web` package in the directory the operator
    happens to be in must not be what answers."""
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "web").mkdir(parents=True)
    (elsewhere / "web" / "__init__.py").write_text("")
    (elsewhere / "web" / "app.py").write_text("raise SystemExit('a stranger web package was served')\n")
    env = {**os.environ, "CARELEDGER_DATA": str(tmp_path / "data")}
    port = free_port()
    server = serve(env, port, tmp_path / "server.log", cwd=elsewhere)
    try:
        health = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/healthz", timeout=5))
        assert health["status"] == "ok"
    finally:
        stop(server)
    assert "stranger" not in (tmp_path / "server.log").read_text()
