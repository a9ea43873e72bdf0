"""The star-certification lifecycle of an organization at a level and cycle (rulebook
section 8): 自评, 一票否决, 初评 (the computed recommendation), 复评, 审定, 降星, 摘星."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.rest.base import Blueprint, command, hub
from api.rest.schemas.certifications import (
    Acceptance,
    AcceptanceResult,
    Basis,
    Decision,
    Downgrade,
    Evaluation,
    SelfAssessment,
    Veto,
)
from api.rest.schemas.common import Reason, Strict
from api.rest.security import actor, principal, require
from domain import access

blp = Blueprint("certifications", __name__, url_prefix="/api/contests/<contest>/certifications",
                description="Stars: self-assessment, veto, evaluation, decision, certification, downgrade, revocation")
PATH = "/<organization>/<level>/<cycle>"


def _certifier(contest: str, organization: str) -> tuple[Any, str]:
    """The admin of the organization's unit (or above) in the contest."""
    p = principal()
    read = hub().read()
    code = read.contest(contest)["contest"]
    org = read.organization(organization)
    from api.rest.resources.contests import _unit_path

    require(access.may_certify(p, code, _unit_path(code, org["unit"])), p,
            f"certify {org['organization']}", f"评定 {org['organization']} 的星级")
    return p, code


def _step(path: str, summary: str, body: Any, work: Any, answer: Any = None, own: bool = False) -> None:
    def post(self: Any, data: dict[str, Any], contest: str, organization: str, level: str, cycle: str) -> Any:
        p = principal()
        if own and organization.strip().upper() in access.organizations(p):
            role = "organization"
            code = hub().read().contest(contest)["contest"]
        else:
            p, code = _certifier(contest, organization)
            role = "admin"
        return command(lambda s, key: work(s, code, organization, level, cycle, data, actor(p, role), key),
                       f"certification {organization}", answer or (lambda _: {}))

    post.__doc__ = summary
    view = type(f"Certification{path.title().replace('-', '')}", (MethodView,),
                {"post": blp.arguments(body)(blp.response(200, Basis)(post))})
    blp.route(f"{PATH}/{path}")(view)


class Nothing(Strict):
    pass


_step("self-assessment", "Record the organization's self-assessment (by itself or an organizer)", SelfAssessment,
      lambda s, c, o, lv, cy, d, by, key: s.self_assess(o, lv, cy, d["stars"], d["note"], by, key), own=True)
_step("vetoes", "Record a veto item (一票否决): no rating this cycle", Veto,
      lambda s, c, o, lv, cy, d, by, key: s.record_veto(o, lv, cy, d["item"], d["reason"], by, key))
_step("evaluation", "Initial evaluation (初评): record the computed recommendation", Evaluation,
      lambda s, c, o, lv, cy, d, by, key: s.evaluate_initially(c, o, lv, cy, by, d["stars"], d["reason"], key),
      lambda basis: {"computed": basis})
_step("decision", "Re-evaluation (复评): decide; a decision other than the recommendation needs a reason",
      Decision, lambda s, c, o, lv, cy, d, by, key: s.decide_stars(o, lv, cy, d["stars"], by, d["reason"], key))
_step("certification", "Certify (审定) the decision", Nothing,
      lambda s, c, o, lv, cy, d, by, key: s.certify(o, lv, cy, by, key))
_step("downgrade", "Lower the stars (降星) with a reason", Downgrade,
      lambda s, c, o, lv, cy, d, by, key: s.downgrade(o, lv, cy, d["stars"], d["reason"], by, key))
_step("revocation", "Withdraw the stars (摘星) with a reason", Reason,
      lambda s, c, o, lv, cy, d, by, key: s.revoke(o, lv, cy, d["reason"], by, key))


@blp.route("/units/<unit>/<level>/<cycle>/acceptance")
class AcceptanceResource(MethodView):
    @blp.arguments(Acceptance)
    @blp.response(200, AcceptanceResult)
    def post(self, data: dict[str, Any], contest: str, unit: str, level: str, cycle: str) -> Any:
        """Accept the star recommendations of a unit (and the units below it) in one step, one event per organization

        Each initially evaluated organization of the unit is re-evaluated (复评) and certified (审定)
        by one event of its own, recorded with the caller as its actor: with the initial evaluation's
        recommendation, or - listed in `exceptions` - with the stars set by hand (a reason is required
        where they differ from the computed recommendation); a decision recorded before is certified as
        it is; organizations certified already are left as they are (`already`). All or nothing: one
        refusal (a missing reason, a veto, an organization not yet initially evaluated, an exception
        outside the unit) and nothing is recorded. `preview: true` answers what would be recorded and
        records nothing. For an admin of the contest and of this unit (or one above it), like every
        certification command; idempotent with `Idempotency-Key`."""
        from api.rest.base import leitai
        from api.rest.resources.contests import _unit_path
        from domain.errors import InvalidValue
        from domain.services.certification import ByHand
        from domain.text import entity_code

        p = principal()
        read = hub().read()
        code = read.contest(contest)["contest"]
        found = read.unit(code, unit)["code"]
        require(access.may_certify(p, code, _unit_path(code, found)), p,
                f"accept the star recommendations of {found}", f"采纳 {found} 的星级建议")
        by_hand: dict[str, ByHand] = {}
        for e in data["exceptions"]:
            org = entity_code(e["organization"], "exceptions")  # as the rulebook reads codes (3.2)
            if org in by_hand:
                raise InvalidValue("exceptions", org, "the organization is named twice", "该组织重复给出")
            by_hand[org] = ByHand(e["stars"], e["reason"])
        by = actor(p, "admin")

        def work(s: Any, key: str | None) -> dict[str, Any]:
            return s.accept_recommendations(code, found, level, cycle, by, by_hand, data["reason"], key,
                                            preview=data["preview"])

        if data["preview"]:
            hub().release()
            return {"position": None, "recorded": 0, "projected": True, **leitai().read(lambda s: work(s, None))}
        return command(work, f"certifications of {found}", lambda report: report)
