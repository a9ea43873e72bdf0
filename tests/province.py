"""A province on one machine (issue 17, item 6): the whole of "beyond one server" at once,
as real processes, for tests/e2e/test_province.py and ``python -m bench --part province``.

What runs:

* 3 PostgreSQL clusters (throwaway, from the local binaries) holding 12 county databases,
  4 on each; the first cluster has a streaming standby (``pg_basebackup -R``);
* every county a deployment of its own (its database, signing key, token key), its final
  ``F`` open with a public live board, in front of it nginx with nchan (the repository's
  deploy/nginx/leitai.conf) and one ``leitai serve`` publishing its boards there;
* the first county (C01) as a county that outgrew one server: 3 ``leitai serve`` (hosts a,
  b, c) behind 2 nginx nodes sharing their channels through Redis (leitai-redis.conf with
  the ``map``/``hash`` lines of leitai-servers.conf), public reads from the standby
  (``LEITAI_READ_DATABASE_URL``), one projector elected among the three;
* listeners (a process of their own) on every county's final, and on both of C01's nodes;
* judges scoring every county's final at once over HTTP, each sheet with an
  ``Idempotency-Key`` and sent again after a failure, as a judge's tablet does; after each
  sheet in C01 the judge reads the board naming the sheet's position (read-your-writes);
* mid-way through C01's day: the standby's replay paused (the replica lags), host c's
  server killed (kill -9), then the projector's host (a: its server with its projector,
  and nginx node 2 - whose listeners reconnect to node 1 with ``Last-Event-ID``);
* after the day: 4 counties (one or more on each cluster) close, publish and finalize their
  final; a city deployment (on the third cluster) registers them by URL and key and admits
  each one's top 2 with proof (``leitai federation add/admit``), then checks every admission
  again offline (``leitai federation verify``).

:func:`simulate` returns the figures and a list of problems: every sheet a judge was sent
is recorded exactly once, every listener ends on its county's final board (byte for
byte what the read side holds), every listener that reconnected held a current board
within 2 s, no writer read older than its write, the projector took over within 2 s, and
every admission verified.  An empty list is a province that lost nothing.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DAY = "2025-05-20T09:00"  # the contest day (every server's clock, LEITAI_CLOCK)
FINAL = "F"  # every county's final
PASSWORD = "province-password-1"
STALE_S = 2.0  # a listener that reconnected holds a current board within this
TAKEOVER_S = 2.0
RULES = """
code = "province"
version = 1
[[criteria]]
code = "speech"
max = 100
"""
NAMES = ["海阳市", "莱阳市", "莱州市", "招远市", "栖霞市", "龙口市", "蓬莱区", "长岛县", "牟平区", "福山区",
         "芝罘区", "莱山区"]


@dataclass(frozen=True)
class Shape:
    name: str
    clusters: int = 3
    per_cluster: int = 4  # county databases on each cluster
    judges: int = 3
    entrants: int = 4  # each county final's entrants
    entrants_first: int = 12  # C01's: more sheets, so that the kills fall mid-way through its day
    listeners: int = 6  # per county final; C01: this many on each of its two nodes
    day: float = 10.0  # seconds over which every county's judges spread their sheets (the same load all day)
    federated: int = 4  # counties the city admits from
    top: int = 2

    @property
    def counties(self) -> int:
        return self.clusters * self.per_cluster


TEST = Shape("test")
QUICK = Shape("quick", per_cluster=2, entrants=3, entrants_first=10, listeners=4, day=8.0)
FULL = Shape("full", judges=5, entrants=15, entrants_first=40, listeners=400, day=60.0)


def _marks(county: int, judge: int, entrant: int) -> dict[str, str]:
    return {"speech": f"{60 + (county * 7 + judge * 3 + entrant * 11) % 40}.{(judge + entrant) % 2 * 5}"}


# -- the processes -----------------------------------------------------------------------------------------


class Serve:
    """``leitai serve`` as a process group of its own (the server and its projector): what
    a host holds, and what dies with it."""

    def __init__(self, url: str, folder: Path, name: str, env: dict[str, str], port: int) -> None:
        self.name, self.port, self.killed = name, port, False
        self.log = folder / f"server-{name}.log"
        self.process = subprocess.Popen([sys.executable, "-m", "api.cli.main", "--db", url, "serve", "--port",
                                         str(port), "--threads", "48"], cwd=ROOT, env={**os.environ, **env},
                                        stdout=subprocess.DEVNULL, stderr=open(self.log, "wb"),
                                        start_new_session=True)

    def health(self) -> dict[str, Any]:
        try:
            with _urlopen(f"http://127.0.0.1:{self.port}/healthz?lang=en") as answer:
                return dict(json.loads(answer.read()))
        except OSError as error:
            body = getattr(error, "read", None)
            if body is None:
                raise
            return dict(json.loads(body()))

    def ready(self, deadline: float) -> dict[str, Any]:
        while True:
            if self.process.poll() is not None:  # whatever answers on its port, it is not this server
                raise RuntimeError(f"leitai serve {self.name} exited: {self.log.read_text()[-3000:]}")
            try:
                health = self.health()
                if health["projected"] >= health["events"] and health.get("projector", {}).get("role") in (
                        "leader", "standby"):
                    return health
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"leitai serve {self.name} did not start: {self.log.read_text()[-3000:]}")
            time.sleep(0.2)

    def kill(self, freeze: float = 0.0) -> None:
        """The host dies: the server and its projector at once - after hanging ``freeze``
        seconds (SIGSTOP), so that requests sent to it meanwhile are lost with it."""
        self.killed = True
        if freeze:
            os.killpg(self.process.pid, signal.SIGSTOP)
            time.sleep(freeze)
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def sheets_answered(self) -> int:
        """Sheets this server answered 201 (its /metrics, read from this machine)."""
        with _urlopen(f"http://127.0.0.1:{self.port}/metrics") as answer:
            text = answer.read().decode()
        return sum(int(float(line.rsplit(" ", 1)[1])) for line in text.splitlines()
                   if line.startswith("leitai_http_requests_total{") and 'method="POST"' in line
                   and "/sheets" in line and 'status="201"' in line)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _urlopen(url: str, timeout: float = 10.0) -> Any:
    import urllib.request

    return urllib.request.urlopen(url, timeout=timeout)


class Client:
    """One keep-alive HTTP connection, opened again after a failure."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection: http.client.HTTPConnection | None = None

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
             ) -> tuple[int, dict[str, str], Any]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            self.connection.request(method, path, body=None if body is None else json.dumps(body).encode(),
                                    headers={"Content-Type": "application/json", **(headers or {})})
            answer = self.connection.getresponse()
            data = answer.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = data.decode(errors="replace")
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, parsed

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


