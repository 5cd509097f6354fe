"""Tables as the spreadsheets people live in: CSV (UTF-8 with a byte-order mark, so that Excel
shows Chinese right) and XLSX (openpyxl), with headers in the reader's language."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Any, Literal

from litestar import Response

Format = Literal["csv", "xlsx"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = ("text/csv", XLSX)


def _cell(value: Any) -> Any:
    """Formula injection: a cell a spreadsheet would run as a formula is written as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def table(rows: Sequence[dict], columns: Sequence[tuple[str, str]], header: Callable[[str], str],
          fmt: Format, name: str) -> Response:
    """`rows` as a file named `name`.csv or .xlsx: `columns` are (key, English header)."""
    headings = [header(title) for _, title in columns]
    values = [[_cell(row.get(key)) for key, _ in columns] for row in rows]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headings)
        writer.writerows(values)
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
            sheet.append(row)
        out_bytes = io.BytesIO()
        book.save(out_bytes)
        body, media_type = out_bytes.getvalue(), XLSX
    return Response(content=body, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
