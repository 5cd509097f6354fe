"""What operators watch: Prometheus metrics (latency, commands by outcome, read-model lag) and JSON logs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import CST
from tests.e2e.conftest import PASSWORD, free_port, serve, stop
from tests.integration.conftest import World


def _metrics(world: World, **headers) -> dict[str, list]:
    answer = world.client.get("/metrics", headers=headers)
    assert answer.status_code == 200, answer.text
    return {family.name: family.samples for family in text_string_to_metric_families(answer.text)}


def _value(samples: list, **labels) -> float:
    return sum(s.value for s in samples if all(s.labels.get(k) == v for k, v in labels.items()))


def test_metrics_count_requests_commands_by_outcome_and_show_read_model_lag(world: World) -> None:
    shift = world.hospital.shift(capacity=1)
    before = _metrics(world)
    assert world.call("coord", "POST", f"/api/v1/shifts/{shift}/signups",
                      json={"volunteer_id": str(world.volunteer)}).status_code == 201
    full = world.call("coord", "POST", f"/api/v1/shifts/{shift}/signups",
                      json={"volunteer_id": str(world.other_volunteer)})
    assert full.status_code == 409 and full.json()["reason"] == "shift_full"
    after = _metrics(world)
    commands = after["careledger_commands"]
    for outcome in ("recorded", "shift_full"):
        assert _value(commands, command="sign_up", outcome=outcome) == \
            _value(before.get("careledger_commands", []), command="sign_up", outcome=outcome) + 1
    latency = after["careledger_request_duration_seconds"]
    signups = [s for s in latency if s.name.endswith("_count") and s.labels["method"] == "POST"
               and s.labels["path"] == "/api/v1/shifts/{shift_id}/signups"]  # the route, not each shift
    counted = {s.labels["status_code"]: s.value for s in signups}
    assert counted.get("201", 0) >= 1 and counted.get("409", 0) >= 1, counted
    buckets = [s for s in latency if s.name.endswith("_bucket") and s.labels["path"].endswith("/signups")
               and s.labels["status_code"] == "201"]
    assert buckets[-1].labels["le"] == "+Inf" and buckets[-1].value == counted["201"]  # cumulative
    lag = {s.labels["read_model"]: s.value for s in after["careledger_projection_lag_events"]}
    assert {"roster", "hours", "tallies", "directory"} <= set(lag) and all(v >= 0 for v in lag.values())
    assert after["careledger_log_position"][0].value == world.ledger.position


def test_with_a_scraper_token_set_metrics_need_it(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARELEDGER_METRICS_TOKEN", "scrape-me-please")
    assert world.client.get("/metrics").status_code == 401
    assert world.client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert _metrics(world, Authorization="Bearer scrape-me-please")


def test_the_server_writes_json_lines_with_the_reason_of_a_refusal_and_no_words(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PERSISTENCE_", "POSTGRES_", "SQLITE_"))}
    env |= {"CARELEDGER_DATA": str(tmp_path), "CARELEDGER_LOG_FORMAT": "json"}
    subprocess.run([sys.executable, "-m", "web.cli", "create-user", "--username", "root", "--password", PASSWORD,
                    "--role", "admin"], env=env, check=True, capture_output=True)
    port = free_port()
    server = serve(env, port, tmp_path / "server.log")
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        def post(path: str, body: dict, token: str = "") -> int:
            request = urllib.request.Request(base + path, method="POST", data=json.dumps(body).encode(), headers={
                "content-type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})})
            try:
                with urllib.request.urlopen(request) as answer:
                    return json.loads(answer.read()).get("access_token", answer.status)
            except urllib.error.HTTPError as refused:
                return refused.code

        token = post("/auth/token", {"username": "root", "password": PASSWORD})
        assert post("/accounts", {"username": "root", "password": PASSWORD, "role": "admin"}, token) == 409
    finally:
        stop(server)
    lines = [line for line in (tmp_path / "server.log").read_text().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line, the start-up's progress included
    assert any(e["message"] == "serving" and e["address"].endswith(str(port)) for e in entries)
    refused = [e for e in entries if e["message"] == "refused"]
    assert refused and refused[0]["reason"] == "username_taken" and refused[0]["level"] == "info"
    assert "'root'" not in (tmp_path / "server.log").read_text()  # reasons, not the words that may name someone


def test_a_failure_is_logged_with_its_stack_and_answered_without_details(
        world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from projections import directory

    def broken(db):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(directory, "units", broken)
    answer = world.call("admin", "GET", "/api/v1/units")
    assert answer.status_code == 500 and answer.headers["content-type"].startswith("application/problem+json")
    assert "disk on fire" not in answer.text
    failed = [r for r in caplog.records if r.getMessage() == "failed"]
    assert failed and failed[0].exc_info and failed[0].path == "/api/v1/units"


def test_the_server_starts_with_todays_shifts_and_their_volunteers_in_memory(tmp_path: Path, monkeypatch) -> None:
    """The morning rush should not pay for loading each shift and volunteer from disk."""
    from litestar.testing import TestClient

    from domain.application import CareLedger
    from domain.clock import FixedClock
    from tests.scenario import COORDINATOR, Hospital
    from web.app import create_app
    from web.settings import Settings

    monkeypatch.setenv("CARELEDGER_DATA", str(tmp_path))
    settings = Settings()
    clock = FixedClock(datetime(2026, 11, 24, 7, tzinfo=CST))
    with CareLedger(env=settings.event_store_env(), clock=clock) as writer:
        hospital = Hospital(writer)
        volunteer, idle = hospital.volunteer("Li Wei"), hospital.volunteer("Wang Fang")
        today, next_week = hospital.shift(), hospital.shift(starts=datetime(2026, 12, 1, 8, tzinfo=CST))
        writer.sign_up(today, volunteer, COORDINATOR)
        writer.sign_up(next_week, idle, COORDINATOR)
    server_ledger = CareLedger(env=settings.event_store_env(), clock=clock)
    with TestClient(app=create_app(settings, server_ledger)):
        cached = server_ledger.repository.cache
        assert cached.get(today) is not None and cached.get(volunteer) is not None
        for cold in (next_week, idle):
            with pytest.raises(KeyError):
                cached.get(cold)
