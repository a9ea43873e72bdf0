"""A small contest for command tests: two townships, one round, four judges."""

from __future__ import annotations

from domain.model.base import Actor
from domain.services.app import Leitai
from domain.services.setup import RoundSpec
from tests.conftest import ADMIN

RULES = """
code = "town"
version = 1
[[criteria]]
code = "party"
max = 30
[[criteria]]
code = "industry"
max = 20
[panel]
method = "trimmed_mean"
min_judges = 3
[[components]]
code = "arena"
source = "panel"
[[components]]
code = "daily"
source = "input"
max = 100
weight = "0"
[adjustments]
max_bonus = 2
max_penalty = 1
[promotion]
to_level = "county"
quota = 1
"""
FINAL_RULES = """
code = "final"
version = 1
[[criteria]]
code = "speech"
max = 100
"""
JUDGES = ["J1", "J2", "J3", "J4"]


def judge(code: str) -> Actor:
    return Actor(code, "judge")


def small_contest(app: Leitai) -> None:
    """Round R1 at township T1 with entrants O1, O2; J4's home is T1, so J4 is recused."""
    app.register_ruleset(RULES, "town.toml", ADMIN)
    app.register_ruleset(FINAL_RULES, "final.toml", ADMIN)
    app.create_contest("c", "测试活动", ["township", "county"], ADMIN)
    app.add_unit("c", "C", "某县", "county", None, ADMIN)
    app.add_unit("c", "T1", "一镇", "township", "C", ADMIN)
    app.add_unit("c", "T2", "二镇", "township", "C", ADMIN)
    for code in JUDGES:
        app.register_judge("c", code, f"评委{code}", "T1" if code == "J4" else "C", "", ADMIN)
    for code, unit in (("O1", "T1"), ("O2", "T1"), ("O3", "T2")):
        app.register_organization("c", code, f"村{code}", unit, "village", "", f"书记{code}", ADMIN)
    app.schedule_round("c", RoundSpec("F", "county", "C", "2025-05", "final", judges=("J1", "J2"),
                                      entrants="promoted"), ADMIN)
    app.schedule_round("c", RoundSpec("R1", "township", "T1", "2025-05", "town", judges=tuple(JUDGES),
                                      promotes_to="F"), ADMIN)
    app.open_round("R1", ADMIN)


def score_all(app: Leitai, marks: dict[str, dict[str, str]] | None = None) -> None:
    """J1-J3 score O1 and O2 (J4 is recused from both)."""
    marks = marks or {"O1": {"party": "25", "industry": "15"}, "O2": {"party": "20", "industry": "12.5"}}
    for entrant, m in marks.items():
        for code in ("J1", "J2", "J3"):
            app.submit_sheet("R1", code, entrant, m, judge(code))
