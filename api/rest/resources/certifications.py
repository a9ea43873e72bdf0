"""The star-certification lifecycle of an organization at a level and cycle (rulebook
section 8): 自评, 一票否决, 初评 (the computed recommendation), 复评, 审定, 降星, 摘星."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.rest.base import Blueprint, command, hub
from api.rest.schemas.certifications import Basis, Decision, Downgrade, Evaluation, SelfAssessment, Veto
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
