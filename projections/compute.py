"""From folded state to read-model rows, for whatever a batch of events touched.

A :class:`Changes` holds, per table, the rows to write and the scopes whose old rows
they replace; the writer applies it in one transaction with the new position.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import orjson

from domain.model.round import LinkedRound
from domain.model.round_events import FINAL
from domain.model.round_publicity import withdrawn_by_revision
from domain.rules.engine import RoundResult
from domain.rules.standings import FinalRound, Standing, period_standings, previous_period
from domain.rules.stars import Rated
from domain.rules.tracks import track_order
from projections.consequences import consequences
from projections.parts import PARTS
from projections.evidence import star_basis, star_recommendations
from projections.fold import Dirty, Folder, Quarantined
from projections.judges import JudgeTally, combine, round_tallies
from projections.ranking_json import ranking_document, recorded_document
from projections.tracks import standings_by_track
from projections.tables import (
    ACCOUNTS,
    APPEALS,
    CHECKPOINTS,
    HEADS,
    WITNESSES,
    CONTESTS,
    ORGANIZATIONS,
    QUARANTINE,
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
    # table -> (key columns, [key values]): rows under these keys are replaced (no columns: all rows)
    replace: dict[str, tuple[tuple[str, ...], list[tuple]]] = field(default_factory=dict)
    increments: bool = False  # rounds.events: add to the stored count (live) or set it (rebuild)
    problems: list[Quarantined] = field(default_factory=list)  # rounds that could not be computed

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
        # standings per (contest, unit), shared by the scopes of one changes() call only
        self._unit_cache: dict[tuple[str, str], dict[str, tuple[Any, list[Standing]]]] | None = None
        self._track_cache: dict[tuple[str, str], Any] = {}  # (contest, unit) -> period -> track -> ...

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

    def document(self, code: str) -> dict[str, Any]:
        """The ranking JSON: a closed round's sealed results as recorded (what was
        published), or the rules engine's result for a round still being scored."""
        rnd = self.folder.rounds[code]
        recorded = recorded_document(rnd, self.folder.rules(rnd.rules))
        return recorded if recorded is not None else ranking_document(rnd, self.result(code)[0])

    def changes(self, dirty: Dirty, counts: Counter[str], increments: bool,
                precomputed: Changes | None = None) -> Changes:
        self._unit_cache, self._track_cache = {}, {}
        try:
            return self._changes(dirty, counts, increments, precomputed)
        finally:
            self._unit_cache, self._track_cache = None, {}

    def round_changes(self, codes: list[str], counts: Counter[str], increments: bool) -> Changes:
        """Only the rows of these rounds (a rebuild computes halves of them in parallel)."""
        changes = Changes(increments=increments)
        for code in codes:
            self._round_safely(code, counts.get(code, 0), changes)
        return changes

    def merge(self, into: Changes, other: Changes, tallies: dict[str, dict[str, dict[str, JudgeTally]]]) -> None:
        for table, rows in other.rows.items():
            into.rows[table].extend(rows)
        for table, (columns, keys) in other.replace.items():
            into.replace.setdefault(table, (columns, []))[1].extend(keys)
        for contest, per_round in tallies.items():
            self.tallies[contest].update(per_round)
        for problem in other.problems:  # rounds a forked child could not compute
            self._set_aside(problem, into)

    def _round_safely(self, code: str, events: int, changes: Changes) -> None:
        """A round's rows, or - for a round whose events cannot be trusted or computed -
        none: it is set aside and listed in the quarantine read model (never a crash)."""
        if code in self.folder.unusable_rounds:
            self._drop_round(code, changes)
            return
        mine = Changes(increments=changes.increments)
        try:
            self._round(code, events, mine)
        except Exception as error:  # noqa: BLE001 - reported, not raised
            rnd = self.folder.rounds[code]
            position = self.folder.round_position.get(code, self.folder.position)
            problem = Quarantined(position, str(rnd.id) if hasattr(rnd, "id") else code, -1, None,
                                  f"round {code} cannot be computed: {type(error).__name__}: {error}"[:500])
            self.results.pop(code, None)
            self.linked.pop(code, None)
            self._set_aside(problem, changes, code)
            return
        self.merge(changes, mine, {})

    def _set_aside(self, problem: Quarantined, changes: Changes, code: str | None = None) -> None:
        code = code or problem.reason.split()[1]
        self.folder.round_problems[code] = problem
        self.folder.set_aside(code, problem.position)
        changes.problems.append(problem)
        self._drop_round(code, changes)

    def _drop_round(self, code: str, changes: Changes) -> None:
        for table, columns in ((ROUNDS, ("round",)), (ENTRIES, ("round",)), (FINALISTS, ("target",)),
                               (APPEALS, ("round",))):
            changes.replacing(table, columns, (code,))
        changes.replacing(JUDGES, ("scope", "key"), ("round", code))
        changes.rows[ROUNDS.name] = [row for row in changes.rows.get(ROUNDS.name, []) if row[0] != code]

    def _changes(self, dirty: Dirty, counts: Counter[str], increments: bool,
                 precomputed: Changes | None = None) -> Changes:
        changes = precomputed or Changes(increments=increments)
        folder = self.folder
        rounds = set(folder.rounds) if dirty.everything else dirty.rounds
        done = {row[0] for row in changes.rows.get(ROUNDS.name, [])} | {p.reason.split()[1] for p in changes.problems}
        self.forget(rounds - done)
        for code in sorted(rounds - done):
            self._round_safely(code, counts.get(code, 0), changes)
        if dirty.everything or dirty.quarantine or changes.problems:
            changes.replacing(QUARANTINE, (), ())
            for q in [*folder.quarantined, *folder.round_problems.values()]:
                changes.rows[QUARANTINE.name].append((q.position, q.aggregate, q.version, q.topic, q.reason))
        contests = set(folder.contests) if dirty.everything else dirty.contests
        for contest in sorted(contests):
            self._contest_judges(contest, changes)
            self._contest(contest, changes)
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
        accounts = set(folder.accounts) if dirty.everything else dirty.accounts
        for name in sorted(accounts):
            a = folder.accounts[name]
            changes.rows[ACCOUNTS.name].append((name, a.display_name, orjson.dumps(
                [{"role": g.role, **g.scope()} for g in a.grants]).decode(), int(a.disabled), a.generation,
                folder.account_position.get(name, 0)))
        organizations = set(folder.organizations) if dirty.everything else dirty.organizations
        for code in sorted(organizations):
            o = folder.organizations[code]
            changes.rows[ORGANIZATIONS.name].append((code, o.name, o.unit, o.sector, o.category, o.secretary,
                                                     orjson.dumps(o.secretaries).decode()))
        if (dirty.everything or dirty.checkpoints) and folder.ledger is not None:
            changes.replacing(CHECKPOINTS, (), ())
            for c in folder.ledger.checkpoints:
                changes.rows[CHECKPOINTS.name].append((
                    c["position"], c["head"], c["signature"], c["key"], c["fingerprint"],
                    orjson.dumps(c["reasons"]).decode(), folder.checkpoint_positions.get(c["position"])))
            ledger = folder.ledger
            changes.replacing(HEADS, (), ())
            for h in ledger.heads:
                cosigned = [{"witness": c["witness"], "signature": c["signature"]}
                            for c in ledger.cosignatures.get(h["size"], []) if c["root"] == h["root"]]
                changes.rows[HEADS.name].append((
                    h["size"], h["root"], h["note"], orjson.dumps(h["reasons"]).decode(),
                    orjson.dumps(cosigned).decode(), folder.head_positions.get(h["size"])))
            changes.replacing(WITNESSES, (), ())
            for name, vkey in sorted(ledger.witnesses.items()):
                changes.rows[WITNESSES.name].append((name, vkey))
        rulesets = ({(h.code, v) for h in folder.rulesets.values() for v in h.versions} if dirty.everything
                    else dirty.rulesets)
        for code, version in sorted(rulesets):
            v = folder.rulesets[code].get(version)
            changes.rows[RULESETS.name].append((code, version, v.digest, folder.rules(v.ref()).title, v.text))
        for part in PARTS:  # the read models of 结果运用, each computed by its own module
            part(self, dirty, changes)
        return changes

    def _round(self, code: str, events: int, changes: Changes) -> None:
        rnd = self.folder.rounds[code]
        rules = self.folder.rules(rnd.rules)
        doc = self.document(code)
        by_entrant = {e["entrant"]: e for e in doc["entries"]}
        seated = list(rnd.judges)
        valid: Counter[str] = Counter(e for (j, e) in rnd.live if (j, e) not in rnd.recusals)
        expected_total = 0
        changes.replacing(ENTRIES, ("round",), (code,))
        for entrant, record in sorted(rnd.entrants.items()):
            e = by_entrant[entrant]
            expected = len(seated) - sum(1 for j in seated if (j, entrant) in rnd.recusals)
            expected_total += expected
            org = self.folder.organizations.get(entrant)
            changes.rows[ENTRIES.name].append((
                code, entrant, record.name, record.unit, record.status, e["rank"], e["final"], int(e["tied"]),
                e["award"], e["promotion"], e["reason"], valid[entrant], expected, org.secretary if org else None))
        complete = all(e["rank"] is not None for e in doc["entries"]
                       if rnd.entrants[e["entrant"]].status == "active")
        changes.rows[ROUNDS.name].append((
            code, rnd.contest, rnd.level, rnd.unit, rnd.period, rnd.status, rnd.rules["code"], rnd.rules["version"],
            rnd.seal, orjson.dumps(doc).decode(), len(rnd.entrants), sum(valid.values()),
            expected_total, int(complete), events, self.folder.round_position.get(code, 0), rnd.theme,
            None if rnd.publicity is None else orjson.dumps({
                "current": vars(rnd.publicity), "periods": [vars(p) for p in rnd.publications],
                "closed_on": rnd.closed_on}).decode(),
            int(rnd.live_board), orjson.dumps([{"code": j.code, "name": j.name} for j in rnd.judges.values()]).decode(),
            orjson.dumps(self._unit_path(rnd.contest, rnd.unit)).decode(), rnd.track))
        changes.replacing(FINALISTS, ("target",), (code,))
        for entrant, record in sorted(rnd.entrants.items()):
            source = record.source
            if source.get("kind") == "promotion" and not (record.status == "withdrawn"
                                                          and withdrawn_by_revision(rnd, entrant)):
                origin = self.folder.rounds.get(source["round"])
                changes.rows[FINALISTS.name].append((
                    code, entrant, record.name, source["round"], origin.unit if origin else None, source.get("rank"),
                    source.get("final"), source.get("seal")))
            elif source.get("kind") == "federation":  # 市级联动: from another deployment's round (rulebook 22)
                changes.rows[FINALISTS.name].append((
                    code, entrant, record.name, f"{source.get('source')}/{source.get('round')}",
                    source.get("source_name"), source.get("rank"), source.get("final"), source.get("seal")))
        changes.replacing(APPEALS, ("round",), (code,))
        for a in rnd.appeals.values():
            changes.rows[APPEALS.name].append((
                code, a.id, rnd.contest, a.kind, a.entrant, a.name, a.contact, a.text, a.filed_on, a.filed_by,
                a.decision, a.reply, a.ruled_on, a.ruled_by, ",".join(str(c) for c in a.corrections),
                self.folder.round_position.get(code, 0)))
        tallies = round_tallies(rnd, rules)
        self.tallies[rnd.contest][code] = tallies
        changes.replacing(JUDGES, ("scope", "key"), ("round", code))
        for judge in sorted(tallies):
            changes.rows[JUDGES.name].append(tallies[judge].row("round", code))

    def _unit_path(self, contest: str, unit: str) -> list[str]:
        """The unit and every unit above it, nearest first (who administers the round)."""
        c = self.folder.contests.get(contest)
        path, current = [], unit
        while current is not None and current not in path:
            path.append(current)
            current = c.units[current].parent if c is not None and current in c.units else None
        return path

    def _contest(self, code: str, changes: Changes) -> None:
        c = self.folder.contests.get(code)
        if c is None:
            return
        units = [{"code": u.code, "name": u.name, "level": u.level, "parent": u.parent}
                 for u in sorted(c.units.values(), key=lambda u: (c.levels.index(u.level) if u.level in c.levels
                                                                  else 0, u.code), reverse=False)]
        changes.rows[CONTESTS.name].append((code, c.title, orjson.dumps(c.levels).decode(),
                                            orjson.dumps(units).decode(), len(c.roster), len(c.judges),
                                            len(c.rounds), c.contact))

    def _contest_judges(self, contest: str, changes: Changes) -> None:
        per_round = self.tallies.get(contest, {})
        missing = [code for code, r in self.folder.rounds.items() if r.contest == contest and code not in per_round]
        for code in missing:
            rnd = self.folder.rounds[code]
            per_round[code] = round_tallies(rnd, self.folder.rules(rnd.rules))
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
        """Per period: the rule set of its latest round, and every track's standings one after
        another (each organization scored and ranked within its own track, 赛道 section 20.4;
        in a contest without tracks simply the unit's standings)."""
        cache = self._unit_cache
        if cache is not None and (contest, unit) in cache:
            return cache[(contest, unit)]
        rounds = self.final_rounds(contest, unit)
        by_track = self.track_standings(contest, unit, rounds)
        declared = self.folder.contests[contest].tracks
        out = {}
        for period, split in by_track.items():
            rules, _, _ = period_standings(rounds, period)
            out[period] = (rules, [s for t in track_order(declared, split) for s in split[t][1]])
        if cache is not None:
            cache[(contest, unit)] = out
        return out

    def track_standings(self, contest: str, unit: str, rounds: list[FinalRound] | None = None) -> Any:
        """period -> track -> (rules, standings) of one unit (赛道, rulebook section 20.4)."""
        if self._unit_cache is not None and (contest, unit) in self._track_cache:
            return self._track_cache[(contest, unit)]
        found = standings_by_track(self, contest, unit, self.final_rounds(contest, unit) if rounds is None else rounds)
        if self._unit_cache is not None:
            self._track_cache[(contest, unit)] = found
        return found

    def _standings(self, contest: str, unit: str, changes: Changes) -> None:
        changes.replacing(STANDINGS, ("contest", "unit"), (contest, unit))
        changes.replacing(CONSEQUENCES, ("contest", "unit"), (contest, unit))
        by_period = self.track_standings(contest, unit)
        settings = self.folder.contests[contest].consequences
        for period, split in sorted(by_period.items()):
            for track, (rules, standings) in sorted(split.items()):  # 赛道: ranked and consequences per track
                method = rules.standings.method if rules else None
                for s in standings:
                    changes.rows[STANDINGS.name].append((contest, unit, period, s.entrant, s.name, str(s.shown),
                                                         s.rank, int(s.tied), len(s.rounds), method, track))
                previous = by_period.get(previous_period(period) or "", {}).get(track, (None, []))[1]
                for kind, position, entrant, name, partner, partner_name, detail in consequences(
                        standings, previous, settings["top"], settings["bottom"]):
                    changes.rows[CONSEQUENCES.name].append((contest, unit, period, kind, position, entrant, name,
                                                            partner, detail, partner_name, track))

    def _certifications(self, contest: str, level: str, year: str, changes: Changes) -> None:
        c = self.folder.contests.get(contest)
        if c is None:
            return
        changes.replacing(CERTIFICATIONS, ("contest", "level", "cycle"), (contest, level, year))
        rated: list[Rated] = []
        stars_rule = None
        decimals = 2
        for unit in sorted(u.code for u in c.units.values() if u.level == level):
            rules, standings = self.unit_standings(contest, unit).get(year, (None, []))
            if rules is not None and rules.stars is not None:
                stars_rule, decimals = rules.stars, rules.result_decimals
            rated.extend(Rated(s.entrant, s.shown) for s in standings)
        certs = {org: cert for (org, lvl, cycle), cert in self.folder.certifications.items()
                 if lvl == level and cycle == year and org in c.roster}
        vetoed = {org for org, cert in certs.items() if cert.vetoes}
        recs = (star_recommendations(self.folder, contest, year, rated, stars_rule, decimals, vetoed)
                if stars_rule is not None else {})  # with the evidence and pools of rulebook section 19.3
        scores = {r.entrant: str(r.score) for r in rated}
        names = {org: o.name for org, o in self.folder.organizations.items()}
        for org in sorted(set(scores) | set(certs)):
            rec, cert = recs.get(org), certs.get(org)
            changes.rows[CERTIFICATIONS.name].append((
                org, level, year, contest, scores.get(org), None if rec is None else rec.stars,
                int(org in vetoed), None if rec is None else rec.band_stars, int(bool(rec and rec.capped)),
                None if cert is None else cert.state, None if cert is None else cert.stars,
                None if cert is None else orjson.dumps({"history": cert.history, "vetoes": cert.vetoes,
                                                        "computed": cert.computed}).decode(),
                names.get(org, ""), star_basis(rec)))

