"""``leitai import`` reads the same files as an upload, with the same limits (issue 14,
item 12): a hostile workbook or CSV in a scenario directory is refused naming the file
(and the row where there is one), the command exits 2, nothing is recorded, and the
process's peak resident set (``ru_maxrss``) stays within 100 MB of an ordinary refused
import - the 52 KB workbook with 10,000 cells in column XFD took 1.4 GB before."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.styles import Font

from api.importing.scenario import read_scenario
from api.wiring import open_app
from domain.errors import ImportRowError
from tests import hostile
from tests.conftest import ROOT, event_count

QUICKSTART = ROOT / "examples" / "quickstart"
GROWTH_ALLOWED = 100 * 1024 * 1024

CASES = {
    "xfd-declared": ("scores.xlsx", hostile.xfd_sheet, "scores.xlsx", "A1:XFD10000"),
    "xfd-undeclared": ("scores.xlsx", hostile.xfd_sheet_undeclared, "scores.xlsx row 1", "XFD1"),
    "shared-strings": ("scores.xlsx", hostile.shared_strings, "scores.xlsx", "shared strings"),
    "workbook-bomb": ("scores.xlsx", hostile.whitespace_bomb, "scores.xlsx", "zip bomb"),
    "entities": ("scores.xlsx", hostile.entities, "scores.xlsx", "DTD"),
    "wide-record": ("scores.csv", hostile.wide_csv, "scores.csv row 2", "200,000 characters"),
    "open-quote": ("scores.csv", hostile.open_quote_csv, "scores.csv row", "CSV"),
}


# ``leitai`` as it runs from a shell, reporting at exit the peak of its own resident set
# (VmHWM: the rusage of a process started by this one would count this one's pages)
PROBE = """
import atexit, sys
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            sys.stderr.write("\\nVmHWM " + line.split()[1] + "\\n")
atexit.register(peak)
from api.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def _peak_of(store_url: str, directory: Path) -> tuple[int, str, int]:
    """``leitai import DIRECTORY`` as a process: (exit code, stderr, its peak resident set in bytes)."""
    done = subprocess.run([sys.executable, "-c", PROBE, "--db", store_url, "--lang", "en", "import", str(directory)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "LEITAI_ACTOR": "clerk"})
    err, _, peak = done.stderr.rpartition("\nVmHWM ")
    return done.returncode, err, int(peak.split()[0]) * 1024


@pytest.fixture
def recorded(store_url: str) -> int:
    """The example's contest imported (so a refused import has something not to change)."""
    app = open_app(store_url)
    from api.importing.scenario import import_scenario
    from tests.conftest import ADMIN

    import_scenario(app, QUICKSTART, ADMIN)
    count = event_count(app)
    app.close()
    return count


@pytest.mark.parametrize("case", sorted(CASES))
def test_leitai_import_refuses_a_hostile_file_naming_it_within_the_memory_bound(case: str, store_url: str,
                                                                              recorded: int, tmp_path: Path) -> None:
    name, make, named, says = CASES[case]
    ordinary = tmp_path / "ordinary"
    ordinary.mkdir()
    (ordinary / "scores.csv").write_text("round_code,judge_code\n", encoding="utf-8")  # refused: a missing column
    code, err, baseline = _peak_of(store_url, ordinary)
    assert code == 2 and "entrant_code" in err, err
    directory = tmp_path / case
    directory.mkdir()
    (directory / name).write_bytes(make())
    code, err, peak = _peak_of(store_url, directory)
    print(f"\nleitai import, {case}: peak {peak / 2**20:.0f} MB (an ordinary refusal: {baseline / 2**20:.0f} MB)")
    assert code == 2, err
    assert "Traceback" not in err
    assert peak - baseline < GROWTH_ALLOWED, f"{case}: {baseline / 2**20:.0f} MB -> {peak / 2**20:.0f} MB"
    assert named in err and says in err, err
    app = open_app(store_url)
    assert event_count(app) == recorded
    app.close()


# -- the limits, one by one (reading only: no store) ----------------------------------------------


def _directory(tmp_path: Path, files: dict[str, bytes]) -> Path:
    directory = tmp_path / "scenario"
    directory.mkdir()
    for name, data in files.items():
        (directory / name).write_bytes(data)
    return directory


def _refusal(directory: Path) -> str:
    with pytest.raises(ImportRowError) as refused:
        read_scenario(directory)
    return refused.value.message("en")


def test_a_table_wider_than_the_limit_is_refused_at_its_header(tmp_path: Path) -> None:
    from api.importing import limits

    header = ",".join(["round_code", "judge_code", "entrant_code"] + [f"c{i}" for i in range(limits.MAX_COLUMNS)])
    message = _refusal(_directory(tmp_path, {"scores.csv": (header + "\n").encode()}))
    assert message == f"scores.csv row 1: more than {limits.MAX_COLUMNS} columns"


def test_the_cells_of_a_whole_scenario_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("api.importing.tables.MAX_CELLS", 10)
    rows = "".join(f"R1,J{i},O1\n" for i in range(3))  # 3 cells a row, after the judge's 2: row 4 is one too many
    judges = "judge_code,name,home_unit_code,affiliation\nJ1,甲,,\n"
    directory = _directory(tmp_path, {"scores.csv": ("round_code,judge_code,entrant_code\n" + rows).encode(),
                                      "judges.csv": judges.encode(), "contest.toml": b'code = "c"\nlevels = ["t"]\n'})
    message = _refusal(directory)
    assert message.startswith("scores.csv row 4: the scenario holds more than 10 filled cells"), message


def test_a_toml_file_over_its_limit_is_refused(tmp_path: Path) -> None:
    from api.importing import limits

    text = 'code = "c"\nlevels = ["t"]\n' + "#" * limits.MAX_TOML
    message = _refusal(_directory(tmp_path, {"contest.toml": text.encode()}))
    assert message == f"contest.toml: is larger than {limits.MAX_TOML:,} bytes"


def test_a_workbook_saved_by_excel_with_styles_and_numbers_is_read_as_before(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["round_code", "judge_code", "entrant_code", "party"])
    sheet.append(["R1", "J1", "O1", 8.5])
    sheet.cell(row=40, column=1).font = Font(bold=True)  # styled, empty
    sheet.cell(row=5, column=30).number_format = "0.00"  # a styled empty cell further right
    path = tmp_path / "scenario"
    path.mkdir()
    book.save(path / "scores.xlsx")
    scenario = read_scenario(path)
    assert scenario.scores is not None
    assert scenario.scores.columns == ["round_code", "judge_code", "entrant_code", "party"]
    assert [(r.number, r.cells) for r in scenario.scores.rows] == [
        (2, {"round_code": "R1", "judge_code": "J1", "entrant_code": "O1", "party": "8.5"})]


def test_a_file_name_with_a_control_character_is_shown_escaped(tmp_path: Path) -> None:
    directory = _directory(tmp_path, {"scores\x1b[2J.csv": b"round_code\n"})
    message = _refusal(directory)
    assert message.startswith("scores\\x1b[2J.csv: is not a file name Leitai knows"), message
    shutil.rmtree(directory)
