"""Rounds: their state, live board and ranking (with ETags), and the commands that move a
round along - open, close, reopen, publish, republish, finalize, promote, re-rank - and
set up its panel and entrants."""

from __future__ import annotations

from typing import Any

import orjson
from flask.views import MethodView

from api.rest.base import Blueprint, command, conditional, hub, variant
from api.rest.fastpath import note_board
from api.rest.schemas.common import Reason
from api.rest.schemas.rounds import (
    Admit,
    BoardSchema,
    Changed,
    Finalist,
    JudgeStatistics,
    LiveBoard,
    Promotion,
    PublicityResult,
    Publish,
    RankingSchema,
    Recusal,
    Republish,
    Rerank,
    RoundSchema,
    RoundsQuery,
    Seal,
    Seat,
)
from api.rest.security import actor, manages_round, principal, require, round_view
from domain import access

blp = Blueprint("rounds", __name__, url_prefix="/api/rounds", description="Rounds, boards, rankings; their life")


def round_document(row: dict[str, Any]) -> dict[str, Any]:
    return {"round": row["round"], "contest": row["contest"], "level": row["level"], "unit": row["unit"],
            "period": row["period"], "theme": row["theme"], "status": row["status"],
            "rules": {"code": row["rules_code"], "version": row["rules_version"]}, "seal": row["seal"],
            "entrants": row["entrants"], "sheets_in": row["sheets_in"], "sheets_expected": row["sheets_expected"],
            "live_board": bool(row["live_board"]), "judges": orjson.loads(row["judges"] or "[]"),
            "publicity": orjson.loads(row["publicity"]) if row["publicity"] else None, "position": row["position"]}


def not_while_judging(p: Any, view: Any) -> None:
    """A judge of a round being scored is refused anything of it but their own sheets, and
    told why (access.blind)."""
    require(not access.blind(p, view), p, f"see the scores, ranks or marks of round {view.code} while judging it "
            "(its judges see them once scoring is closed)",
            f"在评分结束前查看本轮 {view.code} 的得分、名次或其他评委的评分（评委在本轮结束评分后才能查看）")


def seen(code: str) -> Any:
    """The round, if the one asking may see its results."""
    p, view = principal(), round_view(code)
    not_while_judging(p, view)
    require(access.sees_round(p, view), p, f"see round {view.code} before its results are published",
            f"在结果公示前查看轮次 {view.code}")
    return view


@blp.route("")
class RoundsResource(MethodView):
    @blp.arguments(RoundsQuery, location="query")
    @blp.response(200, RoundSchema(many=True))
    def get(self, query: dict[str, Any]) -> Any:
        """Every round with its state (filter by contest and state)"""
        rows = hub().read().rounds(query["contest"], query["status"])
        return conditional(hub().position, variant(), lambda: [round_document(r) for r in rows])


@blp.route("/<code>")
class RoundResource(MethodView):
    @blp.response(200, RoundSchema)
    def get(self, code: str) -> Any:
        """A round: its state, panel, publicity periods"""
        view = round_view(code)
        return conditional(hub().round_position(view.code), variant(),
                           lambda: round_document(hub().read().round(view.code)))


@blp.route("/<code>/board")
class BoardResource(MethodView):
    @blp.response(200, BoardSchema)
    def get(self, code: str) -> Any:
        """The live leaderboard: sheets in and expected, provisional ranks while scoring"""
        view = seen(code)
        position, body = hub().board(view.code, "any", lambda read: read.leaderboard(view.code))
        note_board(view.code, position)  # the next anonymous reader may get it before Flask (fastpath)
        return conditional(position, "board", lambda: body)


@blp.route("/<code>/ranking")
class RankingResource(MethodView):
    @blp.response(200, RankingSchema)
    def get(self, code: str) -> Any:
        """The ranking JSON of the rulebook (sealed results once the round is closed)"""
        view = seen(code)
        return conditional(hub().round_position(view.code), "ranking", lambda: hub().read().ranking(view.code))


@blp.route("/<code>/finalists")
class FinalistsResource(MethodView):
    @blp.response(200, Finalist(many=True))
    def get(self, code: str) -> Any:
        """A final's entrants and the round, rank and seal each came from"""
        view = round_view(code)
        return conditional(hub().round_position(view.code), "finalists", lambda: hub().read().finalists(view.code))


