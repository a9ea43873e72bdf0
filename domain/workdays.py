"""Mainland-China working days for the publicity period (rulebook section 9).

A day is a working day unless it is a weekend or a statutory holiday; a weekend day
that is a make-up working day (调休) is a working day.  The data for a year comes from,
in order: a holiday list an organizer loaded for that year (recorded as an event), the
``chinese-calendar`` package (which knows only the years it was released with), or -
only when the organizer asks for it - a weekends-only fallback that is written into
the published result.  A year with none of these is an error, never a silent guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

from domain.errors import CalendarMissing, InvalidValue

WEEKENDS_FALLBACK = "weekends"


@dataclass(frozen=True)
class YearCalendar:
    """An organizer-supplied year: holidays, and weekend days that are working days."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str


def parse_year_file(text: str, source: str) -> YearCalendar:
    """Read a holiday file: one ``YYYY-MM-DD,holiday|workday[,name]`` per line.

    Lines starting with ``#`` and a header line ``date,kind,name`` are ignored.  Every
    date must be in the same year.
    """
    holidays: set[date] = set()
    workdays: set[date] = set()
    years: set[int] = set()
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#") or line.lower().startswith("date,"):
            continue
        parts = [p.strip() for p in line.split(",")]
        field = f"{source} line {number}"
        try:
            day = date.fromisoformat(parts[0])
        except ValueError:
            raise InvalidValue(field, parts[0], "expected a date YYYY-MM-DD",
                               "应为日期 YYYY-MM-DD") from None
        kind = parts[1].lower() if len(parts) > 1 else ""
        if kind in ("holiday", "休", "假"):
            holidays.add(day)
        elif kind in ("workday", "班", "调休"):
            workdays.add(day)
        else:
            raise InvalidValue(field, kind, "kind must be holiday or workday",
                               "类型应为 holiday（放假）或 workday（调休上班）")
        years.add(day.year)
    if not years:
        raise InvalidValue(source, "", "the file lists no day: write one line per day, date,holiday|workday "
                           "(e.g. 2027-01-01,holiday)", "文件中没有任何日期：每行写一天，日期,holiday|workday"
                           "（如 2027-01-01,holiday）")
    if len(years) != 1:
        raise InvalidValue(source, sorted(years), "a holiday file must cover exactly one year",
                           "一个节假日文件只能包含同一年的日期")
    return YearCalendar(years.pop(), frozenset(holidays), frozenset(workdays), source)


class WorkCalendar:
    """Working-day arithmetic over recorded years, the package data and a fallback."""

    def __init__(self, recorded: Mapping[int, YearCalendar] | Iterable[YearCalendar] = (),
                 fallback: str | None = None) -> None:
        if isinstance(recorded, Mapping):
            self.recorded = dict(recorded)
        else:
            self.recorded = {y.year: y for y in recorded}
        if fallback not in (None, WEEKENDS_FALLBACK):
            raise InvalidValue("calendar_fallback", fallback, f"only {WEEKENDS_FALLBACK!r} is offered",
                               f"只能选择 {WEEKENDS_FALLBACK!r}")
        self.fallback = fallback
        self.used: dict[int, str] = {}  # year -> where its data came from

    def is_workday(self, day: date) -> bool:
        year = self.recorded.get(day.year)
        if year is not None:
            self.used[day.year] = f"file:{year.source}"
            if day in year.workdays:
                return True
            return day.weekday() < 5 and day not in year.holidays
        try:
            result = chinese_calendar.is_workday(day)
        except NotImplementedError:
            if self.fallback == WEEKENDS_FALLBACK:
                self.used[day.year] = "fallback:weekends-only"
                return day.weekday() < 5
            raise CalendarMissing(year=day.year) from None
        self.used[day.year] = f"chinese-calendar {chinese_calendar.__version__}"
        return bool(result)

    def period(self, start: date, working_days: int) -> tuple[date, date]:
        """The first and the last of ``working_days`` working days from ``start`` on.

        A publication on a working day counts that day as day 1; a publication on a
        rest day starts on the next working day.
        """
        if working_days < 1:
            raise InvalidValue("days", working_days, "the publicity period needs at least 1 working day",
                               "公示期至少 1 个工作日")
        day = start
        while not self.is_workday(day):
            day += timedelta(days=1)
        first = day
        counted = 1
        while counted < working_days:
            day += timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return first, day
