"""The measurements, each on the same rows of the same store."""

from __future__ import annotations

import json
import random
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import orjson

from domain.model.base import Actor
from domain.rules.ruleset import parse_ruleset
from domain.services.app import Leitai
from domain.services.setup import RoundSpec
from domain.services.store import StoreURL, application_env
from projections.queries import ReadModels
from projections.replay import Selection, replay
from projections.source import EventSource
from projections.verify import fold_store

from bench.synth import RULES_TEXT

ROOT = Path(__file__).resolve().parents[1]
LEITAI = str(Path(sys.executable).parent / "leitai")


def raw_read(store: StoreURL) -> float:
    """Read every row and decode its JSON, nothing else: the ceiling."""
    source = EventSource(store)
    started = time.perf_counter()
    count = 0
    loads = orjson.loads
    for rows in source.scan():
        for row in rows:
            loads(row[4])
        count += len(rows)
    source.close()
    return count / (time.perf_counter() - started)


def _pages(app: Leitai, size: int, limit: int | None) -> Any:
    """The library's own reading: pages of notifications from its recorder."""
    count, position = 0, 1
    while page := app.recorder.select_notifications(position, size):
        yield page
        count += len(page)
        position = page[-1].id + 1
        if limit and count >= limit:
            return


def library_read(store: StoreURL, limit: int | None = None) -> float:
    """The library's own path: recorder.select_notifications + mapper.to_domain_event."""
    app = Leitai(env=application_env(store))
    started = time.perf_counter()
    count = 0
    for page in _pages(app, 10_000, limit):
        for n in page:
            app.mapper.to_domain_event(n)
        count += len(page)
    seconds = time.perf_counter() - started
    app.close()
    return count / seconds


def library_batched(store: StoreURL, limit: int | None = None) -> float:
    """A hand-batched loop on the library: decode each page of 1,000 events with the
    mapper, count events per aggregate, write the counts and the position in one
    transaction per page (what a careful user of the library would write)."""
    import psycopg
    import sqlite3

    app = Leitai(env=application_env(store))
    if store.kind == "sqlite":
        conn: Any = sqlite3.connect(store.path, isolation_level=None)
        conn.execute("CREATE TABLE IF NOT EXISTS bench_counts (aggregate TEXT PRIMARY KEY, events INTEGER)")
        conn.execute("CREATE TABLE IF NOT EXISTS bench_tracking (position INTEGER)")
        mark = "?"
    else:
        conn = psycopg.connect(store.conninfo(), autocommit=True)
        conn.execute("CREATE TABLE IF NOT EXISTS bench_counts (aggregate text PRIMARY KEY, events bigint)")
        conn.execute("CREATE TABLE IF NOT EXISTS bench_tracking (position bigint)")
        mark = "%s"
    upsert = (f"INSERT INTO bench_counts VALUES ({mark}, {mark}) ON CONFLICT (aggregate) "
              "DO UPDATE SET events = bench_counts.events + excluded.events")
    started = time.perf_counter()
    count = 0
    for page in _pages(app, 1_000, limit):
        counts = Counter(str(app.mapper.to_domain_event(n).originator_id) for n in page)
        if store.kind == "sqlite":
            conn.execute("BEGIN")
            conn.executemany(upsert, list(counts.items()))
            conn.execute(f"INSERT INTO bench_tracking VALUES ({mark})", (page[-1].id,))
            conn.execute("COMMIT")
        else:
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(upsert, list(counts.items()))
                cur.execute(f"INSERT INTO bench_tracking VALUES ({mark})", (page[-1].id,))
        count += len(page)
    seconds = time.perf_counter() - started
    conn.close()
    app.close()
    return count / seconds


def library_runner(store: StoreURL, events: int) -> float | None:
    """The library's ProjectionRunner (one transaction per event) on the first ``events``
    events; PostgreSQL only (the library's SQLite recorder has no subscriptions)."""
    if store.kind != "postgresql":
        return None
    from eventsourcing.dispatch import singledispatchmethod
    from eventsourcing.persistence import Tracking
    from eventsourcing.postgres import PostgresTrackingRecorder
    from eventsourcing.projection import Projection, ProjectionRunner

    class CountingView(PostgresTrackingRecorder):
        def __init__(self, datastore: Any, **kwargs: Any) -> None:
            super().__init__(datastore, **kwargs)
            from psycopg.sql import SQL

            self.sql_create_statements.append(SQL(
                "CREATE TABLE IF NOT EXISTS bench_runner_counts (aggregate text PRIMARY KEY, events bigint)"))

        def count(self, aggregate: str, tracking: Tracking) -> None:
            with self.datastore.transaction(commit=True) as curs:
                curs.execute("INSERT INTO bench_runner_counts VALUES (%s, 1) ON CONFLICT (aggregate) "
                             "DO UPDATE SET events = bench_runner_counts.events + 1", (aggregate,))
                self._insert_tracking(curs, tracking)

    class CountingProjection(Projection[CountingView]):
        name = "bench_counting"

        @singledispatchmethod
        def process_event(self, domain_event: Any, tracking: Tracking) -> None:
            self.view.count(str(domain_event.originator_id), tracking)

    env = {**application_env(store), "CREATE_TABLE": "y", "POSTGRES_ENABLE_DB_FUNCTIONS": "y"}
    env["BENCH_COUNTING_CREATE_TABLE"] = "y"
    started = time.perf_counter()
    with ProjectionRunner(application_class=Leitai, projection_class=CountingProjection, view_class=CountingView,
                          env=env) as runner:
        runner.wait(events, timeout=600)
        seconds = time.perf_counter() - started
    return events / seconds


