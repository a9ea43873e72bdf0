"""The read model of comments (点评, rulebook section 17): one row per comment of a round,
with its history; and the queries the command line, the API and the pages ask.

Who sees which rows is the access policy's (domain.access.comment_as_seen); here every
row is kept, withdrawn ones included.
"""

from __future__ import annotations

from typing import Any

import orjson

from domain.text import entity_code
from projections.tables import COMMENTS

AUTHOR_ZH = {"judge": "评委", "leader": "领导"}
STATE_ZH = {"recorded": "已登记", "corrected": "已更正", "withdrawn": "已撤回"}


def comment_rows(computer: Any, dirty: Any, changes: Any) -> None:
    """The part (projections.parts): the comments of every round a batch touched."""
    folder = computer.folder
    codes = set(folder.rounds) if dirty.everything else set(dirty.rounds)
    for code in sorted(codes):
        changes.replacing(COMMENTS, ("round",), (code,))
        rnd = folder.rounds.get(code)
        if rnd is None or code in folder.unusable_rounds:
            continue
        position = folder.round_position.get(code, 0)
        for number, c in sorted(rnd.comments.items()):
            entrant = rnd.entrants.get(c.entrant)
            seat = rnd.judges.get(c.judge) if c.judge else None
            author = c.title if c.author == "leader" else (seat.name if seat else c.judge)
            changes.rows[COMMENTS.name].append((
                code, number, rnd.contest, c.entrant, entrant.name if entrant else c.entrant, c.author, c.judge,
                author, c.title, c.stage, c.text, c.state, orjson.dumps(c.history).decode(), c.history[0]["at"],
                c.history[0]["actor"], position))


def _row(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["history"] = orjson.loads(row["history"] or "[]")
    return row


def comments(read: Any, code: str, entrant: str | None = None) -> list[dict[str, Any]]:
    """Every comment of round ``code`` (of one entrant if given), by number; the round must exist."""
    round_code = read.round(code)["round"]
    where: dict[str, Any] = {"round": round_code}
    if entrant:
        where["entrant"] = entity_code(entrant, "entrant")
    return [_row(r) for r in read.store.select(COMMENTS, where, order="comment")]


def by_entrant(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row["entrant"], []).append(row)
    return out
