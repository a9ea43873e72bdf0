"""Comments (点评, rulebook section 17) in the domain, without any store: the Round records
them outside its seal log, the access policy hides them like sheets while the round is
scored, and the authority lets a judge change only their own."""

from __future__ import annotations

from typing import Any

import pytest

from domain import access, authority, errors
from domain.access import Principal, RoundView
from domain.model.account import Grant
from domain.model.base import Actor
from domain.model.round import Round
from domain.model.round_events import RESULT_CHANGING

ADMIN = Actor("admin", "admin")
J1, J2 = Actor("j1", "judge"), Actor("j2", "judge")


def open_round() -> Round:
    rnd = Round.schedule("R", "c", "township", "T1", "2025-05", "", "meeting",
                         {"code": "town", "version": 1, "digest": "sha256:0"}, {}, None, "unit", ADMIN)
    for judge, home in (("J1", "C"), ("J2", "C"), ("J3", "T1")):
        rnd.seat_judge(judge, f"评委{judge}", home, ADMIN)
    rnd.admit("O1", "村一", "T1", {}, ADMIN)
    rnd.admit("O2", "村二", "T1", {}, ADMIN)
    rnd.open(ADMIN)
    return rnd


def test_comments_are_numbered_in_the_round_and_stay_out_of_its_seal_log() -> None:
    rnd = open_round()
    seal_log = [dict(e) for e in rnd.seal_log]
    assert rnd.record_comment("O1", "讲得好", J1, judge="J1") == 1
    assert rnd.record_comment("O2", "要加强", ADMIN, leader="镇党委书记 张三", stage="书记点评") == 2
    assert rnd.correct_comment(1, "讲得很好", "措辞", J1) == 1
    assert rnd.withdraw_comment(2, "重复", ADMIN) == 2
    assert rnd.seal_log == seal_log  # what a seal hashes is unchanged
    names = {type(e).__name__ for e in rnd.collect_events()}
    assert {"CommentRecorded", "CommentCorrected", "CommentWithdrawn"} <= names
    assert not names & RESULT_CHANGING  # never a checkpoint, never a new publicity period
    one, two = rnd.comments[1], rnd.comments[2]
    assert (one.text, one.state, [h["text"] for h in one.history]) == ("讲得很好", "corrected", ["讲得好", "讲得很好"])
    assert (two.author, two.title, two.judge, two.state, two.history[-1]["reason"]) == (
        "leader", "镇党委书记 张三", None, "withdrawn", "重复")


def test_a_recused_judge_and_a_judge_not_seated_are_refused() -> None:
    rnd = open_round()  # J3's home unit is T1, like the entrants'
    with pytest.raises(errors.JudgeRecusedFromComment):
        rnd.record_comment("O1", "同单位", Actor("j3", "judge"), judge="J3")
    with pytest.raises(errors.JudgeNotSeated):
        rnd.record_comment("O1", "不在席", ADMIN, judge="J9")
    assert rnd.comments == {}


def test_a_comment_is_refused_before_the_opening_and_its_message_says_how_to_open() -> None:
    rnd = Round.schedule("S", "c", "township", "T1", "2025-05", "", "meeting", {"code": "town", "version": 1},
                         {}, None, "unit", ADMIN)
    with pytest.raises(errors.CommentsNotAccepted) as refused:
        rnd.record_comment("O1", "早", ADMIN, leader="书记")
    assert "leitai open S" in refused.value.message("zh") and "leitai open S" in refused.value.message("en")


# -- who sees what ---------------------------------------------------------------------------

SEATED_1 = Principal("judge1", (Grant("judge", contest="c", judge="J1"),))
SEATED_2 = Principal("judge2", (Grant("judge", contest="c", judge="J2"),))
TOWN = Principal("town1", (Grant("admin", contest="c", unit="T1"),))
AUDITOR = Principal("auditor", (Grant("auditor"),))
ORG1 = Principal("org1", (Grant("organization", organization="O1"),))
PUBLIC = Principal(None)
MINE = {"judge": "J1", "state": "recorded", "text": "J1 的"}
THEIRS = {"judge": "J2", "state": "corrected", "text": "J2 的"}
LEADERS = {"judge": None, "state": "recorded", "text": "领导的"}
GONE = {"judge": "J1", "state": "withdrawn", "text": "撤回的"}
ALL = (MINE, THEIRS, LEADERS, GONE)


