"""Hostile scenario files, small to send and costly to read (issue 14, item 12): each is
bytes an organizer's upload or a directory for ``leitai import`` could hold."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def xfd_sheet(rows: int = 10_000) -> bytes:
    """As the attacker made it: 10,000 rows, one cell each in column XFD (the last of
    16,384), saved by openpyxl - which declares the used range XFD1:XFD10000."""
    book = Workbook()
    sheet = book.active
    sheet.append(["round_code", "judge_code", "entrant_code"])
    for row in range(2, rows + 1):
        sheet.cell(row=row, column=16_384, value=row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _replace(parts: dict[str, bytes]) -> bytes:
    """A small real workbook (made by openpyxl) with some of its parts replaced."""
    book = Workbook()
    book.active.append(["round_code", "judge_code", "entrant_code"])
    base = io.BytesIO()
    book.save(base)
    out = io.BytesIO()
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = parts.pop(item.filename, None)
            target.writestr(item.filename, data if data is not None else source.read(item))
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


def _deflated(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _sheet(body: str, dimension: str | None = None) -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{dim}<sheetData>{body}'
            '</sheetData></worksheet>').encode()


def xfd_sheet_undeclared(rows: int = 10_000) -> bytes:
    """The same cells without a declared used range: openpyxl pads every row to XFD."""
    cells = "".join(f'<row r="{r}"><c r="XFD{r}"><v>{r}</v></c></row>' for r in range(1, rows + 1))
    return _replace({SHEET: _sheet(cells)})


def whitespace_bomb(size: int = 300_000_000) -> bytes:
    """A sheet that unpacks to ``size`` bytes of blanks between two rows (ElementTree
    keeps them as one string)."""
    head = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>round_code</t></is></c></row>').encode()
    tail = b"</sheetData></worksheet>"
    book = Workbook()
    base = io.BytesIO()
    book.save(base)
    out = io.BytesIO()
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != SHEET:
                target.writestr(item.filename, source.read(item))
                continue
            with target.open(_deflated(SHEET), "w", force_zip64=True) as sheet:
                sheet.write(head)
                blank = b" " * 1_000_000
                for _ in range(size // len(blank)):
                    sheet.write(blank)
                sheet.write(tail)
    return out.getvalue()


def shared_strings(count: int = 2_000_000) -> bytes:
    """A shared-strings table of ``count`` different short strings (openpyxl loads them
    all before the first row is read); the sheet uses one of them."""
    table = io.StringIO()
    table.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{count}" uniqueCount="{count}">')
    for i in range(count):
        table.write(f"<si><t>s{i}</t></si>")
    table.write("</sst>")
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
             'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
             'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
             '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
             'officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="'
             'application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            '</Relationships>')
    return _replace({SHEET: _sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'),
                     "[Content_Types].xml": types.encode(), "xl/_rels/workbook.xml.rels": rels.encode(),
                     "xl/sharedStrings.xml": table.getvalue().encode()})


def entities() -> bytes:
    """A sheet with a DTD whose entities expand (billion laughs, kept small here)."""
    dtd = ('<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
           '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?>{dtd}<worksheet xmlns="{MAIN}"><sheetData><row r="1">'
             '<c r="A1" t="inlineStr"><is><t>&c;</t></is></c></row></sheetData></worksheet>')
    return _replace({SHEET: sheet.encode()})


def zip_bomb(size: int = 300_000_000) -> bytes:
    """A scenario .zip whose scores.csv unpacks to ``size`` bytes (a header, then zeros)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive, \
            archive.open(_deflated("scores.csv"), "w", force_zip64=True) as member:
        member.write(b"round_code,judge_code,entrant_code\n")
        zeros = b"0" * 1_000_000
        for _ in range(size // len(zeros)):
            member.write(zeros)
    return out.getvalue()


def lying_zip(size: int = 100_000_000) -> bytes:
    """A scenario .zip whose scores.csv says it unpacks to 40 bytes and unpacks to ``size``."""
    data = zip_bomb(size)
    info_size = (size // 1_000_000) * 1_000_000 + len(b"round_code,judge_code,entrant_code\n")
    # the declared size is in the local header (a zip64 field) and the central directory
    lied = data.replace(info_size.to_bytes(8, "little"), (40).to_bytes(8, "little"))
    return lied.replace(info_size.to_bytes(4, "little"), (40).to_bytes(4, "little"))


def wide_csv(columns: int = 100_000) -> bytes:
    """One record of ``columns`` fields (the csv module builds a whole record at once)."""
    return ("round_code,judge_code,entrant_code\n" + ",".join(f"{i:x}" for i in range(columns)) + "\n").encode()


def open_quote_csv(lines: int = 200_000) -> bytes:
    """A quote opened and never closed: the record runs to the end of the file."""
    return ("round_code,judge_code,entrant_code\n\"R1," + "J1,O1\n" * lines).encode()
