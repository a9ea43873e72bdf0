"""Contests: their units, roster and judges, scenario import (all or nothing), scheduling
rounds, rule sets and their adoption, period standings with their consequences, stars."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import orjson
from flask.views import MethodView

from api.rest import uploads
from api.rest.base import Blueprint, command, conditional, hub, leitai, variant
from api.rest.schemas.contests import (
    Adoption,
    AdoptionResult,
    ContestSchema,
    ImportResult,
    JudgeChange,
    JudgeSchema,
    OrganizationChange,
    OrganizationSchema,
    PeriodSchema,
    RoundSchedule,
    RuleSetRecord,
    RuleSetRegistered,
    RuleSetSummary,
    RuleSetText,
    StarRow,
)
from api.rest.schemas.rounds import Changed, JudgeStatistics
from api.rest.schemas.scoring import AppealSchema, AppealsQuery
from api.rest.schemas.tracks import TrackQuery
from api.rest.security import actor, principal, refuse, require, signed_in
from domain import access
from domain.errors import InvalidValue
from domain.services.setup import RoundSpec

blp = Blueprint("contests", __name__, url_prefix="/api", description="Contests, rosters, import, rule sets, stars")


def contest_document(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "levels": orjson.loads(row["levels"]), "units": orjson.loads(row["units"])}


def _manager(contest: str) -> tuple[Any, str]:
    p = principal()
    code = hub().read().contest(contest)["contest"]
    require(manages(p, code), p, f"manage contest {code}", f"管理比武活动 {code}")
    return p, code


def top_units(contest: str) -> list[str]:
    """The contest's units without a parent (the county)."""
    return [u["code"] for u in orjson.loads(hub().read().contest(contest)["units"]) if not u.get("parent")]


def manages(p: Any, contest: str) -> bool:
    return access.manages_contest(p, contest, top_units(contest))


@blp.route("/contests")
class ContestsResource(MethodView):
    @blp.response(200, ContestSchema(many=True))
    def get(self) -> Any:
        """Every contest: levels, units, how many organizations, judges, rounds"""
        return conditional(hub().position, "contests", lambda: [contest_document(r) for r in hub().read().contests()])


@blp.route("/contests/<contest>")
class ContestResource(MethodView):
    @blp.response(200, ContestSchema)
    def get(self, contest: str) -> Any:
        """A contest with its unit tree"""
        return conditional(hub().position, "contest", lambda: contest_document(hub().read().contest(contest)))


@blp.route("/contests/import")
class ImportResource(MethodView):
    @blp.response(201, ImportResult)
    def post(self) -> Any:
        """Import a scenario directory uploaded as a .zip (field `scenario`) or as files whose
        names carry their paths (field `files`, e.g. `rules/town.toml`): all or nothing"""
        from api.importing.scenario import _Apply, read_scenario

        p = signed_in()
        uploads.refuse_early(p)  # before a byte of the body is read
        with tempfile.TemporaryDirectory(prefix="leitai-upload-") as folder:
            directory = Path(folder) / "scenario"
            sent = uploads.unpack(directory)
            scenario = read_scenario(directory)
            _may_import(p, scenario)
            by = actor(p, "admin")
            return command(lambda s, key: _Apply(s, by, lambda _: None).run(scenario), "import",
                           body=sent.encode(),
                           answer=lambda reports: {"files": [{"file": r.file, "rows": r.rows, "recorded": r.recorded,
                                                       "warnings": [zh for _, zh in r.warnings]} for r in reports]})


def _may_import(p: Any, scenario: Any) -> None:
    if scenario.contest is not None:
        from domain.errors import ContestNotFound

        code = scenario.contest.code.strip().lower()
        try:
            top = top_units(code)  # never the uploaded file's units: they could make anyone the top
        except ContestNotFound:
            top = []  # a new contest: only an admin of the whole contest (or everything)
        if not access.manages_contest(p, code, top):
            raise refuse(p, f"import into contest {scenario.contest.code}", f"向比武活动 {scenario.contest.code} 导入")
        return
    rounds = set()
    for table in (scenario.scores, scenario.inputs, scenario.adjustments):
        if table is not None:
            rounds |= {row.get("round_code").strip().upper() for row in table.rows}
    from api.rest.security import round_view

    for code in sorted(rounds):
        if not access.manages_round(p, round_view(code)):
            raise refuse(p, f"import into round {code}", f"向轮次 {code} 导入")
    if not rounds and not p.roles("admin"):
        raise refuse(p, "register rule sets", "登记评分规则")


