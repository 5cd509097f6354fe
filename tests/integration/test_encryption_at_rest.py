"""With CARELEDGER_CIPHER_KEY set, what is on disk gives away no phone number and no note."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from litestar.testing import TestClient

from domain.application import CareLedger
from domain.clock import FixedClock
from tests.integration.conftest import World
from web.app import create_app
from web.settings import Settings

PHONE = "13987654321"
NOTES = "Worried about discharge; lives alone on the 6th floor without a lift"
CASE_NOTE = "Daughter agreed to visit twice a week"


def _key() -> str:
    careledger = Path(sys.executable).with_name("careledger")
    return subprocess.run([str(careledger), "new-key"], check=True, capture_output=True, text=True).stdout.strip()


def _on_disk(folder: Path) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file())


def _fill(client: TestClient, ledger: CareLedger) -> tuple[World, str]:
    """A volunteer with a phone number, a session with notes, a case with a note; the volunteer's id."""
    world = World(client, ledger)
    unit = str(world.hospital.unit)
    volunteer = world.call("coord", "POST", "/api/v1/volunteers", headers={"Idempotency-Key": "v-1"},
                           json={"name": "Qian Li", "phone": PHONE, "unit_id": unit})
    assert volunteer.status_code == 201, volunteer.text
    session = world.call("sw", "POST", "/api/v1/sessions", headers={"Idempotency-Key": "s-1"},
                         json={"unit_id": unit, "patient_id": "MRN-1", "service_type": "communication",
                               "mode": "individual", "started_at": "2026-11-23T08:00:00+08:00", "minutes": 30,
                               "notes": NOTES})
    assert session.status_code == 201, session.text
    case = world.call("sw", "POST", "/api/v1/cases", json={"unit_id": unit, "patient_id": "MRN-1",
                                                           "source": "outreach"}).json()["id"]
    world.call("sw", "POST", f"/api/v1/cases/{case}/consent", json={"scope": ["health_information"]})
    note = world.call("sw", "POST", f"/api/v1/cases/{case}/notes", json={
        "contact_at": "2026-11-23T08:30:00+08:00", "contacted": ["patient"], "text": CASE_NOTE})
    assert note.status_code == 201, note.text
    world.settle()
    return world, volunteer.json()["id"]


SECRETS = [PHONE.encode(), NOTES.encode(), CASE_NOTE.encode()]


@pytest.mark.parametrize("key", ["given", "generated"])
def test_the_files_hold_no_phone_number_and_no_note_with_a_key_given_or_by_default(
        tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch, key: str, told) -> None:
    monkeypatch.setenv("CARELEDGER_DATA", str(tmp_path))
    if key == "given":
        monkeypatch.setenv("CARELEDGER_CIPHER_KEY", _key())
    settings = Settings(read_wait_seconds=2)
    ledger = CareLedger(env=settings.event_store_env(), clock=clock, policy=settings.policy)
    generated = [r for r in told.records if "cipher key was generated" in r.getMessage()]
    if key == "generated":  # said once, with where the key is and what to do with it
        assert len(generated) == 1 and str(tmp_path / "cipher.key") in generated[0].getMessage()
        assert (tmp_path / "cipher.key").stat().st_mode & 0o777 == 0o600
        settings.event_store_env()  # and not again: the key is read back
        assert len([r for r in told.records if "cipher key was generated" in r.getMessage()]) == 1
    else:
        assert generated == [] and not (tmp_path / "cipher.key").exists()
    with TestClient(app=create_app(settings, ledger)) as client:
        world, volunteer = _fill(client, ledger)
        # Still readable to those entitled, through the application:
        profile = world.call("coord", "GET", f"/api/v1/volunteers/{volunteer}")
        assert profile.json()["phone"] == PHONE
        health = client.get("/api/v1/healthz").json()
        assert health["notes_encrypted"] is True and health["warnings"] == []
    ledger.close()
    assert [s for s in SECRETS if s in _on_disk(tmp_path)] == []


