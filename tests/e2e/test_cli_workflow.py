"""The whole workflow on the command line, as an organizer meets it: every domain
command, publicity and appeals with their remedies, certification, listings, exports,
honest exit codes and clean output in both languages.

These run `leitai` in this process (``api.cli.main.main``) for speed; test_cli.py and
test_cli_robustness.py run it as a real process where that matters."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, command_line

QUICKSTART = ROOT / "examples" / "quickstart"
TOWN = "R-DZ-2025-06"


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """``cli(*args)`` -> (exit code, stdout, stderr); the clock can be moved with ``cli.at``."""
    return command_line(monkeypatch, capsys, tmp_path, f"sqlite:///{tmp_path}/cli.db", "2025-06-20T09:00")


@pytest.fixture
def imported(cli):
    cli("import", str(QUICKSTART))
    return cli


@pytest.fixture
def published(imported):
    imported("close", TOWN, "R-XZ-2025-06")
    imported("publish", TOWN, "--on", "2025-06-20")
    imported("publish", "R-XZ-2025-06", "--on", "2025-06-20")
    return imported


# -- publicity and appeals -------------------------------------------------------------------


def test_a_backdated_publication_is_refused_and_a_later_day_is_scheduled(imported):
    imported("close", TOWN)
    code, _, err = imported("publish", TOWN, "--on", "2025-05-01", expect=2)
    assert "2025-06-20" in err and "实际张贴公示的日期" in err
    _, out, _ = imported("publish", TOWN, "--on", "2025-06-25")
    assert "已安排公示" in out and "2025-06-25" in out
    _, out, _ = imported("board", TOWN)
    assert "公示待开始" in out


def test_publishing_again_names_republish_and_republish_records_a_new_period(published):
    _, _, err = published("publish", TOWN, "--on", "2025-06-21", "--days", "10", expect=2)
    assert "leitai republish" in err
    _, out, _ = published("republish", TOWN, "--days", "10", "--reason", "延长公示期")
    assert "重新公示" in out and "日志位置" in out


def test_an_upheld_objection_is_remedied_with_appeal_and_the_round_resealed_and_republished(published):
    published.at("2025-06-23T10:00")
    _, out, _ = published("appeal", "file", TOWN, "--name", "王某", "--contact", "139", "--text", "J3 录错了",
                          "--entrant", "DZ-02")
    number = re.search(r"编号 (\d+)", out).group(1)
    _, out, _ = published("appeals", TOWN, "--pending")
    assert "王某" in out and "待答复" in out
    _, _, err = published("correct", TOWN, "J2", "DZ-02", "party=20", "industry=10", "--reason", "申诉成立",
                          "--appeal", number, expect=2)
    assert f"leitai appeal rule {TOWN} {number} --decision upheld" in err
    _, out, _ = published("appeal", "rule", TOWN, number, "--decision", "upheld", "--reply", "核对原件，予以更正")
    assert f"--appeal {number}" in out
    _, out, _ = published("correct", TOWN, "J2", "DZ-02", "party=20", "industry=10", "--reason", "申诉成立",
                          "--appeal", number)
    assert "重新封存" in out
    _, out, _ = published("board", TOWN)
    assert "重新公示期 2025-06-23" in out
    _, out, _ = published("appeals", TOWN)
    assert "予以支持" in out and "#" in out
    _, out, _ = published("appeals", TOWN, "--pending")
    assert "没有尚未答复的异议或申诉" in out
    _, out, _ = published("audit", TOWN, "DZ-02")
    assert "申诉" in out and "更正" in out


def test_every_remedy_is_reachable_with_appeal(published):
    published.at("2025-06-23T10:00")
    published("appeal", "file", TOWN, "--name", "王某", "--contact", "139", "--text", "异议", "--entrant", "DZ-03")
    _, out, _ = published("appeals", TOWN, "--json")
    number = str(json.loads(out)[0]["appeal"])
    published("appeal", "rule", TOWN, number, "--decision", "upheld", "--reply", "予以支持")
    published("adjustment", "add", TOWN, "DZ-03", "-0.2", "--reason", "补记超时", "--appeal", number)
    _, out, _ = published("audit", TOWN, "DZ-03", "--json")
    adjustment = [a for a in json.loads(out)["adjustments"] if a["points"] == "-0.2"][0]["event"].split("#")[1]
    published("adjustment", "revoke", TOWN, adjustment, "--reason", "撤销", "--appeal", number)
    published("void", TOWN, "J1", "DZ-03", "--reason", "重复计入", "--appeal", number, expect=2)  # too few sheets
    published("withdraw", TOWN, "DZ-03", "--reason", "本人申请", "--appeal", number)
    published("disqualify", TOWN, "DZ-02", "--reason", "材料不实", "--appeal", number)
    _, out, _ = published("ranking", TOWN, "--json")
    statuses = {e["entrant"]: e["rank"] for e in json.loads(out)["entries"]}
    assert statuses["DZ-02"] is None and statuses["DZ-03"] is None


# -- every domain command ------------------------------------------------------------------------


def test_panel_and_entrant_commands(imported):
    imported("recuse", "R-XZ-2025-06", "J2", "XZ-03", "--reason", "亲属关系")
    _, out, _ = imported("explain", "R-XZ-2025-06", "XZ-03")
    assert "评委回避" in out
    imported("disqualify", "R-XZ-2025-06", "XZ-01", "--reason", "材料造假")
    imported("withdraw", "R-XZ-2025-06", "XZ-02", "--reason", "本人申请")
    imported("void", "R-XZ-2025-06", "J1", "XZ-03", "--reason", "录入错误")
    imported("sheet", "R-XZ-2025-06", "J1", "XZ-03", "party=20", "industry=12")
    imported("input", TOWN, "DZ-01", "daily", "88", expect=2)  # town-2025 has no input component
    imported("seat", TOWN, "J9", expect=3)
    imported("admit", TOWN, "XZ-01")
    _, out, _ = imported("ranking", "R-XZ-2025-06")
    assert "取消资格" in out and "退出" in out


def test_details_of_judges_and_organizations_change_with_a_reason(imported):
    imported("judge", "update", "quickstart-2025", "J1", "--name", "周某", "--reason", "更正姓名")
    imported("org", "update", "quickstart-2025", "DZ-01", "--secretary", "张新", "--reason", "换届")
    _, _, err = imported("org", "update", "quickstart-2025", "DZ-01", "--unit", "SF-NOPE", "--reason", "x", expect=3)
    assert "SF-NOPE" in err


def test_the_certification_lifecycle(published):
    published.at("2025-07-01T09:00")
    published("finalize", TOWN)
    published("finalize", "R-XZ-2025-06")
    published("cert", "self-assess", "DZ-01", "township", "2025", "--stars", "5", "--note", "自评")
    published("cert", "veto", "DZ-03", "township", "2025", "--item", "safety_incident", "--reason", "安全事故")
    _, out, _ = published("cert", "evaluate", "quickstart-2025", "township", "2025")
    assert "DZ-03" in out and "一票否决" in out
    published("cert", "decide", "DZ-01", "township", "2025", "--stars", "5", expect=2)  # differs from 4: a reason
    published("cert", "decide", "DZ-01", "township", "2025", "--stars", "5", "--reason", "综合考虑")
    published("cert", "certify", "DZ-01", "township", "2025")
    published("cert", "downgrade", "DZ-01", "township", "2025", "--stars", "3", "--reason", "年中检查")
    _, out, _ = published("stars", "quickstart-2025", "township", "2025")
    assert "东一村" in out and "已认定" in out and "★★★" in out
    published("cert", "revoke", "DZ-01", "township", "2025", "--reason", "发生重大问题")
    _, out, _ = published("cert", "list", "quickstart-2025", "township", "2025")
    assert "已摘星" in out
    _, out, _ = published("cert", "list", "quickstart-2025", "township", "2025", "--json")  # like every listing
    states = {row["organization"]: row for row in json.loads(out)}
    assert states["DZ-01"]["state"] == "revoked" and states["DZ-03"]["veto"] == 1


def test_listings_an_organizer_reaches_for(published):
    _, out, _ = published("contests")
    assert "quickstart-2025" in out and "township → county" in out
    _, out, _ = published("rounds", "--contest", "quickstart-2025")
    assert "公示期 2025-06-20 至 2025-06-26" in out and "尚未开始评分" in out
    _, out, _ = published("rounds", "--status", "scheduled", "--json")
    assert [r["round"] for r in json.loads(out)] == ["R-SF-FINAL-2025"]


def test_every_listing_offers_json():
    from api.cli.parser import COMMANDS

    listings = {("contests",), ("rounds",), ("appeals",), ("users", "list"), ("cert", "list"), ("stars",),
                ("board",), ("finalists",), ("judges",), ("standings",)}
    flags = {c.path: {f for a in (*c.args, *(a for g in c.exclusive for a in g)) for f in a.flags} for c in COMMANDS}
    assert listings <= set(flags)
    assert not [" ".join(path) for path in sorted(listings) if "--json" not in flags[path]]


def test_the_results_list_exports_as_csv_and_xlsx(published, tmp_path):
    from openpyxl import load_workbook

    published("export", "results", TOWN, str(tmp_path / "公示名单.csv"))
    rows = list(csv.reader((tmp_path / "公示名单.csv").open(encoding="utf-8-sig")))
    assert rows[0][:2] == ["轮次", TOWN] and any(r[:3] == ["1", "DZ-01", "东一村"] for r in rows)
    assert any(r and r[0] == "签名检查点" for r in rows)
    published("export", "results", TOWN, str(tmp_path / "公示名单.xlsx"))
    sheet = load_workbook(tmp_path / "公示名单.xlsx").active
    assert any(row[1] == "DZ-01" and row[3] == "张东一" for row in sheet.iter_rows(values_only=True))
    published("export", "results", TOWN, str(tmp_path / "x.pdf"), expect=2)


# -- honest exit codes and clean output ---------------------------------------------------------


@pytest.mark.parametrize("args", [
    ("verify", "R-NOPE"), ("finalists", "R-NOPE"), ("judges", "--round", "R-NOPE"), ("judges", "--contest", "nope"),
    ("stars", "nope", "township", "2025"), ("standings", "quickstart-2025", "NOPE", "2025"),
    ("standings", "nope", "SF-DZ", "2025"), ("board", "R-NOPE"), ("audit", "R-NOPE", "DZ-01"),
    ("appeals", "R-NOPE"),
])
def test_unknown_codes_exit_3_with_a_message_never_an_empty_answer(imported, args):
    code, out, err = imported(*args, expect=3)
    assert out == "" and "NOPE" in err.upper() and "数据库：sqlite:///" in err


def test_a_verification_of_nothing_never_says_all_is_well(imported):
    _, out, err = imported("verify", "R-NOPE", expect=3)
    assert "一致" not in out + err


@pytest.mark.parametrize(("args", "words"), [
    (("publish", TOWN, "--on", "2026-13-01"), "2026-13-01"),
    (("sheet", TOWN, "J1", "DZ-01", "party=30", "party=20", "industry=1"), "重复"),
    (("correct", TOWN, "J1", "DZ-01", "party=1e100000000", "industry=1", "--reason", "x"), "party"),
    (("correct", TOWN, "J1", "DZ-01", "party=٣", "industry=1", "--reason", "x"), "0-9"),
    (("verify", "--from-export", "missing.ndjson"), "找不到该文件"),
])
def test_bad_input_is_refused_with_exit_2_and_a_message(imported, args, words):
    _, _, err = imported(*args, expect=2)
    assert words in err


def test_verify_from_export_on_an_empty_or_non_json_file(imported, tmp_path):
    (tmp_path / "empty.ndjson").write_text("")
    _, _, err = imported("verify", "--from-export", str(tmp_path / "empty.ndjson"), expect=2)
    assert "空文件" in err
    (tmp_path / "junk.ndjson").write_text("hello\n")
    _, _, err = imported("verify", "--from-export", str(tmp_path / "junk.ndjson"), expect=2)
    assert "不是擂台事件导出文件" in err


def test_an_invalid_clock_is_a_clean_error(imported, monkeypatch):
    monkeypatch.setenv("LEITAI_CLOCK", "yesterday")
    _, _, err = imported("close", TOWN, expect=2)
    assert "LEITAI_CLOCK" in err


def test_a_mistyped_database_is_not_created_and_is_named(cli, tmp_path):
    _, _, err = cli("--db", f"sqlite:///{tmp_path}/dmeo.db", "board", TOWN, expect=5)
    assert "dmeo.db" in err and not (tmp_path / "dmeo.db").exists()
    _, _, err = cli("--db", "sqlite:////no/such/dir/x.db", "board", TOWN, expect=5)
    assert not Path("/no/such/dir").exists()


def test_global_options_work_after_the_command_and_help_is_in_both_languages(imported):
    _, out, _ = imported("ranking", TOWN, "--lang", "en")
    assert "Rank" in out and "名次" not in out
    _, _, err = imported("board", "R-NOPE", "--lang", "en", expect=3)
    assert "Round R-NOPE does not exist" in err
    _, out, _ = imported("--help")
    assert "命令" in out and "退出码" in out
    _, out, _ = imported("appeal", "rule", "--help", "--lang", "en")
    assert "the written reply" in out


def test_no_python_repr_in_output(imported):
    imported("close", TOWN)
    _, out, _ = imported("publish", TOWN)
    assert "{'" not in out and "chinese-calendar" in out
    _, _, err = imported("correct", "R-XZ-2025-06", "J1", "XZ-01", "party=", "industry=1", "--reason", "x",
                         expect=2)
    assert "None" not in err and "（空）" in err


def test_the_board_of_a_scheduled_round_does_not_contradict_itself(imported):
    _, out, _ = imported("board", "R-SF-FINAL-2025")
    assert "尚未开始评分" in out and "暂定" not in out and "评分中" not in out


def test_a_command_prints_the_log_position_read_your_writes_expects(imported):
    _, out, _ = imported("sheet", "R-XZ-2025-06", "J4", "XZ-01", "party=20", "industry=10", expect=2)  # duplicate
    _, out, _ = imported("correct", "R-XZ-2025-06", "J4", "XZ-01", "party=20", "industry=10", "--reason", "改")
    assert re.search(r"日志位置 \d+", out)
