"""Importing volunteers from the spreadsheets programmes already keep (CSV or Excel).

Columns are found by their header, in English or Chinese; every row is checked before anything
is written; a bad row is reported with its reason and left out whole; a phone number already
known (in the units imported into, or earlier in the file) is a duplicate, not a second person,
so running the same file twice adds no one.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

from domain import bounds
from domain.errors import DomainError, InvalidCommand
from projections import directory

log = logging.getLogger("careledger")

HEADERS = {
    "name": ("name", "full name", "姓名", "名字", "志愿者姓名"),
    "phone": ("phone", "mobile", "phone number", "telephone", "手机", "手机号", "手机号码", "电话", "联系电话"),
    "languages": ("languages", "language", "语言", "语种"),
    "skills": ("skills", "skill", "特长", "技能"),
    "unit": ("unit", "hospital", "单位", "医院", "服务单位"),
    "email": ("email", "e-mail", "mail", "邮箱", "电子邮箱", "电子邮件"),
}
_SPLIT = re.compile(r"[,;，；、/]+")
IMPORT_MAX_BYTES = 10 * 1024 * 1024  # a spreadsheet of 50,000 volunteers is a few MB
BATCH = 200  # rows saved in one transaction (a refusal inside one is redone row by row)
MAX_ROWS = 50_000


@dataclass
class Row:
    number: int  # as the spreadsheet numbers it (the header is row 1)
    name: str
    phone: str
    unit_id: UUID
    languages: list[str]
    skills: list[str]
    email: str = ""  # where notices go


@dataclass
class Report:
    rows: int = 0
    created: int = 0
    duplicates: list[int] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def refuse(self, number: int, field_name: str, problem: str) -> None:
        self.errors.append({"row": number, "field": field_name, "problem": problem})

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "created": self.created, "duplicates": self.duplicates, "errors": self.errors}


NO_COLUMNS = "No column for the name and the phone: the first row must name the columns (e.g. name/姓名, phone/手机号)."
NO_NAME_COLUMN = "No column for the name: the first row must name the columns (e.g. name/姓名, phone/手机号)."
NO_PHONE_COLUMN = "No column for the phone: the first row must name the columns (e.g. name/姓名, phone/手机号)."
MAX_COLUMNS = 40  # a volunteer's row has a dozen; a workbook declaring 16,384 is read as this many
MAX_CELL = 10_000  # characters in one cell: a name, a note of a few lines
MAX_UNPACKED = 256 * 1024 * 1024  # what a workbook's parts may unpack to, together
MAX_RATIO = 250  # unpacked to packed, per part: a spreadsheet squeezes 5-50 times, a zip bomb thousands


def read_table(content: bytes, filename: str) -> list[list[str]]:
    """The rows of a CSV (UTF-8, or GB18030 as Chinese Excel saves it) or an .xlsx file, as text,
    read as a stream: refused at once past MAX_ROWS rows, and anything that cannot be read (a bad
    zip, broken or hostile XML, an oversized cell, a zip bomb) is a ValueError in words."""
    rows: Iterator[list[str]]
    if filename.lower().endswith((".xlsx", ".xlsm")):
        rows = _workbook_rows(content)
    else:
        rows = _csv_rows(content)
    table: list[list[str]] = []
    try:
        for row in rows:
            if not any(row):
                continue
            table.append(row)
            if len(table) > MAX_ROWS + 1:
                raise ValueError(f"At most {MAX_ROWS:,} volunteers in one file; split it.")
    except ValueError:
        raise
    except Exception as unreadable:  # noqa: BLE001 - whatever a hostile file makes the parser raise
        raise ValueError(f"The file cannot be read as a spreadsheet ({type(unreadable).__name__}).") from None
    return table


def _workbook_rows(content: bytes) -> Iterator[list[str]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        parts = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ValueError("The file is not a readable .xlsx workbook.") from None
    if sum(part.file_size for part in parts) > MAX_UNPACKED or any(
            part.file_size > MAX_RATIO * max(part.compress_size, 1) + 65_536 for part in parts):
        raise ValueError("The workbook unpacks to far more than a volunteer list can hold; it is refused.")
    try:  # with defusedxml installed, openpyxl refuses entities (billion laughs) and external ones (XXE)
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
    except Exception:  # noqa: BLE001 - a broken or hostile workbook, whatever openpyxl raises for it
        raise ValueError("The file is not a readable .xlsx workbook.") from None
    sheet.reset_dimensions()  # its declared size is not believed: rows are as long as their cells
    for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
        cells = ["" if v is None else str(v).strip() for v in row]
        if any(len(cell) > MAX_CELL for cell in cells):
            raise ValueError(f"A cell is longer than {MAX_CELL:,} characters.")
        yield cells


ACCEPTED = "UTF-8 or GB18030 (GBK)"
OTHERS = {"big5": "Big5 (Traditional Chinese)", "shift_jis": "Shift-JIS (Japanese)"}
# Column names as they are written in those scripts (name, phone, language, unit, e-mail)
OTHER_HEADERS = {"big5": ("姓名", "名字", "手機", "電話", "語言", "單位", "醫院", "郵箱", "電子郵件"),
                 "shift_jis": ("氏名", "名前", "電話", "携帯", "言語", "病院", "メール")}


def _text_of(content: bytes) -> str:
    """The CSV's text: UTF-8 if it is that, else GB18030 as Chinese Excel saves it. GB18030 takes
    almost any bytes, so Big5 or Shift-JIS would come out as garbage: what the bytes most likely
    are is asked first (charset-normalizer), and such a file is refused with what to do."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(content[:200_000], cp_isolation=["gb18030", *OTHERS]).best()
    if best is not None and best.encoding in OTHERS:
        raise ValueError(f"The file looks like {OTHERS[best.encoding]} text: save it as {ACCEPTED} "
                         "(in Excel: Save As, CSV UTF-8) and upload it again.")
    try:
        text = content.decode("gb18030")
    except UnicodeDecodeError:
        raise ValueError(f"The file is neither {ACCEPTED} text nor an .xlsx workbook.") from None
    # A file of a few rows is too short for statistics. Its first row names the columns, though,
    # and names are written in common characters: garbage read from another encoding is not.
    first = content.split(b"\n", 1)[0]
    ours = _names_a_column(text.split("\n", 1)[0], HEADERS)
    for encoding, words in OTHER_HEADERS.items():
        try:
            other = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if (not ours and any(word in first.decode(encoding, "replace") for word in words)) or \
                (_commonness(text[:20_000]) < 0.5 <= 0.8 <= _commonness(other[:20_000])):
            raise ValueError(f"The file looks like {OTHERS[encoding]} text: save it as {ACCEPTED} "
                             "(in Excel: Save As, CSV UTF-8) and upload it again.")
    return text