def view(status: str) -> RoundView:
    return RoundView("R", "c", ("T1", "C"), status, frozenset({"J1", "J2"}), frozenset({"O1", "O2"}))


def seen(p: Principal, status: str) -> list[str]:
    return [c["text"] for c in ALL if access.comment_as_seen(p, view(status), c) is not None]


@pytest.mark.parametrize("status", ["open", "closed", "published", "final"])
def test_the_rounds_admins_and_auditors_see_every_comment_always(status: str) -> None:
    assert seen(TOWN, status) == seen(AUDITOR, status) == ["J1 的", "J2 的", "领导的", "撤回的"]


def test_a_judge_sees_their_own_while_scoring_and_everyones_once_closed() -> None:
    assert seen(SEATED_1, "open") == ["J1 的", "撤回的"] and seen(SEATED_2, "open") == ["J2 的"]
    assert seen(SEATED_1, "closed") == ["J1 的", "J2 的", "领导的", "撤回的"]
    assert seen(SEATED_2, "closed") == ["J1 的", "J2 的", "领导的"]  # never another judge's withdrawn one


@pytest.mark.parametrize("who", [ORG1, PUBLIC])
def test_entrants_and_the_public_see_them_once_published_never_a_withdrawn_one(who: Principal) -> None:
    for status in ("scheduled", "open", "closed"):
        assert seen(who, status) == [] and not access.reads_comments(who, view(status))
    for status in ("published", "final"):
        assert seen(who, status) == ["J1 的", "J2 的", "领导的"] and access.reads_comments(who, view(status))


# -- who may change them (domain/authority.py) --------------------------------------------------


class Directory:
    def units(self, contest: str) -> dict[str, str | None]:
        return {"C": None, "T1": "C", "T2": "C"}

    def round(self, code: str) -> Any:
        return None

    def organization(self, code: str) -> Any:
        return None


def refused(p: Principal, rnd: Round) -> bool:
    touch = authority.Touch(rnd, tuple(rnd.collect_events()))
    return authority.refusal(p, [touch], Directory()) is not None


@pytest.mark.parametrize("change, who, allowed", [
    (lambda r: r.record_comment("O1", "我的", J1, judge="J1"), SEATED_1, True),
    (lambda r: r.record_comment("O1", "冒名", J1, judge="J2"), SEATED_1, False),
    (lambda r: r.record_comment("O1", "冒充领导", J1, leader="镇长"), SEATED_1, False),
    (lambda r: r.correct_comment(1, "改自己的", "改", J1), SEATED_1, True),
    (lambda r: r.correct_comment(1, "改别人的", "改", J2), SEATED_2, False),
    (lambda r: r.withdraw_comment(2, "撤领导的", J1), SEATED_1, False),
    (lambda r: r.record_comment("O1", "组织", ADMIN, leader="村书记"), ORG1, False),
    (lambda r: r.record_comment("O1", "审计", ADMIN, leader="纪委"), AUDITOR, False),
    (lambda r: r.withdraw_comment(2, "管理员撤回", ADMIN), TOWN, True),
    (lambda r: r.record_comment("O1", "外镇", ADMIN, leader="书记"),
     Principal("town2", (Grant("admin", contest="c", unit="T2"),)), False),
])
def test_a_judge_changes_only_their_own_comments_and_a_leaders_only_an_admin(change: Any, who: Principal,
                                                                           allowed: bool) -> None:
    rnd = open_round()
    rnd.record_comment("O1", "J1 的", J1, judge="J1")
    rnd.record_comment("O1", "领导的", ADMIN, leader="镇党委书记 张三")
    rnd.collect_events()  # what came before is saved: only the change is asked about
    change(rnd)
    assert refused(who, rnd) is not allowed
