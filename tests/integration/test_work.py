"""Consequences as tracked work (rulebook sections 15-16), on SQLite and PostgreSQL: closing a
period issues the ladder's tasks with due dates in working days and forms pairs; an entrant
in the bottom twice running climbs the ladder; tasks are done (with what their step requires)
or excused, once; overdue ones are listed; a pair's exchanges are counted against its
obligation; the classes are recorded per period."""

from __future__ import annotations

from datetime import date

import pytest

from domain import errors
from domain.ids import period_result_id
from domain.model.period_result import PeriodResult
from domain.services.setup import RoundSpec
from domain.services.store import parse_url
from projections import work
from projections.queries import ReadModels
from projections.runner import Projector
from tests.conftest import ADMIN
from tests.work_scenario import JUNE, MAY, WORK_RULES, month, work_contest

INTERVIEW = {"on": "2025-06-18", "place": "镇党委会议室", "participants": "党委副书记王某、村书记", "summary": "分析差距，制定整改措施"}


def project(url: str) -> ReadModels:
    projector = Projector(parse_url(url))
    projector.load()
    projector.catch_up()
    projector.close()
    return ReadModels(parse_url(url))


@pytest.fixture
def may(app, clock):
    """May 2025 of township T1 final and closed (on Sunday 2025-06-15)."""
    work_contest(app)
    month(app, clock, "2025-05", MAY)
    app.close_period("w", "T1", "2025-05", ADMIN)
    return app


def test_closing_a_period_issues_the_ladders_tasks_due_in_working_days(may, clock):
    assert clock.today() == date(2025, 6, 15)  # a Sunday: the 5 working days are June 16-20
    bottom = may.read(lambda s: s.task("w:T1:2025-05:1:V5"))
    assert (bottom.action_name, bottom.by_whom, bottom.due, bottom.step) == ("约谈", "党委副书记", "2025-06-20", 1)
    assert bottom.why_zh == "2025-05 后 2 名（第 5 名）"
    assert bottom.record == ["date", "place", "participants", "summary"]
    assert may.read(lambda s: s.task("w:T1:2025-05:1:V4")).why_zh == "2025-05 后 2 名（第 4 名）"
    top = may.read(lambda s: s.task("w:T1:2025-05:2:V1"))
    assert (top.action_name, top.due) == ("经验交流", "2025-06-27")  # 10 working days
    with pytest.raises(errors.TaskNotFound):
        may.read(lambda s: s.task("w:T1:2025-05:1:V3"))  # third from the bottom is not concerned


def test_the_classes_follow_the_score_bands_and_a_class_forms_its_pairs(may, store_url, clock):
    read = project(store_url)
    try:
        rows = work.classes(read, "w", "T1", "2025-05")
        assert [(r["entrant"], r["class_name"]) for r in rows] == [
            ("V1", "一类"), ("V2", "二类"), ("V3", "二类"), ("V4", "三类"), ("V5", "三类")]
        assert [r["class_name"] for r in work.class_history(read, "V4")] == ["三类"]
        pairs = work.pairs(read, "w", clock.today())
        # 三类 is paired from the last: V5 with the first (V1), V4 with the second (V2)
        assert [(p["lagger"], p["leader"], p["start_month"], p["end_month"]) for p in pairs] == [
            ("V4", "V2", "2025-06", "2025-07"), ("V5", "V1", "2025-06", "2025-07")]
    finally:
        read.close()


def test_an_entrant_in_the_bottom_twice_running_climbs_the_ladder(may, clock):
    month(may, clock, "2025-06", JUNE)
    may.close_period("w", "T1", "2025-06", ADMIN)
    again = may.read(lambda s: s.task("w:T1:2025-06:1:V5"))
    assert (again.step, again.streak, again.by_whom) == (2, 2, "镇党委书记、镇长")
    assert again.why_zh == "2025-06 后 2 名（第 5 名，连续第 2 次）"
    assert again.why_en == "2025-06 bottom 2 (rank 5, 2nd time running)"
    assert "attachment" in again.record  # the second step asks for the minutes as an attachment
    first = may.read(lambda s: s.task("w:T1:2025-06:1:V3"))  # V3 fell to the bottom for the first time
    assert (first.step, first.by_whom) == (1, "党委副书记")


def test_periods_close_in_order_and_a_period_without_rounds_before_starts_the_climb_again(app, clock):
    work_contest(app)
    month(app, clock, "2025-05", MAY)
    month(app, clock, "2025-06", JUNE)
    with pytest.raises(errors.PeriodNotFinal) as refused:
        app.close_period("w", "T1", "2025-06", ADMIN)  # May has rounds and is not closed
    assert "leitai period close w T1 2025-05" in refused.value.message("zh")
    month(app, clock, "2025-08", JUNE)  # July has no rounds: August closes, climbing from step 1
    app.close_period("w", "T1", "2025-08", ADMIN)
    assert app.read(lambda s: s.task("w:T1:2025-08:1:V5")).step == 1