def _commonness(text: str) -> float:
    """The share of a text's CJK characters that are in everyday use: GB2312's first level (the
    3,755 commonest hanzi), Big5's common level, or kana. 1.0 for a text without any."""
    wide = [c for c in text if ord(c) >= 0x3040 and not 0xFF00 <= ord(c) <= 0xFFEF]
    if not wide:
        return 1.0
    return sum(_everyday(c) for c in wide) / len(wide)


def _everyday(c: str) -> bool:
    if 0x3040 <= ord(c) <= 0x30FF:
        return True
    for encoding, low, high in (("gb2312", 0xB0A1, 0xD7F9), ("big5", 0xA440, 0xC67E)):
        try:
            code = int.from_bytes(c.encode(encoding), "big")
        except UnicodeEncodeError:
            continue
        if low <= code <= high:
            return True
    return False


def _names_a_column(line: str, headers: dict[str, tuple[str, ...]]) -> bool:
    titles = {title.strip().lower().replace("_", " ") for title in re.split(r"[,\t;]", line)}
    return any(title in names for names in headers.values() for title in titles)


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    text = _text_of(content)
    try:
        for row in csv.reader(io.StringIO(text)):
            if any(len(cell) > MAX_CELL for cell in row):
                raise ValueError(f"A cell is longer than {MAX_CELL:,} characters.")
            yield [cell.strip() for cell in row[:MAX_COLUMNS]]
    except csv.Error:
        raise ValueError(f"The CSV cannot be read (a cell longer than {MAX_CELL:,} characters, or a broken "
                         "quote).") from None


