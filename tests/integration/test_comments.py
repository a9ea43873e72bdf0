"""Comments (点评, rulebook section 17) on both stores: recorded, corrected and withdrawn
like sheets, refused outside the round's life and outside the author's right - and never
part of a score."""

from __future__ import annotations

from datetime import date

import pytest

from domain import errors
from domain.access import Principal
from domain.model.account import Grant
from domain.model.base import Actor
from projections.comments import comments
from projections.queries import ReadModels
from projections.runner import Projector
from tests.conftest import ADMIN, event_count
from tests.scenario import judge, score_all, small_contest

LEADER = "镇党委书记 张三"


@pytest.fixture
def contest(app):
    small_contest(app)
    return app


def project(app) -> ReadModels:
    projector = Projector(app.store)
    projector.load()
    projector.catch_up()
    projector.close()
    return ReadModels(app.store)


def outcome(app, work, principal=None):
    return app.execute(work, "comment", principal)


def test_comments_never_change_the_results_the_seal_or_the_sheets(contest, clock):
    score_all(contest)
    before_close = contest.read(lambda s: (s.round("R1").seal_for(), s.result(s.round("R1")).compact()))
    read = project(contest)
    row_before = read.round("R1")
    read.close()
    n = outcome(contest, lambda s: s.record_comment("R1", "O1", "汇报扎实。", judge("J1"), judge="J1"))
    assert n.recorded == 1  # the comment alone: no checkpoint, nothing else
    contest.record_comment("R1", "O2", "产业还需加强。", ADMIN, leader=LEADER, stage="书记点评")
    contest.correct_comment("R1", 1, "汇报扎实，数据翔实。", "补充", judge("J1"))
    assert contest.read(lambda s: (s.round("R1").seal_for(), s.result(s.round("R1")).compact())) == before_close
    read = project(contest)
    row_after = read.round("R1")
    read.close()
    for column in ("seal", "ranking", "sheets_in", "sheets_expected", "status", "complete"):
        assert row_after[column] == row_before[column], column
    seal = contest.close_round("R1", ADMIN)
    contest.publish("R1", ADMIN, on=date(2025, 5, 20))
    rnd_before = contest.read(lambda s: s.round("R1"))
    published = (rnd_before.seal, rnd_before.results, rnd_before.status, len(rnd_before.publications))
    for work in (lambda s: s.record_comment("R1", "O1", "公示期间的点评。", ADMIN, leader=LEADER),
                 lambda s: s.correct_comment("R1", 2, "产业带动还需加强。", "措辞", ADMIN),
                 lambda s: s.withdraw_comment("R1", 3, "重复", ADMIN)):
        assert outcome(contest, work).recorded == 1  # never a new publicity period, never a signed head
    rnd = contest.read(lambda s: s.round("R1"))
    assert (rnd.seal, rnd.results, rnd.status, len(rnd.publications)) == published and rnd.seal == seal
    assert [c.state for c in rnd.comments.values()] == ["corrected", "corrected", "withdrawn"]


def test_a_correction_keeps_the_original_text_in_the_history(contest):
    contest.record_comment("R1", "O1", "讲得好", judge("J2"), judge="J2", stage="汇报演讲")
    contest.correct_comment("R1", 1, "讲得很好，紧扣主题。", "措辞更准确", judge("J2"))
    read = project(contest)
    try:
        [row] = comments(read, "R1", "o1")
    finally:
        read.close()
    assert (row["text"], row["state"], row["author_kind"], row["judge"], row["author"]) == (
        "讲得很好，紧扣主题。", "corrected", "judge", "J2", "评委J2")
    assert [(h["what"], h["text"], h["reason"], h["actor"]) for h in row["history"]] == [
        ("recorded", "讲得好", None, "J2"), ("corrected", "讲得很好，紧扣主题。", "措辞更准确", "J2")]
    assert row["stage"] == "汇报演讲" and row["recorded_by"] == "J2" and row["history"][0]["at"]
    before = event_count(contest)
    assert contest.correct_comment("R1", 1, "讲得很好，紧扣主题。", "再次", judge("J2")) == 1
    assert event_count(contest) == before  # the same text again: nothing to correct, nothing recorded


def test_a_leaders_comment_carries_the_title_and_name(contest):
    number = contest.record_comment("R1", "O2", "治理有效。", ADMIN, leader=LEADER)
    read = project(contest)
    try:
        [row] = comments(read, "R1")
    finally:
        read.close()
    assert number == 1 and (row["author_kind"], row["author"], row["as_title"], row["judge"]) == (
        "leader", LEADER, LEADER, None)


