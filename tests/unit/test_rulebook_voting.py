"""Rulebook section 18: the [voting] section and the exact count of a voting round."""

from fractions import Fraction

import pytest

from domain.errors import RuleSetInvalid
from domain.rules.ruleset import parse_ruleset
from domain.rules.voting import Ballot, CannotCount, ballots_digest, count, feed

BASE = """
code = "vote-test"
version = 1
[[criteria]]
code = "party"
max = 10
[[components]]
code = "votes"
source = "votes"
max = 100
"""

VOTING = """
[voting]
component = "votes"
choices = 3
[[voting.groups]]
code = "party"
name = "党员代表"
weight = "0.4"
[[voting.groups]]
code = "people"
name = "群众代表"
weight = "0.4"
[[voting.groups]]
code = "cadres"
name = "镇村干部"
weight = "0.2"
[[voting.rounds]]
carry = 2
[[voting.rounds]]
"""


def voting(text: str = VOTING):
    return parse_ruleset(BASE + text).voting


def refused(text: str) -> str:
    with pytest.raises(RuleSetInvalid) as caught:
        parse_ruleset(BASE + text)
    return str(caught.value)


def ballots(*rows: tuple[str, str, str]) -> list[Ballot]:
    return [Ballot(b, g, tuple(c for c in choices.split(",") if c)) for b, g, choices in rows]


def test_the_voting_section_is_read_with_exact_weights_and_carry_per_round():
    v = voting()
    assert [(g.code, g.name, g.weight) for g in v.groups] == [
        ("party", "党员代表", Fraction(2, 5)), ("people", "群众代表", Fraction(2, 5)), ("cadres", "镇村干部", Fraction(1, 5))]
    assert v.choices == 3 and v.rounds == 2 and v.carry == (2, None) and v.component == "votes"


def test_a_file_without_voting_keeps_its_digest_and_one_with_it_changes_it():
    plain = parse_ruleset(BASE)
    assert plain.voting is None and "voting" not in plain.canonical_all()
    assert parse_ruleset(BASE + VOTING).digest != plain.digest


def test_weights_that_do_not_add_up_to_one_are_refused_naming_the_sum():
    message = refused(VOTING.replace('weight = "0.2"', 'weight = "0.3"'))
    assert "voting.groups" in message and "1.1" in message


def test_the_component_must_be_a_votes_component():
    assert "no component \"arena\"" in refused(VOTING.replace('component = "votes"', 'component = "arena"'))
    text = BASE.replace('source = "votes"\nmax = 100', 'source = "input"\nmax = 100') + VOTING
    with pytest.raises(RuleSetInvalid) as caught:
        parse_ruleset(text)
    assert "not \"votes\"" in str(caught.value)


def test_carry_is_required_before_the_last_round_and_refused_on_it():
    assert "voting.rounds[1].carry" in refused(VOTING.replace("carry = 2\n", ""))
    assert "voting.rounds[2].carry" in refused(VOTING + "carry = 1\n")
    assert "choices" in refused(VOTING.replace("choices = 3", "choices = 51"))


def test_the_worked_example_of_the_rulebook_counts_exactly():
    v = voting()
    cast = ([(f"P{i}", "party", "A" if i < 6 else "B") for i in range(10)]
            + [(f"Q{i}", "people", "A" if i < 5 else "B") for i in range(20)]
            + [(f"C{i}", "cadres", "A,B") for i in range(5)])
    tally = count(v, 1, ["A", "B", "C"], ballots(*cast))
    by = {e["entrant"]: e for e in tally["entries"]}
    assert Fraction(by["A"]["weighted"]) == Fraction(27, 50)  # 0.4×6/10 + 0.4×5/20 + 0.2×5/5
    assert Fraction(by["B"]["weighted"]) == Fraction(2, 5) * Fraction(4, 10) + Fraction(2, 5) * Fraction(15, 20) \
        + Fraction(1, 5)
    assert by["A"]["by_group"] == {"party": 6, "people": 5, "cadres": 5} and by["A"]["ballots"] == 16


