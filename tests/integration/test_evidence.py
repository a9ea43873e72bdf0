"""Honours, platform data, stars from several kinds of evidence, and flags (rulebook section 19),
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from domain import errors
from domain.services.setup import RoundSpec
from domain.model.base import Actor
from tests.conftest import ADMIN, event_count
from tests.scenario import RULES, judge, small_contest

REVIEWER = Actor("admin-2", "admin")  # a second admin: four eyes on an award

EVIDENCE = '''
[stars]
bands = [{ stars = 5, min = 45 }, { stars = 4, min = 35 }, { stars = 1, min = 0 }]
evidence = { contest = "0.5", platform = "0.3", honours = "0.2" }
platform_source = "灯塔-党建在线"
honour_points = { national = 100, county = 40, township = 20 }

[[flags]]
code = "party-building"
name = "党建示范红旗"
criteria = [{ kind = "score", min = 38 }, { kind = "honour", level = "county" }, { kind = "no_veto" }]

[[flags]]
code = "prosperity"
name = "脱贫致富红旗"
criteria = [{ kind = "platform", source = "灯塔-党建在线", min = 65 }]
'''
SOURCE = "灯塔-党建在线"


@pytest.fixture
def rated(app, clock):
    """Two finalized monthly rounds in T1 under rules with evidence and flags: O1 averages
    40.00, O2 34.00 (as in test_certification)."""
    small_contest(app)
    app.register_ruleset(RULES.replace("version = 1", "version = 2") + EVIDENCE, "town2.toml", ADMIN)
    app.schedule_round("c", RoundSpec("R2", "township", "T1", "2025-06", "town@2", judges=("J1", "J2", "J3")),
                       ADMIN)
    app.open_round("R2", ADMIN)
    for rnd, marks in (("R1", {"O1": ("25", "15"), "O2": ("20", "12")}),
                       ("R2", {"O1": ("25", "15"), "O2": ("22", "14")})):
        for entrant, (p, i) in marks.items():
            for code in ("J1", "J2", "J3"):
                app.submit_sheet(rnd, code, entrant, {"party": p, "industry": i}, judge(code))
        app.close_round(rnd, ADMIN)
        app.publish(rnd, ADMIN, on=date(2025, 6, 3))
    clock.set("2025-06-20T09:00")
    for rnd in ("R1", "R2"):
        app.finalize(rnd, ADMIN)
    return app


def csv(*rows: str) -> bytes:
    return ("organization,value\n" + "\n".join(rows) + "\n").encode()


def test_an_honour_is_recorded_with_its_level_and_withdrawn_with_a_reason(rated):
    assert rated.record_honour("O1", "全国乡村治理示范村", "国家级", "2025-05-01", "农业农村部", ADMIN) == 1
    assert rated.record_honour("O1", "县级先进基层党组织", "county", "2025-03-10", "中共某县委", ADMIN) == 2
    rated.withdraw_honour("O1", 1, "登记有误：该荣誉授予的是邻村", ADMIN)
    org = rated.read(lambda s: s.organization("O1"))
    assert [(h["number"], h["level"], h["withdrawn"] is not None) for h in org.honours] == [
        (1, "national", True), (2, "county", False)]
    assert [h["number"] for h in org.honours_in("2025")] == [2]


def test_an_honour_with_a_bad_date_a_future_date_or_an_unknown_level_is_refused(rated):
    rated.record_honour("O1", "县级先进基层党组织", "county", "2025-03-10", "中共某县委", ADMIN)
    before = event_count(rated)
    with pytest.raises(errors.InvalidValue) as bad:
        rated.record_honour("O1", "先进村", "county", "2025/05/01", "某县委", ADMIN)
    assert bad.value.fields["field"] == "date" and "2025/05/01" in bad.value.message("zh")
    with pytest.raises(errors.InvalidValue, match="after today"):
        rated.record_honour("O1", "先进村", "county", "2025-12-01", "某县委", ADMIN)
    with pytest.raises(errors.InvalidValue, match="before 2000"):
        rated.record_honour("O1", "先进村", "county", "0025-03-10", "某县委", ADMIN)
    with pytest.raises(errors.InvalidValue) as level:
        rated.record_honour("O1", "先进村", "宇宙级", "2025-05-01", "某县委", ADMIN)
    assert "national" in level.value.message("en")
    with pytest.raises(errors.ReasonRequired):
        rated.withdraw_honour("O1", 1, "", ADMIN)
    assert event_count(rated) == before


def test_platform_data_is_imported_and_a_second_import_replaces_it_with_a_reason(rated):
    first = rated.import_platform("c", "2025", SOURCE, csv("O1,60", "O2,55.5"), "dengta.csv", ADMIN)
    assert first["step"] == "imported" and first["rows"] == 2
    with pytest.raises(errors.ReasonRequired):
        rated.import_platform("c", "2025", SOURCE, csv("O1,61", "O2,55.5"), "dengta.csv", ADMIN)
    again = rated.import_platform("c", "2025", SOURCE, csv("O1,60", "O2,55.5"), "dengta.csv", ADMIN)
    assert again["step"] == "unchanged"
    second = rated.import_platform("c", "2025", SOURCE, csv("O1,61", "O2,55.5"), "dengta-v2.csv", ADMIN,
                                   reason="平台更正了 O1 的第四季度数据")
    assert second["step"] == "replaced"
    data = rated.read(lambda s: s.platform_data("c", SOURCE, "2025"))
    assert data.values == {"O1": "61", "O2": "55.5"}
    assert [h["step"] for h in data.history] == ["imported", "replaced"]


@pytest.mark.parametrize("rows, where", [
    (("O1,60", "O9,50"), "row 3, column organization"),
    (("O1,60", "O1,50"), "row 3, column organization"),
    (("O1,sixty",), "row 2, column value"),
    (("O1,-1",), "row 2, column value"),
])
def test_a_bad_platform_file_names_its_row_and_records_nothing(rated, rows, where):
    before = event_count(rated)
    with pytest.raises(errors.ImportRowError) as bad:
        rated.import_platform("c", "2025", SOURCE, csv(*rows), "dengta.csv", ADMIN)
    assert where in bad.value.message("en")
    assert event_count(rated) == before


def test_the_recommendation_combines_the_contest_score_platform_data_and_honours(rated):
    rated.import_platform("c", "2025-Q1", SOURCE, csv("O1,60", "O2,50"), "q1.csv", ADMIN)
    rated.import_platform("c", "2025-Q2", SOURCE, csv("O1,60", "O2,70"), "q2.csv", ADMIN)
    rated.record_honour("O1", "县级先进基层党组织", "county", "2025-03-10", "中共某县委", ADMIN)
    rated.record_honour("O1", "镇级五好党支部", "township", "2025-04-10", "某镇党委", ADMIN)
    recs = rated.read(lambda s: s.star_recommendations("c", "township", "2025"))
    # O1: 0.5 x 40 + 0.3 x 60 + 0.2 x 40 (the highest honour, county; not 40 + 20) = 46 -> 5 stars
    # O2: 0.5 x 34 + 0.3 x mean(50, 70) + 0.2 x 0 = 35 -> 4 stars
    assert (str(recs["O1"].score), recs["O1"].stars) == ("46.00", 5)
    assert (str(recs["O2"].score), recs["O2"].stars) == ("35.00", 4)
    assert recs["O1"].basis["parts"]["honours"] == {"value": "40", "weight": "0.2", "share": "8", "level": "county"}
    basis = rated.evaluate_initially("c", "O1", "township", "2025", ADMIN)
    assert basis["stars"] == 5 and basis["evidence"]["combined"] == "46.00"
    cert = rated.read(lambda s: s.certification("O1", "township", "2025"))
    assert cert.computed["evidence"]["parts"]["platform"]["value"] == "60"


def test_a_flag_goes_from_nomination_through_assessment_to_award_and_revocation(rated):
    rated.record_honour("O1", "县级先进基层党组织", "county", "2025-03-10", "中共某县委", ADMIN)
    rated.nominate_flag("c", "O1", "party-building", "2025", ADMIN)
    results = rated.assess_flag("O1", "party-building", "2025", ADMIN)
    assert [(r["kind"], r["met"]) for r in results] == [("score", True), ("honour", True), ("no_veto", True)]
    assert results[0]["found"] == "40"
    rated.award_flag("O1", "party-building", "2025", REVIEWER)
    rated.revoke_flag("O1", "party-building", "2025", "年中督查发现党建台账弄虚作假", ADMIN)
    flag = rated.read(lambda s: s.flag("O1", "party-building", "2025"))
    assert flag.state == "revoked"
    assert [h["step"] for h in flag.history] == ["nominated", "assessed", "awarded", "revoked"]


def test_a_township_admin_cannot_nominate_under_rules_of_its_own_nor_another_contest_touch_the_flag(rated):
    """A township admin may nominate under the contest's own rules of the cycle, not under a
    rule set it registered itself (a flag whose only criterion is no veto); an admin of another
    contest whose township has the same code may not revoke the flag."""
    from domain.access import Principal
    from domain.errors import OutOfScope
    from domain.model.account import Grant
    from domain.model.base import Actor

    town1, by = Principal("town1", (Grant("admin", contest="c", unit="T1"),)), Actor("town1", "admin")
    lax = RULES.replace('code = "town"', 'code = "mine"') + (
        '\n[[flags]]\ncode = "party-building"\nname = "党建示范红旗"\ncriteria = [{ kind = "no_veto" }]\n')
    rated.execute(lambda s: s.register_ruleset(lax, "mine.toml", by), principal=town1)
    before = rated.recorder.max_notification_id()
    with pytest.raises(OutOfScope):
        rated.execute(lambda s: s.nominate_flag("c", "O1", "party-building", "2025", by, None, "mine"),
                      principal=town1)
    assert rated.recorder.max_notification_id() == before
    rated.execute(lambda s: s.nominate_flag("c", "O1", "party-building", "2025", by), principal=town1)
    assert rated.read(lambda s: s.flag("O1", "party-building", "2025").rules["code"]) == "town"
    rated.create_contest("d", "另一活动", ["township", "county"], ADMIN)
    rated.add_unit("d", "C", "某县", "county", None, ADMIN)
    rated.add_unit("d", "T1", "一镇", "township", "C", ADMIN)
    other = Principal("d-t1", (Grant("admin", contest="d", unit="T1"),))
    with pytest.raises(OutOfScope):
        rated.execute(lambda s: s.decline_flag("O1", "party-building", "2025", "另一活动的管理员", Actor("d-t1", "admin")),
                      principal=other)
    rated.run(lambda s: s.contest("d").enroll("O1", "T1", ADMIN))
    with pytest.raises(errors.InvalidValue, match="contest c, not d"):  # one flag per organization, flag and cycle
        rated.run(lambda s: s.nominate_flag("d", "O1", "party-building", "2025", ADMIN, None, "town@2"))


def test_an_admin_of_another_contest_cannot_claim_an_organization_its_honours_or_its_details(rated):
    """Unit codes are a contest's own: contest d's township T1 is not contest c's.  d's admins may
    neither record or withdraw an honour of c's O1, nor enroll O1 in d (and so rename it, replace its
    secretary or nominate it for a flag there) - the review's holes 3 and 4."""
    from domain.access import Principal
    from domain.errors import OutOfScope
    from domain.model.account import Grant

    rated.record_honour("O1", "县级先进基层党组织", "county", "2025-03-10", "中共某县委", ADMIN)
    rated.create_contest("d", "另一活动", ["township", "county"], ADMIN)
    rated.add_unit("d", "C", "某县", "county", None, ADMIN)
    rated.add_unit("d", "T1", "一镇", "township", "C", ADMIN)
    d_town, d_all = (Principal("d-t1", (Grant("admin", contest="d", unit="T1"),)),
                     Principal("d-admin", (Grant("admin", contest="d"),)))
    by = Actor("d-admin", "admin")
    before = event_count(rated)
    for who in (d_town, d_all):
        with pytest.raises(OutOfScope):
            rated.execute(lambda s: s.record_honour("O1", "全国先进基层党组织", "national", "2025-05-01", "冒名", by),
                          principal=who)
        with pytest.raises(OutOfScope):
            rated.execute(lambda s: s.withdraw_honour("O1", 1, "另一活动撤销", by), principal=who)
        with pytest.raises(OutOfScope):  # enrolling c's O1 in d, renamed: as an organizations.csv upload does
            rated.execute(lambda s: s.register_organization("d", "O1", "被改名村", "T1", "village", "", "假书记", by),
                          principal=who)
        with pytest.raises(OutOfScope):
            rated.execute(lambda s: s.register_organization("d", "O1", "村O1", "T1", "village", "", "书记O1", by),
                          principal=who)  # even unchanged: enrolling it is claiming it
    assert event_count(rated) == before
    assert rated.read(lambda s: s.organization("O1").name) == "村O1"
    # an admin over O1 where it is enrolled may enroll it in another contest of its own
    both = Principal("c-and-d", (Grant("admin", contest="c"), Grant("admin", contest="d")))
    rated.execute(lambda s: s.register_organization("d", "O1", "村O1", "T1", "village", "", "书记O1",
                                                    Actor("c-and-d", "admin")), principal=both)
    assert "O1" in rated.read(lambda s: s.contest("d").roster)
    # and a brand-new organization of d's own is d's to register
    rated.execute(lambda s: s.register_organization("d", "D9", "新村", "T1", "village", "", "书记D9", by),
                  principal=d_all)


