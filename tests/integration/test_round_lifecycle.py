"""A round from scoring to promotion: corrections, appeals, re-sealing, idempotency."""

from __future__ import annotations

from datetime import date

import pytest

from domain import errors
from domain.workdays import parse_year_file
from domain.services.publicity import Correction
from projections.explain import explanation
from projections.ranking_json import ranking_document
from tests.conftest import ADMIN, event_count
from tests.scenario import judge, score_all, small_contest


@pytest.fixture
def contest(app):
    small_contest(app)
    return app


def finals(app, code="R1"):
    rnd, result = app.ranking(code)
    return {e["entrant"]: e["final"] for e in ranking_document(rnd, result)["entries"]}


def test_a_correction_replaces_the_sheet_and_keeps_the_old_one_in_the_audit(contest):
    score_all(contest)
    assert finals(contest) == {"O1": "40.00", "O2": "32.50"}
    number = contest.correct_sheet("R1", "J2", "O2", {"party": "26", "industry": "14"}, "录入时看错行", ADMIN)
    # O2 totals: 32.5, 40, 32.5 -> trimmed mean drops one 32.5 and the 40 -> 32.5
    assert finals(contest)["O2"] == "32.50"
    x = explanation(*contest.ranking("R1"), "O2")
    j2 = next(s for s in x["sheets"] if s["judge"] == "J2")
    assert j2["event"] == f"R1#{number}" and j2["corrections"] == 1 and j2["dropped"] == "highest"
    assert any(n["why"] == "corrected" and n["by"] == f"R1#{number}" for n in x["not_counted"])


def test_an_idempotency_key_makes_a_repeated_command_record_nothing(contest):
    first = contest.submit_sheet("R1", "J1", "O1", {"party": "25", "industry": "15"}, judge("J1"), key="tablet-7:42")
    before = event_count(contest)
    again = contest.submit_sheet("R1", "J1", "O1", {"party": "25", "industry": "15"}, judge("J1"), key="tablet-7:42")
    assert again == first and event_count(contest) == before


def test_an_upheld_appeal_applies_its_corrections_reseals_and_republishes_changed_results(contest, clock):
    score_all(contest)
    seal = contest.close_round("R1", ADMIN)
    contest.publish("R1", ADMIN, on=date(2025, 5, 20))
    clock.set("2025-05-22T10:00")
    appeal = contest.file_appeal("R1", "appeal", "书记O2", "139", "J3 的评分表录错了", ADMIN, entrant="O2")
    ruling = contest.rule_appeal("R1", appeal, "upheld", "核对原始评分表，J3 录入有误，予以更正。", ADMIN, (
        Correction("sheet", entrant="O2", judge="J3", marks={"party": "30", "industry": "20"}),
        Correction("sheet", entrant="O2", judge="J2", marks={"party": "29", "industry": "20"}),
    ))
    assert ruling.recorded and ruling.seal is not None and ruling.seal != seal
    new_seal = ruling.seal
    rnd, result = contest.ranking("R1")
    assert rnd.seal == new_seal and rnd.status == "published"
    # O2 totals 32.5, 49, 50 -> 49; O1 40: O2 is now first
    assert [(e.entrant, str(e.final)) for e in result.entries] == [("O2", "49.00"), ("O1", "40.00")]
    assert rnd.results[0]["entrant"] == "O2"
    x = explanation(rnd, result, "O2")
    assert x["appeals"][0]["decision"] == "upheld" and len(x["appeals"][0]["corrections"]) == 2
    # the ranks changed, so the changed results are published again: 5 working days from the ruling
    assert ruling.publicity is not None and (ruling.publicity.start, ruling.publicity.end) == ("2025-05-22",
                                                                                               "2025-05-28")
    assert [p.start for p in rnd.publications] == ["2025-05-20", "2025-05-22"]
    clock.set("2025-05-27T09:00")  # the first period is over, the new one is not
    with pytest.raises(errors.NotFinalYet):
        contest.finalize("R1", ADMIN)
    clock.set("2025-05-29T09:00")
    contest.finalize("R1", ADMIN)
    promoted = contest.promote("R1", ADMIN)
    assert promoted["promoted"] == ["O2"]
    final_round, _ = contest.ranking("F")
    source = final_round.entrants["O2"].source
    assert source == {"kind": "promotion", "round": "R1", "seal": new_seal, "rules": rnd.rules, "rank": 1,
                      "final": "49.00"}


def test_promoting_twice_records_nothing_new(contest, clock):
    score_all(contest)
    contest.close_round("R1", ADMIN)
    contest.publish("R1", ADMIN, on=date(2025, 5, 20))
    clock.set("2025-05-27T09:00")
    contest.finalize("R1", ADMIN)
    contest.promote("R1", ADMIN)
    before = event_count(contest)
    contest.promote("R1", ADMIN)
    assert event_count(contest) == before


