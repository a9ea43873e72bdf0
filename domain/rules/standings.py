"""Period standings (rulebook section 7): monthly rounds rolled up into a quarter or year."""

from __future__ import annotations

import re

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction

from domain.errors import InvalidValue
from domain.numbers import round_half_up
from domain.rules.ranking import rank_by
from domain.rules.ruleset import RuleSet, Standings

PERIOD = re.compile(r"[0-9]{4}(-(0[1-9]|1[0-2])|-Q[1-4])?")


def check_period(period: str) -> str:
    if isinstance(period, str) and PERIOD.fullmatch(period) and "2000" <= period[:4] <= "2100":
        return period
    raise InvalidValue("period", period, "expected YYYY, YYYY-MM or YYYY-Qn (e.g. 2025-05, 2025-Q2), year 2000-2100",
                       "应为 YYYY、YYYY-MM 或 YYYY-Qn（如 2025-05、2025-Q2），年份在 2000 到 2100 之间")


CYCLE = re.compile(r"[0-9]{4}")


def check_cycle(cycle: str) -> str:
    """A certification cycle is a year (the annual standing counts, rulebook section 8)."""
    if isinstance(cycle, str) and CYCLE.fullmatch(cycle.strip()) and "2000" <= cycle.strip() <= "2100":
        return cycle.strip()
    raise InvalidValue("cycle", cycle, "a cycle is a year, e.g. 2025", "评定周期为年份，如 2025")


@dataclass(frozen=True)
class RoundPlacing:
    """One organization's ranked result in one finalized round."""

    round: str
    entrant: str
    name: str
    final: Decimal
    rank: int


@dataclass
class Standing:
    entrant: str
    name: str
    score: Fraction  # exact: sum, mean or points
    shown: Decimal  # what is ranked and shown (the mean is rounded to result.decimals)
    rounds: list[RoundPlacing] = field(default_factory=list)
    rank: int = 0
    tied: bool = False


def period_contains(period: str, inner: str) -> bool:
    """Whether a round period ("2025-05", "2025-Q2", "2025") lies inside ``period``."""
    if period == inner:
        return True
    year, _, rest = period.partition("-")
    inner_year, _, inner_rest = inner.partition("-")
    if year != inner_year:
        return False
    if not rest:
        return True  # a year holds its quarters and months
    if rest.startswith("Q") and inner_rest and not inner_rest.startswith("Q"):
        quarter = int(rest[1:])
        return (int(inner_rest) - 1) // 3 + 1 == quarter
    return False


def compute_standings(placings: Sequence[RoundPlacing], rule: Standings,
                      decimals: int) -> list[Standing]:
    """Combine the placings of several rounds; ranked with shared ranks, no tie-breakers.

    Only rounds in which an organization was ranked count as rounds it took part in;
    a disqualified or withdrawn organization has no placing in that round.
    """
    by_entrant: dict[str, list[RoundPlacing]] = {}
    for placing in placings:
        by_entrant.setdefault(placing.entrant, []).append(placing)
    standings: list[Standing] = []
    with localcontext() as exact:  # finals are short decimals: their sums are exact here
        exact.prec = 60
        totals = {entrant: sum((p.final for p in rows), Decimal(0)) for entrant, rows in by_entrant.items()}
    for entrant, rows in by_entrant.items():
        total = totals[entrant]
        numerator, denominator = total.as_integer_ratio()
        if rule.method == "sum":
            score = Fraction(numerator, denominator)
            shown = total
        elif rule.method == "mean":
            score = Fraction(numerator, denominator * len(rows))
            shown = round_half_up(score, decimals)
        else:
            score = sum((_points(rule, p.rank) for p in rows), Fraction(0))
            shown = Decimal(score.numerator) / Decimal(score.denominator)
        standings.append(Standing(entrant, rows[0].name, score, shown, sorted(rows, key=lambda p: p.round)))
    ranked = rank_by(standings, key=lambda s: (s.shown,), code=lambda s: s.entrant)
    for r in ranked:
        r.item.rank, r.item.tied = r.rank, r.tied
    return [r.item for r in ranked]


def periods_of(period: str) -> list[str]:
    """The standings periods a round period belongs to: itself, its quarter, its year."""
    year, _, rest = period.partition("-")
    if not rest:
        return [period]
    if rest.startswith("Q"):
        return [period, year]
    return [period, f"{year}-Q{(int(rest) - 1) // 3 + 1}", year]


def previous_period(period: str) -> str | None:
    """The period before, at the same granularity (month, quarter or year)."""
    year, _, rest = period.partition("-")
    y = int(year)
    if not rest:
        return str(y - 1)
    if rest.startswith("Q"):
        q = int(rest[1:])
        return f"{y - 1}-Q4" if q == 1 else f"{y}-Q{q - 1}"
    m = int(rest)
    return f"{y - 1}-12" if m == 1 else f"{y}-{m - 1:02d}"


def _points(rule: Standings, rank: int) -> Fraction:
    return rule.rank_points[rank - 1] if rank <= len(rule.rank_points) else Fraction(0)


@dataclass(frozen=True)
class FinalRound:
    """A finalized round as standings see it."""

    code: str
    period: str
    rules: RuleSet
    placings: tuple[RoundPlacing, ...]


def period_standings(rounds: Sequence[FinalRound], period: str) -> tuple[RuleSet | None, list[str], list[Standing]]:
    """Section 7 for one unit: the finalized rounds inside ``period`` combined by the rule
    set of the latest of them.  Returns (that rule set, the rounds used, the standings)."""
    inside = sorted((r for r in rounds if period_contains(period, r.period)), key=lambda r: (r.period, r.code))
    if not inside:
        return None, [], []
    rules = inside[-1].rules
    placings = [p for r in inside for p in r.placings]
    return rules, [r.code for r in inside], compute_standings(placings, rules.standings, rules.result_decimals)
