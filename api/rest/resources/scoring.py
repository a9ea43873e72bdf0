"""The scoring hall over HTTP: sheets and their corrections, adjustments, inputs, an
entrant's disqualification or withdrawal, the explanation of a result, objections and
appeals with their rulings and remedies.

A judge scores as the judge code their account holds, only on rounds where it is
seated; an organizer may enter a paper sheet for a named judge.  After publication a
change is accepted only as the remedy of an upheld appeal (``appeal``), and re-seals the
round."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.rest.base import Blueprint, command, conditional, hub, variant
from api.rest.resources.rounds import not_while_judging
from api.rest.schemas.common import Remedy
from api.rest.schemas.scoring import (
    AdjustmentAdd,
    AppealFile,
    AppealRule,
    AppealSchema,
    AppealsQuery,
    Explanation,
    InputRecord,
    Numbered,
    Ruling,
    SheetCorrect,
    SheetSchema,
    SheetSubmit,
    SheetVoid,
)
from api.rest.security import actor, manages_round, principal, refuse, require, round_view
from domain import access
from domain.errors import InvalidValue
from domain.services.publicity import Correction

blp = Blueprint("scoring", __name__, url_prefix="/api/rounds", description="Sheets, adjustments, appeals")


def _scorer(code: str, judge: str | None, what: str, what_zh: str) -> tuple[Any, Any, str, str]:
    """(principal, round, judge code, role): a judge acts as themself; an organizer for a named judge."""
    p, view = principal(), round_view(code)
    mine = access.judge_code(p, view)
    if access.manages_round(p, view):
        if judge is None and mine is None:
            raise InvalidValue("judge", None, "name the judge whose sheet this is", "请指明是哪位评委的评分表")
        return p, view, judge or mine, "admin"
    if mine is not None:
        if judge is not None and judge.strip().upper() != mine:
            raise refuse(p, f"{what} for another judge", f"代替其他评委{what_zh}")
        return p, view, mine, "judge"
    raise refuse(p, f"{what} in round {view.code}", f"在轮次 {view.code} 中{what_zh}")


@blp.route("/<code>/sheets")
class SheetsResource(MethodView):
    @blp.response(200, SheetSchema(many=True))
    def get(self, code: str) -> Any:
        """The round's sheets that the one asking may see: all of them for organizers and
        auditors (and everyone once final), a judge's own before the round closes"""
        p, view = principal(), round_view(code)

        def visible() -> list[dict[str, Any]]:
            return [s for s in hub().read().sheets(view.code) if access.sees_sheet(p, view, s["judge"], s["entrant"])]

        if not access.reads_sheets(p, view):
            raise refuse(p, f"see the sheets of round {view.code}", f"查看轮次 {view.code} 的评分表")
        return conditional(hub().round_position(view.code), variant(), visible)

    @blp.arguments(SheetSubmit)
    @blp.response(201, Numbered)
    def post(self, data: dict[str, Any], code: str) -> Any:
        """Submit a sheet: one judge's marks for one entrant"""
        p, view, judge, role = _scorer(code, data["judge"], "submit a sheet", "提交评分表")
        return command(lambda s, key: s.submit_sheet(view.code, judge, data["entrant"], data["marks"],
                                                     actor(p, role), key),
                       f"round {view.code}", lambda number: {"number": number})


@blp.route("/<code>/sheets/<entrant>/correction")
class CorrectionResource(MethodView):
    @blp.arguments(SheetCorrect)
    @blp.response(200, Numbered)
    def post(self, data: dict[str, Any], code: str, entrant: str) -> Any:
        """Correct a sheet (with a reason); after publication only as an appeal's remedy"""
        if data["appeal"] is not None:
            p, view = manages_round(code)
            judge, role = data["judge"], "admin"
        else:
            p, view, judge, role = _scorer(code, data["judge"], "correct a sheet", "更正评分表")
        return command(lambda s, key: s.correct_sheet(view.code, judge, entrant, data["marks"], data["reason"],
                                                      actor(p, role), key, data["appeal"]),
                       f"round {view.code}", lambda number: {"number": number})


@blp.route("/<code>/sheets/<entrant>/void")
class VoidResource(MethodView):
    @blp.arguments(SheetVoid)
    @blp.response(200, Numbered)
    def post(self, data: dict[str, Any], code: str, entrant: str) -> Any:
        """Void a sheet (with a reason); after publication only as an appeal's remedy"""
        p, view = manages_round(code)
        return command(lambda s, key: s.void_sheet(view.code, data["judge"], entrant, data["reason"],
                                                   actor(p, "admin"), key, data["appeal"]),
                       f"round {view.code}", lambda number: {"number": number})


@blp.route("/<code>/adjustments")
class AdjustmentsResource(MethodView):
    @blp.arguments(AdjustmentAdd)
    @blp.response(201, Numbered)
    def post(self, data: dict[str, Any], code: str) -> Any:
        """Record a bonus (> 0) or a penalty (< 0) with its reason, within the rules' caps"""
        p, view = manages_round(code)
        return command(lambda s, key: s.record_adjustment(view.code, data["entrant"], data["points"], data["reason"],
                                                          actor(p, "admin"), key, data["appeal"]),
                       f"round {view.code}", lambda number: {"number": number})