csv.field_size_limit(MAX_CELL + 1)  # the reader stops at an oversized cell instead of holding it


def _columns(header: list[str]) -> dict[str, int]:
    found = {}
    for i, title in enumerate(header):
        key = title.strip().lower().replace("_", " ")
        for column, names in HEADERS.items():
            if key in names and column not in found:
                found[column] = i
    missing = [c for c in ("name", "phone") if c not in found]
    if missing:  # whole sentences, so that a page says them in its language
        raise ValueError({("name",): NO_NAME_COLUMN, ("phone",): NO_PHONE_COLUMN}.get(tuple(missing), NO_COLUMNS))
    return found


def checked_rows(table: list[list[str]], units_by_name: dict[str, UUID], default_unit: UUID | None,
                 report: Report) -> Iterator[Row]:
    """Each row that passes every check; the others go to the report with their reason."""
    columns = _columns(table[0])

    def cell(row: list[str], column: str) -> str:
        i = columns.get(column)
        return row[i].strip() if i is not None and i < len(row) else ""

    for number, row in enumerate(table[1:], start=2):
        report.rows += 1
        try:  # the domain's own bounds, checked here too so that a row's duplicates can be told by phone
            name = bounds.text("name", cell(row, "name"), bounds.NAME)
            phone = bounds.phone("phone", cell(row, "phone"))
        except InvalidCommand as refused:
            # the sentence as the catalogue holds it, so that a page can say it in its language
            report.refuse(number, refused.field, refused.problem if not refused.values
                          else refused.message.partition(": ")[2])
            continue
        unit_text = cell(row, "unit")
        unit = units_by_name.get(unit_text.lower()) if unit_text else default_unit
        if unit is None:
            report.refuse(number, "unit", "this unit is not known here" if unit_text else "no unit given")
            continue
        languages = [x.strip() for x in _SPLIT.split(cell(row, "languages")) if x.strip()]
        skills = [x.strip() for x in _SPLIT.split(cell(row, "skills")) if x.strip()]
        # an e-mail address is checked where it is recorded: a bad one refuses its row alone
        yield Row(number, name, phone, unit, languages, skills, cell(row, "email"))


def import_volunteers(commands: Any, actor: Any, db: Any, table: list[list[str]], default_unit: UUID | None,
                      progress: Callable[[int], None] = lambda n: None) -> Report:
    """Register every good row of `table` as a (pending) volunteer of a unit `actor` acts for,
    each through the same command as one registered by hand."""
    report = Report()
    if not table:
        raise ValueError("The file is empty.")
    ledger = commands.ledger
    scope = actor.scope()
    allowed = {u["id"] for u in directory.units(db)} if scope is None else set(scope)
    units = {u["name"].lower(): UUID(u["id"]) for u in directory.units(db) if u["id"] in allowed}
    units |= {u: UUID(u) for u in allowed}  # a unit may also be given by its id
    known = {ledger.get_volunteer(UUID(v["id"])).phone
             for v in directory.volunteers(db, sorted(allowed), limit=1_000_000)}
    fresh: list[Row] = []
    for row in checked_rows(table, units, default_unit if default_unit is None or str(default_unit) in allowed
                            else None, report):
        if row.phone in known:
            report.duplicates.append(row.number)
            progress(1)
            continue
        known.add(row.phone)
        fresh.append(row)
    for start in range(0, len(fresh), BATCH):
        chunk = fresh[start:start + BATCH]
        try:
            with ledger.batch():
                for row in chunk:
                    commands.register_volunteer(actor, row.name, row.phone, row.unit_id, row.languages, row.skills,
                                                row.email, duplicates=False)
            report.created += len(chunk)
        except DomainError:
            for row in chunk:  # one row refused: the others of the batch go in one by one
                try:
                    commands.register_volunteer(actor, row.name, row.phone, row.unit_id, row.languages, row.skills,
                                                row.email, duplicates=False)
                    report.created += 1
                except DomainError as refused:
                    report.refuse(row.number, refused.details.get("field", ""), refused.message)
        progress(len(chunk))
    report.errors.sort(key=lambda e: e["row"])
    return report