@dataclass
class County:
    n: int  # 1..12
    url: str  # the application's database URL
    folder: Path
    cluster: int
    entrants: int
    env: dict[str, str] = field(default_factory=dict)
    servers: list[Serve] = field(default_factory=list)
    fronts: list[Any] = field(default_factory=list)  # its nginx nodes (tests.nginx.Nginx)

    @property
    def code(self) -> str:
        return f"C{self.n:02d}"

    @property
    def name(self) -> str:
        return NAMES[(self.n - 1) % len(NAMES)]

    @property
    def front(self) -> int:
        return int(self.fronts[0].port)


# -- setting a county up -------------------------------------------------------------------------------------


def setup_county(county: County, judges: int, hashed: tuple[str, str]) -> None:
    """The county's contest: its final F (entrants, judges, a public live board) open for
    scoring, and an account per judge (one password hash, copied: scrypt is slow on purpose)."""
    from domain.model.base import Actor
    from domain.services.app import Leitai
    from domain.services.clock import FixedClock
    from domain.services.setup import RoundSpec
    from domain.services.store import application_env, parse_url
    from eventstore.sidecar import Sidecar

    admin = Actor("province", "admin")
    store = parse_url(county.url)
    app = Leitai(env=application_env(store), store=store, clock=FixedClock(DAY))
    stored, commitment = hashed
    try:
        app.register_ruleset(RULES, "province.toml", admin)

        def contest(s: Any) -> None:
            s.create_contest("day", f"{county.name}村党组织书记擂台比武", ["township", "county"], admin)
            s.add_unit("day", county.code, county.name, "county", None, admin)
            s.add_unit("day", "T1", "城关街道", "township", county.code, admin)
            for j in range(judges):
                s.register_judge("day", f"J{j + 1}", f"评委{j + 1}", county.code, "", admin)
            for e in range(county.entrants):
                s.register_organization("day", f"O{e + 1:02d}", f"{county.name}第{e + 1}村党支部", "T1", "village", "",
                                        f"书记{e + 1}", admin)

        app.run(contest)
        app.schedule_round("day", RoundSpec(FINAL, "county", county.code, "2025-05", "province",
                                            judges=tuple(f"J{j + 1}" for j in range(judges)), live_board=True), admin)
        app.open_round(FINAL, admin)

        def accounts(s: Any) -> None:
            for j in range(judges):
                name = f"judge{j + 1}"
                s.create_account(name, name, admin)
                s.grant_role(name, "judge", {"contest": "day", "judge": f"J{j + 1}"}, "province", admin)
                s.password_changed(name, admin, commitment=commitment)

        app.run(accounts)
    finally:
        app.close()
    sidecar = Sidecar(store)
    try:
        for j in range(judges):
            sidecar.store_hash(f"judge{j + 1}", stored)
    finally:
        sidecar.close()


def county_env(county: County) -> dict[str, str]:
    """One deployment's settings: its signing key, its token key, its data directory, the
    contest day's clock; its boards go to its nginx's publisher."""
    return {"LEITAI_SIGNING_KEY": str(county.folder / "signing-key.pem"), "LEITAI_SECRET_KEY": secrets.token_hex(32),
            "XDG_DATA_HOME": str(county.folder / "data"), "LEITAI_CLOCK": DAY, "LEITAI_LANG": "en"}


# -- the listeners (a process of their own: python -m tests.province listen) ---------------------------------


