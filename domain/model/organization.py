"""The Organization aggregate: a grassroots party organization, the entrant.

Results and stars belong to the organization, not to its secretary: replacing the
secretary mid-cycle is one event and changes nothing else.
"""

from __future__ import annotations

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
    value = text.strip()
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

    @classmethod
    def register(cls, code: str, name: str, unit: str, sector: str, category: str, secretary: str,
                 by: Actor, key: str | None = None) -> Organization:
        if not code.strip() or not name.strip():
            raise InvalidValue("org_code" if not code.strip() else "name", code or name,
                               "is required", "必须填写")
        return cls._start(cls.Registered, organization_id(code), by, key, code=code, name=name, unit=unit,
                          sector=parse_sector(sector), category=category, secretary=secretary)

    def update(self, name: str, unit: str, sector: str, category: str, secretary: str, by: Actor,
               reason: str, key: str | None = None) -> None:
        """Bring the record in line with a roster row: one event per real change."""
        if name != self.name:
            self._record(self.Renamed, by, key, name=name)
        if unit != self.unit:
            self._record(self.Moved, by, key, unit=unit, reason=reason)
        sector = parse_sector(sector)
        if (sector, category) != (self.sector, self.category):
            self._record(self.Reclassified, by, key, sector=sector, category=category)
        if secretary != self.secretary:
            self.replace_secretary(secretary, reason, by, key)

    def replace_secretary(self, secretary: str, reason: str, by: Actor, key: str | None = None) -> None:
        if not secretary.strip():
            raise InvalidValue("secretary", secretary, "the new secretary's name is required", "必须填写新任书记姓名")
        if secretary == self.secretary:
            return
        self._record(self.SecretaryReplaced, by, key, previous=self.secretary, secretary=secretary,
                     reason=require_reason(reason, "replace a secretary", "更换书记"))
