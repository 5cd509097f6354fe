"""Never dark when the disk fills up: a write answers 503 with "the server's disk is full" (in the
page's language on a screen), nothing is half-written, /healthz says so, and once there is room
again everything goes on by itself: writes land and the read models catch up."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from domain.application import CareLedger
from domain.clock import FixedClock
from tests.integration.conftest import World
from tests.integration.test_ui_pages import form_token, log_in
from web.app import create_app
from web.settings import Settings


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A filesystem of 16 MiB of its own (tmpfs), so that filling it fills nothing else (the two write-ahead
    logs may each hold some megabytes before a checkpoint, more on a busy machine)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", str(disk)], check=True)
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


def fill(disk: Path, name: str = "filler") -> Path:
    """Write until the disk refuses; the file that took the room."""
    filler = disk / name
    with filler.open("wb", buffering=0) as file:  # unbuffered: what did not fit is not flushed again at close
        for chunk in (65536, 512):  # then the crumbs a large chunk left: a small write must not fit either
            try:
                while True:
                    file.write(b"\0" * chunk)
                    os.fsync(file.fileno())
            except OSError as full:
                assert full.errno == errno.ENOSPC
    return filler


def test_a_full_disk_is_a_503_that_says_so_and_it_recovers_by_itself(
        small_disk: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARELEDGER_DATA", str(small_disk))
    settings = Settings(read_wait_seconds=2, stale_seconds=3600)
    ledger = CareLedger(env=settings.event_store_env(), clock=clock, policy=settings.policy)
    with TestClient(app=create_app(settings, ledger)) as client:
        world = World(client, ledger)
        unit = str(world.hospital.unit)
        world.settle()
        world.headers("coord")  # logged in before the disk fills
        before = ledger.position

        filler = fill(small_disk)
        refused = [world.call("coord", "POST", "/api/v1/volunteers", headers={"Idempotency-Key": f"full-{i}"},
                              json={"name": f"Full {i} " + "x" * 50, "phone": f"1390000{i:04d}", "unit_id": unit,
                                    "languages": ["zh"]}) for i in range(30)]
        statuses = {answer.status_code for answer in refused}
        assert statuses <= {201, 503} and 503 in statuses, statuses  # some may fit in what SQLite had free
        full = next(answer for answer in refused if answer.status_code == 503)
        assert full.json()["reason"] == "disk_full" and "disk is full" in full.json()["detail"]
        assert int(full.headers["retry-after"]) > 0
        written = sum(answer.status_code == 201 for answer in refused)

        log_in(world, "coord", "zh")  # on a screen: a page that says so in the reader's language
        crumbs = fill(small_disk, "crumbs")  # whatever room the refused writes left behind
        # The log's write-ahead file may still hold room it reuses (a checkpoint just before the disk
        # filled, on a busy machine): a form sent then is recorded (303), as the API's were above.
        for i in range(20):
            page = client.post("/volunteers", data={"name": f"满盘 {i}", "phone": f"139000099{i:02d}", "unit_id": unit,
                                                    "_csrf": form_token(world)}, follow_redirects=False)
            assert page.status_code in (303, 503), page.status_code
            if page.status_code == 503:
                break
            written += 1
        assert page.status_code == 503 and "服务器磁盘已满" in page.text
        client.cookies.clear()

        health = client.get("/api/v1/healthz")
        assert health.status_code in (200, 503)  # reading goes on; the problem shows once a write lags

        filler.unlink()  # an operator frees room: nothing else is done
        crumbs.unlink()
        again = world.call("coord", "POST", "/api/v1/volunteers", headers={"Idempotency-Key": "after"},
                           json={"name": "After the disk", "phone": "13900001111", "unit_id": unit, "languages": []})
        assert again.status_code == 201, again.text
        retried = world.call("coord", "POST", "/api/v1/volunteers", headers={"Idempotency-Key": "full-29"},
                             json={"name": "Full 29 " + "x" * 50, "phone": "13900000029", "unit_id": unit,
                                   "languages": ["zh"]})
        assert retried.status_code in (201, 409), retried.text  # a refused write is simply sent again
        world.settle()  # the read models caught up by themselves
        assert client.get("/api/v1/healthz").json()["status"] == "ok"
        listed = world.call("coord", "GET", "/api/v1/volunteers").json()
        names = {v["name"] for v in listed}
        assert "After the disk" in names
        # Nothing half-written: every event in the log belongs to a write that was answered 201.
        registered = ledger.position - before
        assert registered == written + 1 + (retried.status_code == 201)
    ledger.close()
