"""The second half of a round's life: publicity (公示), objections and appeals,
finalization and promotion (rulebook sections 6 and 9).  Mixed into Round."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from domain import text as texts
from domain.errors import (
    STATUS_ZH,
    AlreadyPublished,
    AppealAlreadyRuled,
    AppealAnonymous,
    AppealNotFound,
    AppealOutsidePeriod,
    InvalidValue,
    NoPromotion,
    NotFinalYet,
    PromotionsLocked,
    PublicationBackdated,
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
PUBLISHED_FIELDS = ("final", "rank", "tied", "award", "promotion")


FIELD_ZH = {"final": "得分", "rank": "名次", "tied": "并列", "award": "奖项", "promotion": "晋级"}
PROMOTION_ZH = {"promoted": "晋级", "reserve": "候补", "not_promoted": "未晋级"}
NOTICE_MAX = 900  # characters of the changes listed in a notice's reason (the rest are counted)


def published_changes(before: list[dict[str, Any]], after: list[dict[str, Any]]
                      ) -> list[tuple[str, dict[str, tuple[Any, Any]]]]:
    """The entrants whose published outcome (final, rank, tie, award, promotion) differs,
    in the new ranking's order, each with the fields that changed (old, new)."""
    old = {row["entrant"]: row for row in before}
    out = []
    for row in after:
        was = old.get(row["entrant"], {})
        fields = {f: (was.get(f), row.get(f)) for f in PUBLISHED_FIELDS if was.get(f) != row.get(f)}
        if fields:
            out.append((row["entrant"], fields))
    return out


def _value_zh(field: str, value: Any) -> str:
    if value is None:
        return "无"
    if field == "tied":
        return "是" if value else "否"
    if field == "promotion":
        return PROMOTION_ZH.get(value, str(value))
    return str(value)


def change_notice(why_zh: str, why_en: str, changes: list[tuple[str, dict[str, tuple[Any, Any]]]]) -> str:
    """The reason of a new publicity period after a change: why, and what changed for whom
    (e.g. ``O1：名次 1→2、奖项 first→无``), at most NOTICE_MAX characters of it."""
    parts: list[str] = []
    used = 0
    for entrant, fields in changes:
        part = f"{entrant}：" + "、".join(f"{FIELD_ZH[f]} {_value_zh(f, a)}→{_value_zh(f, b)}"
                                         for f, (a, b) in fields.items())
        if used + len(part) > NOTICE_MAX:
            parts.append(f"等 {len(changes)} 个组织")
            break
        parts.append(part)
        used += len(part)
    return f"{why_zh}，已公示的结果有变化（{'；'.join(parts)}），重新公示 / {why_en}: published results changed"


BACKDATE_DAYS = 3  # a publication may be recorded up to 3 calendar days after it was posted
MAX_DAYS = 30  # working days of publicity at most


