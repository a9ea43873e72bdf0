"""Honours, platform data and flags (rulebook section 19) on the command line, as the guide
(11.6) shows them: `leitai honour add|withdraw`, `leitai honours`, `leitai platform
import|show`, `leitai flag nominate|assess|award|decline|revoke` and `leitai flags`, in
Chinese and in English, with the refusals the rulebook names and exit codes."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ROOT, command_line

QUICKSTART = ROOT / "examples" / "quickstart"
CONTEST = "quickstart-2025"
FLAGS = """
code = "flags"
version = 1
[[criteria]]
code = "overall"
max = 100

[[flags]]
code = "civility"
name = "乡风文明红旗"
criteria = [{ kind = "platform", source = "灯塔-党建在线", min = 80 }, { kind = "honour", level = "township" },
            { kind = "no_veto" }]
"""


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    run = command_line(monkeypatch, capsys, tmp_path, f"sqlite:///{tmp_path}/cli.db", "2025-06-20T09:00")
    run("import", str(QUICKSTART))
    (tmp_path / "flags.toml").write_text(FLAGS, encoding="utf-8")
    (tmp_path / "dengta.csv").write_text("organization,value\nDZ-01,85\ndz-02,79.5\n", encoding="utf-8")
    (tmp_path / "dengta-v2.csv").write_text("organization,value\nDZ-01,85\nDZ-02,81\n", encoding="utf-8")
    (tmp_path / "bad.csv").write_text("organization,value\nDZ-01,85\nDZ-01,86\n", encoding="utf-8")
    return run


def test_honours_are_recorded_listed_and_withdrawn(cli):
    _, out, _ = cli("honour", "add", "dz-01", "--name", "镇级五好党支部", "--level", "乡镇级", "--date", "2025-05-06",
                    "--issuer", "东镇党委")
    assert "已登记 DZ-01 的荣誉 1：镇级五好党支部" in out and "日志位置" in out
    cli("honour", "add", "DZ-01", "--name", "错登的荣誉", "--level", "county", "--date", "2025-05-07", "--issuer", "县委")
    _, out, _ = cli("honour", "withdraw", "DZ-01", "2", "--reason", "登记有误")
    assert "已撤销 DZ-01 的荣誉 2" in out
    _, out, _ = cli("honours", "DZ-01")
    assert "镇级五好党支部" in out and "乡镇级" in out and "有效" in out and "已撤销：登记有误" in out
    _, out, _ = cli("honours", "DZ-01", "--lang", "en")
    assert "township" in out and "withdrawn: 登记有误" in out
    _, out, _ = cli("honours", "DZ-01", "--json")
    assert [(h["number"], h["level"], h["withdrawn"]) for h in json.loads(out)] == [
        (1, "township", None), (2, "county", "登记有误")]


def test_a_bad_honour_is_refused_naming_the_value(cli):
    _, _, err = cli("honour", "add", "DZ-01", "--name", "先进村", "--level", "county", "--date", "2025-13-01",
                    "--issuer", "县委", expect=2)
    assert "date" in err and "「2025-13-01」" in err and "YYYY-MM-DD" in err
    _, _, err = cli("honour", "add", "DZ-01", "--name", "先进村", "--level", "county", "--date", "2025-06-21",
                    "--issuer", "县委", expect=2)
    assert "晚于今天（2025-06-20）" in err
    _, _, err = cli("honour", "add", "DZ-01", "--name", "先进村", "--level", "宇宙级", "--date", "2025-06-01",
                    "--issuer", "县委", "--lang", "en", expect=2)
    assert "unknown honour level" in err and "national" in err
    _, out, _ = cli("honours", "DZ-01")
    assert "还没有登记荣誉" in out


def test_platform_data_is_imported_shown_and_replaced_only_with_a_reason(cli):
    _, out, _ = cli("platform", "import", CONTEST, "2025", "dengta.csv", "--source", "灯塔-党建在线")
    assert "已导入 灯塔-党建在线 2025 的平台数据：2 个组织" in out
    _, out, _ = cli("platform", "import", CONTEST, "2025", "dengta.csv", "--source", "灯塔-党建在线")
    assert "相同，未重复登记" in out
    _, _, err = cli("platform", "import", CONTEST, "2025", "dengta-v2.csv", "--source", "灯塔-党建在线", expect=2)
    assert "必须填写理由" in err
    _, out, _ = cli("platform", "import", CONTEST, "2025", "dengta-v2.csv", "--source", "灯塔-党建在线",
                    "--reason", "平台更正")
    assert "已替换" in out
    _, _, err = cli("platform", "import", CONTEST, "2025", "bad.csv", "--source", "灯塔-党建在线", "--reason", "再换",
                    expect=2)
    assert "bad.csv 第 3 行「organization」：DZ-01 出现了两次" in err
    _, out, _ = cli("platform", "show", CONTEST, "2025", "--source", "灯塔-党建在线")
    assert "导入 2 行" in out and "替换 2 行" in out and "（平台更正）" in out and "DZ-02" in out and "81" in out
    _, out, _ = cli("platform", "show", CONTEST, "2025", "--source", "灯塔-党建在线", "--json")
    assert {r["organization"]: r["value"] for r in json.loads(out)} == {"DZ-01": "85", "DZ-02": "81"}


def test_a_flag_is_nominated_assessed_and_awarded_only_when_its_criteria_are_met(cli):
    cli("platform", "import", CONTEST, "2025", "dengta.csv", "--source", "灯塔-党建在线")
    cli("honour", "add", "DZ-01", "--name", "镇级五好党支部", "--level", "township", "--date", "2025-05-06",
        "--issuer", "东镇党委")
    _, out, _ = cli("flag", "nominate", CONTEST, "DZ-01", "civility", "2025", "--rules", "flags.toml")
    assert "已提名 DZ-01 争创「乡风文明红旗」（2025）" in out
    _, _, err = cli("flag", "award", "DZ-01", "civility", "2025", expect=2)
    assert "条件尚未核验" in err and "本次未登记任何内容" in err
    _, out, _ = cli("flag", "assess", "DZ-01", "civility", "2025")
    assert "灯塔-党建在线 平台分 ≥ 80（实际 85） ✓ 满足" in out and "条件全部满足" in out
    _, _, err = cli("flag", "award", "DZ-01", "civility", "2025", expect=2)  # the account that assessed it
    assert "双人审核" in err and "本次未登记任何内容" in err
    _, out, _ = cli("--as", "组织科-李四", "flag", "award", "DZ-01", "civility", "2025")
    assert "已授予" in out
    cli("flag", "nominate", CONTEST, "DZ-02", "civility", "2025", "--rules", "flags")
    _, out, _ = cli("flag", "assess", "DZ-02", "civility", "2025", "--lang", "en")
    assert "platform value ≥ 80 (found 79.5): ✗ not met" in out and "criteria not met" in out
    _, _, err = cli("--as", "组织科-李四", "flag", "award", "DZ-02", "civility", "2025", expect=2)
    assert "不满足的条件：灯塔-党建在线 平台分 ≥ 80（实际 79.5） ✗ 不满足" in err
    _, out, _ = cli("flag", "decline", "DZ-02", "civility", "2025", "--reason", "平台分未达到条件")
    assert "已登记不授予" in out
    _, out, _ = cli("flags", CONTEST, "2025")
    assert "DZ-01" in out and "已授予" in out and "DZ-02" in out and "不授予" in out
    _, out, _ = cli("flag", "revoke", "DZ-01", "civility", "2025", "--reason", "年中督查发现问题")
    assert "已撤销" in out
    _, out, _ = cli("flags", CONTEST, "2025", "--json")
    assert {(r["organization"], r["state"], r["met"]) for r in json.loads(out)} == {
        ("DZ-01", "revoked", True), ("DZ-02", "declined", False)}


def test_flag_refusals_name_what_is_wrong(cli):
    _, _, err = cli("flag", "nominate", CONTEST, "DZ-01", "prosperity", "2025", "--rules", "flags.toml", expect=2)
    assert "不是规则 flags@1 中的红旗（civility）" in err
    _, _, err = cli("flag", "nominate", CONTEST, "DZ-01", "civility", "2025", expect=2)
    assert "没有规则中带 [[flags]] 红旗设置的已定案轮次" in err
    _, _, err = cli("flag", "assess", "DZ-01", "civility", "2025", expect=3)
    assert "没有「civility」红旗的记录" in err
