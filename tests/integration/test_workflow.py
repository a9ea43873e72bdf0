"""The workflow after closing, as an organizer meets it: publication dates, republication,
objections and the remedies of an upheld one, and corrections that change nothing."""

from __future__ import annotations

from datetime import date

import pytest

from domain import errors
from domain.services.publicity import Correction
from tests.conftest import ADMIN, event_count
from tests.scenario import judge, score_all, small_contest


@pytest.fixture
def closed(app, clock):
    """R1 scored and closed on 2025-05-20 (the clock's day)."""
    small_contest(app)
    score_all(app)
    app.close_round("R1", ADMIN)
    return app


def refused(app, error_type, command):
    before = event_count(app)
    with pytest.raises(error_type) as caught:
        command()
    assert event_count(app) == before, "a refused command recorded events"
    return caught.value


def test_a_publication_cannot_start_before_the_round_was_closed(closed):
    error = refused(closed, errors.PublicationBackdated, lambda: closed.publish("R1", ADMIN, on=date(2025, 5, 1)))
    assert "2025-05-20" in error.message("zh") and "2025-05-20" in error.message("en")


def test_a_publication_may_be_recorded_a_few_days_late_but_no_more(closed, clock):
    clock.set("2025-05-27T09:00")
    refused(closed, errors.PublicationBackdated, lambda: closed.publish("R1", ADMIN, on=date(2025, 5, 23)))
    publicity = closed.publish("R1", ADMIN, on=date(2025, 5, 24))  # three days late: a Saturday, so from Monday
    assert (publicity.start, publicity.end) == ("2025-05-26", "2025-05-30")


def test_a_backdated_publication_never_lets_a_round_be_finalized_at_once(closed, clock):
    clock.set("2025-06-15T09:00")
    refused(closed, errors.PublicationBackdated, lambda: closed.publish("R1", ADMIN, on=date(2025, 5, 20)))
    with pytest.raises(errors.NotFinalYet):
        closed.finalize("R1", ADMIN)


def test_a_publication_on_a_later_day_is_scheduled_and_takes_no_objection_before_it_starts(closed, clock):
    publicity = closed.publish("R1", ADMIN, on=date(2025, 6, 3))
    assert publicity.start == "2025-06-03" and publicity.published_on == "2025-06-03"
    refused(closed, errors.AppealOutsidePeriod,
            lambda: closed.file_appeal("R1", "objection", "王某", "139", "有异议", ADMIN))
    clock.set("2025-06-03T10:00")
    assert closed.file_appeal("R1", "objection", "王某", "139", "有异议", ADMIN) > 0


def test_publishing_again_with_other_dates_is_refused_and_names_the_command_that_does_it(closed):
    first = closed.publish("R1", ADMIN, on=date(2025, 5, 20))
    before = event_count(closed)
    assert closed.publish("R1", ADMIN, on=date(2025, 5, 20)) == first  # the same request again: nothing new
    assert event_count(closed) == before
    error = refused(closed, errors.AlreadyPublished, lambda: closed.publish("R1", ADMIN, on=date(2025, 5, 21),
                                                                            days=10))
    assert "leitai republish" in error.message("zh") and first.end in error.message("zh")


def test_republishing_starts_a_new_period_with_a_reason_and_keeps_pending_objections(closed, clock):
    closed.publish("R1", ADMIN, on=date(2025, 5, 20))
    clock.set("2025-05-21T09:00")
    appeal = closed.file_appeal("R1", "objection", "王某", "139", "有异议", ADMIN)
    refused(closed, errors.ReasonRequired, lambda: closed.republish("R1", " ", ADMIN, days=10))
    publicity = closed.republish("R1", "公示栏被遮挡，延长公示", ADMIN, days=10)
    assert (publicity.start, publicity.end, publicity.reason) == ("2025-05-21", "2025-06-04", "公示栏被遮挡，延长公示")
    rnd, _ = closed.ranking("R1")
    assert [p.days for p in rnd.publications] == [5, 10] and rnd.appeals[appeal].decision is None
    clock.set("2025-05-28T09:00")  # the first period is over, the new one is not
    with pytest.raises(errors.NotFinalYet):
        closed.finalize("R1", ADMIN)


@pytest.fixture
def objected(closed, clock):
    closed.publish("R1", ADMIN, on=date(2025, 5, 20))
    clock.set("2025-05-22T10:00")
    number = closed.file_appeal("R1", "appeal", "书记O2", "139", "J3 的评分表录错了", ADMIN, entrant="O2")
    return closed, number


def test_a_remedy_after_publication_needs_an_upheld_appeal(objected):
    app, number = objected
    error = refused(app, errors.AppealNotUpheld, lambda: app.correct_sheet(
        "R1", "J3", "O2", {"party": "30", "industry": "20"}, "申诉成立", ADMIN, appeal=number))
    assert f"leitai appeal rule R1 {number} --decision upheld" in error.message("zh")
    refused(app, errors.SheetsNotAccepted, lambda: app.correct_sheet(
        "R1", "J3", "O2", {"party": "30", "industry": "20"}, "申诉成立", ADMIN))
    app.rule_appeal("R1", number, "dismissed", "经核查，录入无误。", ADMIN)
    error = refused(app, errors.AppealNotUpheld, lambda: app.correct_sheet(
        "R1", "J3", "O2", {"party": "30", "industry": "20"}, "申诉成立", ADMIN, appeal=number))
    assert "不予支持" in error.message("zh")


