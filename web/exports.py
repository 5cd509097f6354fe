"""Tables as the spreadsheets people live in: CSV (UTF-8 with a byte-order mark, so that Excel
shows Chinese right) and XLSX (openpyxl), with headers in the reader's language."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from litestar import Response

Format = Literal["csv", "xlsx"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = ("text/csv", XLSX)


# What a spreadsheet would run as a formula, once it has dropped what it ignores before it
# (spaces of any width, zero-width marks) and read full-width forms as their ASCII (＝ is =).
_IGNORED_FIRST = " \t\u00a0\u200b\u200c\u200d\u2060\ufeff\u3000"
_FORMULA_START = ("=", "+", "-", "@")


def _formula_like(value: str) -> bool:
    if value[:1] in ("\t", "\r"):
        return True
    head = unicodedata.normalize("NFKC", value.lstrip(_IGNORED_FIRST)[:1])
    return head in _FORMULA_START


def _csv_cell(value: Any) -> Any:
    """Formula injection (OWASP): in CSV, a cell a spreadsheet would run is prefixed with '."""
    if isinstance(value, str) and _formula_like(value):
        return "'" + value
    return value


def _moment(value: Any, zone: ZoneInfo | None) -> Any:
    """A stored UTC instant as the programme's wall clock, to the minute."""
    if not isinstance(value, str) or not value:
        return value
    moment = datetime.fromisoformat(value)
    return (moment.astimezone(zone) if zone else moment).replace(tzinfo=None, second=0, microsecond=0)


def table(rows: Sequence[dict], columns: Sequence[tuple[str, str]], header: Callable[[str], str],
          fmt: Format, name: str, zone: ZoneInfo | None = None, days: Sequence[str] = (),
          moments: Sequence[str] = ()) -> Response:
    """`rows` as a file named `name`.csv or .xlsx: `columns` are (key, English header). Columns in
    `days` hold dates and those in `moments` instants, shown on the programme's wall clock (real
    date cells in XLSX, "2026-12-03 08:00" in CSV)."""
    headings = [header(title) for _, title in columns]
    kinds = {key: "day" for key in days} | {key: "moment" for key in moments}

    def value_of(row: dict, key: str) -> Any:
        value, kind = row.get(key), kinds.get(key)
        if kind == "day" and isinstance(value, str) and value:
            return date.fromisoformat(value)
        if kind == "moment":
            return _moment(value, zone)
        return value

    values = [[value_of(row, key) for key, _ in columns] for row in rows]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headings)
        writer.writerows([[_csv_cell(v.strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime) else
                                     v.isoformat() if isinstance(v, date) else v) for v in row] for row in values])
        body, media_type = ("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv"  # Litestar adds the charset
    else:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        book = Workbook(write_only=True)
        sheet = book.create_sheet(name[:31])
        sheet.freeze_panes = "A2"
        bold = []
        for heading in headings:
            cell = WriteOnlyCell(sheet, value=heading)
            cell.font = Font(bold=True)
            bold.append(cell)
        sheet.append(bold)
        for row in values:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # text, always: "=..." and "+86..." are shown, never run
                elif isinstance(value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            sheet.append(cells)
        out_bytes = io.BytesIO()
        book.save(out_bytes)
        body, media_type = out_bytes.getvalue(), XLSX
    return Response(content=body, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
