"""Rulebook sections 7 and 8: period standings and star recommendations."""

from decimal import Decimal
from fractions import Fraction

import pytest

from domain.rules.ruleset import StarBand, Stars, Standings
from domain.rules.standings import RoundPlacing, compute_standings, period_contains
from domain.rules.stars import Rated, recommend

PLACINGS = [
    RoundPlacing("M1", "A", "A", Decimal("90.00"), 1),
    RoundPlacing("M1", "B", "B", Decimal("85.00"), 2),
    RoundPlacing("M1", "C", "C", Decimal("80.00"), 3),
    RoundPlacing("M2", "A", "A", Decimal("70.00"), 3),
    RoundPlacing("M2", "B", "B", Decimal("88.00"), 1),
    RoundPlacing("M2", "C", "C", Decimal("75.00"), 2),
    RoundPlacing("M3", "C", "C", Decimal("95.01"), 1),
]


def rows(standings):
    return [(s.entrant, str(s.shown), s.rank) for s in standings]


def test_sum_of_finals():
    # A 160, B 173, C 250.01
    assert rows(compute_standings(PLACINGS, Standings("sum"), 2)) == [
        ("C", "250.01", 1), ("B", "173.00", 2), ("A", "160.00", 3)]


def test_mean_over_the_rounds_taken_part_in_rounded_once():
    # A 80.00, B 86.50, C (80 + 75 + 95.01) / 3 = 83.3366... -> 83.34
    assert rows(compute_standings(PLACINGS, Standings("mean"), 2)) == [
        ("B", "86.50", 1), ("C", "83.34", 2), ("A", "80.00", 3)]


def test_rank_points_with_later_ranks_getting_zero():
    rule = Standings("rank_points", (Fraction(4), Fraction(3)))
    # A: 4 + 0 = 4; B: 3 + 4 = 7; C: 0 + 3 + 4 = 7 -> B and C share rank 1
    assert rows(compute_standings(PLACINGS, rule, 2)) == [("B", "7", 1), ("C", "7", 1), ("A", "4", 3)]


@pytest.mark.parametrize(("period", "inner", "inside"), [
    ("2025", "2025-05", True), ("2025", "2025-Q2", True), ("2025-Q2", "2025-05", True),
    ("2025-Q2", "2025-07", False), ("2025-Q3", "2025-07", True), ("2025", "2024-12", False),
    ("2025-05", "2025-05", True), ("2025-05", "2025", False),
])
def test_period_contains(period, inner, inside):
    assert period_contains(period, inner) is inside


BANDS = (StarBand(5, Fraction(90)), StarBand(4, Fraction(80)), StarBand(3, Fraction(70)),
         StarBand(2, Fraction(60)), StarBand(1, Fraction(0)))


def rated(**scores):
    return [Rated(k, Decimal(v)) for k, v in scores.items()]


def stars_of(result):
    return {k: v.stars for k, v in result.items()}


def test_bands_take_the_first_band_reached():
    result = recommend(rated(A="95", B="90", C="89.99", D="60", E="12"), Stars(BANDS))
    assert stars_of(result) == {"A": 5, "B": 5, "C": 4, "D": 2, "E": 1}


def test_a_veto_item_blocks_any_rating():
    result = recommend(rated(A="99", B="50"), Stars(BANDS), vetoed={"A"})
    assert result["A"].stars is None and result["A"].veto
    assert result["B"].stars == 1


def test_quota_keeps_the_best_and_drops_the_rest_one_band():
    # 10 rated, 5-star share 0.2 -> at most 2 five-star; A, B keep, C drops to 4
    scores = dict(A="98", B="95", C="91", D="85", E="75", F="70", G="65", H="60", I="50", J="40")
    result = recommend(rated(**scores), Stars(BANDS, {5: Fraction("0.2")}))
    assert [result[k].stars for k in "ABCD"] == [5, 5, 4, 4]
    assert result["C"].capped and result["C"].band_stars == 5


def test_quota_ties_at_the_limit_all_drop():
    scores = dict(A="98", B="95", C="95", D="85", E="75", F="70", G="65", H="60", I="50", J="40")
    result = recommend(rated(**scores), Stars(BANDS, {5: Fraction("0.2")}))
    assert [result[k].stars for k in "ABC"] == [5, 4, 4]


def test_dropped_organizations_meet_the_next_quota_too():
    # 10 rated, shares 0.1 for 5 and 0.2 for 4: five-star keeps A; B, C drop to 4 star
    # alongside D; four-star keeps 2 (B, C), D drops to 3
    scores = dict(A="98", B="95", C="94", D="85", E="75", F="70", G="65", H="60", I="50", J="40")
    result = recommend(rated(**scores), Stars(BANDS, {5: Fraction("0.1"), 4: Fraction("0.2")}))
    assert [result[k].stars for k in "ABCDE"] == [5, 4, 4, 3, 3]


def test_vetoed_organizations_do_not_count_as_rated_for_quotas():
    scores = dict(A="98", B="95", C="40", D="40", E="40", F="40", G="40", H="40", I="40", J="40")
    # with J vetoed, 9 are rated: floor(0.2 * 9) = 1 five-star
    result = recommend(rated(**scores), Stars(BANDS, {5: Fraction("0.2")}), vetoed={"J"})
    assert [result[k].stars for k in "AB"] == [5, 4]
