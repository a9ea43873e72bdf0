"""Rulebook section 3: computing a round, one table row per case, worked by hand."""

from fractions import Fraction

import pytest

from tests.builders import compute, facts, rules

TRIMMED = '[panel]\nmethod = "trimmed_mean"\ntrim = 1\nmin_judges = 3\n'


def final_of(rule_body, sheet_table, entrant="A", **kw):
    result = compute(rules(rule_body), facts(sheet_table, **kw))
    return str(result.entry(entrant).final)


@pytest.mark.parametrize(
    ("case", "body", "marks", "expected"),
    [
        ("mean of totals", "", [80, 90, 85], "85.00"),
        ("mean is exact before the one rounding", "", [80, 80, 81], "80.33"),
        ("median, odd panel", '[panel]\nmethod = "median"\n', [70, 95, 80], "80.00"),
        ("median, even panel: mean of the two middle", '[panel]\nmethod = "median"\n', [80, 84, 90, 96], "87.00"),
        ("trimmed mean drops one highest and one lowest", TRIMMED, [80, 85, 90, 99, 60], "85.00"),
        ("trimmed mean with repeated extremes drops one per end", TRIMMED, [90, 90, 80, 80, 85], "85.00"),
        ("trimmed mean with repeated extremes, uneven", TRIMMED, [70, 70, 70, 95, 95], "78.33"),
        ("trim = 2 on seven judges",
         '[panel]\nmethod = "trimmed_mean"\ntrim = 2\nmin_judges = 5\n', [50, 60, 70, 80, 90, 100, 10], "70.00"),
    ],
)
def test_panel_methods(case, body, marks, expected):
    table = {"A": {f"J{i}": m for i, m in enumerate(marks, 1)}}
    assert final_of(body, table) == expected, case


def test_half_up_at_the_boundary_89_995_becomes_90_00():
    body = "[marks]\ndecimals = 2\n"
    assert final_of(body, {"A": {"J1": "89.99", "J2": "90.00"}}) == "90.00"


def test_just_below_the_boundary_rounds_down():
    body = '[[components]]\ncode = "daily"\nsource = "input"\nmax = 100\nweight = 1\n'
    result = compute(rules(body), facts({}, entrants=["A"], inputs={("A", "daily"): "89.994999"}))
    assert str(result.entry("A").final) == "89.99"


def test_result_decimals_one_and_zero():
    table = {"A": {"J1": 80, "J2": 81, "J3": 81}}  # mean 80.666...
    assert final_of("[result]\ndecimals = 1\n", table) == "80.7"
    assert final_of("[result]\ndecimals = 0\n", table) == "81"


CRITERIA_AB = (
    '[[criteria]]\ncode = "a"\nmax = 50\n'
    '[[criteria]]\ncode = "b"\nmax = 50\n'
)
# J1: a10 b40 (total 50); J2: a40 b10 (50); J3: a30 b30 (60)
AB_SHEETS = {"A": {"J1": {"a": 10, "b": 40}, "J2": {"a": 40, "b": 10}, "J3": {"a": 30, "b": 30}}}


def test_trim_on_total_trims_whole_sheets():
    rule = rules(TRIMMED, criteria=CRITERIA_AB)
    entry = compute(rule, facts(AB_SHEETS)).entry("A")
    # totals 50, 50, 60: drop one 50 and the 60 -> 50
    assert str(entry.final) == "50.00"
    assert entry.panel.by_total.dropped_high == ("J3",)


def test_trim_on_criterion_trims_each_criterion_separately():
    rule = rules(TRIMMED + 'trim_on = "criterion"\n', criteria=CRITERIA_AB)
    entry = compute(rule, facts(AB_SHEETS)).entry("A")
    # a: 10, 30, 40 -> 30; b: 10, 30, 40 -> 30; sum 60
    assert str(entry.final) == "60.00"
    assert entry.panel.by_criterion["a"].used == ("J3",)


def test_weighted_components_panel_and_linked_round():
    body = (
        '[[components]]\ncode = "arena"\nsource = "panel"\nweight = "0.5"\n'
        '[[components]]\ncode = "observation"\nsource = "round"\nweight = "0.5"\n'
        '[[components]]\ncode = "daily"\nsource = "input"\nmax = 100\nweight = "0"\n'
    )
    result = compute(rules(body), facts(
        {"A": {"J1": 90}, "B": {"J1": 70}},
        linked={"observation": {"A": "80", "B": "91.125"}},
        inputs={("A", "daily"): "99"},
    ))
    a, b = result.entry("A"), result.entry("B")
    assert a.exact_final == Fraction(85) and str(a.final) == "85.00"
    assert a.components == {"arena": 90, "observation": 80, "daily": 99}
    # 0.5 * 70 + 0.5 * 91.125 = 80.5625 -> 80.56
    assert str(b.final) == "80.56" and b.components["daily"] == 0  # missing input = 0


def test_votes_scale_to_the_highest_count():
    body = (
        '[[components]]\ncode = "arena"\nsource = "panel"\nweight = 1\n'
        '[[components]]\ncode = "popular"\nsource = "votes"\nmax = 10\nweight = 1\n'
    )
    result = compute(rules(body), facts(
        {"A": {"J1": 80}, "B": {"J1": 80}, "C": {"J1": 80}},
        inputs={("A", "popular"): "50", ("B", "popular"): "100", ("C", "popular"): "0"},
    ))
    assert [str(result.entry(e).final) for e in "ABC"] == ["85.00", "90.00", "80.00"]


def test_votes_are_zero_when_nobody_has_votes():
    body = '[[components]]\ncode = "popular"\nsource = "votes"\nmax = 10\n'
    result = compute(rules(body), facts({}, entrants=["A"]))
    assert result.entry("A").components == {"popular": 0}


def test_adjustments_add_bonus_and_subtract_penalty():
    body = "[adjustments]\nmax_bonus = 5\nmax_penalty = 1\n"
    result = compute(rules(body), facts(
        {"A": {"J1": "80.5"}}, adjustments=[("A", "2"), ("A", "-0.02"), ("A", "-0.2")]))
    entry = result.entry("A")
    assert (entry.bonus, entry.penalty) == (2, Fraction("0.22"))
    assert str(entry.final) == "82.28"


def test_an_entrant_short_of_min_judges_is_pending_not_ranked():
    result = compute(rules(TRIMMED), facts({"A": {"J1": 80, "J2": 80, "J3": 80}, "B": {"J1": 90, "J2": 90}}))
    assert result.entry("B").final is None and result.entry("B").rank is None
    assert [e.entrant for e in result.incomplete] == ["B"]


def test_disqualified_entrants_do_not_count_towards_min_judges():
    result = compute(rules(TRIMMED), facts({"A": {"J1": 80, "J2": 80, "J3": 80}, "B": {"J1": 90}},
                                           statuses={"B": "disqualified"}))
    assert result.complete
