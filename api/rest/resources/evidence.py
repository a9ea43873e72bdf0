"""Honours, platform data and flags (荣誉、平台数据、红旗; rulebook section 19)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.rest.base import Blueprint, command, conditional, hub, variant
from api.rest.schemas.common import Reason
from api.rest.schemas.evidence import (
    Assessment,
    Award,
    FlagRow,
    Honour,
    HonourRecorded,
    HonourRow,
    Nomination,
    PlatformImport,
    PlatformImported,
    PlatformRow,
    SourceQuery,
)
from api.rest.security import actor, principal, require
from domain import access

blp = Blueprint("evidence", __name__, url_prefix="/api", description="Honours, platform data and flags (荣誉、平台数据、红旗)")
ORG = "/contests/<contest>/organizations/<organization>"
FLAG = "/contests/<contest>/flags/<organization>/<flag>/<cycle>"


def _over(contest: str, organization: str, what: str, what_zh: str) -> tuple[Any, str]:
    """An admin over the organization's unit (or above) in the contest, as for its stars."""
    from api.rest.resources.contests import _unit_path

    p = principal()
    read = hub().read()
    code = read.contest(contest)["contest"]
    org = read.organization(organization)
    require(access.may_certify(p, code, _unit_path(code, org["unit"])), p, f"{what} {org['organization']}",
            f"{what_zh} {org['organization']}")
    return p, code


def _full(contest: str) -> tuple[str, bool]:
    """The contest's code, and whether the caller sees scores and evidence (organizers, auditors)."""
    from api.rest.resources.contests import manages

    p = principal()
    code = hub().read().contest(contest)["contest"]
    return code, manages(p, code) or access.reads_everything(p, code)


# -- honours ---------------------------------------------------------------------------------


@blp.route(f"{ORG}/honours")
class HonoursResource(MethodView):
    @blp.response(200, HonourRow(many=True))
    def get(self, contest: str, organization: str) -> Any:
        """The honours (荣誉) of an organization, withdrawn ones with their reason"""
        from projections import evidence

        hub().read().contest(contest)
        return conditional(hub().position, variant(), lambda: evidence.honours(hub().read(), organization))

    @blp.arguments(Honour)
    @blp.response(200, HonourRecorded)
    def post(self, data: dict[str, Any], contest: str, organization: str) -> Any:
        """Record an honour: its level, date (not after today) and issuer"""
        p, _ = _over(contest, organization, "record an honour of", "登记荣誉：")
        return command(lambda s, key: s.record_honour(organization, data["name"], data["level"], data["date"],
                                                      data["issuer"], actor(p, "admin"), key),
                       f"organization {organization}", lambda number: {"number": number})


@blp.route(f"{ORG}/honours/<int:number>/withdrawal")
class HonourWithdrawalResource(MethodView):
    @blp.arguments(Reason)
    @blp.response(200, HonourRecorded)
    def post(self, data: dict[str, Any], contest: str, organization: str, number: int) -> Any:
        """Withdraw a recorded honour, with a reason (it stays in the record, marked withdrawn)"""
        p, _ = _over(contest, organization, "withdraw an honour of", "撤销荣誉：")
        return command(lambda s, key: s.withdraw_honour(organization, number, data["reason"], actor(p, "admin"), key),
                       f"organization {organization}", lambda _: {"number": number})


# -- platform data ---------------------------------------------------------------------------


@blp.route("/contests/<contest>/platform/<period>")
class PlatformResource(MethodView):
    @blp.arguments(SourceQuery, location="query")
    @blp.response(200, PlatformRow(many=True))
    def get(self, query: dict[str, Any], contest: str, period: str) -> Any:
        """One source's platform data for a period (organizers and auditors)"""
        from projections import evidence

        p = principal()
        code, full = _full(contest)
        require(full, p, f"read the platform data of {code}", f"查看 {code} 的平台数据")
        return conditional(hub().position, variant(),
                           lambda: evidence.platform_data(hub().read(), code, period, query["source"]))

    @blp.arguments(PlatformImport)
    @blp.response(200, PlatformImported)
    def post(self, data: dict[str, Any], contest: str, period: str) -> Any:
        """Import one source's platform data for a period (CSV organization,value); a second import replaces it, with a reason"""
        from api.rest.resources.contests import manages

        p = principal()
        code = hub().read().contest(contest)["contest"]
        require(manages(p, code), p, f"import platform data into {code}", f"向 {code} 导入平台数据")
        body = data["csv"].encode("utf-8")
        return command(lambda s, key: s.import_platform(code, period, data["source"], body, data["file"],
                                                        actor(p, "admin"), data["reason"], key),
                       f"platform data of {code}", lambda done: {k: done[k] for k in ("step", "rows", "digest")})


# -- flags -----------------------------------------------------------------------------------


def _flag_step(path: str, summary: str, body: Any, work: Any, schema: Any = HonourRecorded,
               answer: Any = None) -> None:
    def post(self: Any, data: dict[str, Any], contest: str, organization: str, flag: str, cycle: str) -> Any:
        p, code = _over(contest, organization, "decide the flags of", "评定红旗：")
        by = actor(p, "admin")
        return command(lambda s, key: work(s, code, organization, flag, cycle, data, by, key), f"flag {flag}",
                       answer or (lambda _: {}))

    post.__doc__ = summary
    view = type(f"Flag{path.title().replace('-', '')}", (MethodView,),
                {"post": blp.arguments(body)(blp.response(200, schema)(post))})
    blp.route(f"{FLAG}/{path}")(view)


_flag_step("nomination", "Nominate an organization for a flag (红旗) of the rules", Nomination,
           lambda s, c, o, f, cy, d, by, key: s.nominate_flag(c, o, f, cy, by, key, d["rules"]) and None)
_flag_step("assessment", "Check the flag's criteria and record each result with its evidence", Award,
           lambda s, c, o, f, cy, d, by, key: s.assess_flag(o, f, cy, by, key), Assessment,
           lambda results: {"results": results})
_flag_step("award", "Award the flag: only once assessed with every criterion met (no override)", Award,
           lambda s, c, o, f, cy, d, by, key: s.award_flag(o, f, cy, by, d["note"], key))
_flag_step("declining", "Decline the flag, with a reason", Reason,
           lambda s, c, o, f, cy, d, by, key: s.decline_flag(o, f, cy, d["reason"], by, key))
_flag_step("revocation", "Revoke an awarded flag, with a reason", Reason,
           lambda s, c, o, f, cy, d, by, key: s.revoke_flag(o, f, cy, d["reason"], by, key))


@blp.route("/contests/<contest>/flags/<cycle>")
class FlagsResource(MethodView):
    @blp.response(200, FlagRow(many=True))
    def get(self, contest: str, cycle: str) -> Any:
        """Every flag of a cycle with its state; the criteria results for organizers and auditors"""
        from projections import evidence

        code, full = _full(contest)

        def rows() -> list[dict[str, Any]]:
            found = evidence.flags(hub().read(), code, cycle)
            return found if full else [{k: v for k, v in r.items() if k != "results"} for r in found]

        return conditional(hub().position, variant(), rows)
