"""Every invalid command is refused with a named error and records nothing."""

from __future__ import annotations

from datetime import date

import pytest

from domain import errors
from domain.services.publicity import Correction
from tests.conftest import ADMIN, event_count
from tests.scenario import judge, score_all, small_contest

OK = {"party": "25", "industry": "15"}


@pytest.fixture
def contest(app):
    small_contest(app)
    return app


def refused(app, error_type, command):
    before = event_count(app)
    with pytest.raises(error_type) as caught:
        command()
    assert event_count(app) == before, "a refused command recorded events"
    return caught.value


@pytest.mark.parametrize(("marks", "criterion", "problem"), [
    ({"party": "30.5", "industry": "15"}, "party", "between 0 and 30"),
    ({"party": "-1", "industry": "15"}, "party", "between 0 and 30"),
    ({"party": "25.25", "industry": "15"}, "party", "at most 1 decimal"),
    ({"party": "25"}, "industry", "missing"),
    ({"party": "25", "industry": "abc"}, "industry", "not a plain decimal number"),
    ({"party": "25", "industry": "15", "speech": "3"}, "speech", "no such criterion"),
])
def test_a_bad_mark_is_refused(contest, marks, criterion, problem):
    error = refused(contest, errors.MarkInvalid, lambda: contest.submit_sheet("R1", "J1", "O1", marks, judge("J1")))
    assert error.fields["criterion"] == criterion
    assert problem in str(error)


def test_a_judge_who_is_not_seated_is_refused(contest):
    refused(contest, errors.JudgeNotSeated, lambda: contest.submit_sheet("R1", "J9", "O1", OK, judge("J9")))


def test_a_recused_judge_is_refused(contest):
    error = refused(contest, errors.JudgeRecused, lambda: contest.submit_sheet("R1", "J4", "O1", OK, judge("J4")))
    assert "与参赛组织同属一个单位" in error.message("zh")


def test_a_declared_recusal_is_refused_too(contest):
    contest.recuse_judge("R1", "J2", "O2", "亲属关系", ADMIN)
    refused(contest, errors.JudgeRecused, lambda: contest.submit_sheet("R1", "J2", "O2", OK, judge("J2")))


def test_a_second_sheet_from_the_same_judge_is_refused_as_a_correction(contest):
    contest.submit_sheet("R1", "J1", "O1", OK, judge("J1"))
    error = refused(contest, errors.DuplicateSheet, lambda: contest.submit_sheet("R1", "J1", "O1", OK, judge("J1")))
    assert "leitai correct" in str(error)


def test_a_sheet_for_a_non_entrant_is_refused(contest):
    refused(contest, errors.EntrantNotAdmitted, lambda: contest.submit_sheet("R1", "J1", "O3", OK, judge("J1")))


def test_a_sheet_after_closing_is_refused(contest):
    score_all(contest)
    contest.close_round("R1", ADMIN)
    error = refused(contest, errors.SheetsNotAccepted,
                    lambda: contest.submit_sheet("R1", "J4", "O1", OK, judge("J4")))
    assert str(error).startswith("Round R1 is closed; sheets can no longer be submitted")


def test_a_sheet_before_opening_is_refused(contest):
    refused(contest, errors.SheetsNotYetAccepted, lambda: contest.submit_sheet("F", "J1", "O1", OK, judge("J1")))


def test_closing_with_too_few_valid_sheets_is_refused(contest):
    score_all(contest)
    contest.void_sheet("R1", "J3", "O2", "录入错误", ADMIN)
    error = refused(contest, errors.TooFewSheets, lambda: contest.close_round("R1", ADMIN))
    assert (error.fields["entrant"], error.fields["have"], error.fields["need"]) == ("O2", 2, 3)


def test_a_bonus_over_the_cap_is_refused(contest):
    contest.record_adjustment("R1", "O1", "1.5", "加分项", ADMIN)
    error = refused(contest, errors.AdjustmentOverCap,
                    lambda: contest.record_adjustment("R1", "O1", "0.6", "再加分", ADMIN))
    assert error.fields["total"] == "2.1" and error.fields["cap"] == "2"


