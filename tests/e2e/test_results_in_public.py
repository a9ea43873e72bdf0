"""Issue 14, item 10 on the command line and over HTTP, on both stores: `leitai rerank` says
when the results are published again and which finalists it revised, the notice says what
changed and why, `promote` answers with the promotion as it stands and `verify` is clean;
`rules adopt --scope unit:X` names the rounds it left under other rules; `leitai input`,
``POST /api/rounds/<R>/inputs`` refuse to replace a value without a reason, naming the
field, and `explain`, `audit`, the audit page and ``GET …/explanation`` show each value's
event, actor, time and reason."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from tests.conftest import ADMIN, command_line, event_count
from tests.http import Client, add_account, serve, stop
from tests.scenario import RULES, score_all, small_contest

TWO_PROMOTED = RULES.replace("version = 1", "version = 2").replace("quota = 1", "quota = 2") + (
    '[[awards]]\ncode = "first"\nname = "一等奖"\ncount = 1\n[[awards]]\ncode = "second"\nname = "二等奖"\ncount = 1\n')
ONE_PROMOTED = RULES.replace("version = 1", "version = 3") + '[[awards]]\ncode = "first"\nname = "一等奖"\ncount = 1\n'


@pytest.fixture
def cli(app, store_url, monkeypatch, capsys, tmp_path):
    """``cli(*args)`` -> (exit code, stdout, stderr), on the test's store (SQLite or PostgreSQL)."""
    return command_line(monkeypatch, capsys, tmp_path, store_url, "2025-05-20T09:00")


@pytest.fixture
def promoted(app, clock, cli):
    """R1 under town@2 (two promoted, two prizes) final and promoted into F (not started);
    town@3 promotes one and gives one prize."""
    small_contest(app)
    app.register_ruleset(TWO_PROMOTED, "town2.toml", ADMIN)
    app.register_ruleset(ONE_PROMOTED, "town3.toml", ADMIN)
    app.adopt_ruleset("c", "town@2", {"rounds": ["R1"]}, "每镇取前两名", ADMIN)
    score_all(app)
    app.close_round("R1", ADMIN)
    app.publish("R1", ADMIN, on=date(2025, 5, 20))
    clock.set("2025-05-27T09:00")
    cli.at("2025-05-27T09:00")
    app.finalize("R1", ADMIN)
    assert app.promote("R1", ADMIN)["promoted"] == ["O1", "O2"]
    return app


def test_rerank_of_a_final_round_says_what_it_published_again_and_whom_it_withdrew(promoted, cli, tmp_path):
    _, out, _ = cli("rerank", "R1", "--rules", "town@3", "--reason", "县委决定每镇只取第一名")
    assert "重新公示 2025-05-27 至" in out and "O2：奖项 second→无、晋级 晋级→未晋级" in out
    assert "轮次 F 的晋级选手已变更：退出 O2；加入 无" in out
    _, out, _ = cli("promote", "R1")
    assert "晋级：O1；" in out
    _, out, _ = cli("finalists", "F")
    assert "O1" in out and "O2" not in out
    cli("document", "notice", "R1", "--out", "notice.html")
    notice = (tmp_path / "notice.html").read_text(encoding="utf-8")
    assert "本次为重新公示" in notice and "县委决定每镇只取第一名" in notice and "O2：奖项 second→无" in notice
    _, out, _ = cli("explain", "F", "O2")
    assert "退出" in out and "不再晋级" in out and "R1" in out
    cli("verify")


def test_rerank_that_would_change_a_started_final_is_refused_with_exit_2(promoted, cli):
    promoted.open_round("F", ADMIN)
    _, _, err = cli("rerank", "R1", "--rules", "town@3", "--reason", "每镇只取第一名", expect=2)
    assert "F" in err and "O2" in err and "未登记" in err


def test_adopt_for_a_unit_names_the_rounds_left_under_other_rules(app, cli):
    from domain.services.setup import RoundSpec
    from tests.integration.test_results_change_in_public import OTHER

    small_contest(app)
    app.register_ruleset(OTHER, "other.toml", ADMIN)
    app.schedule_round("c", RoundSpec("R3", "township", "T1", "2025-05", "other", judges=("J1",)), ADMIN)
    path = "town2.toml"
    with open(path, "w", encoding="utf-8") as f:
        f.write(RULES.replace("version = 1", "version = 2"))
    _, out, _ = cli("rules", "adopt", path, "--contest", "c", "--scope", "unit:T1", "--reason", "一镇采用第 2 版")
    assert "R1" in out and "按其他规则计算的轮次不变：R3" in out
    assert app.ranking("R3")[0].rules["code"] == "other"


