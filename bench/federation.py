"""市级联动 (issue 17 item 4): a city admission with proofs verified offline, per finalist.

A county (a fresh SQLite store with its own key in the bench's temporary directory) plays a
round of ``entrants`` organizations to its end and exports it (``leitai federation
export``); the city registers it and checks the export as ``leitai federation admit`` does
(the head's signature, the Finalized event's inclusion, each finalist's EntrantAdmitted
inclusion, the ranking's copy, consistency with the head seen before - a later head of the
county, so a consistency proof is checked too), with nothing but the texts and the key.

The figure is the check's time divided by the finalists it admits; the baseline, measured
in the same run, is one Ed25519 verification of the county's signed head (what any check of
a signed result costs at least).  Goal: <= 100 ms per finalist.
"""

from __future__ import annotations

import json
import statistics
import time
from datetime import date
from pathlib import Path
from typing import Any

GOAL_MS = 100.0
RULES = """
code = "county"
version = 1
[[criteria]]
code = "speech"
max = 100
"""


def county(tmp: Path, entrants: int) -> tuple[Any, dict[str, Any], dict[str, Any], str]:
    """(the county's app, an earlier head seen by the city, the export, the consistency proof)."""
    from domain.checkpoint import Note, b64
    from domain.model.base import Actor
    from domain.services.app import Leitai
    from domain.services.clock import FixedClock
    from domain.services.setup import RoundSpec
    from domain.services.store import application_env, parse_url
    from api.wiring import ensure_migrated, open_store
    from eventstore.signing import HeadSigner
    from eventstore.tree import TreeStore
    from projections.federation import build_export
    from projections.queries import ReadModels
    from projections.runner import Projector

    admin = Actor("bench", "admin")
    url = f"sqlite:///{tmp / 'county.db'}"
    store = open_store(url, create=True)
    ensure_migrated(store, writing=True)
    clock = FixedClock("2025-05-20T09:00")
    app = Leitai(env=application_env(store), clock=clock, store=store,
                 signer=HeadSigner(tmp / "county-key.pem", TreeStore(parse_url(url))))
    app.register_ruleset(RULES, "county.toml", admin)
    app.create_contest("c", "县级比武", ["township", "county"], admin)
    app.add_unit("c", "C", "某县", "county", None, admin)
    app.add_unit("c", "T1", "一镇", "township", "C", admin)
    judges = ("J1", "J2", "J3")
    for code in judges:
        app.register_judge("c", code, f"评委{code}", "C", "", admin)
    codes = [f"O{n:03d}" for n in range(1, entrants + 1)]
    for code in codes:
        app.register_organization("c", code, f"村{code}", "T1", "village", "", f"书记{code}", admin)
    app.schedule_round("c", RoundSpec("R1", "township", "T1", "2025-05", "county", judges=judges), admin)
    app.open_round("R1", admin)
    for n, code in enumerate(codes):
        for j in judges:
            app.submit_sheet("R1", j, code, {"speech": str(50 + (n * 7 + len(j)) % 50)}, Actor(j, "judge"))
    app.close_round("R1", admin)
    app.publish("R1", admin, on=date(2025, 5, 20))
    seen = app.sign_head(["bench"]).value
    clock.set("2025-06-16T09:00")
    app.finalize("R1", admin)
    projector = Projector(store)
    try:
        projector.load()
        projector.catch_up()
    finally:
        projector.close()
    read = ReadModels(store)
    try:
        export = build_export(read, "R1")
        proof = read.consistency_proof(seen.size, export["size"])
    finally:
        read.close()
    note = Note.parse(seen.note)
    return app, {"size": seen.size, "root": b64(note.checkpoint.root), "checkpoint": seen.note, "seq": 1}, export, proof


def run(tmp: Path, quick: bool) -> dict[str, Any]:
    from domain.checkpoint import Note, VerifierKey
    from eventstore.notes import log_key, verify_note
    from projections.federation import check_export, choose_rows

    entrants = 12 if quick else 60
    folder = tmp / "federation"
    folder.mkdir(parents=True, exist_ok=True)
    app, seen, export, proof = county(folder, entrants)
    app.close()
    text = json.dumps(export, ensure_ascii=False)
    source = {"code": "HY", "name": "海阳县", "origin": export["origin"], "vkey": export["vkey"], "url": "",
              "heads": [seen]}
    key = VerifierKey.parse(export["vkey"])
    note = Note.parse(export["checkpoint"])
    rounds = 5 if quick else 20
    per_finalist, baseline = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        checked = check_export(json.loads(text), source, choose_rows(entrants), proof)  # as read from the file
        per_finalist.append((time.perf_counter() - started) * 1000 / len(checked.admission["entrants"]))
        started = time.perf_counter()
        assert verify_note(note, [log_key(note.checkpoint.origin, key.public)]).ok
        baseline.append((time.perf_counter() - started) * 1000)
    r = {"entrants": entrants, "size": export["size"], "export_bytes": len(text.encode("utf-8")),
         "per_finalist_ms": statistics.median(per_finalist), "signature_ms": statistics.median(baseline),
         "samples": rounds}
    r["ratio"] = r["per_finalist_ms"] / r["signature_ms"]
    print(f"   federation: a county round of {entrants} finalists (log of {r['size']} events, export "
          f"{r['export_bytes']:,} bytes) checked offline in {r['per_finalist_ms']:.3f} ms per finalist (median of "
          f"{rounds}); baseline one signature check of the head {r['signature_ms']:.3f} ms = {r['ratio']:.1f}x",
          flush=True)
    return r


def summary(r: dict[str, Any], verdict: Any, check: bool) -> list[str]:
    return [f"   federation: admission verified offline <= {GOAL_MS:.0f} ms per finalist, {r['entrants']} finalists  "
            f"{r['per_finalist_ms']:.3f} ms vs one signature check {r['signature_ms']:.3f} ms = {r['ratio']:.1f}x  "
            f"{verdict(r['per_finalist_ms'] <= GOAL_MS, check)}"]
