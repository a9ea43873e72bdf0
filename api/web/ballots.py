"""Pages of voting (投票, rulebook section 18): the counting desk (计票台) for the round's admins -
open the voting, enter ballots, void one, count and announce - and the big screen's announcement
of a voting round's tally (现场公布), public like the announcement itself."""

from __future__ import annotations

from typing import Any

import orjson
from flask import render_template, request

from api.rest.security import principal, refuse, round_view
from api.web.pages import _read, blp
from domain import access
from domain.numbers import exact_text
from projections.voting import announced, ballot_boxes


def _round_and_boxes(code: str) -> tuple[Any, dict[str, Any], list[dict[str, Any]], dict[str, str]]:
    view = round_view(code)
    read = _read()
    row = read.round(view.code)
    boxes = ballot_boxes(read, view.code)
    units = {u["code"]: u["name"] for u in orjson.loads(read.contest(row["contest"])["units"])}
    return view, row, boxes, units


def _settings(code: str) -> Any:
    """The [voting] settings of the round's rule set (None: it has none)."""
    from api.rest.base import leitai

    return leitai().read(lambda s: s.rules(s.round(code).rules).voting)


def voting_rounds(codes: list[str]) -> set[str]:
    """Those of ``codes`` whose rule set has a [voting] section (the console links their counting desk)."""
    from api.rest.base import leitai

    def has(s: Any) -> set[str]:
        return {code for code in codes if s.rules(s.round(code).rules).voting is not None}

    return leitai().read(has)


@blp.route("/console/rounds/<code>/voting")
def voting_desk(code: str) -> Any:
    """The counting desk: for the round's admins (an auditor reads it, records nothing)."""
    p = principal()
    view, row, boxes, units = _round_and_boxes(code)
    manages = access.manages_round(p, view)
    if not (manages or access.reads_everything(p, view.contest)):
        raise refuse(p, f"use the counting desk of round {view.code}", f"使用轮次 {view.code} 的计票台")
    current = boxes[-1] if boxes and boxes[-1]["status"] == "open" else None
    voting = _settings(view.code)
    weights = {g.code: exact_text(g.weight) for g in voting.groups} if voting else {}
    return render_template("voting_desk.html", round=row, units=units, boxes=boxes, current=current,
                           voting=voting, weights=weights, manages=manages, code=view.code)


@blp.route("/screen/<code>/voting")
def voting_screen(code: str) -> Any:
    """现场公布: the announced tally of a voting round on the big screen (the latest, or ?round=N)."""
    view, row, boxes, units = _round_and_boxes(code)
    wanted = request.args.get("round", "")
    box = next((b for b in boxes if str(b["voting"]) == wanted and b["status"] == "announced"), None) \
        if wanted.isdigit() else announced(boxes)
    still = bool(boxes) and boxes[-1]["status"] == "open"
    return render_template("voting_screen.html", round=row, units=units, box=box, boxes=boxes, code=view.code,
                           voting_open=still)
