"""Leitai's benchmark: ``make bench`` (or ``python -m bench``).

For each scale (a county-year, a county-year at four times the organizations, a
province-year of forty counties) it generates a synthetic history with the real
aggregates, loads it into a fresh SQLite file and a fresh PostgreSQL database, and
measures, on the same rows, in the same run:

* raw read       - read every row and decode its JSON (the ceiling);
* library read   - the eventsourcing recorder and mapper (events as objects);
* library batch  - a hand-batched loop on the library: pages of 1,000, one write per page;
* library runner - the library's ProjectionRunner, one transaction per event (PostgreSQL);
* rebuild        - Leitai's full rebuild of every read model (peak memory of its process);
* replay         - what-if replay of a contest under changed rules;
* live lag       - a sheet recorded -> visible on the leaderboard, with a projector running.

Then (``--part hall``) 8 and 32 judges submitting sheets to one round at once, through
the application service and through the library's plain get-and-save path
(bench/concurrency.py), and (``--part startup``) the wall time of `leitai board` beside
the interpreter's own start-up (bench/startup.py), and (``--part http``) the HTTP
service under load on PostgreSQL - ``leitai serve`` as a process of its own, judges
submitting sheets, viewers reading a live board, 200 listeners on its event stream -
beside the bare request and the library's get-and-save path (bench/http.py).

It prints the figures with ratios to the baselines, checks them against the goals,
and writes them as JSON to bench/results/latest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import psycopg

from bench import measure
from bench.load import load_rows, stored_rows
from bench.synth import COUNTY_YEAR, COUNTY_YEAR_X4, PROVINCE_YEAR, Shape, histories
from domain.services.store import StoreURL, parse_url

SHAPES = {"county": COUNTY_YEAR, "county-x4": COUNTY_YEAR_X4, "province": PROVINCE_YEAR}
GOALS = {"rebuild_rate": 150_000, "lag_p99_ms": 50.0, "replay_seconds": 2.0,
         "hall_rate_postgresql": 300, "hall_p99_ms": 50.0, "startup_seconds": 0.3}
RESULTS = Path(__file__).resolve().parent / "results"


def postgres_server() -> tuple[str, str, Any]:
    """(admin URL, description, stop) of the server to benchmark on."""
    url = os.environ.get("LEITAI_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        with psycopg.connect(parse_url(url).conninfo(), connect_timeout=3) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
        return url, f"PostgreSQL {version} at {parse_url(url).host}:{parse_url(url).port}", lambda: None
    except psycopg.OperationalError:
        from tests.pg import start_throwaway

        server = start_throwaway()
        return server.admin_url, server.description + " (fsync off)", server.stop


class Stores:
    def __init__(self, kinds: list[str]) -> None:
        self.kinds = kinds
        self.admin_url, self.pg_description, self._stop = (postgres_server() if "postgresql" in kinds
                                                           else ("", "", lambda: None))
        self.tmp = Path(tempfile.mkdtemp(prefix="leitai-bench-"))
        self.databases: list[str] = []

    def fresh(self, kind: str) -> tuple[StoreURL, StoreURL | None]:
        if kind == "sqlite":
            return parse_url(f"sqlite:///{self.tmp / uuid.uuid4().hex}.db"), None
        name = f"leitai_bench_{uuid.uuid4().hex[:8]}"
        admin = parse_url(self.admin_url)
        with psycopg.connect(admin.conninfo(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.databases.append(name)
        store = parse_url(admin.url.rsplit("/", 1)[0] + f"/{name}")
        return store, store

    def drop(self, store: StoreURL) -> None:
        if store.kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(store.path + suffix).unlink(missing_ok=True)
            return
        with psycopg.connect(parse_url(self.admin_url).conninfo(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{store.dbname}" WITH (FORCE)')

    def close(self) -> None:
        self._stop()


def run_shape(shape: Shape, stores: Stores, quick: bool) -> list[dict[str, Any]]:
    print(f"\n== {shape.name}: {shape.counties} counties x {shape.organizations} organizations, "
          f"{shape.months} monthly rounds per township, {shape.judges} judges", flush=True)
    started = time.perf_counter()
    rows = stored_rows(histories(shape))
    print(f"   generated {len(rows):,} events with the aggregates in {time.perf_counter() - started:.1f}s", flush=True)
    out = []
    for kind in stores.kinds:
        store, admin = stores.fresh(kind)
        try:
            seconds = load_rows(store, rows, admin)
            print(f"   [{kind}] loaded in {seconds:.1f}s", flush=True)
            out.append(measure_store(shape, store, len(rows), quick))
        finally:
            stores.drop(store)
    return out


def measure_store(shape: Shape, store: StoreURL, events: int, quick: bool) -> dict[str, Any]:
    kind = store.kind
    r: dict[str, Any] = {"shape": shape.name, "store": kind, "events": events}
    r["raw_read"] = measure.raw_read(store)
    limit = 200_000
    r["library_read"] = measure.library_read(store, limit)
    r["library_batched"] = measure.library_batched(store, limit)
    r["library_runner"] = measure.library_runner(store, 2_000 if quick else 5_000)
    repeats = 1 if shape.counties > 1 else (3 if quick or shape is COUNTY_YEAR_X4 else 5)
    r["rebuild"] = measure.rebuild(store, repeats)
    if shape.counties == 1:
        r["replay_seconds"], r["replay_events"], r["replay_changed"] = measure.replay_seconds(store, "bench-C01")
    if shape is COUNTY_YEAR:
        r["lag"] = measure.live_lag(store, "bench-C01", samples=60 if quick else 280)
    report_store(r)
    return r


def fmt(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:>11,.0f}/s"


def report_store(r: dict[str, Any]) -> None:
    rb = r["rebuild"]
    print(f"   [{r['store']}] raw read (cursor + orjson) {fmt(r['raw_read'])}")
    print(f"   [{r['store']}] library read (recorder + mapper) {fmt(r['library_read'])}")
    print(f"   [{r['store']}] library, hand-batched loop {fmt(r['library_batched'])}")
    print(f"   [{r['store']}] library ProjectionRunner {fmt(r['library_runner'])}")
    ratios = [f"{rb['rate'] / r['raw_read']:.2f}x raw read", f"{rb['rate'] / r['library_batched']:.1f}x hand-batched"]
    if r["library_runner"]:
        ratios.append(f"{rb['rate'] / r['library_runner']:.0f}x ProjectionRunner")
    phases = ", ".join(f"{k} {v:.2f}s" for k, v in rb["phases"].items())
    runs = "" if len(rb["rates"]) == 1 else f" (median of {len(rb['rates'])} runs: {', '.join(f'{x:,}' for x in rb['rates'])})"
    print(f"   [{r['store']}] Leitai rebuild {fmt(rb['rate'])}{runs}")
    print(f"   [{r['store']}]     = {'; '.join(ratios)}; {rb['rows']:,} rows in {rb['seconds']:.2f}s [{phases}], "
          f"peak memory {rb['peak_rss_mb']:.0f} MB")
    if "replay_seconds" in r:
        print(f"   [{r['store']}] replay of the contest: {r['replay_seconds']:.2f}s for {r['replay_events']:,} events "
              f"({r['replay_changed']} results would change)")
    if "lag" in r:
        lag = r["lag"]
        print(f"   [{r['store']}] live lag over {lag['samples']} sheets: p50 {lag['p50_ms']:.1f} ms, "
              f"p95 {lag['p95_ms']:.1f} ms, p99 {lag['p99_ms']:.1f} ms, max {lag['max_ms']:.1f} ms")
    sys.stdout.flush()


def summary(results: list[dict[str, Any]]) -> list[str]:
    lines = ["", "== goals"]
    for r in results:
        verdict = "met" if r["rebuild"]["rate"] >= GOALS["rebuild_rate"] else "NOT met"
        lines.append(f"   rebuild >= {GOALS['rebuild_rate']:,}/s  {r['shape']:<15} {r['store']:<10} "
                     f"{r['rebuild']['rate']:>9,.0f}/s  {verdict}")
    for r in results:
        if "lag" in r:
            verdict = "met" if r["lag"]["p99_ms"] <= GOALS["lag_p99_ms"] else "NOT met"
            lines.append(f"   lag p99 <= {GOALS['lag_p99_ms']:.0f} ms    {r['shape']:<15} {r['store']:<10} "
                         f"{r['lag']['p99_ms']:>9.1f} ms  {verdict}")
    for r in results:
        if "replay_seconds" in r:
            verdict = "met" if r["replay_seconds"] <= GOALS["replay_seconds"] else "NOT met"
            lines.append(f"   replay <= {GOALS['replay_seconds']:.0f} s       {r['shape']:<15} {r['store']:<10} "
                         f"{r['replay_seconds']:>9.2f} s ({r['replay_events']:,} events)  {verdict}")
    return lines


def run_hall(stores: Stores, quick: bool) -> list[dict[str, Any]]:
    from bench import concurrency

    print("\n== the scoring hall: judges submitting sheets to one round at once", flush=True)
    out = []
    entrants = 20 if quick else 60
    for kind in stores.kinds:
        for writers in (8, 32):
            for path in ("leitai", "library"):
                store, _ = stores.fresh(kind)
                try:
                    import migrations

                    migrations.migrate(store)
                    r = concurrency.run(store, writers, entrants, path, time_limit=15 if quick else 30)
                finally:
                    stores.drop(store)
                r["store"] = kind
                out.append(r)
                print(f"   [{kind}] {writers:>2} writers, {path:<7}: {r['sheets']:>5} sheets in {r['seconds']:6.2f}s = "
                      f"{r['rate']:>7,.0f}/s, p50 {r['p50_ms']:6.1f} ms, p99 {r['p99_ms']:7.1f} ms, "
                      f"{r['retries']:>4} retries, {r['conflicts']:>3} conflicts reported"
                      + ("" if r["complete"] else f" (stopped at the time limit)")
                      + (f", {r['batches']} batches" if r["batches"] else ""), flush=True)
            mine = next(x for x in out if (x["store"], x["writers"], x["path"]) == (kind, writers, "leitai"))
            base = next(x for x in out if (x["store"], x["writers"], x["path"]) == (kind, writers, "library"))
            print(f"   [{kind}] {writers:>2} writers: Leitai {mine['rate'] / base['rate']:.0f}x the library path's "
                  "rate", flush=True)
    return out


def run_startup() -> dict[str, Any]:
    from bench import startup

    print("\n== start-up: `leitai board R-WS-FINAL-2025` on the example, a new process each time", flush=True)
    r = startup.run()
    s = r["seconds"]
    print(f"   board {s['board']:.3f}s (median of {r['runs']}); python -c pass {s['python']:.3f}s "
          f"(board = {r['board_vs_python']:.1f}x the bare interpreter); python importing eventsourcing "
          f"{s['python_eventsourcing']:.3f}s", flush=True)
    return r


def hall_summary(hall: list[dict[str, Any]], start: dict[str, Any] | None) -> list[str]:
    lines = []
    for r in hall:
        if r["path"] != "leitai":
            continue
        goals = [r["conflicts"] == 0, r["p99_ms"] <= GOALS["hall_p99_ms"]]
        if r["store"] == "postgresql":
            goals.append(r["rate"] >= GOALS["hall_rate_postgresql"])
        lines.append(f"   hall: 0 conflicts, p99 <= {GOALS['hall_p99_ms']:.0f} ms"
                     + (f", >= {GOALS['hall_rate_postgresql']}/s" if r["store"] == "postgresql" else "")
                     + f"  {r['writers']:>2} writers {r['store']:<10} {r['conflicts']} conflicts, "
                     f"{r['p99_ms']:.1f} ms, {r['rate']:,.0f}/s  {'met' if all(goals) else 'NOT met'}")
    if start is not None:
        board = start["seconds"]["board"]
        lines.append(f"   start-up of `leitai board` <= {GOALS['startup_seconds']} s  {board:.3f} s  "
                     f"{'met' if board <= GOALS['startup_seconds'] else 'NOT met'}")
    return lines


def run_http(stores: Stores, quick: bool) -> tuple[dict[str, Any] | None, list[str]]:
    from bench import http

    if "postgresql" not in stores.kinds:
        return None, []
    print("\n== the HTTP service under load (leitai serve on PostgreSQL, loopback)"
          + ("" if http.WRK else "; wrk is not installed: the Python load generator reads the board"), flush=True)
    store, _ = stores.fresh("postgresql")
    try:
        import migrations

        migrations.migrate(store)
        r = http.run(store, seconds=5.0 if quick else 10.0)
    finally:
        stores.drop(store)
    return r, http.report(r)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=["county", "county-x4", "province", "all"], default="all")
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--part", default="rebuild,hall,startup,http",
                        help="what to run: rebuild (the read side at scale), hall (concurrent judges), startup, "
                             "http (the served API under load, PostgreSQL only)")
    parser.add_argument("--quick", action="store_true", help="fewer samples (CI smoke run)")
    args = parser.parse_args()
    parts = {p.strip() for p in args.part.split(",")}
    shapes = list(SHAPES.values()) if args.scale == "all" else [SHAPES[args.scale]]
    stores = Stores([k.strip() for k in args.stores.split(",")])
    print(f"Leitai benchmark, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}"
          + (f", {stores.pg_description}" if stores.pg_description else ""))
    results: list[dict[str, Any]] = []
    hall: list[dict[str, Any]] = []
    start = None
    web: dict[str, Any] | None = None
    web_lines: list[str] = []
    try:
        if "rebuild" in parts:
            for shape in shapes:
                results += run_shape(shape, stores, args.quick)
        if "hall" in parts:
            hall = run_hall(stores, args.quick)
        if "startup" in parts:
            start = run_startup()
        if "http" in parts:
            web, web_lines = run_http(stores, args.quick)
    finally:
        stores.close()
    lines = summary(results) + hall_summary(hall, start) + web_lines
    print("\n".join(lines))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps({"results": results, "hall": hall, "startup": start, "http": web,
                                                     "postgres": stores.pg_description},
                                                    indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