def test_comments_are_refused_before_the_round_opens_and_once_it_is_final(contest, clock):
    with pytest.raises(errors.CommentsNotAccepted) as refused:
        contest.record_comment("F", "O1", "太早了", ADMIN, leader=LEADER)
    assert "尚未开始评分" in refused.value.message("zh") and "leitai open F" in refused.value.message("zh")
    score_all(contest)
    contest.record_comment("R1", "O1", "好", judge("J1"), judge="J1")
    contest.close_round("R1", ADMIN)
    contest.publish("R1", ADMIN, on=date(2025, 5, 20))
    clock.set("2025-05-27T09:00")
    contest.finalize("R1", ADMIN)
    before = event_count(contest)
    for work in (lambda: contest.record_comment("R1", "O2", "定案后", ADMIN, leader=LEADER),
                 lambda: contest.correct_comment("R1", 1, "定案后改", "改", judge("J1")),
                 lambda: contest.withdraw_comment("R1", 1, "撤回", ADMIN)):
        with pytest.raises(errors.CommentsNotAccepted) as refused:
            work()
        assert "已定案" in refused.value.message("zh") and "final" in refused.value.message("en")
    assert event_count(contest) == before


def test_a_judge_comments_only_while_scoring_runs_then_the_rounds_admin_records_a_change(contest, clock):
    """Once scoring closes the judges see each other's comments: what a judge wrote blind stays."""
    score_all(contest)
    contest.record_comment("R1", "O1", "汇报扎实。", judge("J1"), judge="J1")
    contest.close_round("R1", ADMIN)
    before = event_count(contest)
    for work in (lambda: contest.record_comment("R1", "O2", "看过别人的点评之后", judge("J2"), judge="J2"),
                 lambda: contest.correct_comment("R1", 1, "改成和别人一样", "改", judge("J1")),
                 lambda: contest.withdraw_comment("R1", 1, "撤回", judge("J1"))):
        with pytest.raises(errors.CommentsNotAccepted) as refused:
            work()
        assert "管理员" in refused.value.message("zh") and "admin" in refused.value.message("en")
    assert event_count(contest) == before
    contest.correct_comment("R1", 1, "汇报扎实，数据翔实。", "评委交来的更正稿", ADMIN)
    contest.record_comment("R1", "O2", "纸质点评补录", ADMIN, judge="J2", reason="评委 J2 的纸质点评交来晚了")
    rnd = contest.read(lambda s: s.round("R1"))
    assert [(c.judge, c.state, c.history[-1]["actor"]) for c in rnd.comments.values()] == [
        ("J1", "corrected", ADMIN.id), ("J2", "recorded", ADMIN.id)]


def test_once_scoring_closed_an_admin_records_a_judges_comment_only_with_a_reason_kept_in_its_history(contest):
    """Rulebook 17.2: the judges have seen each other's comments since the close, so a judge's
    comment entered after it says why; a leader's comment, or one recorded while scoring, need not."""
    contest.record_comment("R1", "O1", "评分中登记，不必写理由。", ADMIN, judge="J1")
    score_all(contest)
    contest.close_round("R1", ADMIN)
    before = event_count(contest)
    for reason in (None, "", "  \n "):
        with pytest.raises(errors.ReasonRequired) as refused:
            contest.record_comment("R1", "O2", "纸质点评补录", ADMIN, judge="J2", reason=reason)
        assert refused.value.field_errors("en").keys() == {"reason"}
        assert "J2" in refused.value.message("zh") and "--reason" in refused.value.message("zh")
        assert "--reason" in refused.value.message("en") and "reason" in refused.value.message("en")
    assert event_count(contest) == before  # nothing recorded
    number = contest.record_comment("R1", "O2", "纸质点评补录", ADMIN, judge="J2", reason="评委 J2 的纸质点评交来晚了")
    leader = contest.record_comment("R1", "O1", "书记点评。", ADMIN, leader=LEADER)  # a leader's: no reason asked
    rnd = contest.read(lambda s: s.round("R1"))
    assert [c.history[0]["reason"] for c in rnd.comments.values()] == [None, "评委 J2 的纸质点评交来晚了", None]
    read = project(contest)
    try:
        rows = {r["comment"]: r for r in comments(read, "R1")}
    finally:
        read.close()
    assert rows[number]["history"][0]["reason"] == "评委 J2 的纸质点评交来晚了" and rows[number]["history"][0][
        "actor"] == ADMIN.id
    assert rows[leader]["history"][0]["reason"] is None and rows[1]["history"][0]["reason"] is None
    from api.cli.comments import comments_text

    zh = comments_text([rows[number]], True)
    assert "登记，理由：评委 J2 的纸质点评交来晚了）" in zh, zh
    assert "reason: 评委 J2 的纸质点评交来晚了)" in comments_text([rows[number]], False)
    assert "登记，理由" not in comments_text([rows[1]], True)


