"""The HTTP service under load: ``leitai serve`` on PostgreSQL, driven over loopback.

A county's contest day: 16 township rounds scored at once, 8 judges each with their own
account and token, 60 entrants per round; a round showing its scores on the spot
(现场亮分) watched by the public.  The server is the real one - ``leitai serve``
(waitress and the projector, a process tree of its own); the load comes from another
process (bench/loadgen.py) over keep-alive connections.  Measured in the same run:

* sheets     - 128 judges submitting sheets (closed loop): sheets/s, p50/p99 latency of
               the whole request (the token checked, the command recorded, and the
               answer held until the read side includes it);
* board      - 64 viewers polling a live board while sheets keep arriving (20/s); half
               send ``If-None-Match`` and their 304 answers are counted apart;
* push       - 200 listeners on the round's Server-Sent Events stream; a sheet every
               100 ms; the time from sending the sheet until each listener has its board;
* baselines  - the bare HTTP request (``GET /api/auth/me`` without a token: routing,
               JSON, no store) on the same server, and the library's plain get-and-save
               path (bench/concurrency.py, in process, 32 writers) on the same server
               of PostgreSQL: what one request and one sheet cost without Leitai's HTTP
               layer, or without its writer.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from domain.model.base import Actor
from domain.services.store import StoreURL

GOALS = {"sheets_rate": 500, "sheets_p99_ms": 100.0, "board_rate": 3000, "push_p99_ms": 100.0}
# The goals were set on a machine where the bare request (the baseline below) ran 2,956/s.
# Machines differ (the same run has read twice as slow on another 2-core machine), so each
# goal is also checked scaled by this machine's bare request against that one: the ratio
# is what must hold wherever the benchmark runs.
REFERENCE_BARE_RATE = 2956.0
ADMIN = Actor("bench", "admin")
TOWNSHIPS, JUDGES, ENTRANTS = 16, 8, 60
PASSWORD = "bench-password-1"
RULES = """
code = "bench-http"
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


def _judge(t: int, j: int) -> str:
    return f"J{t:02d}{j}"


def _entrant(t: int, e: int) -> str:
    return f"O{t:02d}{e:02d}"


