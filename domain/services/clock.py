"""The time the application lives in: mainland China (UTC+8, no daylight saving).

Commands that depend on the date (filing an appeal, finalizing) take it from the
application's clock, so tests and drills can run on any day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8), "CST")


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(CHINA)

    def today(self) -> date:
        return self.now().date()


class FixedClock:
    """A clock that shows a given moment until moved (for tests and drills)."""

    def __init__(self, moment: datetime | date | str) -> None:
        self.moment = _to_datetime(moment)

    def now(self) -> datetime:
        return self.moment

    def today(self) -> date:
        return self.moment.date()

    def set(self, moment: datetime | date | str) -> None:
        self.moment = _to_datetime(moment)


def _to_datetime(moment: datetime | date | str) -> datetime:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment) if "T" in moment else date.fromisoformat(moment)
    if isinstance(moment, datetime):
        return moment if moment.tzinfo else moment.replace(tzinfo=CHINA)
    return datetime(moment.year, moment.month, moment.day, 9, 0, tzinfo=CHINA)
