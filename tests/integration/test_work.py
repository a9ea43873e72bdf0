"""Consequences as tracked work (rulebook sections 15-16), on SQLite and PostgreSQL: closing a
period issues the ladder's tasks with due dates in working days and forms pairs; an entrant
in the bottom twice running climbs the ladder; tasks are done (with what their step requires)
or excused, once; overdue ones are listed; a pair's exchanges are counted against its
obligation; the classes are recorded per period."""

from __future__ import annotations

from datetime import date

import pytest

from domain import errors
from domain.services.setup import RoundSpec
from domain.services.store import parse_url
from projections import work
from projections.queries import ReadModels
from projections.runner import Projector
from tests.conftest import ADMIN
from tests.work_scenario import JUNE, MAY, month, work_contest

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


def test_a_period_not_closed_before_starts_the_climb_again(app, clock):
    work_contest(app)
    month(app, clock, "2025-05", MAY)
    month(app, clock, "2025-06", JUNE)
    app.close_period("w", "T1", "2025-06", ADMIN)  # May was never closed
    assert app.read(lambda s: s.task("w:T1:2025-06:1:V5")).step == 1


def test_a_period_with_a_round_not_final_or_closed_before_is_refused(may, clock):
    may.schedule_round("w", RoundSpec("R-T1-2025-06", "township", "T1", "2025-06", "work", judges=("J1",)), ADMIN)
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
        may.task_done(code, ADMIN, **INTERVIEW | {"on": "2025-06-14", "attachment": "minutes.pdf"})
    may.task_done(code, ADMIN, **INTERVIEW | {"on": "2025-06-14", "attachment": "sha256:" + "ab" * 32})
    task = may.read(lambda s: s.task(code))
    assert task.state == "done" and task.done["place"] == "镇党委会议室"
    assert task.done["attachment"] == "sha256:" + "ab" * 32
    with pytest.raises(errors.WorkStateError, match="done"):
        may.task_done(code, ADMIN, **INTERVIEW | {"on": "2025-06-14"})
    with pytest.raises(errors.WorkStateError):
        may.task_excuse(code, "村已撤并", ADMIN)


def test_a_task_is_excused_with_a_reason(may):
    code = "w:T1:2025-05:1:V4"
    with pytest.raises(errors.ReasonRequired):
        may.task_excuse(code, "  ", ADMIN)
    may.task_excuse(code, "该村已与邻村合并", ADMIN)
    assert may.read(lambda s: s.task(code)).state == "excused"
    with pytest.raises(errors.WorkStateError, match="excused"):
        may.task_done(code, ADMIN, **INTERVIEW | {"on": "2025-06-14"})


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
    clock.set("2025-07-10T09:00")
    for day in ("2025-06-05", "2025-06-19", "2025-07-02"):
        may.pair_exchange(code, ADMIN, on=day, place="V1 村部", summary="学习产业项目经验")
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
                "on": "2025-06-14"}), "task", principal=who)
        with pytest.raises(errors.OutOfScope):
            may.execute(lambda s, n=name: s.pair_end("w:T1:2025-05:V5", "结束", Actor(n, "admin")), "pair",
                        principal=who)
    assert may.read(lambda s: s.task("w:T1:2025-05:1:V5")).state == "open"
    town1 = Principal("town1", (Grant("admin", "w", "T1"),))
    may.execute(lambda s: s.task_done("w:T1:2025-05:1:V5", Actor("town1", "admin"), **INTERVIEW | {
        "on": "2025-06-14"}), "task", principal=town1)
    assert may.read(lambda s: s.task("w:T1:2025-05:1:V5")).state == "done"