def test_a_comment_recorded_before_reasons_existed_still_loads_without_one():
    """An event stored without the ``reason`` field (recorded before it existed) folds as the
    store and the read side rebuild it: object.__new__ and its stored __dict__."""
    from domain.model.round_comments import CommentRecorded

    stored = {"originator_id": None, "originator_version": 7, "timestamp": None, "actor": "admin", "role": "admin",
              "key": None, "comment": 1, "entrant": "O1", "author": "judge", "judge": "J1", "title": None,
              "stage": None, "text": "旧的点评"}
    event = object.__new__(CommentRecorded)
    object.__setattr__(event, "__dict__", stored)
    holder = type("Holder", (), {})()
    holder.comments = {}
    event.evolve(holder)
    assert event.reason is None and holder.comments[1].history[0]["reason"] is None
    assert holder.comments[1].text == "旧的点评"


def test_a_judge_not_seated_or_recused_may_not_comment(contest):
    before = event_count(contest)
    with pytest.raises(errors.JudgeNotSeated):
        contest.record_comment("R1", "O1", "我不在评委席", ADMIN, judge="J9")
    with pytest.raises(errors.JudgeRecused) as recused:  # J4's home unit is T1, like O1's
        contest.record_comment("R1", "O1", "同单位", judge("J4"), judge="J4")
    assert "不能点评" in recused.value.message("zh")
    with pytest.raises(errors.EntrantNotAdmitted):
        contest.record_comment("R1", "O3", "不是参赛组织", judge("J1"), judge="J1")
    assert event_count(contest) == before


@pytest.mark.parametrize("text, field", [("", "text"), ("坏\x1b[31m字", "text"), ("长" * 2001, "text")])
def test_bad_text_is_refused_naming_the_field(contest, text, field):
    before = event_count(contest)
    with pytest.raises(errors.InvalidValue) as bad:
        contest.record_comment("R1", "O1", text, judge("J1"), judge="J1")
    assert bad.value.fields["field"] == field and event_count(contest) == before


def test_a_comment_names_a_judge_or_a_leader_never_both_nor_neither(contest):
    for kw in ({}, {"judge": "J1", "leader": LEADER}):
        with pytest.raises(errors.InvalidValue) as bad:
            contest.record_comment("R1", "O1", "谁说的？", ADMIN, **kw)
        assert bad.value.fields["field"] == "author"


def test_a_withdrawn_comment_is_kept_and_can_be_neither_corrected_nor_withdrawn_again(contest):
    contest.record_comment("R1", "O1", "说错了", judge("J1"), judge="J1")
    with pytest.raises(errors.ReasonRequired):
        contest.withdraw_comment("R1", 1, " ", judge("J1"))
    contest.withdraw_comment("R1", 1, "评错了对象", judge("J1"))
    for work in (lambda: contest.correct_comment("R1", 1, "改", "改", judge("J1")),
                 lambda: contest.withdraw_comment("R1", 1, "再撤", judge("J1"))):
        with pytest.raises(errors.CommentAlreadyWithdrawn) as refused:
            work()
        assert "评错了对象" in refused.value.message("zh")
    with pytest.raises(errors.CommentNotFound):
        contest.correct_comment("R1", 7, "改", "改", ADMIN)
    read = project(contest)
    try:
        [row] = comments(read, "R1")
    finally:
        read.close()
    assert row["state"] == "withdrawn" and row["text"] == "说错了"


def test_an_idempotency_key_records_a_comment_once(contest):
    first = contest.record_comment("R1", "O1", "好", judge("J1"), judge="J1", key="phone-1:7")
    before = event_count(contest)
    again = contest.record_comment("R1", "O1", "好", judge("J1"), judge="J1", key="phone-1:7")
    assert again == first == 1 and event_count(contest) == before


