"""How a judging panel's values become one value (rulebook section 3, step 2).

Each function takes ``(judge, value)`` pairs and returns the value together with the
judges whose values were used and those left out, so that ``leitai explain`` can show
exactly what was trimmed.  Order of input never matters: values are sorted by value,
then by judge code, before anything is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple
from fractions import Fraction
from operator import itemgetter

from domain.numbers import exact_sum


BY_VALUE_THEN_JUDGE = itemgetter(1, 0)


class Aggregate(NamedTuple):
    """(A named tuple: immutable, and built hundreds of thousands of times in a rebuild.)"""

    value: Fraction
    used: tuple[str, ...]
    dropped_low: tuple[str, ...] = ()
    dropped_high: tuple[str, ...] = ()


def aggregate(values: Sequence[tuple[str, Fraction]], method: str, trim: int) -> Aggregate | None:
    """Mean, median or trimmed mean of the values; None if there are too few."""
    ordered = sorted(values, key=BY_VALUE_THEN_JUDGE)
    n = len(ordered)
    if n == 0:
        return None
    if method == "mean":
        return Aggregate(_mean([v for _, v in ordered]), tuple([j for j, _ in ordered]))
    if method == "median":
        middle = ordered[(n - 1) // 2 : n // 2 + 1]
        low = ordered[: (n - 1) // 2]
        high = ordered[n // 2 + 1 :]
        return Aggregate(
            _mean(v for _, v in middle),
            tuple(j for j, _ in middle),
            tuple(j for j, _ in low),
            tuple(j for j, _ in high),
        )
    if method == "trimmed_mean":
        if n - 2 * trim < 1:
            return None
        kept = ordered[trim : n - trim]
        return Aggregate(
            _mean([v for _, v in kept]),
            tuple([j for j, _ in kept]),
            tuple([j for j, _ in ordered[:trim]]),
            tuple([j for j, _ in ordered[n - trim :]]),
        )
    raise ValueError(f"unknown panel method {method!r}")


def _mean(values: Iterable[Fraction | int]) -> Fraction:
    items = list(values)
    if all(type(v) is int for v in items):  # whole millionths: one exact division
        return Fraction(sum(items), len(items))  # type: ignore[arg-type]
    total = exact_sum(items)  # type: ignore[arg-type]
    return Fraction(total.numerator, total.denominator * len(items))
