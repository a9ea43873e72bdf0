"""``leitai period close``, ``classes``, ``tasks``, ``task done|excuse``, ``pairs``, ``pair show|exchange|end``
as the guide (11.4, 11.5) shows them: words in Chinese by default and English with --lang en,
the refusals named, the attachment recorded by its digest."""

from __future__ import annotations

import hashlib
import json

import pytest

from api.wiring import open_app
from domain.services.clock import FixedClock
from tests.conftest import command_line
from tests.work_scenario import MAY, month, work_contest

TASK = "w:T1:2025-05:1:V5"
PAIR = "w:T1:2025-05:V5"


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path}/cli.db"
    clock = FixedClock("2025-05-20T09:00")
    app = open_app(url, clock=clock)
    work_contest(app)
    month(app, clock, "2025-05", MAY)  # final on 2025-06-15
    app.close()
    return command_line(monkeypatch, capsys, tmp_path, url, "2025-06-15T09:00")


def test_a_period_is_closed_and_its_tasks_are_recorded_from_the_command_line(cli, tmp_path):
    _, out, _ = cli("period", "close", "w", "T1", "2025-05")
    assert "发出任务 3 个、结对 2 个" in out and TASK in out
    _, out, err = cli("period", "close", "w", "T1", "2025-05", expect=2)
    assert "只能结束一次" in err
    _, out, _ = cli("classes", "w", "T1", "2025-05")
    assert "一类" in out and "三类" in out
    _, out, _ = cli("tasks", "w")
    assert "约谈" in out and "党委副书记" in out and "2025-06-20" in out and "后 2 名（第 5 名）" in out
    _, out, _ = cli("--lang", "en", "tasks", "w")
    assert "interview" in out and "bottom 2 (rank 5)" in out
    _, _, err = cli("task", "done", TASK, "--date", "2025-06-15", "--place", "镇党委会议室", "--summary", "约谈",
                    expect=2)
    assert "participants" in err and "参加人员" in err
    minutes = tmp_path / "约谈记录.txt"
    minutes.write_text("约谈记录", encoding="utf-8")
    _, out, _ = cli("task", "done", TASK, "--date", "2025-06-15", "--place", "镇党委会议室", "--participants",
                    "党委副书记、村书记", "--summary", "分析差距", "--attachment", str(minutes))
    assert "办结" in out
    _, out, _ = cli("tasks", "w", "--json")
    done = next(t for t in json.loads(out) if t["task"] == TASK)
    assert done["done"]["attachment"] == "sha256:" + hashlib.sha256(minutes.read_bytes()).hexdigest()
    _, _, err = cli("task", "done", TASK, "--date", "2025-06-15", "--place", "x", "--participants", "x",
                    "--summary", "x", expect=2)
    assert "已办结" in err
    _, _, err = cli("task", "excuse", "w:T1:2025-05:1:V4", "--reason", " ", expect=2)
    assert "理由" in err
    cli("task", "excuse", "w:T1:2025-05:1:V4", "--reason", "该村已撤并")
    cli.at("2025-07-01T09:00")
    _, out, _ = cli("tasks", "w", "--overdue")
    assert "w:T1:2025-05:2:V1" in out and "逾期" in out and TASK not in out


def test_a_pairs_exchanges_from_the_command_line(cli):
    cli("period", "close", "w", "T1", "2025-05")
    cli.at("2025-06-20T17:00")  # recorded in June: June is met
    cli("pair", "exchange", PAIR, "--date", "2025-06-10", "--place", "V1 村部", "--summary", "观摩")
    cli("pair", "exchange", PAIR, "--date", "2025-06-20", "--place", "V1 村部", "--summary", "交流")
    _, _, err = cli("pair", "exchange", PAIR, "--date", "2025-06-20", "--place", "V1 村部", "--summary", "交流",
                    expect=2)  # the same exchange again
    assert "已经登记过" in err
    cli.at("2025-07-03T09:00")
    _, _, err = cli("pair", "exchange", PAIR, "--date", "2025-09-01", "--place", "V1 村部", "--summary", "晚了",
                    expect=2)
    assert "晚于今天" in err or "结对期" in err
    _, out, _ = cli("pair", "show", PAIR)
    assert "每月至少交流 2 次" in out and "已达到" in out and "进行中" in out
    _, out, _ = cli("pairs", "w")
    assert "V1 村V1" in out and "V5 村V5" in out
    cli("pair", "end", PAIR, "--reason", "已转化提升")
    _, _, err = cli("pair", "exchange", PAIR, "--date", "2025-07-01", "--place", "x", "--summary", "x", expect=2)
    assert "已结束" in err
