"""The second half of a round's life: publicity (公示), objections and appeals,
finalization and promotion (rulebook sections 6 and 9).  Mixed into Round."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from domain.errors import (
    STATUS_ZH,
    AppealAlreadyRuled,
    AppealAnonymous,
    AppealNotFound,
    AppealOutsidePeriod,
    InvalidValue,
    NoPromotion,
    NotFinalYet,
    ReasonRequired,
    RoundStateError,
    TooFewSheets,
)
from domain.model import round_events as ev
from domain.model.base import Actor, require_reason
from domain.rules.ruleset import RuleSet
from domain.workdays import WorkCalendar

if TYPE_CHECKING:
    from domain.model.round import LinkedRound, Round

APPEAL_KINDS = ("objection", "appeal")
DECISIONS = ("dismissed", "upheld")


class RoundPublicity:
    def publish(self: Round, on: date, days: int, calendar: WorkCalendar, by: Actor,
                key: str | None = None) -> ev.Publicity:
        if self.status == ev.PUBLISHED and self.publicity is not None:
            return self.publicity
        self._require(ev.CLOSED, action="publish results", action_zh="公示结果",
                      hint="Close the round first (`leitai close`).", hint_zh="请先结束评分（`leitai close`）。")
        first, last = calendar.period(on, days)
        self._record(ev.Published, by, key, published_on=on.isoformat(), start=first.isoformat(),
                     end=last.isoformat(), days=days,
                     calendar={str(y): src for y, src in sorted(calendar.used.items())}, seal=self.seal)
        assert self.publicity is not None
        return self.publicity

    def file_appeal(self: Round, kind: str, entrant: str | None, name: str, contact: str, text: str,
                    today: date, by: Actor, key: str | None = None) -> int:
        if (done := self.seen(key)) is not None:
            return done
        if kind not in APPEAL_KINDS:
            raise InvalidValue("kind", kind, "must be objection (异议) or appeal (申诉)", "应为 objection（异议）或 appeal（申诉）")
        missing = [f for f, v in (("name", name), ("contact", contact)) if not (v or "").strip()]
        if missing:
            raise AppealAnonymous(missing=", ".join(missing),
                                  missing_zh="、".join({"name": "姓名", "contact": "联系方式"}[m] for m in missing))
        if self.publicity is None:
            raise RoundStateError(self.code, self.status, "file an objection or appeal", "提出异议/申诉",
                                  "Objections are accepted only during the publicity period.",
                                  "异议/申诉只在公示期内受理。")
        if not (self.publicity.start <= today.isoformat() <= self.publicity.end) or self.status != ev.PUBLISHED:
            raise AppealOutsidePeriod(round=self.code, date=today.isoformat(), start=self.publicity.start,
                                      end=self.publicity.end)
        if entrant is not None:
            self._entrant(entrant)
        if not (text or "").strip():
            raise ReasonRequired(action="file an objection or appeal (state what is objected to)",
                                 action_zh="提出异议/申诉时，异议内容")
        return self._record(ev.AppealFiled, by, key, kind=kind, entrant=entrant, name=name.strip(),
                            contact=contact.strip(), text=text.strip(), filed_on=today.isoformat())

    def rule_appeal(self: Round, appeal: int, decision: str, reply: str, rules: RuleSet,
                    linked: dict[str, LinkedRound], by: Actor, key: str | None = None) -> str | None:
        """Record the written reply; an upheld appeal with corrections re-seals the round.

        The corrections themselves are recorded just before, by the correction commands
        naming this appeal, in the same unit of work.  Returns the new seal, if any.
        """
        record = self.appeals.get(appeal)
        if record is None:
            raise AppealNotFound(round=self.code, appeal=self.ref(appeal))
        if record.decision is not None:
            if self.seen(key) is not None:
                return None
            raise AppealAlreadyRuled(appeal=self.ref(appeal), decision=record.decision)
        self._require(ev.PUBLISHED, action="rule on an appeal", action_zh="答复异议/申诉")
        if decision not in DECISIONS:
            raise InvalidValue("decision", decision, "must be dismissed or upheld", "应为 dismissed（不予支持）或 upheld（予以支持）")
        reply = require_reason(reply, "rule on an objection or appeal (a written reply)", "答复异议/申诉（书面答复）")
        if decision == "dismissed" and record.corrections:
            raise InvalidValue("decision", decision, "a dismissed appeal cannot carry corrections",
                               "不予支持的申诉不能附带更正")
        self._record(ev.AppealRuled, by, key, appeal=appeal, decision=decision, reply=reply,
                     corrections=list(record.corrections))
        if not record.corrections:
            return None
        result = self.compute(rules, linked)
        for entry in result.incomplete:
            raise TooFewSheets(round=self.code, entrant=entry.entrant, have=len(entry.sheets),
                               need=entry.sheets_needed)
        seal = self.seal_for(linked)
        self._record(ev.Resealed, by, key, seal=seal, results=result.compact(), appeal=appeal, reason=reply)
        return seal

    def finalize(self: Round, today: date, by: Actor, key: str | None = None) -> None:
        if self.status == ev.FINAL:
            return
        if self.status != ev.PUBLISHED or self.publicity is None:
            raise NotFinalYet(round=self.code, why=f"its results are not published (it is {self.status})",
                              why_zh=f"结果尚未公示（当前{self._status_zh()}）")
        if today.isoformat() <= self.publicity.end:
            raise NotFinalYet(round=self.code, why=f"the publicity period runs until {self.publicity.end}",
                              why_zh=f"公示期到 {self.publicity.end} 才结束")
        pending = [self.ref(a.id) for a in self.appeals.values() if a.decision is None]
        if pending:
            raise NotFinalYet(round=self.code, why=f"objections/appeals not yet ruled: {', '.join(pending)}",
                              why_zh=f"尚有异议/申诉未答复：{'、'.join(pending)}")
        assert self.seal is not None and self.results is not None
        self._record(ev.Finalized, by, key, seal=self.seal, results=list(self.results))

    def promote_into(self: Round, target: Round, rules: RuleSet, by: Actor,
                     key: str | None = None) -> dict[str, Any]:
        """Admit this round's promoted entrants into ``target`` (its ``promotes_to`` round)."""
        if target.code in self.promotions:
            return self.promotions[target.code]
        if self.status != ev.FINAL:
            raise NoPromotion(round=self.code, why=f"is {self.status}, not final; only final results promote",
                              why_zh=f"当前{self._status_zh()}，尚未定案，不能晋级")
        if rules.promotion is None:
            raise NoPromotion(round=self.code, why=f"rule set {rules.ref} has no [promotion] section",
                              why_zh=f"的评分规则 {rules.ref} 没有 [promotion] 晋级设置")
        if target.level != rules.promotion.to_level:
            raise InvalidValue("promotes_to", target.code,
                               f"round {target.code} is at level {target.level}, the rules promote to "
                               f"{rules.promotion.to_level}",
                               f"轮次 {target.code} 属于 {target.level} 级，规则规定晋级到 {rules.promotion.to_level} 级")
        assert self.results is not None and self.seal is not None
        promoted = [r for r in self.results if r["promotion"] == "promoted"]
        reserves = [r["entrant"] for r in self.results if r["promotion"] == "reserve"]
        entered: list[str] = []
        for row in promoted:
            record = self.entrants[row["entrant"]]
            source = {"kind": "promotion", "round": self.code, "seal": self.seal, "rules": dict(self.rules),
                      "rank": row["rank"], "final": row["final"]}
            if not target.admit(record.code, record.name, record.unit, source, by, key):
                entered.append(record.code)
        self._record(ev.EntrantsPromoted, by, key, target=target.code,
                     promoted=[r["entrant"] for r in promoted], reserves=reserves, already_entered=entered,
                     seal=self.seal, rules=dict(self.rules))
        return self.promotions[target.code]

    def _status_zh(self: Round) -> str:
        return STATUS_ZH.get(self.status, self.status)
