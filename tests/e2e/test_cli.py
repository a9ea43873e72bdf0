"""The `leitai` command line as a user runs it: real processes, a real store."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE

LEITAI = str(Path(sys.executable).parent / "leitai")


@pytest.fixture
def run(tmp_path):
    env = dict(os.environ, LEITAI_DATABASE_URL=f"sqlite:///{tmp_path}/cli.db", LEITAI_CLOCK="2025-05-20T09:00",
               LEITAI_ACTOR="clerk-1")
    env.pop("LEITAI_LANG", None)

    def leitai(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([LEITAI, *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
        if check:
            assert done.returncode == 0, done.stderr
        return done

    return leitai


@pytest.fixture
def imported(run):
    run("import", str(EXAMPLE))
    return run


def test_import_reports_each_file_and_a_second_import_nothing_new(run):
    first = run("import", str(EXAMPLE))
    assert "scores.csv" in first.stdout and "共登记" in first.stdout
    assert "scores.csv: 427" in first.stderr  # progress goes to stderr
    second = run("import", str(EXAMPLE))
    assert "没有新内容" in second.stdout


def test_ranking_json_is_the_rulebook_document_and_nothing_else(imported):
    imported("close", "R-GL-2025-05")
    out = imported("ranking", "R-GL-2025-05", "--json").stdout
    doc = json.loads(out)
    assert list(doc) == ["round", "rules", "status", "seal", "entries"]
    assert doc["status"] == "closed" and doc["seal"].startswith("sha256:")
    first = doc["entries"][0]
    assert list(first) == ["entrant", "name", "rank", "final", "tied", "components", "award", "promotion", "reason"]
    assert first["rank"] == 1 and first["promotion"] == "promoted" and len(first["final"].split(".")[1]) == 2
    assert len(first["components"]["arena"].split(".")[1]) == 4


def test_ranking_text_marks_ties_and_reserves(imported):
    out = imported("ranking", "R-TK-2025-05").stdout
    assert "3=" in out and "候补" in out and "尚未封存" in out


def test_explain_shows_every_sheet_with_its_event_and_what_was_trimmed(imported):
    imported("close", "R-GL-2025-05")
    out = imported("explain", "R-GL-2025-05", "WS-GL-03").stdout
    assert out.count("R-GL-2025-05#") >= 7
    assert "去掉（最高）" in out and "去掉（最低）" in out
    assert "四舍五入到 2 位小数" in out and "晋级" in out
    data = json.loads(imported("explain", "R-GL-2025-05", "WS-GL-03", "--json").stdout)
    assert len(data["sheets"]) == 7 and sum(1 for s in data["sheets"] if s["dropped"]) == 2


def test_errors_go_to_stderr_with_a_non_zero_exit_code(imported):
    done = imported("close", "R-NOPE", check=False)
    assert done.returncode == 3 and done.stdout == ""
    assert "找不到轮次 R-NOPE" in done.stderr
    english = imported("--lang", "en", "close", "R-NOPE", check=False)
    assert "Round R-NOPE does not exist" in english.stderr


def test_a_sheet_after_closing_is_refused_in_chinese(imported):
    imported("close", "R-GL-2025-05")
    done = imported("sheet", "R-GL-2025-05", "J01", "WS-GL-01", "party=20", "industry=20", "ecology=10",
                    "culture=10", "governance=10", check=False)
    assert done.returncode == 2
    assert "轮次 R-GL-2025-05 已结束评分，不能再提交评分表" in done.stderr


def test_rules_check_accepts_a_good_file_and_names_the_field_of_a_bad_one(run, tmp_path):
    good = run("rules", "check", str(EXAMPLE / "rules" / "county-final-2025.toml"))
    assert "有效" in good.stdout and "county-final-2025@1" in good.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text('code = "x"\nversion = 1\n[[criteria]]\ncode = "a"\nmax = 0\n', encoding="utf-8")
    done = run("rules", "check", str(bad), check=False)
    assert done.returncode == 2 and "criteria[1].max" in done.stderr


def test_a_bad_import_names_the_row_and_records_nothing(run, tmp_path):
    scenario = tmp_path / "s"
    shutil.copytree(EXAMPLE, scenario)
    text = (scenario / "scores.csv").read_text(encoding="utf-8").replace("R-GL-2025-05,J01,WS-GL-01,23.3",
                                                                         "R-GL-2025-05,J01,WS-GL-01,33.3")
    (scenario / "scores.csv").write_text(text, encoding="utf-8")
    done = run("import", str(scenario), check=False)
    assert done.returncode == 2
    assert "scores.csv 第 2 行「party」" in done.stderr and "未登记任何内容" in done.stderr
    assert "R-GL-2025-05" not in run("ranking", "R-GL-2025-05", check=False).stdout


def test_publish_finalize_and_promote_from_the_command_line(imported, run):
    imported("close", "R-GL-2025-05")
    published = imported("publish", "R-GL-2025-05", "--on", "2025-05-20").stdout
    assert "2025-05-20 至 2025-05-26" in published
    early = imported("finalize", "R-GL-2025-05", check=False)
    assert early.returncode == 2 and "公示期到 2025-05-26 才结束" in early.stderr


def test_the_demo_runs_end_to_end(run, tmp_path):
    done = run("--db", f"sqlite:///{tmp_path}/demo.db", "demo", "--fresh", "--no-serve")
    assert "一等奖（15万元）" in done.stdout and "二等奖（10万元）" in done.stdout
    assert "R-WS-FINAL-2025" in done.stdout