def test_a_township_admin_schedules_its_rounds_only_under_rules_the_contest_already_uses(rated):
    """The review's hole 2: a township registering lax rules (a flag on no_veto alone, no ladder)
    and scheduling the last round of the cycle under them would choose its own flags, classes
    and consequences.  Below the whole contest a round follows rules the contest uses already."""
    from domain.access import Principal
    from domain.errors import OutOfScope
    from domain.model.account import Grant

    town1, by = Principal("town1", (Grant("admin", contest="c", unit="T1"),)), Actor("town1", "admin")
    lax = RULES.replace('code = "town"', 'code = "lax"') + (
        '\n[[flags]]\ncode = "party-building"\nname = "党建示范红旗"\ncriteria = [{ kind = "no_veto" }]\n')
    rated.execute(lambda s: s.register_ruleset(lax, "lax.toml", by), principal=town1)  # anyone may register
    before = event_count(rated)
    with pytest.raises(OutOfScope):
        rated.execute(lambda s: s.schedule_round("c", RoundSpec("ZZ", "township", "T1", "2025-07", "lax"), by),
                      principal=town1)
    with pytest.raises(OutOfScope):  # nor put its open round under them
        rated.execute(lambda s: s.schedule_round("c", RoundSpec("ZY", "township", "T1", "2025-07", "town@2"), by)
                      and s.round("ZY").assign_rules(s.rules_ref("lax"), s.rules(s.rules_ref("lax")), "宽松", by),
                      principal=town1)
    assert event_count(rated) == before
    # under the rules the contest's rounds follow, the township schedules its own round
    rated.execute(lambda s: s.schedule_round("c", RoundSpec("ZX", "township", "T1", "2025-07", "town@2"), by),
                  principal=town1)
    # the contest's organizers may bring in the new rules; then the township may use them
    rated.execute(lambda s: s.schedule_round("c", RoundSpec("ZW", "township", "T2", "2025-07", "lax"), ADMIN))
    rated.execute(lambda s: s.schedule_round("c", RoundSpec("ZZ", "township", "T1", "2025-07", "lax"), by),
                  principal=town1)


