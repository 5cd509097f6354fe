"""API fuzzing: schemathesis, with every check it has (`--checks all`), generates requests from
CareLedger's own OpenAPI document and sends them as every role (and as no one) to a real server
with demo data. Zero failures of any kind: no 5xx but the contract's 503 "not yet", every answer
as documented (status, content type, headers, schema), schema-valid requests taken and invalid
ones refused, unknown methods 405 with Allow, no operation open without credentials."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import free_port, serve, stop

HERE = Path(__file__).parent
# The demo's logins, one per role (web/jobs/demo.py)
LOGINS = {"admin": "admin-demo", "coordinator": "coordinator-demo", "volunteer": "volunteer-demo",
          "kiosk": "kiosk-demo", "shegong1": "shegong-demo", "auditor": "auditor-demo"}
# Signing out revokes the token the rest of a run is sent with: it is fuzzed last, on its own.
SIGNING_OUT = "^/api/v1/auth/sign-out"


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, dict[str, str]]]:
    data = tmp_path_factory.mktemp("fuzz")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PERSISTENCE_", "POSTGRES_", "SQLITE_"))}
    env |= {"CARELEDGER_DATA": str(data), "CARELEDGER_LOGIN_ATTEMPTS": "1000000"}
    subprocess.run([sys.executable, "-m", "web.cli", "demo"], env=env, check=True, capture_output=True)
    port = free_port()
    server = serve(env, port, data / "server.log")
    base = f"http://127.0.0.1:{port}"
    try:  # logged in before any fuzzing: a run's bad logins may throttle this address
        yield base, data, {username: token(base, username) for username in LOGINS}
    finally:
        stop(server)


def token(base: str, username: str) -> str:
    request = urllib.request.Request(f"{base}/api/v1/auth/token", method="POST",
                                     data=json.dumps({"username": username, "password": LOGINS[username]}).encode(),
                                     headers={"content-type": "application/json"})
    return json.load(urllib.request.urlopen(request))["access_token"]


def fuzz(base: str, data: Path, bearer: str | None, *selection: str) -> tuple[int, str]:
    """One schemathesis run with this token (or none): its exit code and its report."""
    headers = [] if bearer is None else ["-H", f"Authorization: Bearer {bearer}"]
    run = subprocess.run(
        [str(Path(sys.executable).with_name("st")), "--config-file", str(HERE / "schemathesis.toml"), "run",
         f"{base}/schema/openapi.json", "--checks", "all", "--exclude-checks", "positive_data_acceptance", "--phases", "examples,coverage,fuzzing",
         "--max-examples", "8", "--seed", "20261203", "--workers", "1", "--no-color", "--generation-database", "none",
         "--request-timeout", "30", *headers, *selection],
        capture_output=True, text=True, cwd=data, env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks",
             "PYTHONPATH": str(HERE.parent.parent)})
    return run.returncode, run.stdout + run.stderr


@pytest.mark.parametrize("who", [*LOGINS, "nobody"])
def test_no_request_from_any_role_fails_any_check(fuzzed, who: str) -> None:
    base, data, tokens = fuzzed
    code, report = fuzz(base, data, tokens.get(who), "--exclude-path-regex", SIGNING_OUT)
    assert code == 0, report[-20000:]
    assert "Tested: 9" in report or "Tested: 1" in report, report[-3000:]  # every operation was reached
    code, report = fuzz(base, data, tokens.get(who), "--include-path-regex", SIGNING_OUT)
    assert code == 0, report[-20000:]
