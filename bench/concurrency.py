"""Judges who never collide: many writers submitting sheets to one round at once.

Each writer is one judge submitting a sheet for every entrant of the round, as fast as
it can (a closed loop: the next sheet when the last one is answered), so every judge
presses "submit" within the same seconds.  Measured on the same store, in the same run:

* Leitai    - the application service (``Leitai.execute``): commands queue, one writer
              runs them in order on cached aggregates and saves each batch in one
              transaction (group commit);
* library   - the plain eventsourcing path, what each command did before: load the round
              from the store (``repository.get``), call the aggregate, save, and on a
              version collision load again and retry (up to 8 times, then report a
              conflict to the user), as in the library's own examples.

Figures: sheets/s, latency p50/p99 per sheet, retries, conflicts reported to users.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import IntegrityError

from domain.ids import round_id
from domain.model.base import Actor
from domain.services.app import Leitai
from domain.services.setup import RoundSpec
from domain.services.store import StoreURL, application_env

RULES = """
code = "bench-hall"
version = 1
[[criteria]]
code = "party"
max = 30
[[criteria]]
code = "industry"
max = 20
[panel]
method = "trimmed_mean"
min_judges = 3
"""
ADMIN = Actor("bench", "admin")
ATTEMPTS = 8


def setup(store: StoreURL, judges: int, entrants: int, code: str) -> None:
    app = Leitai(env=application_env(store))
    try:
        app.register_ruleset(RULES, "hall.toml", ADMIN)

        def contest(s: Any) -> None:
            s.create_contest("hall", "bench", ["township", "county"], ADMIN)
            s.add_unit("hall", "C", "县", "county", None, ADMIN)
            s.add_unit("hall", "T", "镇", "township", "C", ADMIN)
            for j in range(judges):
                s.register_judge("hall", f"J{j:02d}", f"评委{j}", "C", "", ADMIN)
            for e in range(entrants):
                s.register_organization("hall", f"O{e:03d}", f"村{e}", "T", "village", "", "书记", ADMIN)

        app.run(contest)
        app.schedule_round("hall", RoundSpec(code, "township", "T", "2025-06", "bench-hall",
                                             judges=tuple(f"J{j:02d}" for j in range(judges))), ADMIN)
        app.open_round(code, ADMIN)
    finally:
        app.close()


def _marks(judge: int, entrant: int) -> dict[str, str]:
    return {"party": f"{20 + (judge * 7 + entrant) % 10}.5", "industry": f"{10 + (judge + entrant * 3) % 10}"}


def run(store: StoreURL, writers: int, entrants: int, path: str, time_limit: float = 30.0) -> dict[str, Any]:
    """``writers`` judges submitting ``entrants`` sheets each to a fresh round."""
    code = f"R-HALL-{path.upper()}-{writers}-{int(time.time() * 1000) % 100000}"
    setup(store, writers, entrants, code)
    apps = [Leitai(env=application_env(store))]  # one application in one server process, as in `leitai serve`
    latencies: list[float] = []
    conflicts = [0]
    retries = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + time_limit
    submit = _leitai_submit if path == "leitai" else _library_submit

    def writer(index: int) -> None:
        app = apps[0]
        judge = f"J{index:02d}"
        for e in range(entrants):
            if time.perf_counter() > deadline:
                return
            started = time.perf_counter()
            outcome = submit(app, code, judge, f"O{e:03d}", _marks(index, e))
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                retries[0] += outcome[0]
                conflicts[0] += outcome[1]

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    batches = apps[0].batches if path == "leitai" else None
    apps[0].close()
    latencies.sort()
    done = len(latencies) - conflicts[0]
    return {"path": path, "writers": writers, "sheets": done, "seconds": round(seconds, 3),
            "rate": done / seconds if seconds else 0.0,
            "p50_ms": 1000 * statistics.median(latencies) if latencies else None,
            "p99_ms": 1000 * latencies[max(0, int(0.99 * len(latencies)) - 1)] if latencies else None,
            "retries": retries[0], "conflicts": conflicts[0], "batches": batches,
            "complete": len(latencies) == writers * entrants}


def _leitai_submit(app: Leitai, code: str, judge: str, entrant: str, marks: dict[str, str]) -> tuple[int, int]:
    before = app.conflicts
    try:
        app.submit_sheet(code, judge, entrant, marks, Actor(judge, "judge"))
    except Exception as error:  # noqa: BLE001 - a conflict reported to the user is what is counted
        if type(error).__name__ == "ConcurrencyConflict":
            return app.conflicts - before, 1
        raise
    return app.conflicts - before, 0


def _library_submit(app: Leitai, code: str, judge: str, entrant: str, marks: dict[str, str]) -> tuple[int, int]:
    """The library's own get-and-save path, with retries on a version collision."""
    rules: Callable[[Any], Any] = app.read(lambda s: s.rules)
    for attempt in range(1, ATTEMPTS + 1):
        rnd = app.repository.get(round_id(code))
        rnd.submit_sheet(rules(rnd.rules), judge, entrant, marks, Actor(judge, "judge"))
        try:
            app.save(rnd)
        except IntegrityError:
            if attempt == ATTEMPTS:
                return attempt - 1, 1
            time.sleep(0.001 * attempt)
            continue
        return attempt - 1, 0
    raise AssertionError("unreachable")