# -- who may: domain/authority.py, asked about what each command changes --------------------


def J(code: str) -> Principal:
    return Principal(f"judge-{code.lower()}", (Grant("judge", contest="c", judge=code),))


ORG = Principal("org-o1", (Grant("organization", organization="O1"),))
OTHER_ADMIN = Principal("t2-admin", (Grant("admin", contest="c", unit="T2"),))
T1_ADMIN = Principal("t1-admin", (Grant("admin", contest="c", unit="T1"),))
AUDITOR = Principal("auditor", (Grant("auditor"),))


def test_a_judge_records_corrects_and_withdraws_only_their_own_comments(contest):
    as_j1 = Actor("judge-j1", "judge")
    outcome(contest, lambda s: s.record_comment("R1", "O1", "J1 的点评", as_j1, judge="J1"), J("J1"))
    outcome(contest, lambda s: s.correct_comment("R1", 1, "J1 改过的点评", "补充", as_j1), J("J1"))
    outcome(contest, lambda s: s.record_comment("R1", "O2", "领导点评", ADMIN, leader=LEADER))
    before = event_count(contest)
    as_j2 = Actor("judge-j2", "judge")
    refused = [
        (lambda s: s.record_comment("R1", "O1", "冒名", as_j2, judge="J1"), J("J2")),  # for another judge
        (lambda s: s.correct_comment("R1", 1, "改别人的", "改", as_j2), J("J2")),  # another judge's comment
        (lambda s: s.withdraw_comment("R1", 1, "撤别人的", as_j2), J("J2")),
        (lambda s: s.correct_comment("R1", 2, "改领导的", "改", as_j1), J("J1")),  # a leader's comment
        (lambda s: s.record_comment("R1", "O1", "冒充领导", as_j1, leader=LEADER), J("J1")),
        (lambda s: s.record_comment("R1", "O1", "组织自评", Actor("org-o1", "organization"), leader="村书记"), ORG),
        (lambda s: s.record_comment("R1", "O1", "组织", Actor("org-o1", "organization"), judge="J1"), ORG),
        (lambda s: s.record_comment("R1", "O1", "外镇", Actor("t2-admin", "admin"), leader=LEADER), OTHER_ADMIN),
        (lambda s: s.withdraw_comment("R1", 2, "外镇", Actor("t2-admin", "admin")), OTHER_ADMIN),
        (lambda s: s.record_comment("R1", "O1", "审计", Actor("auditor", "auditor"), leader="纪委"), AUDITOR),
    ]
    for work, who in refused:
        with pytest.raises(errors.OutOfScope):
            outcome(contest, work, who)
    assert event_count(contest) == before
    t1 = Actor("t1-admin", "admin")
    assert outcome(contest, lambda s: s.withdraw_comment("R1", 1, "管理员撤回", t1), T1_ADMIN).recorded == 1
    assert outcome(contest, lambda s: s.record_comment("R1", "O1", "纸质点评", t1, judge="J3"), T1_ADMIN).recorded == 1


def test_live_batches_leave_the_comments_a_rebuild_writes(contest):
    from projections.tables import COMMENTS

    contest.record_comment("R1", "O1", "第一条", judge("J1"), judge="J1")
    contest.record_comment("R1", "O2", "第二条", ADMIN, leader=LEADER)
    contest.correct_comment("R1", 1, "第一条（改）", "改", judge("J1"))
    contest.withdraw_comment("R1", 2, "撤", ADMIN)
    contest.record_comment("R1", "O2", "第三条", judge("J2"), judge="J2", stage="现场观摩")
    live = Projector(contest.store, batch_size=2)
    live.load()
    while live.step():
        pass
    live.close()
    read = ReadModels(contest.store)
    try:
        generation, _ = read.store.state()

        def rows(g: int) -> list[tuple]:
            sql = f"SELECT * FROM {COMMENTS.physical(g)} ORDER BY round, comment"
            return [tuple(r) for r in read.store.connection().execute(sql).fetchall()]

        stepped = rows(generation)
        rebuilder = Projector(contest.store)
        rebuilder.rebuild()
        rebuilder.close()
        assert rows(1 - generation) == stepped and len(stepped) == 3
        assert [r[11] for r in stepped] == ["corrected", "withdrawn", "recorded"]
    finally:
        read.close()
