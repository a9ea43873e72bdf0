"""Small builders that keep the rulebook tests readable."""

from __future__ import annotations

from fractions import Fraction

from domain.numbers import fraction
from domain.rules.engine import RoundResult, compute_round
from domain.rules.facts import AdjustmentFact, EntrantFact, RoundFacts, SheetFact
from domain.rules.ruleset import RuleSet, parse_ruleset

BASE = """
code = "t"
version = 1
"""


def rules(body: str = "", criteria: str | None = None) -> RuleSet:
    """A rule set from TOML; one criterion "c" (max 100) unless criteria are given."""
    if criteria is None:
        criteria = '[[criteria]]\ncode = "c"\nmax = 100\n'
    return parse_ruleset(BASE + criteria + body)


def sheets(table: dict[str, dict[str, object]]) -> tuple[SheetFact, ...]:
    """{entrant: {judge: mark-or-{criterion: mark}}} -> sheets; a bare mark is criterion "c"."""
    out = []
    for entrant, by_judge in table.items():
        for judge, marks in by_judge.items():
            if not isinstance(marks, dict):
                marks = {"c": marks}
            out.append(SheetFact(judge, entrant, {k: fraction(str(v)) for k, v in marks.items()}))
    return tuple(out)


def facts(sheet_table: dict[str, dict[str, object]], *, statuses: dict[str, str] | None = None,
          adjustments: list[tuple[str, str]] | None = None,
          inputs: dict[tuple[str, str], str] | None = None,
          linked: dict[str, dict[str, str]] | None = None,
          entrants: list[str] | None = None) -> RoundFacts:
    statuses = statuses or {}
    codes = entrants or sorted(set(sheet_table) | set(statuses))
    return RoundFacts(
        round="R",
        entrants=tuple(EntrantFact(c, c, statuses.get(c, "active")) for c in codes),
        sheets=sheets(sheet_table),
        adjustments=tuple(AdjustmentFact(e, fraction(p), "test") for e, p in adjustments or []),
        inputs={k: fraction(v) for k, v in (inputs or {}).items()},
        linked={c: {e: Fraction(fraction(v)) for e, v in m.items()} for c, m in (linked or {}).items()},
    )


def compute(rule_set: RuleSet, round_facts: RoundFacts) -> RoundResult:
    return compute_round(rule_set, round_facts)


def table(result: RoundResult, *fields: str) -> list[tuple[object, ...]]:
    """Rows of (entrant, field...) in listed order, decimals as text."""
    rows = []
    for e in result.entries:
        row: list[object] = [e.entrant]
        for f in fields:
            value = getattr(e, f)
            row.append(str(value) if value is not None and f == "final" else value)
        rows.append(tuple(row))
    return rows