@blp.route("/contests/<contest>/organizations")
class OrganizationsResource(MethodView):
    @blp.response(200, OrganizationSchema(many=True))
    def get(self, contest: str) -> Any:
        """The contest's roster of organizations with their secretaries"""
        code = hub().read().contest(contest)["contest"]

        def roster() -> list[dict[str, Any]]:
            enrolled = leitai().read(lambda s: dict(s.contest(code).roster))
            read = hub().read()
            return [read.organization(org) for org in sorted(enrolled)]

        return conditional(hub().position, "organizations", roster)


@blp.route("/contests/<contest>/organizations/<organization>")
class OrganizationResource(MethodView):
    @blp.arguments(OrganizationChange)
    @blp.response(200, Changed)
    def patch(self, data: dict[str, Any], contest: str, organization: str) -> Any:
        """Change an organization's details (name, unit, sector, secretary...) with a reason"""
        p, code = _manager(contest)
        reason = data.pop("reason")
        details = {k: v for k, v in data.items() if v is not None}
        return command(lambda s, key: s.update_organization(code, organization, actor(p, "admin"), reason, key=key,
                                                            **details),
                       f"organization {organization}", lambda n: {"changed": bool(n)})


@blp.route("/contests/<contest>/judges")
class JudgesResource(MethodView):
    @blp.response(200, JudgeSchema(many=True))
    def get(self, contest: str) -> Any:
        """The contest's judges"""
        code = hub().read().contest(contest)["contest"]
        judges = leitai().read(lambda s: list(s.contest(code).judges.values()))
        return [{"judge": j.code, "name": j.name, "home_unit": j.home_unit, "affiliation": j.affiliation}
                for j in sorted(judges, key=lambda j: j.code)]


@blp.route("/contests/<contest>/judges/<judge>")
class JudgeResource(MethodView):
    @blp.arguments(JudgeChange)
    @blp.response(200, Changed)
    def patch(self, data: dict[str, Any], contest: str, judge: str) -> Any:
        """Change a judge's name, home unit or affiliation, with a reason"""
        p, code = _manager(contest)
        reason = data.pop("reason")
        details = {k: v for k, v in data.items() if v is not None}
        return command(lambda s, key: s.update_judge(code, judge, reason, actor(p, "admin"), key=key, **details),
                       f"contest {code}", lambda changed: {"changed": changed})


@blp.route("/contests/<contest>/rounds")
class ScheduleResource(MethodView):
    @blp.arguments(RoundSchedule)
    @blp.response(201, Changed)
    def post(self, data: dict[str, Any], contest: str) -> Any:
        """Schedule a round of the contest"""
        p = principal()
        code = hub().read().contest(contest)["contest"]
        unit = hub().read().unit(code, data["unit"])
        path = _unit_path(code, unit["code"])
        require(access.manages_unit(p, code, path), p, f"schedule rounds of unit {unit['code']}",
                f"为单位 {unit['code']} 安排轮次")
        entrants = data["entrants"]
        if not (entrants in ("unit", "promoted") or (isinstance(entrants, list)
                                                     and all(isinstance(e, str) for e in entrants))):
            raise InvalidValue("entrants", str(entrants)[:40], "\"unit\", \"promoted\" or a list of codes",
                               "应为 \"unit\"、\"promoted\" 或组织代码列表")
        spec = RoundSpec(**{**data, "judges": tuple(data["judges"]),
                            "entrants": entrants if isinstance(entrants, str) else tuple(entrants)})
        return command(lambda s, key: s.schedule_round(code, spec, actor(p, "admin")) and True, f"round {data['code']}",
                       lambda _: {"changed": True})


def _unit_path(contest: str, unit: str) -> list[str]:
    units = {u["code"]: u for u in orjson.loads(hub().read().contest(contest)["units"])}
    path, current = [], unit
    while current is not None and current not in path:
        path.append(current)
        current = units.get(current, {}).get("parent")
    return path


@blp.route("/contests/<contest>/adoptions")
class AdoptionResource(MethodView):
    @blp.arguments(Adoption)
    @blp.response(201, AdoptionResult)
    def post(self, data: dict[str, Any], contest: str) -> Any:
        """Adopt a rule-set version for a scope of the contest: its rounds not yet closed under the same
        rules' code use it (a contest, level or unit scope); rounds:R1,R2 names its rounds whatever their rules"""
        from api.cli.setup import parse_scope

        p, code = _manager(contest)
        scope = parse_scope(data["scope"], data["from_period"])

        def work(s: Any, key: str | None) -> Any:
            rules = s.register_ruleset(data["rules"], "adopted.toml", actor(p, "admin"))
            return s.adopt_ruleset(code, rules.ref, scope, data["reason"], actor(p, "admin"))

        return command(work, f"contest {code}", lambda r: {"rules": r["rules"], "assigned": r["assigned"],
                                                           "kept": r["kept"], "other_rules": r["other_rules"]})


