"""Rulebook section 19: stars from several kinds of evidence (hand-checked exact numbers),
fixed quotas, pools per track, and flags' criteria - pure functions, no store."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from domain.errors import RuleSetInvalid
from domain.rules.flags import FlagEvidence, check, describe
from domain.rules.ruleset import StarBand, Stars, parse_ruleset
from domain.rules.star_evidence import Evidence, parse_honour_level
from domain.rules.stars import Rated, combine, platform_value, recommend, recommend_by_track, with_evidence

F = Fraction
WEIGHTS = {"contest": F("0.7"), "platform": F("0.2"), "honours": F("0.1")}
POINTS = {"national": F(100), "provincial": F(80), "city": F(60), "county": F(40), "township": F(20)}
EVIDENCE = Evidence(WEIGHTS, "灯塔-党建在线", POINTS)
BANDS = (StarBand(5, F(90)), StarBand(4, F(80)), StarBand(3, F(70)), StarBand(1, F(0)))

RULES = """
code = "t"
version = 1
[[criteria]]
code = "c"
max = 100
"""


def stars_of(result):
    return {k: v.stars for k, v in result.items()}


def test_the_rulebook_example_combines_to_84_35():
    # 0.7 x 88.50 + 0.2 x 92 + 0.1 x 40 = 61.95 + 18.40 + 4.00 = 84.35
    score, basis = combine(Decimal("88.50"), F(92), {"county", "township"}, EVIDENCE, 2)
    assert score == Decimal("84.35")
    assert basis["parts"]["contest"] == {"value": "88.5", "weight": "0.7", "share": "61.95"}
    assert basis["parts"]["platform"]["share"] == "18.4"
    assert basis["parts"]["honours"] == {"value": "40", "weight": "0.1", "share": "4", "level": "county"}


def test_honours_count_by_the_highest_level_never_a_sum():
    many_counties, _ = combine(Decimal(0), None, {"county"}, Evidence({"honours": F(1)}, None, POINTS), 2)
    assert many_counties == Decimal("40.00")
    national, _ = combine(Decimal(0), None, {"township", "national"}, Evidence({"honours": F(1)}, None, POINTS), 2)
    assert national == Decimal("100.00")


def test_no_platform_value_counts_as_zero_and_is_marked_missing():
    score, basis = combine(Decimal("90"), None, set(), EVIDENCE, 2)
    assert score == Decimal("63.00")  # 0.7 x 90
    assert basis["parts"]["platform"]["missing"] is True


def test_the_combined_score_is_rounded_half_up_at_the_rules_decimals():
    # 0.7 x 80.05 = 56.035 -> 56.04 (half up), never 56.03 as a float would give
    score, _ = combine(Decimal("80.05"), None, set(), Evidence({"contest": F("0.7"), "platform": F("0.3")},
                                                                "x", {}), 2)
    assert score == Decimal("56.04")


def test_platform_value_takes_the_year_else_the_quarters_mean_else_the_months_mean():
    assert platform_value({"2025": {"A": F(80)}, "2025-Q1": {"A": F(10)}}, "A", "2025") == 80
    quarters = {"2025-Q1": {"A": F(50)}, "2025-Q2": {"A": F(71)}, "2025-05": {"A": F(0)}}
    assert platform_value(quarters, "A", "2025") == F(121, 2)  # exact: 60.5, the months ignored
    months = {"2025-01": {"A": F(90)}, "2025-02": {"A": F(91)}, "2025-03": {"A": F(91)}}
    assert platform_value(months, "A", "2025") == F(272, 3)  # 90.666..., kept exact
    assert platform_value(months, "B", "2025") is None
    assert platform_value({"2024": {"A": F(99)}}, "A", "2025") is None


def test_with_evidence_rates_each_organization_on_its_combined_score():
    rule = Stars(BANDS, evidence=EVIDENCE)
    rated = with_evidence([Rated("A", Decimal("88.50")), Rated("B", Decimal("95.00"))], rule, 2, "2025",
                          {"2025": {"A": F(92), "B": F(50)}}, {"A": {"county"}})
    assert [(r.entrant, str(r.score)) for r in rated] == [("A", "84.35"), ("B", "76.50")]  # B: 66.5 + 10 + 0
    assert stars_of(recommend(rated, rule)) == {"A": 4, "B": 3}


def test_without_evidence_the_contest_score_alone_counts():
    rule = Stars(BANDS)
    rated = [Rated("A", Decimal("88.50"))]
    assert with_evidence(rated, rule, 2, "2025", {"2025": {"A": F(0)}}, {}) == rated


def test_a_fixed_count_limits_a_star_level():
    rated = [Rated(c, Decimal(s)) for c, s in (("A", 95), ("B", 94), ("C", 93), ("D", 85))]
    assert stars_of(recommend(rated, Stars(BANDS, counts={5: 2}))) == {"A": 5, "B": 5, "C": 4, "D": 4}


def test_with_both_a_share_and_a_count_the_smaller_limit_holds():
    rated = [Rated(f"O{i:02d}", Decimal(99 - i)) for i in range(10)]  # 99 .. 90: all reach five stars
    assert sum(1 for s in stars_of(recommend(rated, Stars(BANDS, {5: F("0.5")}, counts={5: 3}))).values()
               if s == 5) == 3  # floor(0.5 x 10) = 5, count 3: 3
    assert sum(1 for s in stars_of(recommend(rated, Stars(BANDS, {5: F("0.2")}, counts={5: 3}))).values()
               if s == 5) == 2  # floor(0.2 x 10) = 2, count 3: 2


def test_a_count_of_zero_leaves_the_level_empty_and_a_tie_at_the_count_drops_whole():
    rated = [Rated("A", Decimal(95)), Rated("B", Decimal(94)), Rated("C", Decimal(94))]
    assert stars_of(recommend(rated, Stars(BANDS, counts={5: 0}))) == {"A": 4, "B": 4, "C": 4}
    assert stars_of(recommend(rated, Stars(BANDS, counts={5: 2}))) == {"A": 5, "B": 4, "C": 4}


def test_quotas_apply_per_track_each_track_a_pool_of_its_own():
    rated = [Rated(c, Decimal(s)) for c, s in (("V1", 98), ("V2", 97), ("C1", 92), ("C2", 91))]
    rule = Stars(BANDS, counts={5: 1})
    one_pool = recommend(rated, rule)
    assert stars_of(one_pool) == {"V1": 5, "V2": 4, "C1": 4, "C2": 4}
    tracks = {"V1": "village", "V2": "village", "C1": "community", "C2": "community"}
    by_track = recommend_by_track(rated, rule, (), tracks)
    assert stars_of(by_track) == {"V1": 5, "V2": 4, "C1": 5, "C2": 4}  # the best of each track keeps five
    assert by_track["C1"].track == "community"
    # the share's denominator is the pool too: floor(0.5 x 2) = 1 per track
    share = recommend_by_track(rated, Stars(BANDS, {5: F("0.5")}), (), tracks)
    assert stars_of(share) == {"V1": 5, "V2": 4, "C1": 5, "C2": 4}
    # organizations without a track form one pool, as before tracks
    assert stars_of(recommend_by_track(rated, rule, (), {})) == stars_of(one_pool)


def test_the_new_keys_change_no_digest_of_a_file_without_them():
    plain = parse_ruleset(RULES + "[stars]\nbands = [{ stars = 5, min = 90 }]\n")
    assert set(plain.canonical_all()["stars"]) == {"model", "bands", "quota", "veto"}
    assert "flags" not in plain.canonical_all()
    rich = parse_ruleset(RULES + """[stars]
