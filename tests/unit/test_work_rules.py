"""The ladder of consequences and the classes (rulebook sections 15-16): what a rule set may say,
what it is refused for (each problem at its path), and how a period's standings are classed and
climb the ladder."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from domain.errors import RuleSetInvalid
from domain.rules.ladder import plan
from domain.rules.ruleset import parse_ruleset

HEAD = 'code = "t"\nversion = 1\n[[criteria]]\ncode = "a"\nmax = 100\n'
CLASSES = """
[classes]
by = "score"
[[classes.bands]]
code = "1"
name = "一类"
min = 85
[[classes.bands]]
code = "2"
name = "二类"
min = 70
[[classes.bands]]
code = "3"
name = "三类"
"""
BOTTOM = """
[[ladder]]
period = "month"
who = "bottom"
count = 2
steps = [{ action = "interview", by = "党委副书记", days = 10 }, { action = "interview", by = "镇党委书记、镇长", days = 10 }]
"""


@dataclass
class S:
    entrant: str
    rank: int
    shown: Decimal
    name: str = ""


def standings(*scores: str) -> list[S]:
    """V1, V2 ... with these scores, ranked (equal scores share a rank)."""
    out: list[S] = []
    for i, score in enumerate(scores):
        rank = out[-1].rank if out and out[-1].shown == Decimal(score) else i + 1
        out.append(S(f"V{i + 1}", rank, Decimal(score), f"村{i + 1}"))
    return out


def problems(text: str) -> dict[str, str]:
    with pytest.raises(RuleSetInvalid) as refused:
        parse_ruleset(HEAD + text)
    return {field: en + " | " + zh for field, en, zh in refused.value.problems}


def test_a_ladder_and_classes_parse_and_change_the_digest_only_when_present():
    plain = parse_ruleset(HEAD)
    rules = parse_ruleset(HEAD + CLASSES + BOTTOM)
    assert plain.ladder == () and plain.classes is None
    assert rules.digest != plain.digest
    rung = rules.ladder[0]
    assert (rung.period, rung.who, rung.count, rung.key) == ("month", "bottom", 2, "month:bottom/2")
    assert [s.by for s in rung.steps] == ["党委副书记", "镇党委书记、镇长"]
    assert rung.steps[0].record == ("date", "summary")  # the default
    assert rules.classes.name("3") == "三类"


def test_a_bad_ladder_is_refused_at_each_path():
    found = problems(CLASSES + """
[[ladder]]
period = "week"
who = "worst"
count = 3
steps = [{ action = "interview", days = 0, record = ["date", "photo"] }]
[[ladder]]
period = "month"
who = "class:9"
count = 2
steps = [{ action = "pairing", by = "镇党委" }, { action = "other", by = "镇党委", days = 5 }]
""")
    assert set(found) >= {"ladder[1].period", "ladder[1].who", "ladder[1].steps[1].by", "ladder[1].steps[1].days",
                          "ladder[1].steps[1].record", "ladder[2].who", "ladder[2].count",
                          "ladder[2].steps[1].obligation", "ladder[2].steps[2].name"}
    assert "class" in found["ladder[2].who"] or "分类" in found["ladder[2].who"]


def test_bad_classes_are_refused_at_each_path():
    found = problems("""
[classes]
by = "score"
[[classes.bands]]
code = "1"
min = 70
[[classes.bands]]
code = "1"
min = 80
share = "0.5"
[[classes.bands]]
code = "3"
""")
    assert set(found) >= {"classes.bands[2].code", "classes.bands[2].min", "classes.bands[2].share"}
    found = problems("""
[classes]
by = "rank"
[[classes.bands]]
code = "a"
share = "1.5"
[[classes.bands]]
code = "b"
count = 2
share = "0.2"
[[classes.bands]]
code = "c"
count = 1
""")
    assert set(found) >= {"classes.bands[1].share", "classes.bands[2]", "classes.bands[3].count"}


def test_classes_by_rank_take_a_tie_at_the_edge_whole_into_the_higher_class():
    rules = parse_ruleset(HEAD + """