def _uploaded(request: Any, content: bytes, filename: str, unit_id: UUID | None) -> list[list[str]]:
    """The file's rows, if the coordinator acts for the unit asked for; a file that cannot be read is a 400."""
    if unit_id is not None:
        request.user.ensure_unit(unit_id)
    try:
        return read_table(content, filename)
    except ValueError as problem:
        raise InvalidCommand("file", str(problem)) from None


def run_import(request: Any, content: bytes, filename: str, unit_id: UUID | None) -> dict[str, Any]:
    """An import asked for over HTTP, into the units the coordinator acts for; then the read
    models are brought up to it (the report's rows are visible on the next read)."""
    state = request.app.state
    table = _uploaded(request, content, filename, unit_id)
    try:
        report = import_volunteers(state.commands, request.user, state.reader(), table, unit_id)
    except ValueError as problem:
        raise InvalidCommand("file", str(problem)) from None
    state.projector.wait(state.ledger.position, timeout=state.settings.read_wait_seconds)
    return report.as_dict()


@dataclass
class ImportJob:
    """An import started from the upload page, running in its own thread, watched by the page."""

    owner: str
    filename: str
    total: int
    done: int = 0
    report: dict[str, Any] | None = None
    problem: str | None = None

    @property
    def finished(self) -> bool:
        return self.report is not None or self.problem is not None

    @property
    def percent(self) -> int:
        return 100 if self.finished else int(100 * self.done / self.total) if self.total else 0


class ImportJobs:
    """The imports started on this node, by id, for the page that watches one. (With several
    nodes, web/nodes.py keeps them in the log's database, for a poll that reaches another node.)"""

    def __init__(self) -> None:
        self._jobs: dict[str, ImportJob] = {}

    def add(self, job: ImportJob) -> str:
        job_id = uuid4().hex
        self._jobs[job_id] = job
        return job_id

    def get(self, job_id: str) -> ImportJob | None:
        return self._jobs.get(job_id)

    def save(self, job_id: str, job: ImportJob) -> None:
        """The job has moved on (here the page reads the same object: nothing to do)."""


SAVE_EVERY_SECONDS = 0.5  # a shared job's progress is written at most this often


def start_import(request: Any, content: bytes, filename: str, unit_id: UUID | None) -> str:
    """Check the file at once (a wrong file is refused before anything starts), then import it in a
    thread that counts its rows as it goes; the job's id, for the page that shows the progress."""
    state = request.app.state
    table = _uploaded(request, content, filename, unit_id)
    job = ImportJob(request.user.account_id, filename, max(0, len(table) - 1))
    job_id = state.imports.add(job)
    actor = request.user
    saved_at = time.monotonic()

    def advance(n: int) -> None:
        nonlocal saved_at
        job.done += n
        if time.monotonic() - saved_at >= SAVE_EVERY_SECONDS:
            state.imports.save(job_id, job)
            saved_at = time.monotonic()

    def run() -> None:
        db = state.store.reader()
        try:
            job.report = import_volunteers(state.commands, actor, db, table, unit_id, advance).as_dict()
            state.projector.wait(state.ledger.position, timeout=state.settings.read_wait_seconds)
        except (DomainError, ValueError) as refused:
            job.problem = getattr(refused, "message", str(refused))
        except Exception as failed:  # the page must end, and say so, whatever happened
            log.exception("import failed")
            job.problem = f"The import failed: {failed}"
        finally:
            db.conn.close()
            state.imports.save(job_id, job)

    threading.Thread(target=run, name=f"import {filename}", daemon=True).start()
    return job_id