bands = [{ stars = 5, min = 90 }]
counts = { 5 = 100 }
evidence = { contest = "0.7", platform = "0.2", honours = "0.1" }
platform_source = "灯塔-党建在线"
honour_points = { national = 100, county = "40.5" }
""")
    assert rich.digest != plain.digest
    assert rich.stars.counts == {5: 100} and rich.stars.evidence.weights == WEIGHTS
    assert rich.canonical_all()["stars"]["honour_points"] == {"county": "40.5", "national": "100"}


@pytest.mark.parametrize("stars, field, words", [
    ('evidence = { contest = "0.7", platform = "0.2" }\nplatform_source = "x"', "stars.evidence", "exactly 1 (they add up to 0.9)"),
    ('evidence = { contest = "0.8", platform = "0.2" }', "stars.platform_source", "is required"),
    ('evidence = { contest = "0.9", honours = "0.1" }', "stars.honour_points", "is required"),
    ('evidence = { contest = "0.9", votes = "0.1" }', "stars.evidence.votes", "unknown kind"),
    ('counts = { 3 = 10 }', "stars.counts.3", "not a star level"),
    ('counts = { 5 = -1 }', "stars.counts.5", "from 0"),
    ('evidence = { contest = 1 }\nhonour_points = { galaxy = 5 }', "stars.honour_points.galaxy", "not an honour level"),
])
def test_bad_evidence_settings_are_refused_naming_the_field(stars, field, words):
    with pytest.raises(RuleSetInvalid) as bad:
        parse_ruleset(RULES + "[stars]\nbands = [{ stars = 5, min = 90 }]\n" + stars + "\n")
    text = str(bad.value)
    assert field in text and words in text, text


FLAGS = RULES + """
[[flags]]
code = "party-building"
name = "党建示范红旗"
criteria = [{ kind = "score", min = 85 }, { kind = "honour", level = "county" }, { kind = "stars", min = 3 },
            { kind = "platform", source = "灯塔-党建在线", min = "90.5" }, { kind = "no_veto" }]
