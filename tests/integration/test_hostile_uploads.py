"""Uploads nobody should send, and somebody will: each is refused with a 400 naming the file and
the problem, never a 5xx, and read as a stream within bounded memory and time."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from tests.integration.conftest import World
from web.jobs.importing import MAX_ROWS, read_table


def workbook(rows: int = 3) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "手机"])
    for i in range(rows):
        sheet.append([f"志愿者{i}", f"1390000{i:04d}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_sheet(xml: bytes, base: bytes | None = None) -> bytes:
    """A real workbook whose first sheet is replaced by `xml`."""
    source = zipfile.ZipFile(io.BytesIO(base or workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            target.writestr(part, xml if part.filename == "xl/worksheets/sheet1.xml" else source.read(part))
    return out.getvalue()


HEAD = b'<?xml version="1.0"?>'
SHEET = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
LAUGHS = HEAD + b'<!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
    b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)) + \
    b']>' + SHEET + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
XXE = HEAD + b'<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>' + SHEET + \
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&secret;</t></is></c></row></sheetData></worksheet>'

HOSTILE = {
    "a bad zip": ("v.xlsx", b"PK\x03\x04 this is no zip at all"),
    "malformed XML": ("v.xlsx", with_sheet(HEAD + SHEET + b"<sheetData><row><c>")),
    "billion laughs": ("v.xlsx", with_sheet(LAUGHS)),
    "XXE": ("v.xlsx", with_sheet(XXE)),
    "a 9 MB CSV cell": ("v.csv", b'name,phone\n"' + b"x" * 9_000_000 + b'",13900001111\n'),
}


@pytest.mark.parametrize("what", list(HOSTILE))
def test_a_hostile_file_is_a_400_naming_the_file(world: World, what: str) -> None:
    filename, content = HOSTILE[what]
    answer = world.call("coord", "POST", "/api/v1/volunteers/import", files={"file": (filename, content)},
                        data={"unit_id": str(world.hospital.unit)})
    assert answer.status_code == 400, (what, answer.status_code, answer.text[:300])
    assert answer.json()["field"] == "file"
    assert "root:" not in answer.text  # nothing of /etc/passwd


def bounded(read) -> tuple[object, float]:
    """What `read()` returned (or raised) and the peak of memory it took, in MB."""
    tracemalloc.start()
    try:
        try:
            result: object = read()
        except ValueError as refused:
            result = refused
        return result, tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def test_a_workbook_that_declares_16384_columns_is_read_by_its_cells() -> None:
    xml = (HEAD + SHEET + b'<dimension ref="A1:XFD3000"/><sheetData>' + b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>V%d</t></is></c><c r="B%d" t="inlineStr"><is><t>139%08d</t>'
        b'</is></c></row>' % (i, i, i, i, i) for i in range(1, 3001)) + b"</sheetData></worksheet>")
    rows, peak = bounded(lambda: read_table(with_sheet(xml), "v.xlsx"))
    assert isinstance(rows, list) and len(rows) == 3000 and max(len(r) for r in rows) <= 40
    assert peak < 60, f"{peak:.0f} MB for a 3,000-row sheet"


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    bomb = with_sheet(HEAD + SHEET + b"<sheetData>" + row * 1_000_000 + b"</sheetData></worksheet>")
    assert len(bomb) < 2_000_000  # a small upload...
    refused, peak = bounded(lambda: read_table(bomb, "v.xlsx"))
    assert isinstance(refused, ValueError) and "unpacks to far more" in str(refused)
    assert peak < 100, f"{peak:.0f} MB to refuse it"


def test_rows_are_counted_as_they_are_read_and_refused_past_the_limit() -> None:
    many = b"name,phone\n" + b"".join(b"V%d,139%08d\n" % (i, i) for i in range(MAX_ROWS + 10))
    refused, _ = bounded(lambda: read_table(many, "v.csv"))
    assert isinstance(refused, ValueError) and f"{MAX_ROWS:,}" in str(refused)


@pytest.mark.parametrize(("encoding", "named", "text"), [
    ("big5", "Big5", "姓名,手機\n王小麗,13900001111\n李偉,13900002222\n張三豐,13800001234\n"),
    ("shift_jis", "Shift-JIS", "氏名,電話\n山田太郎,13900001111\n佐藤花子,13900002222\n"),
    ("big5", "Big5", "姓名,電話\n王麗,13900001111\n"),  # too short for statistics: one row
    ("shift_jis", "Shift-JIS", "name,phone\n山田,13900001111\n"),  # charset-normalizer says GB18030
])
def test_a_csv_in_big5_or_shift_jis_is_refused_not_garbled(world: World, encoding: str, named: str,
                                                           text: str) -> None:
    answer = world.call("coord", "POST", "/api/v1/volunteers/import", files={"file": ("v.csv", text.encode(encoding))},
                        data={"unit_id": str(world.hospital.unit)})
    assert answer.status_code == 400 and answer.json()["field"] == "file"
    assert named in answer.json()["detail"] and "UTF-8 or GB18030" in answer.json()["detail"]


def test_a_gb18030_csv_as_chinese_excel_saves_it_is_read() -> None:
    text = "姓名,手机\n王小丽,13900001111\n李伟,13900002222\n张三丰,13800001234\n"
    assert read_table(text.encode("gb18030"), "v.csv")[1] == ["王小丽", "13900001111"]
