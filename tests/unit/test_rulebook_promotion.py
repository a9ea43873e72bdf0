"""Rulebook section 6: promotion, cut-off ties, min_score, reserves, every reason."""

from decimal import Decimal
from fractions import Fraction

import pytest

from domain.rules.promotion import Candidate, decide_promotion
from domain.rules.ruleset import Promotion
from tests.builders import compute, facts, rules


def candidates(*rows):
    """rows: (entrant, rank, final[, status])"""
    out = []
    for row in rows:
        entrant, rank, final = row[:3]
        status = row[3] if len(row) > 3 else "active"
        out.append(Candidate(entrant, rank, None if final is None else Decimal(final), status))
    return out


def outcomes(cands, **rule):
    rule.setdefault("to_level", "county")
    result = decide_promotion(cands, Promotion(**rule))
    return {e: (o.promotion, o.reason) for e, o in result.items()}


FOUR = candidates(("A", 1, "95"), ("B", 2, "90"), ("C", 2, "90"), ("D", 4, "85"))


def test_include_pulls_in_the_whole_tied_group_at_the_cutoff():
    assert outcomes(FOUR, quota=2, cutoff_ties="include") == {
        "A": ("promoted", None), "B": ("promoted", None), "C": ("promoted", None),
        "D": ("not_promoted", "below_cutoff")}


def test_exclude_drops_the_whole_tied_group_at_the_cutoff():
    assert outcomes(FOUR, quota=2, cutoff_ties="exclude") == {
        "A": ("promoted", None), "B": ("not_promoted", "tie_excluded"),
        "C": ("not_promoted", "tie_excluded"), "D": ("not_promoted", "below_cutoff")}


def test_exclude_also_drops_group_members_above_the_cut_position():
    cands = candidates(("A", 1, "95"), ("B", 2, "90"), ("C", 2, "90"), ("D", 2, "90"), ("E", 5, "80"))
    assert outcomes(cands, quota=3, cutoff_ties="exclude") == {
        "A": ("promoted", None), "B": ("not_promoted", "tie_excluded"),
        "C": ("not_promoted", "tie_excluded"), "D": ("not_promoted", "tie_excluded"),
        "E": ("not_promoted", "below_cutoff")}


def test_entrants_excluded_at_the_cutoff_can_be_reserves_and_a_straddling_group_is_whole():
    assert outcomes(FOUR, quota=2, cutoff_ties="exclude", reserves=1) == {
        "A": ("promoted", None), "B": ("reserve", None), "C": ("reserve", None),
        "D": ("not_promoted", "below_cutoff")}


def test_reserves_follow_the_promoted_in_ranking_order():
    cands = candidates(("A", 1, "95"), ("B", 2, "90"), ("C", 3, "88"), ("D", 4, "85"), ("E", 5, "80"))
    assert outcomes(cands, quota=2, reserves=2) == {
        "A": ("promoted", None), "B": ("promoted", None), "C": ("reserve", None),
        "D": ("reserve", None), "E": ("not_promoted", "below_cutoff")}


def test_min_score_is_compared_with_the_rounded_final():
    cands = candidates(("A", 1, "90.00"), ("B", 2, "80.00"), ("C", 3, "79.99"), ("D", 4, "70"))
    assert outcomes(cands, quota=3, min_score=Fraction(80), reserves=1) == {
        "A": ("promoted", None), "B": ("promoted", None),
        "C": ("not_promoted", "below_min_score"), "D": ("not_promoted", "below_min_score")}


def test_all_advance_when_there_are_no_more_than_quota_eligible():
    cands = candidates(("A", 1, "90"), ("B", 2, "80"))
    assert outcomes(cands, quota=5, reserves=2) == {"A": ("promoted", None), "B": ("promoted", None)}


@pytest.mark.parametrize(("status", "reason"), [("disqualified", "disqualified"), ("withdrawn", "withdrawn")])
def test_disqualified_and_withdrawn_never_advance(status, reason):
    cands = candidates(("A", 1, "90"), ("Z", None, None, status))
    assert outcomes(cands, quota=2, reserves=2)["Z"] == ("not_promoted", reason)


def test_promotion_through_the_engine_fills_every_field():
    body = '[promotion]\nto_level = "county"\nquota = 1\nreserves = 1\nmin_score = 60\n'
    result = compute(rules(body), facts(
        {"A": {"J1": 90}, "B": {"J1": 80}, "C": {"J1": 70}, "D": {"J1": 50}, "E": {"J1": 99}},
        statuses={"E": "withdrawn"}))
    assert [(e.entrant, e.promotion, e.promotion_reason) for e in result.entries] == [
        ("A", "promoted", None), ("B", "reserve", None), ("C", "not_promoted", "below_cutoff"),
        ("D", "not_promoted", "below_min_score"), ("E", "not_promoted", "withdrawn")]


def test_without_a_promotion_section_promotion_is_null():
    result = compute(rules(), facts({"A": {"J1": 90}}))
    assert (result.entries[0].promotion, result.entries[0].promotion_reason) == (None, None)
