"""What-if: the recorded events under another rule set, and what would change.

Nothing is recorded.  For each selected round the "before" ranking is the one its
results were sealed with (or, for a round not yet closed, the one its own rule set
gives now) and the "after" ranking is computed under the new rule set; rounds fed by a
replayed round (``round`` components) take its "after" values.  The report lists
changes of rank, final score, award and promotion, who would gain or lose a place in
the round each round promotes to, and the changes this makes to period standings and
star recommendations.  This is DOMjudge's rejudging preview and CMS's dataset
comparison, carried through to promotions, prizes and stars.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.errors import RoundNotFound
from domain.model.round import LinkedRound
from domain.model.round_events import FINAL
from domain.rules.engine import RoundResult
from domain.rules.ruleset import RuleSet
from domain.rules.tracks import period_standings_by_track, track_order
from domain.rules.standings import FinalRound, RoundPlacing, Standing, period_standings, periods_of
from domain.rules.stars import Rated
from projections.evidence import replay_flags, star_recommendations
from projections.compute import Computer
from projections.voting import recount
from projections.fold import Folder, bulk
from projections.ranking_json import ranking_document, recorded_document

FIELDS = ("rank", "final", "award", "promotion", "reason")


@dataclass(frozen=True)
class Selection:
    rounds: tuple[str, ...] = ()
    level: str | None = None
    contest: str | None = None


def select_rounds(folder: Folder, rules: RuleSet, selection: Selection) -> list[str]:
    """Named rounds as asked; otherwise the rounds of the level or contest (or all) that
    are computed under a rule set with the same code as the new one."""
    if selection.rounds:
        return [code for code in selection.rounds if code in folder.rounds] or list(selection.rounds)
    return sorted(code for code, r in folder.rounds.items()
                  if r.rules["code"] == rules.code
                  and (selection.level is None or r.level == selection.level)
                  and (selection.contest is None or r.contest == selection.contest))


def replay(folder: Folder, new_rules: RuleSet, selection: Selection) -> dict[str, Any]:
    with bulk():
        return _replay(folder, new_rules, selection)


def _replay(folder: Folder, new_rules: RuleSet, selection: Selection) -> dict[str, Any]:
    codes = select_rounds(folder, new_rules, selection)
    missing = [c for c in codes if c not in folder.rounds]
    if missing:
        raise RoundNotFound(round=missing[0])
    before = Computer(folder)
    after_results: dict[str, RoundResult] = {}

    def after(code: str) -> RoundResult:
        if code in after_results:
            return after_results[code]
        rnd = folder.rounds[code]
        linked: dict[str, LinkedRound] = {}
        for component, source in sorted(rnd.links.items()):
            src_result = after(source) if source in codes else before.result(source)[0]
            src = folder.rounds[source]
            linked[component] = LinkedRound(component, source, src.status, src.seal,
                                            {e.entrant: e.exact_final for e in src_result.entries
                                             if e.rank is not None and e.exact_final is not None})
        rules = new_rules if code in codes else folder.rules(rnd.rules)
        after_results[code] = rnd.compute(rules, linked)
        return after_results[code]

    rounds_out = []
    before_docs: dict[str, dict[str, Any]] = {}
    after_docs: dict[str, dict[str, Any]] = {}
    award_names: dict[str, dict[str, str]] = {}  # per round: each prize code's name, for a reader
    for code in codes:
        rnd = folder.rounds[code]
        old_rules = folder.rules(rnd.rules)
        before_doc = recorded_document(rnd, old_rules) or ranking_document(rnd, before.result(code)[0])
        after_doc = ranking_document(rnd, after(code))
        before_docs[code], after_docs[code] = before_doc, after_doc
        award_names[code] = {a.code: a.name for a in (*old_rules.awards, *new_rules.awards) if a.name}
        rounds_out.append({"round": code, "before": before_doc, "after": after_doc,
                           "changes": diff_rankings(before_doc, after_doc)})
    stars = _stars(folder, codes, new_rules, before_docs, after_docs, before)
    voting = recount(folder, codes, new_rules)  # 投票: a recount is a replay (rulebook 18.5)
    work = _work(folder, codes, new_rules, before_docs, after_docs, before)  # 结果运用: classes and tasks
    flags = replay_flags(folder, new_rules, selection.contest)  # 红旗 (rulebook 19.4): their criteria results
    changes = [c for r in rounds_out for c in r["changes"]]
    return {
        "rules": {"code": new_rules.code, "version": new_rules.version, "digest": new_rules.digest},
        "rounds": rounds_out,
        "finalists": _finalists(folder, codes, before_docs, after_docs),
        "standings": _standings(folder, codes, new_rules, before_docs, after_docs, before),
        "stars": stars,
        "voting": voting,
        "work": work,
        "flags": flags,
        "award_names": award_names,
        "summary": {
            "rounds": len(codes),
            "rounds_changed": sum(1 for r in rounds_out if r["changes"]),
            "entrants_changed": len(changes),
            # what changed, each counted on its own: entrants (of every replayed round) whose
            # rank, final score, award or promotion outcome would change, and organizations
            # whose star recommendation would
            "ranks_changed": sum(1 for c in changes if "rank" in c),
            "finals_changed": sum(1 for c in changes if "final" in c),
            "awards_changed": sum(1 for c in changes if "award" in c),
            "promotions_changed": sum(1 for c in changes if "promotion" in c),
            "stars_changed": sum(len(s["changes"]) for s in stars),
            "tallies_changed": sum(1 for v in voting if v["changes"] or v.get("next_candidates")),
            "classes_changed": sum(len(w["classes"]) for w in work),
            "tasks_changed": sum(len(w["tasks_gained"]) + len(w["tasks_lost"]) for w in work),
            "flags_changed": len(flags),
        },
    }


def diff_rankings(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    b = {e["entrant"]: e for e in before["entries"]}
    a = {e["entrant"]: e for e in after["entries"]}
    changes = []
    for entrant in sorted(set(b) | set(a)):
        old, new = b.get(entrant, {}), a.get(entrant, {})
        changed = {f: [old.get(f), new.get(f)] for f in FIELDS if old.get(f) != new.get(f)}
        if changed:
            item = {"entrant": entrant, "name": (new or old).get("name"), **changed}
            if "rank" in changed and None not in changed["rank"]:
                item["moved"] = changed["rank"][0] - changed["rank"][1]  # > 0: up
            changes.append(item)
    return changes


def _promoted(doc: dict[str, Any]) -> list[str]:
    return [e["entrant"] for e in doc["entries"] if e["promotion"] == "promoted"]


def _finalists(folder: Folder, codes: list[str], before: dict[str, Any], after: dict[str, Any]) -> list[dict]:
    by_target: dict[str, dict[str, set[str]]] = {}
    for code in codes:
        target = folder.rounds[code].promotes_to
        if target is None:
            continue
        slot = by_target.setdefault(target, {"before": set(), "after": set()})
        slot["before"].update(_promoted(before[code]))
        slot["after"].update(_promoted(after[code]))
    return [{"target": target, "before": sorted(s["before"]), "after": sorted(s["after"]),
             "gained": sorted(s["after"] - s["before"]), "lost": sorted(s["before"] - s["after"])}
            for target, s in sorted(by_target.items())]


def _placings(folder: Folder, code: str, doc: dict[str, Any]) -> tuple[RoundPlacing, ...]:
    rnd = folder.rounds[code]
    return tuple(RoundPlacing(code, e["entrant"], e["name"], Decimal(e["final"]), e["rank"])
                 for e in doc["entries"] if e["rank"] is not None and rnd.status == FINAL)


def _unit_rounds(folder: Folder, contest: str, unit: str, docs: dict[str, Any], rules_of: Any,
                 before: Computer) -> list[FinalRound]:
    c = folder.contests[contest]
    out = []
    for entry in c.rounds.values():
        rnd = folder.rounds.get(entry.code)
        if rnd is None or entry.unit != unit or rnd.status != FINAL:
            continue
        doc = docs.get(entry.code) or recorded_document(rnd, folder.rules(rnd.rules)) or ranking_document(
            rnd, before.result(entry.code)[0])
        out.append(FinalRound(rnd.code, rnd.period, rules_of(entry.code), _placings(folder, entry.code, doc)))
    return out


def _rules_of(folder: Folder, codes: list[str], new_rules: RuleSet | None) -> Any:
    """The rule set each round is combined under: the new one for replayed rounds (after)."""
    return lambda code: new_rules if new_rules is not None and code in codes else folder.rules(
        folder.rounds[code].rules)


def _standings(folder: Folder, codes: list[str], new_rules: RuleSet, before_docs: dict[str, Any],
               after_docs: dict[str, Any], before: Computer) -> list[dict[str, Any]]:
    out = []
    for contest, unit in sorted({(folder.rounds[c].contest, folder.rounds[c].unit) for c in codes
                                 if folder.rounds[c].status == FINAL}):
        old = _unit_rounds(folder, contest, unit, before_docs, _rules_of(folder, codes, None), before)
        new = _unit_rounds(folder, contest, unit, after_docs, _rules_of(folder, codes, new_rules), before)
        for period in sorted({p for r in old for p in periods_of(r.period)}):
            track_of = _track_of(folder, period, contest)  # 赛道 (section 20.4): ranks and changes per track
            b_split = period_standings_by_track(old, period, track_of)
            a_split = period_standings_by_track(new, period, track_of)
            for track in track_order(folder.contests[contest].tracks, set(b_split) | set(a_split)):
                changes = _standing_changes(b_split.get(track, (None, [], []))[2], a_split.get(track, (None, [], []))[2])
                if changes:
                    out.append({"contest": contest, "unit": unit, "period": period, "track": track,
                                "changes": changes})
    return out


def _work(folder: Folder, codes: list[str], new_rules: RuleSet, before_docs: dict[str, Any],
          after_docs: dict[str, Any], before: Computer) -> list[dict[str, Any]]:
    """结果运用 (rulebook 15-16): the classes and tasks that would change (projections/work.py)."""
    from projections.work import replay_work

    scopes = sorted({(folder.rounds[c].contest, folder.rounds[c].unit) for c in codes if folder.rounds[c].status == FINAL})
    docs = {"before": (before_docs, _rules_of(folder, codes, None)), "after": (after_docs, _rules_of(folder, codes, new_rules))}
    return replay_work(folder, scopes, lambda contest, unit, label: _unit_rounds(
        folder, contest, unit, docs[label][0], docs[label][1], before), lambda period, contest: _track_of(folder, period, contest))


def _track_of(folder: Folder, period: str, contest: str) -> Any:
    organizations = folder.organizations
    return lambda code: organizations[code].track_in(period, contest) if code in organizations else ""


def _standing_changes(before: list[Standing], after: list[Standing]) -> list[dict[str, Any]]:
    b = {s.entrant: s for s in before}
    a = {s.entrant: s for s in after}
    out = []
    for entrant in sorted(set(b) | set(a)):
        old, new = b.get(entrant), a.get(entrant)
        pair = {"rank": [old and old.rank, new and new.rank],
                "score": [old and str(old.shown), new and str(new.shown)]}
        changed = {k: v for k, v in pair.items() if v[0] != v[1]}
        if changed:
            out.append({"entrant": entrant, **changed})
    return out


def _stars(folder: Folder, codes: list[str], new_rules: RuleSet, before_docs: dict[str, Any],
           after_docs: dict[str, Any], before: Computer) -> list[dict[str, Any]]:
    out = []
    scopes = sorted({(folder.rounds[c].contest, folder.rounds[c].level, folder.rounds[c].period[:4]) for c in codes
                     if folder.rounds[c].status == FINAL})
    for contest, level, year in scopes:
        c = folder.contests[contest]
        results = {}
        for label, docs, rules_of in (("before", before_docs, _rules_of(folder, codes, None)),
                                      ("after", after_docs, _rules_of(folder, codes, new_rules))):
            rated, rule, decimals = [], None, 2
            for unit in sorted(u.code for u in c.units.values() if u.level == level):
                rounds = _unit_rounds(folder, contest, unit, docs, rules_of, before)
                rules, _, standings = period_standings(rounds, year)
                if rules is not None and rules.stars is not None:
                    rule, decimals = rules.stars, rules.result_decimals
                rated.extend(Rated(s.entrant, s.shown) for s in standings)
            vetoed = {org for (org, lvl, cycle), cert in folder.certifications.items()
                      if lvl == level and cycle == year and cert.vetoes}
            results[label] = (star_recommendations(folder, contest, year, rated, rule, decimals, vetoed)
                              if rule is not None else {})  # with the evidence and pools of rulebook 19.3
        changes = []
        for org in sorted(set(results["before"]) | set(results["after"])):
            b, a = results["before"].get(org), results["after"].get(org)
            if (b and b.stars) != (a and a.stars):
                found = folder.organizations.get(org)
                changes.append({"organization": org, "name": found.name if found else "",
                                "stars": [b and b.stars, a and a.stars]})
        if changes:
            out.append({"contest": contest, "level": level, "cycle": year, "changes": changes})
    return out
