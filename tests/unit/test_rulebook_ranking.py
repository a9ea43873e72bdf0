"""Rulebook section 4: ordering, tie-breakers, shared ranks, unranked entrants."""

from tests.builders import compute, facts, rules, table


def test_equal_finals_share_a_rank_and_the_next_ranks_are_skipped():
    result = compute(rules(), facts({"A": {"J1": 95}, "C": {"J1": 90}, "B": {"J1": 90}, "D": {"J1": 85}}))
    assert table(result, "rank", "tied") == [
        ("A", 1, False), ("B", 2, True), ("C", 2, True), ("D", 4, False)]


def test_ties_are_listed_by_organization_code_whatever_the_recording_order():
    result = compute(rules(), facts({"Z9": {"J1": 90}, "A1": {"J1": 90}, "M5": {"J1": 90}}))
    assert [e.entrant for e in result.entries] == ["A1", "M5", "Z9"]
    assert {e.rank for e in result.entries} == {1}


def test_unrounded_tie_breaker_separates_equal_rounded_finals():
    # A: 89.996 -> 90.00, B: 90.004 -> 90.00
    body_marks = "[marks]\ndecimals = 3\n"
    sheet_table = {"A": {"J1": "89.996"}, "B": {"J1": "90.004"}}
    tied = compute(rules(body_marks), facts(sheet_table))
    assert table(tied, "rank", "final") == [("A", 1, "90.00"), ("B", 1, "90.00")]
    broken = compute(rules(body_marks + '[ranking]\ntie_breakers = ["unrounded"]\n'), facts(sheet_table))
    assert table(broken, "rank", "final") == [("B", 1, "90.00"), ("A", 2, "90.00")]
    assert broken.entry("B").tie_notes[0].breaker == "unrounded"


def test_component_tie_breaker_compares_the_unweighted_component():
    body = (
        '[[components]]\ncode = "arena"\nsource = "panel"\nweight = "0.5"\n'
        '[[components]]\ncode = "daily"\nsource = "input"\nmax = 100\nweight = "0.5"\n'
        '[ranking]\ntie_breakers = ["component:daily"]\n'
    )
    # A: 0.5*80 + 0.5*90 = 85; B: 0.5*90 + 0.5*80 = 85 -> daily decides: A
    result = compute(rules(body), facts({"A": {"J1": 80}, "B": {"J1": 90}},
                                        inputs={("A", "daily"): "90", ("B", "daily"): "80"}))
    assert table(result, "rank") == [("A", 1), ("B", 2)]


def test_criterion_tie_breaker_uses_the_per_criterion_panel_value():
    criteria = '[[criteria]]\ncode = "a"\nmax = 50\n[[criteria]]\ncode = "b"\nmax = 50\n'
    body = '[ranking]\ntie_breakers = ["criterion:b"]\n'
    # both total 80; B is better on criterion b
    sheet_table = {"A": {"J1": {"a": 45, "b": 35}}, "B": {"J1": {"a": 35, "b": 45}}}
    result = compute(rules(body, criteria), facts(sheet_table))
    assert table(result, "rank") == [("B", 1), ("A", 2)]


def test_tie_breakers_apply_in_order_and_equal_after_all_is_a_tie():
    criteria = '[[criteria]]\ncode = "a"\nmax = 50\n[[criteria]]\ncode = "b"\nmax = 50\n'
    body = '[ranking]\ntie_breakers = ["unrounded", "criterion:a", "criterion:b"]\n'
    sheet_table = {
        "A": {"J1": {"a": 40, "b": 40}},  # 80, a40
        "B": {"J1": {"a": 45, "b": 35}},  # 80, a45 -> first
        "C": {"J1": {"a": 40, "b": 40}},  # identical to A -> tied with A
    }
    result = compute(rules(body, criteria), facts(sheet_table))
    assert table(result, "rank", "tied") == [("B", 1, False), ("A", 2, True), ("C", 2, True)]
    assert result.entry("A").tie_notes[-1].breaker is None


def test_disqualified_and_withdrawn_are_listed_last_without_rank_or_award():
    body = '[[awards]]\ncode = "first"\ncount = 3\n'
    result = compute(rules(body), facts(
        {"A": {"J1": 70}, "B": {"J1": 99}, "C": {"J1": 80}, "D": {"J1": 60}},
        statuses={"B": "disqualified", "A": "withdrawn"}))
    assert table(result, "rank", "award") == [
        ("C", 1, "first"), ("D", 2, "first"), ("A", None, None), ("B", None, None)]
