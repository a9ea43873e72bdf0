"""The Contest aggregate: one campaign, its levels, unit tree, judges, roster,
adopted rule sets and the index of its rounds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from domain import text as texts
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
    track: str = ""  # 赛道 (rulebook section 20); "" = no track


MAX_UNITS = 10_000
MAX_TRACKS = 20
TRACK_CODE = re.compile(r"[a-z0-9_-]{1,32}")
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

    class JudgeUpdated(LeitaiAggregate.Event):
        """A judge's name, home unit or affiliation changed (rounds already seated keep
        the seat they were given; recusals by home unit apply from then on)."""

        judge: str
        name: str
        home_unit: str | None
        affiliation: str
        reason: str

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

    class ContactSet(LeitaiAggregate.Event):
        """Where objections are received (printed on the publicity notice)."""

        contact: str

        def evolve(self, c: Contest) -> None:
            c.contact = self.contact

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
        track: str = ""  # (赛道, section 20) events recorded before tracks existed have none

        def evolve(self, c: Contest) -> None:
            c.rounds[self.round] = RoundEntry(self.round, self.level, self.unit, self.period,
                                              self.promotes_to, getattr(self, "track", "") or "")

    class TrackDeclared(LeitaiAggregate.Event):
        """A track (赛道) organizations compete in apart (rulebook section 20)."""

        track: str
        name: str

        def evolve(self, c: Contest) -> None:
            c.tracks[self.track] = self.name

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
        self.contact = ""  # where objections are received, for the publicity notice
        self.tracks: dict[str, str] = {}  # 赛道: code -> name, in the order declared

    # -- commands ---------------------------------------------------------------

    @classmethod
    def create(cls, code: str, title: str, levels: list[str], by: Actor, key: str | None = None) -> Contest:
        code = texts.contest_code(code, "code")
        title = texts.name(title, "title", limit=texts.TITLE_MAX, required=False)
        if not isinstance(levels, list) or not levels:
            raise InvalidValue("levels", levels, "levels must be a non-empty list, lowest first",
                               "levels 应为不重复的层级列表，从低到高")
        levels = [texts.contest_code(level, "levels") for level in levels]
        if len(set(levels)) != len(levels) or len(levels) > 10:
            raise InvalidValue("levels", levels, "levels must be at most 10 names without repeats, lowest first",
                               "levels 应为不重复的层级列表（最多 10 级），从低到高")
        return cls._start(cls.Created, contest_id(code), by, key, code=code, title=title, levels=list(levels))

    def check_same(self, title: str, levels: list[str]) -> None:
        title = texts.name(title, "title", limit=texts.TITLE_MAX, required=False)
        levels = [texts.contest_code(level, "levels") for level in levels]
        if levels != self.levels:
            raise RecordConflict("contest", self.code, "levels", recorded=self.levels, given=levels)
        if title != self.title:
            raise RecordConflict("contest", self.code, "title", recorded=self.title, given=title)

    def add_unit(self, code: str, name: str, level: str, parent: str | None, by: Actor,
                 key: str | None = None) -> None:
        code = texts.entity_code(code, "units.code")
        name = texts.name(name or code, "units.name")
        level = texts.contest_code(level, "units.level")
        parent = texts.optional_code(parent, "units.parent")
        if level not in self.levels:
            raise InvalidValue("level", level, f"not a level of contest {self.code} ({', '.join(self.levels)})",
                               f"不是活动 {self.code} 的层级（{'、'.join(self.levels)}）")
        if parent == code:
            raise InvalidValue("parent", parent, "a unit cannot be its own parent", "单位不能是自己的上级")
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
                    raise RecordConflict("unit", code, field,
                                         recorded=getattr(known, field), given=getattr(given, field))
            return
        if len(self.units) >= MAX_UNITS:
            raise InvalidValue("units", code, f"a contest has at most {MAX_UNITS} units", f"一个活动最多 {MAX_UNITS} 个单位")
        self._record(self.UnitAdded, by, key, unit=code, name=name, level=level, parent=parent)

    def register_judge(self, code: str, name: str, home_unit: str | None, affiliation: str, by: Actor,
                       key: str | None = None) -> None:
        """A judge's home unit may lie outside the contest's tree (a city department, say);
        recusal by home unit then never applies to that judge.  Registering a known judge
        with other details is refused: :meth:`update_judge` changes them, with a reason."""
        given = _judge(code, name, home_unit, affiliation)
        known = self.judges.get(given.code)
        if known == given:
            return
        if known is not None:
            for field in ("name", "home_unit", "affiliation"):
                if getattr(known, field) != getattr(given, field):
                    raise RecordConflict("judge", given.code, field,
                                         recorded=getattr(known, field), given=getattr(given, field),
                                         hint="leitai judge update")
        self._record(self.JudgeRegistered, by, key, judge=given.code, name=given.name, home_unit=given.home_unit,
                     affiliation=given.affiliation)

    def update_judge(self, code: str, name: str | None, home_unit: str | None, affiliation: str | None,
                     reason: str, by: Actor, key: str | None = None) -> bool:
        """Change a judge's details; None keeps a detail, "" clears the home unit."""
        known = self.judge(texts.entity_code(code, "judge_code"))
        given = _judge(known.code, known.name if name is None else name,
                       known.home_unit if home_unit is None else (home_unit or None),
                       known.affiliation if affiliation is None else affiliation)
        if given == known:
            return False
        self._record(self.JudgeUpdated, by, key, judge=given.code, name=given.name, home_unit=given.home_unit,
                     affiliation=given.affiliation, reason=require_reason(reason, "change a judge's details",
                                                                          "修改评委信息"))
        return True

    def enroll(self, organization: str, unit: str, by: Actor, key: str | None = None) -> None:
        unit = self.unit(unit).code
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

    def set_contact(self, contact: str, by: Actor, key: str | None = None) -> bool:
        contact = texts.text(contact or "", "contact", limit=texts.TITLE_MAX, required=False)
        if contact == self.contact:
            return False
        self._record(self.ContactSet, by, key, contact=contact)
        return True

    def set_consequences(self, top: int, bottom: int, by: Actor, key: str | None = None) -> None:
        for name, value in (("top", top), ("bottom", bottom)):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
                raise InvalidValue(f"consequences.{name}", value, "must be a whole number from 0 to 100",
                                   "应为 0 到 100 之间的整数")
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

    def declare_track(self, code: str, name: str, by: Actor, key: str | None = None) -> bool:
        """Declare a track (赛道); the same declaration again records nothing, another name
        for a declared code is refused."""
        if not isinstance(code, str) or not TRACK_CODE.fullmatch(code.strip()):
            raise InvalidValue("tracks.code", code, "a track code is 1-32 lowercase letters, digits, _ or -",
                               "赛道代码应为 1-32 个小写字母、数字、_ 或 -")
        code = code.strip()
        name = texts.name(name, "tracks.name", limit=40)
        if code in self.tracks:
            if self.tracks[code] != name:
                raise RecordConflict("track", code, "name", recorded=self.tracks[code], given=name)
            return False
        if len(self.tracks) >= MAX_TRACKS:
            raise InvalidValue("tracks", code, f"a contest has at most {MAX_TRACKS} tracks",
                               f"一个活动最多 {MAX_TRACKS} 个赛道")
        self._record(self.TrackDeclared, by, key, track=code, name=name)
        return True

    def track(self, code: str | None, field: str = "track") -> str:
        """A declared track's code ("" for none); an undeclared one is refused, naming the declared."""
        code = (code or "").strip()
        if not code:
            return ""
        if code not in self.tracks:
            known = ", ".join(self.tracks) or "none"
            known_zh = "、".join(f"{c}（{n}）" for c, n in self.tracks.items()) or "无"
            raise InvalidValue(field, code, f"not a track of contest {self.code} (declared: {known})",
                               f"不是活动 {self.code} 的赛道（已声明的赛道：{known_zh}）")
        return code

    def note_round(self, code: str, level: str, unit: str, period: str, promotes_to: str | None,
                   by: Actor, key: str | None = None, track: str = "") -> None:
        if level not in self.levels:
            raise InvalidValue("level", level, f"not a level of contest {self.code}",
                               f"不是活动 {self.code} 的层级")
        if self.unit(unit).level != level:
            raise InvalidValue("unit", unit, f"unit {unit} is a {self.units[unit].level} unit, not {level}",
                               f"单位 {unit} 属于 {self.units[unit].level} 级，不是 {level} 级")
        if code in self.rounds:
            return
        self._record(self.RoundScheduled, by, key, round=code, level=level, unit=unit, period=period,
                     promotes_to=promotes_to, track=self.track(track))

    # -- queries ----------------------------------------------------------------

    def unit(self, code: str) -> Unit:
        code = texts.entity_code(code, "unit")
        try:
            return self.units[code]
        except KeyError:
            raise UnitNotFound(contest=self.code, unit=code) from None

    def judge(self, code: str) -> Judge:
        code = texts.entity_code(code, "judge")
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


def _judge(code: str, name: str, home_unit: str | None, affiliation: str) -> Judge:
    return Judge(texts.entity_code(code, "judge_code"), texts.name(name, "name"),
                 texts.optional_code(home_unit, "home_unit_code"),
                 texts.name(affiliation or "", "affiliation", limit=texts.TITLE_MAX, required=False))
