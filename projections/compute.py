"""From folded state to read-model rows, for whatever a batch of events touched.

A :class:`Changes` holds, per table, the rows to write and the scopes whose old rows
they replace; the writer applies it in one transaction with the new position.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import orjson

from domain.model.round import LinkedRound, Round
from domain.model.round_events import CLOSED, FINAL, PUBLISHED
from domain.rules.engine import RoundResult
from domain.rules.standings import FinalRound, Standing, period_standings, periods_of, previous_period
from domain.rules.stars import Rated, recommend
from projections import audit
from projections.consequences import consequences
from projections.fold import Dirty, Folder
from projections.judges import JudgeTally, combine, round_tallies
from projections.ranking_json import ranking_document
from projections.tables import (
    CERTIFICATIONS,
    CONSEQUENCES,
    ENTRIES,
    FINALISTS,
    JUDGES,
    ROUNDS,
    RULESETS,
    STANDINGS,
    Table,
)


@dataclass
class Changes:
    rows: dict[str, list[tuple]] = field(default_factory=lambda: defaultdict(list))
    # table -> (key columns, [key values]): rows under these keys are replaced
    replace: dict[str, tuple[tuple[str, ...], list[tuple]]] = field(default_factory=dict)
    increments: bool = False  # rounds.events: add to the stored count (live) or set it (rebuild)

    def replacing(self, table: Table, columns: tuple[str, ...], key: tuple) -> None:
        self.replace.setdefault(table.name, (columns, []))[1].append(key)

    @property
    def row_count(self) -> int:
        return sum(len(r) for r in self.rows.values())


class Computer:
    """Computes rows from a Folder, remembering per-round results for later scopes."""

    def __init__(self, folder: Folder) -> None:
        self.folder = folder
        self.results: dict[str, RoundResult] = {}
        self.linked: dict[str, dict[str, LinkedRound]] = {}
        self.tallies: dict[str, dict[str, dict[str, JudgeTally]]] = defaultdict(dict)  # contest -> round -> ...

    # -- rounds --------------------------------------------------------------------------

    def result(self, code: str, _path: tuple[str, ...] = ()) -> tuple[RoundResult, dict[str, LinkedRound]]:
        if code in self.results:
            return self.results[code], self.linked[code]
        rnd = self.folder.rounds[code]
        linked: dict[str, LinkedRound] = {}
        for component, source in sorted(rnd.links.items()):
            if source in _path or source not in self.folder.rounds:
                continue
            src_result, _ = self.result(source, _path + (code,))
            src = self.folder.rounds[source]
            finals = {e.entrant: e.exact_final for e in src_result.entries
                      if e.rank is not None and e.exact_final is not None}
            linked[component] = LinkedRound(component, source, src.status, src.seal, finals)
        result = rnd.compute(self.folder.rules(rnd.rules), linked)
        self.results[code], self.linked[code] = result, linked
        return result, linked

    def forget(self, codes: set[str]) -> None:
        for code in codes:
            self.results.pop(code, None)
            self.linked.pop(code, None)

    def changes(self, dirty: Dirty, counts: Counter[str], increments: bool) -> Changes:
        changes = Changes(increments=increments)
        folder = self.folder
        rounds = set(folder.rounds) if dirty.everything else dirty.rounds
        self.forget(rounds)
        for code in sorted(rounds):
            self._round(code, counts.get(code, 0), changes)
        contests = set(folder.contests) if dirty.everything else dirty.contests
        for contest in sorted(contests):
            self._contest_judges(contest, changes)
        units = ({(c.code, u) for c in folder.contests.values() for u in c.units} if dirty.everything
                 else dirty.units)
        for contest, unit in sorted(units):
            self._standings(contest, unit, changes)
        levels = set(dirty.levels)
        if dirty.everything:
            for c in folder.contests.values():
                years = {e.period[:4] for e in c.rounds.values()}
                levels |= {(c.code, level, year) for level in c.levels for year in years}
            levels |= {(c.code, cert.level, cert.cycle) for cert in folder.certifications.values()
                       for c in folder.contests.values() if cert.organization in c.roster}
        for contest, level, year in sorted(levels):
            self._certifications(contest, level, year, changes)
        rulesets = ({(h.code, v) for h in folder.rulesets.values() for v in h.versions} if dirty.everything
                    else dirty.rulesets)
        for code, version in sorted(rulesets):
            v = folder.rulesets[code].get(version)
            changes.rows[RULESETS.name].append((code, version, v.digest, folder.rules(v.ref()).title, v.text))
        return changes

    def _round(self, code: str, events: int, changes: Changes) -> None:
        rnd = self.folder.rounds[code]
        result, linked = self.result(code)
        doc = ranking_document(rnd, result)
        finals = {entry["entrant"]: entry["final"] for entry in doc["entries"]}
        expected_total = 0
        by_entrant = {e.entrant: e for e in result.entries}
        seated = set(rnd.judges)
        changes.replacing(ENTRIES, ("round",), (code,))
        for entrant, record in sorted(rnd.entrants.items()):
            e = by_entrant[entrant]
            expected = len(seated) - sum(1 for j in seated if (j, entrant) in rnd.recusals)
            expected_total += expected
            changes.rows[ENTRIES.name].append((
                code, entrant, record.name, record.unit, record.status, e.rank,
                finals[entrant], int(e.tied), e.award, e.promotion,
                e.promotion_reason, len(e.sheets), expected))
        sheets_in = sum(len(e.sheets) for e in result.entries)
        changes.rows[ROUNDS.name].append((
            code, rnd.contest, rnd.level, rnd.unit, rnd.period, rnd.status, rnd.rules["code"], rnd.rules["version"],
            rnd.seal, orjson.dumps(doc).decode(), audit.pack(rnd, linked), len(rnd.entrants), sheets_in,
            expected_total, int(result.complete), events, self.folder.round_position.get(code, 0)))
        changes.replacing(FINALISTS, ("target",), (code,))
        for entrant, record in sorted(rnd.entrants.items()):
            source = record.source
            if source.get("kind") == "promotion":
                origin = self.folder.rounds.get(source["round"])
                changes.rows[FINALISTS.name].append((
                    code, entrant, record.name, source["round"], origin.unit if origin else None, source.get("rank"),
                    source.get("final"), source.get("seal")))
        names = {j.code: j.name for j in rnd.judges.values()}
        tallies = round_tallies(result, names) if rnd.status in (CLOSED, PUBLISHED, FINAL) or result.complete else {}
        self.tallies[rnd.contest][code] = tallies
        changes.replacing(JUDGES, ("scope", "key"), ("round", code))
        for judge in sorted(tallies):
            changes.rows[JUDGES.name].append(tallies[judge].row("round", code))

    def _contest_judges(self, contest: str, changes: Changes) -> None:
        per_round = self.tallies.get(contest, {})
        missing = [code for code, r in self.folder.rounds.items() if r.contest == contest and code not in per_round]
        for code in missing:
            rnd = self.folder.rounds[code]
            result, _ = self.result(code)
            names = {j.code: j.name for j in rnd.judges.values()}
            per_round[code] = (round_tallies(result, names)
                               if rnd.status in (CLOSED, PUBLISHED, FINAL) or result.complete else {})
        self.tallies[contest] = per_round
        combined = combine(per_round.values())
        changes.replacing(JUDGES, ("scope", "key"), ("contest", contest))
        for judge in sorted(combined):
            changes.rows[JUDGES.name].append(combined[judge].row("contest", contest))

    # -- standings, consequences, stars -----------------------------------------------------

    def final_rounds(self, contest: str, unit: str) -> list[FinalRound]:
        c = self.folder.contests[contest]
        out = []
        for entry in c.rounds.values():
            rnd = self.folder.rounds.get(entry.code)
            if rnd is not None and entry.unit == unit and rnd.status == FINAL:
                out.append(FinalRound(rnd.code, rnd.period, self.folder.rules(rnd.rules), tuple(rnd.placings())))
        return out

    def unit_standings(self, contest: str, unit: str) -> dict[str, tuple[Any, list[Standing]]]:
        rounds = self.final_rounds(contest, unit)
        periods = sorted({p for r in rounds for p in periods_of(r.period)})
        out = {}
        for period in periods:
            rules, _, standings = period_standings(rounds, period)
            out[period] = (rules, standings)
        return out

    def _standings(self, contest: str, unit: str, changes: Changes) -> None:
        changes.replacing(STANDINGS, ("contest", "unit"), (contest, unit))
        changes.replacing(CONSEQUENCES, ("contest", "unit"), (contest, unit))
        by_period = self.unit_standings(contest, unit)
        settings = self.folder.contests[contest].consequences
        for period, (rules, standings) in sorted(by_period.items()):
            method = rules.standings.method if rules else None
            for s in standings:
                changes.rows[STANDINGS.name].append((contest, unit, period, s.entrant, s.name, str(s.shown), s.rank,
                                                     int(s.tied), len(s.rounds), method))
            previous = by_period.get(previous_period(period) or "", (None, []))[1]
            for kind, position, entrant, name, partner, detail in consequences(
                    standings, previous, settings["top"], settings["bottom"]):
                changes.rows[CONSEQUENCES.name].append((contest, unit, period, kind, position, entrant, name,
                                                        partner, detail))

    def _certifications(self, contest: str, level: str, year: str, changes: Changes) -> None:
        c = self.folder.contests.get(contest)
        if c is None:
            return
        changes.replacing(CERTIFICATIONS, ("contest", "level", "cycle"), (contest, level, year))
        rated: list[Rated] = []
        stars_rule = None
        for unit in sorted(u.code for u in c.units.values() if u.level == level):
            rules, standings = self.unit_standings(contest, unit).get(year, (None, []))
            if rules is not None and rules.stars is not None:
                stars_rule = rules.stars
            rated.extend(Rated(s.entrant, s.shown) for s in standings)
        certs = {org: cert for (org, lvl, cycle), cert in self.folder.certifications.items()
                 if lvl == level and cycle == year and org in c.roster}
        vetoed = {org for org, cert in certs.items() if cert.vetoes}
        recs = recommend(rated, stars_rule, vetoed) if stars_rule is not None else {}
        scores = {r.entrant: str(r.score) for r in rated}
        for org in sorted(set(scores) | set(certs)):
            rec, cert = recs.get(org), certs.get(org)
            changes.rows[CERTIFICATIONS.name].append((
                org, level, year, contest, scores.get(org), None if rec is None else rec.stars,
                int(org in vetoed), None if rec is None else rec.band_stars, int(bool(rec and rec.capped)),
                None if cert is None else cert.state, None if cert is None else cert.stars,
                None if cert is None else orjson.dumps({"history": cert.history, "vetoes": cert.vetoes,
                                                        "computed": cert.computed}).decode()))