def listen(spec: dict[str, Any]) -> dict[str, Any]:
    """Listeners of the live boards, read with epoll: each connects to the first of its
    ``ports``; when its stream ends it reconnects at once to the next one with
    ``Last-Event-ID`` (a browser's EventSource does the same), and again every 0.2 s while
    refused.  Records each board (CRC-32 of its data, monotonic time of arrival) and each
    reconnection (when the stream ended, when the new one was answered).  A board's time is
    when its last bytes reached the listener's socket (the kernel's receive time,
    SO_TIMESTAMPNS): a listener's own device reads its board at once, while this one
    process reads thousands in turn."""
    import re
    import resource

    from tests.nginx import SO_TIMESTAMPNS, receive

    listeners = spec["listeners"]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = len(listeners) + 256
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want if hard == resource.RLIM_INFINITY else min(want, hard), hard))
    position_of = re.compile(rb'"position":(\d+)')
    os.nice(10)  # the province first: these read what has arrived when a core is free
    offset = time.time() - time.monotonic()  # kernel timestamps are wall-clock: to the monotonic clock
    path = spec["path"]
    selector = selectors.DefaultSelector()
    n = len(listeners)
    boards: list[list[tuple[int, float, int]]] = [[] for _ in range(n)]  # (CRC-32, arrival, board position)
    reconnects: list[list[list[float]]] = [[] for _ in range(n)]
    failures: dict[str, int] = {}
    buffers: list[bytes] = [b""] * n
    heads = [True] * n
    last_id = [""] * n
    turn = [0] * n
    lost: list[float | None] = [None] * n
    retry_at: dict[int, float] = {}

    def failed(why: str) -> None:
        failures[why] = failures.get(why, 0) + 1

    def connect(i: int) -> None:
        ports = listeners[i]["ports"]
        port = ports[turn[i] % len(ports)]
        s = socket.socket()
        try:
            s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            # room for every board of the day: a reader behind never holds nginx back, so the
            # kernel's receive times are when each board reached the listener's host
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            s.settimeout(2)
            s.connect(("127.0.0.1", port))
            extra = f"Last-Event-ID: {last_id[i]}\r\n" if last_id[i] else ""
            s.sendall((f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n{extra}\r\n").encode())
            s.setblocking(False)
        except OSError:
            s.close()
            turn[i] += 1
            retry_at[i] = time.monotonic() + 0.2
            return
        buffers[i], heads[i] = b"", True
        selector.register(s, selectors.EVENT_READ, i)

    def ended(i: int, s: Any) -> None:
        selector.unregister(s)
        s.close()
        if lost[i] is None:
            lost[i] = time.monotonic()
        turn[i] += 1
        connect(i)

    for i in range(n):
        connect(i)
    selector.register(sys.stdin, selectors.EVENT_READ, -1)
    ready_by = time.monotonic() + spec.get("ready_timeout", 60)
    ready_said = False
    while True:
        now = time.monotonic()
        for i, when in list(retry_at.items()):
            if when <= now:
                del retry_at[i]
                connect(i)
        if not ready_said and (all(boards) or now > ready_by):
            print(json.dumps({"ready": sum(1 for b in boards if b)}), flush=True)
            ready_said = True
        stop = False
        for key, _ in selector.select(timeout=0.1):
            i = key.data
            if i < 0:
                sys.stdin.readline()
                stop = True
                break
            s = key.fileobj
            try:
                data, arrived = receive(s, offset)  # type: ignore[arg-type]
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if not data:
                ended(i, s)
                continue
            buffer = buffers[i] + data
            if heads[i]:
                end = buffer.find(b"\r\n\r\n")
                if end < 0:
                    buffers[i] = buffer
                    continue
                status = buffer[:end].split(b" ", 2)[1]
                heads[i], buffer = False, buffer[end + 4:]
                if status != b"200":
                    failed(f"HTTP {status.decode()}")
                    selector.unregister(s)
                    s.close()
                    retry_at[i] = arrived + 0.2
                    continue
                if lost[i] is not None:
                    reconnects[i].append([lost[i], arrived])
                    lost[i] = None
            while (end := buffer.find(b"\n\n")) >= 0:
                block, buffer = buffer[:end], buffer[end + 2:]
                if b"event: board" not in block:
                    continue
                data_line = b""
                for line in block.split(b"\n"):
                    if line.startswith(b"id: "):
                        last_id[i] = line[4:].decode()
                    elif line.startswith(b"data: "):
                        data_line = line[6:]
                found = position_of.search(data_line)
                boards[i].append((zlib.crc32(data_line), arrived, int(found.group(1)) if found else -1))
            buffers[i] = buffer
        if stop:
            break
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"boards": boards, "reconnects": reconnects, "failures": failures,
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 1)}


