"""The rules engine: one round's facts and rule set in, its ranking out (sections 3-6).

``compute_round(rules, facts)`` is a pure function.  It keeps every intermediate
value (each sheet, what was trimmed, each component, the adjustments, the unrounded
and rounded final, the tie-break that separated equal finals) so that a ranking can
be explained line by line.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from domain.numbers import UNITS, exact_sum, exact_text, fixed, round_half_up
from domain.rules.awards import assign_awards
from domain.rules.facts import ACTIVE, AdjustmentFact, RoundFacts, SheetFact
from domain.rules.panel import Aggregate, aggregate
from domain.rules.promotion import Candidate, decide_promotion
from domain.rules.ranking import rank_by
from domain.rules.ruleset import RuleSet


@dataclass(frozen=True)
class PanelScore:
    """The panel component for one entrant, with how it was reached."""

    value: Fraction
    totals: dict[str, Fraction]  # judge -> sheet total
    by_total: Aggregate | None  # when trim_on = "total"
    by_criterion: dict[str, Aggregate]  # always computed (criterion tie-breakers use it)


@dataclass(frozen=True)
class TieNote:
    """How this entrant was separated from another with the same rounded final."""

    other: str
    breaker: str | None  # None: still equal after all tie-breakers (tied)
    mine: Fraction | None = None
    theirs: Fraction | None = None


@dataclass
class EntrantResult:
    entrant: str
    name: str
    status: str
    status_reason: str | None
    sheets: tuple[SheetFact, ...]
    sheets_needed: int
    panel: PanelScore | None = None
    components: dict[str, Fraction] = field(default_factory=dict)
    adjustments: tuple[AdjustmentFact, ...] = ()
    bonus: Fraction = Fraction(0)
    penalty: Fraction = Fraction(0)
    exact_final: Fraction | None = None
    final: Decimal | None = None
    rank: int | None = None
    tied: bool = False
    tie_notes: list[TieNote] = field(default_factory=list)
    award: str | None = None
    promotion: str | None = None
    promotion_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.status == ACTIVE

    @property
    def complete(self) -> bool:
        """Enough valid sheets for the round to close (always true when exempt)."""
        return not self.active or len(self.sheets) >= self.sheets_needed


@dataclass
class RoundResult:
    round: str
    rules: RuleSet
    entries: list[EntrantResult]  # ranked, then pending, then disqualified/withdrawn

    @property
    def complete(self) -> bool:
        return all(e.complete for e in self.entries)

    @property
    def incomplete(self) -> list[EntrantResult]:
        return [e for e in self.entries if not e.complete]

    def entry(self, entrant: str) -> EntrantResult | None:
        return next((e for e in self.entries if e.entrant == entrant), None)

    def compact(self) -> list[dict[str, object]]:
        """Each entrant's published outcome, as closing records it beside the seal: the
        rounded final, rank, award and promotion, and the exact values they came from."""
        decimals = self.rules.result_decimals
        return [
            {"entrant": e.entrant, "rank": e.rank,
             "final": None if e.final is None else fixed(e.final, decimals),
             "award": e.award, "promotion": e.promotion, "reason": e.promotion_reason, "tied": e.tied,
             "exact": None if e.exact_final is None else exact_text(e.exact_final),
             "components": {c: exact_text(v) for c, v in e.components.items()}}
            for e in self.entries
        ]


def compute_round(rules: RuleSet, facts: RoundFacts, memo: dict[str, Any] | None = None) -> RoundResult:
    """The round's result.  ``memo`` (kept by the caller between calls for one round):
    an entrant whose sheets, adjustments and status are what they were last time keeps
    its scores without computing them again - while a round is scored, each new sheet
    changes one entrant.  Only rules whose components all come from the panel are
    memoized (inputs, votes and linked rounds depend on more than the entrant's facts)."""
    sheets_by_entrant: dict[str, list[SheetFact]] = defaultdict(list)
    for sheet in facts.sheets:
        sheets_by_entrant[sheet.entrant].append(sheet)
    adjustments_by_entrant: dict[str, list[AdjustmentFact]] = defaultdict(list)
    for adj in facts.adjustments:
        adjustments_by_entrant[adj.entrant].append(adj)
    needed = rules.panel.min_judges if rules.uses_panel else 0
    top_votes = _top_votes(rules, facts)

    if memo is not None and not all(c.source == "panel" for c in rules.components):
        memo = None
    results: list[EntrantResult] = []
    for fact in facts.entrants:
        sheets = tuple(sorted(sheets_by_entrant.get(fact.code, ()), key=lambda s: s.judge))
        result = EntrantResult(fact.code, fact.name, fact.status, fact.reason, sheets, needed,
                               adjustments=tuple(adjustments_by_entrant.get(fact.code, ())))
        if memo is None:
            _score(rules, facts, result, top_votes)
        else:
            key = (rules.digest, fact, tuple(s.ref for s in sheets), tuple(a.ref for a in result.adjustments))
            known = memo.get(fact.code)
            if known is not None and known[0] == key:
                (result.panel, components, result.bonus, result.penalty, result.exact_final,
                 result.final) = known[1]
                result.components = dict(components)
            else:
                _score(rules, facts, result, top_votes)
                memo[fact.code] = (key, (result.panel, dict(result.components), result.bonus, result.penalty,
                                         result.exact_final, result.final))
        results.append(result)

    ranked_results = [r for r in results if r.active and r.complete and r.final is not None]
    ranking = rank_by(ranked_results, key=lambda r: _rank_key(rules, r), code=lambda r: r.entrant)
    for item in ranking:
        item.item.rank, item.item.tied = item.rank, item.tied
    _note_ties(rules, [item.item for item in ranking])

    awards = assign_awards([(i.item.entrant, i.rank) for i in ranking], rules.awards, rules.award_ties)
    for r in ranked_results:
        r.award = awards.get(r.entrant)

    ordered = [i.item for i in ranking]
    pending = sorted((r for r in results if r.active and r.rank is None), key=lambda r: r.entrant)
    unranked = sorted((r for r in results if not r.active), key=lambda r: r.entrant)
    if rules.promotion is not None:
        candidates = [Candidate(r.entrant, r.rank, r.final if r.rank is not None else None, r.status)
                      for r in ordered + pending + unranked]
        outcomes = decide_promotion(candidates, rules.promotion)
        for r in ordered + pending + unranked:
            if r.entrant in outcomes:
                r.promotion = outcomes[r.entrant].promotion
                r.promotion_reason = outcomes[r.entrant].reason
    return RoundResult(facts.round, rules, ordered + pending + unranked)


def _top_votes(rules: RuleSet, facts: RoundFacts) -> dict[str, Fraction]:
    top: dict[str, Fraction] = {}
    for component in rules.components:
        if component.source == "votes":
            counts = [v for (_, c), v in facts.inputs.items() if c == component.code]
            top[component.code] = max(counts, default=Fraction(0))
    return top


def panel_score(rules: RuleSet, sheets: tuple[SheetFact, ...], detail: bool = False) -> PanelScore | None:
    """Rulebook section 3, step 2; None when there are too few sheets to compute.

    The per-criterion values are computed when the rules need them (trim_on = criterion,
    a criterion tie-breaker) or ``detail`` asks for them (explanations).
    """
    method, trim = rules.panel.method, rules.panel.trim
    by_criterion: dict[str, Aggregate] = {}
    if detail or rules.panel.trim_on == "criterion" or rules.needs_criterion_values:
        for criterion in rules.criteria:
            agg = aggregate([(s.judge, s.marks[criterion.code]) for s in sheets], method, trim)
            if agg is None:
                return None
            by_criterion[criterion.code] = agg
    totals = {s.judge: s.total for s in sheets}
    if rules.panel.trim_on == "criterion":
        value = exact_sum(a.value for a in by_criterion.values())
        return PanelScore(value, totals, None, by_criterion)
    if all(s.units is not None for s in sheets):
        # the same values as whole millionths: same order, exact sums, far cheaper
        by_units = aggregate([(s.judge, s.units) for s in sheets], method, trim)  # type: ignore[misc]
        if by_units is None:
            return None
        value = Fraction(by_units.value.numerator, by_units.value.denominator * UNITS)
        by_total = Aggregate(value, by_units.used, by_units.dropped_low, by_units.dropped_high)
    else:
        by_total = aggregate(list(totals.items()), method, trim)
        if by_total is None:
            return None
    return PanelScore(by_total.value, totals, by_total, by_criterion)


def _score(rules: RuleSet, facts: RoundFacts, result: EntrantResult,
           top_votes: dict[str, Fraction]) -> None:
    if rules.uses_panel or any(t.startswith("criterion:") for t in rules.tie_breakers):
        result.panel = panel_score(rules, result.sheets)
    if result.active and not result.complete:
        return  # pending: no provisional score before min_judges sheets are in
    if rules.uses_panel and result.panel is None:
        return  # a disqualified or withdrawn entrant without sheets has no score
    total = Fraction(0)
    for component in rules.components:
        value = _component_value(component.code, component.source, component.max, facts, result,
                                 top_votes)
        result.components[component.code] = value
        total += component.weight * value
    result.bonus = sum((a.points for a in result.adjustments if a.points > 0), Fraction(0))
    result.penalty = -sum((a.points for a in result.adjustments if a.points < 0), Fraction(0))
    result.exact_final = total + result.bonus - result.penalty
    result.final = round_half_up(result.exact_final, rules.result_decimals)


def _component_value(code: str, source: str, maximum: Fraction | None, facts: RoundFacts,
                     result: EntrantResult, top_votes: dict[str, Fraction]) -> Fraction:
    if source == "panel":
        assert result.panel is not None
        return result.panel.value
    if source == "input":
        return facts.inputs.get((result.entrant, code), Fraction(0))
    if source == "votes":
        top = top_votes.get(code, Fraction(0))
        if top == 0 or maximum is None:
            return Fraction(0)
        return maximum * facts.inputs.get((result.entrant, code), Fraction(0)) / top
    if source == "round":
        return facts.linked.get(code, {}).get(result.entrant, Fraction(0))
    raise ValueError(f"unknown component source {source!r}")


def tie_breaker_value(breaker: str, result: EntrantResult) -> Fraction:
    if breaker == "unrounded":
        assert result.exact_final is not None
        return result.exact_final
    kind, _, code = breaker.partition(":")
    if kind == "component":
        return result.components.get(code, Fraction(0))
    if result.panel is None or code not in result.panel.by_criterion:
        return Fraction(0)
    return result.panel.by_criterion[code].value


def _rank_key(rules: RuleSet, result: EntrantResult) -> tuple[Fraction | Decimal, ...]:
    assert result.final is not None
    return (result.final, *(tie_breaker_value(t, result) for t in rules.tie_breakers))


def _note_ties(rules: RuleSet, ordered: list[EntrantResult]) -> None:
    """For neighbours with the same rounded final, record the tie-break that split them."""
    for upper, lower in zip(ordered, ordered[1:]):
        if upper.final != lower.final:
            continue
        breaker: str | None = None
        mine = theirs = None
        for t in rules.tie_breakers:
            a, b = tie_breaker_value(t, upper), tie_breaker_value(t, lower)
            if a != b:
                breaker, mine, theirs = t, a, b
                break
        upper.tie_notes.append(TieNote(lower.entrant, breaker, mine, theirs))
        lower.tie_notes.append(TieNote(upper.entrant, breaker, theirs, mine))
