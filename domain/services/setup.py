"""Commands that set a contest up: levels and units, judges, the roster, rule sets
and the schedule of rounds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain import text as texts
from domain.errors import InvalidValue, RecordConflict, RoundCodeTaken
from domain.ids import contest_id, organization_id, round_id, ruleset_id
from domain.model.base import Actor
from domain.model.contest import Contest
from domain.model.organization import Organization
from domain.model.round import Round
from domain.model.ruleset_history import RuleSetHistory
from domain.rules.ruleset import RuleSet, parse_ruleset
from domain.rules.standings import check_period
from domain.services.session import SessionBase
from domain.services.tracks import admits, refuse_other_track

ENTRANT_MODES = ("unit", "promoted")


@dataclass(frozen=True)
class RoundSpec:
    """A round as contest.toml describes it (rulebook section 11)."""

    code: str
    level: str
    unit: str
    period: str
    rules: str
    judges: tuple[str, ...] = ()
    entrants: str | tuple[str, ...] = "unit"
    theme: str = ""
    form: str = "meeting"
    links: dict[str, str] = field(default_factory=dict)
    promotes_to: str | None = None
    live_board: bool = False  # 现场亮分: the live board is public while scoring
    track: str = ""  # 赛道 (rulebook section 20.2): "" = a round of no track, open to every organization


    def normalized(self) -> RoundSpec:
        """The spec with every code in its normal form (domain.text) and every text checked."""
        code = texts.entity_code(self.code, "code")
        promotes_to = texts.optional_code(self.promotes_to, "promotes_to")
        if promotes_to == code:
            raise InvalidValue("promotes_to", self.promotes_to, "a round cannot promote into itself",
                               "轮次不能晋级到它自己")
        entrants: str | tuple[str, ...] = self.entrants
        if not isinstance(entrants, str):
            entrants = tuple(texts.entity_code(e, "entrants") for e in entrants)
            if len(set(entrants)) != len(entrants):
                raise InvalidValue("entrants", list(self.entrants), "an entrant is listed twice", "参赛组织重复列出")
        links = {}
        for component, target in dict(self.links).items():
            target = texts.entity_code(target, f"links.{component}")
            if target == code:
                raise InvalidValue(f"links.{component}", target, "a round cannot take a score from itself",
                                   "轮次不能引用自己的成绩")
            links[texts.contest_code(component, "links")] = target
        judges = tuple(texts.entity_code(j, "judges") for j in self.judges)
        if len(set(judges)) != len(judges):
            raise InvalidValue("judges", list(self.judges), "a judge is listed twice", "评委重复列出")
        return RoundSpec(code=code, level=texts.contest_code(self.level, "level"),
                         unit=texts.entity_code(self.unit, "unit"), period=check_period(self.period),
                         rules=self.rules, judges=judges, entrants=entrants,
                         theme=texts.name(self.theme, "theme", limit=texts.TITLE_MAX, required=False),
                         form=self.form, links=links, promotes_to=promotes_to, live_board=self.live_board,
                         track=(self.track or "").strip())


class SetupCommands(SessionBase):
    def create_contest(self, code: str, title: str, levels: list[str], by: Actor) -> Contest:
        code = texts.contest_code(code, "code")
        existing = self.find(contest_id(code), Contest)
        if existing is not None:
            existing.check_same(title, list(levels))
            return existing
        return self.add(Contest.create(code, title, list(levels), by))

    def add_unit(self, contest: str, code: str, name: str, level: str, parent: str | None, by: Actor) -> None:
        self.contest(contest).add_unit(code, name, level, parent, by)

    def register_judge(self, contest: str, code: str, name: str, home_unit: str | None, affiliation: str,
                       by: Actor) -> None:
        self.contest(contest).register_judge(code, name, home_unit, affiliation, by)

    def register_organization(self, contest: str, code: str, name: str, unit: str, sector: str,
                              category: str, secretary: str, by: Actor,
                              reason: str = "roster update") -> Organization:
        c = self.contest(contest)
        unit = c.unit(unit).code
        code = texts.entity_code(code, "org_code")
        org = self.find(organization_id(code), Organization)
        if org is None:
            org = self.add(Organization.register(code, name, unit, sector, category, secretary, by))
        else:
            org.update(name, unit, sector, category, secretary, by, reason)
        c.enroll(code, unit, by)
        return org

    def update_organization(self, contest: str, organization: str, by: Actor, reason: str, *,
                            name: str | None = None, unit: str | None = None, sector: str | None = None,
                            category: str | None = None, secretary: str | None = None,
                            key: str | None = None) -> int:
        """Change an organization's details (None keeps one); a move to another unit is
        also recorded on the contest's roster.  Returns the number of events recorded."""
        c = self.contest(contest)
        org = self.organization(organization)
        if org.code not in c.roster:
            raise InvalidValue("organization", org.code, f"not on the roster of contest {c.code}",
                               f"不在活动 {c.code} 的名册中")
        if unit is not None:
            unit = c.unit(unit).code
        changed = org.update(name, unit, sector, category, secretary, by, reason, key)
        if unit is not None:
            c.enroll(org.code, unit, by, key)
        return changed

    def replace_secretary(self, organization: str, secretary: str, reason: str, by: Actor,
                          key: str | None = None) -> None:
        self.organization(organization).replace_secretary(secretary, reason, by, key)

    def update_judge(self, contest: str, judge: str, reason: str, by: Actor, *, name: str | None = None,
                     home_unit: str | None = None, affiliation: str | None = None, key: str | None = None) -> bool:
        return self.contest(contest).update_judge(judge, name, home_unit, affiliation, reason, by, key)

    def register_ruleset(self, text: str, source: str, by: Actor) -> RuleSet:
        rules = parse_ruleset(text, source)
        history = self.find(ruleset_id(rules.code), RuleSetHistory)
        if history is None:
            history = self.add(RuleSetHistory.start(rules.code, by))
        history.register(rules, text, source, by)
        return rules

    def adopt_ruleset(self, contest: str, reference: str, scope: dict[str, Any], reason: str,
                      by: Actor) -> dict[str, Any]:
        """Record the adoption and compute every round in its scope that is not yet closed
        under it; closed, published and final rounds keep their results (see rerank).

        A scope of a contest, a level or a unit covers only the rounds computed under the
        adopted rule set's code (another version of the same rules); rounds under another
        code are left as they are (``other_rules``).  ``rounds:R1,R2`` names its rounds
        explicitly and covers them whatever rules they use."""
        ref = self.rules_ref(reference)
        c = self.contest(contest)
        covered = c.rounds_in_scope(scope)
        c.adopt(ref, scope, reason, by)
        assigned, kept, other = [], [], []
        for code in covered:
            rnd = self.round(code)
            if "rounds" not in scope and rnd.rules["code"] != ref["code"]:
                other.append(code)
            elif rnd.status in ("scheduled", "open"):
                if rnd.assign_rules(ref, self.rules(ref), reason, by):
                    assigned.append(code)
            else:
                kept.append(code)
        return {"rules": ref, "assigned": assigned, "kept": kept, "other_rules": other}

    def schedule_round(self, contest: str, spec: RoundSpec, by: Actor) -> Round:
        c = self.contest(contest)
        contest = c.code
        spec = spec.normalized()
        ref = self.rules_ref(spec.rules)
        rules = self.rules(ref)
        mode = spec.entrants if isinstance(spec.entrants, str) else "list"
        if isinstance(spec.entrants, str) and spec.entrants not in ENTRANT_MODES:
            raise InvalidValue("entrants", spec.entrants, "expected \"unit\", \"promoted\" or a list of org codes",
                               "应为 \"unit\"、\"promoted\" 或组织代码列表")
        for component in spec.links:
            found = rules.component(component)
            if found is None or found.source != "round":
                raise InvalidValue("links", component,
                                   f"rule set {rules.ref} has no component {component!r} with source \"round\"",
                                   f"评分规则 {rules.ref} 中没有 source 为 \"round\" 的成绩项 {component!r}")
        unlinked = [c_.code for c_ in rules.components if c_.source == "round" and c_.code not in spec.links]
        if unlinked:
            raise InvalidValue("links", unlinked[0], f"component {unlinked[0]!r} takes another round's score; "
                               "name that round in links", f"成绩项 {unlinked[0]!r} 取自另一轮次，请在 links 中指明")
        for field, other in [("promotes_to", spec.promotes_to), *(("links", code) for code in spec.links.values())]:
            found_other = self.find(round_id(other), Round) if other else None
            if found_other is not None and found_other.contest != contest:
                raise InvalidValue(field, other, f"round {other} is a round of another contest ({found_other.contest})",
                                   f"轮次 {other} 属于另一个比武活动（{found_other.contest}）")
        track = c.track(spec.track)
        _same_track_promotion(c, spec.code, track, spec.promotes_to)
        c.note_round(spec.code, spec.level, spec.unit, spec.period, spec.promotes_to, by, track=track)
        rnd = self.find(round_id(spec.code), Round)
        if rnd is None:
            rnd = self.add(Round.schedule(spec.code, contest, spec.level, spec.unit, spec.period, spec.theme,
                                          spec.form, ref, spec.links, spec.promotes_to, mode, by, track=track))
        else:
            _check_same_round(rnd, contest, spec, ref, mode)
        if spec.live_board and not rnd.live_board:
            rnd.set_live_board(True, by)
        for judge_code in spec.judges:
            judge = c.judge(judge_code)
            rnd.seat_judge(judge.code, judge.name, judge.home_unit, by)
        if mode == "unit":
            codes = c.organizations_in(spec.unit)
        elif mode == "list":
            codes = list(spec.entrants)
        else:
            codes = []
        for code in codes:
            org = self.organization(code)
            if code not in c.roster:
                raise InvalidValue("entrants", code, f"organization {code} is not on the roster of contest {contest}",
                                   f"组织 {code} 不在活动 {contest} 的名册中")
            if code not in rnd.entrants and rnd.status not in ("scheduled", "open"):
                continue  # a roster that grew after the round closed does not change that round
            if mode == "unit" and not admits(rnd, org):
                continue  # a round of a track takes the unit's organizations of that track (section 20.2)
            if code not in rnd.entrants:
                refuse_other_track(rnd, org, c.tracks, "entrants")
            rnd.admit(code, org.name, org.unit, {"kind": "roster"}, by)
        return rnd

    def seat_judge(self, round_code: str, judge: str, by: Actor, key: str | None = None) -> bool:
        rnd = self.round(round_code)
        seat = self.contest(rnd.contest).judge(judge)
        return rnd.seat_judge(seat.code, seat.name, seat.home_unit, by, key)

    def admit_entrant(self, round_code: str, organization: str, by: Actor, key: str | None = None) -> bool:
        rnd = self.round(round_code)
        org = self.organization(organization)
        if org.code not in self.contest(rnd.contest).roster:
            raise InvalidValue("entrant", org.code, f"organization {org.code} is not on the roster of contest "
                               f"{rnd.contest}", f"组织 {org.code} 不在活动 {rnd.contest} 的名册中")
        if org.code not in rnd.entrants:
            refuse_other_track(rnd, org, self.contest(rnd.contest).tracks)
        return rnd.admit(org.code, org.name, org.unit, {"kind": "roster"}, by, key)

    def set_live_board(self, round_code: str, on: bool, by: Actor, key: str | None = None) -> bool:
        return self.round(round_code).set_live_board(on, by, key)

    def recuse_judge(self, round_code: str, judge: str, entrant: str, reason: str, by: Actor,
                     key: str | None = None) -> bool:
        return self.round(round_code).recuse(texts.entity_code(judge, "judge"), texts.entity_code(entrant, "entrant"),
                                             reason, by, key)


