"""The audit record a round keeps on the read side.

It is the round's state as the events left it - sheets with their versions, recusals,
adjustments, inputs, appeals, the values taken from linked rounds - packed as
compressed JSON.  ``restore`` turns it back into a Round object, so that the same
explanation code serves the read side without touching the event store.
"""

from __future__ import annotations

import zlib
from typing import Any

import orjson

from domain.model import round_events as ev
from domain.model.round import LinkedRound, Round
from domain.numbers import exact_text, from_exact_text


def pack(rnd: Round, linked: dict[str, LinkedRound]) -> bytes:
    doc = {
        "code": rnd.code, "contest": rnd.contest, "level": rnd.level, "unit": rnd.unit, "period": rnd.period,
        "theme": rnd.theme, "form": rnd.form, "status": rnd.status, "seal": rnd.seal, "rules": rnd.rules,
        "links": rnd.links, "promotes_to": rnd.promotes_to, "results": rnd.results,
        "publicity": None if rnd.publicity is None else vars(rnd.publicity),
        "judges": [[j.code, j.name, j.home_unit] for j in rnd.judges.values()],
        "entrants": [[e.code, e.name, e.unit, e.source, e.status, e.reason] for e in rnd.entrants.values()],
        "recusals": [[j, e, reason] for (j, e), reason in rnd.recusals.items()],
        "sheets": [[s.sheet, s.judge, s.entrant, s.marks, s.ref, s.history, s.voided, s.log]
                   for s in rnd.sheets.values()],
        "adjustments": [[a.id, a.entrant, a.points, a.reason, a.revoked] for a in rnd.adjustments.values()],
        "inputs": [[e, c, v, n] for (e, c), (v, n) in rnd.inputs.items()],
        "appeals": [vars(a) for a in rnd.appeals.values()],
        "linked": {c: {"round": l.round, "status": l.status, "seal": l.seal,
                       "finals": {e: exact_text(v) for e, v in l.finals.items()}} for c, l in linked.items()},
    }
    return zlib.compress(orjson.dumps(doc), 1)


def restore(blob: bytes) -> tuple[Round, dict[str, LinkedRound]]:
    doc: dict[str, Any] = orjson.loads(zlib.decompress(blob))
    rnd = Round.__new__(Round)
    Round.__init__(rnd)
    for name in ("code", "contest", "level", "unit", "period", "theme", "form", "status", "seal", "rules", "links",
                 "promotes_to", "results"):
        setattr(rnd, name, doc[name])
    rnd.publicity = None if doc["publicity"] is None else ev.Publicity(**doc["publicity"])
    rnd.judges = {j: ev.JudgeSeat(j, name, home) for j, name, home in doc["judges"]}
    rnd.entrants = {c: ev.EntrantRecord(c, name, unit, source, status, reason)
                    for c, name, unit, source, status, reason in doc["entrants"]}
    rnd.recusals = {(j, e): reason for j, e, reason in doc["recusals"]}
    for sheet, judge, entrant, marks, ref, history, voided, log in doc["sheets"]:
        rnd.sheets[sheet] = ev.SheetRecord(sheet, judge, entrant, marks, ref, history, voided, log)
        if not voided:
            rnd.live[(judge, entrant)] = sheet
    rnd.adjustments = {i: ev.AdjustmentRecord(i, e, p, r, revoked) for i, e, p, r, revoked in doc["adjustments"]}
    rnd.inputs = {(e, c): (v, n) for e, c, v, n in doc["inputs"]}
    rnd.appeals = {a["id"]: ev.AppealRecord(**a) for a in doc["appeals"]}
    linked = {c: LinkedRound(c, l["round"], l["status"], l["seal"],
                             {e: from_exact_text(v) for e, v in l["finals"].items()}) for c, l in doc["linked"].items()}
    return rnd, linked
