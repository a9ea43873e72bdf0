"""Commands after closing: publicity, objections and appeals, finalization, promotion,
and the holiday calendar they depend on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain import text as texts
from domain.errors import InvalidValue, NoPromotion
from domain.model.base import Actor
from domain.model.calendar import HolidayCalendar
from domain.model.round_events import Publicity
from domain.services.session import SessionBase
from domain.workdays import YearCalendar

DEFAULT_PUBLICITY_DAYS = 5
REMEDIES = ("sheet", "void", "adjustment", "revoke_adjustment", "input", "disqualify", "withdraw")


@dataclass(frozen=True)
class Correction:
    """One remedy of an upheld appeal, recorded with the ruling in the same unit of work."""

    kind: str  # one of REMEDIES
    entrant: str = ""
    judge: str = ""
    marks: dict[str, Any] = field(default_factory=dict)
    points: str = ""
    component: str = ""
    value: str = ""
    adjustment: int = 0
    reason: str = ""


@dataclass(frozen=True)
class Ruling:
    """What ruling on an appeal did: the new seal and publicity period, if any."""

    recorded: bool
    seal: str | None = None
    publicity: Publicity | None = None


class PublicityCommands(SessionBase):
    def load_holiday_year(self, year: YearCalendar, by: Actor) -> bool:
        calendar = self.holiday_calendar() or self.add(HolidayCalendar.start(by))
        return calendar.load(year, by)

    def publish(self, round_code: str, by: Actor, on: date | None = None, days: int = DEFAULT_PUBLICITY_DAYS,
                calendar_fallback: str | None = None, key: str | None = None) -> Publicity:
        """Publish the results: the publicity period runs ``days`` working days from ``on``."""
        today = self.today()
        return self.round(round_code).publish(on or today, days, self.work_calendar(calendar_fallback), today,
                                              by, key)

    def republish(self, round_code: str, reason: str, by: Actor, on: date | None = None, days: int | None = None,
                  calendar_fallback: str | None = None, key: str | None = None) -> Publicity:
        """Publish the results again for a new period (重新公示), with a reason."""
        today = self.today()
        return self.round(round_code).republish(on or today, days, self.work_calendar(calendar_fallback), today,
                                                reason, by, key)

    def file_appeal(self, round_code: str, kind: str, name: str, contact: str, text: str, by: Actor,
                    entrant: str | None = None, key: str | None = None) -> int:
        entrant = texts.optional_code(entrant, "entrant")
        return self.round(round_code).file_appeal(kind, entrant, name, contact, text, self.today(), by, key)

    def rule_appeal(self, round_code: str, appeal: int, decision: str, reply: str, by: Actor,
                    corrections: tuple[Correction, ...] = (), key: str | None = None) -> Ruling:
        """Rule on an objection or appeal.  ``corrections`` (upheld only) are its remedies,
        recorded after the ruling in the same unit of work; they re-seal the round once."""
        rnd = self.round(round_code)
        if corrections and decision != "upheld":
            raise InvalidValue("decision", decision, "only an upheld appeal can carry corrections",
                               "只有予以支持的申诉才能附带更正")
        recorded = rnd.rule_appeal(appeal, decision, reply, self.today(), by, key)
        if not corrections or not recorded:  # nothing to remedy, or this ruling ran before
            return Ruling(recorded)
        rules = self.rules(rnd.rules)
        for c in corrections:
            reason = c.reason or (rnd.appeals[appeal].reply or reply)
            entrant, judge = texts.optional_code(c.entrant, "entrant"), texts.optional_code(c.judge, "judge")
            if c.kind == "sheet":
                rnd.correct_sheet(rules, judge, entrant, c.marks, reason, by, None, appeal)
            elif c.kind == "void":
                rnd.void_sheet(judge, entrant, reason, by, None, appeal)
            elif c.kind == "adjustment":
                rnd.record_adjustment(rules, entrant, c.points, reason, by, None, appeal)
            elif c.kind == "revoke_adjustment":
                rnd.revoke_adjustment(c.adjustment, reason, by, None, appeal)
            elif c.kind == "input":
                rnd.record_input(rules, entrant, c.component, c.value, by, None, appeal, reason)
            elif c.kind == "disqualify":
                rnd.disqualify(entrant, reason, by, None, appeal)
            elif c.kind == "withdraw":
                rnd.withdraw(entrant, reason, by, None, appeal)
            else:
                raise InvalidValue("corrections.kind", c.kind, f"unknown kind of remedy; one of {', '.join(REMEDIES)}",
                                   f"未知的更正类型，应为 {'、'.join(REMEDIES)} 之一")
        seal, publicity = rnd.reseal(appeal, rules, self.linked(rnd), self.work_calendar(), self.today(), by,
                                     target=self.promotion_target(rnd))
        return Ruling(recorded, seal, publicity)

    def finalize(self, round_code: str, by: Actor, key: str | None = None) -> None:
        self.round(round_code).finalize(self.today(), by, key)

    def promote(self, round_code: str, by: Actor, key: str | None = None) -> dict[str, Any]:
        """Admit the round's promoted entrants into the round it promotes to (promoted before:
        the finalists there brought in line with the round's latest results)."""
        rnd = self.round(round_code)
        if rnd.promotes_to is None:
            raise NoPromotion(round=rnd.code, why="names no round to promote to (promotes_to)",
                              why_zh="没有指定晋级目标轮次（promotes_to）")
        return rnd.promote_into(self.round(rnd.promotes_to), self.rules(rnd.rules), by, key)