def test_a_flag_decided_without_its_criteria_is_refused(rated):
    rated.nominate_flag("c", "O2", "party-building", "2025", ADMIN)
    before = event_count(rated)
    with pytest.raises(errors.FlagCriteriaNotMet, match="not assessed"):
        rated.award_flag("O2", "party-building", "2025", ADMIN)
    results = rated.assess_flag("O2", "party-building", "2025", ADMIN)
    assert [r["met"] for r in results] == [False, False, True]  # 34 < 38; no honour
    with pytest.raises(errors.FlagCriteriaNotMet) as unmet:
        rated.award_flag("O2", "party-building", "2025", REVIEWER)
    assert "年度得分 ≥ 38（实际 34）" in unmet.value.message("zh")
    assert event_count(rated) == before + 1  # the assessment only
    with pytest.raises(errors.FlagStateError):
        rated.revoke_flag("O2", "party-building", "2025", "未授予的不能撤销", ADMIN)
    rated.decline_flag("O2", "party-building", "2025", "条件不满足", ADMIN)
    with pytest.raises(errors.FlagStateError):
        rated.assess_flag("O2", "party-building", "2025", ADMIN)


def test_the_account_that_assessed_a_flag_does_not_award_it(rated):
    """Four eyes (rulebook 19.4): one admin records the evidence and assesses, another awards."""
    rated.record_honour("O1", "县级先进基层党组织", "county", "2025-03-10", "中共某县委", ADMIN)
    rated.nominate_flag("c", "O1", "party-building", "2025", ADMIN)
    rated.assess_flag("O1", "party-building", "2025", ADMIN)
    before = event_count(rated)
    with pytest.raises(errors.FlagNeedsSecondPerson) as refused:
        rated.award_flag("O1", "party-building", "2025", ADMIN)
    assert ADMIN.id in refused.value.message("zh") and "another admin" in refused.value.message("en").lower()
    assert event_count(rated) == before
    rated.award_flag("O1", "party-building", "2025", REVIEWER)
    assert rated.read(lambda s: s.flag("O1", "party-building", "2025")).state == "awarded"


