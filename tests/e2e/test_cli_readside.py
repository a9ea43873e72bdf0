"""The read-side commands as a user runs them."""

from __future__ import annotations

import json

import pytest

from tests.e2e.test_cli import run  # noqa: F401 - the fixture
from tests.conftest import EXAMPLE


@pytest.fixture
def demo(run, tmp_path):  # noqa: F811
    run("--db", f"sqlite:///{tmp_path}/cli.db", "demo", "--fresh", "--no-serve")
    return run


def test_the_board_reads_the_projected_leaderboard(demo):
    out = demo("board", "R-WS-FINAL-2025").stdout
    assert "一等奖" in out and "9/9" in out and "8/8" in out  # 8/8: a township official is recused
    data = json.loads(demo("board", "R-GL-2025-05", "--json").stdout)
    assert data["status"] == "final" and not data["provisional"] and data["entries"][0]["rank"] == 1


def test_replay_json_has_rounds_with_before_after_and_changes(demo, tmp_path):
    v2 = tmp_path / "v2.toml"
    v2.write_text((EXAMPLE / "rules" / "township-2025.toml").read_text(encoding="utf-8")
                  .replace("version = 1", "version = 2").replace("quota = 2", "quota = 1"), encoding="utf-8")
    report = json.loads(demo("replay", "--rules", str(v2), "--level", "township", "--json").stdout)
    assert {"rounds", "finalists", "standings", "stars", "summary"} <= set(report)
    first = report["rounds"][0]
    assert set(first) == {"round", "before", "after", "changes"}
    assert list(first["before"]) == ["round", "rules", "status", "seal", "entries"]
    assert report["finalists"][0]["lost"]
    text = demo("replay", "--rules", str(v2), "--level", "township").stdout
    assert "失去资格" in text and "未登记任何内容" in text


def test_verify_export_and_offline_verify(demo, tmp_path):
    assert "全部一致" in demo("verify").stdout
    path = tmp_path / "events.ndjson"
    demo("export", "events", str(path))
    assert "全部一致" in demo("verify", "--from-export", str(path)).stdout
    text = path.read_text(encoding="utf-8")
    assert '\\"party\\":\\"23.3\\"' in text  # the exact stored bytes, as a JSON string
    path.write_text(text.replace('\\"party\\":\\"23.3\\"', '\\"party\\":\\"23.4\\"', 1), encoding="utf-8")
    done = demo("verify", "--from-export", str(path), check=False)
    assert done.returncode == 6 and "不一致" in done.stderr


def test_rebuild_shows_progress_and_status_reports_lag(demo):
    done = demo("projections", "rebuild")
    assert "读模型已重建" in done.stdout and "reading events" in done.stderr
    assert "落后 0 条" in demo("projections", "status").stdout


def test_adopt_and_rerank_from_the_command_line(demo, tmp_path):
    v2 = tmp_path / "v2.toml"
    v2.write_text((EXAMPLE / "rules" / "township-2025.toml").read_text(encoding="utf-8")
                  .replace("version = 1", "version = 2").replace("trim = 1", "trim = 2")
                  .replace("min_judges = 5", "min_judges = 7"), encoding="utf-8")
    out = demo("rules", "adopt", str(v2), "--contest", "wushen-2025", "--scope", "level:township",
               "--reason", "改为去掉两个最高分和两个最低分").stdout
    assert "已结束的轮次保留原结果" in out
    assert "重新封存" in demo("rerank", "R-TK-2025-05", "--rules", "township-2025@2", "--reason", "复核").stdout
    assert "全部一致" in demo("verify", "R-TK-2025-05").stdout


def test_standings_judges_stars_and_audit(demo):
    out = demo("standings", "wushen-2025", "WS-GL", "2025").stdout
    assert "后列（约谈）" in out and "结对共建" in out
    assert "评委" in demo("judges", "--contest", "wushen-2025").stdout
    assert "建议星级" in demo("stars", "wushen-2025", "township", "2025").stdout
    audit = demo("audit", "R-WS-FINAL-2025", "WS-TK-08").stdout
    assert "述职超时 20 秒" in audit and "评分表和考核数据记录" in audit
