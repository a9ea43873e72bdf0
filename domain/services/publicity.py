"""Commands after closing: publicity, objections and appeals, finalization, promotion,
and the holiday calendar they depend on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.errors import InvalidValue, NoPromotion
from domain.model.base import Actor
from domain.model.calendar import HolidayCalendar
from domain.model.round_events import Publicity
from domain.services.session import SessionBase
from domain.workdays import WorkCalendar, YearCalendar

DEFAULT_PUBLICITY_DAYS = 5


@dataclass(frozen=True)
class Correction:
    """One change an upheld appeal causes, applied in the same unit of work as the ruling."""

    kind: str  # "sheet" | "void" | "adjustment" | "revoke_adjustment" | "input" | "disqualify"
    entrant: str = ""
    judge: str = ""
    marks: dict[str, Any] = field(default_factory=dict)
    points: str = ""
    component: str = ""
    value: str = ""
    adjustment: int = 0
    reason: str = ""


class PublicityCommands(SessionBase):
    def load_holiday_year(self, year: YearCalendar, by: Actor) -> bool:
        calendar = self.holiday_calendar() or self.add(HolidayCalendar.start(by))
        return calendar.load(year, by)

    def work_calendar(self, fallback: str | None = None) -> WorkCalendar:
        calendar = self.holiday_calendar()
        return WorkCalendar(calendar.years if calendar else {}, fallback)

    def publish(self, round_code: str, by: Actor, on: date | None = None, days: int = DEFAULT_PUBLICITY_DAYS,
                calendar_fallback: str | None = None, key: str | None = None) -> Publicity:
        """Publish the results: the publicity period runs ``days`` working days from ``on``."""
        return self.round(round_code).publish(on or self.today(), days, self.work_calendar(calendar_fallback),
                                              by, key)

    def file_appeal(self, round_code: str, kind: str, name: str, contact: str, text: str, by: Actor,
                    entrant: str | None = None, key: str | None = None) -> int:
        return self.round(round_code).file_appeal(kind, entrant, name, contact, text, self.today(), by, key)

    def rule_appeal(self, round_code: str, appeal: int, decision: str, reply: str, by: Actor,
                    corrections: tuple[Correction, ...] = (), key: str | None = None) -> str | None:
        """Rule on an objection or appeal; the corrections of an upheld one re-seal the round."""
        rnd = self.round(round_code)
        rules = self.rules(rnd.rules)
        for c in corrections:
            if c.kind == "sheet":
                rnd.correct_sheet(rules, c.judge, c.entrant, c.marks, c.reason or reply, by, None, appeal)
            elif c.kind == "void":
                rnd.void_sheet(c.judge, c.entrant, c.reason or reply, by, None, appeal)
            elif c.kind == "adjustment":
                rnd.record_adjustment(rules, c.entrant, c.points, c.reason or reply, by, None, appeal)
            elif c.kind == "revoke_adjustment":
                rnd.revoke_adjustment(c.adjustment, c.reason or reply, by, None, appeal)
            elif c.kind == "input":
                rnd.record_input(rules, c.entrant, c.component, c.value, by, None, appeal)
            elif c.kind == "disqualify":
                rnd.disqualify(c.entrant, c.reason or reply, by, None, appeal)
            else:
                raise InvalidValue("corrections.kind", c.kind, "unknown kind of correction", "未知的更正类型")
        return rnd.rule_appeal(appeal, decision, reply, rules, self.linked(rnd), by, key)

    def finalize(self, round_code: str, by: Actor, key: str | None = None) -> None:
        self.round(round_code).finalize(self.today(), by, key)

    def promote(self, round_code: str, by: Actor, key: str | None = None) -> dict[str, Any]:
        """Admit the round's promoted entrants into the round it promotes to."""
        rnd = self.round(round_code)
        if rnd.promotes_to is None:
            raise NoPromotion(round=round_code, why="names no round to promote to (promotes_to)",
                              why_zh="没有指定晋级目标轮次（promotes_to）")
        return rnd.promote_into(self.round(rnd.promotes_to), self.rules(rnd.rules), by, key)
