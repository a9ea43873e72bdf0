"""The ranking document of rulebook section 12.

Decimals are strings; ``final`` has exactly ``result.decimals`` decimals; each
component is its exact value rounded half-up to ``result.decimals + 2`` decimals, for
information only (ranking never uses the rounded components).
"""

from __future__ import annotations

from typing import Any

from domain.model.round import Round
from domain.numbers import fixed, show
from domain.rules.engine import RoundResult


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
            "final": None if e.final is None else fixed(e.final, decimals),
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
