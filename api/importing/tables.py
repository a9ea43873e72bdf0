"""Reading the tables of a scenario directory: ``NAME.csv`` (UTF-8, BOM accepted)
or ``NAME.xlsx`` (first sheet), header in row 1.  Rows keep the number a person sees
in Excel, so row 2 is the first data row.

What a careless export or a hostile file can hold is refused here, naming the file,
the row and the column: a row with more fields than the header (a decimal comma turns
one mark into two), a column named twice, a field longer than any value Leitai takes,
a file that is not UTF-8, a link to a file that is not there, a file too large to be a
roster.  A file is read a row at a time, and an .xlsx only after every part of it was
checked (api/importing/limits.py): no table, however it is made, takes more memory than
the limits allow.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from api.importing.limits import (
    CHUNK,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_FIELD,
    MAX_FILE,
    MAX_ROWS,
    RecordGuard,
    check_xlsx,
)
from domain.errors import ImportRowError

__all__ = ["MAX_FIELD", "MAX_FILE", "MAX_ROWS", "Budget", "Row", "Table", "find_table", "read_bytes", "read_table",
           "read_utf8"]


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


class Budget:
    """The filled cells a whole scenario may still hold (``MAX_CELLS``)."""

    def __init__(self, cells: int | None = None) -> None:
        self.limit = MAX_CELLS if cells is None else cells
        self.left = self.limit

    def take(self, cells: int, file: str, row: int) -> None:
        self.left -= cells
        if self.left < 0:
            raise ImportRowError(file, row, None, f"the scenario holds more than {self.limit:,} filled cells; import "
                                 "it in parts", f"整个导入的内容超过 {self.limit:,} 个非空单元格，请分批导入")


def find_table(directory: Path, name: str) -> Path | None:
    found = [p for p in (directory / f"{name}.csv", directory / f"{name}.xlsx") if p.exists() or p.is_symlink()]
    if len(found) > 1:
        raise ImportRowError(f"{name}.csv / {name}.xlsx", None, None,
                             "both a .csv and an .xlsx file are present; keep only one",
                             "同时存在 .csv 和 .xlsx 文件，请只保留一个")
    return found[0] if found else None


def check_file(path: Path, name: str | None = None, limit: int = MAX_FILE) -> None:
    """A clean error for a dangling link, a directory, an unreadable or an oversized file."""
    name = name or path.name
    if path.is_symlink() and not path.exists():
        raise ImportRowError(name, None, None, "is a link to a file that does not exist", "是指向不存在文件的链接")
    if path.is_dir():
        raise ImportRowError(name, None, None, "is a directory, not a file", "是目录，不是文件")
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ImportRowError(name, None, None, f"cannot be read ({error.strerror})",
                             f"无法读取（{error.strerror}）") from None
    if size > limit:
        raise ImportRowError(name, None, None, f"is larger than {limit:,} bytes", f"文件超过 {limit:,} 字节")


def read_bytes(path: Path, name: str | None = None, limit: int = MAX_FILE) -> bytes:
    """A file's bytes, after :func:`check_file`."""
    check_file(path, name, limit)
    try:
        return path.read_bytes()
    except OSError as error:
        raise ImportRowError(name or path.name, None, None, f"cannot be read ({error.strerror})",
                             f"无法读取（{error.strerror}）") from None


def _not_utf8(name: str) -> ImportRowError:
    return ImportRowError(name, None, None,
                          "the file is not UTF-8 (Excel on Chinese Windows saves text as GBK); save it as UTF-8 "
                          "(for CSV: \"CSV UTF-8\", or use .xlsx)",
                          "文件不是 UTF-8 编码（中文版 Excel 默认把文本存为 GBK）；请另存为 UTF-8（CSV 请选“CSV UTF-8”，或改用 .xlsx 格式）")


