"""The PeriodResult aggregate: a unit's period (month, quarter, year) closed - the
snapshot of its final standings, the classes (一类/二类/三类) and who each rung of the
ladder concerned (rulebook sections 15-16).  Recorded once; the tasks and pairs it
issues are aggregates of their own (Task, Pair)."""

from __future__ import annotations

from typing import Any

from domain.ids import period_result_id
from domain.model.base import Actor, LeitaiAggregate


class PeriodResult(LeitaiAggregate):
    class PeriodClosed(LeitaiAggregate.Created):
        code: str
        contest: str
        unit: str
        period: str
        track: str
        on: str  # the day it was closed (ISO)
        rules: dict[str, Any]  # {code, version, digest} of the rule set the standings follow
        rounds: list[str]
        standings: list[dict[str, Any]]  # {entrant, name, rank, score}
        digest: str  # sha256 of the standings' canonical JSON
        classes: dict[str, str]  # entrant -> class code
        class_names: dict[str, str]  # class code -> name
        concerned: list[dict[str, Any]]  # {rung, key, entrant, streak, step, task | pair}

        def evolve(self, r: Any) -> None:
            if "_id" not in vars(r):  # the read side folds with evolve alone: the id follows from the code
                r._id = period_result_id(self.code)
            for key in ("code", "contest", "unit", "period", "track", "on", "digest"):
                setattr(r, key, getattr(self, key))
            r.rules, r.rounds = dict(self.rules), list(self.rounds)
            r.standings, r.concerned = [dict(s) for s in self.standings], [dict(c) for c in self.concerned]
            r.classes, r.class_names = dict(self.classes), dict(self.class_names)

    def __init__(self) -> None:
        super().__init__()
        self.code = self.contest = self.unit = self.period = self.track = self.on = self.digest = ""
        self.rules: dict[str, Any] = {}
        self.rounds: list[str] = []
        self.standings: list[dict[str, Any]] = []
        self.classes: dict[str, str] = {}
        self.class_names: dict[str, str] = {}
        self.concerned: list[dict[str, Any]] = []

    @classmethod
    def close(cls, by: Actor, key: str | None, **fields: Any) -> PeriodResult:
        return cls._start(cls.PeriodClosed, period_result_id(fields["code"]), by, key, **fields)

    def streak(self, rung_key: str, entrant: str) -> int:
        """How many consecutive periods up to this one ``entrant`` was concerned by the rung (0: not now)."""
        found = next((c["streak"] for c in self.concerned if c["key"] == rung_key and c["entrant"] == entrant), None)
        if found is None and "/" in rung_key:  # closed before rung keys named their count ("month:bottom")
            found = next((c["streak"] for c in self.concerned
                          if c["key"] == rung_key.split("/")[0] and c["entrant"] == entrant), None)
        return found or 0