def test_input_replacing_a_value_needs_a_reason_and_explain_and_audit_show_both(app, cli):
    small_contest(app)
    score_all(app)
    _, out, _ = cli("input", "R1", "O1", "daily", "80")
    first = out.split("R1#")[1].split("：")[0]
    _, _, err = cli("input", "R1", "O1", "daily", "85", expect=2)
    assert "--reason" in err and "daily" in err and f"R1#{first}" in err
    _, out, _ = cli("input", "R1", "O1", "daily", "85", "--reason", "考核办复核后更正")
    assert f"替换 R1#{first}" in out
    second = out.split("R1#")[1].split("：")[0]
    _, out, _ = cli("explain", "R1", "O1")
    assert re.search(rf"R1#{first}  80  clerk-1  \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d\n", out), out
    assert re.search(rf"R1#{second}  85  clerk-1  \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d  替换 R1#{first}，理由：考核办复核后更正",
                     out), out
    _, out, _ = cli("explain", "R1", "O1", "--json")
    x = json.loads(out)
    assert [h["reason"] for h in x["inputs"][0]["history"]] == [None, "考核办复核后更正"]
    _, out, _ = cli("audit", "R1", "O1")
    assert "更改考核数据" in out and "daily=85" in out and "考核办复核后更正" in out


@pytest.fixture
def web(app):
    small_contest(app)
    score_all(app)
    add_account(app, "t1", "admin", contest="c", unit="T1")
    flask_app = serve(app)
    yield flask_app
    stop(flask_app)


def test_http_refuses_a_replacement_without_a_reason_and_shows_the_history(app, web):
    t1 = Client(web, "t1")
    first = t1.post("/api/rounds/R1/inputs", {"entrant": "O1", "component": "daily", "value": "80"})["number"]
    refused = t1.post("/api/rounds/R1/inputs", {"entrant": "O1", "component": "daily", "value": "85"}, expect=422)
    assert refused["code"] == "InputReplacementNeedsReason" and set(refused["errors"]) == {"reason"}
    assert "daily" in refused["message"] and f"R1#{first}" in refused["message"]
    second = t1.post("/api/rounds/R1/inputs", {"entrant": "O1", "component": "daily", "value": "85",
                                                "reason": "考核办复核后更正"})["number"]
    app.close_round("R1", ADMIN)
    x = t1.get("/api/rounds/R1/entrants/O1/explanation")
    [entry] = x["inputs"]
    assert [(h["event"], h["value"], h["actor"], h["reason"]) for h in entry["history"]] == [
        (f"R1#{first}", "80", "t1", None), (f"R1#{second}", "85", "t1", "考核办复核后更正")]
    assert all(h["at"] for h in entry["history"])
    assert [h["kind"] for h in x["history"] if h["kind"].startswith("input")] == ["input", "input_replaced"]
    assert all(h["at"] for h in x["history"] if h["kind"].startswith("input"))
    page = t1.get("/audit/R1/O1").get_data(as_text=True)
    assert f"R1#{second}" in page and "考核办复核后更正" in page and "更改考核数据" in page and "操作人" in page


def test_a_township_admin_re_ranks_over_http_and_the_county_final_is_revised(promoted):
    """The revision changes the county final, a round above the township admin's unit: it is
    the admin's own round's promotion (domain/authority.py), so it is allowed; once the final
    has started the re-rank is refused with 409 and nothing is recorded."""
    add_account(promoted, "t1", "admin", contest="c", unit="T1")
    flask_app = serve(promoted)
    try:
        t1 = Client(flask_app, "t1")
        before = event_count(promoted)
        # a township may not bring in rules of its own: town@3 is not yet the contest's (domain/authority.py)
        refused = t1.post("/api/rounds/R1/rerank", {"rules": "town@3", "reason": "每镇只取第一名"}, expect=403)
        assert refused["code"] == "OutOfScope" and "town@3" in refused["message"] and "rules adopt" in refused["message"]
        assert event_count(promoted) == before
        promoted.adopt_ruleset("c", "town@3", {"rounds": ["R1"]}, "县委决定每镇只取第一名", ADMIN)
        answer = t1.post("/api/rounds/R1/rerank", {"rules": "town@3", "reason": "每镇只取第一名"})
        assert answer["seal"].startswith("sha256:")
        final, _ = promoted.ranking("F")
        assert final.entrants["O2"].status == "withdrawn" and final.entrants["O1"].status == "active"
        promoted.open_round("F", ADMIN)
        refused_first = t1.post("/api/rounds/R1/rerank", {"rules": "town@2", "reason": "恢复前两名"}, expect=409)
        assert refused_first["code"] == "PromotionsLocked"
        assert promoted.ranking("R1")[0].rules["version"] == 3
    finally:
        stop(flask_app)
