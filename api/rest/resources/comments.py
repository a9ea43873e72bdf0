"""Comments on entrants (点评, rulebook section 17): recorded by a judge of the round (their
own) or by its admins (a paper comment of a named judge, or a leader's comment in the
leader's title and name), corrected and withdrawn with a reason; read by whoever may see
them (domain.access.comment_as_seen: blind like sheets while scoring, public once the
results are published)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.rest.base import Blueprint, command, conditional, hub, variant
from api.rest.schemas.comments import (
    CommentAdd,
    CommentCorrect,
    CommentNumber,
    CommentSchema,
    CommentsQuery,
    CommentWithdraw,
)
from api.rest.security import actor, principal, refuse, round_view
from domain import access
from domain.errors import InvalidValue
from projections.comments import comments

blp = Blueprint("comments", __name__, url_prefix="/api", description="Comments on entrants (点评)")


def _author(code: str, data: dict[str, Any]) -> tuple[Any, Any, str | None, str]:
    """(principal, round, judge code or None, role): a judge comments as themself; an admin
    of the round for a named judge (a paper comment) or as a leader."""
    p, view = principal(), round_view(code)
    mine = access.judge_code(p, view)
    judge, leader = data["judge"], data["leader"]
    if access.manages_round(p, view):
        if leader is None and judge is None and mine is None:
            raise InvalidValue("judge", None, "name the judge whose comment this is, or the leader's title and name "
                               "(leader)", "请指明是哪位评委的点评，或写明点评领导的职务和姓名（leader）")
        return p, view, None if leader is not None else (judge or mine), "admin"
    if mine is not None:
        if leader is not None:
            raise refuse(p, "record a leader's comment (only the round's admins do)",
                         "登记领导点评（只有本轮的管理员可以）")
        if judge is not None and judge.strip().upper() != mine:
            raise refuse(p, "record a comment for another judge", "代替其他评委登记点评")
        return p, view, mine, "judge"
    raise refuse(p, f"comment on an entrant of round {view.code}", f"在轮次 {view.code} 中登记点评")


def _corrector(code: str, what: str, what_zh: str) -> tuple[Any, Any, str]:
    """A judge of the round (their own comments: the domain's authority checks whose it is)
    or an admin of the round."""
    p, view = principal(), round_view(code)
    if access.manages_round(p, view):
        return p, view, "admin"
    if access.judge_code(p, view) is not None:
        return p, view, "judge"
    raise refuse(p, f"{what} in round {view.code}", f"在轮次 {view.code} 中{what_zh}")


@blp.route("/rounds/<code>/comments")
class CommentsResource(MethodView):
    @blp.arguments(CommentsQuery, location="query")
    @blp.response(200, CommentSchema(many=True))
    def get(self, query: dict[str, Any], code: str) -> Any:
        """The round's comments that the one asking may see: all of them for its admins and auditors;
        a judge's own while scoring and everyone's once closed; everyone's once published (withdrawn
        ones only for admins, auditors and their judge)"""
        p, view = principal(), round_view(code)
        if not access.reads_comments(p, view):
            raise refuse(p, f"see the comments of round {view.code} before its results are published",
                         f"在结果公示前查看轮次 {view.code} 的点评")

        def visible() -> list[dict[str, Any]]:
            rows = comments(hub().read(), view.code, query["entrant"])
            return [seen for seen in (access.comment_as_seen(p, view, r) for r in rows) if seen is not None]

        return conditional(hub().round_position(view.code), variant() + str(query["entrant"]), visible)

    @blp.arguments(CommentAdd)
    @blp.response(201, CommentNumber)
    def post(self, data: dict[str, Any], code: str) -> Any:
        """Record a comment on an entrant: a judge's (their own), or a leader's (书记点评, by an admin of the round)"""
        p, view, judge, role = _author(code, data)
        return command(lambda s, key: s.record_comment(view.code, data["entrant"], data["text"], actor(p, role), key,
                                                       judge=judge, leader=data["leader"], stage=data["stage"],
                                                       reason=data["reason"]),
                       f"round {view.code}", lambda number: {"comment": number})


@blp.route("/rounds/<code>/comments/<int:number>/corrections")
class CommentCorrectionResource(MethodView):
    @blp.arguments(CommentCorrect)
    @blp.response(200, CommentNumber)
    def post(self, data: dict[str, Any], code: str, number: int) -> Any:
        """Correct a comment's text (with a reason; the original stays in its history)"""
        p, view, role = _corrector(code, "correct a comment", "更正点评")
        return command(lambda s, key: s.correct_comment(view.code, number, data["text"], data["reason"],
                                                        actor(p, role), key),
                       f"round {view.code}", lambda done: {"comment": done})


@blp.route("/rounds/<code>/comments/<int:number>/withdrawal")
class CommentWithdrawalResource(MethodView):
    @blp.arguments(CommentWithdraw)
    @blp.response(200, CommentNumber)
    def post(self, data: dict[str, Any], code: str, number: int) -> Any:
        """Withdraw a comment (with a reason; it stays on record, shown only to admins, auditors and its judge)"""
        p, view, role = _corrector(code, "withdraw a comment", "撤回点评")
        return command(lambda s, key: s.withdraw_comment(view.code, number, data["reason"], actor(p, role), key),
                       f"round {view.code}", lambda done: {"comment": done})
