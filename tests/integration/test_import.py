"""Importing volunteers from CSV and Excel: headers in English or Chinese, bad rows reported and
left out whole, phones already known skipped (the same file twice adds no one)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path
from uuid import UUID

import pytest
from openpyxl import Workbook

from domain.application import CareLedger
from domain.clock import FixedClock
from tests.integration.conftest import PASSWORD, World, nodes_on_postgres, login_token
from tests.integration.test_ui_pages import form_token, log_in
from web.settings import Settings

CHINESE = ("姓名,手机号,语言,单位\n"
           "张伟,139 1234 5678,中文、English,\n"
           "王芳,13912345679,,Ruijin Hospital\n"
           ",13912345680,,\n"                      # row 4: no name
           "李娜,call me,,\n"                       # row 5: not a phone
           "赵敏,13912345681,,Huashan Hospital\n"   # row 6: a unit this coordinator does not act for
           "张伟二,13912345678,,\n")                # row 7: the phone of row 2: a duplicate


def _upload(world: World, content: bytes, filename: str, **form):
    return world.call("coord", "POST", "/api/v1/volunteers/import",
                      files={"file": (filename, content)}, data={"unit_id": str(world.hospital.unit), **form})


def test_a_chinese_csv_is_imported_with_each_bad_row_reported_and_again_adds_no_one(world: World) -> None:
    answer = _upload(world, CHINESE.encode("utf-8"), "志愿者.csv")
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["rows"], report["created"], report["duplicates"]) == (6, 2, [7])
    assert [(e["row"], e["field"]) for e in report["errors"]] == [(4, "name"), (5, "phone"), (6, "unit")]
    listed = world.call("coord", "GET", "/api/v1/volunteers?q=张伟").json()
    assert [v["name"] for v in listed] == ["张伟"] and listed[0]["languages"] == ["中文", "English"]
    assert world.call("coord", "GET", f"/api/v1/volunteers/{listed[0]['id']}").json()["phone"] == "13912345678"

    again = _upload(world, CHINESE.encode("utf-8"), "志愿者.csv").json()
    assert again["created"] == 0 and again["duplicates"] == [2, 3, 7]


def test_an_excel_workbook_and_a_gb18030_csv_are_read_too(world: World) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Phone", "Skills"])
    sheet.append(["Chen Jing", 13800001111, "sign language; first aid"])
    content = io.BytesIO()
    book.save(content)
    report = _upload(world, content.getvalue(), "volunteers.xlsx").json()
    assert report["created"] == 1 and report["errors"] == []
    gbk = "姓名,电话\n刘洋,13800002222\n".encode("gb18030")
    assert _upload(world, gbk, "export-from-excel.csv").json()["created"] == 1


def test_a_file_without_the_needed_columns_is_refused_whole(world: World) -> None:
    before = world.ledger.position
    answer = _upload(world, b"who,where\nLi,Ruijin\n", "odd.csv")
    assert answer.status_code == 400 and answer.json()["field"] == "file" and "phone" in answer.json()["detail"]
    assert world.ledger.position == before
    assert world.call("kiosk", "POST", "/api/v1/volunteers/import", files={"file": ("a.csv", b"x")}).status_code == 403


def test_the_import_page_takes_an_upload_and_shows_the_report(world: World) -> None:
    log_in(world, "coord", "zh")
    assert 'name="_csrf"' in world.client.get("/volunteers/import").text
    started = world.client.post("/volunteers/import", files={"file": ("v.csv", CHINESE.encode())},
                                data={"unit_id": str(world.hospital.unit), "_csrf": form_token(world)},
                                follow_redirects=False)
    assert started.status_code == 303
    job = started.headers["location"]
    page = world.client.get(job)
    assert page.status_code == 200 and '<progress id="import-bar"' in page.text
    assert "正在导入 v.csv" in page.text or "已导入 v.csv" in page.text  # a small file may be done already
    for _ in range(100):  # the page polls every second; the test asks as htmx would, until the report is in
        page = world.client.get(job, headers={"HX-Request": "true"})
        if "新登记" in page.text:
            break
        time.sleep(0.05)
    assert "新登记 2 人" in page.text and "已登记 1 人" in page.text and "3 行未通过" in page.text
    assert 'value="100"' in page.text and "hx-trigger" not in page.text  # finished: the polling stops
    log_in(world, "other_coord")
    assert world.client.get(job).status_code == 404  # someone else's import


def test_the_command_line_imports_with_progress_and_reports_bad_rows(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "CARELEDGER_DATA": str(data)}
    settings_env = Settings(data_dir=data).event_store_env() | {"SQLITE_DBNAME": str(data / "events.sqlite3")}
    with CareLedger(env=settings_env) as ledger:
        unit = ledger.register_unit("Ruijin Hospital", "Huangpu", "admin").id
    file = tmp_path / "volunteers.csv"
    file.write_text(CHINESE, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "web.cli", "import", "volunteers", str(file), "--unit", str(unit)],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 1, done.stderr  # some rows were refused
    assert "2 volunteers registered" in done.stdout and "row 5: phone" in done.stdout
    again = subprocess.run([sys.executable, "-m", "web.cli", "import", "volunteers", str(file), "--unit", str(unit)],
                           env=env, capture_output=True, text=True)
    assert "0 volunteers registered" in again.stdout


def test_an_email_column_gives_notices_an_address_and_a_bad_one_refuses_its_row_alone(world: World) -> None:
    table = ("姓名,手机号,邮箱\n"
             "周敏,13700000001,zhou@example.org\n"
             "吴刚,13700000002,not-an-address\n"
             "郑洁,13700000003,\n").encode()
    report = _upload(world, table, "emails.csv").json()
    assert report["created"] == 2 and [(e["row"], e["field"]) for e in report["errors"]] == [(3, "email")]
    world.settle()
    found = {v["name"]: v["id"] for v in world.call("coord", "GET", "/api/v1/volunteers").json()}
    assert world.ledger.contact_of(UUID(found["周敏"]))[0] == "zhou@example.org"
    assert world.ledger.contact_of(UUID(found["郑洁"]))[0] == ""


@pytest.mark.postgres
def test_behind_a_load_balancer_another_node_shows_the_imports_progress(
        tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """The upload reached node A; the page's polls reach node B, which shows the same job."""
    with nodes_on_postgres(tmp_path, clock, monkeypatch) as (a, b):
        world = World(a, a.app.state.ledger)
        log_in(world, "coord", "zh")
        rows = "".join(f"志愿者{i},1391000{i:04d},,\n" for i in range(120))
        started = a.post("/volunteers/import", files={"file": ("v.csv", ("姓名,手机号,语言,单位\n" + rows).encode())},
                         data={"unit_id": str(world.hospital.unit), "_csrf": form_token(world)}, follow_redirects=False)
        assert started.status_code == 303
        job = started.headers["location"]
        session = {cookie.name: cookie.value for cookie in a.cookies.jar}
        for name in ("token", "lang"):
            b.cookies.set(name, session[name])
        for _ in range(200):
            page = b.get(job, headers={"HX-Request": "true"})
            assert page.status_code == 200 and "v.csv" in page.text
            if "新登记" in page.text:
                break
            time.sleep(0.05)
        assert "新登记 120 人" in page.text and 'value="100"' in page.text
        b.cookies.clear()
        other = b.post("/login", data={"username": "other_coord", "password": PASSWORD, **login_token(b)},
                       follow_redirects=False)
        b.cookies.set("token", other.cookies["token"])
        assert b.get(job).status_code == 404  # someone else's import, on any node
