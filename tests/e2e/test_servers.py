"""Several ``leitai serve`` on one PostgreSQL (issue 17, items 2 and 3), as real processes:
one projector leads and the other stands by (``/healthz`` says which, both healthy);
a read on server B that names the position of a write made on server A waits for it;
and public reads come from a streaming standby (``LEITAI_READ_DATABASE_URL``, started
here with ``pg_basebackup -R``) while a writer who names its position never reads older
than its write."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import psycopg
import pytest

from domain.services.store import parse_url
from tests.conftest import ADMIN
from tests.http import PASSWORD, add_account
from tests.scenario import judge, small_contest
from tests.served import free_port, leitai_serve

pytestmark = pytest.mark.postgres
OK = {"party": "25", "industry": "15"}


def call(base: str, path: str, method: str = "GET", body: Any = None, headers: dict[str, str] | None = None
         ) -> tuple[int, dict[str, str], Any]:
    request = urllib.request.Request(base + path, method=method, headers={"Content-Type": "application/json",
                                                                         **(headers or {})},
                                     data=None if body is None else json.dumps(body).encode())
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers), json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def token(base: str) -> dict[str, str]:
    _, _, answer = call(base, "/api/auth/token", "POST", {"name": "admin", "password": PASSWORD})
    return {"Authorization": f"Bearer {answer['token']}"}


def sheets_in(base: str, entrant: str, headers: dict[str, str] | None = None, query: str = "") -> int:
    status, _, board = call(base, "/api/rounds/R1/board" + query, headers=headers)
    assert status == 200, board
    return next(e["sheets_in"] for e in board["entries"] if e["entrant"] == entrant)


def projector_of(server: Any) -> int:
    children = [int(pid) for task in Path(f"/proc/{server.process.pid}/task").iterdir()
                for pid in (task / "children").read_text().split()]
    assert len(children) == 1, children
    return children[0]


def roles(*servers: Any) -> list[dict[str, Any]]:
    found = []
    for server in servers:
        status, _, health = call(server.base, "/healthz?lang=en")
        assert status == 200, health  # standing by is healthy
        found.append(health["projector"])
    return found


def test_two_servers_one_projector_and_reads_that_name_a_position_wait_for_it(make_app, pg_database, tmp_path):
    app = make_app(pg_database)
    small_contest(app)
    app.run(lambda s: s.set_live_board("R1", True, ADMIN))  # the board is public while scoring
    add_account(app, "admin", "admin")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with leitai_serve(pg_database, tmp_path / "a") as a, leitai_serve(pg_database, tmp_path / "b") as b:
        deadline = time.monotonic() + 20
        while sorted(r["role"] for r in roles(a, b)) != ["leader", "standby"]:
            assert time.monotonic() < deadline, roles(a, b)
            time.sleep(0.2)
        leading, standing = (a, b) if roles(a)[0]["role"] == "leader" else (b, a)
        assert roles(standing)[0]["leader"].split()[1].endswith(f":{leading.port}"), roles(standing)
        log = tmp_path / ("a" if standing is a else "b") / "server.log"
        while "standing by" not in log.read_text():  # the server's log says its projector stands by
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)

        # a write on A, read on B with its position: seen at once, every time
        auth = token(a.base)
        for n, code in enumerate(("J1", "J2", "J3"), 1):
            status, _, answer = call(a.base, "/api/rounds/R1/sheets", "POST",
                                     {"judge": code, "entrant": "O1", "marks": OK}, auth)
            assert status == 201, answer
            assert sheets_in(b.base, "O1", {"Leitai-Position": str(answer["position"])}) == n

        # the read waits: with the projector held still, B answers only once it has projected the write
        held = projector_of(leading)
        os.kill(held, signal.SIGSTOP)
        try:
            position = app.execute(lambda s: s.submit_sheet("R1", "J1", "O2", OK, judge("J1"))).position
            seen: list[int] = []
            reader = threading.Thread(target=lambda: seen.append(
                sheets_in(b.base, "O2", {"Leitai-Position": str(position)})))
            reader.start()
            time.sleep(1.0)
            assert not seen, "the read answered before the read side included the position it named"
            assert sheets_in(b.base, "O2") == 0  # without the position: what B has, at once
        finally:
            os.kill(held, signal.SIGCONT)
        reader.join(timeout=10)
        assert seen == [1]

        status, headers, answer = call(b.base, "/api/rounds/R1/board?lang=en", headers={"Leitai-Position": "999999"})
        assert (status, answer["code"], headers.get("Retry-After")) == (503, "NotYetProjected", "1"), answer
        assert "retry" in answer["message"]
        status, _, answer = call(b.base, "/api/rounds/R1/board", headers={"Leitai-Position": "abc"})
        assert (status, answer["code"]) == (422, "InvalidValue"), answer

        # the leader's projector dies: the standby's takes over (the server restarts its own, which stands by)
        os.kill(projector_of(leading), signal.SIGKILL)
        deadline = time.monotonic() + 10
        while roles(standing)[0]["role"] != "leader":
            assert time.monotonic() < deadline, roles(a, b)
            time.sleep(0.1)
        position = app.execute(lambda s: s.submit_sheet("R1", "J2", "O2", OK, judge("J2"))).position
        assert sheets_in(leading.base, "O2", {"Leitai-Position": str(position)}) == 2


def _as_postgres(run_as: Any, bindir: Any) -> Any:
    """Run a PostgreSQL program from ``bindir`` (as the postgres user when we are root)."""
    def demote() -> None:
        if run_as is not None:
            os.setgid(run_as.pw_gid)
            os.setuid(run_as.pw_uid)

    def run(program: str, *args: str, check: bool = True) -> None:
        done = subprocess.run([str(bindir / program), *args], preexec_fn=demote, capture_output=True, text=True)
        assert done.returncode == 0 or not check, f"{program} failed: {done.stderr[-2000:]}"
    return run


def test_public_reads_come_from_a_standby_and_a_writer_never_reads_older_than_its_write(make_app, tmp_path):
    from tests.pg import Databases, start_throwaway

    primary = start_throwaway()
    with ExitStack() as cleanup:
        cleanup.callback(primary.stop)
        db = Databases(primary)
        cleanup.callback(db.close)
        url = primary.url_for(db.create(), "leitai_app")
        app = make_app(url)
        small_contest(app)
        app.run(lambda s: s.set_live_board("R1", True, ADMIN))
        add_account(app, "admin", "admin")
        store = parse_url(url)

        root, bindir = primary.datadir.parent, primary.bindir  # type: ignore[union-attr]
        standby_dir, port = root / "standby", free_port()
        pg = _as_postgres(primary.run_as, bindir)
        pg("pg_basebackup", "-D", str(standby_dir), "-R", "-X", "stream", "-c", "fast", "-h", "127.0.0.1",
           "-p", str(store.port), "-U", "postgres")
        pg("pg_ctl", "-D", str(standby_dir), "-l", str(root / "standby.log"), "-w", "start", "-o",
           f"-p {port} -k {root / 'sockets'} -c listen_addresses=127.0.0.1 -c max_connections=200")
        cleanup.callback(lambda: pg("pg_ctl", "-D", str(standby_dir), "-m", "immediate", "stop", check=False))
        replica_url = url.replace(f":{store.port}/", f":{port}/")
        admin = psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname={store.dbname}", autocommit=True)
        cleanup.callback(admin.close)
        assert admin.execute("SELECT pg_is_in_recovery()").fetchone()[0]

        server = cleanup.enter_context(leitai_serve(url, tmp_path, env={"LEITAI_READ_DATABASE_URL": replica_url}))
        deadline = time.monotonic() + 10
        while call(server.base, "/healthz")[2]["read_replica"]["behind"]:  # the standby replays the projection
            assert time.monotonic() < deadline, call(server.base, "/healthz")
            time.sleep(0.1)
        assert sheets_in(server.base, "O1") == 0
        readers = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND usename = %s",
                                (store.dbname, store.user)).fetchone()[0]
        assert readers > 0, "the server reads nothing from the standby"
        _, _, health = call(server.base, "/healthz")
        assert health["read_replica"]["standby"] is True and health["read_replica"]["behind"] == 0, health

        admin.execute("SELECT pg_wal_replay_pause()")  # the standby falls behind
        status, _, answer = call(server.base, "/api/rounds/R1/sheets", "POST",
                                 {"judge": "J1", "entrant": "O1", "marks": OK}, token(server.base))
        assert status == 201 and answer["projected"], answer
        assert sheets_in(server.base, "O1") == 0, "a public read without a position did not come from the standby"
        status, headers, board = call(server.base, "/api/rounds/R1/board",
                                      headers={"Leitai-Position": str(answer["position"])})
        assert next(e["sheets_in"] for e in board["entries"] if e["entrant"] == "O1") == 1, \
            "the writer read older than its write"
        assert int(headers["Leitai-Projected"]) >= answer["position"]
        _, _, health = call(server.base, "/healthz")
        assert health["read_replica"]["behind"] > 0, health

        admin.execute("SELECT pg_wal_replay_resume()")
        deadline = time.monotonic() + 10
        while sheets_in(server.base, "O1") != 1:
            assert time.monotonic() < deadline, "the standby's reads did not catch up after replay resumed"
            time.sleep(0.1)
        _, _, health = call(server.base, "/healthz")
        assert health["read_replica"]["behind"] == 0, health

        pg("pg_ctl", "-D", str(standby_dir), "-m", "immediate", "stop")  # the standby goes away
        time.sleep(1.5)
        # (a query string: past the answers kept before the application, api/rest/fastpath.py)
        assert sheets_in(server.base, "O1", query="?lang=en") == 1, "public reads failed with the standby away"
        _, _, health = call(server.base, "/healthz")
        assert "error" in health["read_replica"] and health["ok"], health