def test_the_account_that_recorded_the_honour_a_flag_rests_on_does_not_award_it(rated):
    """The review's hole 8: town1 records the honour, the county assesses, town1 may not award."""
    clerk = Actor("town1", "admin")
    rated.record_honour("O1", "县级先进基层党组织", "county", "2025-03-10", "中共某县委", clerk)
    rated.nominate_flag("c", "O1", "party-building", "2025", clerk)
    rated.assess_flag("O1", "party-building", "2025", REVIEWER)
    before = event_count(rated)
    with pytest.raises(errors.FlagNeedsSecondPerson) as refused:
        rated.award_flag("O1", "party-building", "2025", clerk)
    assert "荣誉" in refused.value.message("zh") and "honour" in refused.value.message("en")
    assert event_count(rated) == before
    rated.award_flag("O1", "party-building", "2025", ADMIN)  # neither assessed it nor recorded its evidence


def test_an_award_stands_on_the_evidence_assessed_not_on_evidence_changed_since(rated):
    rated.record_honour("O1", "县级先进基层党组织", "county", "2025-03-10", "中共某县委", ADMIN)
    rated.nominate_flag("c", "O1", "party-building", "2025", ADMIN)
    assert all(r["met"] for r in rated.assess_flag("O1", "party-building", "2025", ADMIN))
    rated.withdraw_honour("O1", 1, "登记有误：该荣誉属于邻村", ADMIN)  # the honour the assessment relied on
    before = event_count(rated)
    with pytest.raises(errors.FlagCriteriaNotMet) as refused:
        rated.award_flag("O1", "party-building", "2025", REVIEWER)
    assert "核验之后" in refused.value.message("zh") and "changed since" in refused.value.message("en")
    assert event_count(rated) == before
    results = rated.assess_flag("O1", "party-building", "2025", REVIEWER)  # assessed again: no honour now
    assert [r["met"] for r in results] == [True, False, True]
    with pytest.raises(errors.FlagCriteriaNotMet, match="criteria not met|not met"):
        rated.award_flag("O1", "party-building", "2025", ADMIN)