def rebuild(store: StoreURL, repeats: int = 1) -> dict[str, Any]:
    """Full rebuilds, each in a separate process (so peak memory is its own); returns the
    run with the median rate, and every rate."""
    runs = []
    for _ in range(repeats):
        done = subprocess.run([sys.executable, "-m", "bench.child", "rebuild", store.url],
                              capture_output=True, text=True, cwd=ROOT, timeout=3600)
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    runs.sort(key=lambda r: r["rate"])
    median = dict(runs[len(runs) // 2])
    median["rates"] = [round(r["rate"]) for r in runs]
    return median


def replay_seconds(store: StoreURL, contest: str) -> tuple[float, int, int]:
    """What-if replay of one contest under changed rules (trim 2 instead of 1)."""
    rules = parse_ruleset(RULES_TEXT.replace("version = 1", "version = 2").replace(
        'method = "trimmed_mean"', 'method = "trimmed_mean"\ntrim = 2').replace("min_judges = 5", "min_judges = 7"))
    started = time.perf_counter()
    source = EventSource(store)
    folder = fold_store(source)
    source.close()
    report = replay(folder, rules, Selection(contest=contest))
    return time.perf_counter() - started, folder.events, report["summary"]["entrants_changed"]


def live_lag(store: StoreURL, contest: str, samples: int = 200, pace: float = 0.02) -> dict[str, float]:
    """From a sheet being recorded to the leaderboard showing it, with a projector
    process running: record sheets one by one and wait for each to be projected."""
    app = Leitai(env=application_env(store))
    county = contest.split("-")[1]
    admin = Actor("bench", "admin")
    c = app.read(lambda s: s.contest(contest))
    unit = sorted(u for u in c.units if u != county)[0]
    judges = sorted(c.judges)[:7]
    code = f"R-LIVE-{int(time.time())}"
    app.schedule_round(contest, RoundSpec(code, "township", unit, "2025-12", "bench-township@1", judges=tuple(judges)),
                       admin)
    app.open_round(code, admin)
    entrants = sorted(app.ranking(code)[0].entrants)
    projector = subprocess.Popen([LEITAI, "--db", store.url, "projections", "run"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    read = ReadModels(store)
    try:
        source = EventSource(store)
        if not read.wait_for(source.last_position(), timeout=600):
            raise RuntimeError("the projector did not catch up")
        source.close()
        rng = random.Random(3)
        lags = []
        pairs = [(j, e) for e in entrants for j in judges][:samples]
        for judge, entrant in pairs:
            marks = {c: f"{rng.randint(100, 140) / 10 * m / 15:.1f}" for c, m in
                     (("party", 30), ("industry", 25), ("ecology", 15), ("culture", 15), ("governance", 15))}
            outcome = app.execute(lambda s, j=judge, e=entrant, m=marks: s.submit_sheet(code, j, e, m,
                                                                                    Actor(j, "judge")))
            recorded = time.perf_counter()
            if not read.wait_for(outcome.position, timeout=10):
                raise RuntimeError("a sheet was not projected within 10 s")
            lags.append((time.perf_counter() - recorded) * 1000)
            time.sleep(pace)
        board = read.leaderboard(code)
        assert board["sheets_in"] == len(pairs), board["sheets_in"]
    finally:
        projector.send_signal(signal.SIGTERM)
        try:
            projector.wait(timeout=30)
        except subprocess.TimeoutExpired:
            projector.kill()
        read.close()
        app.close()
    lags.sort()
    return {"samples": len(lags), "p50_ms": statistics.median(lags), "p95_ms": lags[int(0.95 * len(lags)) - 1],
            "p99_ms": lags[int(0.99 * len(lags)) - 1], "max_ms": lags[-1]}