def _same_track_promotion(c: Contest, code: str, track: str, promotes_to: str | None) -> None:
    """A round of a track promotes only into a round of the same track or of none, and a
    round of a track takes finalists only from rounds of the same track (section 20.2)."""
    target = c.rounds.get(promotes_to) if promotes_to else None
    if target is not None and track and target.track and target.track != track:
        raise InvalidValue("promotes_to", promotes_to, f"round {promotes_to} belongs to track {target.track}, "
                           f"this round to track {track}", f"轮次 {promotes_to} 属于赛道 {target.track}，"
                           f"本轮次属于赛道 {track}，不能晋级到另一赛道的轮次")
    for source in c.rounds.values():
        if source.promotes_to == code and track and source.track and source.track != track:
            raise InvalidValue("promotes_to", source.code, f"round {source.code} of track {source.track} promotes "
                               f"into this round of track {track}", f"赛道 {source.track} 的轮次 {source.code} "
                               f"晋级到本轮次，而本轮次属于赛道 {track}")


def _check_same_round(rnd: Round, contest: str, spec: RoundSpec, ref: dict[str, Any], mode: str) -> None:
    if rnd.contest != contest:
        raise RoundCodeTaken(round=spec.code, contest=rnd.contest)
    recorded = {"level": rnd.level, "unit": rnd.unit, "period": rnd.period, "theme": rnd.theme,
                "form": rnd.form, "links": rnd.links, "promotes_to": rnd.promotes_to, "entrants": rnd.entrants_mode,
                "track": rnd.track}
    given = {"level": spec.level, "unit": spec.unit, "period": spec.period, "theme": spec.theme,
             "form": spec.form, "links": dict(spec.links), "promotes_to": spec.promotes_to, "entrants": mode,
             "track": spec.track}
    for key, value in recorded.items():
        if given[key] != value:
            raise RecordConflict("round", spec.code, key, recorded=value, given=given[key])
    explicit = "@" in spec.rules  # "code" alone names the newest version: an adopted one is as good
    if ref["code"] != rnd.rules["code"] or (explicit and ref["version"] != rnd.rules["version"]):
        raise RecordConflict("round", spec.code, "rules",
                             recorded=f"{rnd.rules['code']}@{rnd.rules['version']}",
                             given=f"{ref['code']}@{ref['version']}")