class Listeners:
    """The listener processes (one per thousand listeners or so, at most one per core):
    started, waited for until every listener has a board, then told to stop; their records
    come back as JSON, in the order of ``listeners``."""

    def __init__(self, listeners: list[dict[str, Any]], folder: Path) -> None:
        self.listeners = listeners
        self.folder = folder
        count = max(1, min(os.cpu_count() or 1, len(listeners) // 1000 + 1))
        self.slices = [list(range(k, len(listeners), count)) for k in range(count)]
        self.processes = []
        for k, indexes in enumerate(self.slices):
            process = subprocess.Popen([sys.executable, "-m", "tests.province", "listen"], cwd=ROOT,
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=open(folder / f"listeners-{k}.log", "wb"), text=True)
            assert process.stdin
            process.stdin.write(json.dumps({"listeners": [listeners[i] for i in indexes],
                                            "path": f"/api/rounds/{FINAL}/events"}) + "\n")
            process.stdin.flush()
            self.processes.append(process)

    def ready(self) -> int:
        ready = 0
        for k, process in enumerate(self.processes):
            assert process.stdout
            line = process.stdout.readline()
            if not line:
                raise RuntimeError("the listeners stopped: " + (self.folder / f"listeners-{k}.log").read_text()[-3000:])
            ready += int(json.loads(line)["ready"])
        return ready

    def stop(self) -> dict[str, Any]:
        for process in self.processes:
            assert process.stdin
            process.stdin.write("stop\n")
            process.stdin.flush()
        n = len(self.listeners)
        merged: dict[str, Any] = {"boards": [None] * n, "reconnects": [None] * n, "failures": {}, "cpu_s": 0.0}
        for process, indexes in zip(self.processes, self.slices, strict=True):
            assert process.stdout
            heard = json.loads(process.stdout.read())
            process.wait(timeout=60)
            for i, boards, again in zip(indexes, heard["boards"], heard["reconnects"], strict=True):
                merged["boards"][i], merged["reconnects"][i] = boards, again
            for why, count in heard["failures"].items():
                merged["failures"][why] = merged["failures"].get(why, 0) + count
            merged["cpu_s"] += heard["cpu_s"]
        return merged

    def kill(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()


# -- the judges ---------------------------------------------------------------------------------------------------


@dataclass
class Day:
    """What the judges were told and saw, shared by their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    confirmed: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # county -> entrant -> positions
    sent: dict[str, int] = field(default_factory=dict)  # county -> sheets answered 201
    answers: dict[str, list[tuple[int, float]]] = field(default_factory=dict)  # county -> (position, first sent at)
    public_lag: list[int] = field(default_factory=list)  # C01: confirmed position - board position, reads naming none
    longest: dict[str, float] = field(default_factory=dict)  # county -> the longest a judge waited for a sheet's answer
    attempts_failed: dict[str, int] = field(default_factory=dict)  # "C01 502", "C01 connection", ...
    unrecorded: list[str] = field(default_factory=list)  # sheets never answered 201
    stale_reads: list[str] = field(default_factory=list)  # a read naming a position that did not include it
    checked_reads: int = 0
    started: float = 0.0
    finished: float = 0.0

    def failed(self, what: str) -> None:
        with self.lock:
            self.attempts_failed[what] = self.attempts_failed.get(what, 0) + 1


def judge(county: County, j: int, day: Day, span: float, check_reads: bool, give_up: float = 90.0) -> None:
    """Judge j+1 of a county signs in through its front and scores every entrant, one sheet
    after another, one every ``span / entrants`` seconds (each judge starting at a moment of
    its own in the first interval); a sheet that fails (the server killed under it, 502/503, a refused
    connection) is sent again with the same Idempotency-Key until answered."""
    client = Client(county.front)
    auth: dict[str, str] = {}

    def attempt(method: str, path: str, body: Any, headers: dict[str, str], what: str) -> tuple[int, Any, Any]:
        deadline = time.monotonic() + give_up
        pause = 0.05
        while True:
            try:
                status, answer_headers, answer = client.call(method, path, body, headers)
                if status == 409 and isinstance(answer, dict) and answer.get("code") == "RequestInProgress":
                    # the same request still runs, or ran on a server that died: again, as the answer says
                    day.failed(f"{county.code} {what} 409 RequestInProgress")
                    time.sleep(float(answer_headers.get("retry-after", "1")))
                    continue
                if status < 500:
                    return status, answer_headers, answer
                day.failed(f"{county.code} {what} {status}")
            except (OSError, http.client.HTTPException):
                day.failed(f"{county.code} {what} connection")
            if time.monotonic() > deadline:
                return 0, {}, None
            time.sleep(pause)
            pause = min(pause * 2, 0.5)

    status, _, answer = attempt("POST", "/api/auth/token", {"name": f"judge{j + 1}", "password": PASSWORD}, {},
                                "sign-in")
    if status != 200:
        with day.lock:
            day.unrecorded.append(f"{county.code} judge{j + 1}: sign-in answered {status} {answer}")
        return
    auth = {"Authorization": f"Bearer {answer['token']}"}
    every = span / county.entrants
    due = time.monotonic() + every * ((county.n * 7 + j * 3) % 10) / 10
    try:
        for e in range(county.entrants):
            time.sleep(max(0.0, due - time.monotonic()))
            due += every
            entrant = f"O{e + 1:02d}"
            key = f"{county.code}-J{j + 1}-{entrant}"
            sending = time.monotonic()
            status, _, answer = attempt("POST", f"/api/rounds/{FINAL}/sheets",
                                        {"judge": f"J{j + 1}", "entrant": entrant, "marks": _marks(county.n, j, e)},
                                        {**auth, "Idempotency-Key": key}, "sheet")
            if status != 201:
                with day.lock:
                    day.unrecorded.append(f"{county.code} J{j + 1} {entrant}: answered {status} {answer}")
                continue
            if not isinstance(answer, dict) or not isinstance(answer.get("position"), int):
                with day.lock:
                    day.unrecorded.append(f"{county.code} J{j + 1} {entrant}: answered 201 with no position: {answer}")
                continue
            position = int(answer["position"])
            answered = time.monotonic()
            with day.lock:
                day.longest[county.code] = max(day.longest.get(county.code, 0.0), answered - sending)
                day.answers.setdefault(county.code, []).append((position, sending))
                day.confirmed.setdefault(county.code, {}).setdefault(entrant, []).append(position)
                day.sent[county.code] = day.sent.get(county.code, 0) + 1
            if check_reads:
                read(county, client, entrant, position, day, attempt)
    finally:
        client.close()


def public_reader(county: County, day: Day, judges: list[threading.Thread]) -> None:
    """The public reading C01's board through nginx node 1, naming no position, while its
    judges score: such reads may come from the standby, and lag while it lags - recorded as
    the newest confirmed sheet's position minus the board's (the standby served them)."""
    client = Client(county.front)
    try:
        while any(t.is_alive() for t in judges):
            with day.lock:
                newest = max((p for ps in day.confirmed.get(county.code, {}).values() for p in ps), default=0)
            try:
                status, _, board = client.call("GET", f"/api/rounds/{FINAL}/board?lang=en")
            except (OSError, http.client.HTTPException):
                status, board = 0, None
            if status == 200 and isinstance(board, dict):
                with day.lock:
                    day.public_lag.append(newest - int(board["position"]))
            time.sleep(0.1)
    finally:
        client.close()


def read(county: County, client: Client, entrant: str, position: int, day: Day, attempt: Any) -> None:
    """Read-your-writes: the board read naming the sheet's position includes every sheet
    confirmed for the entrant at or before it (public reads may come from the lagging
    standby; this one may not)."""
    status, headers, board = attempt("GET", f"/api/rounds/{FINAL}/board", None, {"Leitai-Position": str(position)},
                                     "read")
    with day.lock:
        want = sum(1 for p in day.confirmed[county.code][entrant] if p <= position)
        day.checked_reads += 1
    if status != 200:
        with day.lock:
            day.stale_reads.append(f"{county.code} {entrant} at {position}: answered {status} {board}")
        return
    got = next((row["sheets_in"] for row in board["entries"] if row["entrant"] == entrant), None)
    projected = int(headers.get("leitai-projected", "0"))
    if got is None or got < want or projected < position:
        with day.lock:
            day.stale_reads.append(f"{county.code} {entrant} at {position}: {got} sheets of {want}, read side at "
                                   f"{projected}")


# -- the standby ------------------------------------------------------------------------------------------------


@contextmanager
def standby(primary: Any) -> Iterator[int]:
    """A streaming standby of ``primary`` (tests.pg.Server), started from its base backup;
    yields its port."""
    from tests.pg import _free_port

    root, bindir = primary.datadir.parent, primary.bindir
    directory, port = root / "standby", _free_port()

    def run(program: str, *args: str, check: bool = True) -> None:
        done = subprocess.run([str(bindir / program), *args], preexec_fn=primary._demote, capture_output=True,
                              text=True)
        if check and done.returncode:
            raise RuntimeError(f"{program} failed: {done.stderr[-2000:]}")

    primary_port = primary.admin_url.rsplit(":", 1)[1].split("/")[0]
    run("pg_basebackup", "-D", str(directory), "-R", "-X", "stream", "-c", "fast", "-h", "127.0.0.1", "-p",
        primary_port, "-U", "postgres")
    run("pg_ctl", "-D", str(directory), "-l", str(root / "standby.log"), "-w", "start", "-o",
        f"-p {port} -k {root / 'sockets'} -c listen_addresses=127.0.0.1 -c max_connections=200")
    try:
        yield port
    finally:
        run("pg_ctl", "-D", str(directory), "-m", "immediate", "stop", check=False)


# -- the day --------------------------------------------------------------------------------------------------


class Ports:
    """Free ports of 127.0.0.1, never the same one twice: a port is only free until someone
    binds it, and the kernel may offer one just offered again - two servers given one port,
    the second's health checks answered by the first, would be two counties on one server."""

    def __init__(self) -> None:
        self.given: set[int] = set()

    def take(self) -> int:
        from tests.nginx import free_port

        while (port := free_port()) in self.given:
            pass
        self.given.add(port)
        return port


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def simulate(shape: Shape, folder: Path, say: Callable[[str], None] = print) -> dict[str, Any]:
    """Run the province's contest day (module docstring); returns its figures and ``problems``."""
    from tests import nginx as engine
    from tests.pg import APP_ROLE, Databases, start_throwaway

    problem = engine.missing()
    if problem:
        raise RuntimeError(problem)
    started = time.monotonic()
    r: dict[str, Any] = {"shape": shape.name, "counties": shape.counties, "clusters": shape.clusters,
                         "problems": []}
    problems: list[str] = r["problems"]
    with ExitStack() as stack:
        # -- the clusters and the county databases
        clusters = []
        for c in range(shape.clusters):
            server = start_throwaway()
            stack.callback(server.stop)
            databases = Databases(server)
            stack.callback(databases.close)
            clusters.append((server, databases))
        from eventstore.sidecar import prepare

        hashed = prepare(PASSWORD)
        counties: list[County] = []
        for n in range(1, shape.counties + 1):
            cluster = (n - 1) // shape.per_cluster
            server, databases = clusters[cluster]
            county = County(n, server.url_for(databases.create(), user=APP_ROLE), folder / f"C{n:02d}", cluster,
                            shape.entrants_first if n == 1 else shape.entrants)
            (county.folder / "data").mkdir(parents=True)
            setup_county(county, shape.judges, hashed)
            county.env = county_env(county)
            counties.append(county)
        r["setup_s"] = round(time.monotonic() - started, 1)
        say(f"   {shape.counties} county databases on {shape.clusters} PostgreSQL clusters set up "
            f"in {r['setup_s']:.1f} s")

        # -- the first cluster's standby; Redis for C01's two nginx nodes
        ports = Ports()
        replica_port = stack.enter_context(standby(clusters[0][0]))
        redis_url = stack.enter_context(engine.redis_server())

        # -- fronts and servers
        first = counties[0]
        hosts = [ports.take() for _ in range(3)]  # C01's servers on hosts a, b, c
        node1 = stack.enter_context(engine.nginx(hosts, redis_url=redis_url, port=ports.take(),
                                                 publisher=ports.take()))
        node2 = stack.enter_context(engine.nginx(hosts, redis_url=redis_url, port=ports.take(),
                                                 publisher=ports.take()))
        first.fronts = [node1, node2]
        from domain.services.store import parse_url

        store = parse_url(first.url)
        replica_url = first.url.replace(f":{store.port}/", f":{replica_port}/")
        env = {**first.env, "LEITAI_FANOUT_URL": node1.fanout_url, "LEITAI_READ_DATABASE_URL": replica_url}
        deadline = time.monotonic() + 120
        a = Serve(first.url, first.folder, "a", env, hosts[0])
        first.servers.append(a)
        stack.callback(a.stop)
        if a.ready(deadline)["projector"]["role"] != "leader":  # host a leads: its death is the projector's host's
            problems.append("C01: the first server did not lead")
        for name, port in (("b", hosts[1]), ("c", hosts[2])):
            s = Serve(first.url, first.folder, name, env, port)
            first.servers.append(s)
            stack.callback(s.stop)
        for county in counties[1:]:
            port = ports.take()
            front = stack.enter_context(engine.nginx(port, port=ports.take(), publisher=ports.take()))
            county.fronts = [front]
            s = Serve(county.url, county.folder, "a", {**county.env, "LEITAI_FANOUT_URL": front.fanout_url}, port)
            county.servers.append(s)
            stack.callback(s.stop)
        for county in counties:
            for s in county.servers:
                s.ready(deadline)
        for county in counties:  # each front reaches its own county's deployment, and no other
            for front in county.fronts:
                with _urlopen(f"http://127.0.0.1:{front.port}/api/rounds/{FINAL}/board") as answer:
                    unit = json.loads(answer.read())["unit"]
                if unit != county.code:
                    raise RuntimeError(f"{county.code}'s front on port {front.port} reaches {unit}'s deployment")
        r["servers"] = sum(len(c.servers) for c in counties)
        r["start_s"] = round(time.monotonic() - started - r["setup_s"], 1)
        say(f"   {r['servers']} leitai serve and {sum(len(c.fronts) for c in counties)} nginx+nchan up "
            f"in {r['start_s']:.1f} s (C01: 3 servers, 2 nodes sharing channels through Redis, reads from a standby)")

        # -- the listeners: every county's final; C01's on both nodes, those on node 2 fall back to node 1
        specs: list[dict[str, Any]] = []
        for county in counties:
            specs.append({"county": county.code, "ports": [county.front], "ref": True})
            for k in range(shape.listeners * len(county.fronts)):
                ports = [f.port for f in county.fronts]
                if k % 2:
                    ports.reverse()
                specs.append({"county": county.code, "ports": ports, "ref": False})
        listeners = Listeners(specs, folder)
        stack.callback(listeners.kill)
        ready = listeners.ready()
        r["listeners"] = len(specs)
        if ready != len(specs):
            problems.append(f"only {ready} of {len(specs)} listeners got their county's board")
        say(f"   {len(specs):,} listeners on the {shape.counties} county finals, each holding its board")

        # -- the day: judges everywhere; the failures in C01
        day = Day(started=time.monotonic())
        threads = [threading.Thread(target=judge, args=(county, j, day, shape.day, county is first), daemon=True)
                   for county in counties for j in range(shape.judges)]
        threads.append(threading.Thread(target=public_reader, args=(first, day, threads[:]), daemon=True))
        for t in threads:
            t.start()
        total_first = shape.judges * first.entrants
        events: dict[str, float] = {}
        lag: list[int] = []
        watch = psycopg_connect(replica_port, store.dbname)
        stack.callback(watch.close)

        def progress() -> float:
            with day.lock:
                return day.sent.get(first.code, 0) / total_first

        def at(fraction: float, what: str, action: Callable[[], None]) -> None:
            while progress() < fraction and any(t.is_alive() for t in threads):
                sample()
                time.sleep(0.02)
            action()
            events[what] = time.monotonic()  # done: the kill's signal delivered and the process reaped
            say(f"   C01 at {progress():.0%} of its sheets: {what}")

        def survivor() -> Serve:  # the server left standing at the end: host b or c, whichever is not killed
            return next(s for s in reversed(first.servers) if not s.killed)

        def sample() -> None:
            try:
                health = survivor().health()
                behind = health.get("read_replica", {}).get("behind")
                if isinstance(behind, int):
                    lag.append(behind)
            except (OSError, ValueError):
                pass

        at(0.2, "the standby's replay paused (the replica lags)", lambda: watch.execute("SELECT pg_wal_replay_pause()"))
        # nginx sends the final's commands to one server (its hash on the round): the server killed
        # first is that one, unless it is host a's (killed next, with the projector)
        answered = [s.sheets_answered() for s in first.servers]
        serving = first.servers[answered.index(max(answered))]
        r["judges_server"] = serving.name
        r["sheets_by_server"] = dict(zip("abc", answered))
        one = serving if serving is not first.servers[0] else first.servers[2]
        def kill_one() -> None:  # its host also ran nginx node 2: its listeners reconnect to node 1
            one.kill(freeze=0.5)
            node2.kill()

        at(0.35, f"host {one.name} killed: its server (it hung 0.5 s, then kill -9) and nginx node 2", kill_one)

        def kill_host_a() -> None:
            first.servers[0].kill(freeze=0.5 if serving is first.servers[0] else 0.0)

        at(0.55, "host a killed: its server with the projector", kill_host_a)
        killed = events["host a killed: its server with the projector"]
        while True:  # the projector standing by on the host left (b or c) takes the lead
            try:
                if survivor().health().get("projector", {}).get("role") == "leader":
                    break
            except (OSError, ValueError):
                pass
            if time.monotonic() - killed > 30:
                problems.append("C01: no projector took over within 30 s")
                break
            time.sleep(0.01)
        r["takeover_s"] = round(time.monotonic() - killed, 3)
        if r["takeover_s"] > TAKEOVER_S:
            problems.append(f"C01: the projector took {r['takeover_s']:.2f} s to take over (> {TAKEOVER_S:g} s)")
        at(0.75, "the standby's replay resumed", lambda: resume(watch))
        for t in threads:
            while t.is_alive():
                sample()
                t.join(timeout=0.1)
        day.finished = time.monotonic()
        r["load_1m"] = round(os.getloadavg()[0], 1)  # at the end of the day: how busy the 2 cores were
        r["replica_behind_max"] = max(lag, default=0)
        r["upstream_errors"] = [line.split("] ", 1)[-1][:300] for line in (node1.folder / "error.log").read_text(
            errors="replace").splitlines() if "upstream" in line][:20]
        sheets = sum(day.sent.values())
        r["sheets"] = sheets
        r["day_s"] = round(day.finished - day.started, 1)
        r["sheets_per_s"] = round(sheets / (day.finished - day.started), 1)
        r["attempts_failed"] = dict(sorted(day.attempts_failed.items()))
        r["reads_checked"] = day.checked_reads
        r["public_reads"] = len(day.public_lag)
        r["public_read_behind_max"] = max(day.public_lag, default=0)
        r["longest_wait_C01_s"] = round(day.longest.get(first.code, 0.0), 2)
        r["longest_wait_others_s"] = round(max((v for k, v in day.longest.items() if k != first.code), default=0.0), 2)
        problems += day.unrecorded + day.stale_reads
        say(f"   {sheets:,} sheets by {len(threads) - 1} judges in {r['day_s']:.1f} s ({r['sheets_per_s']:.0f}/s); "
            f"failed attempts sent again: {r['attempts_failed'] or 'none'}; the longest wait for a sheet's answer "
            f"{r['longest_wait_C01_s']:.1f} s in C01, {r['longest_wait_others_s']:.1f} s elsewhere; takeover {r['takeover_s'] * 1000:.0f} ms; "
            f"{day.checked_reads} reads naming a position in C01, {len(day.stale_reads)} older than the write; "
            f"{len(day.public_lag)} public reads naming none, up to {r['public_read_behind_max']} positions behind; "
            f"the standby was up to {r['replica_behind_max']} events behind")

        # -- every sheet recorded once; every listener on its county's final board
        finals = settle(counties, problems, shape)
        time.sleep(STALE_S + 0.5)  # the last publications reach every listener
        heard = listeners.stop()
        r.update(analyse(specs, heard, finals, day, problems))
        say(f"   listeners: {r['boards_delivered']:,} boards delivered; every listener on its final board: "
            f"{r['listeners_final_ok']}/{len(specs)}; {r['reconnected']} reconnected after node 2 died, held a current "
            f"board within max {r['catch_up_max_s'] * 1000:.0f} ms; a sheet to every listener: p99 "
            f"{r['sheet_to_listener_C01_p99_ms']:.0f} ms in C01 (max {r['sheet_to_listener_C01_max_ms']:.0f} ms), "
            f"{r['sheet_to_listener_others_p99_ms']:.0f} ms in the other counties")

        # -- the city
        r.update(city(counties, clusters, folder, shape, problems, say))

        # no host here hangs (each is killed at once, or after hanging 0.5 s): a standby that ended a holder's
        # session as silent (projections/election.py, STALE_LEADER) ended a living one
        ended = sum(s.log.read_text(errors="replace").count("has not been heard from") for s in first.servers)
        r["holders_ended_as_silent"] = ended
        if ended:
            problems.append(f"C01: a standby ended a living holder's session {ended} time(s) as silent")
        for county in counties:
            for s in county.servers:
                s.stop()
                text = s.log.read_text(errors="replace")
                if "Traceback" in text and not s.killed:
                    problems.append(f"{county.code} server {s.name}: a traceback in its log: {text[-1500:]}")
    r["seconds"] = round(time.monotonic() - started, 1)
    return r


def resume(standby: Any) -> None:
    """Resume the standby's replay: the statement that resumes it may itself be cancelled by
    the replay it resumed (a conflict with recovery), so ask again until it is not paused."""
    import psycopg

    for _ in range(20):
        try:
            standby.execute("SELECT pg_wal_replay_resume()")
            return
        except psycopg.errors.SerializationFailure:
            try:
                if not standby.execute("SELECT pg_is_wal_replay_paused()").fetchone()[0]:
                    return
            except psycopg.errors.SerializationFailure:
                pass
        time.sleep(0.05)
    raise RuntimeError("the standby's replay could not be resumed")


def psycopg_connect(port: int, dbname: str) -> Any:
    import psycopg

    return psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname={dbname}", autocommit=True)


def settle(counties: list[County], problems: list[str], shape: Shape) -> dict[str, int]:
    """Every county's read side holds every sheet, exactly once: the final boards' CRC-32
    (byte for byte what the projector publishes), by county."""
    import orjson

    from domain.services.store import parse_url
    from projections.queries import ReadModels

    finals: dict[str, int] = {}
    for county in counties:
        read = ReadModels(parse_url(county.url))
        try:
            read.leaderboard(FINAL)
        except Exception as error:  # noqa: BLE001 - said as a problem, with the server's log
            logs = " | ".join(s.log.read_text(errors="replace")[-800:] for s in county.servers)
            problems.append(f"{county.code}: its read side has no board of {FINAL}: {error}; servers' logs: {logs}")
            read.close()
            continue
        try:
            deadline = time.monotonic() + 30
            while True:
                board = read.leaderboard(FINAL)
                counted = sum(int(e["sheets_in"]) for e in board["entries"])
                if counted >= shape.judges * county.entrants or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            events = read.store.state()[1]
            for s in county.servers:  # the read side of the county has projected everything recorded
                while not s.killed and s.health()["projected"] < events and time.monotonic() < deadline:
                    time.sleep(0.05)
            board = read.leaderboard(FINAL)
            counted = [int(e["sheets_in"]) for e in board["entries"]]
            if counted != [shape.judges] * county.entrants:
                problems.append(f"{county.code}: sheets per entrant {counted}, expected {shape.judges} each")
            finals[county.code] = zlib.crc32(orjson.dumps(board))
        finally:
            read.close()
    return finals


def analyse(specs: list[dict[str, Any]], heard: dict[str, Any], finals: dict[str, int], day: Day,
            problems: list[str]) -> dict[str, Any]:
    """Every listener's last board is its county's final board (CRC-32); a listener that
    reconnected held, within 2 s of its new stream's answer, a board at least as new (by
    the read side's position it carries) as its county's reference listener held then; and
    each sheet's way to every listener: from the judge's 201 to the first board at or after
    the sheet's position, in C01 (through the kills) and in the other counties (the baseline)."""
    import bisect

    boards, reconnects = heard["boards"], heard["reconnects"]
    refs = {spec["county"]: got for spec, got in zip(specs, boards, strict=True) if spec["ref"]}
    ok, delivered, catch_ups = 0, 0, []
    to_listeners: dict[str, list[float]] = {"C01": [], "others": []}
    answers = {code: sorted(found) for code, found in day.answers.items()}
    for spec, got, again in zip(specs, boards, reconnects, strict=True):
        code = spec["county"]
        delivered += len(got)
        if got and got[-1][0] == finals.get(code):
            ok += 1
        else:
            problems.append(f"{code}: a listener ({'reference' if spec['ref'] else spec['ports']}) ended on "
                            f"{'no board' if not got else 'a board that is not the final one'}")
        ref = refs[code]
        if any(pos < 0 for _, _, pos in got):
            problems.append(f"{code}: a board without a position reached a listener: the checks would mean nothing")
        for lost, answered in again:
            # stale for how long: at its new stream's answer it must come to hold what the reference held
            # then, and every board the reference got in the next 10 s must reach it too
            need = [(max((pos for _, t, pos in ref if t <= answered), default=-1), answered)]
            need += [(pos, t) for _, t, pos in ref if answered < t <= answered + 10.0]
            took = 0.0
            for pos, since in need:
                held = [t for _, t, p in got if p >= pos]
                took = max(took, (max(0.0, held[0] - since) if held else float("inf")))
            catch_ups.append(took)
            if took > STALE_S:
                problems.append(f"{code}: a listener reconnected (its stream lost for {answered - lost:.2f} s) and "
                                f"held a stale board for {took:.2f} s")
        if spec["ref"] or not got:
            continue
        positions = [pos for _, _, pos in got]
        for position, answered in answers.get(code, []):
            k = bisect.bisect_left(positions, position)
            if k < len(got):
                to_listeners["C01" if code == "C01" else "others"].append(max(0.0, got[k][1] - answered))
    figures = {f"sheet_to_listener_{which}_{q}_ms": round(percentile(values, quantile) * 1000, 1)
               for which, values in to_listeners.items() for q, quantile in (("p50", 0.5), ("p99", 0.99))}
    figures.update({f"sheet_to_listener_{which}_max_ms": round(max(values, default=0.0) * 1000, 1)
                    for which, values in to_listeners.items()})
    return {"listeners_final_ok": ok, "boards_delivered": delivered, "reconnected": len(catch_ups),
            "catch_up_max_s": round(max(catch_ups, default=0.0), 3), "listener_refusals": heard["failures"],
            "listener_cpu_s": heard["cpu_s"],
            "deliveries_measured": sum(len(v) for v in to_listeners.values()), **figures}


# -- the city ---------------------------------------------------------------------------------------------------


def finalize(county: County, top: int) -> list[str]:
    """The county closes its final, publishes it (公示) and finalizes it after the
    publicity period, signing its head (as its admin does in the console); returns its
    top ``top`` entrants (by the final ranking of its read side)."""
    from domain.model.base import Actor
    from domain.services.app import Leitai
    from domain.services.clock import FixedClock
    from domain.services.store import application_env, parse_url
    from eventstore.signing import HeadSigner
    from eventstore.tree import TreeStore

    admin = Actor("province", "admin")
    store = parse_url(county.url)
    clock = FixedClock("2025-05-20T17:00")
    app = Leitai(env=application_env(store), clock=clock, store=store,
                 signer=HeadSigner(Path(county.env["LEITAI_SIGNING_KEY"]), TreeStore(store)))
    try:
        app.close_round(FINAL, admin)
        app.publish(FINAL, admin, on=date(2025, 5, 20))
        clock.set("2025-06-16T09:00")
        app.finalize(FINAL, admin)
    finally:
        app.close()
    from projections.queries import ReadModels

    read = ReadModels(store)
    try:
        deadline = time.monotonic() + 30
        while (board := read.leaderboard(FINAL))["status"] != "final" and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        read.close()
    return [e["entrant"] for e in board["entries"] if e.get("rank") is not None and int(e["rank"]) <= top]


def vkey(county: County) -> str:
    """The county's verifier key, as its ``leitai keys show`` prints it (handed to the city once)."""
    from domain.checkpoint import Note
    from eventstore.keys import load_signer
    from eventstore.notes import log_key

    with _urlopen(f"http://127.0.0.1:{county.front}/api/checkpoint") as answer:
        origin = Note.parse(answer.read().decode()).checkpoint.origin
    return str(log_key(origin, load_signer(Path(county.env["LEITAI_SIGNING_KEY"]), create=False).public_key))


def city(counties: list[County], clusters: list[Any], folder: Path, shape: Shape, problems: list[str],
         say: Callable[[str], None]) -> dict[str, Any]:
    """The city (a database on the last cluster) admits the top of ``shape.federated``
    counties spread over the clusters, from their URLs, with proof; then verifies every
    admission offline."""
    from domain.model.base import Actor
    from domain.services.app import Leitai
    from domain.services.clock import FixedClock
    from domain.services.setup import RoundSpec
    from domain.services.store import application_env, parse_url
    from tests.pg import APP_ROLE

    step = max(1, len(counties) // shape.federated)
    chosen = [counties[k * step] for k in range(shape.federated)]  # C01, and counties on every cluster
    expected = []
    for county in chosen:
        expected += [f"{county.code}-{entrant}" for entrant in finalize(county, shape.top)]
    server, databases = clusters[-1]
    url = server.url_for(databases.create(), user=APP_ROLE)
    admin = Actor("province", "admin")
    store = parse_url(url)
    app = Leitai(env=application_env(store), store=store, clock=FixedClock("2025-06-20T09:00"))
    try:
        app.register_ruleset(RULES, "province.toml", admin)
        app.create_contest("q", "市级擂台比武", ["county", "city"], admin)
        app.add_unit("q", "Q", "烟台市", "city", None, admin)
        app.register_judge("q", "K1", "评委K1", "Q", "", admin)
        app.schedule_round("q", RoundSpec("CF", "city", "Q", "2025-06", "province", judges=("K1",)), admin)
    finally:
        app.close()
    (folder / "city" / "data").mkdir(parents=True)
    env = {**os.environ, "LEITAI_SIGNING_KEY": str(folder / "city" / "signing-key.pem"),
           "XDG_DATA_HOME": str(folder / "city" / "data"), "LEITAI_CLOCK": "2025-06-20T09:00", "LEITAI_LANG": "en"}

    def leitai(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "api.cli.main", "--db", url, *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        if done.returncode:
            problems.append(f"city: leitai {' '.join(args)} exited {done.returncode}: {done.stderr[-1500:]}")
        return done.stdout

    started = time.monotonic()
    for county in chosen:
        for s in county.servers:  # the county's read side has its finalized round
            if not s.killed:
                deadline = time.monotonic() + 30
                while (h := s.health())["projected"] < h["events"] and time.monotonic() < deadline:
                    time.sleep(0.05)
        leitai("federation", "add", f"http://127.0.0.1:{county.front}", "--key", vkey(county), "--name", county.name,
               "--code", county.code, "--reason", "县级决赛前两名参加市级复评")
        leitai("federation", "admit", "CF", "--source", county.code, "--round", FINAL, "--top", str(shape.top))
    admitted_s = time.monotonic() - started
    started = time.monotonic()
    out = leitai("federation", "verify", "--json")
    verify_s = time.monotonic() - started
    try:
        verified = json.loads(out)
    except ValueError:
        verified = {}
        problems.append(f"city: federation verify --json printed no JSON: {out[:500]}")
    admissions = verified.get("admissions", []) if isinstance(verified, dict) else []
    good = [a for a in admissions if a.get("ok")]
    if len(admissions) != shape.federated or len(good) != len(admissions):
        problems.append(f"city: {len(good)} of {len(admissions)} admissions verified, expected {shape.federated}: "
                        f"{json.dumps(verified, ensure_ascii=False)[:1500]}")
    app = Leitai(env=application_env(store), store=store)
    try:
        entrants = sorted(app.read(lambda s: s.round("CF")).entrants)
    finally:
        app.close()
    if entrants != sorted(expected):
        problems.append(f"city: round CF holds {entrants}, expected {len(expected)} admitted entrants")
    say(f"   the city admitted {len(entrants)} finalists from {len(chosen)} counties "
        f"({', '.join(c.code for c in chosen)}) by URL with proof in {admitted_s:.1f} s; federation verify "
        f"re-checked {len(good)}/{len(admissions)} admissions offline in {verify_s:.1f} s")
    return {"city_admitted": len(entrants), "city_admissions_verified": len(good), "city_admit_s": round(admitted_s, 1),
            "city_verify_s": round(verify_s, 2), "city_sources": [c.code for c in chosen]}


def main() -> None:
    if sys.argv[1:] == ["listen"]:
        spec = json.loads(sys.stdin.readline())
        print(json.dumps(listen(spec)), flush=True)
        return
    shape = {"test": TEST, "quick": QUICK, "full": FULL}[sys.argv[1] if len(sys.argv) > 1 else "test"]
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="leitai-province-"))
    r = simulate(shape, folder)
    if r["problems"]:
        print(f"(kept for a look: {folder})", file=sys.stderr)
    else:
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps({k: v for k, v in r.items()}, ensure_ascii=False, indent=1, default=str))
    sys.exit(1 if r["problems"] else 0)


if __name__ == "__main__":
    main()
