"""The national volunteer-record system: each served record leaves through the outbox once per
revision, signed, to an HTTP server this test starts; a 503 is retried later under the same
Idempotency-Key, a correction is a new revision, a refusal is shown as undeliverable."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import CST
from tests.integration.conftest import World
from tests.scenario import COORDINATOR
from web.jobs.mailroom import Postman, deliver
from web.jobs.national import NationalSystem, queue_records

SECRET = b"a shared secret of the city system"
DAY = datetime(2026, 11, 24, 8, tzinfo=CST)


class Receiver:
    def __init__(self) -> None:
        self.received: list[tuple[dict, dict]] = []
        self.answers: list[int] = []  # the next answers to give; 200 when none left


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    found = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            found.received.append(({k.lower(): v for k, v in self.headers.items()}, json.loads(body), body))
            status = found.answers.pop(0) if found.answers else 200
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield found, f"http://127.0.0.1:{server.server_address[1]}/records"
    server.shutdown()


def test_each_record_and_revision_leaves_once_signed_and_retried(world: World, receiver) -> None:
    found, url = receiver
    ledger = world.ledger
    ledger.record_identity(world.volunteer, "passport", "E12345678", "", COORDINATOR)
    shift = world.hospital.shift(starts=DAY, hours=2)
    ledger.sign_up(shift, world.volunteer, COORDINATOR)
    ledger.clock.set(DAY)
    ledger.check_in(shift, world.volunteer, "kiosk", COORDINATOR)
    ledger.clock.set(DAY + timedelta(hours=2))
    ledger.check_out(shift, world.volunteer, {"guidance": 3}, COORDINATOR)
    world.settle()
    app, national = world.client.app.state, NationalSystem(url, SECRET)
    since = DAY.date() - timedelta(days=30)
    assert queue_records(ledger, app.reader(), since) == 1
    world.settle()
    assert queue_records(ledger, app.reader(), since) == 0  # once per record and revision

    found.answers = [503]
    postman, zone = Postman(None, None), ZoneInfo("Asia/Shanghai")
    assert deliver(ledger, app.reader(), postman, zone, national=national) == {"sent": 0, "failed": 1}
    world.settle()
    [shown] = [n for n in world.call("coord", "GET", "/api/v1/reports/notices").json() if n["kind"] == "national_record"]
    assert shown["state"] == "retrying" and "HTTPError" in shown["problem"]
    ledger.clock.set(ledger.clock.now() + timedelta(minutes=2))
    assert deliver(ledger, app.reader(), postman, zone, national=national) == {"sent": 1, "failed": 0}
    (first_headers, _, _), (headers, record, body) = found.received
    assert first_headers["idempotency-key"] == headers["idempotency-key"]  # the same record, tried again
    assert headers["x-careledger-signature"] == "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    assert {k: record[k] for k in ("name", "id_type", "id_number", "organisation", "day", "hours", "revision")} == {
        "name": "Li Wei", "id_type": "护照", "id_number": "E12345678", "organisation": "Ruijin Hospital",
        "day": "2026-11-24", "hours": 2.0, "revision": 120}
    assert record["content"].endswith("（导医）")  # the post and the services given there, as the export says

    # A correction is a new revision: it leaves too, once.
    asked = ledger.request_hours_correction(shift, world.volunteer, 60, "left early", "volunteer").value
    ledger.approve_hours_correction(shift, asked, COORDINATOR)
    world.settle()
    assert queue_records(ledger, app.reader(), since) == 1
    world.settle()
    found.answers = [400]  # and this one the system will not take
    assert deliver(ledger, app.reader(), postman, zone, national=national) == {"sent": 0, "failed": 1}
    world.settle()
    states = sorted(n["state"] for n in world.call("coord", "GET", "/api/v1/reports/notices").json()
                    if n["kind"] == "national_record")
    assert states == ["sent", "undeliverable"]
    assert found.received[-1][1]["revision"] == 60 and found.received[-1][1]["hours"] == 1.0


def test_an_endpoint_without_its_secret_is_refused_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from web.settings import ConfigurationError, Settings

    monkeypatch.setenv("CARELEDGER_NATIONAL_URL", "https://records.example.gov.cn/api")
    with pytest.raises(ConfigurationError):
        Settings().national()
    monkeypatch.setenv("CARELEDGER_NATIONAL_SECRET", "x" * 16)
    assert Settings().national().url == "https://records.example.gov.cn/api"
