"""The judges' pages (评委打分): the rounds a judge sits on, a round's sheets on a phone, and the
service worker that lets a judge open them without a network."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from flask import render_template

from api.rest.errors import Unauthorized
from api.rest.security import require, round_view
from api.web.pages import _read, _viewer, blp
from domain import access
from projections.tables import ENTRIES

# -- judging -------------------------------------------------------------------------------------


def _judging(p: Any) -> list[tuple[dict[str, Any], str]]:
    out = []
    for r in _read().rounds():
        me = access.judge_code(p, round_view(r["round"]))
        if me is not None:
            out.append((r, me))
    return out


@blp.route("/judge")
def judge_rounds() -> Any:
    p = _viewer()
    if p.public:
        raise Unauthorized(why="this needs an account", why_zh="此操作需要登录")
    return render_template("judge_rounds.html", rounds=_judging(p))


@blp.route("/judge/sw.js")
def judge_worker() -> Any:
    """The judge's pages without a network (static/judge-sw.js says what it keeps, for whom and
    why): its scope is /judge, the rounds list and each round's page; always asked for again."""
    response = blp.send_static_file("judge-sw.js")
    response.content_type = "text/javascript; charset=utf-8"
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/judge"
    return response


@blp.route("/judge/<code>")
def judge_round(code: str) -> Any:
    p, view = _viewer(), round_view(code)
    me = access.judge_code(p, view)
    require(me is not None, p, f"score round {view.code}", f"为轮次 {view.code} 打分")
    read = _read()
    row = read.round(view.code)
    rules = read.rules(row["rules_code"], row["rules_version"])
    entrants = read.store.select(ENTRIES, {"round": view.code}, order="entrant")
    mine = {s["entrant"]: s for s in read.sheets(view.code) if s.get("judge") == me}
    criteria = [{"code": c.code, "name": c.name or c.code, "max": _plain(c.max)} for c in rules.criteria]
    totals = {e: str(sum((Decimal(v) for v in s["marks"].values()), Decimal(0))) for e, s in mine.items()}
    from projections.comments import by_entrant, comments  # 点评: the judge's own while scoring (blind)

    said = by_entrant([c for c in (access.comment_as_seen(p, view, r) for r in comments(read, view.code)) if c])
    return render_template("judge_round.html", round=row, me=me, criteria=criteria, entrants=entrants, mine=mine,
                           totals=totals, said=said,
                           decimals=rules.mark_decimals, judge_name=p.display_name or p.name)


def _plain(value: Any) -> str:
    """A rule's maximum as written (the rulebook allows only finite decimals)."""
    f = Fraction(value)
    if f.denominator == 1:
        return str(f.numerator)
    return format((Decimal(f.numerator) / Decimal(f.denominator)).normalize(), "f")
