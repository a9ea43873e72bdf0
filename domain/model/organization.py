"""The Organization aggregate: a grassroots party organization, the entrant.

Results and stars belong to the organization, not to its secretary: replacing the
secretary mid-cycle is one event and changes nothing else.
"""

from __future__ import annotations

from domain import text as texts
from domain.errors import InvalidValue
from domain.ids import organization_id
from domain.model.base import Actor, LeitaiAggregate, require_reason

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

    def __init__(self) -> None:
        super().__init__()
        self.code = self.name = self.unit = self.sector = self.category = self.secretary = ""
        self.secretaries: list[str] = []  # earlier secretaries, oldest first
        self.tracks: list[tuple[str, str]] = []  # (from period, track), oldest first (赛道, rulebook section 20)

    def track_in(self, period: str) -> str:
        """The track (赛道) this organization competes in during ``period`` ("" when its
        contest has no tracks): the last change from a period at or before it."""
        found = ""
        for start, track in self.tracks:
            if start <= period:
                found = track
        return found

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
