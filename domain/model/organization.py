"""The Organization aggregate: a grassroots party organization, the entrant.

Results and stars belong to the organization, not to its secretary: replacing the
secretary mid-cycle is one event and changes nothing else.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from domain import text as texts
from domain.errors import InvalidValue
from domain.ids import organization_id
from domain.model.base import Actor, LeitaiAggregate, require_reason
from domain.model.round_events import recorded_at
from domain.rules.star_evidence import parse_honour_level

MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


def first_month(period: str) -> str:
    """The first month of a period: 2025-05 -> 2025-05, 2025-Q3 -> 2025-07, 2025 -> 2025-01."""
    year, _, rest = period.partition("-")
    if not rest:
        return f"{year}-01"
    if rest.startswith("Q") and rest[1:].isdigit():
        return f"{year}-{int(rest[1:]) * 3 - 2:02d}"
    return period


def last_month(period: str) -> str:
    """The last month of a period: 2025-05 -> 2025-05, 2025-Q3 -> 2025-09, 2025 -> 2025-12."""
    year, _, rest = period.partition("-")
    if not rest:
        return f"{year}-12"
    if rest.startswith("Q") and rest[1:].isdigit():
        return f"{year}-{int(rest[1:]) * 3:02d}"
    return period


SECTORS = {
    "village": ("rural village", "rural", "农村", "村", "嘎查村", "嘎查", "行政村"),
    "community": ("urban community", "urban", "社区", "城市社区"),
    "state_enterprise": ("state enterprise", "国有企业", "国企"),
    "non_public": ("non-public", "non public", "nonpublic", "private", "非公企业", "非公", "民营企业",
                   "社会组织", "两新组织"),
    "agency": ("agency", "government agency", "机关", "事业单位", "机关事业单位"),
    "school": ("school", "学校", "高校"),
}


def parse_sector(text: str) -> str:
    """A sector code from its code, English name or a common Chinese name; blank = unspecified."""
    value = texts.name(text or "", "sector", limit=40, required=False)
    if not value:
        return ""
    words = value.lower().replace("_", " ").replace("-", " ")
    for code, names in SECTORS.items():
        if value == code or value in names or words == code.replace("_", " ") or words in names:
            return code
    choices = ", ".join(SECTORS)
    raise InvalidValue("sector", text, f"unknown sector; use one of {choices} (or its Chinese name)",
                       f"未知的类别，应为 {choices} 之一（或对应中文名称，如 农村、社区、国有企业、非公企业、机关、学校）")


class Organization(LeitaiAggregate):
    class Registered(LeitaiAggregate.Created):
        code: str
        name: str
        unit: str
        sector: str
        category: str
        secretary: str

        def evolve(self, o: Organization) -> None:
            o.code, o.name, o.unit, o.sector = self.code, self.name, self.unit, self.sector
            o.category, o.secretary = self.category, self.secretary

    class Renamed(LeitaiAggregate.Event):
        name: str
        reason: str

        def evolve(self, o: Organization) -> None:
            o.name = self.name

    class Moved(LeitaiAggregate.Event):
        unit: str
        reason: str

        def evolve(self, o: Organization) -> None:
            o.unit = self.unit

    class Reclassified(LeitaiAggregate.Event):
        sector: str
        category: str
        reason: str

        def evolve(self, o: Organization) -> None:
            o.sector, o.category = self.sector, self.category

    class SecretaryReplaced(LeitaiAggregate.Event):
        previous: str
        secretary: str
        reason: str

        def evolve(self, o: Organization) -> None:
            o.secretaries.append(o.secretary)
            o.secretary = self.secretary

    # -- honours (荣誉, rulebook section 19.1) --
    class HonourRecorded(LeitaiAggregate.Event):
        number: int
        name: str
        level: str
        date: str  # YYYY-MM-DD
        issuer: str

        def evolve(self, o: Organization) -> None:
            o.honours.append({"number": self.number, "name": self.name, "level": self.level, "date": self.date,
                              "issuer": self.issuer, "withdrawn": None, "actor": self.actor})

    class HonourWithdrawn(LeitaiAggregate.Event):
        number: int
        reason: str

        def evolve(self, o: Organization) -> None:
            for h in o.honours:
                if h["number"] == self.number:
                    h["withdrawn"] = self.reason

    # -- tracks (赛道, rulebook section 20.3) --
    class TrackChanged(LeitaiAggregate.Event):
        """The organization competes in ``track`` from the month ``from_period`` on ("": from
        the beginning)."""

        track: str
        from_period: str
        contest: str
        reason: str

        def evolve(self, o: Organization) -> None:
            o.tracks.append((self.from_period, self.track, self.contest))
            o.track_history.append({"from": self.from_period, "track": self.track, "contest": self.contest,
                                    "reason": self.reason, "actor": self.actor, "seq": self.originator_version,
                                    "at": recorded_at(self)})

    def __init__(self) -> None:
        super().__init__()
        self.code = self.name = self.unit = self.sector = self.category = self.secretary = ""
        self.secretaries: list[str] = []  # earlier secretaries, oldest first
        self.tracks: list[tuple[str, str, str]] = []  # (from month, track), oldest first (赛道, rulebook section 20)
        self.track_history: list[dict[str, Any]] = []  # each change with its reason, who and where
        self.honours: list[dict[str, Any]] = []  # 荣誉 (rulebook section 19.1), numbered from 1

    def track_in(self, period: str, contest: str | None = None) -> str:
        """The track (赛道) this organization competes in during ``period`` in ``contest`` (""
        when it has none): the one in force in the period's first month (a quarter's first
        month, a year's January), i.e. the last change starting at or before that month.
        Tracks are a contest's: a change recorded in one contest never moves the organization
        in another (whose periods may be scored already); ``contest`` None reads every change."""
        first = first_month(period)
        found = ""
        for start, track, where in self.tracks:
            if (contest is None or where == contest) and start <= first:
                found = track
        return found

    def change_track(self, track: str, from_period: str, contest: str, reason: str, by: Actor,
                     key: str | None = None) -> bool:
        """Record a change of track from a month ("" = from the beginning: a first track).
        The checks that need rounds (a scored period) are the service's; here: the month is
        a month, no earlier than the last change, and the change changes something."""
        if from_period and (not MONTH.fullmatch(from_period) or not "2000" <= from_period[:4] <= "2100"):
            raise InvalidValue("from", from_period, "a track changes from a month: YYYY-MM (e.g. 2025-07)",
                               "赛道只能从某个月开始变更：应为 YYYY-MM（如 2025-07）")
        mine = [t for t in self.tracks if t[2] == contest]  # the changes recorded in this contest
        last = mine[-1][0] if mine else None
        if last is not None and from_period < last:
            raise InvalidValue("from", from_period, f"the last change of {self.code}'s track starts in "
                               f"{last or 'the beginning'}; a change cannot start before it",
                               f"{self.code} 上一次赛道变更从 {last or '一开始'} 起；新的变更不能早于它")
        if mine and self.track_in(from_period or "0000-01", contest) == track:
            return False
        if not mine and not track:
            return False
        self._record(self.TrackChanged, by, key, track=track, from_period=from_period, contest=contest,
                     reason=require_reason(reason, "change an organization's track", "变更党组织的赛道"))
        return True

    @classmethod
    def register(cls, code: str, name: str, unit: str, sector: str, category: str, secretary: str,
                 by: Actor, key: str | None = None) -> Organization:
        code = texts.entity_code(code, "org_code")
        details = _details(name, unit, sector, category, secretary)
        return cls._start(cls.Registered, organization_id(code), by, key, code=code, **details)

    def update(self, name: str | None, unit: str | None, sector: str | None, category: str | None,
               secretary: str | None, by: Actor, reason: str, key: str | None = None) -> int:
        """Bring the record in line with the given details (None keeps one): one event per
        real change; returns how many events were recorded."""
        given = _details(self.name if name is None else name, self.unit if unit is None else unit,
                         self.sector if sector is None else sector,
                         self.category if category is None else category,
                         self.secretary if secretary is None else secretary)
        before = self.version
        if given == {"name": self.name, "unit": self.unit, "sector": self.sector, "category": self.category,
                     "secretary": self.secretary}:
            return 0
        reason = require_reason(reason, "change an organization's details", "修改党组织信息")
        if given["name"] != self.name:
            self._record(self.Renamed, by, key, name=given["name"], reason=reason)
        if given["unit"] != self.unit:
            self._record(self.Moved, by, key, unit=given["unit"], reason=reason)
        if (given["sector"], given["category"]) != (self.sector, self.category):
            self._record(self.Reclassified, by, key, sector=given["sector"], category=given["category"],
                         reason=reason)
        if given["secretary"] != self.secretary:
            self.replace_secretary(given["secretary"], reason, by, key)
        return self.version - before

    def record_honour(self, name: str, level: str, on: str, issuer: str, today: date, by: Actor,
                      key: str | None = None) -> int:
        """荣誉: recorded with its level, date (not after ``today``) and issuer; returns its number."""
        if self.seen(key) is not None:
            return len(self.honours)  # this command ran already
        name, issuer = texts.name(name, "name"), texts.name(issuer, "issuer")
        level = parse_honour_level(level)
        try:
            when = date.fromisoformat(on.strip()) if isinstance(on, str) and len(on.strip()) == 10 else None
        except ValueError:
            when = None
        if when is None:
            raise InvalidValue("date", on, "expected a real date as YYYY-MM-DD (e.g. 2025-07-01)",
                               "应为真实日期，格式 YYYY-MM-DD（如 2025-07-01）")
        if when.year < 2000:  # the years Leitai's periods cover (rulebook 3): a mistyped year, not an honour
            raise InvalidValue("date", on, "lies before 2000: check the year", "早于 2000 年，请核对年份")
        if when > today:
            raise InvalidValue("date", on, f"is after today ({today.isoformat()}): an honour not yet given cannot be recorded",
                               f"晚于今天（{today.isoformat()}），尚未授予的荣誉不能登记")
        number = len(self.honours) + 1
        self._record(self.HonourRecorded, by, key, number=number, name=name, level=level, date=when.isoformat(),
                     issuer=issuer)
        return number

    def withdraw_honour(self, number: int, reason: str, by: Actor, key: str | None = None) -> None:
        if self.seen(key) is not None:
            return
        found = next((h for h in self.honours if h["number"] == number), None)
        if found is None:
            raise InvalidValue("honour", number, f"{self.code} has no honour number {number}",
                               f"{self.code} 没有编号为 {number} 的荣誉")
        if found["withdrawn"] is not None:
            raise InvalidValue("honour", number, f"honour {number} of {self.code} was withdrawn already",
                               f"{self.code} 的荣誉 {number} 已经撤销")
        self._record(self.HonourWithdrawn, by, key, number=number,
                     reason=require_reason(reason, "withdraw an honour", "撤销荣誉"))

    def honours_in(self, cycle: str) -> list[dict[str, Any]]:
        """The honours of a cycle (the year of their date), withdrawn ones left out."""
        return [h for h in self.honours if h["date"][:4] == cycle and h["withdrawn"] is None]

    def replace_secretary(self, secretary: str, reason: str, by: Actor, key: str | None = None) -> None:
        secretary = texts.name(secretary, "secretary")
        if secretary == self.secretary:
            return
        self._record(self.SecretaryReplaced, by, key, previous=self.secretary, secretary=secretary,
                     reason=require_reason(reason, "replace a secretary", "更换书记"))


def _details(name: str, unit: str, sector: str, category: str, secretary: str) -> dict[str, str]:
    return {"name": texts.name(name, "name"), "unit": texts.entity_code(unit, "unit_code"),
            "sector": parse_sector(sector or ""), "category": texts.name(category or "", "category", limit=40,
                                                                          required=False),
            "secretary": texts.name(secretary or "", "secretary", required=False)}
