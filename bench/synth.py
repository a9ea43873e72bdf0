"""Synthetic contest histories for the benchmark, made by the real aggregates.

Every event is produced by the domain's own command methods (so every sheet passes
the same checks as a typed one), mapped by the application's own mapper, and bulk
loaded into an empty store.  A county-year: one contest, townships of about twenty
villages, a monthly round per township for twelve months, seven judges per panel,
daily-assessment inputs, a few corrections and penalties, and every round closed,
published and finalized.  A province-year is many county-years.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from domain.model.base import Actor
from domain.model.contest import Contest
from domain.model.organization import Organization
from domain.model.round import Round
from domain.model.ruleset_history import RuleSetHistory
from domain.rules.ruleset import parse_ruleset
from domain.workdays import WorkCalendar

ADMIN = Actor("bench", "admin")
RULES_TEXT = """
code = "bench-township"
version = 1
title = "benchmark township rules"
[marks]
decimals = 1
[[criteria]]
code = "party"
max = 30
[[criteria]]
code = "industry"
max = 25
[[criteria]]
code = "ecology"
max = 15
[[criteria]]
code = "culture"
max = 15
[[criteria]]
code = "governance"
max = 15
[panel]
method = "trimmed_mean"
min_judges = 5
[[components]]
code = "arena"
source = "panel"
weight = "0.8"
[[components]]
code = "daily"
source = "input"
max = 100
weight = "0.2"
[adjustments]
max_penalty = 1
[result]
decimals = 2
[ranking]
tie_breakers = ["unrounded"]
[[awards]]
code = "first"
count = 1
[[awards]]
code = "second"
count = 2
[promotion]
to_level = "county"
quota = 2
reserves = 1
[standings]
method = "mean"
[stars]
bands = [{ stars = 5, min = 90 }, { stars = 4, min = 80 }, { stars = 3, min = 70 }, { stars = 2, min = 60 }, { stars = 1, min = 0 }]
quota = { 5 = "0.10" }
"""
CRITERIA = [("party", 30), ("industry", 25), ("ecology", 15), ("culture", 15), ("governance", 15)]


@dataclass(frozen=True)
class Shape:
    name: str
    counties: int = 1
    organizations: int = 300  # per county
    per_township: int = 20
    months: int = 12
    judges: int = 7


COUNTY_YEAR = Shape("county-year")
COUNTY_YEAR_X4 = Shape("county-year x4", organizations=1200)
PROVINCE_YEAR = Shape("province-year", counties=40)


def _mark(rng: random.Random, maximum: int, quality: float) -> str:
    tenths = round(maximum * min(0.99, max(0.3, quality + rng.gauss(0, 0.03))) * 10)
    return f"{tenths // 10}.{tenths % 10}"


def histories(shape: Shape, seed: int = 7) -> Iterator[list]:
    """Yields the aggregates of one county at a time (events pending, not yet saved)."""
    rng = random.Random(seed)
    rules = parse_ruleset(RULES_TEXT)
    history = RuleSetHistory.start(rules.code, ADMIN)
    history.register(rules, RULES_TEXT, "bench.toml", ADMIN)
    ref = history.get(1).ref()
    calendar = WorkCalendar()
    first = True
    for county in range(1, shape.counties + 1):
        aggregates: list = [history] if first else []
        first = False
        code = f"C{county:02d}"
        contest = Contest.create(f"bench-{code}", f"县 {code} 比武争星", ["township", "county"], ADMIN)
        contest.add_unit(code, f"县{code}", "county", None, ADMIN)
        townships = [f"{code}-T{t:02d}" for t in range(1, shape.organizations // shape.per_township + 1)]
        for t in townships:
            contest.add_unit(t, f"镇{t}", "township", code, ADMIN)
        pool = [f"{code}-J{j:02d}" for j in range(1, 3 * shape.judges + 1)]
        for j in pool:
            contest.register_judge(j, f"评委{j}", code, "县直部门", ADMIN)
        quality: dict[str, float] = {}
        orgs: dict[str, Organization] = {}
        for index in range(shape.organizations):
            unit = townships[index // shape.per_township]
            org_code = f"{unit}-{index % shape.per_township + 1:02d}"
            orgs[org_code] = Organization.register(org_code, f"村{org_code}", unit, "village", "", f"书记{index}",
                                                   ADMIN)
            contest.enroll(org_code, unit, ADMIN)
            quality[org_code] = rng.uniform(0.7, 0.93)
        aggregates += [contest, *orgs.values()]
        for month in range(1, shape.months + 1):
            period = f"2025-{month:02d}"
            for t in townships:
                rnd_code = f"R-{t}-{period}"
                panel = rng.sample(pool, shape.judges)
                contest.note_round(rnd_code, "township", t, period, None, ADMIN)
                rnd = Round.schedule(rnd_code, contest.code, "township", t, period, "月度擂台", "meeting", ref, {},
                                     None, "unit", ADMIN)
                for j in panel:
                    rnd.seat_judge(j, f"评委{j}", code, ADMIN)
                entrants = contest.organizations_in(t)
                for org_code in entrants:
                    rnd.admit(org_code, orgs[org_code].name, t, {"kind": "roster"}, ADMIN)
                rnd.open(ADMIN)
                for org_code in entrants:
                    rnd.record_input(rules, org_code, "daily", f"{rng.randint(600, 990) / 10:.1f}", ADMIN)
                    for j in panel:
                        marks = {c: _mark(rng, m, quality[org_code]) for c, m in CRITERIA}
                        rnd.submit_sheet(rules, j, org_code, marks, Actor(j, "judge"))
                    if rng.random() < 0.05:
                        j = rng.choice(panel)
                        marks = {c: _mark(rng, m, quality[org_code]) for c, m in CRITERIA}
                        rnd.correct_sheet(rules, j, org_code, marks, "录入错误更正", ADMIN)
                    if rng.random() < 0.03:
                        rnd.record_adjustment(rules, org_code, "-0.1", "超时", ADMIN)
                meeting = date(2025, month, 20)  # closed at the meeting and published the same day
                rnd.close(rules, {}, meeting, ADMIN)
                publicity = rnd.publish(meeting, 5, calendar, meeting, ADMIN)
                rnd.finalize(date.fromisoformat(publicity.end) + timedelta(days=1), ADMIN)
                aggregates.append(rnd)
        yield aggregates
