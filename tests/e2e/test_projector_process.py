"""A projection process killed in the middle of a batch resumes exactly where it
stopped: no event applied twice, none skipped (the per-round event counters only ever
increase by what a committed batch applied, so a double application would show)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from domain.services.store import parse_url
from projections.fold import Folder
from projections.queries import ReadModels
from projections.runner import Projector
from projections.source import EventSource
from projections.tables import ROUNDS, TABLES
from tests.integration.test_stores import run_example

LEITAI = str(Path(sys.executable).parent / "leitai")
BATCH = 40


def start(url: str, pause: int | None = None) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env.pop("LEITAI_PROJECTOR_PAUSE_BATCH", None)
    if pause:
        env["LEITAI_PROJECTOR_PAUSE_BATCH"] = str(pause)
    return subprocess.Popen([LEITAI, "--db", url, "projections", "run", "--batch-size", str(BATCH)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_for_line(process: subprocess.Popen[str], text: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()  # type: ignore[union-attr]
        if text in line:
            return
        if not line and process.poll() is not None:
            raise AssertionError(f"projector exited: {process.stderr.read()}")  # type: ignore[union-attr]
    raise AssertionError(f"no {text!r} within {timeout}s")


def true_counts(url: str) -> Counter[str]:
    folder = Folder()
    source = EventSource(parse_url(url))
    for rows in source.scan():
        folder.apply_rows(rows)
    source.close()
    return folder.round_events


def table_contents(read: ReadModels, generation: int) -> dict[str, list[tuple]]:
    conn = read.store.connection()
    return {t.name: sorted(tuple(r) for r in conn.execute(f"SELECT * FROM {t.physical(generation)}").fetchall())
            for t in TABLES}


@pytest.mark.slow
def test_a_projector_killed_mid_batch_resumes_without_double_or_missing_events(app, store_url, clock):
    run_example(app, clock)
    last = EventSource(parse_url(store_url)).last_position()
    assert last > 10 * BATCH

    first = start(store_url, pause=5)
    wait_for_line(first, "PAUSED IN BATCH 5")
    first.send_signal(signal.SIGKILL)  # inside batch 5's transaction, after its rows were written
    first.wait(timeout=30)

    read = ReadModels(parse_url(store_url))
    generation, position = read.store.state()
    assert position == 4 * BATCH, "only the four committed batches may count"
    applied = sum(r["events"] for r in read.store.select(ROUNDS, {}))
    assert applied <= 4 * BATCH

    second = start(store_url)
    deadline = time.monotonic() + 120
    while read.store.state()[1] < last:
        assert time.monotonic() < deadline, "the restarted projector did not catch up"
        assert second.poll() is None, second.stderr.read()  # type: ignore[union-attr]
        time.sleep(0.05)
    second.send_signal(signal.SIGTERM)
    second.wait(timeout=30)

    counted = {r["round"]: r["events"] for r in read.store.select(ROUNDS, {})}
    assert counted == dict(true_counts(store_url)), "an event was applied twice or skipped"
    live = table_contents(read, generation)
    projector = Projector(parse_url(store_url))
    report = projector.rebuild()
    projector.close()
    assert table_contents(read, report.generation) == live, "the resumed read models differ from a rebuild"
    read.close()


@pytest.mark.postgres
def test_on_postgres_the_projector_is_woken_by_notify_not_by_polling(make_app, pg_database):
    import threading

    from tests.scenario import judge, small_contest

    app = make_app(pg_database)
    small_contest(app)
    projector = Projector(parse_url(pg_database), idle_wait=60)  # polling alone would take a minute
    stop = threading.Event()
    thread = threading.Thread(target=projector.run, args=(stop,), daemon=True)
    thread.start()
    read = ReadModels(parse_url(pg_database))
    assert read.wait_for(EventSource(parse_url(pg_database)).last_position(), timeout=10)
    time.sleep(0.2)  # the projector is now waiting on LISTEN
    outcome = app.execute(lambda s: s.submit_sheet("R1", "J1", "O1", {"party": "25", "industry": "15"},
                                                   judge("J1")))
    started = time.monotonic()
    assert read.wait_for(outcome.position, timeout=10)
    assert time.monotonic() - started < 5
    stop.set()
    app.submit_sheet("R1", "J2", "O1", {"party": "25", "industry": "15"}, judge("J2"))  # wakes it to stop
    thread.join(timeout=10)
    projector.close()
    read.close()
