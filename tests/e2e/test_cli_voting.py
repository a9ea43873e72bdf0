"""``leitai vote``: open, cast, void, import a ballots file (all or nothing, errors naming the row,
column and value), count and announce, tally - in Chinese by default, in English with --lang en."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from api.wiring import open_app
from domain.services.clock import FixedClock
from domain.services.setup import RoundSpec
from tests.conftest import ADMIN, command_line, event_count
from tests.integration.test_voting import VOTE_RULES
from tests.scenario import small_contest


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    url = f"sqlite:///{tmp_path}/leitai.db"
    app = open_app(url, clock=FixedClock("2025-06-01T09:00"))
    try:
        small_contest(app)
        app.register_organization("c", "O4", "村O4", "T2", "village", "", "书记O4", ADMIN)
        app.register_ruleset(VOTE_RULES, "vote.toml", ADMIN)
        app.schedule_round("c", RoundSpec("V", "county", "C", "2025-06", "vote",
                                          entrants=("O1", "O2", "O3", "O4")), ADMIN)
        app.open_round("V", ADMIN)
    finally:
        app.close()
    run = command_line(monkeypatch, capsys, tmp_path, url, "2025-06-10T10:00")
    run.url = url  # type: ignore[attr-defined]
    run.folder = tmp_path  # type: ignore[attr-defined]
    return run


def _events(url: str) -> int:
    app = open_app(url, clock=FixedClock("2025-06-10T10:00"))
    try:
        return event_count(app)
    finally:
        app.close()


def test_two_voting_rounds_from_the_command_line_feed_the_votes_component(run: Any) -> None:
    _, out, _ = run("vote", "open", "v")
    assert "已开启轮次 V 的第 1 轮投票" in out
    run("vote", "cast", "V", "--group", "party", "--ballot", "P1", "--choices", "O1,O2")
    run("vote", "cast", "V", "--group", "people", "--choices", "O1")
    _, out, _ = run("vote", "cast", "V", "--group", "cadres", "--choices", "O4")
    assert "选票 00003" in out  # numbered in sequence when not given
    _, out, _ = run("vote", "count", "V")
    assert "第 1 轮投票（共 2 轮）" in out and "进入下一轮" in out and "第 2 轮投票已开启" in out
    _, out, _ = run("vote", "tally", "V", "--lang", "en")
    assert "Voting round 1 of 2" in out and "Voting round 2: open" in out
    run("vote", "cast", "V", "--group", "party", "--ballot", "X1", "--choices", "O1")
    _, out, _ = run("vote", "count", "V")
    assert "计入 votes 成绩项" in out
    _, out, _ = run("vote", "tally", "V", "--json")
    boxes = json.loads(out)
    assert [b["status"] for b in boxes] == ["announced", "announced"] and boxes[1]["tally"]["feed"]["O1"] > 0


def test_a_ballot_with_too_many_choices_is_refused_naming_the_ballot_and_nothing_is_recorded(run: Any) -> None:
    run("vote", "open", "V")
    before = _events(run.url)
    _, _, err = run("vote", "cast", "V", "--group", "party", "--ballot", "P9", "--choices", "O1,O2,O3", expect=2)
    assert "选票 P9：一张选票最多可选 2 个组织，这张选了 3 个" in err
    _, _, err = run("vote", "cast", "V", "--group", "party", "--choices", "O1,O2,O3", "--lang", "en", expect=2)
    assert "a ballot names at most 2 entrants, this one 3" in err
    assert _events(run.url) == before


def test_casting_before_the_voting_is_open_or_after_the_count_is_refused(run: Any) -> None:
    _, _, err = run("vote", "cast", "V", "--group", "party", "--choices", "O1", expect=2)
    assert "还没有开启投票" in err and "leitai vote open V" in err
    run("vote", "open", "V")
    run("vote", "void", "V", "NOPE", "--reason", "测试", expect=2)
    run("vote", "cast", "V", "--group", "party", "--ballot", "P1", "--choices", "O1")
    _, _, err = run("vote", "cast", "V", "--group", "party", "--ballot", "P1", "--choices", "O2", expect=2)
    assert "选票 P1 在本轮投票中已经登记过" in err
    _, out, _ = run("vote", "void", "V", "P1", "--reason", "字迹不清")
    assert "已作废" in out


def test_a_ballots_file_is_imported_whole_or_not_at_all_with_errors_by_row_and_column(run: Any) -> None:
    run("vote", "open", "V")
    good = run.folder / "ballots.csv"
    good.write_text("ballot,group,choices\nD-001,party,O1;O2\nD-002,party,O3\nQ-001,people,\"O1,O4\"\n"
                    "G-001,cadres,\n", encoding="utf-8")
    bad = run.folder / "bad.csv"
    bad.write_text("ballot,group,choices\nD-001,party,O1\nD-002,youth,O2\n", encoding="utf-8")
    before = _events(run.url)
    _, _, err = run("vote", "import", "V", str(bad), expect=2)
    assert "bad.csv 第 3 行「group」" in err and "youth" in err
    assert _events(run.url) == before  # the good first row was not recorded either
    too_many = run.folder / "many.csv"
    too_many.write_text("ballot,group,choices\nD-001,party,O1 O2 O3\n", encoding="utf-8")
    _, _, err = run("vote", "import", "V", str(too_many), "--lang", "en", expect=2)
    assert "many.csv row 2, column choices" in err and "at most 2 entrants" in err
    several = run.folder / "several.csv"  # every refused row at once, not only the first
    several.write_text("ballot,group,choices\nD-001,party,O1\nD-002,youth,O2\nD-003,party,O1 O2 O3\n"
                       "D-004,party,O9\n", encoding="utf-8")
    _, _, err = run("vote", "import", "V", str(several), expect=2)
    assert "several.csv 第 3 行「group」" in err and "several.csv 第 4 行「choices」" in err
    assert "several.csv 第 5 行「choices」" in err and "O9" in err
    assert _events(run.url) == before
    missing = run.folder / "nocol.csv"
    missing.write_text("ballot,group\n1,party\n", encoding="utf-8")
    _, _, err = run("vote", "import", "V", str(missing), expect=2)
    assert "缺少列「choices」" in err
    _, out, _ = run("vote", "import", "V", str(good))
    assert "已导入第 1 轮投票的 4 张选票" in out
    _, out, _ = run("vote", "tally", "V")
    assert "已登记 4 张" in out  # the blank ballot of G-001 counts


def test_the_same_ballots_file_imported_again_is_refused_saying_when_so_no_ballot_counts_twice(run: Any) -> None:
    run("vote", "open", "V")
    first = run.folder / "第1轮选票.csv"  # no ballot numbers: each import would number them anew
    first.write_text("ballot,group,choices\n,party,O1;O2\n,party,O3\n,people,O4\n", encoding="utf-8")
    _, out, _ = run("vote", "import", "V", str(first))
    assert "已导入第 1 轮投票的 3 张选票（4 条事件" in out  # the ballots and the file's digest
    before = _events(run.url)
    copy = run.folder / "copy.csv"  # the same bytes under another name
    copy.write_bytes(first.read_bytes())
    for again in (first, copy):
        _, _, err = run("vote", "import", "V", str(again), expect=2)
        assert "第1轮选票.csv" in err and "内容完全相同" in err and "不能再导入一次" in err and "本次未登记任何内容" in err
    _, _, err = run("vote", "import", "V", str(copy), "--lang", "en", expect=2)
    assert "is the very file 第1轮选票.csv" in err and "nothing was recorded" in err and "leitai vote cast" in err
    assert _events(run.url) == before
    _, out, _ = run("vote", "tally", "V")
    assert "已登记 3 张" in out  # not 6
    more = run.folder / "补登.csv"  # another file with other ballots goes in
    more.write_text("ballot,group,choices\n,cadres,O1\n", encoding="utf-8")
    _, out, _ = run("vote", "import", "V", str(more))
    assert "1 张选票" in out
