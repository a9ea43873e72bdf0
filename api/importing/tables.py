"""Reading the tables of a scenario directory: ``NAME.csv`` (UTF-8, BOM accepted)
or ``NAME.xlsx`` (first sheet), header in row 1.  Rows keep the number a person sees
in Excel, so row 2 is the first data row."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from domain.errors import ImportRowError


@dataclass(frozen=True)
class Row:
    number: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(frozen=True)
class Table:
    file: str
    columns: list[str]
    rows: list[Row]


def find_table(directory: Path, name: str) -> Path | None:
    found = [p for p in (directory / f"{name}.csv", directory / f"{name}.xlsx") if p.exists()]
    if len(found) > 1:
        raise ImportRowError(f"{name}.csv / {name}.xlsx", None, None,
                             "both a .csv and an .xlsx file are present; keep only one",
                             "同时存在 .csv 和 .xlsx 文件，请只保留一个")
    return found[0] if found else None


def read_table(path: Path, required: list[str]) -> Table:
    rows = _read_xlsx(path) if path.suffix == ".xlsx" else _read_csv(path)
    if not rows:
        raise ImportRowError(path.name, 1, None, "the file is empty (a header row is required)",
                             "文件为空（第一行应为列名）")
    header = [h.strip().lstrip("\ufeff") for h in rows[0]]
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportRowError(path.name, 1, missing[0],
                             f"missing column {missing[0]!r}; the columns are {', '.join(required)}",
                             f"缺少列 {missing[0]!r}；应有的列为 {', '.join(required)}")
    out: list[Row] = []
    for number, values in enumerate(rows[1:], start=2):
        cells = {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header) if h}
        if any(cells.values()):
            out.append(Row(number, cells))
    return Table(path.name, [h for h in header if h], out)


def _read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRowError(path.name, None, None,
                             "the file is not UTF-8 (Excel on Chinese Windows saves CSV as GBK); save it as "
                             "\"CSV UTF-8\" or as .xlsx",
                             "文件不是 UTF-8 编码（中文版 Excel 默认把 CSV 存为 GBK）；请另存为“CSV UTF-8”或 .xlsx 格式") from None
    return [row for row in csv.reader(io.StringIO(text, newline=""))]


def _read_xlsx(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook  # only needed when an .xlsx is imported

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a damaged file
        raise ImportRowError(path.name, None, None, f"cannot read the workbook: {exc}",
                             f"无法读取该 Excel 文件：{exc}") from None
    sheet = book.worksheets[0]
    rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def _cell_text(value: object) -> str:
    """Excel keeps numbers as binary floats; repr gives the shortest text that reads back
    to the same float (8.5 -> "8.5"), so a mark typed as 8.5 arrives as "8.5"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        text = repr(value)
        return str(Decimal(text)) if "e" in text else text
    return str(value)
