"""Rulebook section 5: award tiers under ties, `consume` and `extra`."""

import pytest

from domain.rules.awards import assign_awards
from domain.rules.ruleset import AwardTier

TIERS_123 = [AwardTier("first", "一等奖", 1), AwardTier("second", "二等奖", 2), AwardTier("third", "三等奖", 3)]


def ranking(*ranks):
    return [(chr(ord("A") + i), r) for i, r in enumerate(ranks)]


@pytest.mark.parametrize(
    ("ranks", "ties", "expected"),
    [
        # no ties: 1 / 2 / 3
        ((1, 2, 3, 4, 5, 6, 7, 8), "consume", "first second second third third third - -"),
        # second takes B, C; C is tied with D, so D too; the overflow of 1 consumes a third slot
        ((1, 2, 2, 2, 5, 6, 7, 8), "consume", "first second second second third third - -"),
        # under extra the third tier keeps all 3 slots
        ((1, 2, 2, 2, 5, 6, 7, 8), "extra", "first second second second third third third -"),
        # two tied for first: both first, second shrinks to 1
        ((1, 1, 3, 4, 5), "consume", "first first second third third"),
        ((1, 1, 3, 4, 5), "extra", "first first second second third"),
        # tied 4th and 5th both get the tier that takes 4th (the Tabbycat gold case)
        ((1, 2, 3, 4, 4, 6), "consume", "first second second third third third"),
        ((1, 2, 3, 4, 5, 5, 7), "consume", "first second second third third third -"),
        ((1, 2, 3, 4, 5, 5, 7), "extra", "first second second third third third -"),
        # fewer entrants than slots
        ((1, 2), "consume", "first second"),
    ],
)
def test_award_tiers(ranks, ties, expected):
    awards = assign_awards(ranking(*ranks), TIERS_123, ties)
    got = " ".join(awards.get(e, "-") for e, _ in ranking(*ranks))
    assert got == expected


def test_overflow_larger_than_the_next_tier_carries_on():
    tiers = [AwardTier("first", "", 1), AwardTier("second", "", 1), AwardTier("third", "", 3)]
    ranks = ranking(1, 1, 1, 4, 5, 6)
    consume = assign_awards(ranks, tiers, "consume")
    # first takes A and its tied B, C (overflow 2): second loses its 1 slot, third loses 1 of 3
    assert [consume.get(e) for e, _ in ranks] == ["first", "first", "first", "third", "third", None]
    extra = assign_awards(ranks, tiers, "extra")
    assert [extra.get(e) for e, _ in ranks] == ["first", "first", "first", "second", "third", "third"]


def test_no_entrant_gets_two_tiers_and_ties_never_split():
    tiers = [AwardTier("gold", "", 2), AwardTier("silver", "", 2)]
    ranks = ranking(1, 2, 2, 2, 2, 6)
    awards = assign_awards(ranks, tiers, "consume")
    assert [awards.get(e) for e, _ in ranks] == ["gold"] * 5 + [None]
