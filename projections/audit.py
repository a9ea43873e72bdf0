"""The audit trail of a result, folded on demand from the round's own events.

To explain an entrant's result the read side reads the events of that round (and of
the rounds that feed it, and of its rule set) by aggregate id - a few hundred rows
through the primary key - and folds them with the same code as every read model.  No
copy of a round's state is kept: the explanation always says exactly what the events
say.
"""

from __future__ import annotations

from typing import Any

from domain.errors import EntrantNotAdmitted, RoundNotFound
from domain.ids import round_id, ruleset_id
from domain.model.round import LinkedRound, Round
from projections.compute import Computer
from projections.explain import explanation
from projections.fold import Folder
from projections.source import EventSource


def fold_rounds(source: EventSource, code: str) -> Folder:
    """A folder holding this round, every round feeding it, and their rule sets."""
    folder = Folder()
    pending, seen = [code], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        folder.apply_rows(source.events_of([round_id(current)]))
        rnd = folder.rounds.get(current)
        if rnd is None:
            raise RoundNotFound(round=current)
        pending.extend(rnd.links.values())
    codes = {r.rules["code"] for r in folder.rounds.values()}
    folder.apply_rows(source.events_of([ruleset_id(c) for c in sorted(codes)]))
    folder.take_dirty()
    return folder


def round_and_links(source: EventSource, code: str) -> tuple[Round, dict[str, LinkedRound], Folder]:
    folder = fold_rounds(source, code)
    _, linked = Computer(folder).result(code)
    return folder.rounds[code], linked, folder


def audit(source: EventSource, code: str, entrant: str) -> dict[str, Any]:
    """The explanation of one entrant's result, with the history of its sheets, inputs and
    appeals (exactly the write side's explanation: folded from the same events)."""
    rnd, linked, folder = round_and_links(source, code)
    if entrant not in rnd.entrants:
        raise EntrantNotAdmitted(round=code, entrant=entrant)
    return explanation(rnd, rnd.compute(folder.rules(rnd.rules), linked), entrant)


def sheets(source: EventSource, code: str) -> list[dict[str, Any]]:
    """Every sheet of a round as it stands, with the events behind it: the judge, the
    entrant, the marks, whether it counts, and who submitted, corrected or voided it."""
    folder = fold_rounds(source, code)
    rnd = folder.rounds[code]
    out = []
    for record in sorted(rnd.sheets.values(), key=lambda r: (r.entrant, r.judge, r.sheet)):
        counts = (not record.voided and (record.judge, record.entrant) not in rnd.recusals)
        out.append({"judge": record.judge, "entrant": record.entrant, "marks": dict(record.marks),
                    "event": rnd.ref(record.ref), "first_event": rnd.ref(record.sheet), "voided": record.voided,
                    "counts": counts, "history": [{"event": rnd.ref(v), "kind": kind, "actor": actor, "reason": reason}
                                                  for v, kind, actor, reason in record.log]})
    return out


ACCOUNT_FIELDS = ("display_name", "granted", "revoked", "scope", "reason", "by_owner")


def _state(row: Any) -> dict[str, Any]:
    """A stored event's state (JSON, as text or bytes)."""
    import orjson

    state = row[4]
    return dict(orjson.loads(state if isinstance(state, str) else bytes(state)))


def _recorded_at(state: dict[str, Any]) -> str | None:
    """When the event was recorded, China Standard Time to the second (None if unreadable)."""
    from datetime import datetime

    from domain.services.clock import CHINA

    stamp = state.get("timestamp")
    try:
        moment = datetime.fromisoformat(stamp["_data_"]).astimezone(CHINA)  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        return None
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def account_history(source: EventSource, name: str) -> list[dict[str, Any]]:
    """Every event of an account, oldest first: what changed (created, role granted or
    revoked, password changed, disabled, enabled), when (China Standard Time), by whom and
    why.  Never a password or its hash: those are not in events."""
    from domain.ids import account_id

    out = []
    for row in source.events_of([account_id(name)]):
        state = _state(row)
        entry: dict[str, Any] = {"position": int(row[0]), "event": str(row[3]).rsplit(".", 1)[-1],
                                 "at": _recorded_at(state), "actor": state.get("actor"),
                                 "actor_role": state.get("role")}
        entry.update({k: state[k] for k in ACCOUNT_FIELDS if k in state})
        out.append(entry)
    return out


def event_times(source: EventSource, code: str) -> dict[str, str]:
    """When each event of a round was recorded, by its name in explanations (``R#17``):
    the event's own timestamp, in China Standard Time, to the second."""
    times = {}
    for row in source.events_of([round_id(code)]):
        at = _recorded_at(_state(row))
        if at is not None:  # an event without a readable time shows none
            times[f"{code}#{row[2]}"] = at
    return times


def revisions(source: EventSource, code: str) -> list[dict[str, Any]]:
    """How changes of the source rounds' results revised this round's finalists, oldest
    first: each withdrawal or admission with its event, entrant, name, source round, who,
    when and why (rulebook section 7)."""
    folder = Folder()
    folder.apply_rows(source.events_of([round_id(code)]))
    rnd = folder.rounds.get(code)
    if rnd is None:
        raise RoundNotFound(round=code)
    return [{"event": rnd.ref(r["seq"]), "kind": r["kind"], "entrant": r["entrant"],
             "name": rnd.entrants[r["entrant"]].name, "round": r["source"].get("round"),
             "rank": r["source"].get("rank"), "final": r["source"].get("final"), "actor": r["actor"], "at": r["at"],
             "reason": r["reason"]} for r in rnd.revisions]


def explanations(source: EventSource, code: str) -> tuple[Round, list[dict[str, Any]]]:
    """The round and the explanation of every entrant, in ranking order (a score sheet)."""
    rnd, linked, folder = round_and_links(source, code)
    result = rnd.compute(folder.rules(rnd.rules), linked)
    return rnd, [explanation(rnd, result, e.entrant) for e in result.entries]