def test_a_period_with_a_round_not_final_or_closed_before_is_refused(may, clock):
    may.schedule_round("w", RoundSpec("R-T1-2025-06", "township", "T1", "2025-06", "work", judges=("J1",)), ADMIN)
    clock.set("2025-07-01T09:00")
    with pytest.raises(errors.PeriodNotFinal, match="R-T1-2025-06"):
        may.close_period("w", "T1", "2025-06", ADMIN)
    with pytest.raises(errors.PeriodNotFinal):
        may.close_period("w", "T2", "2025-05", ADMIN)  # no rounds at all
    before = may.read(lambda s: s.task("w:T1:2025-05:1:V5")).version
    with pytest.raises(errors.PeriodAlreadyClosed) as refused:
        may.close_period("w", "T1", "2025-05", ADMIN)
    assert "2025-06-15" in refused.value.message("zh")
    assert may.read(lambda s: s.task("w:T1:2025-05:1:V5")).version == before  # nothing re-issued


def test_a_task_is_done_with_what_its_step_requires_and_only_once(may, clock):
    code = "w:T1:2025-05:1:V5"
    with pytest.raises(errors.InvalidValue) as missing:
        may.task_done(code, ADMIN, **{**INTERVIEW, "place": None})
    assert missing.value.fields["field"] == "place" and "地点" in missing.value.message("zh")
    with pytest.raises(errors.InvalidValue, match="after today"):
        may.task_done(code, ADMIN, **{**INTERVIEW, "on": "2025-06-16"})  # today is 2025-06-15
    with pytest.raises(errors.InvalidValue, match="digest"):
        may.task_done(code, ADMIN, **INTERVIEW | {"on": "2025-06-15", "attachment": "minutes.pdf"})
    may.task_done(code, ADMIN, **INTERVIEW | {"on": "2025-06-15", "attachment": "sha256:" + "ab" * 32})
    task = may.read(lambda s: s.task(code))
    assert task.state == "done" and task.done["place"] == "镇党委会议室"
    assert task.done["attachment"] == "sha256:" + "ab" * 32
    with pytest.raises(errors.WorkStateError, match="done"):
        may.task_done(code, ADMIN, **INTERVIEW | {"on": "2025-06-15"})
    with pytest.raises(errors.WorkStateError):
        may.task_excuse(code, "村已撤并", ADMIN)


def test_a_period_is_closed_only_after_its_last_day(app, clock):
    """A year closed in June would lock its classes and tasks on May's rounds alone."""
    work_contest(app)
    month(app, clock, "2025-05", MAY)  # final on 2025-06-15
    for period, first in (("2025", "2026-01-01"), ("2025-Q2", "2025-07-01")):
        with pytest.raises(errors.PeriodNotFinal) as early:
            app.close_period("w", "T1", period, ADMIN)
        assert first in early.value.message("en") and first in early.value.message("zh")
    assert app.read(lambda s: s.find(period_result_id("w:T1:2025"), PeriodResult)) is None
    clock.set("2025-07-01T09:00")
    assert [r["period"] for r in app.close_period("w", "T1", "2025-Q2", ADMIN)] == ["2025-Q2"]


def test_a_months_rounds_final_before_the_month_ends_wait_for_its_last_day(app, clock):
    work_contest(app)
    app.schedule_round("w", RoundSpec("R-T1-2025-05", "township", "T1", "2025-05", "work", judges=("J1",)), ADMIN)
    clock.set("2025-05-31T23:59")  # the last minute of May (Beijing time)
    with pytest.raises(errors.PeriodNotFinal, match="2025-06-01"):
        app.close_period("w", "T1", "2025-05", ADMIN)


def test_a_task_done_before_it_was_issued_is_refused_and_one_done_after_its_due_date_is_late(may, store_url, clock):
    code = "w:T1:2025-05:1:V5"  # issued 2025-06-15, due 2025-06-20
    with pytest.raises(errors.InvalidValue) as backdated:
        may.task_done(code, ADMIN, **INTERVIEW | {"on": "2025-06-14"})
    assert backdated.value.fields["field"] == "date" and "2025-06-15" in backdated.value.message("zh")
    assert may.read(lambda s: s.task(code)).state == "open"
    clock.set("2025-06-25T09:00")
    may.task_done(code, ADMIN, **INTERVIEW | {"on": "2025-06-23"})
    may.task_done("w:T1:2025-05:2:V1", ADMIN, on="2025-06-24", place="镇党委会议室", summary="交流")  # due 06-27
    read = project(store_url)
    try:
        rows = {t["task"]: t for t in work.tasks(read, "w", date(2025, 6, 25))}
        assert (rows[code]["late"], rows[code]["state_zh"], rows[code]["state_en"]) == (True, "逾期办结", "done late")
        assert (rows["w:T1:2025-05:2:V1"]["late"], rows["w:T1:2025-05:2:V1"]["state_zh"]) == (False, "已办结")
        assert rows[code]["overdue"] is False
    finally:
        read.close()