def test_a_flag_on_platform_data_and_a_veto_are_checked_against_the_recorded_evidence(rated):
    rated.nominate_flag("c", "O1", "prosperity", "2025", ADMIN)
    assert rated.assess_flag("O1", "prosperity", "2025", ADMIN)[0]["met"] is False  # no data yet
    rated.import_platform("c", "2025", SOURCE, csv("O1,66"), "y.csv", ADMIN)
    assert rated.assess_flag("O1", "prosperity", "2025", ADMIN)[0]["found"] == "66"
    rated.award_flag("O1", "prosperity", "2025", REVIEWER)
    rated.nominate_flag("c", "O1", "party-building", "2025", ADMIN)
    rated.record_veto("O1", "township", "2025", "safety_incident", "发生安全事故", ADMIN)
    results = rated.assess_flag("O1", "party-building", "2025", ADMIN)
    assert results[2] == {"kind": "no_veto", "found": ["safety_incident"], "met": False}


def test_an_unknown_flag_or_an_organization_outside_the_contest_is_refused(rated):
    with pytest.raises(errors.InvalidValue, match="not a flag"):
        rated.nominate_flag("c", "O1", "culture", "2025", ADMIN)
    with pytest.raises(errors.FlagNotFound):
        rated.assess_flag("O1", "prosperity", "2025", ADMIN)


