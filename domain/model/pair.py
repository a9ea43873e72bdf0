"""The Pair aggregate: 结对共建 formed by a pairing rung of the ladder (rulebook section
15.3) - a leading organization helps a lagging one, with an obligation such as
"每月至少开展线下交流2次" over a span of months; each exchange is recorded."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.errors import InvalidValue, WorkStateError
from domain.ids import pair_id
from domain.model.base import Actor, LeitaiAggregate, require_reason
from domain.model.task import recorded

ACTIVE, ENDED = "active", "ended"
STATE_ZH = {ACTIVE: "结对中", ENDED: "已结束"}


def month_after(month: str, n: int) -> str:
    """The month ``n`` months after ``month`` (YYYY-MM)."""
    y, m = int(month[:4]), int(month[5:7]) - 1 + n
    return f"{y + m // 12}-{m % 12 + 1:02d}"


class Pair(LeitaiAggregate):
    class PairFormed(LeitaiAggregate.Created):
        code: str
        contest: str
        unit: str
        period: str
        track: str
        leader: str
        leader_name: str
        lagger: str
        lagger_name: str
        rung: int
        step: int
        streak: int
        by_whom: str
        exchanges: int  # at least this many ...
        per: str  # ... each month or quarter
        start: str  # first month (YYYY-MM)
        end: str  # last month (YYYY-MM)
        record: list[str]
        why_zh: str
        why_en: str

        def evolve(self, p: Any) -> None:
            if "_id" not in vars(p):  # the read side folds with evolve alone: the id follows from the code
                p._id = pair_id(self.code)
            for key in ("code", "contest", "unit", "period", "track", "leader", "leader_name", "lagger", "lagger_name",
                        "rung", "step", "streak", "by_whom", "exchanges", "per", "start", "end", "why_zh", "why_en"):
                setattr(p, key, getattr(self, key))
            p.record, p.state, p.log, p.ended = list(self.record), ACTIVE, [], None

    class ExchangeRecorded(LeitaiAggregate.Event):
        date: str | None
        place: str
        participants: str
        summary: str
        attachment: str | None
        recorded_on: str | None = None  # the application's date when it was recorded (None: before it was kept)

        def evolve(self, p: Any) -> None:
            p.log.append({"date": self.date, "place": self.place, "participants": self.participants,
                          "summary": self.summary, "attachment": self.attachment,
                          "recorded_on": getattr(self, "recorded_on", None)})

    class PairEnded(LeitaiAggregate.Event):
        reason: str
        on: str

        def evolve(self, p: Any) -> None:
            p.state, p.ended = ENDED, {"on": self.on, "reason": self.reason}

    def __init__(self) -> None:
        super().__init__()
        self.code = self.start = self.end = ""
        self.state = ACTIVE
        self.record: list[str] = []
        self.log: list[dict[str, Any]] = []
        self.ended: dict[str, Any] | None = None

    @classmethod
    def form(cls, by: Actor, **fields: Any) -> Pair:
        return cls._start(cls.PairFormed, pair_id(fields["code"]), by, None, **fields)

    def exchange(self, today: date, by: Actor, key: str | None = None, **given: Any) -> None:
        if self.seen(key) is not None:
            return
        self._active("record an exchange", "登记交流")
        values = recorded(self.record or ["date"], today, **given)
        if values["date"] is None:
            raise InvalidValue("date", None, "an exchange needs its date", "交流必须登记日期")
        if not self.start <= values["date"][:7] <= self.end:
            raise InvalidValue("date", values["date"], f"lies outside the pair's span {self.start} to {self.end}",
                               f"不在结对期 {self.start} 至 {self.end} 之内")
        same = ("date", "place", "participants", "summary", "attachment")
        if any(all(x.get(k) == values[k] for k in same) for x in self.log):
            raise InvalidValue("date", values["date"], "this exchange (same date, place, participants and summary) "
                               "is recorded already; an exchange counts once",
                               "这次交流（日期、地点、参加人员、情况摘要都相同）已经登记过，同一次交流只计一次")
        self._record(self.ExchangeRecorded, by, key, recorded_on=today.isoformat(), **values)

    def end_pair(self, reason: str, today: date, by: Actor, key: str | None = None) -> None:
        if self.seen(key) is not None:
            return
        self._active("end it", "结束结对")
        self._record(self.PairEnded, by, key, reason=require_reason(reason, "end a pair", "结束结对"),
                     on=today.isoformat())

    def _active(self, action: str, action_zh: str) -> None:
        if self.state != ACTIVE:
            raise WorkStateError("Pair", "结对", self.code, self.state, STATE_ZH[self.state], action, action_zh,
                                 "", "")
