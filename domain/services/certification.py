"""Period standings, star recommendations and the certification commands
(rulebook sections 7 and 8)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from domain import text as texts
from domain.errors import CertificationNotFound, CertificationStateError, InvalidValue, NotYetEvaluated
from domain.ids import certification_id
from domain.model.base import Actor
from domain.model.certification import CERTIFIED, DECIDED, EVALUATED, REVOKED, STATE_ZH, Certification
from domain.model.round import Round
from domain.model.round_events import FINAL
from domain.rules.ruleset import RuleSet
from domain.rules.standings import FinalRound, Standing, check_cycle, period_contains, period_standings
from domain.rules.stars import Rated, Recommendation, recommend_by_track
from domain.rules.tracks import period_standings_by_track, track_order
from domain.services.session import SessionBase
from domain.services.tracks import organization_track


@dataclass
class StandingsView:
    unit: str
    period: str
    rules: RuleSet | None
    rounds: list[str]
    standings: list[Standing]
    track: str | None = None  # 赛道 (section 20.4): None = every track's standings one after another
    tracks: dict[str, str] = field(default_factory=dict)  # entrant -> its track in the period ("" = none)


@dataclass(frozen=True)
class ByHand:
    """Stars an admin sets by hand for one organization while accepting a unit's
    recommendations (None: no rating), with the reason when they differ from the computed."""

    stars: int | None
    reason: str | None = None


@dataclass(frozen=True)
class Acceptance:
    """One organization's part of accepting a unit's recommendations: what is recorded."""

    organization: str
    name: str
    recommended: int | None  # the initial evaluation's recommendation
    computed: int | None  # the computed recommendation it was made on
    stars: int | None  # what is certified
    exception: bool  # set by hand in this command
    step: str  # "accepted": decided and certified in one event; "certified": a decision recorded before
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"organization": self.organization, "name": self.name, "recommended": self.recommended, "computed": self.computed,
                "stars": self.stars, "exception": self.exception, "step": self.step, "reason": self.reason}


class CertificationCommands(SessionBase):
    # -- queries --------------------------------------------------------------------

    def final_rounds(self, contest: str, *, unit: str | None = None, level: str | None = None,
                     period: str) -> list[Round]:
        c = self.contest(contest)
        selected = [e for e in c.rounds.values()
                    if (unit is None or e.unit == unit) and (level is None or e.level == level)
                    and period_contains(period, e.period)]
        rounds = [self.round(e.code) for e in sorted(selected, key=lambda e: (e.period, e.code))]
        return [r for r in rounds if r.status == FINAL]

    def standings(self, contest: str, unit: str, period: str, track: str | None = None) -> StandingsView:
        """Section 8: the finalized rounds of one unit inside one period, combined - per track
        (赛道, section 20.4) when the contest has tracks.  ``track`` names one ("" for the
        organizations without a track); None gives every track's standings one after another,
        each ranked within its own track (``tracks`` says whose is which): in a contest
        without tracks that is simply the unit's standings."""
        rounds = [FinalRound(r.code, r.period, self.rules(r.rules), tuple(r.placings()))
                  for r in self.final_rounds(contest, unit=unit, period=period)]
        c = self.contest(contest)
        if track is not None:
            track = c.track(track) if track else ""
        track_of = organization_track(self, period, c.code)
        split = period_standings_by_track(rounds, period, track_of)
        if track is not None:
            rules, used, standings = split.get(track, (None, [], []))
            return StandingsView(unit, period, rules, used, standings, track,
                                 {s.entrant: track for s in standings})
        rules, used, _ = period_standings(rounds, period)
        merged = [s for t in track_order(c.tracks, split) for s in split[t][2]]
        return StandingsView(unit, period, rules, used, merged, None, {s.entrant: track_of(s.entrant) for s in merged})

    def star_recommendations(self, contest: str, level: str, cycle: str) -> dict[str, Recommendation]:
        """Section 9: each organization's annual standing at this level, put into bands.

        Every unit at this level has its own standings; the organizations of all of them in
        one track (赛道; without tracks, all of them) form one pool for the quotas of each
        star level, rated on the combined score where the rules name evidence (section 19.3).
        """
        c = self.contest(contest)
        rated: list[Rated] = []
        stars_rule = None
        decimals = 2
        for unit in sorted(u.code for u in c.units.values() if u.level == level):
            view = self.standings(contest, unit, cycle)
            if view.rules is not None and view.rules.stars is not None:
                stars_rule, decimals = view.rules.stars, view.rules.result_decimals
            rated.extend(Rated(s.entrant, s.shown) for s in view.standings)
        if stars_rule is None:
            raise InvalidValue("stars", level, f"no finalized {level} round of {cycle} has a rule set with [stars]",
                               f"{cycle} 年没有带 [stars] 星级设置的已定案 {level} 级轮次")
        vetoed = {r.entrant for r in rated if self._vetoed(r.entrant, level, cycle)}
        # section 19.3: the evidence combined into the score, and one pool per track
        rated = self.rated_with_evidence(c.code, rated, stars_rule, decimals, cycle)  # type: ignore[attr-defined]
        tracks = {r.entrant: self.organization(r.entrant).track_in(cycle, c.code) for r in rated}
        return recommend_by_track(rated, stars_rule, vetoed, tracks)

    def certification(self, organization: str, level: str, cycle: str) -> Certification:
        organization, level, cycle = self._cert_key(organization, level, cycle)
        found = self.find(certification_id(organization, level, cycle), Certification)
        if found is None:
            raise CertificationNotFound(organization=organization, level=level, cycle=cycle)
        return found

    def _vetoed(self, organization: str, level: str, cycle: str) -> bool:
        found = self.find(certification_id(organization, level, cycle), Certification)
        return bool(found and found.vetoes)

    # -- commands -------------------------------------------------------------------

    def _cert_key(self, organization: str, level: str, cycle: str) -> tuple[str, str, str]:
        return (texts.entity_code(organization, "organization"), texts.contest_code(level, "level"),
                check_cycle(cycle))

    def _open_certification(self, organization: str, level: str, cycle: str, by: Actor) -> Certification:
        organization, level, cycle = self._cert_key(organization, level, cycle)
        self.organization(organization)
        found = self.find(certification_id(organization, level, cycle), Certification)
        return found or self.add(Certification.open(organization, level, cycle, by))

    def self_assess(self, organization: str, level: str, cycle: str, stars: int, note: str, by: Actor,
                    key: str | None = None) -> None:
        self._open_certification(organization, level, cycle, by).self_assess(stars, note, by, key)

    def record_veto(self, organization: str, level: str, cycle: str, item: str, reason: str, by: Actor,
                    key: str | None = None) -> None:
        self._open_certification(organization, level, cycle, by).record_veto(item, reason, by, key)

    def evaluate_initially(self, contest: str, organization: str, level: str, cycle: str, by: Actor,
                           recommended: int | None = None, reason: str | None = None,
                           key: str | None = None) -> dict[str, Any]:
        """初评: record the computed recommendation; ``recommended`` defaults to it."""
        cert = self._open_certification(organization, level, cycle, by)
        computed = self.star_recommendations(contest, cert.level, cert.cycle).get(cert.organization)
        basis: dict[str, Any] = {"stars": None, "veto": bool(cert.vetoes), "band": None, "capped": False}
        if computed is not None:
            basis = {"stars": computed.stars, "veto": computed.veto, "band": computed.band_stars,
                     "capped": computed.capped}
            if computed.basis is not None or computed.track:  # section 19.3: kept only where it says more
                basis.update(track=computed.track, score=None if computed.score is None else str(computed.score),
                             evidence=dict(computed.basis or {}))
        choice = basis["stars"] if recommended is None else recommended
        cert.evaluate(choice, basis, reason, by, key)
        return basis

    def decide_stars(self, organization: str, level: str, cycle: str, stars: int | None, by: Actor,
                     reason: str | None = None, key: str | None = None) -> None:
        self.certification(organization, level, cycle).decide(stars, reason, by, key)

    def accept_recommendations(self, contest: str, unit: str, level: str, cycle: str, by: Actor,
                               exceptions: Mapping[str, ByHand] | None = None, reason: str | None = None,
                               key: str | None = None, preview: bool = False) -> dict[str, Any]:
        """复评 and 审定 of every organization of ``unit`` (and the units below it) at ``level``
        and ``cycle`` in one command: each initially evaluated organization gets the initial
        evaluation's recommendation, or - an exception, named in ``exceptions`` - the stars set
        by hand (``reason``, or the exception's own, when they differ from the computed); a
        decision recorded by hand before is certified as it is.  One event per organization,
        each with the actor; all or nothing: one refusal and nothing is recorded.  Organizations
        certified already are left as they are (and listed); one not yet initially evaluated
        refuses the whole (NotYetEvaluated).  ``preview``: the plan, recording nothing."""
        c = self.contest(contest)
        unit = c.unit(unit).code
        level = texts.contest_code(level, "level")
        if level not in c.levels:
            raise InvalidValue("level", level, f"not a level of contest {c.code}", f"不是活动 {c.code} 的层级")
        cycle = check_cycle(cycle)
        members = c.organizations_in(unit)
        wanted: dict[str, ByHand] = {}
        for given, e in (exceptions or {}).items():  # ws-gl-03 and ＷＳ－ＧＬ－０３ are one organization (3.2)
            org = texts.entity_code(given, "organization")
            if org in wanted:
                raise InvalidValue("except", given, "the organization is named twice", "该组织重复给出")
            wanted[org] = e
        try:
            rated = set(self.star_recommendations(c.code, level, cycle))
        except InvalidValue:
            rated = set()  # no finalized round with [stars] yet: nothing computed to accept
        certs: dict[str, Certification] = {}
        for org in members:
            found = self.find(certification_id(org, level, cycle), Certification)
            if found is not None:
                certs[org] = found
        for cert in certs.values():
            cert.seen(key)  # the same key given with another command: refused (KeyReused)
        waiting = sorted(org for org in members if (org in rated and org not in certs)
                         or (org in certs and certs[org].state not in (EVALUATED, DECIDED, CERTIFIED, REVOKED)))
        if waiting:
            raise NotYetEvaluated(unit=unit, level=level, cycle=cycle, count=len(waiting),
                                  organizations=", ".join(waiting[:12]) + (" …" if len(waiting) > 12 else ""))
        for org in wanted:
            if org not in members:
                raise InvalidValue("except", org, f"not an organization of unit {unit} or the units below it",
                                   f"不是单位 {unit} 及其下级单位的组织")
            if org not in certs:
                raise CertificationNotFound(organization=org, level=level, cycle=cycle)
            if certs[org].state in (CERTIFIED, REVOKED) and certs[org].seen(key) is None:
                state = certs[org].state
                raise CertificationStateError(organization=org, state=state.replace("_", " "), state_zh=STATE_ZH[state],
                                              action="change the stars by hand here", action_zh="在此手工改定星级")
        plan: list[Acceptance] = []
        done: list[str] = []
        for org, cert in sorted(certs.items()):
            if cert.seen(key) is not None or cert.state in (CERTIFIED, REVOKED):
                done.append(org)
                continue
            exception = org in wanted
            if exception:
                stars, why = wanted[org].stars, wanted[org].reason or reason
            else:
                stars, why = cert.recommended, cert.evaluation_reason if cert.recommended != cert.computed.get(
                    "stars") else ""
            stars, why = cert.check_acceptance(stars, exception, why)
            step = "certified" if cert.state == DECIDED and not exception else "accepted"
            plan.append(Acceptance(org, self.organization(org).name, cert.recommended, cert.computed.get("stars"), stars, exception, step, why))
        if not preview:
            for item in plan:
                certs[item.organization].accept(item.stars, item.exception, unit, item.reason, by, key)
        return {"contest": c.code, "unit": unit, "level": level, "cycle": cycle,
                "accepted": [a.as_dict() for a in plan], "already": done}

    def certify(self, organization: str, level: str, cycle: str, by: Actor, key: str | None = None) -> None:
        self.certification(organization, level, cycle).certify(by, key)

    def downgrade(self, organization: str, level: str, cycle: str, stars: int, reason: str, by: Actor,
                  key: str | None = None) -> None:
        self.certification(organization, level, cycle).downgrade(stars, reason, by, key)

    def revoke(self, organization: str, level: str, cycle: str, reason: str, by: Actor,
               key: str | None = None) -> None:
        self.certification(organization, level, cycle).revoke(reason, by, key)
