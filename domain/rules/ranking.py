"""Ordering and shared ranks (rulebook section 4), for rounds and for standings.

``rank_by(items, keys)`` orders items by their key tuples, highest first, and gives
equal keys the same rank with the following ranks skipped (1, 2, 2, 4).  Within a
tie, items are listed by their code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, NamedTuple, TypeVar

T = TypeVar("T")


class Ranked(NamedTuple, Generic[T]):
    item: T
    rank: int
    tied: bool


def rank_by(items: Sequence[T], key: Callable[[T], tuple[Any, ...]],
            code: Callable[[T], str]) -> list[Ranked[T]]:
    ordered = sorted(items, key=code)
    ordered.sort(key=key, reverse=True)  # stable: equal keys stay in code order
    out: list[Ranked[T]] = []
    for index, item in enumerate(ordered):
        if index and key(ordered[index - 1]) == key(item):
            rank = out[-1].rank
        else:
            rank = index + 1
        out.append(Ranked(item, rank, False))
    counts: dict[int, int] = {}
    for r in out:
        counts[r.rank] = counts.get(r.rank, 0) + 1
    return [Ranked(r.item, r.rank, counts[r.rank] > 1) for r in out]
