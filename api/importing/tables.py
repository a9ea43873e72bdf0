"""Reading the tables of a scenario directory: ``NAME.csv`` (UTF-8, BOM accepted)
or ``NAME.xlsx`` (first sheet), header in row 1.  Rows keep the number a person sees
in Excel, so row 2 is the first data row.

What a careless export or a hostile file can hold is refused here, naming the file,
the row and the column: a row with more fields than the header (a decimal comma turns
one mark into two), a column named twice, a field longer than any value Leitai takes,
a file that is not UTF-8, a link to a file that is not there, a file too large to be a
roster.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from domain.errors import ImportRowError

MAX_FILE = 50_000_000  # bytes
MAX_FIELD = 10_000  # characters in one cell (appeal texts are 5,000; nothing is longer)
MAX_ROWS = 200_000


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
    found = [p for p in (directory / f"{name}.csv", directory / f"{name}.xlsx") if p.exists() or p.is_symlink()]
    if len(found) > 1:
        raise ImportRowError(f"{name}.csv / {name}.xlsx", None, None,
                             "both a .csv and an .xlsx file are present; keep only one",
                             "同时存在 .csv 和 .xlsx 文件，请只保留一个")
    return found[0] if found else None


def read_bytes(path: Path) -> bytes:
    """A file's bytes, or a clean error for a dangling link, a directory, an unreadable
    or an oversized file."""
    if path.is_symlink() and not path.exists():
        raise ImportRowError(path.name, None, None, "is a link to a file that does not exist",
                             "是指向不存在文件的链接")
    if path.is_dir():
        raise ImportRowError(path.name, None, None, "is a directory, not a file", "是目录，不是文件")
    try:
        if path.stat().st_size > MAX_FILE:
            raise ImportRowError(path.name, None, None, f"is larger than {MAX_FILE:,} bytes",
                                 f"文件超过 {MAX_FILE:,} 字节")
        return path.read_bytes()
    except OSError as error:
        raise ImportRowError(path.name, None, None, f"cannot be read ({error.strerror})",
                             f"无法读取（{error.strerror}）") from None


def read_utf8(path: Path, name: str | None = None) -> str:
    """A text file's content; a file that is not UTF-8 gets a message saying how to fix it."""
    data = read_bytes(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRowError(name or path.name, None, None,
                             "the file is not UTF-8 (Excel on Chinese Windows saves text as GBK); save it as UTF-8 "
                             "(for CSV: \"CSV UTF-8\", or use .xlsx)",
                             "文件不是 UTF-8 编码（中文版 Excel 默认把文本存为 GBK）；请另存为 UTF-8（CSV 请选“CSV UTF-8”，或改用 .xlsx 格式）"
                             ) from None


def read_table(path: Path, required: list[str]) -> Table:
    rows = _read_xlsx(path) if path.suffix == ".xlsx" else _read_csv(path)
    if not rows:
        raise ImportRowError(path.name, 1, None, "the file is empty (a header row is required)",
                             "文件为空（第一行应为列名）")
    if len(rows) > MAX_ROWS + 1:
        raise ImportRowError(path.name, None, None, f"more than {MAX_ROWS:,} rows", f"超过 {MAX_ROWS:,} 行")
    header = [h.strip().lstrip("\ufeff") for h in rows[0]]
    while header and not header[-1]:
        header.pop()  # trailing empty header cells (Excel leaves them)
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportRowError(path.name, 1, missing[0],
                             f"missing column {missing[0]!s}; the columns are {', '.join(required)}",
                             f"缺少列「{missing[0]}」；应有的列为 {', '.join(required)}")
    seen: set[str] = set()
    for column in header:
        if not column:
            raise ImportRowError(path.name, 1, None, "a column has no name", "有一列没有列名")
        if column in seen:
            raise ImportRowError(path.name, 1, column, "the column appears twice", "该列重复出现")
        seen.add(column)
    out: list[Row] = []
    for number, values in enumerate(rows[1:], start=2):
        extra = [v for v in values[len(header):] if v.strip()]
        if extra:
            raise ImportRowError(path.name, number, None,
                                 f"the row has {len(header) + len(extra)} fields but the header only {len(header)} "
                                 "columns (a decimal comma, or a comma inside a name without quotes?)",
                                 f"该行有 {len(header) + len(extra)} 个字段，表头只有 {len(header)} 列"
                                 "（是否用了逗号作小数点，或名称中的逗号没有加引号？）")
        for column, value in zip(header, values):
            if len(value) > MAX_FIELD:
                raise ImportRowError(path.name, number, column, f"longer than {MAX_FIELD:,} characters",
                                     f"超过 {MAX_FIELD:,} 个字符")
        cells = {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)}
        if any(cells.values()):
            out.append(Row(number, cells))
    return Table(path.name, header, out)


def _read_csv(path: Path) -> list[list[str]]:
    text = read_utf8(path)
    csv.field_size_limit(max(MAX_FIELD * 4, 131072))
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                break
    except csv.Error as error:
        raise ImportRowError(path.name, reader.line_num, None, f"cannot be read as CSV: {error}",
                             f"无法按 CSV 读取：{error}") from None
    return rows


def _read_xlsx(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook  # only needed when an .xlsx is imported

    read_bytes(path)  # the same checks as for any file
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises several kinds for a damaged file
        raise ImportRowError(path.name, None, None, f"cannot read the workbook: {exc}",
                             f"无法读取该 Excel 文件：{exc}") from None
    try:
        sheet = book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(v) for v in row])
            if len(rows) > MAX_ROWS + 1:
                break
    finally:
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