@pytest.mark.parametrize("remedy", ["correct", "void", "adjust", "input", "disqualify", "withdraw"])
def test_every_remedy_of_an_upheld_appeal_reseals_the_round_and_shows_under_the_appeal(objected, remedy):
    app, number = objected  # (revoking a penalty on appeal: the test below)
    app.rule_appeal("R1", number, "upheld", "经复核，予以支持。", ADMIN)
    rnd, _ = app.ranking("R1")
    seal = rnd.seal
    do = {
        "correct": lambda: app.correct_sheet("R1", "J3", "O2", {"party": "30", "industry": "20"}, "录入有误", ADMIN,
                                             appeal=number),
        "void": lambda: app.void_sheet("R1", "J3", "O1", "该表重复计入", ADMIN, appeal=number),
        "adjust": lambda: app.record_adjustment("R1", "O2", "1", "补记加分", ADMIN, appeal=number),
        "input": lambda: app.record_input("R1", "O2", "daily", "88", ADMIN, appeal=number),
        "disqualify": lambda: app.disqualify("R1", "O1", "材料造假", ADMIN, appeal=number),
        "withdraw": lambda: app.withdraw("R1", "O1", "本人申请退出", ADMIN, appeal=number),
    }[remedy]
    if remedy == "void":  # voiding leaves O1 with two sheets: the rules need three
        refused(app, errors.TooFewSheets, do)
        return
    version = do()
    rnd, _ = app.ranking("R1")
    assert rnd.seal != seal and rnd.status == "published"
    assert version in rnd.appeals[number].corrections


def test_revoking_a_penalty_on_appeal_reseals_and_republishes_the_changed_results(app, clock):
    small_contest(app)
    score_all(app, {"O1": {"party": "25", "industry": "15"}, "O2": {"party": "25", "industry": "15"}})
    penalty = app.record_adjustment("R1", "O1", "-1", "超时", ADMIN)
    app.close_round("R1", ADMIN)
    app.publish("R1", ADMIN, on=date(2025, 5, 20))
    clock.set("2025-05-21T10:00")
    number = app.file_appeal("R1", "appeal", "书记O1", "139", "未超时", ADMIN, entrant="O1")
    app.rule_appeal("R1", number, "upheld", "核对录像，未超时。", ADMIN)
    app.revoke_adjustment("R1", penalty, "未超时", ADMIN, appeal=number)
    rnd, result = app.ranking("R1")
    assert [(e.entrant, e.rank, e.tied) for e in result.entries] == [("O1", 1, True), ("O2", 1, True)]
    assert rnd.publicity.start == "2025-05-21" and rnd.publicity.reason.startswith("申诉")


def test_a_remedy_that_changes_no_published_result_reseals_without_republishing(objected):
    app, number = objected
    app.rule_appeal("R1", number, "upheld", "予以支持。", ADMIN)
    rnd, _ = app.ranking("R1")
    before = rnd.publicity
    app.record_input("R1", "O2", "daily", "50", ADMIN, appeal=number)  # weight 0: no result changes
    rnd, _ = app.ranking("R1")
    assert rnd.publicity == before and len(rnd.publications) == 1


def test_ruling_with_remedies_in_one_command_is_all_or_nothing(objected):
    app, number = objected
    before = event_count(app)
    with pytest.raises(errors.MarkInvalid):
        app.rule_appeal("R1", number, "upheld", "予以支持。", ADMIN, (
            Correction("sheet", entrant="O2", judge="J3", marks={"party": "30", "industry": "20"}),
            Correction("sheet", entrant="O2", judge="J2", marks={"party": "99", "industry": "20"}),
        ))
    assert event_count(app) == before
    rnd, _ = app.ranking("R1")
    assert rnd.appeals[number].decision is None


def test_a_correction_identical_to_the_sheet_it_corrects_records_nothing(app):
    small_contest(app)
    first = app.submit_sheet("R1", "J1", "O1", {"party": "25", "industry": "15"}, judge("J1"))
    before = event_count(app)
    again = app.correct_sheet("R1", "J1", "O1", {"party": "25.0", "industry": "15"}, "核对", ADMIN)
    assert again == first and event_count(app) == before


def test_a_criterion_given_twice_is_refused(app):
    small_contest(app)
    refused(app, errors.MarkInvalid, lambda: app.submit_sheet(
        "R1", "J1", "O1", {"party": "25", "PARTY": "20", "industry": "15"}, judge("J1")))


def test_look_alike_codes_reach_the_same_round_and_organization(app):
    small_contest(app)
    app.submit_sheet("r1", "j1", "ｏ1", {"Party": "25", "industry": "15"}, judge("J1"))
    rnd, _ = app.ranking("R1")
    assert ("J1", "O1") in rnd.live


def test_a_judge_s_details_change_only_with_a_reason_and_an_import_does_not_overwrite_them(app):
    small_contest(app)
    with pytest.raises(errors.RecordConflict) as caught:
        app.register_judge("c", "J1", "别的名字", "C", "", ADMIN)
    assert "leitai judge update" in caught.value.message("zh")
    refused(app, errors.ReasonRequired, lambda: app.update_judge("c", "J1", " ", ADMIN, name="张三"))
    assert app.update_judge("c", "J1", "更正姓名", ADMIN, name="张三") is True
    assert app.update_judge("c", "J1", "更正姓名", ADMIN, name="张三") is False
    assert app.read(lambda s: s.contest("c").judges["J1"].name) == "张三"


def test_an_organization_moves_to_another_unit_on_its_record_and_the_roster(app):
    small_contest(app)
    assert app.update_organization("c", "O1", "区划调整", ADMIN, unit="T2", secretary="新书记") == 2
    org = app.read(lambda s: s.organization("O1"))
    assert (org.unit, org.secretary, org.secretaries) == ("T2", "新书记", ["书记O1"])
    assert app.read(lambda s: s.contest("c").roster["O1"]) == "T2"
    refused(app, errors.UnitNotFound, lambda: app.update_organization("c", "O1", "区划调整", ADMIN, unit="T9"))