STAR_RUNG = """
[[ladder]]
period = "month"
who = "stars:1"
steps = [{ action = "notice", by = "镇党委", days = 3 }]
"""


def certified(app, organization: str, cycle: str, stars: int | None, revoked: bool = False) -> None:
    """A township-level certification of ``organization`` for ``cycle`` carried to the end (审定)."""
    def work(s):
        cert = s._open_certification(organization, "township", cycle, ADMIN)
        cert.evaluate(stars, {"stars": stars}, None, ADMIN)
        cert.decide(stars, None, ADMIN)
        cert.certify(ADMIN)
        if revoked:
            cert.revoke("发生一票否决事项", ADMIN)
    app.run(work, f"certification {organization}")


def test_a_star_band_concerns_the_organizations_rated_so_many_stars(app, clock):
    """who = "stars:1": this year's certification once decided, until then last year's."""
    work_contest(app, WORK_RULES + STAR_RUNG)
    certified(app, "V1", "2024", 1)  # 1 star last year, nothing yet this year: concerned
    certified(app, "V2", "2024", 1)
    certified(app, "V2", "2025", 3)  # this year's decision replaces last year's: not concerned
    certified(app, "V3", "2025", 1)
    certified(app, "V4", "2024", 1)
    certified(app, "V4", "2025", 1, revoked=True)  # withdrawn this year: no rating, not concerned
    certified(app, "V5", "2024", 2)
    month(app, clock, "2025-05", MAY)
    closed = app.close_period("w", "T1", "2025-05", ADMIN)
    notices = sorted(code for r in closed for code in r["tasks"] if code.startswith("w:T1:2025-05:4:"))
    assert notices == ["w:T1:2025-05:4:V1", "w:T1:2025-05:4:V3"]
    task = app.read(lambda s: s.task("w:T1:2025-05:4:V3"))
    assert (task.action_name, task.why_zh, task.why_en) == ("通报", "2025-05 1 星级组织（第 3 名）",
                                                            "2025-05 rated 1 star (rank 3)")


def test_a_star_band_is_checked_when_the_rules_are(app):
    bad = WORK_RULES + STAR_RUNG.replace("stars:1", "stars:6") + STAR_RUNG.replace(
        'who = "stars:1"', 'who = "stars:2"\ncount = 3')
    with pytest.raises(errors.RuleSetInvalid) as refused:
        app.register_ruleset(bad, "bad.toml", ADMIN)
    text = refused.value.message("en")
    assert "ladder[4].who" in text and "stars:<1-5>" in text and "ladder[5].count" in text


def test_a_task_is_excused_with_a_reason(may):
    code = "w:T1:2025-05:1:V4"
    with pytest.raises(errors.ReasonRequired):
        may.task_excuse(code, "  ", ADMIN)
    may.task_excuse(code, "该村已与邻村合并", ADMIN)
    assert may.read(lambda s: s.task(code)).state == "excused"
    with pytest.raises(errors.WorkStateError, match="excused"):
        may.task_done(code, ADMIN, **INTERVIEW | {"on": "2025-06-15"})


def test_open_tasks_past_their_due_date_are_overdue(may, store_url, clock):
    may.task_done("w:T1:2025-05:1:V5", ADMIN, **INTERVIEW | {"on": "2025-06-15"})
    read = project(store_url)
    try:
        assert work.tasks(read, "w", date(2025, 6, 20), overdue=True) == []  # due today is not late yet
        late = work.tasks(read, "w", date(2025, 6, 21), overdue=True)
        assert [t["task"] for t in late] == ["w:T1:2025-05:1:V4"]  # V5's was done; V1's is due 06-27
        assert late[0]["state_zh"] == "逾期"
        everything = {t["task"]: t["state"] for t in work.tasks(read, "w", date(2025, 6, 21))}
        assert everything == {"w:T1:2025-05:1:V4": "open", "w:T1:2025-05:1:V5": "done", "w:T1:2025-05:2:V1": "open"}
    finally:
        read.close()


