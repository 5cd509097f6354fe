"""Never dark, in the browser: when the server cannot record what a coordinator sends (here its
disk is full), the page says why in the coordinator's language and keeps every field as typed;
once there is room again the same click records it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import PASSWORD, Server, free_port, serve, snap, stop
from tests.integration.test_disk_full import fill, small_disk  # noqa: F401 - a fixture


def test_a_form_the_server_cannot_record_says_why_and_keeps_what_was_typed(
        small_disk: Path, tmp_path: Path, browser) -> None:  # noqa: F811
    env = {**os.environ, "CARELEDGER_DATA": str(small_disk)}
    subprocess.run([sys.executable, "-m", "web.cli", "create-user", "--username", "root", "--password", PASSWORD,
                    "--role", "admin"], env=env, check=True, capture_output=True)
    port = free_port()
    process = serve(env, port, tmp_path / "server.log")
    try:
        server = Server(f"http://127.0.0.1:{port}")
        unit = server.api("POST", "/units", {"name": "瑞金医院", "district": "黄浦"}, user="root")["id"]
        server.api("POST", "/accounts", {"username": "coord", "password": PASSWORD, "role": "coordinator",
                                         "unit_ids": [unit]}, user="root")
        context = browser.new_context(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN"},
                                      viewport={"width": 1200, "height": 900})
        page = context.new_page()
        page.goto(f"{server.base}/login")
        page.get_by_label("用户名").fill("coord")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state("networkidle")
        page.goto(f"{server.base}/volunteers")

        # A reader holding the log's older pages: SQLite cannot start its write-ahead log over, so
        # every write needs new room on the disk (else it may find room inside its own files).
        pin = sqlite3.connect(small_disk / "events.sqlite3")
        pin.execute("BEGIN")
        pin.execute("SELECT count(*) FROM stored_events").fetchone()
        filler = fill(small_disk)
        for i in range(500):  # what SQLite had free inside its files goes first: until a write is refused
            try:
                server.api("POST", "/volunteers", {"name": f"Filler {i}", "phone": f"1370000{i:04d}",
                                                   "unit_id": unit}, user="coord")
            except AssertionError as refused:
                assert " 503 " in str(refused), refused
                break
        else:
            raise AssertionError("the disk never filled")
        fillers = [filler, fill(small_disk, "filler2")]  # what the refused write gave back is taken too
        for attempt in range(20):  # SQLite may still find room inside its own files: until it cannot
            name, phone = f"王小丽{attempt}", f"139123456{attempt:02d}"
            page.get_by_label("姓名", exact=True).fill(name)
            page.get_by_label("电话", exact=True).fill(phone)
            page.get_by_role("button", name="登记", exact=True).click()
            said = page.locator("[data-failure], [data-flash=ok]").first
            said.wait_for()
            if said.get_attribute("data-failure") is not None:
                break
            fillers.append(fill(small_disk, f"filler-more{attempt}"))
        else:
            raise AssertionError("the form never met the full disk")
        assert "服务器磁盘已满" in said.inner_text()
        assert page.get_by_label("姓名", exact=True).input_value() == name  # nothing typed is lost
        assert page.get_by_label("电话", exact=True).input_value() == phone
        snap(page, "disk-full-zh-form-kept")

        pin.rollback()
        pin.close()
        for taken in fillers:  # room again: the same click now records it
            taken.unlink()
        page.get_by_role("button", name="登记", exact=True).click()
        page.locator("[data-flash=ok]").wait_for()
        assert page.locator("table").get_by_text(name, exact=True).count() == 1
        context.close()
    finally:
        stop(process)
