"""A township of five villages scored month by month, with a ladder of consequences and
classes in its rule set (rulebook sections 15-16): the fixture of the tests of 结果运用 work."""

from __future__ import annotations

from datetime import date, timedelta

from domain.model.base import Actor
from domain.services.app import Leitai
from domain.services.clock import FixedClock
from domain.services.setup import RoundSpec
from tests.conftest import ADMIN

WORK_RULES = """
code = "work"
version = 1
[[criteria]]
code = "s"
max = 100

[classes]
by = "score"
[[classes.bands]]
code = "1"
name = "一类"
min = 85
[[classes.bands]]
code = "2"
name = "二类"
min = 70
[[classes.bands]]
code = "3"
name = "三类"

[[ladder]]
period = "month"
who = "bottom"
count = 2
steps = [
  { action = "interview", by = "党委副书记", days = 5, record = ["date", "place", "participants", "summary"] },
  { action = "interview", by = "镇党委书记、镇长", days = 5, record = ["date", "place", "participants", "summary", "attachment"] },
]

[[ladder]]
period = "month"
who = "top"
count = 1
steps = [{ action = "share", by = "镇党委", days = 10 }]

[[ladder]]
period = "month"
who = "class:3"
steps = [{ action = "pairing", by = "镇党委", obligation = { exchanges = 2, per = "month", months = 2 }, record = ["date", "place", "summary"] }]
"""
VILLAGES = ("V1", "V2", "V3", "V4", "V5")


def work_contest(app: Leitai, rules: str = WORK_RULES) -> None:
    """Contest "w": township T1 (under county C) with villages V1-V5, one judge J1; T2 another township."""
    app.register_ruleset(rules, "work.toml", ADMIN)
    app.create_contest("w", "结果运用测试", ["township", "county"], ADMIN)
    app.add_unit("w", "C", "某县", "county", None, ADMIN)
    app.add_unit("w", "T1", "一镇", "township", "C", ADMIN)
    app.add_unit("w", "T2", "二镇", "township", "C", ADMIN)
    app.register_judge("w", "J1", "评委一", "C", "", ADMIN)
    for code in VILLAGES:
        app.register_organization("w", code, f"村{code}", "T1", "village", "", f"书记{code}", ADMIN)


def month(app: Leitai, clock: FixedClock, period: str, scores: dict[str, str], unit: str = "T1") -> None:
    """Round R-<unit>-<period> scored, published on the 3rd of the next month and finalized."""
    code = f"R-{unit}-{period}"
    app.schedule_round("w", RoundSpec(code, "township", unit, period, "work", judges=("J1",)), ADMIN)
    app.open_round(code, ADMIN)
    for entrant, score in scores.items():
        app.submit_sheet(code, "J1", entrant, {"s": score}, Actor("J1", "judge"))
    y, m = int(period[:4]), int(period[5:7])
    published = date(y + m // 12, m % 12 + 1, 3)
    clock.set(published.isoformat() + "T09:00")
    app.close_round(code, ADMIN)
    app.publish(code, ADMIN, on=published)
    clock.set((published + timedelta(days=12)).isoformat() + "T09:00")
    app.finalize(code, ADMIN)


MAY = {"V1": "90", "V2": "80", "V3": "75", "V4": "60", "V5": "50"}
JUNE = {"V1": "88", "V2": "86", "V3": "55", "V4": "72", "V5": "40"}