@blp.route("/rulesets")
class RuleSetsResource(MethodView):
    @blp.response(200, RuleSetSummary(many=True))
    def get(self) -> Any:
        """Every registered rule-set version"""
        return conditional(hub().position, "rulesets", lambda: hub().read().rulesets())

    @blp.arguments(RuleSetText)
    @blp.response(201, RuleSetRegistered)
    def post(self, data: dict[str, Any]) -> Any:
        """Register a rule-set version (its text; a version never changes once registered)"""
        p = principal()
        require(bool(p.roles("admin")), p, "register rule sets", "登记评分规则")
        return command(lambda s, key: s.register_ruleset(data["text"], data["source"], actor(p, "admin")),
                       "rule set", lambda r: {"code": r.code, "version": r.version, "digest": r.digest})


@blp.route("/rulesets/check")
class RuleSetCheckResource(MethodView):
    @blp.arguments(RuleSetText)
    @blp.response(200, RuleSetSummary)
    def post(self, data: dict[str, Any]) -> Any:
        """Check a rule-set file without recording anything (422 names every bad field)"""
        from domain.rules.ruleset import parse_ruleset

        rules = parse_ruleset(data["text"], data["source"])
        return {"code": rules.code, "version": rules.version, "digest": rules.digest, "title": rules.title}


@blp.route("/rulesets/<code>/<int:version>")
class RuleSetResource(MethodView):
    @blp.response(200, RuleSetRecord)
    def get(self, code: str, version: int) -> Any:
        """One rule-set version with its text"""
        return hub().read().ruleset(code, version)


@blp.route("/contests/<contest>/units/<unit>/standings/<period>")
class StandingsResource(MethodView):
    @blp.arguments(TrackQuery, location="query")
    @blp.response(200, PeriodSchema)
    def get(self, query: dict[str, Any], contest: str, unit: str, period: str) -> Any:
        """A unit's standings for a month, quarter or year, with their consequences, track by track"""
        from projections.tracks import period as by_track

        track = query.get("track")
        return conditional(hub().position, f"standings:{track}",
                           lambda: by_track(hub().read(), contest, unit, period, track))


@blp.route("/contests/<contest>/stars/<level>/<cycle>")
class StarsResource(MethodView):
    @blp.response(200, StarRow(many=True))
    def get(self, contest: str, level: str, cycle: str) -> Any:
        """Star certification per organization; recommendations and scores for organizers"""
        p = principal()
        code = hub().read().contest(contest)["contest"]
        full = manages(p, code) or access.reads_everything(p, code)

        return conditional(hub().position, variant(), lambda: visible_certifications(full, code, level, cycle))


def visible_certifications(full: bool, contest: str, level: str, cycle: str) -> list[dict[str, Any]]:
    """Every row with scores and recommendations for organizers and auditors; for others
    only the ratings under way or decided, with their steps."""
    out = []
    for r in hub().read().certifications(contest, level, cycle):
        if full:
            out.append(r | {"basis": orjson.loads(r["basis"]) if r.get("basis") else None})  # rulebook 19.3
        elif r["state"] is not None:
            out.append({k: r[k] for k in ("organization", "name", "level", "cycle", "state", "stars")}
                       | {"history": {"history": (r["history"] or {}).get("history", [])}})
    return out


@blp.route("/contests/<contest>/judge-statistics")
class ContestJudgesResource(MethodView):
    @blp.response(200, JudgeStatistics(many=True))
    def get(self, contest: str) -> Any:
        """Each judge across the contest: deviation from the panel, how often trimmed"""
        p = principal()
        code = hub().read().contest(contest)["contest"]
        require(manages(p, code) or access.reads_everything(p, code), p,
                f"see the judge statistics of {code}", f"查看 {code} 的评委统计")
        return hub().read().judges("contest", code)


@blp.route("/contests/<contest>/appeals")
class ContestAppealsResource(MethodView):
    @blp.arguments(AppealsQuery, location="query")
    @blp.response(200, AppealSchema(many=True))
    def get(self, query: dict[str, Any], contest: str) -> Any:
        """Every objection and appeal of the contest (the organizers' inbox)"""
        p = principal()
        code = hub().read().contest(contest)["contest"]
        require(manages(p, code) or access.reads_everything(p, code)
                or any(g.contest in (None, code) for g in p.roles("admin")), p,
                f"see the appeals of {code}", f"查看 {code} 的异议与申诉")
        rows = hub().read().appeals(contest=code, pending=query["pending"])
        if not (manages(p, code) or access.reads_everything(p, code)):
            from api.rest.security import round_view

            rows = [r for r in rows if access.manages_round(p, round_view(r["round"]))]
        return rows
