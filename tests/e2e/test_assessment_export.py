"""The assessment export (docs/assessment.md) read back as the assessing office would
read it, and checked against what `leitai standings` and `leitai board` show, on both
stores."""

from __future__ import annotations

import csv
import json
import os
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from projections.assessment import COLUMNS
from tests import pg
from tests.e2e.test_cli import LEITAI

ZH = {zh: key for key, zh, _ in COLUMNS}
EN = {en: key for key, _, en in COLUMNS}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def leitai(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("assessment")
    url, drop = pg.fresh_store(request, folder)
    env = dict(os.environ, LEITAI_ACTOR="clerk-1")
    env.pop("LEITAI_LANG", None)
    env.pop("LEITAI_DATABASE_URL", None)

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([LEITAI, "--db", url, *args], capture_output=True, text=True, env=env, cwd=folder,
                              timeout=300)
        if check:
            assert done.returncode == 0, done.stderr
        return done

    run("demo", "--fresh", "--no-serve")
    run.folder = folder  # type: ignore[attr-defined]
    yield run
    drop()


def read_csv(path: Path, names: dict[str, str]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [{names[k]: v for k, v in row.items()} for row in csv.DictReader(f)]


def test_the_csv_reads_back_to_the_standings_of_the_period(leitai: Any) -> None:
    path = leitai.folder / "2025-05.csv"
    leitai("export", "assessment", "wushen-2025", "2025-05", str(path), "--unit", "WS-GL")
    records = read_csv(path, ZH)
    standings = json.loads(leitai("standings", "wushen-2025", "WS-GL", "2025-05", "--json").stdout)
    expected = {s["entrant"]: s for s in standings["standings"]}
    assert {r["organization"] for r in records} == set(expected), "one record per organization that presented"
    for r in records:
        s = expected[r["organization"]]
        assert (r["standing_score"], int(r["standing_rank"]), int(r["standing_of"])) == \
            (s["score"], s["rank"], len(expected)), r["organization"]
        assert r["unit"] == "WS-GL" and r["unit_name"] == "嘎鲁图镇" and r["secretary"]
        assert f"第{s['rank']}名" in r["round_results"] and "R-GL-2025-05" in r["round_results"]
    bottom = {c["entrant"] for c in standings["consequences"] if c["kind"] == "bottom"}
    assert bottom and all("后列" in r["consequences"] for r in records if r["organization"] in bottom)
    assert all("后列" not in r["consequences"] for r in records if r["organization"] not in bottom)


def test_classes_and_tasks_are_those_of_the_closed_period(leitai: Any) -> None:
    """The demo closes May 2025 of 嘎鲁图镇: each record carries the class and the tasks that
    `leitai classes` and `leitai tasks` list, overdue counted on the same day."""
    path = leitai.folder / "work.csv"
    leitai("export", "assessment", "wushen-2025", "2025-05", str(path), "--unit", "WS-GL")
    records = {r["organization"]: r for r in read_csv(path, ZH)}
    classes = json.loads(leitai("classes", "wushen-2025", "WS-GL", "2025-05", "--json").stdout)
    assert classes and {c["entrant"]: c["class_name"] for c in classes} == \
        {org: r["class_name"] for org, r in records.items()}
    tasks = [t for t in json.loads(leitai("tasks", "wushen-2025", "--unit", "WS-GL", "--json").stdout)
             if t["period"] == "2025-05"]
    overdue = {t["task"] for t in json.loads(leitai("tasks", "wushen-2025", "--unit", "WS-GL", "--overdue",
                                                    "--json").stdout)}
    assert tasks and overdue, "the demo leaves tasks done, excused and overdue"
    for org, r in records.items():
        mine = [t for t in tasks if t["entrant"] == org]
        counts = (len(mine), sum(t["state"] == "done" for t in mine), sum(t["state"] == "excused" for t in mine),
                  sum(t["state"] == "open" for t in mine), sum(t["task"] in overdue for t in mine))
        assert counts == tuple(int(r[k]) for k in ("tasks", "tasks_done", "tasks_excused", "tasks_open",
                                                   "tasks_overdue")), org


def test_the_xlsx_and_the_json_hold_the_same_records_as_the_csv(leitai: Any) -> None:
    folder = leitai.folder
    for name in ("y.csv", "y.xlsx", "y.json"):
        leitai("export", "assessment", "wushen-2025", "2025", str(folder / name))
    from_csv = read_csv(folder / "y.csv", ZH)
    sheet = load_workbook(folder / "y.xlsx").active
    table = list(sheet.iter_rows(values_only=True))
    assert [ZH[h] for h in table[0]] == [key for key, _, _ in COLUMNS]
    from_xlsx = [dict(zip((ZH[h] for h in table[0]), row)) for row in table[1:]]
    document = json.loads((folder / "y.json").read_text(encoding="utf-8"))
    assert document["format"] == "leitai-assessment/1" and document["period"] == "2025"
    assert len(from_csv) == len(from_xlsx) == len(document["records"]) > 20
    for c, x, j in zip(from_csv, from_xlsx, document["records"]):
        assert c["organization"] == x["organization"] == j["organization"]
        assert c["secretary"] == x["secretary"] == j["secretary"]
        assert Decimal(c["standing_score"]) == Decimal(str(x["standing_score"])) == Decimal(j["standing_score"])
        assert int(c["standing_rank"]) == x["standing_rank"] == j["standing_rank"]
        assert int(c["rounds"]) == x["rounds"] == sum(1 for r in j["round_results"] if r["rank"] is not None)
    stars = [r for r in document["records"] if r["stars"]]
    assert stars and all(s["level"] == "township" for r in stars for s in r["stars"])
    assert any("乡镇级" in r["stars"] for r in from_csv), "a year's export names the stars by level"


def test_only_finalized_rounds_are_assessed(leitai: Any) -> None:
    """The county final of the demo is published, not finalized: it is not in the year's export."""
    path = leitai.folder / "final.json"
    board = json.loads(leitai("board", "R-WS-FINAL-2025", "--json").stdout)
    assert board["status"] != "final"
    leitai("export", "assessment", "wushen-2025", "2025", str(path))
    rounds = {r["round"] for rec in json.loads(path.read_text(encoding="utf-8"))["records"] for r in rec["round_results"]}
    assert rounds and "R-WS-FINAL-2025" not in rounds


def test_english_column_names_and_a_unit_of_its_own(leitai: Any) -> None:
    path = leitai.folder / "en.csv"
    leitai("--lang", "en", "export", "assessment", "wushen-2025", "2025-05", str(path), "--unit", "WS-GL")
    records = read_csv(path, EN)
    assert records and {r["unit"] for r in records} == {"WS-GL"}


@pytest.mark.parametrize("args, field", [
    (("wushen-2025", "2025-05", "out.txt"), "file"),
    (("wushen-2025", "2025-13", "out.csv"), "period"),
    (("no-such-contest", "2025", "out.csv"), "no-such-contest"),
    (("wushen-2025", "2025", "out.csv", "--unit", "NOPE"), "NOPE"),
])
def test_bad_arguments_are_named_and_nothing_is_written(leitai: Any, args: tuple[str, ...], field: str) -> None:
    done = leitai("export", "assessment", *args, check=False)
    assert done.returncode != 0 and field in done.stderr and "Traceback" not in done.stderr
    assert not (leitai.folder / args[2]).exists()
