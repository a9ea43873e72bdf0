"""Ballots, voting rounds and their tallies (投票, rulebook section 18): the counting desk (an
admin over the round's unit) opens the voting, records anonymous ballots, voids one with a
reason, counts and announces; the announced tallies (现场公布) are public."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.rest.base import Blueprint, command, hub, idempotency_key
from api.rest.schemas.voting import (
    BallotBoxSchema,
    BallotCast,
    BallotRecorded,
    BallotVoid,
    Tally,
    VotingRoundResult,
    VotingStep,
)
from api.rest.security import actor, manages_round, principal, round_view
from domain import access
from domain.errors import InvalidValue
from projections.voting import ballot_boxes

blp = Blueprint("voting", __name__, url_prefix="/api", description="Ballots, voting rounds and their tallies (投票)")


@blp.route("/rounds/<code>/voting")
class VotingResource(MethodView):
    @blp.response(200, BallotBoxSchema(many=True))
    def get(self, code: str) -> Any:
        """The round's ballot boxes: announced tallies for everyone; ballots cast so far per group only for the
        round's admins and auditors"""
        p, view = principal(), round_view(code)
        boxes = ballot_boxes(hub().read(), view.code)
        if access.manages_round(p, view) or access.reads_everything(p, view.contest):
            return boxes
        return [{"voting": b["voting"], "status": b["status"], "status_zh": b["status_zh"],
                 **({"candidates": b["candidates"], "names": b["names"], "tally": b["tally"]}
                    if b["status"] == "announced" else {})} for b in boxes]

    @blp.arguments(VotingStep)
    @blp.response(200, VotingRoundResult)
    def post(self, data: dict[str, Any], code: str) -> Any:
        """Open voting round 1: every active entrant a candidate (the round's admins)"""
        p, view = manages_round(code)
        return command(lambda s, key: s.open_voting(view.code, actor(p, "admin"), key), f"round {view.code}",
                       lambda number: {"voting_round": number})


@blp.route("/rounds/<code>/voting/ballots")
class BallotsResource(MethodView):
    @blp.arguments(BallotCast)
    @blp.response(200, BallotRecorded)
    def post(self, data: dict[str, Any], code: str) -> Any:
        """Record one anonymous ballot in the open voting round (never the voter): refused when it names more
        entrants than the rules allow, the same entrant twice, one not a candidate, a group not in the rules, a
        number recorded before, or after the count"""
        p, view = manages_round(code)
        ballot = data["ballot"] if data["ballot"] is not None and data["ballot"].strip() else None
        if ballot is None and idempotency_key() is None:
            # the next number in sequence (a blank number is no number): a retried request would be a
            # second ballot (rulebook 18.2)
            raise InvalidValue("ballot", None, "give the ballot's number as printed, or send an Idempotency-Key "
                                               "header: without either, a request sent again would record a second "
                                               "ballot",
                               "请填写选票上印的编号，或在请求头中带 Idempotency-Key：两者都没有时，重发的请求会多登记一张选票")
        return command(lambda s, key: s.cast_ballot(view.code, data["group"], ballot, data["choices"],
                                                    actor(p, "admin"), key), f"round {view.code}", lambda done: done)


@blp.route("/rounds/<code>/voting/ballots/<ballot>/void")
class BallotVoidResource(MethodView):
    @blp.arguments(BallotVoid)
    @blp.response(200, VotingRoundResult)
    def post(self, data: dict[str, Any], code: str, ballot: str) -> Any:
        """Void a ballot of the open voting round, with a reason (it is kept, and not counted)"""
        p, view = manages_round(code)
        return command(lambda s, key: s.void_ballot(view.code, ballot, data["reason"], actor(p, "admin"), key),
                       f"round {view.code}", lambda number: {"voting_round": number})


@blp.route("/rounds/<code>/voting/count")
class CountResource(MethodView):
    @blp.arguments(VotingStep)
    @blp.response(200, Tally)
    def post(self, data: dict[str, Any], code: str) -> Any:
        """Count the open voting round and announce it (现场公布); then open the next voting round with the
        carried, or after the last feed the votes component (rulebook 18.3, 18.4)"""
        p, view = manages_round(code)
        return command(lambda s, key: s.count_votes(view.code, actor(p, "admin"), key), f"round {view.code}",
                       lambda tally: {"tally": tally})