def setup(store: StoreURL) -> None:
    """The contest, its rounds open, and an account per judge (one password hash, copied)."""
    from domain.services.app import Leitai
    from domain.services.setup import RoundSpec
    from domain.services.store import application_env
    from eventstore.sidecar import Sidecar, prepare

    app = Leitai(env=application_env(store), store=store)
    try:
        app.register_ruleset(RULES, "http.toml", ADMIN)

        def contest(s: Any) -> None:
            s.create_contest("day", "bench", ["township", "county"], ADMIN)
            s.add_unit("day", "C", "县", "county", None, ADMIN)
            for t in range(TOWNSHIPS + 1):
                s.add_unit("day", f"T{t:02d}", f"镇{t}", "township", "C", ADMIN)
                for j in range(JUDGES):
                    s.register_judge("day", _judge(t, j), f"评委{t}-{j}", "C", "", ADMIN)
                for e in range(ENTRANTS if t < TOWNSHIPS else 20):
                    s.register_organization("day", _entrant(t, e), f"村{t}-{e}", f"T{t:02d}", "village", "", "书记",
                                            ADMIN)

        app.run(contest)
        for t in range(TOWNSHIPS + 1):
            code = f"R{t:02d}"
            app.schedule_round("day", RoundSpec(code, "township", f"T{t:02d}", "2025-06", "bench-http",
                                                judges=tuple(_judge(t, j) for j in range(JUDGES)),
                                                live_board=t in (0, TOWNSHIPS)), ADMIN)
            app.open_round(code, ADMIN)

        def accounts(s: Any) -> None:
            for t in range(TOWNSHIPS + 1):
                for j in range(JUDGES):
                    name = f"judge-{t:02d}{j}"
                    s.create_account(name, name, ADMIN)
                    s.grant_role(name, "judge", {"contest": "day", "judge": _judge(t, j)}, "bench", ADMIN)
                    s.password_changed(name, ADMIN, commitment=commitment)

        stored, commitment = prepare(PASSWORD)  # one hash for every judge: scrypt is slow on purpose
        app.run(accounts)
    finally:
        app.close()
    sidecar = Sidecar(store)
    for t in range(TOWNSHIPS + 1):
        for j in range(JUDGES):
            sidecar.store_hash(f"judge-{t:02d}{j}", stored)
    sidecar.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``leitai serve`` in a process tree of its own."""

    def __init__(self, store: StoreURL, port: int, key_dir: Path) -> None:
        env = {**os.environ, "LEITAI_SIGNING_KEY": str(key_dir / "signing-key.pem"), "LEITAI_LANG": "en"}
        self.port = port
        self.process = subprocess.Popen([sys.executable, "-m", "api.cli.main", "--db", store.url, "serve",
                                         "--port", str(port), "--threads", "400"],
                                        env=env, stdout=subprocess.DEVNULL, stderr=open(key_dir / "server.log", "wb"))
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"leitai serve exited: {(key_dir / 'server.log').read_text()[-2000:]}") from None
                time.sleep(0.2)
        raise RuntimeError("leitai serve did not answer within 60 s")

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=30) as r:
            return json.loads(r.read())

    def caught_up(self, timeout: float = 60.0) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                health = self.call("GET", "/healthz")
            except urllib.error.HTTPError as behind:  # 503 while the read side is seconds behind
                if behind.code != 503:
                    raise
                health = json.loads(behind.read())
            if health["projected"] >= health["events"]:
                return
            time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def loadgen(spec: dict[str, Any], background: bool = False) -> Any:
    command = [sys.executable, "-m", "bench.loadgen"]
    if background:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        assert process.stdin is not None
        process.stdin.write(json.dumps(spec))
        process.stdin.close()
        process.stdin = None  # written and closed: communicate() only reads
        return process
    done = subprocess.run(command, input=json.dumps(spec), capture_output=True, text=True,
                          timeout=spec.get("seconds", 30) + 120)
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def finish(process: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = process.communicate(timeout=300)
    if process.returncode != 0:
        raise RuntimeError(f"load generator failed: {err[-2000:]}")
    return dict(json.loads(out))


WRK = shutil.which("wrk")


def wrk(url: str, seconds: float, connections: int, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """Requests per second and latency percentiles from wrk (a C load generator: on a
    2-core machine a cheaper client leaves more of the machine to the server)."""
    command = [WRK or "wrk", "-t2", f"-c{connections}", f"-d{max(1, int(seconds))}s", "--latency", "--timeout", "5s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run(command + [url], capture_output=True, text=True, timeout=seconds + 60)
    text = done.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", text).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)

    def percentile(q: str) -> float | None:
        found = re.search(rf"\s{q}%\s+([\d.]+)(us|ms|s)\b", text)
        if found is None:
            return None
        return float(found.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]

    return {"rate": rate, "count": total, "p50_ms": percentile("50"), "p99_ms": percentile("99"),
            "errors": int(errors.group(1)) if errors else 0, "client": "wrk"}


def _marks(t: int, j: int, e: int) -> dict[str, str]:
    return {"party": f"{20 + (t + j * 7 + e) % 10}.5", "industry": f"{10 + (j + e * 3) % 10}"}


def _sheet(t: int, j: int, e: int, token: str) -> dict[str, Any]:
    return {"method": "POST", "path": f"/api/rounds/R{t:02d}/sheets", "headers": {"Authorization": f"Bearer {token}"},
            "body": {"entrant": _entrant(t, e), "marks": _marks(t, j, e)}}


def run(store: StoreURL, seconds: float = 10.0, judges: int = 32, listeners: int = 200) -> dict[str, Any]:
    """Every phase against one server; the library's get-and-save path first, on the same store."""
    from bench import concurrency

    library = concurrency.run(store, judges, ENTRANTS, "library", time_limit=seconds * 3)
    setup(store)
    key_dir = Path(tempfile.mkdtemp(prefix="leitai-bench-http-"))
    try:
        return _phases(store, key_dir, seconds, judges, listeners, library)
    finally:
        shutil.rmtree(key_dir, ignore_errors=True)


