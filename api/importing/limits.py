"""What a scenario file may be, checked before it is read: a hostile or careless file is
refused naming the file (and the row where there is one) before it can take the
server's memory.

The limits, and why each is there:

* a table (``.csv`` or ``.xlsx``) has at most ``MAX_ROWS`` rows and ``MAX_COLUMNS``
  columns, a cell at most ``MAX_FIELD`` characters, and a whole scenario at most
  ``MAX_CELLS`` filled cells - what is read is kept in memory until it is recorded;
* a CSV record (which may span lines inside quotes) is at most ``MAX_RECORD``
  characters: the csv module builds a whole record before it hands it over;
* a ``.toml`` file is at most ``MAX_TOML`` bytes;
* an archive (the uploaded scenario ``.zip``, and every ``.xlsx``, which is a zip) may
  not unpack to more than its limit in total, and a member larger than
  ``RATIO_FLOOR`` may not unpack to more than ``MAX_RATIO`` times its packed size (a zip
  bomb); the sizes an archive declares are not trusted, the bytes are counted as they
  are unpacked;
* an ``.xlsx`` is checked part by part before openpyxl opens it (:func:`check_xlsx`): no
  DTD in any XML part (entity expansion), the used range a sheet declares
  (``<dimension ref="A1:XFD10000"/>``: openpyxl pads every row to it) and the rows and
  cells it really holds within the table limits, at most ``MAX_SHARED_STRINGS`` shared
  strings (openpyxl loads them all at once), every other part small
  (``MAX_XLSX_PART`` bytes, ``MAX_PART_ELEMENTS`` elements);
* a file name holds no control character (``scores.csv\\x00.txt``), and a name is
  shown in a message with its invisible characters escaped (:func:`shown_name`).
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from domain.errors import ImportRowError

MAX_FILE = 50_000_000  # bytes of one file on disk
MAX_FIELD = 10_000  # characters in one cell (appeal texts are 5,000; nothing is longer)
MAX_ROWS = 200_000  # data rows of one table
MAX_COLUMNS = 200  # columns of one table (a scores table: three codes and the criteria)
MAX_CELLS = 500_000  # filled cells of a whole scenario (about 60 MB held while it is imported)
MAX_RECORD = 20 * MAX_FIELD  # characters of one CSV record
MAX_TOML = 2_000_000  # bytes of contest.toml or a rule set

MAX_RATIO = 100  # unpacked / packed size of one member of an archive
RATIO_FLOOR = 1_000_000  # members smaller than this unpacked may be packed any way
MAX_XLSX_UNPACKED = 100_000_000  # bytes of every part of one .xlsx, unpacked
MAX_XLSX_MEMBERS = 1_000
MAX_XLSX_PART = 2_000_000  # bytes of an XML part other than a sheet or the shared strings
MAX_PART_ELEMENTS = 20_000  # elements of such a part (openpyxl holds each as an object)
MAX_SHARED_STRINGS = 200_000
MAX_SHARED_BYTES = 20_000_000
MAX_ROW_ELEMENTS = 4 * MAX_COLUMNS + 100  # elements of one sheet row (cells, values, text runs)

CHUNK = 65_536
_INVISIBLE = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def shown_name(name: str, limit: int = 80) -> str:
    """A file name as a message may show it: control and invisible characters escaped
    (``scores.csv\\x00.txt``), at most ``limit`` characters."""
    out = []
    for ch in name[:limit]:
        if unicodedata.category(ch) in _INVISIBLE:
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out) + ("…" if len(name) > limit else "")


def has_control(name: str) -> bool:
    """A control character, or an invisible one that changes how a name reads (U+202E)."""
    return any(unicodedata.category(ch) in _INVISIBLE for ch in name)


def too_large(file: str, what: str, what_zh: str, row: int | None = None,
              column: str | None = None) -> ImportRowError:
    return ImportRowError(file, row, column, what, what_zh)


# -- archives ------------------------------------------------------------------------------------


def checked_members(archive: zipfile.ZipFile, file: str, *, max_members: int, max_unpacked: int,
                    names: str = "file") -> list[zipfile.ZipInfo]:
    """The members of an archive, refused before anything is unpacked if they are too many,
    declare more than ``max_unpacked`` bytes, or one is packed more tightly than a real
    file is (``MAX_RATIO``)."""
    members = archive.infolist()
    if len(members) > max_members:
        raise too_large(file, f"holds more than {max_members:,} {names}s", f"包含的文件超过 {max_members:,} 个")
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise too_large(file, f"{shown_name(member.filename)} unpacks to {member.file_size:,} bytes from "
                            f"{member.compress_size:,} (more than {MAX_RATIO} times): a zip bomb, not a {names}",
                            f"其中 {shown_name(member.filename)} 由 {member.compress_size:,} 字节解压为 "
                            f"{member.file_size:,} 字节（超过 {MAX_RATIO} 倍），是压缩炸弹而不是正常文件")
    if total > max_unpacked:
        raise too_large(file, f"unpacks to {total:,} bytes, more than {max_unpacked:,}",
                        f"解压后共 {total:,} 字节，超过 {max_unpacked:,} 字节")
    return members


def unpack_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, file: str,
                  budget: list[int]) -> None:
    """One member to ``target``, streamed, counting the bytes really unpacked against the
    member's declared size and the archive's remaining ``budget`` (a one-item list)."""
    written = 0
    with archive.open(member) as source, target.open("wb") as out:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            if written > member.file_size or written > budget[0]:
                raise too_large(file, f"{shown_name(member.filename)} unpacks to more than it declares",
                                f"其中 {shown_name(member.filename)} 解压后的大小超过其声明的大小")
            out.write(chunk)
    budget[0] -= written


def copy_limited(source: IO[bytes], target: Path, limit: int, file: str, digest: Any = None) -> int:
    """A stream to disk, at most ``limit`` bytes (fed to ``digest`` too, if given)."""
    written = 0
    with target.open("wb") as out:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            if written > limit:
                raise too_large(file, f"is larger than {limit:,} bytes", f"文件超过 {limit:,} 字节")
            out.write(chunk)
            if digest is not None:
                digest.update(chunk)
    return written


# -- .xlsx ---------------------------------------------------------------------------------------


@dataclass
class SheetFacts:
    """What the scan found in one worksheet part."""

    part: str
    rows: int = 0
    last_row: int = 0
    last_column: int = 0  # the last column holding a value
    declared: str | None = None


@dataclass
class XlsxFacts:
    sheets: dict[str, SheetFacts] = field(default_factory=dict)
    shared_strings: int = 0


def check_xlsx(path: Path, file: str | None = None) -> XlsxFacts:
    """Every part of an .xlsx checked, streaming, before openpyxl reads any of it."""
    file = file or path.name
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportRowError(file, None, None, "cannot read the workbook: not an .xlsx file (a zip package)",
                             "无法读取该 Excel 文件：不是 .xlsx 文件（zip 格式）") from None
    facts = XlsxFacts()
    with archive:
        members = checked_members(archive, file, max_members=MAX_XLSX_MEMBERS, max_unpacked=MAX_XLSX_UNPACKED,
                                  names="part")
        budget = MAX_XLSX_UNPACKED
        for member in members:
            if member.is_dir():
                continue
            try:
                with archive.open(member) as source:
                    budget = _scan_part(source, member, file, facts, budget)
            except ImportRowError:
                raise
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError, RuntimeError) as error:
                raise ImportRowError(file, None, None, f"cannot read the workbook: {error}",
                                     f"无法读取该 Excel 文件：{error}") from None
    return facts


def _scan_part(source: IO[bytes], member: zipfile.ZipInfo, file: str, facts: XlsxFacts, budget: int) -> int:
    first = source.read(CHUNK)
    scan = _PartScan(member.filename, file, facts)
    xml = first.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
    chunk = first
    seen = 0
    while chunk:
        seen += len(chunk)
        budget -= len(chunk)
        if seen > member.file_size or budget < 0:
            raise too_large(file, f"part {shown_name(member.filename)} unpacks to more than it declares",
                            f"其中 {shown_name(member.filename)} 解压后的大小超过其声明的大小")
        if xml:
            scan.feed(chunk)
        chunk = source.read(CHUNK)
    if xml:
        scan.close()
    return budget


class _PartScan:
    """One XML part through expat, holding nothing but counters: the root element says
    what the part is (a worksheet, the shared strings, anything else)."""

    def __init__(self, part: str, file: str, facts: XlsxFacts) -> None:
        self.part, self.file, self.facts = part, file, facts
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.buffer_text = True
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._doctype
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.kind: str | None = None
        self.depth = 0
        self.elements = 0
        self.bytes = 0
        self.text = 0  # characters of the current value, shared string or formula
        self.counting = False  # inside a value, shared string or formula
        self.sheet: SheetFacts | None = None
        self.in_data = False
        self.row_elements = 0
        self.row = 0
        self.column = 0
        self.cell_has_value = False
        self.cell_ref: str | None = None

    # -- feeding

    def feed(self, data: bytes) -> None:
        self.bytes += len(data)
        self._parse(data, False)
        self._check_size()

    def close(self) -> None:
        self._parse(b"", True)
        self._check_size()

    def _parse(self, data: bytes, final: bool) -> None:
        try:
            self.parser.Parse(data, final)
        except expat.ExpatError as error:
            raise ImportRowError(self.file, None, None, f"cannot read the workbook: part {self.part}: {error}",
                                 f"无法读取该 Excel 文件：{self.part}：{error}") from None

    def _check_size(self) -> None:
        if self.kind == "sst" and self.bytes > MAX_SHARED_BYTES:
            raise too_large(self.file, f"its shared strings take more than {MAX_SHARED_BYTES:,} bytes",
                            f"共享字符串表超过 {MAX_SHARED_BYTES:,} 字节")
        if self.kind not in ("worksheet", "sst") and self.bytes > MAX_XLSX_PART:
            self._part_too_large()

    def _part_too_large(self) -> None:
        raise too_large(self.file, f"part {shown_name(self.part)} is larger than {MAX_XLSX_PART:,} bytes (a workbook "
                        "for import holds one table; save it again, or as CSV UTF-8)",
                        f"其中 {shown_name(self.part)} 超过 {MAX_XLSX_PART:,} 字节（导入用的工作簿只需一张表格；"
                        "请重新保存，或另存为 CSV UTF-8）")

    # -- handlers

    def _doctype(self, *_: object) -> None:
        raise ImportRowError(self.file, None, None, f"part {shown_name(self.part)} declares a DTD or entities, which "
                             "no workbook needs", f"其中 {shown_name(self.part)} 含有 DTD 或实体声明，正常的工作簿不会有")

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        self.depth += 1
        if self.kind is None:
            self.kind = local if local in ("worksheet", "sst") else "other"
            if self.kind == "worksheet":
                self.sheet = self.facts.sheets.setdefault(self.part, SheetFacts(self.part))
        if self.kind == "worksheet":
            self._sheet_start(local, attrs)
        elif self.kind == "sst":
            if local == "si":
                self.facts.shared_strings += 1
                self.text = 0
                self.counting = True
                self.elements = 0
                if self.facts.shared_strings > MAX_SHARED_STRINGS:
                    raise too_large(self.file, f"holds more than {MAX_SHARED_STRINGS:,} shared strings",
                                    f"共享字符串超过 {MAX_SHARED_STRINGS:,} 个")
            else:
                self.elements += 1
                if self.elements > MAX_ROW_ELEMENTS:
                    raise too_large(self.file, "a shared string is made of too many parts",
                                    "某个共享字符串由过多的片段组成")
        else:
            self.elements += 1
            if self.elements > MAX_PART_ELEMENTS:
                raise too_large(self.file, f"part {shown_name(self.part)} holds more than {MAX_PART_ELEMENTS:,} "
                                "elements (a workbook for import holds one table; save it again, or as CSV UTF-8)",
                                f"其中 {shown_name(self.part)} 含有超过 {MAX_PART_ELEMENTS:,} 个元素（导入用的工作簿只需"
                                "一张表格；请重新保存，或另存为 CSV UTF-8）")

    def _end(self, name: str) -> None:
        self.depth -= 1
        local = name.rpartition(" ")[2]
        if self.kind == "sst" and local == "si":
            self.counting = False
        if self.kind != "worksheet":
            return
        assert self.sheet is not None
        if local in ("v", "is", "f"):
            self.counting = False
        elif local == "sheetData":
            self.in_data = False
        elif local == "c" and self.in_data and self.cell_has_value:
            if self.column > MAX_COLUMNS:
                cell = self.cell_ref or _letters(self.column) + str(self.row)
                raise too_large(self.file, f"cell {cell}{self._sheet_en()} lies beyond column "
                                f"{_letters(MAX_COLUMNS)} (a table has at most {MAX_COLUMNS} columns)",
                                f"单元格 {cell}{self._sheet_zh()} 超出 {_letters(MAX_COLUMNS)} 列（表格最多 "
                                f"{MAX_COLUMNS} 列）", self.row)
            self.sheet.last_column = max(self.sheet.last_column, self.column)
            self.sheet.last_row = max(self.sheet.last_row, self.row)

    def _text(self, data: str) -> None:
        if not self.counting:
            return
        self.text += len(data)
        if self.text > MAX_FIELD:
            if self.kind == "sst":
                raise too_large(self.file, f"a shared string is longer than {MAX_FIELD:,} characters",
                                f"有共享字符串超过 {MAX_FIELD:,} 个字符")
            cell = self.cell_ref or _letters(self.column) + str(self.row)
            raise too_large(self.file, f"cell {cell}{self._sheet_en()} is longer than {MAX_FIELD:,} characters",
                            f"单元格 {cell}{self._sheet_zh()} 超过 {MAX_FIELD:,} 个字符", self.row)

    def _other_sheet(self) -> bool:
        """Not the part a workbook's first sheet is normally kept in (messages name it)."""
        return self.part != "xl/worksheets/sheet1.xml"

    def _sheet_en(self) -> str:
        return f" of sheet part {shown_name(self.part)}" if self._other_sheet() else ""

    def _sheet_zh(self) -> str:
        return f"（工作表 {shown_name(self.part)}）" if self._other_sheet() else ""

    def _sheet_start(self, local: str, attrs: dict[str, str]) -> None:
        sheet = self.sheet
        assert sheet is not None
        if local == "sheetData":
            self.in_data = True
            return
        if not self.in_data:
            self.elements += 1
            if self.elements > MAX_PART_ELEMENTS:
                raise too_large(self.file, f"sheet {shown_name(self.part)} holds more than {MAX_PART_ELEMENTS:,} "
                                "elements besides its cells", f"工作表 {shown_name(self.part)} 中单元格以外的元素超过 "
                                f"{MAX_PART_ELEMENTS:,} 个")
            if local == "dimension":
                ref = attrs.get("ref", "")
                sheet.declared = ref
                last = _last_cell(ref)
                if last is not None and (last[1] > MAX_COLUMNS or last[0] > MAX_ROWS + 1):
                    raise too_large(self.file, f"the sheet{self._sheet_en()} declares its used range as "
                                    f"{shown_name(ref, 40)}, beyond "
                                    f"{MAX_ROWS + 1:,} rows and {MAX_COLUMNS} columns ({_letters(MAX_COLUMNS)})",
                                    f"工作表{self._sheet_zh()}声明的使用区域为 {shown_name(ref, 40)}，超出 "
                                    f"{MAX_ROWS + 1:,} 行、{MAX_COLUMNS} 列"
                                    f"（{_letters(MAX_COLUMNS)} 列）的上限")
            return
        if local == "row":
            sheet.rows += 1
            try:
                self.row = int(attrs["r"]) if "r" in attrs else self.row + 1
            except ValueError:
                self.row += 1
            self.column = 0
            self.row_elements = 0
            if sheet.rows > MAX_ROWS + 1 or self.row > MAX_ROWS + 1:
                raise too_large(self.file, f"more than {MAX_ROWS:,} rows{self._sheet_en()}",
                                f"超过 {MAX_ROWS:,} 行{self._sheet_zh()}", self.row)
            return
        self.row_elements += 1
        if self.row_elements > MAX_ROW_ELEMENTS:
            raise too_large(self.file, f"the row holds more than {MAX_COLUMNS} columns{self._sheet_en()}",
                            f"该行超过 {MAX_COLUMNS} 列{self._sheet_zh()}", self.row)
        if local == "c":
            ref = attrs.get("r")
            self.cell_ref = ref
            position = _cell(ref) if ref else None
            self.column = position[1] if position else self.column + 1
            self.cell_has_value = False
            self.text = 0
        elif local in ("v", "is", "f"):
            self.cell_has_value = self.cell_has_value or local != "f"
            self.text = 0
            self.counting = True


