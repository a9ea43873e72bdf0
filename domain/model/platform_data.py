"""The PlatformData aggregate: one source's daily assessment data (日常掌握情况, e.g. 灯塔-党建在线)
for one contest and period, imported from a file (rulebook section 19.2).

A second import of the same source and period replaces the whole with a reason: a new
event; the earlier one stays in the history.
"""

from __future__ import annotations

from typing import Any

from domain.ids import platform_data_id
from domain.model.base import Actor, LeitaiAggregate, require_reason


class PlatformData(LeitaiAggregate):
    class Imported(LeitaiAggregate.Created):
        contest: str
        source: str
        period: str
        values: dict[str, str]  # organization -> exact decimal text
        digest: str  # sha256 of the file as given
        file: str

        def evolve(self, d: PlatformData) -> None:
            d.contest, d.source, d.period = self.contest, self.source, self.period
            if "_id" not in vars(d):  # the read side folds with evolve alone: the id follows from the fields
                d._id = platform_data_id(self.contest, self.source, self.period)
            d.values, d.digest, d.file = dict(self.values), self.digest, self.file
            d.history.append({"step": "imported", "digest": self.digest, "rows": len(self.values), "reason": "",
                              "seq": self.originator_version, "actor": self.actor})

    class Replaced(LeitaiAggregate.Event):
        values: dict[str, str]
        digest: str
        file: str
        reason: str

        def evolve(self, d: PlatformData) -> None:
            d.values, d.digest, d.file = dict(self.values), self.digest, self.file
            d.history.append({"step": "replaced", "digest": self.digest, "rows": len(self.values),
                              "reason": self.reason, "seq": self.originator_version, "actor": self.actor})

    def __init__(self) -> None:
        super().__init__()
        self.contest = self.source = self.period = self.digest = self.file = ""
        self.values: dict[str, str] = {}
        self.history: list[dict[str, Any]] = []

    @property
    def code(self) -> str:  # what a refusal names (domain/authority.py describe)
        return f"{self.contest} {self.source} {self.period}"

    @classmethod
    def start(cls, contest: str, source: str, period: str, values: dict[str, str], digest: str, file: str,
              by: Actor, key: str | None = None) -> PlatformData:
        return cls._start(cls.Imported, platform_data_id(contest, source, period), by, key, contest=contest,
                          source=source, period=period, values=values, digest=digest, file=file)

    def replace(self, values: dict[str, str], digest: str, file: str, reason: str | None, by: Actor,
                key: str | None = None) -> bool:
        """Replace the whole with a new file's values; False (nothing recorded) for the same file."""
        if self.seen(key) is not None or digest == self.digest:
            return False
        reason = require_reason(reason, f"replace the {self.source} data of {self.period} already imported",
                                f"替换已导入的 {self.source} {self.period} 数据")
        self._record(self.Replaced, by, key, values=values, digest=digest, file=file, reason=reason)
        return True
