"""The holiday calendar organizers load, one year at a time, as recorded events."""

from __future__ import annotations

from datetime import date

from domain.ids import calendar_id
from domain.model.base import Actor, LeitaiAggregate
from domain.workdays import YearCalendar


class HolidayCalendar(LeitaiAggregate):
    class Started(LeitaiAggregate.Created):
        pass

    class YearLoaded(LeitaiAggregate.Event):
        year: int
        holidays: list[str]
        workdays: list[str]
        source: str

        def evolve(self, c: HolidayCalendar) -> None:
            c.years[self.year] = YearCalendar(
                self.year,
                frozenset(date.fromisoformat(d) for d in self.holidays),
                frozenset(date.fromisoformat(d) for d in self.workdays),
                self.source,
            )

    def __init__(self) -> None:
        super().__init__()
        self.years: dict[int, YearCalendar] = {}

    @classmethod
    def start(cls, by: Actor) -> HolidayCalendar:
        return cls._start(cls.Started, calendar_id(), by, None)

    def load(self, year: YearCalendar, by: Actor, key: str | None = None) -> bool:
        known = self.years.get(year.year)
        if known is not None and (known.holidays, known.workdays) == (year.holidays, year.workdays):
            return False
        self._record(self.YearLoaded, by, key, year=year.year,
                     holidays=sorted(d.isoformat() for d in year.holidays),
                     workdays=sorted(d.isoformat() for d in year.workdays), source=year.source)
        return True
