"""API fuzzing: schemathesis generates requests from CareLedger's own OpenAPI document and sends
each one as every role (and as no one) to a real server with demo data. No answer may be a 5xx,
and none may break the document (its content type or its schema for that status)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.e2e.conftest import free_port, serve, stop

# The demo's logins, one per role (web/jobs/demo.py)
LOGINS = {"admin": "admin-demo", "coordinator": "coordinator-demo", "volunteer": "volunteer-demo",
          "kiosk": "kiosk-demo", "shegong1": "shegong-demo", "auditor": "auditor-demo"}


@schemathesis.check
def not_a_server_error_but_not_ready(ctx, response, case):  # noqa: ANN001, ANN201 - schemathesis's protocol
    """A 503 with Retry-After is the contract's "not ready yet" (a read asking for a position no
    write has reached, ../shared/API.md), not a failure; any other 5xx is."""
    if response.status_code == 503 and "retry-after" in {name.lower() for name in response.headers}:
        return None
    return not_a_server_error(ctx, response, case)


CHECKS = [not_a_server_error_but_not_ready, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 4
SENT: Counter[str] = Counter()


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    data = tmp_path_factory.mktemp("fuzz")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PERSISTENCE_", "POSTGRES_", "SQLITE_"))}
    env |= {"CARELEDGER_DATA": str(data), "CARELEDGER_LOGIN_ATTEMPTS": "1000000"}
    subprocess.run([sys.executable, "-m", "web.cli", "demo"], env=env, check=True, capture_output=True)
    port = free_port()
    server = serve(env, port, data / "server.log")
    base = f"http://127.0.0.1:{port}"
    tokens = {}
    for username, password in LOGINS.items():
        request = urllib.request.Request(f"{base}/api/v1/auth/token", method="POST",
                                         data=json.dumps({"username": username, "password": password}).encode(),
                                         headers={"content-type": "application/json"})
        tokens[username] = json.load(urllib.request.urlopen(request))["access_token"]
    try:
        yield base, tokens
    finally:
        stop(server)


def _send_as_everyone(case, base: str, tokens: dict[str, str]) -> None:
    # Changing a password, signing out or suspending would lock the other roles out mid-run:
    # those are sent only as someone whose token may go (nobody, or the admin for /disable).
    if case.path.startswith("/api/v1/auth/") and case.path != "/api/v1/auth/token":
        tokens = {}
    elif case.path.endswith("/disable"):
        tokens = {"admin": tokens["admin"]}
    for username, token in [*tokens.items(), ("nobody", None)]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        case.call_and_validate(base_url=base, headers=headers, checks=CHECKS)
        SENT[username] += 1


def test_no_request_from_any_role_gets_a_server_error_or_an_undocumented_answer(fuzzed) -> None:
    base, tokens = fuzzed
    schema = schemathesis.openapi.from_url(f"{base}/schema/openapi.json")
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case) -> None:
            _send_as_everyone(case, base, tokens)

        try:
            fuzz()
        except (Exception, BaseExceptionGroup) as failure:  # collect every operation's first failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {str(failure)[:1500]}")
    assert not failures, "\n\n".join(failures)
    print(f"fuzzing sent {sum(SENT.values()):,} requests: {dict(SENT)}")
    assert sum(SENT.values()) >= 1000, SENT
    assert set(SENT) >= {"admin", "coordinator", "volunteer", "kiosk", "shegong1", "auditor", "nobody"}
