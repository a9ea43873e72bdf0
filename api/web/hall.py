"""The hall's pages: the big screen (大屏) of a round, live over Server-Sent Events, and its
table alone (what the screen's script swaps in)."""

from __future__ import annotations

from typing import Any

import orjson
from flask import render_template

from api.rest.base import hub
from api.rest.security import principal
from api.web.pages import _read, _seen, blp
from domain import access

# -- the big screen ------------------------------------------------------------------------------


def _board(code: str) -> tuple[Any, dict[str, Any]]:
    view = _seen(code)
    _, body = hub().board(view.code, "any", lambda read: read.leaderboard(view.code))
    return view, orjson.loads(body)


def screen_context(code: str) -> dict[str, Any]:
    view, board = _board(code)
    read = _read()
    units = {u["code"]: u["name"] for u in orjson.loads(read.contest(board["contest"])["units"])}
    finalists = {f["entrant"]: f for f in read.finalists(view.code)}
    return {"board": board, "units": units, "finalists": finalists, "code": view.code,
            "shows_scores": access.sees_round(principal(), view)}


@blp.route("/screen/<code>")
def screen(code: str) -> Any:
    return render_template("screen.html", **screen_context(code))


@blp.route("/screen/<code>/table")
def screen_table(code: str) -> Any:
    """The screen's changing part, fetched again on each pushed change."""
    return render_template("screen_table.html", **screen_context(code))
