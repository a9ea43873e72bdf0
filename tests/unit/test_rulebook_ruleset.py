"""Rulebook section 2: the rule-set file is validated, with messages naming the field."""

from fractions import Fraction

import pytest

from domain.errors import RuleSetInvalid
from domain.rules.ruleset import parse_ruleset

FULL = """
code = "township-2025"
version = 1
title = "2025 苏木镇级擂台赛评分规则"
[marks]
decimals = 1
[[criteria]]
code = "party"
name = "基层党建"
max = 30
[[criteria]]
code = "industry"
name = "产业发展"
max = 25
[panel]
method = "trimmed_mean"
trim = 1
trim_on = "total"
min_judges = 3
[[components]]
code = "arena"
source = "panel"
weight = "0.5"
[[components]]
code = "observation"
source = "round"
weight = 0.5
[[components]]
code = "daily"
source = "input"
max = 100
weight = "0"
[adjustments]
max_bonus = 5
max_penalty = 10
[result]
decimals = 2
[ranking]
tie_breakers = ["unrounded", "component:arena", "criterion:party"]
[[awards]]
code = "first"
name = "一等奖"
count = 1
fund = 150000
[award_policy]
ties = "extra"
[promotion]
to_level = "county"
quota = 1
cutoff_ties = "exclude"
min_score = 60
reserves = 1
[standings]
method = "rank_points"
rank_points = [4, 3, 2, 1]
[stars]
model = "bands"
bands = [
  { stars = 5, min = 90 },
  { stars = 4, min = 80 },
  { stars = 1, min = 0 },
]
quota = { 5 = "0.10" }
veto = ["safety_incident", "discipline_violation"]
"""


def test_the_rulebook_example_parses_with_exact_numbers():
    rs = parse_ruleset(FULL)
    assert rs.ref == "township-2025@1"
    assert [c.weight for c in rs.components] == [Fraction(1, 2), Fraction(1, 2), 0]
    assert rs.panel.min_judges == 3 and rs.award_ties == "extra"
    assert rs.promotion.cutoff_ties == "exclude" and rs.promotion.reserves == 1
    assert rs.stars.quota == {5: Fraction(1, 10)}
    assert rs.standings.rank_points == (4, 3, 2, 1)


def test_defaults_are_filled_in():
    rs = parse_ruleset('code = "x"\nversion = 2\n[[criteria]]\ncode = "a"\nmax = 10\n')
    assert (rs.mark_decimals, rs.result_decimals, rs.panel.method, rs.panel.trim,
            rs.panel.trim_on, rs.panel.min_judges, rs.award_ties) == (1, 2, "mean", 1, "total", 1, "consume")
    assert [(c.code, c.source, c.weight) for c in rs.components] == [("arena", "panel", 1)]
    assert (rs.max_bonus, rs.max_penalty, rs.promotion, rs.stars) == (0, 0, None, None)


def test_the_digest_ignores_comments_and_layout():
    a = parse_ruleset('code = "x"\nversion = 1\n[[criteria]]\ncode = "a"\nmax = 10\n')
    b = parse_ruleset('# comment\ncode="x"\nversion=1\n\n[[criteria]]\ncode="a"  # c\nmax=10.0\n')
    assert a.digest == b.digest