@blp.route("/<code>/adjustments/<int:number>/revoke")
class RevokeAdjustmentResource(MethodView):
    @blp.arguments(Remedy)
    @blp.response(200, Numbered)
    def post(self, data: dict[str, Any], code: str, number: int) -> Any:
        """Revoke an adjustment (with a reason)"""
        p, view = manages_round(code)
        return command(lambda s, key: s.revoke_adjustment(view.code, number, data["reason"], actor(p, "admin"), key,
                                                          data["appeal"]),
                       f"round {view.code}", lambda done: {"number": done})


@blp.route("/<code>/inputs")
class InputsResource(MethodView):
    @blp.arguments(InputRecord)
    @blp.response(200, Numbered)
    def post(self, data: dict[str, Any], code: str) -> Any:
        """Record an assessment value or a vote count for an entrant (the same value again: nothing new; a value
        that replaces another needs a reason, and both stay in the history)"""
        p, view = manages_round(code)
        return command(lambda s, key: s.record_input(view.code, data["entrant"], data["component"], data["value"],
                                                     actor(p, "admin"), key, data["appeal"], data["reason"]),
                       f"round {view.code}", lambda number: {"number": number})


@blp.route("/<code>/entrants/<entrant>/disqualify")
class DisqualifyResource(MethodView):
    @blp.arguments(Remedy)
    @blp.response(200, Numbered)
    def post(self, data: dict[str, Any], code: str, entrant: str) -> Any:
        """Disqualify an entrant (取消资格, with a reason)"""
        p, view = manages_round(code)
        return command(lambda s, key: s.disqualify(view.code, entrant, data["reason"], actor(p, "admin"), key,
                                                   data["appeal"]),
                       f"round {view.code}", lambda number: {"number": number})


@blp.route("/<code>/entrants/<entrant>/withdraw")
class WithdrawResource(MethodView):
    @blp.arguments(Remedy)
    @blp.response(200, Numbered)
    def post(self, data: dict[str, Any], code: str, entrant: str) -> Any:
        """Record an entrant's withdrawal (退出, with a reason)"""
        p, view = manages_round(code)
        return command(lambda s, key: s.withdraw(view.code, entrant, data["reason"], actor(p, "admin"), key,
                                                 data["appeal"]),
                       f"round {view.code}", lambda number: {"number": number})


@blp.route("/<code>/entrants/<entrant>/explanation")
class ExplanationResource(MethodView):
    @blp.response(200, Explanation)
    def get(self, code: str, entrant: str) -> Any:
        """How the entrant's result was reached: every sheet and its event, what was trimmed,
        components, adjustments, rounding, rank, ties, appeals"""
        p, view = principal(), round_view(code)
        entrant = entrant.strip().upper()
        not_while_judging(p, view)
        require(access.sees_entrant(p, view, entrant), p, f"see how {entrant}'s result was reached",
                f"查看 {entrant} 的得分明细")
        return conditional(hub().round_position(view.code), variant(),
                           lambda: hub().read().audit(view.code, entrant))


@blp.route("/<code>/appeals")
class AppealsResource(MethodView):
    @blp.arguments(AppealsQuery, location="query")
    @blp.response(200, AppealSchema(many=True))
    def get(self, query: dict[str, Any], code: str) -> Any:
        """Objections and appeals: all of them for organizers and auditors; an organization
        reads what it filed, and of an objection about it filed by someone else only that it
        exists, its status and the ruling - never who objected nor what was said"""
        p, view = principal(), round_view(code)
        if not access.reads_appeals(p, view):
            raise refuse(p, f"see the appeals of round {view.code}", f"查看轮次 {view.code} 的异议与申诉")

        def visible() -> list[dict[str, Any]]:
            rows = hub().read().appeals(view.code, pending=query["pending"])
            return [seen for seen in (access.appeal_as_seen(p, view, r) for r in rows) if seen is not None]

        return conditional(hub().round_position(view.code), variant() + str(query["pending"]), visible)

    @blp.arguments(AppealFile)
    @blp.response(201, Numbered)
    def post(self, data: dict[str, Any], code: str) -> Any:
        """File a named objection or appeal during the publicity period"""
        p, view = principal(), round_view(code)
        entrant = (data["entrant"] or "").strip().upper() or None
        require(access.may_file_appeal(p, view, entrant), p, f"file an appeal in round {view.code}",
                f"在轮次 {view.code} 中提出异议或申诉")
        role = "admin" if access.manages_round(p, view) else "organization"
        return command(lambda s, key: s.file_appeal(view.code, data["kind"], data["name"], data["contact"],
                                                    data["text"], actor(p, role), entrant, key),
                       f"round {view.code}", lambda number: {"number": number})


@blp.route("/<code>/appeals/<int:number>/ruling")
class RulingResource(MethodView):
    @blp.arguments(AppealRule)
    @blp.response(200, Ruling)
    def post(self, data: dict[str, Any], code: str, number: int) -> Any:
        """Rule on an objection or appeal in writing; an upheld one may carry its remedies"""
        p, view = manages_round(code)
        corrections = tuple(Correction(**c) for c in data["corrections"])
        return command(lambda s, key: s.rule_appeal(view.code, number, data["decision"], data["reply"],
                                                    actor(p, "admin"), corrections, key),
                       f"round {view.code}", lambda r: {"seal": r.seal, "republished": r.publicity is not None})
