"""The Round aggregate: one arena at one level in one unit, in one period.

Commands check first and then record one or more events from
:mod:`domain.model.round_events`; they never do I/O.  The rule set a command needs
is passed in by the application service, which loads the version the round records.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

from domain.errors import (
    AdjustmentOverCap,
    AppealNotFound,
    AppealNotUpheld,
    DuplicateSheet,
    EntrantNotActive,
    InputReplacementNeedsReason,
    EntrantNotAdmitted,
    InvalidValue,
    JudgeNotSeated,
    JudgeRecused,
    LinkedRoundNotClosed,
    MarkInvalid,
    RoundStateError,
    SheetNotFound,
    SheetsNotAccepted,
    SheetsNotYetAccepted,
    TooFewSheets,
    VotesFromBallots,
)
from domain import text as texts
from domain.ids import round_id
from domain.model import round_events as ev
from domain.model.base import Actor, LeitaiAggregate, require_reason
from domain.model.round_comments import RoundComments
from domain.model.round_publicity import RoundPublicity, change_notice, published_changes
from domain.numbers import NotANumber, canonical, decimal_places, exact_text, fraction, parse_decimal, units
from domain.rules.engine import RoundResult, compute_round
from domain.rules.facts import AdjustmentFact, EntrantFact, RoundFacts, SheetFact
from domain.rules.ruleset import RuleSet
from domain.rules.standings import RoundPlacing
from domain.rules.seal import compute_seal
from domain.workdays import WorkCalendar

FORMS = ("meeting", "site", "project")
MAX_JUDGES = 99  # the largest panels seen are 31 judges
MAX_ENTRANTS = 5_000
ENTRANT_STATUS_ZH = {"disqualified": "取消资格", "withdrawn": "退出"}


def criterion_key(code: Any) -> str:
    """A criterion code as typed (``Party``, ``ｐａｒｔｙ``) in the rulebook's form (``party``)."""
    if not isinstance(code, str):
        return str(code)
    return unicodedata.normalize("NFKC", code).strip().lower()


@lru_cache(maxsize=65536)
def mark_value(text: str) -> Fraction:
    """A recorded decimal as a Fraction; marks repeat a lot, so each text is parsed once."""
    return fraction(text)


_UNITS: dict[str, int | None] = {}  # mark text -> whole millionths (marks repeat a lot)


def sheet_units(marks: dict[str, str]) -> int | None:
    """A sheet's total in whole millionths, or None if a mark has more than six decimals."""
    total = 0
    cache = _UNITS
    for text in marks.values():
        value = cache.get(text, -1)
        if value == -1:
            if len(cache) > 100_000:
                cache.clear()
            value = cache[text] = units(text)
        if value is None:
            return None
        total += value
    return total


@dataclass(frozen=True)
class LinkedRound:
    """A round feeding one component of this round (rulebook section 3, source "round")."""

    component: str
    round: str
    status: str
    seal: str | None
    finals: dict[str, Fraction]  # organization -> unrounded final


