"""Star recommendation (rulebook section 8): bands, quotas per star level, veto items."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from math import floor

from domain.rules.ruleset import Stars


@dataclass(frozen=True)
class Rated:
    entrant: str
    score: Decimal  # the annual standing score at this level, as ranked


@dataclass(frozen=True)
class Recommendation:
    entrant: str
    stars: int | None  # None: veto, or below every band
    veto: bool
    band_stars: int | None  # the band reached before any quota was applied
    capped: bool  # moved down by a quota


def recommend(rated: Sequence[Rated], rule: Stars, vetoed: Collection[str] = ()) -> dict[str, Recommendation]:
    """The recommendation for each organization.

    Organizations with a recorded veto item get none.  The others take the first band
    whose ``min`` their score reaches.  Where a star level has a quota share, at most
    floor(share x organizations rated) keep it, best scores first; a tie at the limit
    drops as a whole; those who drop go to the next band down, whose own quota then
    applies to them too.
    """
    out = {r.entrant: Recommendation(r.entrant, None, True, None, False)
           for r in rated if r.entrant in vetoed}
    pool = [r for r in rated if r.entrant not in vetoed]
    pool.sort(key=lambda r: r.entrant)
    pool.sort(key=lambda r: r.score, reverse=True)
    rated_count = len(pool)
    first_band: dict[str, int | None] = {}
    members: list[list[Rated]] = [[] for _ in rule.bands]
    for r in pool:
        index = next((i for i, b in enumerate(rule.bands) if r.score >= b.min), None)
        first_band[r.entrant] = None if index is None else rule.bands[index].stars
        if index is not None:
            members[index].append(r)
    final_band: dict[str, int | None] = {}
    for i, band in enumerate(rule.bands):
        group = sorted(members[i], key=lambda r: r.entrant)
        group.sort(key=lambda r: r.score, reverse=True)
        share = rule.quota.get(band.stars)
        keep = group
        if share is not None:
            limit = floor(share * rated_count)
            if len(group) > limit:
                keep = group[:limit]
                if limit > 0 and group[limit - 1].score == group[limit].score:
                    cut = group[limit].score
                    keep = [r for r in keep if r.score != cut]
        kept = {r.entrant for r in keep}
        for r in group:
            if r.entrant in kept:
                final_band[r.entrant] = band.stars
            elif i + 1 < len(rule.bands):
                members[i + 1].append(r)
            else:
                final_band[r.entrant] = None
    for r in pool:
        stars = final_band.get(r.entrant)
        out[r.entrant] = Recommendation(r.entrant, stars, False, first_band[r.entrant],
                                        stars != first_band[r.entrant])
    return out
