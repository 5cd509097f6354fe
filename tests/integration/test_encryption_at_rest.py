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


@pytest.mark.parametrize("encrypted", [True, False])
def test_the_files_hold_no_phone_number_and_no_note_when_a_key_is_set(
        tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch, encrypted: bool) -> None:
    monkeypatch.setenv("CARELEDGER_DATA", str(tmp_path))
    if encrypted:
        monkeypatch.setenv("CARELEDGER_CIPHER_KEY", _key())
    settings = Settings(read_wait_seconds=2)
    ledger = CareLedger(env=settings.event_store_env(), clock=clock, policy=settings.policy)
    with TestClient(app=create_app(settings, ledger)) as client:
        world = World(client, ledger)
        unit = str(world.hospital.unit)
        volunteer = world.call("coord", "POST", "/api/v1/volunteers", headers={"Idempotency-Key": "v-1"},
                               json={"name": "Qian Li", "phone": PHONE, "unit_id": unit})
        assert volunteer.status_code == 201, volunteer.text
        session = world.call("sw", "POST", "/api/v1/sessions", headers={"Idempotency-Key": "s-1"},
                             json={"unit_id": unit, "patient_id": "MRN-1", "service_type": "communication",
                                   "mode": "individual", "started_at": "2026-11-23T10:00:00+08:00", "minutes": 30,
                                   "notes": NOTES})
        assert session.status_code == 201, session.text
        case = world.call("sw", "POST", "/api/v1/cases", json={"unit_id": unit, "patient_id": "MRN-1",
                                                               "source": "outreach"}).json()["id"]
        world.call("sw", "POST", f"/api/v1/cases/{case}/consent", json={"scope": ["health_information"]})
        note = world.call("sw", "POST", f"/api/v1/cases/{case}/notes", json={
            "contact_at": "2026-11-23T08:30:00+08:00", "contacted": ["patient"], "text": CASE_NOTE})
        assert note.status_code == 201, note.text
        world.settle()
        # Still readable to those entitled, through the application:
        profile = world.call("coord", "GET", f"/api/v1/volunteers/{volunteer.json()['id']}")
        assert profile.json()["phone"] == PHONE
    ledger.close()
    disk = _on_disk(tmp_path)
    secrets = [PHONE.encode(), NOTES.encode(), CASE_NOTE.encode()]
    if encrypted:
        assert [s for s in secrets if s in disk] == []
    else:  # the test can see them when they are there: without a key the notes are plain, while
        # a phone number is sealed with its volunteer's own key either way (domain/personal.py)
        assert [s for s in secrets if s in disk] == secrets[1:]


def test_new_key_prints_a_fresh_256_bit_key() -> None:
    import base64

    first, second = _key(), _key()
    assert first != second and len(base64.b64decode(first)) == 32