class Round(RoundPublicity, RoundComments, LeitaiAggregate):  # comments: rulebook section 17
    def __init__(self) -> None:
        super().__init__()
        self.code = self.contest = self.level = self.unit = self.period = ""
        self.theme = self.form = self.entrants_mode = ""
        self.rules: dict[str, Any] = {}
        self.links: dict[str, str] = {}
        self.promotes_to: str | None = None
        self.track = ""  # 赛道 (rulebook section 20): only organizations of this track are admitted
        self.status = ev.SCHEDULED
        self.judges: dict[str, ev.JudgeSeat] = {}
        self.entrants: dict[str, ev.EntrantRecord] = {}
        self.recusals: dict[tuple[str, str], str] = {}
        self.sheets: dict[int, ev.SheetRecord] = {}
        self.live: dict[tuple[str, str], int] = {}
        self.adjustments: dict[int, ev.AdjustmentRecord] = {}
        self.inputs: dict[tuple[str, str], tuple[str, int]] = {}
        self.input_log: dict[tuple[str, str], list[ev.InputEntry]] = {}  # every value recorded, oldest first
        self.revisions: list[dict[str, Any]] = []  # finalists withdrawn or admitted when a source round changed
        self.seal: str | None = None
        self.results: list[dict[str, Any]] | None = None
        self.publicity: ev.Publicity | None = None  # the current publicity period
        self.publications: list[ev.Publicity] = []  # every period, the first one first
        self.closed_on: str | None = None
        self.live_board = False  # 现场亮分: the live board is public while scoring
        self.appeals: dict[int, ev.AppealRecord] = {}
        self.promotions: dict[str, dict[str, Any]] = {}
        self.seal_log: list[dict[str, Any]] = []

    # -- scheduling ---------------------------------------------------------------

    @classmethod
    def schedule(cls, code: str, contest: str, level: str, unit: str, period: str, theme: str, form: str,
                 rules: dict[str, Any], links: dict[str, str], promotes_to: str | None,
                 entrants_mode: str, by: Actor, key: str | None = None, track: str = "") -> Round:
        if form not in FORMS:
            raise InvalidValue("form", form, f"must be one of {', '.join(FORMS)}", f"应为 {'、'.join(FORMS)} 之一")
        return cls._start(ev.Scheduled, round_id(code), by, key, code=code, contest=contest, level=level,
                          unit=unit, period=period, theme=theme, form=form, rules=dict(rules),
                          links=dict(links), promotes_to=promotes_to, entrants_mode=entrants_mode,
                          track=track)

    def assign_rules(self, ref: dict[str, Any], rules: RuleSet, reason: str, by: Actor,
                     key: str | None = None) -> bool:
        """Compute this round under another rule-set version (only before closing)."""
        if ref == self.rules:
            return False
        self._require(ev.SCHEDULED, ev.OPEN, action="change its rule set", action_zh="更换评分规则")
        for record in self.sheets.values():
            if not record.voided:
                self._check_marks(rules, record.judge, record.entrant, record.marks)
        self._record(ev.RulesAssigned, by, key, rules=dict(ref),
                     reason=require_reason(reason, "change a round's rule set", "更换评分规则"))
        return True

    def seat_judge(self, judge: str, name: str, home_unit: str | None, by: Actor, key: str | None = None) -> bool:
        if judge in self.judges:
            return False
        if len(self.judges) >= MAX_JUDGES:
            raise InvalidValue("judges", judge, f"a panel has at most {MAX_JUDGES} judges", f"评委席最多 {MAX_JUDGES} 人")
        self._require(ev.SCHEDULED, ev.OPEN, action="seat a judge", action_zh="增补评委")
        self._record(ev.JudgeSeated, by, key, judge=judge, name=name, home_unit=home_unit)
        for entrant in sorted(self.entrants.values(), key=lambda e: e.code):
            if home_unit is not None and entrant.unit == home_unit:
                self._recuse_home_unit(judge, entrant.code, by, key)
        return True

    def admit(self, entrant: str, name: str, unit: str, source: dict[str, Any], by: Actor,
              key: str | None = None) -> bool:
        if entrant in self.entrants:
            return False
        self._require(ev.SCHEDULED, ev.OPEN, action="admit an entrant", action_zh="增加参赛组织")
        if len(self.entrants) >= MAX_ENTRANTS:
            raise InvalidValue("entrants", entrant, f"a round has at most {MAX_ENTRANTS} entrants",
                               f"一个轮次最多 {MAX_ENTRANTS} 个参赛组织")
        self._record(ev.EntrantAdmitted, by, key, entrant=entrant, name=name, unit=unit, source=dict(source))
        for judge in sorted(self.judges.values(), key=lambda j: j.code):
            if judge.home_unit is not None and judge.home_unit == unit:
                self._recuse_home_unit(judge.code, entrant, by, key)
        return True

    def _recuse_home_unit(self, judge: str, entrant: str, by: Actor, key: str | None) -> None:
        if (judge, entrant) not in self.recusals:
            self._record(ev.JudgeRecused, by, key, judge=judge, entrant=entrant, reason="home_unit", automatic=True)

    def recuse(self, judge: str, entrant: str, reason: str, by: Actor, key: str | None = None) -> bool:
        """A declared recusal (conflict of interest); any sheet the judge gave it stops counting."""
        self._judge(judge)
        self._entrant(entrant)
        if (judge, entrant) in self.recusals:
            return False
        self._require(ev.SCHEDULED, ev.OPEN, action="record a recusal", action_zh="登记回避")
        self._record(ev.JudgeRecused, by, key, judge=judge, entrant=entrant,
                     reason=require_reason(reason, "declare a recusal", "声明回避"), automatic=False)
        return True

    def set_live_board(self, on: bool, by: Actor, key: str | None = None) -> bool:
        if not isinstance(on, bool):
            raise InvalidValue("live_board", on, "must be true or false", "应为 true 或 false")
        if on == self.live_board:
            return False
        self._record(ev.LiveBoardSet, by, key, on=on)
        return True

    def open(self, by: Actor, key: str | None = None) -> None:
        if self.status == ev.OPEN:
            return
        self._require(ev.SCHEDULED, action="open for scoring", action_zh="开始评分")
        self._record(ev.Opened, by, key)

    # -- scoring ------------------------------------------------------------------

    def submit_sheet(self, rules: RuleSet, judge: str, entrant: str, marks: dict[str, Any], by: Actor,
                     key: str | None = None) -> int:
        if (done := self.seen(key)) is not None:
            return done
        if self.status != ev.OPEN:
            raise (SheetsNotYetAccepted if self.status == ev.SCHEDULED else SheetsNotAccepted)(
                round=self.code, status=self.status)
        self._judge(judge)
        self._active_entrant(entrant, "be scored", "评分")
        self._not_recused(judge, entrant)
        if (judge, entrant) in self.live:
            raise DuplicateSheet(round=self.code, judge=judge, entrant=entrant,
                                 sheet=self.ref(self.live[(judge, entrant)]))
        clean = self._check_marks(rules, judge, entrant, marks)
        return self._record(ev.SheetSubmitted, by, key, judge=judge, entrant=entrant, marks=clean)

    def correct_sheet(self, rules: RuleSet, judge: str, entrant: str, marks: dict[str, Any], reason: str,
                      by: Actor, key: str | None = None, appeal: int | None = None) -> int:
        if (done := self.seen(key)) is not None:
            return done
        self._require_correctable(appeal, "correct a sheet", "更正评分表")
        record = self._live_sheet(judge, entrant)
        clean = self._check_marks(rules, judge, entrant, marks)
        reason = require_reason(reason, "correct a sheet", "更正评分表")
        if clean == record.marks:
            return record.ref  # the same marks again: nothing to correct, nothing recorded
        return self._record(ev.SheetCorrected, by, key, sheet=record.sheet, replaces=record.ref, judge=judge,
                            entrant=entrant, marks=clean, reason=reason, appeal=appeal)

    def void_sheet(self, judge: str, entrant: str, reason: str, by: Actor, key: str | None = None,
                   appeal: int | None = None) -> int:
        if (done := self.seen(key)) is not None:
            return done
        self._require_correctable(appeal, "void a sheet", "作废评分表")
        record = self._live_sheet(judge, entrant)
        return self._record(ev.SheetVoided, by, key, sheet=record.sheet, replaces=record.ref, judge=judge,
                            entrant=entrant, reason=require_reason(reason, "void a sheet", "作废评分表"),
                            appeal=appeal)

    def record_adjustment(self, rules: RuleSet, entrant: str, points: Any, reason: str, by: Actor,
                          key: str | None = None, appeal: int | None = None) -> int:
        if (done := self.seen(key)) is not None:
            return done
        self._require_inputs(appeal, "record a bonus or penalty", "登记加减分")
        self._active_entrant(entrant, "receive adjustments", "加减分")
        try:
            value = parse_decimal(points)
        except NotANumber as bad:
            raise InvalidValue("points", points, f"must be a number (> 0 bonus, < 0 penalty): {bad.problem}",
                               f"应为数字（正数为加分，负数为减分）：{bad.problem_zh}") from None
        if decimal_places(value) > 4:
            raise InvalidValue("points", points, "at most 4 decimals", "最多保留 4 位小数")
        if value == 0:
            raise InvalidValue("points", points, "an adjustment of 0 points changes nothing", "加减分不能为 0")
        reason = require_reason(reason, "record a bonus or penalty", "登记加减分")
        kind, cap = ("bonus", rules.max_bonus) if value > 0 else ("penalty", rules.max_penalty)
        total = abs(fraction(value)) + sum(
            (abs(fraction(a.points)) for a in self.adjustments.values()
             if a.entrant == entrant and not a.revoked and (fraction(a.points) > 0) == (value > 0)),
            Fraction(0))
        if total > cap:
            raise AdjustmentOverCap(round=self.code, entrant=entrant, kind=kind,
                                    kind_zh="加分" if kind == "bonus" else "减分",
                                    total=exact_text(total), cap=exact_text(cap))
        return self._record(ev.AdjustmentRecorded, by, key, entrant=entrant, points=canonical(value),
                            reason=reason, appeal=appeal)

    def revoke_adjustment(self, adjustment: int, reason: str, by: Actor, key: str | None = None,
                          appeal: int | None = None) -> int:
        if (done := self.seen(key)) is not None:
            return done
        self._require_inputs(appeal, "revoke an adjustment", "撤销加减分")
        record = self.adjustments.get(adjustment)
        if record is None or record.revoked:
            raise InvalidValue("adjustment", self.ref(adjustment), "no such adjustment in force",
                               "没有这项有效的加减分")
        return self._record(ev.AdjustmentRevoked, by, key, adjustment=adjustment,
                            reason=require_reason(reason, "revoke an adjustment", "撤销加减分"), appeal=appeal)

    def record_input(self, rules: RuleSet, entrant: str, component: str, value: Any, by: Actor,
                     key: str | None = None, appeal: int | None = None, reason: str | None = None,
                     counted: bool = False) -> int | None:
        """Record an assessment value (or a vote count); the same value again records nothing.
        A value that replaces another needs a reason (under an upheld appeal, its reply is the
        reason unless one is given); the replaced value stays in the history.  A ``votes``
        component that the rules' [voting] feeds is written by the count alone (``counted``)."""
        if (done := self.seen(key)) is not None:
            return done
        self._entrant(entrant)
        component = criterion_key(component)
        spec = rules.component(component)
        if spec is None or spec.source not in ("input", "votes"):
            raise InvalidValue("component_code", component,
                               f"rule set {rules.ref} has no input or votes component with this code",
                               f"评分规则 {rules.ref} 中没有这个代码的录入或投票成绩项")
        if not counted and rules.voting is not None and rules.voting.component == component:
            raise VotesFromBallots(round=self.code, component=component)
        try:
            number = parse_decimal(value)
        except NotANumber as bad:
            raise InvalidValue("value", value, bad.problem, bad.problem_zh) from None
        if decimal_places(number) > 6:
            raise InvalidValue("value", value, "at most 6 decimals", "最多保留 6 位小数")
        if spec.source == "votes" and (number < 0 or number != number.to_integral_value()):
            raise InvalidValue("value", value, "a vote count must be a whole number >= 0", "票数应为非负整数")
        if spec.source == "input" and not 0 <= fraction(number) <= (spec.max or 0):
            raise InvalidValue("value", value, f"must be between 0 and {exact_text(spec.max or Fraction(0))}",
                               f"应在 0 到 {exact_text(spec.max or Fraction(0))} 之间")
        text = canonical(number)
        before = self.inputs.get((entrant, component))
        if before is not None and before[0] == text:
            return None
        self._require_inputs(appeal, "record an assessment value", "登记考核数据")
        if reason is None or (isinstance(reason, str) and not reason.strip()):
            reason = None
            if before is not None and appeal is not None:
                reason = f"申诉 {self.ref(appeal)} 成立：{self.appeals[appeal].reply or ''}"[:texts.REASON_MAX]
            elif before is not None:
                raise InputReplacementNeedsReason(round=self.code, entrant=entrant, component=component,
                                                  recorded=before[0], event=self.ref(before[1]), given=text)
        if reason is not None:
            reason = texts.text(reason, "reason", limit=texts.REASON_MAX)
        return self._record(ev.InputRecorded, by, key, entrant=entrant, component=component, value=text,
                            appeal=appeal, reason=reason)

    def disqualify(self, entrant: str, reason: str, by: Actor, key: str | None = None,
                   appeal: int | None = None) -> int:
        if (done := self.seen(key)) is not None:
            return done
        self._require_inputs(appeal, "disqualify an entrant", "取消参赛资格")
        self._active_entrant(entrant, "be disqualified", "取消资格")
        return self._record(ev.EntrantDisqualified, by, key, entrant=entrant,
                            reason=require_reason(reason, "disqualify an entrant", "取消参赛资格"), appeal=appeal)

    def withdraw(self, entrant: str, reason: str, by: Actor, key: str | None = None,
                 appeal: int | None = None) -> int:
        if (done := self.seen(key)) is not None:
            return done
        self._require_inputs(appeal, "record a withdrawal", "登记退出")
        self._active_entrant(entrant, "withdraw", "退出")
        return self._record(ev.EntrantWithdrawn, by, key, entrant=entrant,
                            reason=require_reason(reason, "record a withdrawal", "登记退出"), appeal=appeal)

    # -- closing ------------------------------------------------------------------

    def close(self, rules: RuleSet, linked: dict[str, LinkedRound], today: date, by: Actor,
              key: str | None = None) -> str:
        if self.status == ev.CLOSED and self.seal is not None:
            return self.seal
        self._require(ev.SCHEDULED, ev.OPEN, action="close", action_zh="结束评分")
        for link in linked.values():
            if link.status not in (ev.CLOSED, ev.PUBLISHED, ev.FINAL):
                raise LinkedRoundNotClosed(round=self.code, component=link.component, linked=link.round,
                                           status=link.status)
        result = self.compute(rules, linked)
        for entry in result.incomplete:
            raise TooFewSheets(round=self.code, entrant=entry.entrant, have=len(entry.sheets),
                               need=entry.sheets_needed)
        seal = self.seal_for(linked)
        self._record(ev.Closed, by, key, seal=seal, results=result.compact(), closed_on=today.isoformat())
        return seal

    def rerank(self, ref: dict[str, Any], rules: RuleSet, linked: dict[str, LinkedRound], reason: str,
               by: Actor, key: str | None = None, *, calendar: WorkCalendar | None = None,
               today: date | None = None, target: Round | None = None) -> str:
        """Recompute a closed, published or final round under ``rules`` and record the new
        results and seal; nothing earlier is changed.

        Results already published change only in public: when the outcome of any entrant
        (final, rank, tie, award, promotion) changes in a round in publicity or final, the
        new results are published again for a full period from ``today`` (a final round is
        in publicity again), the notice saying what changed and why.  When the round has
        promoted, or is final, and whom it promotes would change, ``target`` (the round it
        promotes to) must not have started: its finalists are then revised by events."""
        if self.seen(key) is not None and self.seal is not None:
            return self.seal
        self._require(ev.CLOSED, ev.PUBLISHED, ev.FINAL, action="re-rank", action_zh="按新规则重新排名",
                      hint="Rounds not yet closed take a new rule set with `leitai rules adopt`.",
                      hint_zh="尚未结束评分的轮次请用 `leitai rules adopt` 采用新规则。")
        reason = require_reason(reason, "re-rank a round under another rule set", "按新规则重新排名")
        self.compute(rules, linked)  # refuses a rule set the recorded sheets do not fit
        previous = self.rules
        self.rules = dict(ref)  # the seal covers the rule set the results are computed under
        try:
            seal = self.seal_for(linked)
            result = self.compute(rules, linked)
        finally:
            self.rules = previous
        results = result.compact()
        changes = published_changes(self.results or [], results)
        shown = f"{ref['code']}@{ref['version']}"
        why = (f"轮次 {self.code} 按 {shown} 重新排名（{reason}）",
               f"round {self.code} re-ranked under {shown} ({reason})")
        self.check_promotions(target, results)
        published = self.status in (ev.PUBLISHED, ev.FINAL) and self.publicity is not None
        self._record(ev.Reranked, by, key, rules=dict(ref), seal=seal, results=results, reason=reason,
                     changed=[entrant for entrant, _ in changes])
        if published and changes:
            if calendar is None or today is None:
                raise ValueError("a re-rank that changes published results needs the calendar and today")
            assert self.publicity is not None
            self.publish_again(today, self.publicity.days, calendar, today,
                               change_notice(why[0], why[1], changes), by)
        if target is not None:
            self.revise_promotion(target, why, by)
        return seal

    def reopen(self, reason: str, by: Actor, key: str | None = None) -> None:
        self._require(ev.CLOSED, action="reopen", action_zh="重新开放评分",
                      hint="After publication, results change only through an upheld appeal.",
                      hint_zh="公示后只能通过成立的申诉更正结果。")
        self._record(ev.Reopened, by, key, reason=require_reason(reason, "reopen a closed round", "重新开放评分"))

    # -- what the round knows -----------------------------------------------------

    def placings(self) -> list[RoundPlacing]:
        """This round's published placings (ranked entrants only), for period standings."""
        return [RoundPlacing(self.code, row["entrant"], self.entrants[row["entrant"]].name, Decimal(row["final"]),
                             row["rank"])
                for row in (self.results or []) if row["rank"] is not None]

    def ref(self, version: int) -> str:
        """How an event of this round is named in explanations: ``R-GL-2025-05#17``."""
        return f"{self.code}#{version}"

    def facts(self, linked: dict[str, LinkedRound] | None = None) -> RoundFacts:
        entrants = tuple(EntrantFact(e.code, e.name, e.status, e.reason)
                         for e in sorted(self.entrants.values(), key=lambda e: e.code))
        # Sheet facts are rebuilt only when a sheet changes (replay and the live read side
        # compute the same round many times); the memo is derived data, not state.
        memo: dict[int, tuple[int, SheetFact]] = self.__dict__.setdefault("_sheet_facts", {})
        sheets = []
        recusals = self.recusals
        for (judge, entrant), sheet_id in sorted(self.live.items()):
            if recusals and (judge, entrant) in recusals:
                continue
            record = self.sheets[sheet_id]
            known = memo.get(sheet_id)
            if known is None or known[0] != record.ref:
                fact = SheetFact(judge, entrant, {c: mark_value(m) for c, m in record.marks.items()},
                                 self.ref(record.ref), self.ref(record.sheet), len(record.history),
                                 sheet_units(record.marks))
                known = memo[sheet_id] = (record.ref, fact)
            sheets.append(known[1])
        adjustments = tuple(AdjustmentFact(a.entrant, fraction(a.points), a.reason, self.ref(a.id))
                            for a in sorted(self.adjustments.values(), key=lambda a: a.id) if not a.revoked)
        inputs = {k: mark_value(v) for k, (v, _) in self.inputs.items()}
        links = {c: dict(l.finals) for c, l in (linked or {}).items()}
        return RoundFacts(self.code, entrants, tuple(sheets), adjustments, inputs, links)

    def compute(self, rules: RuleSet, linked: dict[str, LinkedRound] | None = None) -> RoundResult:
        if rules.digest != self.rules.get("digest"):
            # another rule set (replay, re-rank): its criteria must fit the recorded sheets;
            # under its own rule set every sheet was checked when it was recorded
            codes = [c.code for c in rules.criteria]
            for record in self.sheets.values():
                if not record.voided:
                    for code in codes:
                        if code not in record.marks:
                            raise InvalidValue(
                                "rules", rules.ref,
                                f"criterion {code!r} has no marks on the recorded sheets of {self.code}",
                                f"轮次 {self.code} 已录入的评分表中没有评分指标 {code!r}")
        # scores of entrants whose facts did not change are kept (derived data, not state)
        return compute_round(rules, self.facts(linked), self.__dict__.setdefault("_score_memo", {}))

    def seal_for(self, linked: dict[str, LinkedRound] | None = None) -> str:
        links = {c: {"round": l.round, "seal": l.seal or ""} for c, l in sorted((linked or {}).items())}
        return compute_seal(self.code, self.rules, self.seal_log, links)

    # -- checks ---------------------------------------------------------------------

    def _require(self, *allowed: str, action: str, action_zh: str, hint: str = "", hint_zh: str = "") -> None:
        if self.status not in allowed:
            raise RoundStateError(self.code, self.status, action, action_zh, hint, hint_zh)

    def _upheld_appeal(self, appeal: int) -> None:
        """A change after publication must be the remedy of an upheld objection or appeal."""
        record = self.appeals.get(appeal)
        if record is None:
            raise AppealNotFound(round=self.code, appeal=self.ref(appeal))
        if record.decision != "upheld":
            raise AppealNotUpheld(round=self.code, appeal=self.ref(appeal), number=appeal,
                                  decision=record.decision or "pending")

    def _require_correctable(self, appeal: int | None, action: str, action_zh: str) -> None:
        if appeal is None:
            if self.status != ev.OPEN:
                raise (SheetsNotYetAccepted if self.status == ev.SCHEDULED else SheetsNotAccepted)(
                    round=self.code, status=self.status)
        else:
            self._require(ev.PUBLISHED, action=action, action_zh=action_zh,
                          hint="Remedies of an appeal are recorded while the results are published.",
                          hint_zh="申诉成立后的更正只能在公示期间、定案之前登记。")
            self._upheld_appeal(appeal)

    def _require_inputs(self, appeal: int | None, action: str, action_zh: str) -> None:
        if appeal is None:
            self._require(ev.SCHEDULED, ev.OPEN, action=action, action_zh=action_zh,
                          hint="Reopen it before publication (`leitai reopen`), or after publication record it "
                               "as the remedy of an upheld appeal (`--appeal N`).",
                          hint_zh="公示前请先重新开放评分（`leitai reopen`）；公示后请在申诉成立后作为更正登记（`--appeal 编号`）。")
        else:
            self._require(ev.PUBLISHED, action=action, action_zh=action_zh,
                          hint="Remedies of an appeal are recorded while the results are published.",
                          hint_zh="申诉成立后的更正只能在公示期间、定案之前登记。")
            self._upheld_appeal(appeal)

    def _judge(self, judge: str) -> ev.JudgeSeat:
        seat = self.judges.get(judge)
        if seat is None:
            raise JudgeNotSeated(round=self.code, judge=judge)
        return seat

    def _entrant(self, entrant: str) -> ev.EntrantRecord:
        record = self.entrants.get(entrant)
        if record is None:
            raise EntrantNotAdmitted(round=self.code, entrant=entrant)
        return record

    def _active_entrant(self, entrant: str, action: str, action_zh: str) -> ev.EntrantRecord:
        record = self._entrant(entrant)
        if record.status != "active":
            raise EntrantNotActive(round=self.code, entrant=entrant, entrant_status=record.status,
                                   entrant_status_zh=ENTRANT_STATUS_ZH[record.status], action=action,
                                   action_zh=action_zh)
        return record

    def _not_recused(self, judge: str, entrant: str) -> None:
        reason = self.recusals.get((judge, entrant))
        if reason is not None:
            raise JudgeRecused(judge=judge, entrant=entrant, reason=reason,
                               reason_zh="与参赛组织同属一个单位" if reason == "home_unit" else reason)

    def _live_sheet(self, judge: str, entrant: str) -> ev.SheetRecord:
        sheet_id = self.live.get((judge, entrant))
        if sheet_id is None:
            raise SheetNotFound(round=self.code, judge=judge, entrant=entrant)
        return self.sheets[sheet_id]

    def _check_marks(self, rules: RuleSet, judge: str, entrant: str, marks: dict[str, Any]) -> dict[str, str]:
        def refuse(criterion: str, value: Any, problem: str, problem_zh: str) -> MarkInvalid:
            return MarkInvalid(judge=judge, entrant=entrant, criterion=criterion, value=value,
                               problem=problem, problem_zh=problem_zh)

        if not isinstance(marks, dict):
            raise refuse("marks", marks, "marks must be given per criterion", "分数应按评分指标逐项给出")
        given: dict[str, Any] = {}
        for raw_code, value in marks.items():
            code = criterion_key(raw_code)
            if code in given:
                raise refuse(code, value, "the criterion is given twice", "该评分指标重复给出")
            given[code] = value
        for code in given:
            if rules.criterion(code) is None:
                raise refuse(code, given[code], f"rule set {rules.ref} has no such criterion",
                             f"评分规则 {rules.ref} 中没有这项评分指标")
        clean: dict[str, str] = {}
        for criterion in rules.criteria:
            if criterion.code not in given or given[criterion.code] in (None, ""):
                raise refuse(criterion.code, None, "the mark is missing", "缺少该项分数")
            raw = given[criterion.code]
            try:
                value = parse_decimal(raw)
            except NotANumber as bad:
                raise refuse(criterion.code, raw, bad.problem, bad.problem_zh) from None
            if value < 0 or fraction(value) > criterion.max:
                raise refuse(criterion.code, raw, f"must be between 0 and {exact_text(criterion.max)}",
                             f"应在 0 到 {exact_text(criterion.max)} 之间")
            if decimal_places(value) > rules.mark_decimals:
                raise refuse(criterion.code, raw, f"at most {rules.mark_decimals} decimal(s) allowed",
                             f"最多保留 {rules.mark_decimals} 位小数")
            clean[criterion.code] = canonical(value)
        return clean
