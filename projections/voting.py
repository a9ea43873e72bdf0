"""The read model of voting (投票, rulebook section 18): one row per ballot box, with how
many ballots each group cast so far and, once counted, the announced tally; and the
queries the command line, the API and the pages ask.

Ballots themselves stay in the log (an auditor reads them there): the read model keeps
counts, never a ballot's choices before the count.
"""

from __future__ import annotations

from typing import Any

import orjson

from projections.tables import BALLOT_BOXES

STATUS_ZH = {"open": "投票中", "counted": "已计票", "announced": "已公布"}


def voting_rows(computer: Any, dirty: Any, changes: Any) -> None:
    """The part (projections.parts): the ballot boxes a batch touched (every one on a rebuild)."""
    folder = computer.folder
    boxes = folder.others.get("BallotBox", {})
    keys = set(boxes) if dirty.everything else set(dirty.others.get("BallotBox", ()))
    names_changed = set(folder.rounds) if dirty.everything else set(dirty.rounds)
    keys |= {k for k, b in boxes.items() if b.round in names_changed}
    for key in sorted(keys, key=str):
        box = boxes.get(key)
        if box is None:
            continue
        changes.replacing(BALLOT_BOXES, ("round", "voting"), (box.round, box.number))
        rnd = folder.rounds.get(box.round)
        names = {x: (rnd.entrants[x].name if rnd is not None and x in rnd.entrants else x)
                 for x in box.candidates}
        cast: dict[str, int] = {g: 0 for g in box.groups}
        voided = 0
        for b in box.ballots.values():
            if b["voided"] is None:
                cast[b["group"]] = cast.get(b["group"], 0) + 1
            else:
                voided += 1
        changes.rows[BALLOT_BOXES.name].append((
            box.round, box.number, rnd.contest if rnd is not None else "", box.status,
            orjson.dumps(box.candidates).decode(), orjson.dumps(names).decode(), orjson.dumps(cast).decode(),
            sum(cast.values()), voided, orjson.dumps(box.tally).decode() if box.tally else "",
            orjson.dumps(box.rules).decode(), folder.other_positions.get(key, 0)))


def _row(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for column in ("candidates", "names", "by_group", "rules"):
        out[column] = orjson.loads(out[column] or "null")
    out["tally"] = orjson.loads(out["tally"]) if out["tally"] else None
    out["status_zh"] = STATUS_ZH.get(out["status"], out["status"])
    return out


def ballot_boxes(read: Any, code: str) -> list[dict[str, Any]]:
    """Every ballot box of round ``code``, voting round 1 first; the round must exist."""
    round_code = read.round(code)["round"]  # RoundNotFound for a round that does not exist
    return [_row(r) for r in read.store.select(BALLOT_BOXES, {"round": round_code}, order="voting")]


def announced(boxes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The latest announced tally (现场公布), or None."""
    done = [b for b in boxes if b["status"] == "announced"]
    return done[-1] if done else None


# -- a recount is a replay (rulebook 18.5) -------------------------------------------------------

def recount(folder: Any, codes: list[str], new_rules: Any) -> list[dict[str, Any]]:
    """Each counted ballot box of the replayed rounds counted again from its recorded ballots
    under ``new_rules``' [voting]: what would change (rank, going on, the vote count fed)."""
    from domain.rules.voting import Ballot, CannotCount, count

    voting = new_rules.voting
    out: list[dict[str, Any]] = []
    boxes = sorted((b for b in folder.others.get("BallotBox", {}).values() if b.round in codes and b.tally),
                   key=lambda b: (b.round, b.number))
    for box in boxes:
        item: dict[str, Any] = {"round": box.round, "voting_round": box.number, "changes": []}
        if voting is None:
            item["problem"] = ("the new rules have no [voting]: the votes stay as counted",
                               "新规则没有 [voting]：票数保持原计票结果")
            out.append(item)
            continue
        ballots = [Ballot(n, b["group"], tuple(b["choices"])) for n, b in sorted(box.ballots.items())
                   if b["voided"] is None]
        voided = sum(1 for b in box.ballots.values() if b["voided"] is not None)
        try:
            again = count(voting, box.number, box.candidates, ballots, voided)
        except CannotCount as bad:
            item["problem"] = (bad.en, bad.zh)
            out.append(item)
            continue
        before = {e["entrant"]: e for e in box.tally["entries"]}
        after = {e["entrant"]: e for e in again["entries"]}
        fed_before, fed_after = box.tally.get("feed", {}), again.get("feed", {})
        for entrant in sorted(set(before) | set(after)):
            b, a = before.get(entrant, {}), after.get(entrant, {})
            changed = {f: [b.get(f), a.get(f)] for f in ("rank", "weighted", "carried") if b.get(f) != a.get(f)}
            if fed_before.get(entrant) is not None and fed_after.get(entrant) is not None and (
                    _ratio(fed_before, entrant) != _ratio(fed_after, entrant)):
                changed["fed"] = [fed_before[entrant], fed_after[entrant]]
            if changed:
                item["changes"].append({"entrant": entrant, **changed})
        if again["last"] != box.tally["last"] or (not again["last"] and again["carried"] != box.tally["carried"]):
            item["next_candidates"] = [box.tally["carried"], again["carried"]]
        out.append(item)
    return out


def _ratio(feed: dict[str, int], entrant: str) -> Any:
    """An entrant's share of the top vote count fed (what the votes component takes, 18.4)."""
    from fractions import Fraction

    top = max(feed.values(), default=0)
    return Fraction(feed[entrant], top) if top else Fraction(0)
