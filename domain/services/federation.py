"""市级联动 / federation commands: register a source deployment, admit its finalists.

The proofs are checked by the caller before (``projections.federation``; the domain holds
no cryptography); each command is one unit of work: the admission and the finalists it
admits into the round here are saved together, or nothing is.
"""

from __future__ import annotations

from typing import Any

from domain import text as texts
from domain.model.base import Actor
from domain.model.federation import Federation, federation_id


def federation(s: Any) -> Federation:
    return s.find(federation_id(), Federation) or s.add(Federation.start(Actor("system", "system")))


def state(app: Any) -> Federation | None:
    """The federation as recorded (None before any source is registered)."""
    return app.read(lambda s: s.find(federation_id(), Federation))


def register_source(app: Any, code: str, name: str, origin: str, vkey: str, url: str, head: dict[str, Any],
                    reason: str, by: Actor, witnesses: tuple[str, ...] = (), quorum: int | None = None) -> Any:
    return app.execute(lambda s: register_in(s, code, name, origin, vkey, url, head, reason, by, None, witnesses,
                                             quorum), "federation")


def register_in(s: Any, code: str, name: str, origin: str, vkey: str, url: str, head: dict[str, Any], reason: str,
                by: Actor, key: str | None = None, witnesses: tuple[str, ...] = (), quorum: int | None = None) -> bool:
    """``witnesses``: checked witness keys; ``quorum``: how many must cosign (default: all)."""
    code = texts.entity_code(code, "code")
    name = texts.name(name, "name", limit=64)
    return federation(s).register(code, name, origin, vkey, url, head, reason, by, key, tuple(witnesses),
                                  len(witnesses) if quorum is None else quorum)


def admit(app: Any, into: str, admission: dict[str, Any], by: Actor) -> Any:
    """Record a checked admission and admit its finalists into the round ``into``
    (each entrant's source names the source deployment, its round, rank and final)."""
    return app.execute(lambda s: admit_in(s, into, admission, by), "federation")


def admit_in(s: Any, into: str, admission: dict[str, Any], by: Actor, key: str | None = None) -> dict[str, Any]:
    f = federation(s)
    rnd = s.round(into)
    source = f.source(admission["source"])
    if key is not None and f.seen(key) is not None:  # the same request again: nothing new
        return {"admission": f.seen(key), "into": rnd.code, "admitted": []}
    seq = f.admit({**admission, "into": rnd.code}, by, key)
    added = []
    for e in admission["entrants"]:
        origin = {"kind": "federation", "source": source["code"], "source_name": source["name"],
                  "origin": source["origin"], "round": admission["round"], "entrant": e["entrant"],
                  "rank": e["rank"], "final": e["final"], "seal": admission["seal"], "size": admission["size"],
                  "root": admission["root"], "admission": seq}
        if rnd.admit(e["code"], e["name"], e["unit"], origin, by):
            added.append(e["code"])
    return {"admission": seq, "into": rnd.code, "admitted": added}
