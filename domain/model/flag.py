"""The Flag aggregate: one flag (红旗, e.g. one of 五面红旗) of one organization in one cycle
(rulebook section 19.4), independent of its stars.

Nominated -> Assessed (each criterion checked, its result recorded with its evidence; may be
assessed again) -> Awarded | Declined; Awarded -> Revoked.  A flag is awarded only on an
assessment whose every criterion is met: there is no override.
"""

from __future__ import annotations

import json
from typing import Any

from domain import text as texts
from domain.errors import FlagCriteriaNotMet, FlagNeedsSecondPerson, FlagStateError
from domain.ids import flag_id
from domain.model.base import Actor, LeitaiAggregate, require_reason

NOMINATED, ASSESSED, AWARDED, DECLINED, REVOKED = "nominated", "assessed", "awarded", "declined", "revoked"
STATE_ZH = {NOMINATED: "已提名", ASSESSED: "已核验", AWARDED: "已授予", DECLINED: "不授予", REVOKED: "已撤销"}


def _same(results: list[dict[str, Any]]) -> str:
    """Results as stored (JSON: tuples become lists), to compare an assessment with a check now."""
    return json.dumps(results, sort_keys=True, ensure_ascii=False, default=str)


class Flag(LeitaiAggregate):
    class Nominated(LeitaiAggregate.Created):
        contest: str
        organization: str
        flag: str
        name: str
        cycle: str
        rules: dict[str, Any]  # code, version, digest of the rule set whose [[flags]] it follows
        chosen: bool = False  # the rules were named by hand, not the contest's own of the cycle

        def evolve(self, f: Flag) -> None:
            f.contest, f.organization, f.flag, f.name = self.contest, self.organization, self.flag, self.name
            f.cycle, f.rules = self.cycle, dict(self.rules)
            if "_id" not in vars(f):  # the read side folds with evolve alone: the id follows from the fields
                f._id = flag_id(self.organization, self.flag, self.cycle)
            f.history.append({"step": NOMINATED, "seq": self.originator_version, "actor": self.actor})

    class Assessed(LeitaiAggregate.Event):
        results: list[dict[str, Any]]  # each criterion, its evidence ("found") and whether it is "met"
        met: bool

        def evolve(self, f: Flag) -> None:
            f.results, f.met, f.state = [dict(r) for r in self.results], self.met, ASSESSED
            f.history.append({"step": ASSESSED, "met": self.met, "seq": self.originator_version, "actor": self.actor})

    class Awarded(LeitaiAggregate.Event):
        note: str

        def evolve(self, f: Flag) -> None:
            f.state = AWARDED
            f.history.append({"step": AWARDED, "note": self.note, "seq": self.originator_version, "actor": self.actor})

    class Declined(LeitaiAggregate.Event):
        reason: str

        def evolve(self, f: Flag) -> None:
            f.state = DECLINED
            f.history.append({"step": DECLINED, "reason": self.reason, "seq": self.originator_version,
                              "actor": self.actor})

    class Revoked(LeitaiAggregate.Event):
        reason: str

        def evolve(self, f: Flag) -> None:
            f.state = REVOKED
            f.history.append({"step": REVOKED, "reason": self.reason, "seq": self.originator_version,
                              "actor": self.actor})

    def __init__(self) -> None:
        super().__init__()
        self.contest = self.organization = self.flag = self.name = self.cycle = ""
        self.rules: dict[str, Any] = {}
        self.state = NOMINATED
        self.results: list[dict[str, Any]] = []
        self.met: bool | None = None  # None: not assessed
        self.history: list[dict[str, Any]] = []

    @classmethod
    def nominate(cls, contest: str, organization: str, flag: str, name: str, cycle: str, rules: dict[str, Any],
                 by: Actor, key: str | None = None, chosen: bool = False) -> Flag:
        return cls._start(cls.Nominated, flag_id(organization, flag, cycle), by, key, contest=contest,
                          organization=organization, flag=flag, name=name, cycle=cycle, rules=rules, chosen=chosen)

    def assess(self, results: list[dict[str, Any]], by: Actor, key: str | None = None) -> None:
        if self.seen(key) is not None:
            return
        self._in(NOMINATED, ASSESSED, action="assess its criteria", action_zh="核验条件")
        self._record(self.Assessed, by, key, results=results, met=all(r["met"] for r in results))

    def award(self, note: str | None, by: Actor, key: str | None = None,
              evidence_now: list[dict[str, Any]] | None = None, recorded_by: frozenset[str] = frozenset()) -> None:
        """Refused unless assessed with every criterion met (a flag decided without its criteria),
        by an account other than the assessment's (four eyes), and - given ``evidence_now``, the
        criteria checked again at this moment - on the evidence the assessment saw."""
        if self.seen(key) is not None:
            return
        if self.state == NOMINATED:
            raise FlagCriteriaNotMet(organization=self.organization, flag=self.name, cycle=self.cycle,
                                     unmet="", unmet_zh="", why="its criteria were not assessed",
                                     why_zh="条件尚未核验")
        self._in(ASSESSED, action="award it", action_zh="授予")
        assessor = next(h["actor"] for h in reversed(self.history) if h["step"] == ASSESSED)
        if by.id == assessor or by.id in recorded_by:  # ``recorded_by``: who recorded the honours it rests on
            raise FlagNeedsSecondPerson(organization=self.organization, flag=self.name, cycle=self.cycle,
                                        assessor=by.id)
        if not self.met:
            unmet = [r for r in self.results if not r["met"]]
            from domain.rules.flags import describe  # words for the refusal only
            raise FlagCriteriaNotMet(organization=self.organization, flag=self.name, cycle=self.cycle,
                                     unmet=" Not met: " + "; ".join(describe(r, "en") for r in unmet) + ".",
                                     unmet_zh="不满足的条件：" + "；".join(describe(r, "zh") for r in unmet) + "。",
                                     why="the last assessment found criteria not met", why_zh="最后一次核验有条件不满足")
        if evidence_now is not None and _same(evidence_now) != _same(self.results):
            raise FlagCriteriaNotMet(organization=self.organization, flag=self.name, cycle=self.cycle,
                                     unmet=" Assess it again (`leitai flag assess`) and award on that assessment.",
                                     unmet_zh="请重新核验（`leitai flag assess`）后按新的核验结果授予。",
                                     why="the evidence changed since it was assessed",
                                     why_zh="核验之后依据的荣誉、平台数据或成绩有变化")
        self._record(self.Awarded, by, key, note=texts.text(note or "", "note", required=False))

    def decline(self, reason: str, by: Actor, key: str | None = None) -> None:
        if self.seen(key) is not None:
            return
        self._in(NOMINATED, ASSESSED, action="decline it", action_zh="决定不授予")
        self._record(self.Declined, by, key, reason=require_reason(reason, "decline a flag", "决定不授予红旗"))

    def revoke(self, reason: str, by: Actor, key: str | None = None) -> None:
        if self.seen(key) is not None:
            return
        self._in(AWARDED, action="revoke it", action_zh="撤销")
        self._record(self.Revoked, by, key, reason=require_reason(reason, "revoke a flag", "撤销红旗"))

    def _in(self, *states: str, action: str, action_zh: str) -> None:
        if self.state not in states:
            raise FlagStateError(organization=self.organization, flag=self.name, cycle=self.cycle, state=self.state,
                                 state_zh=STATE_ZH[self.state], action=action, action_zh=action_zh)