_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})")


def _cell(ref: str) -> tuple[int, int] | None:
    match = _REF.fullmatch(ref.strip())
    if not match:
        return None
    column = 0
    for ch in match.group(1).upper():
        column = column * 26 + ord(ch) - 64
    return int(match.group(2)), column


def _last_cell(ref: str) -> tuple[int, int] | None:
    return _cell(ref.rpartition(":")[2]) if ref else None


def _letters(column: int) -> str:
    out = ""
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


# -- CSV -----------------------------------------------------------------------------------------


class RecordGuard:
    """The lines of a text stream for csv.reader, refusing a record (which quotes may make
    span lines) longer than ``MAX_RECORD`` characters before the csv module builds it."""

    def __init__(self, lines: Iterator[str], file: str) -> None:
        self.lines, self.file = lines, file
        self.length = 0
        self.line = 0
        self.record_start = 1

    def __iter__(self) -> RecordGuard:
        return self

    def __next__(self) -> str:
        line = self.lines.readline(MAX_RECORD + 1) if hasattr(self.lines, "readline") else next(self.lines)
        if not line:
            raise StopIteration
        self.line += 1
        self.length += len(line)
        if self.length > MAX_RECORD:
            raise too_large(self.file, f"a record is longer than {MAX_RECORD:,} characters (a quote left open?)",
                            f"一条记录超过 {MAX_RECORD:,} 个字符（是否有未闭合的引号？）", self.record_start)
        return line

    def record_done(self) -> None:
        self.length = 0
        self.record_start = self.line + 1