@blp.route("/<code>/judge-statistics")
class JudgeStatisticsResource(MethodView):
    @blp.response(200, JudgeStatistics(many=True))
    def get(self, code: str) -> Any:
        """Each judge's deviation from the panel and how often trimmed (public once final)"""
        p, view = principal(), round_view(code)
        not_while_judging(p, view)
        require(access.sees_all_marks(p, view), p, f"see the judges' marks of round {view.code}",
                f"查看轮次 {view.code} 的评委打分")
        return conditional(hub().round_position(view.code), "judges", lambda: hub().read().judges("round", view.code))


def _simple(path: str, summary: str, work: Any, answer: Any, schema: Any = None, body: Any = None) -> None:
    """A command on a round by one who runs it: POST /api/rounds/<code>/<path>."""

    def post(self: Any, *args: Any, **kwargs: Any) -> Any:
        code = kwargs["code"]
        data = args[0] if args else {}
        p, view = manages_round(code)
        return command(lambda s, key: work(s, view.code, data, actor(p, "admin"), key), f"round {view.code}", answer)

    post.__doc__ = summary
    decorated = blp.response(200, schema or Changed)(post)
    if body is not None:
        decorated = blp.arguments(body)(decorated)
    view = type(f"{path.title().replace('-', '')}Command", (MethodView,), {"post": decorated})
    blp.route(f"/<code>/{path}")(view)


_simple("open", "Open the round for scoring",
        lambda s, code, d, by, key: s.open_round(code, by, key), lambda _: {"changed": True})
_simple("close", "Close scoring and seal the round (its min_judges must be met)",
        lambda s, code, d, by, key: s.close_round(code, by, key), lambda seal: {"seal": seal}, Seal)
_simple("reopen", "Reopen a closed round before publication (with a reason)",
        lambda s, code, d, by, key: s.reopen_round(code, d["reason"], by, key), lambda _: {"changed": True},
        body=Reason)
_simple("publish", "Publish the results: a publicity period of working days",
        lambda s, code, d, by, key: s.publish(code, by, d["on"], d["days"], d["calendar_fallback"], key),
        lambda p: {"publicity": vars(p)}, PublicityResult, Publish)
_simple("republish", "Publish the results again, or extend the period (with a reason)",
        lambda s, code, d, by, key: s.republish(code, d["reason"], by, d["on"], d["days"], d["calendar_fallback"],
                                                key),
        lambda p: {"publicity": vars(p)}, PublicityResult, Republish)
_simple("finalize", "Finalize after the period ended and every objection was ruled",
        lambda s, code, d, by, key: s.finalize(code, by, key), lambda _: {"changed": True})
_simple("promote", "Admit the promoted entrants into the round this one promotes to",
        lambda s, code, d, by, key: s.promote(code, by, key),
        lambda p: {"target": p["target"], "promoted": p["promoted"], "reserves": p["reserves"]}, Promotion)
_simple("rerank", "Re-rank a closed round under another rule-set version (with a reason)",
        lambda s, code, d, by, key: s.rerank(code, d["rules"], d["reason"], by, key), lambda seal: {"seal": seal},
        Seal, Rerank)
_simple("live-board", "Show the scores on the spot (现场亮分): the live board is public while scoring",
        lambda s, code, d, by, key: s.set_live_board(code, d["on"], by, key), lambda changed: {"changed": changed},
        body=LiveBoard)
_simple("judges", "Seat a judge of the contest on the round's panel",
        lambda s, code, d, by, key: s.seat_judge(code, d["judge"], by, key), lambda changed: {"changed": changed},
        body=Seat)
_simple("entrants", "Admit an organization of the contest's roster",
        lambda s, code, d, by, key: s.admit_entrant(code, d["entrant"], by, key),
        lambda changed: {"changed": changed}, body=Admit)
_simple("recusals", "Record a judge's recusal from an entrant (with a reason)",
        lambda s, code, d, by, key: s.recuse_judge(code, d["judge"], d["entrant"], d["reason"], by, key),
        lambda changed: {"changed": changed}, body=Recusal)
