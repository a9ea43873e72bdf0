"""A province on one machine (issue 17, item 6), measured: ``--part province``.

tests/province.py runs the contest day (3 PostgreSQL clusters of its own holding the county
databases, every county behind nginx+nchan with its listeners, C01 on 3 servers and 2
nginx nodes sharing channels through Redis with public reads from a standby that lags,
judges scoring everywhere at once while a server and then the projector's host are
killed, a city admitting 4 counties' finalists with proof); the test
(tests/e2e/test_province.py) runs the small shape, this part a larger one.

Figures, each beside its baseline from the same run:

* a sheet to every listener (the judge's 201 -> the first board at or after the sheet's
  position at each listener): in C01, through the kills, beside the other counties (one
  server each, nothing killed);
* the projector's takeover after its host was killed (until the server left says it
  leads) beside the same baseline's p99;
* the listeners of the killed nginx node: how long after their new stream was answered
  until each held a current board (goal: <= 2 s);
* nothing lost: every sheet sent recorded once, every listener on its county's final board
  byte for byte, no read naming a position older than its write, every city admission
  verified offline (goal: no problem at all).

The full shape: 12 counties, 5 judges, 15 entrants (C01: 40), 400 listeners per county
final (C01: 400 on each node); ``--quick``: 6 counties, few listeners.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any


def run(quick: bool) -> dict[str, Any]:
    from tests import province

    folder = Path(tempfile.mkdtemp(prefix="leitai-bench-province-"))
    try:
        return province.simulate(province.QUICK if quick else province.FULL, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def report(r: dict[str, Any], verdict: Any, check: bool) -> list[str]:
    from tests.province import STALE_S, TAKEOVER_S

    base = r["sheet_to_listener_others_p99_ms"]

    def ratio(value: float) -> str:
        return f"{value / base:.1f}x" if base else "n/a"

    print(f"   {r['counties']} counties on {r['clusters']} clusters, {r['servers']} servers, {r['listeners']:,} listeners, "
          f"{r['sheets']:,} sheets in {r['day_s']:.1f} s; sent again after a failure: {r['attempts_failed'] or 'none'}; "
          f"the longest a judge waited for a sheet's answer: {r['longest_wait_C01_s']:.1f} s in C01, "
          f"{r['longest_wait_others_s']:.1f} s elsewhere (baseline)")
    print(f"   a sheet to every listener, C01 through the kills: p50 {r['sheet_to_listener_C01_p50_ms']:.0f} ms, p99 "
          f"{r['sheet_to_listener_C01_p99_ms']:.0f} ms ({ratio(r['sheet_to_listener_C01_p99_ms'])}), max "
          f"{r['sheet_to_listener_C01_max_ms']:.0f} ms; the other counties (baseline): p50 "
          f"{r['sheet_to_listener_others_p50_ms']:.0f} ms, p99 {base:.0f} ms")
    print(f"   projector takeover after its host's kill: {r['takeover_s'] * 1000:.0f} ms ({ratio(r['takeover_s'] * 1000)} "
          f"the baseline p99); {r['reconnected']} listeners of the killed nginx node held a current board within "
          f"{r['catch_up_max_s'] * 1000:.0f} ms of reconnecting; the standby lagged up to {r['replica_behind_max']} "
          "events")
    print(f"   the city: {r['city_admitted']} finalists from {', '.join(r['city_sources'])} admitted by URL with proof in "
          f"{r['city_admit_s']:.1f} s; {r['city_admissions_verified']} admissions verified offline in "
          f"{r['city_verify_s']:.2f} s")
    for problem in r["problems"]:
        print(f"   PROBLEM: {problem}")
    return [f"   province: nothing lost (sheets, boards, reads, admissions): {len(r['problems'])} problems  "
            f"{verdict(not r['problems'], check)}",
            f"   province: projector takeover <= {TAKEOVER_S:g} s: {r['takeover_s']:.2f} s  "
            f"{verdict(r['takeover_s'] <= TAKEOVER_S, check)}",
            f"   province: a reconnected listener current within {STALE_S:g} s: worst {r['catch_up_max_s']:.2f} s  "
            f"{verdict(r['catch_up_max_s'] <= STALE_S, check)}"]


def part(quick: bool, verdict: Any) -> tuple[dict[str, Any], list[str]]:
    """`python -m bench --part province`: its own PostgreSQL clusters, nginx and Redis."""
    print("\n== a province on one machine: 3 clusters, county deployments, kills, a lagging standby, a city"
          + (" (quick)" if quick else ""), flush=True)
    r = run(quick)
    return r, report(r, verdict, check=not quick)
