"""What the logs must never hold: passwords, tokens, patient identifiers, session or case notes."""

from __future__ import annotations

import logging

import pytest

from tests.integration.conftest import PASSWORD, World

PATIENT = "MRN-20261123-7781"
NOTES = "Patient fears the operation; daughter abroad, call after 8pm"


def test_a_day_of_social_work_leaves_no_secret_or_patient_identifier_in_the_logs(
        world: World, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # everything any logger would say, at the most talkative level
    token = world.headers("sw")["Authorization"].split()[1]
    session = {"unit_id": str(world.hospital.unit), "patient_id": PATIENT, "service_type": "communication",
               "mode": "individual", "started_at": "2026-11-23T08:00:00+08:00", "minutes": 45, "notes": NOTES}
    logged = world.call("sw", "POST", "/api/v1/sessions", json=session)
    assert logged.status_code == 201, logged.text
    position = logged.headers["X-CareLedger-Position"]
    read = world.call("sw", "GET", f"/api/v1/sessions/{logged.json()['id']}?min_position={position}")
    assert read.status_code == 200 and read.json()["notes"] == NOTES  # its author reads the notes
    # Refusals and failures are where bodies tend to leak into logs.
    assert world.call("sw", "POST", "/api/v1/sessions", json=session | {"minutes": 0}).status_code == 400
    assert world.call("sw", "POST", "/api/v1/sessions", json=session | {"unknown": PATIENT}).status_code == 400
    assert world.call("coord", "POST", "/api/v1/sessions", json=session).status_code == 403
    case = world.call("sw", "POST", "/api/v1/cases", json={"unit_id": str(world.hospital.unit), "patient_id": PATIENT,
                                                           "source": "outreach"}).json()["id"]
    world.call("sw", "POST", f"/api/v1/cases/{case}/consent", json={"scope": ["health_information"]})
    world.call("sw", "POST", f"/api/v1/cases/{case}/notes", json={"contact_at": "2026-11-23T08:30:00+08:00",
                                                                   "contacted": ["patient"], "text": NOTES})
    world.client.post("/api/v1/auth/token", json={"username": "sw", "password": "wrong " + PASSWORD})

    out, err = capfd.readouterr()
    everything = caplog.text + out + err
    assert caplog.records, "the logs were captured"
    for secret in (PASSWORD, token, PATIENT, NOTES, NOTES[:20]):
        assert secret not in everything