def test_a_pairs_exchanges_are_counted_against_its_obligation(may, store_url, clock):
    code = "w:T1:2025-05:V5"
    for day in ("2025-06-05", "2025-06-19", "2025-07-02"):  # each recorded on its day
        clock.set(day + "T17:00")
        may.pair_exchange(code, ADMIN, on=day, place="V1 村部", summary="学习产业项目经验")
    clock.set("2025-07-10T09:00")
    with pytest.raises(errors.InvalidValue, match="outside the pair"):
        may.pair_exchange(code, ADMIN, on="2025-05-30", place="V1 村部", summary="早了")
    with pytest.raises(errors.InvalidValue) as missing:
        may.pair_exchange(code, ADMIN, on="2025-07-03", summary="没写地点")
    assert missing.value.fields["field"] == "place"
    clock.set("2025-08-05T09:00")
    read = project(store_url)
    try:
        pair = work.pair(read, code, clock.today())
        assert [(w["from"], w["count"], w["status"]) for w in pair["windows"]] == [
            ("2025-06", 2, "met"), ("2025-07", 1, "short")]
        assert pair["short"] == 1
        running = work.pair(read, code, date(2025, 7, 10))
        assert [(w["from"], w["status"]) for w in running["windows"]] == [("2025-06", "met"), ("2025-07", "running")]
    finally:
        read.close()
    may.pair_end(code, "后进村已转化提升", ADMIN)
    with pytest.raises(errors.WorkStateError):
        may.pair_exchange(code, ADMIN, on="2025-07-20", place="村部", summary="结束后")


def test_backdating_does_not_erase_lateness_nor_make_a_past_month_met(may, store_url, clock):
    """The review's hole 7: a task recorded after its due date is done late whatever date it is given;
    exchanges recorded after their month only bring it up to "met by late entries"; the same
    exchange twice counts once."""
    clock.set("2025-07-20T09:00")  # V5's interview was due 2025-06-20
    may.task_done("w:T1:2025-05:1:V5", ADMIN, **INTERVIEW | {"on": "2025-06-16"})
    code = "w:T1:2025-05:V5"
    may.pair_exchange(code, ADMIN, on="2025-06-05", place="V1 村部", summary="学习产业项目经验")
    with pytest.raises(errors.InvalidValue) as twice:
        may.pair_exchange(code, ADMIN, on="2025-06-05", place="V1 村部", summary="学习产业项目经验")
    assert "已经登记过" in twice.value.message("zh") and twice.value.fields["field"] == "date"
    may.pair_exchange(code, ADMIN, on="2025-06-25", place="V5 村部", summary="回访")
    read = project(store_url)
    try:
        task = {t["task"]: t for t in work.tasks(read, "w", date(2025, 7, 20))}["w:T1:2025-05:1:V5"]
        assert (task["late"], task["state_zh"], task["done"]["recorded_on"]) == (True, "逾期办结", "2025-07-20")
        windows = work.pair(read, code, date(2025, 7, 20))["windows"]
        assert [(w["from"], w["count"], w["status"], w["status_zh"]) for w in windows][0] == (
            "2025-06", 2, "late", "补录后达到")
    finally:
        read.close()


def test_the_domain_refuses_work_recorded_outside_ones_unit_whatever_the_way_in(may):
    """domain/authority.py: every command on a task, a pair or a closed period is checked against
    what it changes - an admin of another township, a judge, the organization concerned."""
    from domain.access import Principal
    from domain.model.account import Grant
    from domain.model.base import Actor

    outsiders = {"town2": Grant("admin", "w", "T2"), "judge": Grant("judge", "w", judge="J1"),
                 "org": Grant("organization", organization="V5")}
    for name, grant in outsiders.items():
        who = Principal(name, (grant,))
        with pytest.raises(errors.OutOfScope):
            may.execute(lambda s, n=name: s.task_done("w:T1:2025-05:1:V5", Actor(n, "admin"), **INTERVIEW | {
                "on": "2025-06-15"}), "task", principal=who)
        with pytest.raises(errors.OutOfScope):
            may.execute(lambda s, n=name: s.pair_end("w:T1:2025-05:V5", "结束", Actor(n, "admin")), "pair",
                        principal=who)
    assert may.read(lambda s: s.task("w:T1:2025-05:1:V5")).state == "open"
    town1 = Principal("town1", (Grant("admin", "w", "T1"),))
    may.execute(lambda s: s.task_done("w:T1:2025-05:1:V5", Actor("town1", "admin"), **INTERVIEW | {
        "on": "2025-06-15"}), "task", principal=town1)
    assert may.read(lambda s: s.task("w:T1:2025-05:1:V5")).state == "done"
