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

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from domain.model.round import Round, mark_value, sheet_units
from domain.model.round_events import SheetRecord
from domain.numbers import UNITS, exact_sum, show
from domain.rules.panel import Aggregate, aggregate
from domain.rules.ruleset import RuleSet

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


def round_tallies(rnd: Round, rules: RuleSet) -> dict[str, JudgeTally]:
    """Per judge, from the round's valid sheets: deviations from the panel score each
    entrant received and how often the judge's marks stood apart and were trimmed.
    Entrants with fewer valid sheets than the rules need are left out."""
    max_total = sum((c.max for c in rules.criteria), Fraction(0))
    method, trim, needed = rules.panel.method, rules.panel.trim, max(rules.panel.min_judges, 1)
    by_entrant: dict[str, list[SheetRecord]] = defaultdict(list)
    active = {code for code, e in rnd.entrants.items() if e.status == "active"}
    recusals, sheets = rnd.recusals, rnd.sheets
    for pair, sheet_id in rnd.live.items():
        if pair[1] in active and not (recusals and pair in recusals):
            by_entrant[pair[1]].append(sheets[sheet_id])
    tallies: dict[str, JudgeTally] = {}
    sums: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    stood_apart: dict[str, int] = defaultdict(int)  # whole sheets (trim_on total)
    criteria_apart: dict[str, int] = defaultdict(int)  # criterion marks (trim_on criterion)
    # an entrant's part in the tallies is kept while its sheets stay the same (derived data)
    memo: dict[str, Any] = rnd.__dict__.setdefault("_tally_memo", {})
    for entrant, records in by_entrant.items():
        if len(records) < needed:
            continue
        key = (rules.digest, tuple((r.judge, r.ref) for r in records))
        known = memo.get(entrant)
        if known is not None and known[0] == key:
            parts = known[1]
        else:
            parts = _units_parts(records, method, trim) if rules.panel.trim_on == "total" else None
            memo[entrant] = (key, parts)
        if parts is not None:  # () when too few marks remain: nothing to tally
            # the panel score is kept_sum / n (in millionths): each gap, times n, is an integer
            for judge, denominator, gap, apart in parts:
                pair = sums[judge][denominator]
                pair[0] += gap
                pair[1] += gap if gap >= 0 else -gap
                t = tallies.get(judge) or _tally(tallies, judge, rnd, max_total)
                t.sheets += 1
                stood_apart[judge] += apart
        else:
            marks = {r.judge: {c: mark_value(m) for c, m in r.marks.items()} for r in records}
            aggs = {c.code: aggregate([(j, m[c.code]) for j, m in marks.items()], method, trim)
                    for c in rules.criteria}
            if any(a is None for a in aggs.values()):
                continue
            totals = {j: exact_sum(m.values()) for j, m in marks.items()}
            if rules.panel.trim_on == "total":
                total_agg = aggregate(list(totals.items()), method, trim)
                panel_value = total_agg.value  # type: ignore[union-attr]
            else:
                panel_value = exact_sum(a.value for a in aggs.values())  # type: ignore[union-attr]
            for judge, total in totals.items():
                gap = total - panel_value
                pair = sums[judge][gap.denominator]
                pair[0] += gap.numerator
                pair[1] += abs(gap.numerator)
                t = tallies.get(judge) or _tally(tallies, judge, rnd, max_total)
                t.sheets += 1
                if rules.panel.trim_on == "total":
                    stood_apart[judge] += _stood_apart(judge, total_agg, totals)  # type: ignore[arg-type]
                else:
                    criteria_apart[judge] += sum(_stood_apart(judge, a, {j: m[c] for j, m in marks.items()})  # type: ignore[arg-type]
                                                 for c, a in aggs.items())
    for judge, by_denominator in sums.items():
        t = tallies[judge]
        t.deviation = exact_sum(Fraction(n, d) for d, (n, _) in by_denominator.items())
        t.absolute = exact_sum(Fraction(a, d) for d, (_, a) in by_denominator.items())
        t.trimmed = stood_apart[judge] + Fraction(criteria_apart[judge], len(rules.criteria) or 1)
    return tallies


def _units_parts(records: list[SheetRecord], method: str, trim: int) -> tuple[tuple[str, int, int, int], ...] | None:
    """Each judge's (denominator, gap times it, stood apart) for one entrant, on whole
    millionths; None when a mark has more decimals than that (computed exactly instead);
    () when too few marks remain to aggregate."""
    scaled = [sheet_units(r.marks) for r in records]
    if None in scaled:
        return None
    values = {r.judge: u for r, u in zip(records, scaled)}
    agg = aggregate(list(values.items()), method, trim)  # type: ignore[arg-type]
    if agg is None:
        return ()
    n = len(agg.used)
    kept = [values[j] for j in agg.used]
    kept_sum, lowest, highest = sum(kept), min(kept), max(kept)  # type: ignore[arg-type]
    low, high = set(agg.dropped_low), set(agg.dropped_high)
    return tuple((judge, n * UNITS, value * n - kept_sum,  # type: ignore[operator]
                  int((judge in low and value < lowest) or (judge in high and value > highest)))  # type: ignore[operator]
                 for judge, value in values.items())


def _tally(tallies: dict[str, JudgeTally], judge: str, rnd: Round, max_total: Fraction) -> JudgeTally:
    seat = rnd.judges.get(judge)
    t = tallies[judge] = JudgeTally(judge, seat.name if seat else "", max_total=max_total, rounds={rnd.code})
    return t


def _stood_apart(judge: str, agg: Aggregate, values: dict[str, Any]) -> int:
    """1 if this judge's value was trimmed and lay strictly outside the kept values; a
    value dropped only because it tied with a kept one (the tie is broken by judge code)
    does not stand apart."""
    if judge in agg.dropped_low:
        return int(values[judge] < min(values[j] for j in agg.used))
    if judge in agg.dropped_high:
        return int(values[judge] > max(values[j] for j in agg.used))
    return 0


def combine(tallies: Iterable[dict[str, JudgeTally]]) -> dict[str, JudgeTally]:
    total: dict[str, JudgeTally] = {}
    for per_round in tallies:
        for judge, t in per_round.items():
            if judge not in total:
                total[judge] = JudgeTally(judge, t.name)
            total[judge].add(t)
    return total
