"""The ranking document of rulebook section 12.

Decimals are strings; ``final`` has exactly ``result.decimals`` decimals; each
component is its exact value rounded half-up to ``result.decimals + 2`` decimals, for
information only (ranking never uses the rounded components).
"""

from __future__ import annotations

from typing import Any

from domain.model.round import Round
from domain.model.round_events import CLOSED, FINAL, PUBLISHED
from domain.numbers import show, show_exact_text
from domain.rules.engine import RoundResult
from domain.rules.ruleset import RuleSet


def ranking_document(rnd: Round, result: RoundResult) -> dict[str, Any]:
    rules = result.rules
    decimals = rules.result_decimals
    has_promotion = rules.promotion is not None
    entries = []
    for e in result.entries:
        entries.append({
            "entrant": e.entrant,
            "name": e.name,
            "rank": e.rank,
            "final": None if e.exact_final is None or e.final is None else show(e.exact_final, decimals),
            "tied": e.tied,
            "components": {c.code: show(e.components[c.code], decimals + 2)
                           for c in rules.components if c.code in e.components},
            "award": e.award,
            "promotion": e.promotion if has_promotion else None,
            "reason": e.promotion_reason if has_promotion else None,
        })
    return {
        "round": rnd.code,
        "rules": {"code": rules.code, "version": rules.version},
        "status": rnd.status,
        "seal": rnd.seal,
        "entries": entries,
    }


def recorded_document(rnd: Round, rules: RuleSet) -> dict[str, Any] | None:
    """The ranking JSON of a closed round as its sealed results recorded it (None if the
    round is not closed, or its results lack the exact values)."""
    if rnd.status not in (CLOSED, PUBLISHED, FINAL) or not rnd.results:
        return None
    if any("exact" not in row for row in rnd.results):
        return None
    d = rules.result_decimals
    has_promotion = rules.promotion is not None
    entries = []
    for row in rnd.results:
        shown = row["components"]
        entries.append({
            "entrant": row["entrant"], "name": rnd.entrants[row["entrant"]].name, "rank": row["rank"],
            "final": row["final"], "tied": row["tied"],
            "components": {c.code: show_exact_text(shown[c.code], d + 2)
                           for c in rules.components if c.code in shown},
            "award": row["award"],
            "promotion": row["promotion"] if has_promotion else None,
            "reason": row["reason"] if has_promotion else None,
        })
    return {"round": rnd.code, "rules": {"code": rules.code, "version": rules.version}, "status": rnd.status,
            "seal": rnd.seal, "entries": entries}
