"""Award tiers under ties (rulebook section 5)."""

from __future__ import annotations

from collections.abc import Sequence

from domain.rules.ruleset import AwardTier


def assign_awards(ranks: Sequence[tuple[str, int]], tiers: Sequence[AwardTier],
                  ties: str) -> dict[str, str]:
    """Map entrant -> award code.

    ``ranks`` is the ranking in order as (entrant, rank).  Each tier takes its next
    ``count`` entrants and, if the last one is tied with those after it, the whole
    tied group.  Under ``consume`` the overflow uses up slots of the following tiers
    (carried on past a tier it exhausts); under ``extra`` every tier keeps its count.
    """
    awards: dict[str, str] = {}
    position = 0
    debt = 0
    for tier in tiers:
        slots = tier.count - debt if ties == "consume" else tier.count
        if slots <= 0:
            debt = -slots
            continue
        if position >= len(ranks):
            break
        end = min(position + slots, len(ranks))
        while end < len(ranks) and ranks[end][1] == ranks[end - 1][1]:
            end += 1
        for entrant, _ in ranks[position:end]:
            awards[entrant] = tier.code
        debt = (end - position) - slots if ties == "consume" else 0
        position = end
    return awards