[classes]
by = "rank"
[[classes.bands]]
code = "1"
share = "0.2"
[[classes.bands]]
code = "2"
count = 2
[[classes.bands]]
code = "3"
""")
    classes, _ = plan((), rules.classes, "2025-05", standings("90", "88", "88", "70", "60", "50", "40", "30", "20",
                                                             "10"), [], lambda key, e: 0)
    # floor(0.2 x 10) = 2: V1 and V2 - but V3 ties V2, so it goes into class 1 too; class 2 then takes 2 more
    assert classes == {"V1": "1", "V2": "1", "V3": "1", "V4": "2", "V5": "2", "V6": "3", "V7": "3", "V8": "3",
                       "V9": "3", "V10": "3"}


def test_the_second_consecutive_bottom_climbs_to_the_next_step_and_stays_on_the_last():
    rules = parse_ruleset(HEAD + BOTTOM)
    month = standings("90", "80", "70", "60", "50")
    _, first = plan(rules.ladder, None, "2025-05", month, [], lambda key, e: 0)
    assert [(p.entrant, p.step_number, p.why_zh) for p in first] == [
        ("V5", 1, "2025-05 后 2 名（第 5 名）"), ("V4", 1, "2025-05 后 2 名（第 4 名）")]
    _, again = plan(rules.ladder, None, "2025-06", month, [], lambda key, e: 1 if e == "V5" else 0)
    assert [(p.entrant, p.streak, p.step_number, p.step.by) for p in again] == [
        ("V5", 2, 2, "镇党委书记、镇长"), ("V4", 1, 1, "党委副书记")]
    assert again[0].why_en == "2025-06 bottom 2 (rank 5, 2nd time running)"
    _, third = plan(rules.ladder, None, "2025-07", month, [], lambda key, e: 2 if e == "V5" else 0)
    assert third[0].step_number == 2 and third[0].streak == 3  # past the last step: the last


def test_a_rung_applies_only_to_its_kind_of_period_and_improved_compares_with_the_previous():
    rules = parse_ruleset(HEAD + BOTTOM + """
[[ladder]]
period = "quarter"
who = "improved"
count = 1
steps = [{ action = "share", by = "镇党委", days = 15 }]
""")
    _, quarter = plan(rules.ladder, None, "2025-Q2", standings("90", "80", "70"),
                      [S("V3", 1, Decimal(95)), S("V1", 2, Decimal(85)), S("V2", 3, Decimal(75))],
                      lambda key, e: 0)
    assert [(p.entrant, p.step.action, p.why_zh) for p in quarter] == [("V1", "share", "2025-Q2 进步最大（第 2 名 → 第 1 名）")]


def test_a_pairing_pairs_the_last_with_the_first():
    rules = parse_ruleset(HEAD + CLASSES + """
[[ladder]]
period = "month"
who = "class:3"
steps = [{ action = "pairing", by = "镇党委", obligation = { exchanges = 2, per = "month", months = 3 } }]
""")
    classes, pairs = plan(rules.ladder, rules.classes, "2025-05", standings("90", "80", "60", "50"), [],
                          lambda key, e: 0)
    assert classes == {"V1": "1", "V2": "2", "V3": "3", "V4": "3"}
    assert [(p.entrant, p.leader) for p in pairs] == [("V4", "V1"), ("V3", "V2")]
    assert pairs[0].step.obligation.exchanges == 2


def test_a_bottom_five_rung_does_not_climb_on_a_bottom_three_rungs_periods_and_old_keys_still_read():
    """Two rungs of one period kind and who, of different counts, climb apart (the key names the
    count); a period closed before keys named it ("month:bottom") is still read for climbing."""
    from domain.model.period_result import PeriodResult

    wide = BOTTOM.replace("count = 2", "count = 4")
    rules = parse_ruleset(HEAD + BOTTOM + wide)
    narrow, broad = rules.ladder
    assert (narrow.key, broad.key) == ("month:bottom/2", "month:bottom/4")
    result = PeriodResult.__new__(PeriodResult)
    month = standings("95", "90", "85", "80", "75", "70", "60", "50", "40", "30")  # bottom 2: V9, V10; 4: V7-V10
    result.concerned = [{"key": "month:bottom/4", "entrant": "V10", "streak": 1},
                        {"key": "month:bottom/4", "entrant": "V7", "streak": 1}]  # last month: the broad rung only
    _, planned = plan(rules.ladder, None, "2025-06", month, [], result.streak)
    by_rung = {(p.rung, p.entrant): p.streak for p in planned}
    assert by_rung[(2, "V10")] == 2 and by_rung[(2, "V7")] == 2
    assert by_rung[(1, "V10")] == 1  # the narrow rung does not climb on the broad one's periods
    result.concerned = [{"key": "month:bottom", "entrant": "V5", "streak": 2}]  # closed before the keys named counts
    assert result.streak("month:bottom/2", "V5") == 2 and result.streak("month:bottom/2", "V4") == 0
