"""Consequences of a period's standings (月评比、季总结、年考核 practice, e.g. 宁津大曹镇):
the top N share their experience, the bottom N are interviewed (约谈), the most improved
since the previous period are named, and leading organizations are paired with lagging
ones (结对共建): the first with the last, the second with the second-to-last, and so on.

A tie at the edge of the top or bottom N is taken in whole, as for awards.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from domain.rules.ladder import take_whole
from domain.rules.standings import Standing


def consequences(standings: Sequence[Standing], previous: Sequence[Standing], top_n: int,
                 bottom_n: int) -> list[tuple[str, int, str, str, str | None, str | None, str]]:
    """Rows of (kind, position, entrant, name, partner, partner's name, detail); the
    detail is JSON (ranks and scores) that each language renders in its own words."""
    rows: list[tuple[str, int, str, str, str | None, str | None, str]] = []
    top = take_whole(standings, top_n)
    top_codes = {s.entrant for s in top}
    reversed_ = sorted(standings, key=lambda s: (-s.rank, s.entrant))
    bottom = [s for s in take_whole(reversed_, bottom_n) if s.entrant not in top_codes]
    for i, s in enumerate(top, 1):
        rows.append(("top", i, s.entrant, s.name, None, None, _detail(rank=s.rank, score=str(s.shown))))
    for i, s in enumerate(bottom, 1):
        rows.append(("bottom", i, s.entrant, s.name, None, None, _detail(rank=s.rank, score=str(s.shown))))
    before = {s.entrant: s for s in previous}
    gains = []
    for s in standings:
        p = before.get(s.entrant)
        if p is not None and p.rank > s.rank:
            gains.append((p.rank - s.rank, s.shown - p.shown, s, p))
    gains.sort(key=lambda g: (-g[0], -g[1], g[2].entrant))
    for i, (gain, _, s, p) in enumerate(gains[: max(top_n, 0)], 1):
        rows.append(("improved", i, s.entrant, s.name, None, None, _detail(**{"from": p.rank, "to": s.rank,
                                                                              "gain": gain})))
    for i, (leader, lagger) in enumerate(zip(top, bottom), 1):
        rows.append(("pairing", i, leader.entrant, leader.name, lagger.entrant, lagger.name,
                     _detail(rank=leader.rank, partner_rank=lagger.rank)))
    return rows


def _detail(**values: object) -> str:
    return json.dumps(values, sort_keys=True, separators=(",", ":"))
