"""The assessment export (``leitai-assessment/1``, docs/assessment.md) as files: CSV
(UTF-8 with a BOM, so that Excel reads it), .xlsx and JSON — the same records in each.

The command line (``leitai export assessment``) and the HTTP API
(``GET /api/contests/<contest>/assessment/<period>``) both write through here.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

from api.spreadsheets import append, csv_writer
from domain.errors import InvalidValue
from projections.assessment import KEYS, rows

KINDS = {"csv": "text/csv; charset=utf-8", "json": "application/json",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
NUMBERS = {"rounds", "standing_rank", "standing_of", "tasks", "tasks_done", "tasks_excused", "tasks_open",
           "tasks_overdue"}


def kind_of(name: str) -> str:
    """The format a file name (or a format word) asks for; refused with what is allowed."""
    kind = name.rsplit(".", 1)[-1].lower()
    if kind not in KINDS:
        raise InvalidValue("file", name, "the file name must end in .csv, .xlsx or .json",
                           "文件名应以 .csv、.xlsx 或 .json 结尾")
    return kind


def as_bytes(document: dict[str, Any], kind: str, lang: str) -> bytes:
    if kind == "json":
        return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    table = rows(document, lang)
    if kind == "csv":
        out = io.StringIO()
        writer = csv_writer(out)  # a field that begins like a formula goes behind a quote
        writer.writerows(table)
        return out.getvalue().encode("utf-8-sig")
    return _xlsx(document, table)


def _xlsx(document: dict[str, Any], table: list[list[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = f"{document['period']}"[:31]
    append(sheet, table[0])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    score = KEYS.index("standing_score")
    for row in table[1:]:
        cells = list(row)
        if cells[score] not in ("", None):
            cells[score] = Decimal(str(cells[score]))  # a number cell, exactly as shown
        for i, key in enumerate(KEYS):
            if key in NUMBERS and cells[i] == "":
                cells[i] = None
        append(sheet, cells)
    sheet.freeze_panes = "A2"
    for i, width in enumerate((14, 9, 10, 12, 8, 12, 20, 10, 8, 40, 9, 9, 9, 8, 8, 16, 7, 7, 7, 7, 7, 16)):
        sheet.column_dimensions[chr(ord("A") + i)].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