def bad(replacement_from, replacement_to):
    assert replacement_from in FULL, replacement_from
    return FULL.replace(replacement_from, replacement_to, 1)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (bad('title = "2025', 'titel = "2025'), "titel"),
        (bad("[panel]\n", "[panel]\nmethd = 1\n"), "panel.methd"),
        (bad('name = "产业发展"', 'name = "产业发展"\nmaxx = 3'), "criteria[2].maxx"),
        (bad("max = 25", "max = 0"), "criteria[2].max"),
        (bad("max = 25", "max = -5"), "criteria[2].max"),
        (bad('code = "industry"', 'code = "party"'), "criteria"),
        (bad('code = "observation"', 'code = "arena"'), "components"),
        (bad("min_judges = 3", "min_judges = 2"), "panel.min_judges"),
        (bad('weight = "0"', 'weight = "-0.1"'), "components[3].weight"),
        (bad('"criterion:party"', '"criterion:partyy"'), "ranking.tie_breakers[3]"),
        (bad('"component:arena"', '"component:stage"'), "ranking.tie_breakers[2]"),
        (bad("count = 1", "count = 0"), "awards[1].count"),
        (bad('quota = { 5 = "0.10" }', 'quota = { 5 = "1.5" }'), "stars.quota.5"),
        (bad("{ stars = 4, min = 80 }", "{ stars = 4, min = 95 }"), "stars.bands"),
        (bad('code = "township-2025"', 'code = "Township_2025"'), "code"),
        (bad("version = 1", "version = 0"), "version"),
        (bad('method = "trimmed_mean"', 'method = "olympic"'), "panel.method"),
        (bad('ties = "extra"', 'ties = "share"'), "award_policy.ties"),
        (bad('cutoff_ties = "exclude"', 'cutoff_ties = "random"'), "promotion.cutoff_ties"),
        (bad('source = "round"', 'source = "magic"'), "components[2].source"),
        (bad("decimals = 2", "decimals = 1.5"), "result.decimals"),
        (bad('veto = ["safety_incident", "discipline_violation"]', 'veto = "safety_incident"'), "stars.veto"),
        (bad('veto = ["safety_incident", "discipline_violation"]', 'veto = ["安全事故"]'), "stars.veto"),
        (bad('veto = ["safety_incident", "discipline_violation"]', 'veto = ["Safety"]'), "stars.veto"),
        (bad('veto = ["safety_incident", "discipline_violation"]', f'veto = ["{"x" * 65}"]'), "stars.veto"),
        (bad('veto = ["safety_incident", "discipline_violation"]', f"veto = {[f'v{i}' for i in range(51)]}"),
         "stars.veto"),
    ],
)
def test_a_broken_rule_set_is_refused_naming_the_field(text, field):
    with pytest.raises(RuleSetInvalid) as caught:
        parse_ruleset(text, "rules/t.toml")
    assert field in caught.value.fields["problems"], caught.value.message("en")
    assert field in caught.value.message("zh")


def test_the_veto_list_is_a_list_of_item_codes_that_counts_in_the_digest():
    """docs/rules.md §2.1 and §9.1: `[stars].veto` lists the veto items a level recognises
    (codes, at most 50, may be empty); it is part of the rule set and so of its digest."""
    full = parse_ruleset(FULL)
    assert full.stars.veto == ("safety_incident", "discipline_violation")
    empty = parse_ruleset(bad('veto = ["safety_incident", "discipline_violation"]', "veto = []"))
    omitted = parse_ruleset(bad('veto = ["safety_incident", "discipline_violation"]', ""))
    assert empty.stars.veto == omitted.stars.veto == () and empty.digest == omitted.digest != full.digest
    assert parse_ruleset(bad('veto = ["safety_incident", "discipline_violation"]',
                             f"veto = {[f'v{i}' for i in range(50)]}")).stars.veto[-1] == "v49"


def test_trimmed_mean_with_default_min_judges_is_refused():
    text = 'code = "x"\nversion = 1\n[[criteria]]\ncode = "a"\nmax = 10\n[panel]\nmethod = "trimmed_mean"\n'
    with pytest.raises(RuleSetInvalid, match="min_judges"):
        parse_ruleset(text)


def test_every_problem_is_reported_at_once():
    text = 'code = "X"\n[[criteria]]\ncode = "a"\nmax = 0\n'
    with pytest.raises(RuleSetInvalid) as caught:
        parse_ruleset(text)
    assert caught.value.fields["problems"] == ["code", "version", "criteria[1].max"]


def test_missing_criteria_is_refused():
    with pytest.raises(RuleSetInvalid, match="criteria"):
        parse_ruleset('code = "x"\nversion = 1\n')


def test_invalid_toml_is_refused_with_the_parser_message():
    with pytest.raises(RuleSetInvalid, match="TOML"):
        parse_ruleset('code = "x\n')