def test_a_penalty_over_the_cap_is_refused(contest):
    refused(contest, errors.AdjustmentOverCap, lambda: contest.record_adjustment("R1", "O1", "-1.01", "超时", ADMIN))


def test_a_correction_needs_a_reason(contest):
    contest.submit_sheet("R1", "J1", "O1", OK, judge("J1"))
    refused(contest, errors.ReasonRequired, lambda: contest.correct_sheet("R1", "J1", "O1", OK, " ", ADMIN))


def test_an_input_outside_its_range_is_refused(contest):
    refused(contest, errors.InvalidValue, lambda: contest.record_input("R1", "O1", "daily", "100.5", ADMIN))


def published(contest, clock):
    score_all(contest)
    contest.close_round("R1", ADMIN)
    contest.publish("R1", ADMIN, on=date(2025, 5, 20))  # Tue: 20, 21, 22, 23, 26 May


def test_an_appeal_before_publication_is_refused(contest):
    refused(contest, errors.RoundStateError,
            lambda: contest.file_appeal("R1", "appeal", "张三", "139", "有误", ADMIN, entrant="O1"))


def test_an_appeal_after_the_period_is_refused(contest, clock):
    published(contest, clock)
    clock.set("2025-05-27T09:00")
    error = refused(contest, errors.AppealOutsidePeriod,
                    lambda: contest.file_appeal("R1", "appeal", "张三", "139", "有误", ADMIN, entrant="O1"))
    assert (error.fields["start"], error.fields["end"]) == ("2025-05-20", "2025-05-26")


@pytest.mark.parametrize(("name", "contact", "missing"), [("", "139", "name"), ("张三", " ", "contact")])
def test_an_anonymous_objection_is_refused(contest, clock, name, contact, missing):
    published(contest, clock)
    error = refused(contest, errors.AppealAnonymous,
                    lambda: contest.file_appeal("R1", "objection", name, contact, "有误", ADMIN))
    assert error.fields["missing"] == missing


def test_finalizing_during_the_period_is_refused(contest, clock):
    published(contest, clock)
    clock.set("2025-05-26T18:00")  # the last day of the period
    refused(contest, errors.NotFinalYet, lambda: contest.finalize("R1", ADMIN))


def test_finalizing_with_an_appeal_pending_is_refused(contest, clock):
    published(contest, clock)
    contest.file_appeal("R1", "appeal", "张三", "139", "有误", ADMIN, entrant="O2")
    clock.set("2025-06-02T09:00")
    error = refused(contest, errors.NotFinalYet, lambda: contest.finalize("R1", ADMIN))
    assert "R1#" in str(error)


def test_promoting_from_a_round_that_is_not_final_is_refused(contest, clock):
    published(contest, clock)
    refused(contest, errors.NoPromotion, lambda: contest.promote("R1", ADMIN))


def test_a_dismissed_appeal_cannot_carry_corrections(contest, clock):
    published(contest, clock)
    appeal = contest.file_appeal("R1", "appeal", "张三", "139", "有误", ADMIN, entrant="O2")
    refused(contest, errors.InvalidValue, lambda: contest.rule_appeal(
        "R1", appeal, "dismissed", "不成立", ADMIN,
        (Correction("sheet", entrant="O2", judge="J1", marks={"party": "29", "industry": "19"}),)))


def test_changes_after_publication_need_a_pending_appeal(contest, clock):
    published(contest, clock)
    refused(contest, errors.SheetsNotAccepted,
            lambda: contest.correct_sheet("R1", "J1", "O1", {"party": "26", "industry": "15"}, "更正", ADMIN))
    refused(contest, errors.RoundStateError, lambda: contest.record_adjustment("R1", "O1", "1", "加分", ADMIN))
