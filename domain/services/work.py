"""Consequences as tracked work (rulebook sections 15-16): classes, tasks on a ladder, pairs and their exchanges."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from typing import Any

from domain import text as texts
from domain.errors import (
    PairNotFound,
    PeriodAlreadyClosed,
    PeriodNotFinal,
    TaskNotFound,
    UnitNotFound,
)
from domain.ids import certification_id, pair_id, period_result_id, task_id
from domain.model.certification import Certification
from domain.model.base import Actor
from domain.model.pair import Pair, month_after
from domain.model.period_result import PeriodResult
from domain.model.round_events import FINAL
from domain.model.task import Task
from domain.rules.ladder import ACTIONS, Planned, certified_stars, plan
from domain.rules.standings import (
    FinalRound,
    check_period,
    period_contains,
    previous_period,
)
from domain.rules.tracks import period_standings_by_track, track_order
from domain.services.session import SessionBase
from domain.services.tracks import organization_track


def period_code(contest: str, unit: str, period: str, track: str) -> str:
    return f"{contest}:{unit}:{period}" + (f":{track}" if track else "")


def last_month(period: str) -> str:
    year, _, rest = period.partition("-")
    if not rest:
        return f"{year}-12"
    if rest.startswith("Q"):
        return f"{year}-{int(rest[1:]) * 3:02d}"
    return period


def period_end(period: str) -> date:
    """The last day of a period ("2025-05" -> 2025-05-31, "2025-Q2" -> 2025-06-30, "2025" -> 2025-12-31)."""
    year, month = (int(x) for x in last_month(period).split("-"))
    first_next = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first_next - timedelta(days=1)


def standings_digest(rows: list[dict[str, Any]]) -> str:
    text = json.dumps(rows, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


class WorkCommands(SessionBase):
    # -- closing a period --------------------------------------------------------------------

    def period_rounds(self, contest: str, unit: str, period: str) -> list[Any]:
        """The unit's rounds inside ``period`` (every state), oldest first."""
        c = self.contest(contest)
        if unit not in c.units:
            raise UnitNotFound(contest=c.code, unit=unit)
        return [self.round(e.code) for e in sorted(c.rounds.values(), key=lambda e: (e.period, e.code))
                if e.unit == unit and period_contains(period, e.period)]

    def _by_track(self, rounds: list[Any], period: str) -> dict[str, Any]:
        """track -> (rules, rounds used, standings) of the final rounds, each track ranked apart (section 20)."""
        finals = [FinalRound(r.code, r.period, self.rules(r.rules), tuple(r.placings())) for r in rounds
                  if r.status == FINAL]
        contest = rounds[0].contest if rounds else None
        return period_standings_by_track(finals, period, organization_track(self, period, contest))

    def close_period(self, contest: str, unit: str, period: str, by: Actor, key: str | None = None) -> list[dict[str, Any]]:
        """Close a unit's period: record its final standings, classes and consequences, and
        issue the tasks and pairs its ladder names (rulebook 15.1).  One result per track."""
        contest = texts.contest_code(contest, "contest")
        unit = texts.entity_code(unit, "unit")
        period = check_period(period)
        rounds = self.period_rounds(contest, unit, period)
        ends = period_end(period)
        if self.today() <= ends:
            # a year closed in June would lock its classes on May's rounds alone (rulebook 15.1)
            raise PeriodNotFinal(unit=unit, period=period,
                                 problem=f"the period runs until {ends.isoformat()}; close it from "
                                         f"{(ends + timedelta(days=1)).isoformat()} on",
                                 problem_zh=f"期间到 {ends.isoformat()} 才结束，请在 "
                                            f"{(ends + timedelta(days=1)).isoformat()} 及以后结束")
        if not rounds:
            raise PeriodNotFinal(unit=unit, period=period, problem="it has no rounds", problem_zh="期间内没有轮次")
        waiting = [r.code for r in rounds if r.status != FINAL]
        if waiting:
            raise PeriodNotFinal(unit=unit, period=period, problem=f"not final yet: {', '.join(waiting)}",
                                 problem_zh=f"尚未定案的轮次：{'、'.join(waiting)}")
        split = self._by_track(rounds, period)
        if not split:
            raise PeriodNotFinal(unit=unit, period=period, problem="no organization is ranked in its rounds",
                                 problem_zh="期间内的轮次没有有名次的组织")
        before = previous_period(period)
        earlier = self.period_rounds(contest, unit, before) if before is not None else []
        if earlier and before is not None and not any(
                self.find(period_result_id(period_code(contest, unit, before, t)), PeriodResult) is not None
                for t in ("", *self.contest(contest).tracks)):
            # closed out of order, the climbing would start again at step 1 (rulebook 15.1)
            raise PeriodNotFinal(unit=unit, period=period,
                                 problem=f"{before} has rounds and is not closed: close it first "
                                         f"(leitai period close {contest} {unit} {before})",
                                 problem_zh=f"{before} 有轮次但尚未结束，请先结束它"
                                            f"（leitai period close {contest} {unit} {before}）")
        previous = self._by_track(earlier, before) if earlier and before is not None and all(
            r.status == FINAL for r in earlier) else {}
        closed = []
        for track in track_order(self.contest(contest).tracks, split):
            code = period_code(contest, unit, period, track)
            found = self.find(period_result_id(code), PeriodResult)
            if found is not None:
                if key is not None and found.seen(key) is not None:
                    closed.append(self._summary(found))
                    continue
                tasks = sum(1 for c in found.concerned if c.get("task"))
                raise PeriodAlreadyClosed(unit=unit, period=period + (f" ({track})" if track else ""), on=found.on,
                                          tasks=tasks, pairs=len(found.concerned) - tasks)
            rules, used, standings = split[track]
            prior = self.find(period_result_id(period_code(contest, unit, before, track)), PeriodResult) \
                if before is not None else None
            closed.append(self._close_track(contest, unit, period, track, rules, used, standings,
                                            previous.get(track, (None, [], []))[2], prior, by, key))
        return closed

    def _close_track(self, contest: str, unit: str, period: str, track: str, rules: Any, used: list[str],
                     standings: list[Any], previous: list[Any], prior: PeriodResult | None, by: Actor,
                     key: str | None) -> dict[str, Any]:
        stars = None
        if any(r.who.startswith("stars:") for r in rules.ladder):
            level = self.contest(contest).units[unit].level
            stars = certified_stars(lambda o, lv, cy: self.find(certification_id(o, lv, cy), Certification),
                                    [s.entrant for s in standings], level, period)
        classes, planned = plan(rules.ladder, rules.classes, period, standings, previous,
                                lambda rung_key, entrant: prior.streak(rung_key, entrant) if prior else 0, stars)
        today = self.today()
        calendar = self.work_calendar()
        concerned = []
        for item in planned:
            if item.step.action == "pairing":
                concerned.append(self._form_pair(contest, unit, period, track, item, by))
            else:
                due = calendar.period(today + timedelta(days=1), item.step.days or 1)[1]
                concerned.append(self._issue_task(contest, unit, period, track, item, due.isoformat(), by))
        rows = [{"entrant": s.entrant, "name": s.name, "rank": s.rank, "score": str(s.shown)} for s in standings]
        result = self.add(PeriodResult.close(
            by, key, code=period_code(contest, unit, period, track), contest=contest, unit=unit, period=period,
            track=track, on=today.isoformat(), rules={"code": rules.code, "version": rules.version,
                                                      "digest": rules.digest},
            rounds=used, standings=rows, digest=standings_digest(rows), classes=classes,
            class_names={b.code: b.name for b in rules.classes.bands} if rules.classes is not None else {},
            concerned=concerned))
        return self._summary(result)

    def _issue_task(self, contest: str, unit: str, period: str, track: str, item: Planned, due: str,
                    by: Actor) -> dict[str, Any]:
        code = f"{contest}:{unit}:{period}:{item.rung}:{item.entrant}"
        step = item.step
        self.add(Task.issue(by, code=code, contest=contest, unit=unit, period=period, track=track,
                            entrant=item.entrant, name=item.name, rung=item.rung, rung_key=item.rung_key,
                            step=item.step_number, streak=item.streak, action=step.action,
                            action_name=step.name or ACTIONS[step.action][0], by_whom=step.by, due=due,
                            record=list(step.record), why_zh=item.why_zh, why_en=item.why_en,
                            issued_on=self.today().isoformat()))
        return {"rung": item.rung, "key": item.rung_key, "entrant": item.entrant, "streak": item.streak,
                "step": item.step_number, "task": code}

    def _form_pair(self, contest: str, unit: str, period: str, track: str, item: Planned, by: Actor) -> dict[str, Any]:
        code = f"{contest}:{unit}:{period}:{item.entrant}"
        obligation = item.step.obligation
        assert obligation is not None  # a pairing step always has one (domain.rules.ladder)
        start = month_after(last_month(period), 1)
        self.add(Pair.form(by, code=code, contest=contest, unit=unit, period=period, track=track,
                           leader=item.leader or "", leader_name=item.leader_name or "", lagger=item.entrant,
                           lagger_name=item.name, rung=item.rung, step=item.step_number, streak=item.streak,
                           by_whom=item.step.by, exchanges=obligation.exchanges, per=obligation.per, start=start,
                           end=month_after(start, obligation.months - 1), record=list(item.step.record),
                           why_zh=item.why_zh, why_en=item.why_en))
        return {"rung": item.rung, "key": item.rung_key, "entrant": item.entrant, "streak": item.streak,
                "step": item.step_number, "pair": code}

    @staticmethod
    def _summary(result: PeriodResult) -> dict[str, Any]:
        return {"code": result.code, "unit": result.unit, "period": result.period, "track": result.track,
                "on": result.on, "entrants": len(result.standings), "classes": dict(result.classes),
                "class_names": dict(result.class_names),
                "tasks": [c["task"] for c in result.concerned if c.get("task")],
                "pairs": [c["pair"] for c in result.concerned if c.get("pair")]}

    # -- tasks and pairs ---------------------------------------------------------------------

    def task(self, code: str) -> Task:
        code = texts.name(code, "task", limit=200)
        found = self.find(task_id(code), Task)
        if found is None:
            raise TaskNotFound(task=code)
        return found

    def pair(self, code: str) -> Pair:
        code = texts.name(code, "pair", limit=200)
        found = self.find(pair_id(code), Pair)
        if found is None:
            raise PairNotFound(pair=code)
        return found

    def task_done(self, code: str, by: Actor, key: str | None = None, *, on: Any = None, place: Any = None,
                  participants: Any = None, summary: Any = None, attachment: Any = None) -> Task:
        task = self.task(code)
        task.mark_done(self.today(), by, key, on=on, place=place, participants=participants, summary=summary,
                       attachment=attachment)
        return task

    def task_excuse(self, code: str, reason: str, by: Actor, key: str | None = None) -> Task:
        task = self.task(code)
        task.excuse(reason, by, key)
        return task

    def pair_exchange(self, code: str, by: Actor, key: str | None = None, *, on: Any = None, place: Any = None,
                      participants: Any = None, summary: Any = None, attachment: Any = None) -> Pair:
        pair = self.pair(code)
        pair.exchange(self.today(), by, key, on=on, place=place, participants=participants, summary=summary,
                      attachment=attachment)
        return pair

    def pair_end(self, code: str, reason: str, by: Actor, key: str | None = None) -> Pair:
        pair = self.pair(code)
        pair.end_pair(reason, self.today(), by, key)
        return pair

