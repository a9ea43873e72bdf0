"""What the rules engine is given: the recorded facts of one round.

A Round aggregate turns its events into :class:`RoundFacts`; the engine never sees
an event, a database or a clock, so the same facts always give the same ranking.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from domain.numbers import UNITS, exact_sum

ACTIVE = "active"
DISQUALIFIED = "disqualified"
WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class EntrantFact:
    code: str
    name: str = ""
    status: str = ACTIVE
    reason: str | None = None


@dataclass(slots=True)
class SheetFact:
    """A judge's valid sheet for one entrant: the latest version, not voided.  (Not
    frozen: a million of them are built in a rebuild, and frozen dataclasses are slow to
    construct; nothing changes one after it is built.)"""

    judge: str
    entrant: str
    marks: Mapping[str, Fraction]
    ref: str = ""  # the event that recorded these marks, e.g. "R-GL-2025-05#17"
    sheet: str = ""  # the event that first submitted the sheet
    versions: int = 1  # 1 + the number of corrections
    units: int | None = None  # the total in millionths (domain.numbers.UNITS), when every mark fits
    total: Fraction = field(init=False, compare=False)

    def __post_init__(self) -> None:
        if self.units is not None:
            self.total = Fraction(self.units, UNITS)
        else:
            self.total = exact_sum(self.marks.values())


@dataclass(frozen=True)
class AdjustmentFact:
    entrant: str
    points: Fraction  # > 0 bonus, < 0 penalty
    reason: str = ""
    ref: str = ""


@dataclass(frozen=True)
class RoundFacts:
    round: str
    entrants: tuple[EntrantFact, ...]
    sheets: tuple[SheetFact, ...] = ()
    adjustments: tuple[AdjustmentFact, ...] = ()
    # (entrant, component) -> recorded value; for a votes component, the vote count
    inputs: Mapping[tuple[str, str], Fraction] = field(default_factory=dict)
    # component -> entrant -> unrounded final of the linked round
    linked: Mapping[str, Mapping[str, Fraction]] = field(default_factory=dict)
