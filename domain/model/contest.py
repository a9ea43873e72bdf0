"""The Contest aggregate: one campaign, its levels, unit tree, judges, roster,
adopted rule sets and the index of its rounds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.errors import InvalidValue, JudgeNotFound, RecordConflict, UnitNotFound
from domain.ids import contest_id
from domain.model.base import Actor, LeitaiAggregate, require_reason


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str
    parent: str | None


@dataclass(frozen=True)
class Judge:
    code: str
    name: str
    home_unit: str | None
    affiliation: str


@dataclass(frozen=True)
class RoundEntry:
    code: str
    level: str
    unit: str
    period: str
    promotes_to: str | None


DEFAULT_CONSEQUENCES = 3  # 月度前三名交流经验、后三名约谈 (宁津大曹镇)
SCOPE_KINDS = ("contest", "level", "unit", "rounds")


class Contest(LeitaiAggregate):
    class Created(LeitaiAggregate.Created):
        code: str
        title: str
        levels: list[str]

        def evolve(self, c: Contest) -> None:
            c.code, c.title, c.levels = self.code, self.title, list(self.levels)

    class UnitAdded(LeitaiAggregate.Event):
        unit: str
        name: str
        level: str
        parent: str | None

        def evolve(self, c: Contest) -> None:
            c.units[self.unit] = Unit(self.unit, self.name, self.level, self.parent)

    class JudgeRegistered(LeitaiAggregate.Event):
        judge: str
        name: str
        home_unit: str | None
        affiliation: str

        def evolve(self, c: Contest) -> None:
            c.judges[self.judge] = Judge(self.judge, self.name, self.home_unit, self.affiliation)

    class OrganizationEnrolled(LeitaiAggregate.Event):
        organization: str
        unit: str

        def evolve(self, c: Contest) -> None:
            c.roster[self.organization] = self.unit

    class RuleSetAdopted(LeitaiAggregate.Event):
        rules: dict[str, Any]  # code, version, digest
        scope: dict[str, Any]  # {"rounds": [...]} or {"level": ...} or {"unit": ...} or {"contest": code}
        reason: str

        def evolve(self, c: Contest) -> None:
            c.adoptions.append({"rules": dict(self.rules), "scope": dict(self.scope),
                                "reason": self.reason, "seq": self.originator_version})

    class ConsequencesSet(LeitaiAggregate.Event):
        """How many leading and lagging organizations each period's consequences name
        (top N share experience, bottom N are interviewed: 约谈)."""

        top: int
        bottom: int

        def evolve(self, c: Contest) -> None:
            c.consequences = {"top": self.top, "bottom": self.bottom}

    class RoundScheduled(LeitaiAggregate.Event):
        round: str
        level: str
        unit: str
        period: str
        promotes_to: str | None

        def evolve(self, c: Contest) -> None:
            c.rounds[self.round] = RoundEntry(self.round, self.level, self.unit, self.period,
                                              self.promotes_to)

    def __init__(self) -> None:
        super().__init__()
        self.code = ""
        self.title = ""
        self.levels: list[str] = []
        self.units: dict[str, Unit] = {}
        self.judges: dict[str, Judge] = {}
        self.roster: dict[str, str] = {}
        self.adoptions: list[dict[str, Any]] = []
        self.rounds: dict[str, RoundEntry] = {}
        self.consequences = {"top": DEFAULT_CONSEQUENCES, "bottom": DEFAULT_CONSEQUENCES}

    # -- commands ---------------------------------------------------------------

    @classmethod
    def create(cls, code: str, title: str, levels: list[str], by: Actor, key: str | None = None) -> Contest:
        if not code.strip():
            raise InvalidValue("code", code, "a contest code is required", "必须填写活动代码")
        if not levels or len(set(levels)) != len(levels):
            raise InvalidValue("levels", levels, "levels must be a non-empty list without repeats, lowest first",
                               "levels 应为不重复的层级列表，从低到高")
        return cls._start(cls.Created, contest_id(code), by, key, code=code, title=title, levels=list(levels))

    def check_same(self, title: str, levels: list[str]) -> None:
        if levels != self.levels:
            raise RecordConflict(what=f"Contest {self.code}", field="levels", recorded=self.levels, given=levels)
        if title != self.title:
            raise RecordConflict(what=f"Contest {self.code}", field="title", recorded=self.title, given=title)

    def add_unit(self, code: str, name: str, level: str, parent: str | None, by: Actor,
                 key: str | None = None) -> None:
        if level not in self.levels:
            raise InvalidValue("level", level, f"not a level of contest {self.code} ({', '.join(self.levels)})",
                               f"不是活动 {self.code} 的层级（{'、'.join(self.levels)}）")
        if parent is not None and parent not in self.units:
            raise UnitNotFound(contest=self.code, unit=parent)
        if parent is not None and self.levels.index(self.units[parent].level) <= self.levels.index(level):
            raise InvalidValue("parent", parent, f"a {level} unit must sit under a higher level",
                               f"{level} 级单位的上级必须是更高层级的单位")
        known = self.units.get(code)
        if known is not None:
            given = Unit(code, name, level, parent)
            for field in ("name", "level", "parent"):
                if getattr(known, field) != getattr(given, field):
                    raise RecordConflict(what=f"Unit {code}", field=field,
                                         recorded=getattr(known, field), given=getattr(given, field))
            return
        self._record(self.UnitAdded, by, key, unit=code, name=name, level=level, parent=parent)

    def register_judge(self, code: str, name: str, home_unit: str | None, affiliation: str, by: Actor,
                       key: str | None = None) -> None:
        """A judge's home unit may lie outside the contest's tree (a city department, say);
        recusal by home unit then never applies to that judge."""
        if not code.strip():
            raise InvalidValue("judge_code", code, "a judge code is required", "必须填写评委代码")
        known = self.judges.get(code)
        given = Judge(code, name, home_unit, affiliation)
        if known == given:
            return
        if known is not None:
            for field in ("name", "home_unit", "affiliation"):
                if getattr(known, field) != getattr(given, field):
                    raise RecordConflict(what=f"Judge {code}", field=field,
                                         recorded=getattr(known, field), given=getattr(given, field))
        self._record(self.JudgeRegistered, by, key, judge=code, name=name, home_unit=home_unit,
                     affiliation=affiliation)

    def enroll(self, organization: str, unit: str, by: Actor, key: str | None = None) -> None:
        self.unit(unit)
        if self.roster.get(organization) == unit:
            return
        self._record(self.OrganizationEnrolled, by, key, organization=organization, unit=unit)

    def adopt(self, rules: dict[str, Any], scope: dict[str, Any], reason: str, by: Actor,
              key: str | None = None) -> None:
        for existing in self.adoptions:
            if existing["rules"] == rules and existing["scope"] == scope:
                return
        self._record(self.RuleSetAdopted, by, key, rules=rules, scope=scope,
                     reason=require_reason(reason, "adopt a rule set", "采用评分规则"))

    def set_consequences(self, top: int, bottom: int, by: Actor, key: str | None = None) -> None:
        for name, value in (("top", top), ("bottom", bottom)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidValue(f"consequences.{name}", value, "must be a whole number >= 0", "应为非负整数")
        if self.consequences == {"top": top, "bottom": bottom}:
            return
        self._record(self.ConsequencesSet, by, key, top=top, bottom=bottom)

    def rounds_in_scope(self, scope: dict[str, Any]) -> list[str]:
        """The round codes a rule-set adoption scope covers (from_period on, if given)."""
        kinds = [k for k in scope if k in SCOPE_KINDS]
        if len(kinds) != 1 or set(scope) - set(SCOPE_KINDS) - {"from_period"}:
            raise InvalidValue("scope", scope, "name exactly one of contest, level:L, unit:U or rounds:R1,R2",
                               "范围应为 contest、level:层级、unit:单位 或 rounds:轮次1,轮次2 之一")
        kind, value = kinds[0], scope[kinds[0]]
        start = scope.get("from_period") or ""
        out = []
        for code, entry in sorted(self.rounds.items()):
            inside = (kind == "contest" or (kind == "level" and entry.level == value)
                      or (kind == "unit" and entry.unit in self.subtree(value))
                      or (kind == "rounds" and code in value))
            if inside and entry.period >= start:
                out.append(code)
        if kind == "level" and value not in self.levels:
            raise InvalidValue("scope", value, f"not a level of contest {self.code}", f"不是活动 {self.code} 的层级")
        if kind == "unit":
            self.unit(value)
        if kind == "rounds":
            for code in value:
                if code not in self.rounds:
                    raise InvalidValue("scope", code, f"round {code} is not in contest {self.code}",
                                       f"轮次 {code} 不在活动 {self.code} 中")
        return out

    def note_round(self, code: str, level: str, unit: str, period: str, promotes_to: str | None,
                   by: Actor, key: str | None = None) -> None:
        if level not in self.levels:
            raise InvalidValue("level", level, f"not a level of contest {self.code}",
                               f"不是活动 {self.code} 的层级")
        if self.unit(unit).level != level:
            raise InvalidValue("unit", unit, f"unit {unit} is a {self.units[unit].level} unit, not {level}",
                               f"单位 {unit} 属于 {self.units[unit].level} 级，不是 {level} 级")
        if code in self.rounds:
            return
        self._record(self.RoundScheduled, by, key, round=code, level=level, unit=unit, period=period,
                     promotes_to=promotes_to)

    # -- queries ----------------------------------------------------------------

    def unit(self, code: str) -> Unit:
        try:
            return self.units[code]
        except KeyError:
            raise UnitNotFound(contest=self.code, unit=code) from None

    def judge(self, code: str) -> Judge:
        try:
            return self.judges[code]
        except KeyError:
            raise JudgeNotFound(contest=self.code, judge=code) from None

    def subtree(self, unit: str) -> set[str]:
        """The unit and every unit below it."""
        found = {unit}
        changed = True
        while changed:
            changed = False
            for u in self.units.values():
                if u.parent in found and u.code not in found:
                    found.add(u.code)
                    changed = True
        return found

    def organizations_in(self, unit: str) -> list[str]:
        units = self.subtree(unit)
        return sorted(org for org, u in self.roster.items() if u in units)
