"""The read rules of domain/access.py, as the pure functions they are: blind judges and
what an organization sees of an objection about it."""

from __future__ import annotations

import pytest

from domain import access
from domain.access import Principal, RoundView
from domain.model.account import Grant

SEATED = Principal("judge1", (Grant("judge", contest="c", judge="J1"),))
UNSEATED = Principal("judge5", (Grant("judge", contest="c", judge="J5"),))
ADMIN = Principal("town1", (Grant("admin", contest="c", unit="T1"),))
AUDITOR = Principal("auditor", (Grant("auditor"),))
ORG1 = Principal("org1", (Grant("organization", organization="O1"),))
ORG2 = Principal("org2", (Grant("organization", organization="O2"),))
PUBLIC = Principal(None)
# a judge who also holds the account of an entrant: while judging, the seat decides
JUDGE_AND_ORG = Principal("both", (Grant("judge", contest="c", judge="J1"), Grant("organization", organization="O1")))
# a judge who also runs the round sees what its organizers see
JUDGE_AND_ADMIN = Principal("both2", (Grant("judge", contest="c", judge="J1"), Grant("admin", contest="c", unit="T1")))


def round_in(status: str, live_board: bool = False) -> RoundView:
    return RoundView("R", "c", ("T1", "C"), status, frozenset({"J1", "J2", "J3"}), frozenset({"O1", "O2"}),
                     live_board)


@pytest.mark.parametrize("status", ["scheduled", "open"])
def test_a_seated_judge_is_blind_while_the_round_is_scored(status: str) -> None:
    r = round_in(status)
    assert access.blind(SEATED, r) and access.blind(JUDGE_AND_ORG, r)
    for who in (SEATED, JUDGE_AND_ORG, UNSEATED, PUBLIC):
        assert not access.sees_round(who, r), who.name
        assert not access.sees_all_marks(who, r), who.name
        assert not access.sees_entrant(who, r, "O1"), who.name
    assert access.sees_sheet(SEATED, r, "J1", "O1")  # their own sheets, yes
    assert not access.sees_sheet(SEATED, r, "J2", "O1")
    assert access.reads_sheets(SEATED, r) and not access.reads_sheets(UNSEATED, r)
    for who in (ADMIN, AUDITOR, JUDGE_AND_ADMIN):
        assert access.sees_round(who, r) and not access.blind(who, r)
    assert access.sees_round(ORG1, r)  # an entrant follows its round (not a judge)


def test_the_live_board_is_the_one_public_exception() -> None:
    r = round_in("open", live_board=True)
    assert not access.blind(SEATED, r)
    for who in (SEATED, UNSEATED, PUBLIC):
        assert access.sees_round(who, r)
        assert not access.sees_all_marks(who, r) and not access.sees_entrant(who, r, "O1")
    assert not access.sees_sheet(SEATED, r, "J2", "O1")


@pytest.mark.parametrize("status", ["closed", "published", "final"])
def test_after_close_the_panel_sees_every_mark(status: str) -> None:
    r = round_in(status)
    assert not access.blind(SEATED, r)
    assert access.sees_round(SEATED, r) and access.sees_all_marks(SEATED, r) and access.sees_entrant(SEATED, r, "O2")
    assert access.sees_sheet(SEATED, r, "J2", "O2")
    assert access.sees_round(UNSEATED, r) == (status in access.PUBLIC_RESULTS)  # what the public sees
    assert access.sees_all_marks(UNSEATED, r) == (status == "final")


APPEAL = {"round": "R", "appeal": 7, "contest": "c", "kind": "objection", "entrant": "O1", "name": "张三",
          "contact": "139", "text": "O1 的书记没有亲自讲", "filed_on": "2025-05-21", "filed_by": "town1",
          "decision": "dismissed", "reply": "经核查不属实", "ruled_on": "2025-05-22", "ruled_by": "town1",
          "corrections": "", "position": 40}
OWN = {**APPEAL, "appeal": 8, "name": "李四", "text": "对本村得分有异议", "filed_by": "org1"}


def test_an_objection_reaches_the_organization_objected_to_without_its_objector() -> None:
    r = round_in("published")
    seen = access.appeal_as_seen(ORG1, r, APPEAL)
    assert seen is not None
    assert {k: seen[k] for k in access.OBJECTOR} == {"name": None, "contact": None, "text": None, "filed_by": None}
    assert (seen["decision"], seen["reply"], seen["filed_on"], seen["kind"]) == ("dismissed", "经核查不属实",
                                                                                  "2025-05-21", "objection")
    assert access.appeal_as_seen(ORG1, r, OWN) == OWN  # the objector's own: all of it
    assert access.appeal_as_seen(ORG2, r, APPEAL) is None and access.appeal_as_seen(ORG2, r, OWN) is None
    assert access.appeal_as_seen(ADMIN, r, APPEAL) == APPEAL and access.appeal_as_seen(AUDITOR, r, OWN) == OWN
    for who in (PUBLIC, SEATED, UNSEATED):
        assert access.appeal_as_seen(who, r, APPEAL) is None and not access.reads_appeals(who, r)
