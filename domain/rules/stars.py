"""Star recommendation (rulebook sections 9 and 19.3): bands, quotas per star level (shares
and fixed counts), veto items, the evidence combined into the score, pools per track."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from math import floor
from typing import Any

from domain.numbers import exact_text, round_half_up
from domain.rules.ruleset import Stars
from domain.rules.star_evidence import HONOUR_LEVELS, Evidence


@dataclass(frozen=True)
class Rated:
    entrant: str
    score: Decimal  # the annual standing score at this level, as ranked (or the combined score, 19.3)
    basis: Mapping[str, Any] | None = None  # what the combined score was made of (19.3)


@dataclass(frozen=True)
class Recommendation:
    entrant: str
    stars: int | None  # None: veto, or below every band
    veto: bool
    band_stars: int | None  # the band reached before any quota was applied
    capped: bool  # moved down by a quota
    track: str = ""  # the pool (赛道) it was rated in
    score: Decimal | None = None  # the score put into bands
    basis: Mapping[str, Any] | None = None  # each kind of evidence and its share (19.3)


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
        share, count = rule.quota.get(band.stars), rule.counts.get(band.stars)
        keep = group
        if share is not None or count is not None:
            limits = ([floor(share * rated_count)] if share is not None else []) + ([count] if count is not None else [])
            limit = min(limits)
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
                                        stars != first_band[r.entrant], score=r.score, basis=r.basis)
    return out


def recommend_by_track(rated: Sequence[Rated], rule: Stars, vetoed: Collection[str] = (),
                       tracks: Mapping[str, str] | None = None) -> dict[str, Recommendation]:
    """``recommend`` in one pool per track (rulebook section 19.3): organizations of the same
    track form a pool; those without a track one pool, as before tracks."""
    tracks = tracks or {}
    pools: dict[str, list[Rated]] = {}
    for r in rated:
        pools.setdefault(tracks.get(r.entrant, ""), []).append(r)
    out: dict[str, Recommendation] = {}
    for track, members in sorted(pools.items()):
        for entrant, rec in recommend(members, rule, vetoed).items():
            out[entrant] = replace(rec, track=track)
    return out


def platform_value(imports: Mapping[str, Mapping[str, Fraction]], organization: str, cycle: str) -> Fraction | None:
    """The platform value of an organization for a cycle (19.2): the year's import; else the
    mean of its values in the quarters imported; else in the months; None when there are none."""
    if cycle in imports:
        return imports[cycle].get(organization)
    for quarters in (True, False):
        values = [v[organization] for period, v in sorted(imports.items())
                  if period.startswith(cycle + "-") and ("Q" in period) == quarters and organization in v]
        if values:
            return sum(values, Fraction(0)) / len(values)
    return None


def honour_score(levels: Collection[str], evidence: Evidence) -> tuple[Fraction, str | None]:
    """The points of the highest level among the cycle's honours (not a sum), with that level."""
    for level in HONOUR_LEVELS:
        if level in levels:
            return evidence.honour_points.get(level, Fraction(0)), level
    return Fraction(0), None


def combine(contest: Decimal, platform: Fraction | None, honour_levels: Collection[str], evidence: Evidence,
            decimals: int) -> tuple[Decimal, dict[str, Any]]:
    """The combined score (19.3), rounded half up to ``decimals``, and its basis: each kind of
    evidence with its value, weight and share (exact decimal text)."""
    honours, top = honour_score(honour_levels, evidence)
    values = {"contest": Fraction(contest), "platform": platform or Fraction(0), "honours": honours}
    total = Fraction(0)
    parts: dict[str, Any] = {}
    for kind, weight in sorted(evidence.weights.items()):
        share = weight * values[kind]
        total += share
        parts[kind] = {"value": exact_text(values[kind]), "weight": exact_text(weight), "share": exact_text(share)}
    if "platform" in parts:
        parts["platform"].update(source=evidence.platform_source, missing=platform is None)
    if "honours" in parts:
        parts["honours"]["level"] = top
    score = round_half_up(total, decimals)
    return score, {"combined": str(score), "parts": parts}


def with_evidence(rated: Sequence[Rated], rule: Stars, decimals: int, cycle: str,
                  platform: Mapping[str, Mapping[str, Fraction]],
                  honours: Mapping[str, Collection[str]]) -> list[Rated]:
    """Each organization rated on the combined score of section 19.3 (as it is without
    ``[stars].evidence``): ``platform`` is the imports of the rule's source by period,
    ``honours`` the levels of each organization's honours in the cycle."""
    if rule.evidence is None:
        return list(rated)
    out: list[Rated] = []
    for r in rated:
        value = platform_value(platform, r.entrant, cycle) if rule.evidence.platform_source else None
        score, basis = combine(r.score, value, honours.get(r.entrant, ()), rule.evidence, decimals)
        out.append(Rated(r.entrant, score, basis))
    return out