def test_reopening_before_publication_allows_a_correction(contest):
    score_all(contest)
    contest.close_round("R1", ADMIN)
    contest.reopen_round("R1", "计分员发现 J1 的表格漏签", ADMIN)
    contest.correct_sheet("R1", "J1", "O1", {"party": "24", "industry": "15"}, "签字后重新录入", ADMIN)
    seal = contest.close_round("R1", ADMIN)
    assert seal.startswith("sha256:")


def test_withdrawn_entrants_need_no_sheets_and_are_listed_last(contest):
    for code in ("J1", "J2", "J3"):
        contest.submit_sheet("R1", code, "O1", {"party": "25", "industry": "15"}, judge(code))
    with pytest.raises(errors.TooFewSheets):
        contest.close_round("R1", ADMIN)
    contest.withdraw("R1", "O2", "书记因病不能参赛", ADMIN)
    contest.close_round("R1", ADMIN)
    doc = ranking_document(*contest.ranking("R1"))
    assert [(e["entrant"], e["rank"], e["promotion"], e["reason"]) for e in doc["entries"]] == [
        ("O1", 1, "promoted", None), ("O2", None, "not_promoted", "withdrawn")]


def test_a_replaced_secretary_keeps_the_organization_s_results(contest):
    score_all(contest)
    before = finals(contest)
    contest.replace_secretary("O1", "新书记", "换届选举", ADMIN)
    assert finals(contest) == before
    org = contest.read(lambda s: s.organization("O1"))
    assert (org.secretary, org.secretaries) == ("新书记", ["书记O1"])


def test_the_seal_does_not_depend_on_when_or_by_whom_events_were_recorded(make_app, tmp_path):
    a = make_app(f"sqlite:///{tmp_path}/a.db")
    b = make_app(f"sqlite:///{tmp_path}/b.db")
    for app in (a, b):
        small_contest(app)
        score_all(app)
    assert a.close_round("R1", ADMIN) == b.close_round("R1", ADMIN)


def test_rounds_feeding_a_component_must_close_first(contest):
    """A linked round (source = "round") must be closed before the round it feeds."""
    from domain.services.setup import RoundSpec

    contest.register_ruleset(
        'code = "blend"\nversion = 1\n[[criteria]]\ncode = "speech"\nmax = 100\n'
        '[[components]]\ncode = "arena"\nsource = "panel"\nweight = "0.5"\n'
        '[[components]]\ncode = "site"\nsource = "round"\nweight = "0.5"\n', "blend.toml", ADMIN)
    contest.schedule_round("c", RoundSpec("B", "township", "T1", "2025-05", "blend", judges=("J1",),
                                          links={"site": "R1"}), ADMIN)
    contest.open_round("B", ADMIN)
    for entrant, mark in (("O1", "80"), ("O2", "90")):
        contest.submit_sheet("B", "J1", entrant, {"speech": mark}, judge("J1"))
    with pytest.raises(errors.LinkedRoundNotClosed):
        contest.close_round("B", ADMIN)
    score_all(contest)
    contest.close_round("R1", ADMIN)
    contest.close_round("B", ADMIN)
    # O1: 0.5 * 80 + 0.5 * 40 = 60; O2: 0.5 * 90 + 0.5 * 32.5 = 61.25
    assert finals(contest, "B") == {"O2": "61.25", "O1": "60.00"}


def test_publishing_into_a_year_without_holiday_data_is_refused_or_recorded_as_fallback(contest, clock):
    score_all(contest)
    contest.close_round("R1", ADMIN)
    clock.set("2026-12-28T09:00")
    before = event_count(contest)
    with pytest.raises(errors.CalendarMissing):
        contest.publish("R1", ADMIN, on=date(2026, 12, 28))
    assert event_count(contest) == before
    publicity = contest.publish("R1", ADMIN, on=date(2026, 12, 28), calendar_fallback="weekends")
    assert publicity.end == "2027-01-01"
    assert publicity.calendar == {"2026": "chinese-calendar 1.11.0", "2027": "fallback:weekends-only"}


def test_a_loaded_holiday_year_decides_the_period(contest, clock):
    score_all(contest)
    contest.close_round("R1", ADMIN)
    clock.set("2026-12-28T09:00")
    year = parse_year_file("2027-01-01,holiday\n2027-01-02,holiday\n2027-01-03,holiday\n", "2027.csv")
    assert contest.load_holiday_year(year, ADMIN) is True
    assert contest.load_holiday_year(year, ADMIN) is False  # the same list again records nothing
    publicity = contest.publish("R1", ADMIN, on=date(2026, 12, 28))
    assert (publicity.end, publicity.calendar["2027"]) == ("2027-01-04", "file:2027.csv")
