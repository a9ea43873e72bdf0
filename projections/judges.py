"""Judge statistics: how far each judge's marks stand from the panel (the bias check
that ISU and Eurovision run).

For every valid sheet, the deviation is the sheet's total minus the panel score the
entrant received (both on the scale of the summed criteria).  Per judge: the mean
deviation (signed: a lenient or a harsh judge), the mean absolute deviation, and how
often the judge's marks were trimmed away while standing strictly outside the kept
marks (a mark dropped only because it tied with a kept one does not count).  A judge is flagged when the mean
deviation reaches FLAG_DEVIATION of the maximum total, or when at least
FLAG_MIN_SHEETS sheets were scored and FLAG_TRIMMED_SHARE of them were trimmed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from domain.numbers import show
from domain.rules.engine import RoundResult
from domain.rules.panel import Aggregate

FLAG_DEVIATION = Fraction(3, 100)  # 3% of the maximum total, e.g. 3 points of 100
FLAG_TRIMMED_SHARE = Fraction(3, 5)
FLAG_MIN_SHEETS = 5


@dataclass
class JudgeTally:
    judge: str
    name: str = ""
    sheets: int = 0
    deviation: Fraction = Fraction(0)
    absolute: Fraction = Fraction(0)
    trimmed: Fraction = Fraction(0)  # sheets trimmed (a share of a sheet under trim_on = criterion)
    max_total: Fraction = Fraction(0)
    rounds: set[str] = field(default_factory=set)

    def add(self, other: JudgeTally) -> None:
        self.sheets += other.sheets
        self.deviation += other.deviation
        self.absolute += other.absolute
        self.trimmed += other.trimmed
        self.max_total = max(self.max_total, other.max_total)
        self.rounds |= other.rounds

    def row(self, scope: str, key: str) -> tuple:
        n = self.sheets or 1
        mean, absolute, share = self.deviation / n, self.absolute / n, self.trimmed / n
        why = []  # reasons as "code:value:limit", rendered in the reader's language
        if self.max_total and abs(mean) >= FLAG_DEVIATION * self.max_total:
            why.append(f"deviation:{show(mean, 2)}:{show(FLAG_DEVIATION * self.max_total, 2)}")
        if self.sheets >= FLAG_MIN_SHEETS and share >= FLAG_TRIMMED_SHARE:
            why.append(f"trimmed:{show(share * 100, 0)}:{show(FLAG_TRIMMED_SHARE * 100, 0)}")
        return (scope, key, self.judge, self.name, self.sheets, show(mean, 4), show(absolute, 4),
                int(self.trimmed), show(share, 4), int(bool(why)), "; ".join(why) or None)


def round_tallies(result: RoundResult, names: dict[str, str]) -> dict[str, JudgeTally]:
    rules = result.rules
    max_total = sum((c.max for c in rules.criteria), Fraction(0))
    criteria = len(rules.criteria) or 1
    tallies: dict[str, JudgeTally] = {}
    for entry in result.entries:
        panel = entry.panel
        if panel is None:
            continue
        totals = {s.judge: s.total for s in entry.sheets}
        for sheet in entry.sheets:
            t = tallies.get(sheet.judge)
            if t is None:
                t = tallies[sheet.judge] = JudgeTally(sheet.judge, names.get(sheet.judge, ""), max_total=max_total,
                                                      rounds={result.round})
            gap = sheet.total - panel.value
            t.sheets += 1
            t.deviation += gap
            t.absolute += abs(gap)
            if panel.by_total is not None:
                t.trimmed += _stood_apart(sheet.judge, panel.by_total, totals)
            else:
                dropped = sum(_stood_apart(sheet.judge, agg, {s.judge: s.marks[code] for s in entry.sheets})
                              for code, agg in panel.by_criterion.items())
                t.trimmed += Fraction(dropped, criteria)
    return tallies


def _stood_apart(judge: str, agg: Aggregate, values: dict[str, Fraction]) -> int:
    """1 if this judge's value was trimmed and lay strictly outside the kept values; a
    value dropped only because it tied with a kept one (the tie is broken by judge code)
    does not stand apart."""
    kept = [values[j] for j in agg.used]
    if judge in agg.dropped_low:
        return int(values[judge] < min(kept))
    if judge in agg.dropped_high:
        return int(values[judge] > max(kept))
    return 0


def combine(tallies: Iterable[dict[str, JudgeTally]]) -> dict[str, JudgeTally]:
    total: dict[str, JudgeTally] = {}
    for per_round in tallies:
        for judge, t in per_round.items():
            if judge not in total:
                total[judge] = JudgeTally(judge, t.name)
            total[judge].add(t)
    return total
