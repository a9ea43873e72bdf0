"""Standings per track (赛道, rulebook section 20.4): a unit's organizations ranked apart,
track by track, each organization in the track it belongs to in the period.

Pure: the caller says which track each entrant is in for the period (``track_of``); an
organization's score still combines every ranked round of the unit in the period
(section 8), whatever track the round belongs to - results belong to the organization.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from domain.rules.ruleset import RuleSet
from domain.rules.standings import (
    FinalRound,
    Standing,
    period_contains,
    period_standings,
)

TrackStandings = tuple[RuleSet | None, list[str], list[Standing]]  # (rules used, rounds used, standings)


def period_standings_by_track(rounds: Sequence[FinalRound], period: str,
                              track_of: Callable[[str], str]) -> dict[str, TrackStandings]:
    """Section 8 for each track apart: the placings of the organizations of a track, combined
    by the rule set of the latest round in which one of them is placed, ranked among them
    only.  Tracks without any placing in the period are left out."""
    inside = [r for r in rounds if period_contains(period, r.period)]
    tracks: dict[str, list[FinalRound]] = {}
    for r in inside:
        split: dict[str, list] = {}
        for placing in r.placings:
            split.setdefault(track_of(placing.entrant), []).append(placing)
        for track, placings in split.items():
            tracks.setdefault(track, []).append(FinalRound(r.code, r.period, r.rules, tuple(placings)))
    return {track: period_standings(mine, period) for track, mine in tracks.items()}


def track_order(declared: Iterable[str], found: Iterable[str]) -> list[str]:
    """The tracks in the order a contest declared them, then any others (an organization
    without a track, "", last)."""
    declared = list(declared)
    found = set(found)
    rest = sorted(t for t in found if t not in declared and t)
    return [t for t in declared if t in found] + rest + ([""] if "" in found else [])