def project(app):
    from projections.queries import ReadModels
    from projections.runner import Projector

    projector = Projector(app.store)
    projector.load()
    projector.catch_up()
    projector.close()
    return ReadModels(app.store)


def test_the_read_models_show_honours_platform_data_flags_and_the_basis_of_the_stars(rated):
    from projections import evidence

    rated.import_platform("c", "2025", SOURCE, csv("O1,60", "O2,60"), "y.csv", ADMIN)
    rated.record_honour("O1", "县级先进基层党组织", "county", "2025-03-10", "中共某县委", ADMIN)
    rated.record_honour("O1", "错登的荣誉", "township", "2025-03-11", "某镇党委", ADMIN)
    rated.withdraw_honour("O1", 2, "登记有误", ADMIN)
    rated.nominate_flag("c", "O1", "party-building", "2025", ADMIN)
    rated.assess_flag("O1", "party-building", "2025", ADMIN)
    rated.award_flag("O1", "party-building", "2025", REVIEWER)
    read = project(rated)
    try:
        assert [(h["number"], h["level_zh"], h["withdrawn"]) for h in evidence.honours(read, "O1")] == [
            (1, "县级", None), (2, "乡镇级", "登记有误")]
        assert [(r["organization"], r["value"]) for r in evidence.platform_data(read, "c", "2025", SOURCE)] == [
            ("O1", "60"), ("O2", "60")]
        (flag,) = evidence.flags(read, "c", "2025")
        assert (flag["organization"], flag["name"], flag["state_zh"], flag["met"]) == ("O1", "党建示范红旗", "已授予", True)
        rows = {r["organization"]: r for r in read.certifications("c", "township", "2025")}
        assert (rows["O1"]["computed_stars"], evidence.basis(rows["O1"])["score"]) == (5, "46.00")
        # a honour recorded later changes the recommendation the read side shows
        rated.record_honour("O2", "全国先进基层党组织", "national", "2025-06-01", "中共中央组织部", ADMIN)
        read.close()
        read = project(rated)
        rows = {r["organization"]: r for r in read.certifications("c", "township", "2025")}
        assert evidence.basis(rows["O2"])["score"] == "55.00"  # 17 + 18 + 0.2 x 100
        assert rows["O2"]["computed_stars"] == 5
    finally:
        read.close()


def test_replay_reports_what_another_rule_set_would_change_in_the_stars_and_the_flags(rated, store_url):
    from domain.rules.ruleset import parse_ruleset
    from domain.services.store import parse_url
    from projections.replay import Selection, replay
    from projections.source import EventSource
    from projections.verify import fold_store

    rated.import_platform("c", "2025", SOURCE, csv("O1,60", "O2,60"), "y.csv", ADMIN)
    rated.record_honour("O1", "县级先进基层党组织", "county", "2025-03-10", "中共某县委", ADMIN)
    rated.nominate_flag("c", "O1", "party-building", "2025", ADMIN)
    rated.assess_flag("O1", "party-building", "2025", ADMIN)
    source = EventSource(parse_url(store_url))
    try:
        folder = fold_store(source)
    finally:
        source.close()
    # version 3: the contest score alone decides the stars, and the flag wants a score of 41
    new = (RULES.replace("version = 1", "version = 3") + EVIDENCE).replace(
        'evidence = { contest = "0.5", platform = "0.3", honours = "0.2" }', 'evidence = { contest = "1" }').replace(
        '{ kind = "score", min = 38 }', '{ kind = "score", min = 41 }')
    report = replay(folder, parse_ruleset(new), Selection(contest="c"))
    (stars,) = report["stars"]
    assert {c["organization"]: c["stars"] for c in stars["changes"]} == {"O1": [5, 4], "O2": [4, 1]}  # 46 -> 40, 35 -> 34
    (flag,) = report["flags"]
    assert (flag["organization"], flag["flag"], flag["met"]) == ("O1", "party-building", [True, False])
    assert flag["after"][0] == {"kind": "score", "min": "41", "found": "40", "met": False}
    assert report["summary"]["flags_changed"] == 1
