"""Comments (点评, rulebook section 17) on the command line, as the guide (11.2) shows them:
`leitai comment add|correct|withdraw` and `leitai comments`, in Chinese and in English,
with refusals that say what to do and exit codes that tell them apart."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ROOT, command_line

QUICKSTART = ROOT / "examples" / "quickstart"
TOWN = "R-DZ-2025-06"  # open after the import; J4's home is SF-DZ, like the entrants': recused


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    run = command_line(monkeypatch, capsys, tmp_path, f"sqlite:///{tmp_path}/cli.db", "2025-06-20T09:00")
    run("import", str(QUICKSTART))
    return run


def test_comments_are_added_corrected_withdrawn_and_listed(cli):
    _, out, _ = cli("comment", "add", TOWN, "dz-01", "--judge", "j1", "--stage", "汇报演讲", "--text", "汇报扎实。")
    assert "已登记 评委 J1 对 DZ-01 的点评（点评编号 1）" in out and "日志位置" in out
    _, out, _ = cli("comment", "add", TOWN, "DZ-01", "--leader", "镇党委书记 张三", "--text", "路子走得实。\n要推广。",
                    "--stage", "书记点评")
    assert "点评编号 2" in out and "镇党委书记 张三" in out
    _, out, _ = cli("comment", "correct", TOWN, "1", "--text", "汇报扎实，数据翔实。", "--reason", "补充")
    assert "已更正" in out and "原文保留" in out
    _, out, _ = cli("comment", "add", TOWN, "DZ-02", "--judge", "J2", "--text", "评错了")
    _, out, _ = cli("comment", "withdraw", TOWN, "3", "--reason", "评错了对象")
    assert "已撤回" in out
    _, out, _ = cli("comments", TOWN)
    assert "点评 1 · DZ-01" in out and "评委 周评委（J1）" in out and "汇报演讲" in out and "已更正" in out
    assert "  汇报扎实，数据翔实。" in out and "更正：" in out and "理由：补充；原文：汇报扎实。" in out
    assert "镇党委书记 张三（领导点评）" in out and "  路子走得实。\n  要推广。" in out
    assert "点评 3 · DZ-02" in out and "已撤回" in out and "撤回：" in out
    _, out, _ = cli("comments", TOWN, "DZ-02", "--lang", "en")
    assert "Comment 3 · DZ-02" in out and "withdrawn" in out and "reason: 评错了对象" in out and "DZ-01" not in out
    _, out, _ = cli("comments", TOWN, "DZ-01", "--json")
    rows = json.loads(out)
    assert [(r["comment"], r["author_kind"], r["state"]) for r in rows] == [(1, "judge", "corrected"),
                                                                            (2, "leader", "recorded")]
    assert [h["text"] for h in rows[0]["history"]] == ["汇报扎实。", "汇报扎实，数据翔实。"]
    _, out, _ = cli("comments", "R-XZ-2025-06")
    assert "没有点评" in out
    _, out, _ = cli("audit", TOWN, "DZ-01")  # the audit of a result lists its comments after the sheets
    assert "点评（不计入成绩）：" in out and "汇报扎实，数据翔实。" in out and "理由：补充；原文：汇报扎实。" in out
    assert out.index("点评（不计入成绩）") > out.index("评分表和考核数据记录")
    _, out, _ = cli("audit", TOWN, "DZ-01", "--json")
    assert [c["comment"] for c in json.loads(out)["comments"]] == [1, 2]


def test_the_ranking_and_seal_do_not_move_for_a_comment(cli):
    cli("close", TOWN)
    _, before, _ = cli("ranking", TOWN, "--json")
    cli("comment", "add", TOWN, "DZ-01", "--leader", "县委书记 李四", "--text", "结束评分后的点评。")
    _, after, _ = cli("ranking", TOWN, "--json")
    assert json.loads(after) == json.loads(before)


def test_refusals_say_what_is_wrong_and_what_to_do(cli):
    _, _, err = cli("comment", "add", TOWN, "DZ-01", "--judge", "J4", "--text", "同单位", expect=2)
    assert "J4" in err and "回避" in err and "不能点评" in err
    _, _, err = cli("comment", "add", TOWN, "DZ-01", "--judge", "J9", "--text", "不在席", expect=2)
    assert "J9" in err and "评委席" in err
    _, _, err = cli("comment", "add", TOWN, "DZ-01", "--text", "谁？", expect=2)
    assert "--judge" in err and "--leader" in err  # argparse: one of the two is required
    _, _, err = cli("comment", "add", TOWN, "DZ-01", "--judge", "J1", "--text", "坏\x1b[31m字", expect=2)
    assert "text" in err and "控制字符" in err
    _, _, err = cli("comment", "correct", TOWN, "9", "--text", "改", "--reason", "改", expect=3)
    assert "没有编号为 9 的点评" in err and f"leitai comments {TOWN}" in err
    _, _, err = cli("comment", "add", "R-SF-FINAL-2025", "DZ-01", "--leader", "县委书记", "--text", "早", expect=2)
    assert "尚未开始评分" in err and "leitai open R-SF-FINAL-2025" in err
    _, _, err = cli("comment", "add", "R-SF-FINAL-2025", "DZ-01", "--leader", "书记", "--text", "早", "--lang", "en",
                    expect=2)
    assert "open it first" in err


def test_after_the_close_a_judges_paper_comment_is_entered_with_a_reason_shown_in_its_history(cli):
    cli("close", TOWN)
    _, _, err = cli("comment", "add", TOWN, "DZ-02", "--judge", "J2", "--text", "纸质点评补录。", expect=2)
    assert "J2" in err and "必须填写理由" in err and "--reason" in err
    _, _, err = cli("comment", "add", TOWN, "DZ-02", "--judge", "J2", "--text", "纸质点评补录。", "--reason", " ",
                    "--lang", "en", expect=2)
    assert "A reason is required" in err and "--reason" in err
    _, out, _ = cli("comments", TOWN)
    assert "没有点评" in out  # nothing was recorded
    _, out, _ = cli("comment", "add", TOWN, "DZ-02", "--judge", "J2", "--text", "纸质点评补录。",
                    "--reason", "评委 J2 的纸质点评会后交来")
    assert "点评编号 1" in out
    _, out, _ = cli("comments", TOWN)
    assert "登记，理由：评委 J2 的纸质点评会后交来）" in out, out
    _, out, _ = cli("comments", TOWN, "--lang", "en")
    assert ", reason: 评委 J2 的纸质点评会后交来)" in out, out
    _, out, _ = cli("audit", TOWN, "DZ-02")
    assert "理由：评委 J2 的纸质点评会后交来" in out