def test_a_store_made_in_the_clear_says_so_and_careledger_encrypt_seals_it(
        tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.setenv("CARELEDGER_DATA", str(tmp_path))
    settings = Settings(read_wait_seconds=2)
    plain = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(settings.events_path)}
    ledger = CareLedger(env=plain, clock=clock, policy=settings.policy)  # as releases before this one made it
    with TestClient(app=create_app(settings, ledger)) as client:
        world, volunteer = _fill(client, ledger)
        health = client.get("/api/v1/healthz").json()
        assert health["notes_encrypted"] is False and health["status"] == "ok"  # a warning, not an outage
        assert "notes are not encrypted" in health["warnings"][0]["problem"]
        assert "careledger encrypt" in health["warnings"][0]["do"]
        beside = subprocess.run([sys.executable, "-m", "web.cli", "encrypt"], capture_output=True, text=True,
                                env={**os.environ, "CARELEDGER_DATA": str(tmp_path)})
        assert beside.returncode == 2 and "A server is running" in beside.stderr  # never beside a server
    ledger.close()
    # The notes are there to be read (a phone number is sealed with its volunteer's key either way).
    assert [s for s in SECRETS if s in _on_disk(tmp_path)] == SECRETS[1:]
    assert Settings().event_store_env().get("CIPHER_KEY") is None  # no key is made up for a plain store

    run = [sys.executable, "-m", "web.cli", "encrypt"]
    env = {**os.environ, "CARELEDGER_DATA": str(tmp_path)}
    done = subprocess.run(run, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "encrypted with the key in" in done.stdout and str(tmp_path / "cipher.key") in done.stdout
    assert (tmp_path / "cipher.key").stat().st_mode & 0o777 == 0o600
    assert [s for s in SECRETS if s in _on_disk(tmp_path)] == []
    again = subprocess.run(run, env=env, capture_output=True, text=True)
    assert again.returncode == 0 and "encrypted already" in again.stdout

    settings = Settings(read_wait_seconds=2)
    ledger = CareLedger(env=settings.event_store_env(), clock=clock, policy=settings.policy)
    with TestClient(app=create_app(settings, ledger)) as client:
        world.client, world.ledger, world.tokens = client, ledger, {}
        assert world.call("coord", "GET", f"/api/v1/volunteers/{volunteer}").json()["phone"] == PHONE
        assert client.get("/api/v1/healthz").json()["notes_encrypted"] is True
        [session] = world.call("sw", "GET", "/api/v1/sessions").json()
        assert world.call("sw", "GET", f"/api/v1/sessions/{session['id']}").json()["notes"] == NOTES
    ledger.close()


@pytest.mark.postgres
def test_on_postgresql_careledger_encrypt_seals_a_log_made_in_the_clear(
        tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    import psycopg

    from tests.conftest import POSTGRES, postgres_schema

    for schema_env in postgres_schema():
        for name, value in {**schema_env, "CARELEDGER_DATA": str(tmp_path), "CARELEDGER_TOKEN_SECRET": "t" * 64,
                            "CARELEDGER_PSEUDONYM_SECRET": "p" * 64}.items():
            monkeypatch.setenv(name, value)
        settings = Settings(read_wait_seconds=2)
        ledger = CareLedger(env=settings.event_store_env(), clock=clock, policy=settings.policy)
        assert ledger.mapper.cipher is None  # on PostgreSQL a key is given, never made up
        with TestClient(app=create_app(settings, ledger)) as client:
            world, _ = _fill(client, ledger)
            assert client.get("/api/v1/healthz").json()["notes_encrypted"] is False
        ledger.close()
        key = _key()
        done = subprocess.run([sys.executable, "-m", "web.cli", "encrypt"], capture_output=True, text=True,
                              env={**os.environ, "CARELEDGER_CIPHER_KEY": key})
        assert done.returncode == 0 and "encrypted with the key in CARELEDGER_CIPHER_KEY" in done.stdout, done.stderr
        with psycopg.connect(host=POSTGRES["POSTGRES_HOST"], port=POSTGRES["POSTGRES_PORT"],
                             user=POSTGRES["POSTGRES_USER"], dbname=POSTGRES["POSTGRES_DBNAME"],
                             autocommit=True) as conn:
            conn.execute("CHECKPOINT")
            data = Path(conn.execute("SHOW data_directory").fetchone()[0])
            files = [conn.execute(f"SELECT pg_relation_filepath('{schema_env['POSTGRES_SCHEMA']}.{t}')").fetchone()[0]
                     for t in ("careledger_events", "careledger_snapshots")]
        for file in files:  # the tables' own files, rewritten: no page keeps a note in the clear
            held = (data / file).read_bytes()
            assert NOTES.encode() not in held and CASE_NOTE.encode() not in held, file
        monkeypatch.setenv("CARELEDGER_CIPHER_KEY", key)
        settings = Settings(read_wait_seconds=2)
        ledger = CareLedger(env=settings.event_store_env(), clock=clock, policy=settings.policy)
        with TestClient(app=create_app(settings, ledger)) as client:
            world.client, world.ledger, world.tokens = client, ledger, {}
            [session] = world.call("sw", "GET", "/api/v1/sessions").json()
            assert world.call("sw", "GET", f"/api/v1/sessions/{session['id']}").json()["notes"] == NOTES
            assert client.get("/api/v1/healthz").json()["notes_encrypted"] is True
        ledger.close()


def test_new_key_prints_a_fresh_256_bit_key() -> None:
    import base64

    first, second = _key(), _key()
    assert first != second and len(base64.b64decode(first)) == 32
