"""Several projectors on one PostgreSQL database: exactly one projects (the holder of the
advisory lock, on the session that writes the read models), the others stand by, a
standby takes over when the holder is killed, and no event is applied twice or skipped -
the per-round event counters (which only grow by what a committed batch applied) equal a
fresh fold of the log, and every table equals a rebuild."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest

from domain.services.store import parse_url
from projections.election import Election, LostLead, holder
from projections.queries import ReadModels
from projections.runner import Projector
from projections.source import EventSource
from projections.tables import ROUNDS
from tests.e2e.test_projector_process import table_contents, true_counts, wait_for_line
from tests.integration.test_stores import run_example
from tests.scenario import judge, small_contest

pytestmark = pytest.mark.postgres

LEITAI = str(Path(sys.executable).parent / "leitai")
BATCH = 20


def start(url: str, name: str, folder: Path, pause: int | None = None) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LEITAI_PROJECTOR_PAUSE_BATCH", "LEITAI_PARENT_PID")}
    env["LEITAI_SERVER_NAME"] = name
    if pause:
        env["LEITAI_PROJECTOR_PAUSE_BATCH"] = str(pause)
    return subprocess.Popen([LEITAI, "--db", url, "projections", "run", "--batch-size", str(BATCH)],
                            stdout=subprocess.PIPE, stderr=open(folder / f"{name}.log", "w"), text=True, env=env)


def status(url: str) -> str:
    done = subprocess.run([LEITAI, "--db", url, "projections", "status"], capture_output=True, text=True,
                          env={**os.environ, "LEITAI_LANG": "en"}, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def leader(url: str) -> str | None:
    with psycopg.connect(parse_url(url).conninfo(), autocommit=True) as conn:
        found = holder(conn)
    return found["name"].split()[1] if found else None


def wait_until(what: str, check, timeout: float = 30) -> float:
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < timeout, f"{what}: not within {timeout} s"
        time.sleep(0.02)
    return time.monotonic() - started


def exactly_once(read: ReadModels, url: str) -> None:
    """After takeovers: the per-round event counters (which only grow by what a committed batch
    applied) equal a fresh fold of the log, and every table equals a rebuild."""
    counted = {r["round"]: r["events"] for r in read.store.select(ROUNDS, {})}
    assert counted == dict(true_counts(url)), "an event was applied twice or skipped in the takeovers"
    generation, _ = read.store.state()
    live = table_contents(read, generation)
    rebuilder = Projector(parse_url(url))
    report = rebuilder.rebuild()
    rebuilder.close()
    assert table_contents(read, report.generation) == live, "the read models after the takeovers differ from a rebuild"


def test_one_projector_leads_standbys_take_over_and_nothing_is_applied_twice(make_app, pg_database, clock, tmp_path):
    app = make_app(pg_database)
    names = ["a", "b", "c"]
    first = start(pg_database, "a", tmp_path, pause=4)  # it will stop inside its 4th batch's transaction
    processes = {"a": first}
    try:
        wait_until("projector a leads", lambda: leader(pg_database) == "a")
        for name in names[1:]:
            processes[name] = start(pg_database, name, tmp_path)
        wait_until("b and c stand by", lambda: all("standing by" in (tmp_path / f"{n}.log").read_text()
                                                   for n in names[1:]))
        assert leader(pg_database) == "a", "a standby took the lead from a living holder"

        recording = threading.Thread(target=run_example, args=(app, clock))
        recording.start()
        try:
            wait_for_line(first, "PAUSED IN BATCH 4")
            read = ReadModels(parse_url(pg_database))
            assert read.store.state()[1] == 3 * BATCH
            first.send_signal(signal.SIGKILL)  # inside a batch's transaction, its rows written, not committed
            first.wait(timeout=10)
            wait_until("a standby takes over from a", lambda: leader(pg_database) in ("b", "c"), timeout=10)
            second = leader(pg_database)
            assert second is not None
            wait_until(f"{second} projects past a's last commit", lambda: read.store.state()[1] > 3 * BATCH)
            processes[second].send_signal(signal.SIGKILL)  # while events are still being recorded
            processes[second].wait(timeout=10)
            third = next(n for n in names[1:] if n != second)
            wait_until(f"{third} takes over from {second}", lambda: leader(pg_database) == third, timeout=10)
        finally:
            recording.join(timeout=300)
        last = EventSource(parse_url(pg_database)).last_position()
        wait_until(f"{third} catches up", lambda: read.store.state()[1] == last, timeout=120)
        log = (tmp_path / f"{third}.log").read_text()
        assert "now holds the lead" in log and "standing by" in log, log
        assert f"Projecting: leitai-projector {third} pid" in status(pg_database)
        processes[third].send_signal(signal.SIGTERM)
        assert processes[third].wait(timeout=30) == 0
        assert "No projector is running." in status(pg_database)

        exactly_once(read, pg_database)
        read.close()
    finally:  # whatever failed, no projector is left running
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


def test_a_projector_whose_lock_session_was_lost_commits_nothing(make_app, pg_database):
    app = make_app(pg_database)
    small_contest(app)
    store = parse_url(pg_database)
    a, b = Projector(store), Projector(store)
    a.election, b.election = Election(a.connection), Election(b.connection)
    assert a.election.try_lead() and not b.election.try_lead()
    session = a.connection.get()  # a vanished host is found by the backend's keepalive on this session
    assert [session.execute(f"SHOW {name}").fetchone()[0] for name in
            ("tcp_keepalives_idle", "tcp_keepalives_interval", "tcp_keepalives_count", "tcp_user_timeout")] \
        == ["1", "1", "1", "2000"]  # seconds, seconds, probes, milliseconds
    assert holder(session)["name"].startswith("leitai-projector ")
    a.follow()
    a.catch_up()
    with psycopg.connect(store.conninfo(), autocommit=True) as admin:  # a's session is cut off
        admin.execute("SELECT pg_terminate_backend(%s)", (a.election.backend,))
    wait_until("the lock is free", lambda: leader(pg_database) is None)
    assert b.election.try_lead()
    b.follow()
    app.submit_sheet("R1", "J1", "O1", {"party": "25", "industry": "15"}, judge("J1"))
    with pytest.raises(psycopg.OperationalError):
        a.step()  # its connection is gone
    with pytest.raises(psycopg.OperationalError, match="lock session is gone"):
        a.step()  # the lock session is pinned: never silently replaced by a new one, which would not hold it
    a.election.lost()  # what the projector's loop does then; a new session is not the holder's either
    with pytest.raises(LostLead):
        a.step()  # nothing is written
    read = ReadModels(store)
    before = read.store.state()
    assert before[1] < EventSource(store).last_position(), "the old holder wrote a batch after losing the lock"
    assert b.step() > 0
    assert read.store.state()[1] == EventSource(store).last_position()
    assert read.leaderboard("R1")["sheets_in"] == 1
    for p in (a, b):
        p.close()
    read.close()


def test_a_hung_holder_is_ended_by_a_standby_and_commits_nothing_when_it_wakes(make_app, pg_database, tmp_path):
    """A holder that hangs (its host frozen: SIGSTOP here) still answers TCP keepalives from
    its kernel, so its session - and the lock - would last for ever.  It beats on its lock
    session every BEAT seconds while it lives; a standby ends a session idle for STALE_LEADER
    seconds and takes over, and the holder, woken, finds its session gone and writes nothing."""
    from projections.election import STALE_LEADER

    app = make_app(pg_database)
    small_contest(app)
    a = start(pg_database, "a", tmp_path)
    processes = {"a": a}
    read = ReadModels(parse_url(pg_database))
    try:
        wait_until("projector a leads", lambda: leader(pg_database) == "a")
        processes["b"] = start(pg_database, "b", tmp_path)
        wait_until("b stands by", lambda: "standing by" in (tmp_path / "b.log").read_text())
        time.sleep(2 * STALE_LEADER)  # nothing to project: a living holder idles and keeps the lead
        assert leader(pg_database) == "a", "a standby ended the session of a holder that was alive"

        a.send_signal(signal.SIGSTOP)
        took = wait_until("b ends a's session and takes the lead", lambda: leader(pg_database) == "b",
                          timeout=STALE_LEADER + 10)
        print(f"takeover from a hung holder: {took:.2f} s (STALE_LEADER {STALE_LEADER:g} s)")
        assert took <= STALE_LEADER + 2.0
        assert "has not been heard from" in (tmp_path / "b.log").read_text()
        position = app.execute(lambda s: s.submit_sheet("R1", "J1", "O1", {"party": "25", "industry": "15"},
                                                        judge("J1"))).position
        wait_until("b projects the sheet", lambda: read.store.state()[1] >= position)

        a.send_signal(signal.SIGCONT)  # a wakes: its session is gone; it must not write
        wait_until("a stands by again", lambda: (tmp_path / "a.log").read_text().count("standing by") >= 1
                   and leader(pg_database) == "b", timeout=15)
        position = app.execute(lambda s: s.submit_sheet("R1", "J2", "O1", {"party": "20", "industry": "10"},
                                                        judge("J2"))).position
        wait_until("b projects the next sheet", lambda: read.store.state()[1] >= position)
        time.sleep(1.0)
        assert leader(pg_database) == "b"
        assert read.leaderboard("R1")["sheets_in"] == 2
        exactly_once(read, pg_database)
    finally:
        read.close()
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGCONT)
                process.kill()
                process.wait(timeout=10)