class RoundPublicity:
    def publish(self: Round, on: date, days: int, calendar: WorkCalendar, today: date, by: Actor,
                key: str | None = None) -> ev.Publicity:
        """Publish the results: a period of ``days`` working days from ``on``.

        ``on`` may not lie before the round was closed, nor more than BACKDATE_DAYS
        before today (a backdated publication would skip the period); a later day
        schedules the publication.  Publishing again with the same day and length
        records nothing; another period needs ``republish`` and a reason.
        """
        if self.status == ev.PUBLISHED and self.publicity is not None:
            if self.seen(key) is not None or (self.publicity.published_on, self.publicity.days) == (
                    on.isoformat(), days):
                return self.publicity
            raise AlreadyPublished(round=self.code, start=self.publicity.start, end=self.publicity.end)
        if self.status == ev.FINAL:  # published already, and past its period: nothing to close
            raise RoundStateError(self.code, self.status, "publish results", "公示结果",
                                  "Its results were published and, the period over, finalized; they are final. "
                                  f"To see them: `leitai ranking {self.code}`; to change them, re-rank it under "
                                  "another rule-set version (`leitai rerank`): changed results are published "
                                  "again by themselves.",
                                  "其结果已经公示，公示期满后已定案，是最终结果。查看结果：`leitai ranking "
                                  f"{self.code}`；要改变结果，只能按另一版规则重新排名（`leitai rerank`），"
                                  "结果有变化的自动重新公示。")
        self._require(ev.CLOSED, action="publish results", action_zh="公示结果",
                      hint="Close the round first (`leitai close`).", hint_zh="请先结束评分（`leitai close`）。")
        first, last = self._period(on, days, calendar, today)
        self._record(ev.Published, by, key, published_on=on.isoformat(), start=first.isoformat(),
                     end=last.isoformat(), days=days,
                     calendar={str(y): src for y, src in sorted(calendar.used.items())}, seal=self.seal)
        assert self.publicity is not None
        return self.publicity

    def republish(self: Round, on: date, days: int | None, calendar: WorkCalendar, today: date, reason: str,
                  by: Actor, key: str | None = None, appeal: int | None = None) -> ev.Publicity:
        """A new publicity period for published results (重新公示): after the results
        changed, or to extend the period.  Objections already filed stay to be ruled."""
        if self.seen(key) is not None and self.publicity is not None:
            return self.publicity
        self._require(ev.PUBLISHED, action="publish the results again", action_zh="重新公示",
                      hint="Only published results can be published again; close and publish first.",
                      hint_zh="只有公示中的结果才能重新公示。")
        assert self.publicity is not None
        reason = require_reason(reason, "publish the results again", "重新公示")
        return self.publish_again(on, self.publicity.days if days is None else days, calendar, today, reason, by,
                                  key, appeal)

    def publish_again(self: Round, on: date, days: int, calendar: WorkCalendar, today: date, reason: str,
                      by: Actor, key: str | None = None, appeal: int | None = None) -> ev.Publicity:
        """Record a new publicity period (a round in publicity, or a final round whose results
        changed: it is in publicity again); ``reason`` says why and what changed."""
        first, last = self._period(on, days, calendar, today)
        self._record(ev.Republished, by, key, published_on=on.isoformat(), start=first.isoformat(),
                     end=last.isoformat(), days=days,
                     calendar={str(y): src for y, src in sorted(calendar.used.items())}, seal=self.seal,
                     reason=reason, appeal=appeal)
        assert self.publicity is not None
        return self.publicity

    def _period(self: Round, on: date, days: Any, calendar: WorkCalendar, today: date) -> tuple[date, date]:
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
            raise InvalidValue("days", days, f"the publicity period lasts 1 to {MAX_DAYS} working days",
                               f"公示期应为 1 到 {MAX_DAYS} 个工作日")
        closed_on = self.closed_on
        if closed_on is not None and on.isoformat() < closed_on:
            raise PublicationBackdated(round=self.code, on=on.isoformat(), limit=closed_on,
                                       why="the round was closed on", why_zh="该轮次结束评分的日期是")
        earliest = (today - timedelta(days=BACKDATE_DAYS)).isoformat()
        if on.isoformat() < earliest:
            raise PublicationBackdated(round=self.code, on=on.isoformat(), limit=earliest,
                                       why=f"a publication may be recorded at most {BACKDATE_DAYS} days late; "
                                           "the earliest day allowed today is",
                                       why_zh=f"公示最多可补记 {BACKDATE_DAYS} 天前的日期，今天可填写的最早日期是")
        if (on - today).days > 366:
            raise InvalidValue("on", on.isoformat(), "a publication is scheduled at most a year ahead",
                               "公示日期最多提前一年安排")
        return calendar.period(on, days)

    def file_appeal(self: Round, kind: str, entrant: str | None, name: str, contact: str, text: str,
                    today: date, by: Actor, key: str | None = None) -> int:
        if (done := self.seen(key)) is not None:
            return done
        if kind not in APPEAL_KINDS:
            raise InvalidValue("kind", kind, "must be objection (异议) or appeal (申诉)", "应为 objection（异议）或 appeal（申诉）")
        missing = [f for f, v in (("name", name), ("contact", contact))
                   if not isinstance(v, str) or not texts.name(v, f, required=False)]
        if missing:
            raise AppealAnonymous(missing=", ".join(missing),
                                  missing_zh="、".join({"name": "姓名", "contact": "联系方式"}[m] for m in missing))
        name = texts.name(name, "name")
        contact = texts.name(contact, "contact")
        if self.publicity is None:
            raise RoundStateError(self.code, self.status, "file an objection or appeal", "提出异议/申诉",
                                  "Objections are accepted only during the publicity period.",
                                  "异议/申诉只在公示期内受理。")
        if not (self.publicity.start <= today.isoformat() <= self.publicity.end) or self.status != ev.PUBLISHED:
            raise AppealOutsidePeriod(round=self.code, date=today.isoformat(), start=self.publicity.start,
                                      end=self.publicity.end)
        if entrant is not None:
            entrant = self._entrant(entrant).code
        if text is None or (isinstance(text, str) and not text.strip()):
            raise ReasonRequired(action="file an objection or appeal (state what is objected to)",
                                 action_zh="提出异议/申诉时，异议内容")
        text = texts.text(text, "text", limit=texts.TEXT_MAX)
        return self._record(ev.AppealFiled, by, key, kind=kind, entrant=entrant, name=name,
                            contact=contact, text=text, filed_on=today.isoformat())

    def rule_appeal(self: Round, appeal: int, decision: str, reply: str, today: date, by: Actor,
                    key: str | None = None) -> bool:
        """Record the written reply (dismissed or upheld).  The remedies of an upheld
        appeal are recorded after it, each naming it, and each re-seals the round
        (see :meth:`reseal`).  Returns False when this ruling was recorded before."""
        record = self.appeals.get(appeal)
        if record is None:
            raise AppealNotFound(round=self.code, appeal=self.ref(appeal))
        if record.decision is not None:
            if self.seen(key) is not None or (record.decision, record.reply) == (decision, reply):
                return False
            raise AppealAlreadyRuled(appeal=self.ref(appeal), decision=record.decision)
        self._require(ev.PUBLISHED, action="rule on an appeal", action_zh="答复异议/申诉")
        if decision not in DECISIONS:
            raise InvalidValue("decision", decision, "must be dismissed or upheld", "应为 dismissed（不予支持）或 upheld（予以支持）")
        reply = require_reason(reply, "rule on an objection or appeal (a written reply)", "答复异议/申诉（书面答复）",
                               limit=texts.TEXT_MAX)
        self._record(ev.AppealRuled, by, key, appeal=appeal, decision=decision, reply=reply,
                     corrections=list(record.corrections), ruled_on=today.isoformat())
        return True

    def reseal(self: Round, appeal: int, rules: RuleSet, linked: dict[str, LinkedRound], calendar: WorkCalendar,
               today: date, by: Actor, key: str | None = None,
               target: Round | None = None) -> tuple[str, ev.Publicity | None]:
        """After the remedies of an upheld appeal: record the new results and seal, and,
        when the published outcome of any entrant changed (final, rank, tie, award or
        promotion), publish the changed results again for a full period from today
        (the practice of republishing changed results).  A round that has promoted into
        ``target`` revises its finalists there (refused once ``target`` has started).
        Returns the seal and the new publicity period, if one was started."""
        self._upheld_appeal(appeal)
        result = self.compute(rules, linked)
        for entry in result.incomplete:
            raise TooFewSheets(round=self.code, entrant=entry.entrant, have=len(entry.sheets),
                               need=entry.sheets_needed)
        seal = self.seal_for(linked)
        if seal == self.seal:
            return seal, None
        results = result.compact()
        changed = [entrant for entrant, _ in published_changes(self.results or [], results)]
        self.check_promotions(target, results)
        reply = self.appeals[appeal].reply or ""
        self._record(ev.Resealed, by, key, seal=seal, results=results, appeal=appeal, reason=reply, changed=changed)
        if target is not None:
            self.revise_promotion(target, (f"轮次 {self.code} 的申诉 {self.ref(appeal)} 成立，结果变更",
                                           f"round {self.code}: appeal {self.ref(appeal)} upheld, results changed"),
                                  by)
        if not changed:
            return seal, None
        publicity = self.republish(today, None, calendar, today,
                                   f"申诉 {self.ref(appeal)} 成立，结果变更，重新公示 / appeal upheld, results changed",
                                   by, None, appeal)
        return seal, publicity

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
        """Admit this round's promoted entrants into ``target`` (its ``promotes_to`` round).
        Promoted before: the finalists there are brought in line with this round's latest
        results (see :meth:`revise_promotion`), and the promotion as it now stands is returned."""
        if target.code in self.promotions:
            if self.seen(key) is None:
                self.revise_promotion(target, (f"轮次 {self.code} 的结果已变更", f"round {self.code}'s results changed"),
                                      by)
            return {**self.promotions[target.code], "target": target.code}
        if target.contest != self.contest:
            raise InvalidValue("promotes_to", target.code, f"round {target.code} is a round of another contest "
                               f"({target.contest}); promotion stays within contest {self.contest}",
                               f"轮次 {target.code} 属于另一个比武活动（{target.contest}）；晋级只能在比武活动 {self.contest} 之内")
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
            if not target.admit(record.code, record.name, record.unit, self._promotion_source(row), by, key):
                entered.append(record.code)
        self._record(ev.EntrantsPromoted, by, key, target=target.code,
                     promoted=[r["entrant"] for r in promoted], reserves=reserves, already_entered=entered,
                     seal=self.seal, rules=dict(self.rules))
        return {**self.promotions[target.code], "target": target.code}

    def _promotion_source(self: Round, row: dict[str, Any], revision: str | None = None) -> dict[str, Any]:
        source = {"kind": "promotion", "round": self.code, "seal": self.seal, "rules": dict(self.rules),
                  "rank": row["rank"], "final": row["final"]}
        if revision is not None:
            source["revision"] = revision
        return source

    def _promoted_now(self: Round, results: list[dict[str, Any]] | None = None) -> list[str]:
        return [r["entrant"] for r in (self.results if results is None else results) or []
                if r["promotion"] == "promoted"]

    def check_promotions(self: Round, target: Round | None, results: list[dict[str, Any]]) -> None:
        """Refuse new ``results`` that would change whom this round promotes once the round
        it promotes to has started (a final round, or one that has promoted into it)."""
        if target is None or (self.status != ev.FINAL and target.code not in self.promotions):
            return
        recorded = self.promotions.get(target.code)
        before = recorded["promoted"] if recorded is not None else self._promoted_now()
        after = self._promoted_now(results)
        if set(before) == set(after) or target.status == ev.SCHEDULED:
            return
        lost, gained = sorted(set(before) - set(after)), sorted(set(after) - set(before))
        change_zh = "；".join(filter(None, [f"不再晋级：{'、'.join(lost)}" if lost else "",
                                           f"新晋级：{'、'.join(gained)}" if gained else ""]))
        change = "; ".join(filter(None, [f"no longer promoted: {', '.join(lost)}" if lost else "",
                                         f"newly promoted: {', '.join(gained)}" if gained else ""]))
        raise PromotionsLocked(round=self.code, target=target.code, status=target.status, change=change,
                               change_zh=change_zh)

    def revise_promotion(self: Round, target: Round, why: tuple[str, str], by: Actor) -> bool:
        """Bring the finalists this round admitted into ``target`` in line with its latest
        results, by events: those no longer promoted are withdrawn from ``target`` with the
        reason, the newly promoted admitted, those still promoted whose rank or final changed
        admitted again with their source as it is now; then the promotion is recorded anew.
        Only while ``target`` has not started (else PromotionsLocked, nothing recorded).
        Returns False when there was nothing to revise."""
        record = self.promotions.get(target.code)
        if record is None or self.results is None:
            return False
        rows = [r for r in self.results if r["promotion"] == "promoted"]
        now = [r["entrant"] for r in rows]
        reserves = [r["entrant"] for r in self.results if r["promotion"] == "reserve"]
        ours = {code: e for code, e in target.entrants.items()
                if e.source.get("kind") == "promotion" and e.source.get("round") == self.code}
        revised_out = {code for code, e in ours.items()
                       if e.status == "withdrawn" and withdrawn_by_revision(target, code)}
        withdraw = sorted(code for code, e in ours.items() if e.status == "active" and code not in now)
        admit = [r for r in rows if r["entrant"] not in target.entrants or r["entrant"] in revised_out]
        update = [r for r in rows if r["entrant"] in ours and ours[r["entrant"]].status == "active"
                  and (ours[r["entrant"]].source.get("rank"), ours[r["entrant"]].source.get("final"))
                  != (r["rank"], r["final"])]
        if target.status != ev.SCHEDULED:
            if withdraw or admit:
                self.check_promotions(target, self.results)  # raises PromotionsLocked
            update = []  # a round that has started keeps its entrants' sources as admitted
        if not (withdraw or admit or update) and (record["promoted"], record["reserves"]) == (now, reserves):
            return False
        why_zh, why_en = why
        by_code = {r["entrant"]: r for r in self.results}
        for code in withdraw:
            row = by_code.get(code, {})
            now_as = (f"现名次 {row.get('rank') or '-'}，{PROMOTION_ZH.get(row.get('promotion') or '', '未晋级')}"
                      if row else "不在结果中")
            target._record(ev.FinalistWithdrawn, by, None, entrant=code,
                           source={"kind": "promotion", "round": self.code, "seal": self.seal,
                                   "rules": dict(self.rules), "rank": row.get("rank"), "final": row.get("final")},
                           reason=f"{why_zh}，{code} 不再晋级（{now_as}）/ {why_en}: no longer promoted")
        for row in admit + update:
            entrant = self.entrants[row["entrant"]]
            text = (f"{why_zh}，{entrant.code} 晋级（名次 {row['rank']}，得分 {row['final']}）/ {why_en}: promoted"
                    if row in admit else
                    f"{why_zh}，{entrant.code} 仍晋级，名次 {row['rank']}、得分 {row['final']} / {why_en}: still promoted")
            target._record(ev.EntrantAdmitted, by, None, entrant=entrant.code, name=entrant.name, unit=entrant.unit,
                           source=self._promotion_source(row, text))
            for judge in sorted(target.judges.values(), key=lambda j: j.code):
                if judge.home_unit is not None and judge.home_unit == entrant.unit:
                    target._recuse_home_unit(judge.code, entrant.code, by, None)
        entered = [code for code in now if code in target.entrants and code not in ours]
        self._record(ev.EntrantsPromoted, by, None, target=target.code, promoted=now, reserves=reserves,
                     already_entered=entered, seal=self.seal, rules=dict(self.rules), revision=why_zh)
        return True

    def _status_zh(self: Round) -> str:
        return STATUS_ZH.get(self.status, self.status)


def withdrawn_by_revision(target: Round, entrant: str) -> bool:
    """Whether the entrant's latest revision in ``target`` withdrew it (withdrawn by a
    change of its source round, not by its own withdrawal)."""
    for revision in reversed(target.revisions):
        if revision["entrant"] == entrant:
            return bool(revision["kind"] == "withdrawn")
    return False