def _phases(store: StoreURL, key_dir: Path, seconds: float, judges: int, listeners: int,
            library: dict[str, Any]) -> dict[str, Any]:
    server = Server(store, free_port(), key_dir)
    host, port = "127.0.0.1", server.port
    base = f"http://{host}:{port}"
    try:
        def sign_in(name: str) -> str:
            return str(server.call("POST", "/api/auth/token", {"name": name, "password": PASSWORD})["token"])

        with ThreadPoolExecutor(4) as pool:
            tokens = dict(zip([(t, j) for t in range(TOWNSHIPS + 1) for j in range(JUDGES)],
                              pool.map(sign_in, [f"judge-{t:02d}{j}" for t in range(TOWNSHIPS + 1)
                                                 for j in range(JUDGES)]), strict=True))
        server.caught_up()
        if WRK:
            bare = wrk(f"{base}/api/auth/me", seconds / 2, 32)
        else:
            bare = loadgen({"mode": "requests", "host": host, "port": port, "seconds": seconds / 2, "repeat": True,
                            "workers": [[{"method": "GET", "path": "/api/auth/me"}] for _ in range(32)]})
        seats = [(t, j) for t in range(1, TOWNSHIPS) for j in range(JUDGES)][:judges]
        sheets = loadgen({"mode": "requests", "host": host, "port": port, "seconds": seconds * 3,
                          "workers": [[_sheet(t, j, e, tokens[(t, j)]) for e in range(ENTRANTS)] for t, j in seats]})
        server.caught_up()
        trickle = [_sheet(0, j, e, tokens[(0, j)]) for e in range(ENTRANTS) for j in range(JUDGES)]
        board_path = "/api/rounds/R00/board"
        if WRK:
            sender = loadgen({"mode": "board", "host": host, "port": port, "seconds": seconds, "viewers": 0,
                              "path": board_path, "trickle": trickle, "trickle_interval": 0.05}, background=True)
            board = wrk(base + board_path, seconds, 64)
            board["trickled"] = finish(sender)["trickled"]
            server.caught_up()
            with urllib.request.urlopen(base + board_path, timeout=10) as r:
                tag = r.headers["ETag"]
            board["conditional"] = wrk(base + board_path, seconds / 2, 64, {"If-None-Match": tag})
        else:
            board = loadgen({"mode": "board", "host": host, "port": port, "seconds": seconds, "viewers": 64,
                             "path": board_path, "trickle": trickle, "trickle_interval": 0.05})
            board["client"] = "python"
        last = TOWNSHIPS
        push = loadgen({"mode": "sse", "host": host, "port": port, "listeners": listeners, "interval": 0.1,
                        "path": f"/api/rounds/R{last:02d}/events",
                        "sheets": [_sheet(last, j, e, tokens[(last, j)]) for e in range(20)
                                   for j in range(min(JUDGES, max(1, int(seconds * 10) // 20)))]})
    finally:
        server.stop()
    bare.setdefault("client", "python")
    return {"judges": judges, "library": library, "bare": bare, "sheets": sheets, "board": board, "push": push}


def report(r: dict[str, Any], check: bool = True) -> list[str]:
    """Print the figures with their ratios to the baselines measured beside them; the goal
    lines (``check=False``, a quick run: the figures without verdicts)."""
    lib, bare, sheets, board, push = r["library"], r["bare"], r["sheets"], r["board"], r["push"]

    def ms(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.1f} ms"

    print(f"   bare request (GET /api/auth/me, {bare['client']}): {bare['rate']:,.0f}/s, p99 {ms(bare['p99_ms'])}")
    print(f"   library get-and-save, {lib['writers']} writers in process: {lib['rate']:,.0f}/s, "
          f"p99 {ms(lib['p99_ms'])}, {lib['conflicts']} conflicts")
    print(f"   sheets over HTTP, {r['judges']} judges: {sheets['rate']:,.0f}/s, "
          f"p50 {ms(sheets['p50_ms'])}, p99 {ms(sheets['p99_ms'])}, statuses {sheets['statuses']} "
          f"= {sheets['rate'] / lib['rate']:.2f}x the library path")
    line = (f"   board reads ({board['client']}, 64 viewers, sheets arriving): {board['rate']:,.0f}/s, "
            f"p99 {ms(board['p99_ms'])} = {board['rate'] / bare['rate']:.2f}x the bare request")
    print(line)
    conditional = board.get("conditional")
    if isinstance(conditional, dict) and "rate" in conditional:
        print(f"   conditional reads answered 304: {conditional['rate']:,.0f}/s, p99 {ms(conditional['p99_ms'])}")
    elif "not_modified" in board:
        print(f"   of which 304 Not Modified: {board['not_modified']:,}")
    print(f"   push to {push['listeners']} SSE listeners: {push['sheets']} sheets, {push['deliveries']:,} deliveries, "
          f"p50 {ms(push['p50_ms'])}, p99 {ms(push['p99_ms'])}, {push['missed']} missed")
    scale = bare["rate"] / REFERENCE_BARE_RATE

    def goal(what: str, value: str, met: bool) -> str:
        return _goal(what, value, met, check)

    sheets_rate, sheets_p99 = GOALS["sheets_rate"] * scale, GOALS["sheets_p99_ms"] / scale
    board_rate, push_p99 = GOALS["board_rate"] * scale, GOALS["push_p99_ms"] / scale
    return [
        goal(f"HTTP sheets >= {GOALS['sheets_rate']}/s, p99 <= {GOALS['sheets_p99_ms']:.0f} ms",
             f"{sheets['rate']:,.0f}/s, {ms(sheets['p99_ms'])}",
             sheets["rate"] >= GOALS["sheets_rate"] and (sheets["p99_ms"] or 1e9) <= GOALS["sheets_p99_ms"]),
        goal(f"HTTP board reads >= {GOALS['board_rate']:,}/s", f"{board['rate']:,.0f}/s",
             board["rate"] >= GOALS["board_rate"]),
        goal(f"SSE push to {push['listeners']} listeners p99 <= {GOALS['push_p99_ms']:.0f} ms", ms(push["p99_ms"]),
             push["missed"] == 0 and (push["p99_ms"] or 1e9) <= GOALS["push_p99_ms"]),
        f"   scaled to this machine (bare request {bare['rate']:,.0f}/s = {scale:.2f}x the {REFERENCE_BARE_RATE:,.0f}/s "
        "the goals were set beside):",
        goal(f"  sheets >= {sheets_rate:,.0f}/s, p99 <= {sheets_p99:.0f} ms", f"{sheets['rate']:,.0f}/s, "
             f"{ms(sheets['p99_ms'])}", sheets["rate"] >= sheets_rate and (sheets["p99_ms"] or 1e9) <= sheets_p99),
        goal(f"  board reads >= {board_rate:,.0f}/s ({GOALS['board_rate'] / REFERENCE_BARE_RATE:.2f}x bare)",
             f"{board['rate']:,.0f}/s", board["rate"] >= board_rate),
        goal(f"  SSE push p99 <= {push_p99:.0f} ms", ms(push["p99_ms"]),
             push["missed"] == 0 and (push["p99_ms"] or 1e9) <= push_p99),
    ]


def _goal(what: str, value: str, met: bool, check: bool = True) -> str:
    return f"   {what:<48} {value:>22}  {('met' if met else 'NOT met') if check else '(quick: not checked)'}"
