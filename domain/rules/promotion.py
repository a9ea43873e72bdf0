"""Who advances, who is a reserve, and why the others do not (rulebook section 6)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.numbers import exact_text
from domain.rules.facts import DISQUALIFIED, WITHDRAWN
from domain.rules.ruleset import Promotion

PROMOTED = "promoted"
RESERVE = "reserve"
NOT_PROMOTED = "not_promoted"


@dataclass(frozen=True)
class Candidate:
    entrant: str
    rank: int | None  # None: not ranked (disqualified or withdrawn)
    final: Decimal | None
    status: str


@dataclass(frozen=True)
class Outcome:
    promotion: str
    reason: str | None


def decide_promotion(candidates: Sequence[Candidate], rule: Promotion) -> dict[str, Outcome]:
    """Outcome for every candidate; ``candidates`` are in ranking order."""
    # min_score comes from a decimal in the rule file, so it is an exact Decimal too
    # (comparing Decimal finals with a Fraction directly is exact but slow)
    min_score = Decimal(exact_text(rule.min_score))
    eligible = [
        c for c in candidates
        if c.rank is not None and c.final is not None and c.final >= min_score
    ]
    excluded: set[str] = set()
    if len(eligible) <= rule.quota:
        promoted = list(eligible)
    else:
        last, first_out = eligible[rule.quota - 1], eligible[rule.quota]
        if last.rank != first_out.rank:
            promoted = eligible[: rule.quota]
        elif rule.cutoff_ties == "include":
            promoted = [c for c in eligible if c.rank is not None and c.rank <= last.rank]  # type: ignore[operator]
        else:
            promoted = [c for c in eligible[: rule.quota] if c.rank != last.rank]
            excluded = {c.entrant for c in eligible if c.rank == last.rank}
    promoted_codes = {c.entrant for c in promoted}
    remaining = [c for c in eligible if c.entrant not in promoted_codes]
    reserves = _take_with_ties(remaining, rule.reserves)
    reserve_codes = {c.entrant for c in reserves}

    outcomes: dict[str, Outcome] = {}
    for c in candidates:
        if c.entrant in promoted_codes:
            outcomes[c.entrant] = Outcome(PROMOTED, None)
        elif c.entrant in reserve_codes:
            outcomes[c.entrant] = Outcome(RESERVE, None)
        elif c.status == DISQUALIFIED:
            outcomes[c.entrant] = Outcome(NOT_PROMOTED, "disqualified")
        elif c.status == WITHDRAWN:
            outcomes[c.entrant] = Outcome(NOT_PROMOTED, "withdrawn")
        elif c.final is not None and c.final < min_score:
            outcomes[c.entrant] = Outcome(NOT_PROMOTED, "below_min_score")
        elif c.entrant in excluded:
            outcomes[c.entrant] = Outcome(NOT_PROMOTED, "tie_excluded")
        elif c.rank is None:
            continue  # pending: not enough sheets yet, no outcome to show
        else:
            outcomes[c.entrant] = Outcome(NOT_PROMOTED, "below_cutoff")
    return outcomes


def _take_with_ties(ordered: Sequence[Candidate], count: int) -> list[Candidate]:
    if count <= 0:
        return []
    end = min(count, len(ordered))
    while end < len(ordered) and ordered[end].rank == ordered[end - 1].rank:
        end += 1
    return list(ordered[:end])
