"""The `careledger` command: help for every command; accounts made on the command line log in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from domain.application import CareLedger
from web.passwords import verify_password
from web.settings import Settings

COMMANDS = ["serve", "demo", "create-user", "rebuild", "doctor", "project", "report", "backup", "restore", "new-key", "encrypt", "forget-volunteer", "import", "sweep", "notices"]


def careledger(*args: str, data: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "web.cli", *args], env={**os.environ, "CARELEDGER_DATA": str(data)},
                          capture_output=True, text=True)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_explains_itself(command: str, tmp_path: Path) -> None:
    helped = careledger(command, "--help", data=tmp_path)
    assert helped.returncode == 0 and "usage: careledger " + command in helped.stdout


def test_create_user_makes_an_account_that_can_log_in_and_refuses_a_taken_name(tmp_path: Path,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    made = careledger("create-user", "--username", "Root", "--password", "a long secret", "--role", "admin",
                      data=tmp_path)
    assert made.returncode == 0, made.stderr
    again = careledger("create-user", "--username", "root", "--password", "x" * 10, "--role", "admin", data=tmp_path)
    assert again.returncode == 2 and "taken" in again.stderr
    no_unit = careledger("create-user", "--username", "k", "--password", "x" * 10, "--role", "kiosk", data=tmp_path)
    assert no_unit.returncode == 2 and "unit_ids" in no_unit.stderr
    monkeypatch.setenv("CARELEDGER_DATA", str(tmp_path))
    with CareLedger(env=Settings().event_store_env()) as ledger:
        account = ledger.find_account("root")
        assert account.role == "admin" and verify_password(account.password_hash, "a long secret")


def test_rebuild_help_names_every_read_model(tmp_path: Path) -> None:
    from projections.projector import READ_MODELS

    told = careledger("rebuild", "--help", data=tmp_path)
    assert told.returncode == 0
    assert [m.name for m in READ_MODELS if m.name not in " ".join(told.stdout.split())] == []


def test_rebuild_names_an_unknown_read_model(tmp_path: Path) -> None:
    refused = careledger("rebuild", "rooster", data=tmp_path)
    assert refused.returncode == 2 and "unknown read model" in refused.stderr


def test_with_json_logs_long_work_reports_its_progress_as_json_lines(tmp_path: Path) -> None:
    """A log collector reads stderr line by line: a progress bar's frames would break it."""
    env = {**os.environ, "CARELEDGER_DATA": str(tmp_path), "CARELEDGER_LOG_FORMAT": "json",
           "CARELEDGER_PROGRESS_SECONDS": "0"}
    for command in (["demo"], ["rebuild"]):
        ran = subprocess.run([sys.executable, "-m", "web.cli", *command], env=env, capture_output=True, text=True)
        assert ran.returncode == 0, ran.stderr
        entries = [json.loads(line) for line in ran.stderr.splitlines() if line.strip()]  # every line JSON
        said = [e for e in entries if e["message"] in ("progress", "done")]
        assert said and said[-1]["message"] == "done" and said[-1]["done"] == said[-1]["total"] > 0
        if command == ["demo"]:
            counts = [e["done"] for e in said if e["message"] == "progress" and e["work"] == said[0]["work"]]
            assert len(counts) > 3 and counts == sorted(counts)


def test_a_fresh_data_folder_is_for_its_owner_alone_and_its_notes_are_encrypted(tmp_path: Path) -> None:
    data = tmp_path / "data"
    made = careledger("create-user", "--username", "admin", "--password", "a long passphrase", "--role", "admin",
                      data=data)
    assert made.returncode == 0, made.stderr
    assert made.stderr.count("cipher key was generated") == 1 and str(data / "cipher.key") in made.stderr
    again = careledger("create-user", "--username", "auditor", "--password", "a long passphrase", "--role",
                       "auditor", data=data)
    assert again.returncode == 0 and "cipher key" not in again.stderr  # said once, when it was made
    files = [p for p in data.rglob("*")]
    assert {p.name for p in files} >= {"events.sqlite3", "cipher.key"}
    opened = {p.name: oct(p.stat().st_mode & 0o777) for p in files if p.stat().st_mode & 0o077}
    assert opened == {}, "nobody but the server's account may read the data folder"
    assert data.stat().st_mode & 0o077 == 0