def test_a_group_that_cast_no_ballot_gives_its_weight_to_the_others_in_proportion():
    v = voting()
    cast = ([(f"P{i}", "party", "A" if i < 6 else "B") for i in range(10)]
            + [(f"Q{i}", "people", "A" if i < 5 else "B") for i in range(20)])
    tally = count(v, 1, ["A", "B"], ballots(*cast))
    a = next(e for e in tally["entries"] if e["entrant"] == "A")
    assert Fraction(a["weighted"]) == Fraction(17, 40)  # (0.24 + 0.1) / 0.8 = 0.425
    assert [g["effective_weight"] for g in tally["groups"]] == ["0.5", "0.5", "0"]


def test_no_ballot_in_any_group_cannot_be_counted():
    with pytest.raises(CannotCount):
        count(voting(), 1, ["A", "B"], [])


def test_a_tie_at_the_edge_carries_the_whole_tie_group():
    v = voting()  # carry = 2
    cast = ballots(("1", "party", "A,B"), ("2", "party", "C,A"), ("3", "party", "B,C"), ("4", "party", "D"))
    tally = count(v, 1, ["A", "B", "C", "D"], cast)
    assert tally["carried"] == ["A", "B", "C"]  # A, B, C each 2/4: all tied at rank 1
    assert {e["entrant"]: e["rank"] for e in tally["entries"]} == {"A": 1, "B": 1, "C": 1, "D": 4}
    assert [e["tied"] for e in tally["entries"]][:3] == [True, True, True]


def test_ties_on_the_weighted_tally_are_shown_by_more_ballots_then_by_code():
    v = voting()
    cast = ballots(("1", "party", "A"), ("2", "party", "B"), ("3", "people", "B"), ("4", "people", "A"),
                   ("5", "people", "A"), ("6", "people", "B"))
    tally = count(v, 1, ["B", "A"], cast)
    assert [e["entrant"] for e in tally["entries"]] == ["A", "B"]  # equal W and ballots: by code
    assert tally["entries"][0]["rank"] == tally["entries"][1]["rank"] == 1


def test_the_last_round_feeds_whole_vote_counts_in_the_ratios_of_the_tallies():
    v = voting()
    cast = ([(f"P{i}", "party", "A" if i < 6 else "B") for i in range(10)]
            + [(f"Q{i}", "people", "A" if i < 5 else "B") for i in range(20)]
            + [(f"C{i}", "cadres", "A,B") for i in range(5)])
    tally = count(v, 2, ["A", "B"], ballots(*cast))
    assert tally["last"] and tally["carried"] == []
    fed = tally["feed"]
    assert Fraction(fed["A"], fed["B"]) == Fraction(27, 50) / (Fraction(4, 25) + Fraction(3, 10) + Fraction(1, 5))
    assert all(isinstance(x, int) for x in fed.values())
    assert feed({"A": Fraction(1, 3), "B": Fraction(1, 2)}) == {"A": 2, "B": 3}


def test_blank_ballots_count_as_valid_ballots_of_their_group():
    tally = count(voting(), 1, ["A", "B"], ballots(("1", "party", "A"), ("2", "party", "")))
    a = next(e for e in tally["entries"] if e["entrant"] == "A")
    assert Fraction(a["weighted"]) == Fraction(1, 2) and tally["valid"] == 2


def test_the_digest_names_the_ballots_counted_whatever_their_order():
    one = ballots(("1", "party", "A,B"), ("2", "people", "B"))
    assert ballots_digest(one) == ballots_digest(list(reversed(ballots(("1", "party", "B,A"), ("2", "people", "B")))))
    assert ballots_digest(one) != ballots_digest(ballots(("1", "party", "A"), ("2", "people", "B")))