"""


def test_a_flags_criteria_are_checked_one_by_one_against_the_evidence():
    (flag,) = parse_ruleset(FLAGS).flags
    evidence = FlagEvidence(score=F(86), platform={"灯塔-党建在线": F("90.4")},
                            honours=((1, "national", "全国示范村"), (2, "township", "镇先进")), stars=4, vetoes=())
    results = check(flag, evidence)
    assert [(r["kind"], r["met"]) for r in results] == [
        ("score", True), ("honour", True), ("stars", True), ("platform", False), ("no_veto", True)]
    assert results[1]["found"] == [{"number": 1, "level": "national", "name": "全国示范村"}]  # township is below
    assert describe(results[3], "zh") == "灯塔-党建在线 平台分 ≥ 90.5（实际 90.4） ✗ 不满足"
    assert describe(results[0], "en") == "annual score ≥ 85 (found 86): ✓ met"
    vetoed = check(flag, FlagEvidence(score=None, vetoes=("safety_incident",)))
    assert [r["met"] for r in vetoed] == [False, False, False, False, False]
    assert describe(vetoed[4], "zh") == "本周期无一票否决（safety_incident） ✗ 不满足"


@pytest.mark.parametrize("criteria, where", [
    ('[{ kind = "popularity", min = 1 }]', "flags[1].criteria[1].kind"),
    ('[{ kind = "score" }]', "flags[1].criteria[1].min"),
    ('[{ kind = "score", min = 80, level = "county" }]', "flags[1].criteria[1].level"),
    ('[{ kind = "honour", level = "galactic" }]', "flags[1].criteria[1].level"),
    ('[{ kind = "stars", min = 6 }]', "flags[1].criteria[1].min"),
    ('[]', "flags[1].criteria"),
])
def test_bad_flag_criteria_are_refused_naming_where(criteria, where):
    with pytest.raises(RuleSetInvalid) as bad:
        parse_ruleset(RULES + f'[[flags]]\ncode = "f"\nname = "红旗"\ncriteria = {criteria}\n')
    assert where in str(bad.value)


def test_two_flags_with_one_code_are_refused():
    twice = RULES + '[[flags]]\ncode = "f"\nname = "甲"\ncriteria = [{ kind = "no_veto" }]\n' * 2
    with pytest.raises(RuleSetInvalid, match="duplicate flag code"):
        parse_ruleset(twice)


@pytest.mark.parametrize("given, level", [("国家级", "national"), ("全国", "national"), ("省级", "provincial"),
                                          ("盟市级", "city"), ("旗级", "county"), ("County", "county"),
                                          ("街道级", "township")])
def test_honour_levels_read_codes_and_chinese_names(given, level):
    assert parse_honour_level(given) == level