def read_utf8(path: Path, name: str | None = None, limit: int = MAX_FILE) -> str:
    """A text file's content; a file that is not UTF-8 gets a message saying how to fix it."""
    data = read_bytes(path, name, limit)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _not_utf8(name or path.name) from None


def _check_utf8(path: Path) -> None:
    """The whole file is UTF-8, read a piece at a time (nothing is kept)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as source:
            while chunk := source.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _not_utf8(path.name) from None
    except OSError as error:
        raise ImportRowError(path.name, None, None, f"cannot be read ({error.strerror})",
                             f"无法读取（{error.strerror}）") from None


def read_table(path: Path, required: list[str], budget: Budget | None = None) -> Table:
    """A table, read a row at a time: what a row holds is checked before the next is read,
    and only the rows kept are held (``budget``: the cells the whole scenario may still
    hold)."""
    budget = budget if budget is not None else Budget()
    source = _read_xlsx(path) if path.suffix == ".xlsx" else _read_csv(path)
    with closing(source) as rows:
        first = next(rows, None)
        if first is None:
            raise ImportRowError(path.name, 1, None, "the file is empty (a header row is required)",
                                 "文件为空（第一行应为列名）")
        header = [h.strip().lstrip("\ufeff") for h in first]
        while header and not header[-1]:
            header.pop()  # trailing empty header cells (Excel leaves them)
        if len(header) > MAX_COLUMNS:
            raise ImportRowError(path.name, 1, None, f"more than {MAX_COLUMNS} columns", f"超过 {MAX_COLUMNS} 列")
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
        for number, values in enumerate(rows, start=2):
            if number > MAX_ROWS + 1:
                raise ImportRowError(path.name, None, None, f"more than {MAX_ROWS:,} rows", f"超过 {MAX_ROWS:,} 行")
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
            filled = sum(1 for value in cells.values() if value)
            if filled:
                budget.take(filled, path.name, number)
                out.append(Row(number, cells))
    return Table(path.name, header, out)


def _read_csv(path: Path) -> Iterator[list[str]]:
    check_file(path)
    _check_utf8(path)
    csv.field_size_limit(max(MAX_FIELD * 4, 131072))
    try:
        text = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise ImportRowError(path.name, None, None, f"cannot be read ({error.strerror})",
                             f"无法读取（{error.strerror}）") from None
    with text:
        guard = RecordGuard(text, path.name)
        reader = csv.reader(guard)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise ImportRowError(path.name, reader.line_num, None, f"cannot be read as CSV: {error}",
                                     f"无法按 CSV 读取：{error}") from None
            guard.record_done()
            yield row


def _read_xlsx(path: Path) -> Iterator[list[str]]:
    """The first sheet's rows as text, after every part of the file was checked
    (limits.check_xlsx): openpyxl reads only what fits the limits, and no row is padded
    beyond the last column holding a value."""
    from openpyxl import load_workbook  # only needed when an .xlsx is imported

    check_file(path)
    facts = check_xlsx(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises several kinds for a damaged file
        raise ImportRowError(path.name, None, None, f"cannot read the workbook: {exc}",
                             f"无法读取该 Excel 文件：{exc}") from None
    try:
        if not book.worksheets:
            return
        sheet = book.worksheets[0]
        found = facts.sheets.get(str(getattr(sheet, "_worksheet_path", "")))
        width = found.last_column if found is not None else MAX_COLUMNS
        if width == 0:
            return  # no cell holds a value
        sheet.reset_dimensions()  # never the used range the file declares: only what it holds
        rows = sheet.iter_rows(min_row=1, max_col=min(width, MAX_COLUMNS), values_only=True)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # noqa: BLE001 - a damaged cell (a shared string that is not there...)
                raise ImportRowError(path.name, None, None, f"cannot read the workbook: {exc}",
                                     f"无法读取该 Excel 文件：{exc}") from None
            values = [_cell_text(v) for v in row]
            while values and values[-1] == "":
                values.pop()
            yield values
    finally:
        book.close()


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
