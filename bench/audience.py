"""The live audience (issue 17, item 1): N listeners on a round's live board, each engine in
the same run on the same store and the same machine.

* serve   - today's path, the baseline: every listener on `leitai serve`'s own stream
            (waitress, one thread per listener: ``--threads N+64``, ``LEITAI_MAX_STREAMS=N``);
* nchan   - nginx with the nchan module on the repository's configuration (deploy/nginx/,
            two workers), the projector publishing each changed public board once
            (LEITAI_FANOUT_URL, projections/fanout.py);
* relay   - Redis pub/sub and a small asyncio relay (this module): the same publisher code
            (projections/fanout.Fanout) publishing to Redis from a process woken by the
            projector's ``leitai_projected`` notification; two relay processes (one per
            core, like nginx's two workers) send each board to their listeners.  A
            home-made broker, measured only to compare.

The listeners are plain sockets read with epoll in 2 processes of their own (``python -m
bench.audience listen``, at nice 10), connections spread over 127.0.0.2-127.0.0.61 so that the
client ports last.  Once every listener has its first board, sheets are recorded one at a
time (the application in this process, as `leitai sheet` would); the time from recording a
sheet until a board that includes it has reached each listener's socket (the kernel's
receive time) is the latency; when the load generator got round to reading it is reported
beside it.  Ids are checked (each listener's ids strictly
increasing, none twice), and each board's bytes (CRC-32) are matched against the board
`leitai serve` streams for the same position: none missed, none different.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path
from typing import Any

from bench.concurrency import RULES as HALL_RULES
from domain.model.base import Actor
from domain.services.store import StoreURL

ROUND, CONTEST, JUDGES, ENTRANTS = "LIVE", "aud", 5, 20
ADMIN = Actor("bench", "admin")
GOAL_LISTENERS, GOAL_P99_MS = 20_000, 1000.0
RULES = HALL_RULES.replace('code = "bench-hall"', 'code = "bench-audience"')  # the hall's rules, its own code
PROCESSES = 2  # listener processes; also nginx's workers and the relay's processes (one per core)
SOURCES = 60  # source addresses 127.0.0.2 ... for the listeners' connections


def raise_open_files(want: int) -> int:
    """Raise this process's limit of open files towards ``want`` (never lowering it; beyond
    the hard limit only where the process may); returns the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if want <= soft:
        return soft
    for target in ((want, max(want, hard)), (min(want, hard), hard)):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, target)
            return target[0]
        except (ValueError, OSError):
            continue
    return soft


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the contest ------------------------------------------------------------------------------------


def setup(store: StoreURL) -> Any:
    """A round scored with its live board on (20 entrants, 5 judges); returns the application."""
    from domain.services.app import Leitai
    from domain.services.setup import RoundSpec
    from domain.services.store import application_env
    import migrations

    migrations.migrate(store)
    app = Leitai(env=application_env(store), store=store)
    app.register_ruleset(RULES, "audience.toml", ADMIN)

    def contest(s: Any) -> None:
        s.create_contest(CONTEST, "直播", ["township", "county"], ADMIN)
        s.add_unit(CONTEST, "C", "县", "county", None, ADMIN)
        s.add_unit(CONTEST, "T", "镇", "township", "C", ADMIN)
        for j in range(JUDGES):
            s.register_judge(CONTEST, f"J{j}", f"评委{j}", "C", "", ADMIN)
        for e in range(ENTRANTS):
            s.register_organization(CONTEST, f"O{e:02d}", f"村{e}", "T", "village", "", "书记", ADMIN)

    app.run(contest)
    app.schedule_round(CONTEST, RoundSpec(ROUND, "township", "T", "2025-06", "bench-audience",
                                          judges=tuple(f"J{j}" for j in range(JUDGES)), live_board=True), ADMIN)
    app.open_round(ROUND, ADMIN)
    return app


class Sheets:
    """Each call records the next sheet of the round; returns its position."""

    def __init__(self, app: Any) -> None:
        self.app, self.n = app, 0

    def __call__(self) -> int:
        j, e = self.n % JUDGES, self.n // JUDGES
        self.n += 1
        marks = {"party": f"{20 + (j * 7 + e) % 10}.5", "industry": f"{10 + (j + e * 3) % 10}"}
        outcome = self.app.execute(lambda s: s.submit_sheet(ROUND, f"J{j}", f"O{e:02d}", marks,
                                                            Actor(f"J{j}", "judge")), f"round {ROUND}")
        return int(outcome.position)


# -- the reference: what `leitai serve` streams ---------------------------------------------------------


class Reference(threading.Thread):
    """One listener on `leitai serve` itself: the bytes of each board by position."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True, name="audience-reference")
        self.port = port
        self.boards: dict[int, int] = {}  # CRC-32 of the board -> its position
        self.seen: dict[int, float] = {}  # position -> when this listener had it
        self.latest = 0
        self.changed = threading.Condition()
        self.stop = False

    def run(self) -> None:
        while not self.stop:  # a stream refused or ended (the server busy) is opened again
            try:
                self.listen()
            except OSError:
                pass
            time.sleep(0.2)

    def listen(self) -> None:
        with socket.create_connection(("127.0.0.1", self.port), timeout=60) as s:
            s.sendall(f"GET /api/rounds/{ROUND}/events HTTP/1.0\r\nAccept: text/event-stream\r\n\r\n".encode())
            buffer = b""
            while not self.stop:
                try:
                    chunk = s.recv(1 << 16)
                except TimeoutError:
                    continue
                if not chunk:
                    return
                buffer += chunk
                while b"\n\n" in buffer:
                    block, buffer = buffer.split(b"\n\n", 1)
                    found = parse_block(block)
                    if found:
                        with self.changed:
                            self.boards[found[1]] = int(found[0])
                            self.seen[int(found[0])] = time.monotonic()
                            self.latest = max(self.latest, int(found[0]))
                            self.changed.notify_all()

    def wait(self, position: int, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        with self.changed:
            while self.latest < position:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.changed.wait(left)
        return True


def parse_block(block: bytes) -> tuple[str, int] | None:
    """(id, CRC-32 of the data) of a board event; None for anything else."""
    if b"event: board" not in block:
        return None
    ident, data = "", b""
    for line in block.split(b"\n"):
        if line.startswith(b"id: "):
            ident = line[4:].decode()
        elif line.startswith(b"data: "):
            data = line[6:]
    return ident, zlib.crc32(data)


# -- the listeners (a process of their own) -----------------------------------------------------------


def listen(spec: dict[str, Any]) -> dict[str, Any]:
    """``count`` listeners in this process, read with epoll.  Each board's time is when its
    last bytes reached the listener's socket (the kernel's receive time, SO_TIMESTAMPNS): a
    listener's own device reads its board at once, while here one process reads thousands
    in turn - the time it took to get to each is the load generator's, not the engine's
    (it is recorded too: ``read_p50_ms``, ``read_p99_ms``).  The process runs at nice 10, so that
    on a shared machine the engine under test is not kept waiting by its own audience."""
    import selectors

    from tests.nginx import SO_TIMESTAMPNS, receive

    raise_open_files(spec["count"] + 1024)
    os.nice(10)  # the engine measured first: this process reads what has arrived when a core is free
    request = (f"GET /api/rounds/{ROUND}/events HTTP/1.0\r\nHost: 127.0.0.1\r\n"
               "Accept: text/event-stream\r\n\r\n").encode()
    selector = selectors.DefaultSelector()
    count = spec["count"]
    events: list[list[tuple[str, float, int, float]]] = [[] for _ in range(count)]
    buffers = [b""] * count
    heads = [True] * count
    failures: dict[str, int] = {}
    offset = time.time() - time.monotonic()  # kernel timestamps are wall-clock: to the monotonic clock

    def failed(why: str) -> None:
        failures[why] = failures.get(why, 0) + 1

    sockets = []
    for i in range(count):
        s = socket.socket()
        try:
            s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            s.bind((f"127.0.0.{2 + (spec['offset'] + i) % SOURCES}", 0))
            s.settimeout(30)
            s.connect(("127.0.0.1", spec["port"]))
            s.sendall(request)
            s.setblocking(False)
        except OSError as error:
            failed(f"connect: {error.strerror or error}")
            s.close()
            continue
        sockets.append(s)
        selector.register(s, selectors.EVENT_READ, i)
    selector.register(sys.stdin, selectors.EVENT_READ, -1)
    ready_by = time.monotonic() + spec.get("ready_timeout", 60)
    ready_said, stopping = False, False
    waiting = len(sockets)
    while not stopping:
        if not ready_said and (waiting == 0 or time.monotonic() > ready_by):
            print(json.dumps({"ready": sum(1 for e in events if e)}), flush=True)
            ready_said = True
        for key, _ in selector.select(timeout=0.5):
            i = key.data
            if i < 0:
                sys.stdin.readline()  # the driver says when to stop
                stopping = True
                break
            s = key.fileobj
            try:
                data, arrived = receive(s, offset)  # type: ignore[arg-type]
            except (BlockingIOError, InterruptedError):
                continue
            except OSError as error:
                data = b""
                failed(f"read: {error.strerror or error}")
            if not data:
                failed("closed by the server")
                selector.unregister(s)
                continue
            now = time.monotonic()
            buffer = buffers[i] + data
            if heads[i]:
                end = buffer.find(b"\r\n\r\n")
                if end < 0:
                    buffers[i] = buffer
                    continue
                status = buffer[:end].split(b" ", 2)[1]
                if status != b"200":
                    failed(f"HTTP {status.decode()}")
                heads[i], buffer = False, buffer[end + 4:]
            while (end := buffer.find(b"\n\n")) >= 0:
                found = parse_block(buffer[:end])
                buffer = buffer[end + 2:]
                if found:
                    if not events[i]:
                        waiting -= 1
                    events[i].append((found[0], arrived, found[1], now))
            buffers[i] = buffer
    for s in sockets:
        s.close()
    return {"events": events, "failures": failures}


# -- the relay (a process of its own) -------------------------------------------------------------------


def resp(*parts: bytes) -> bytes:
    return b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)


class RedisEngine:
    """Boards to Redis: SET (for newcomers) and PUBLISH, ``<position>\\n<board JSON>``."""

    def __init__(self, url: str) -> None:
        host, port = url.split("//", 1)[1].split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        self.reader = self.sock.makefile("rb")

    def _call(self, *parts: bytes) -> bytes:
        self.sock.sendall(resp(*parts))
        return self.reader.readline()

    def publish(self, channel: str, body: bytes, position: int = 0) -> None:
        payload = b"%d\n%s" % (position, body)
        self._call(b"SET", f"leitai:board:{channel}".encode(), payload)
        self._call(b"PUBLISH", f"leitai:board:{channel}".encode(), payload)

    def delete(self, channel: str) -> None:
        self._call(b"DEL", f"leitai:board:{channel}".encode())

    def close(self) -> None:
        self.sock.close()


def publisher(db: str, redis_url: str) -> None:
    """The projector's publisher, publishing to Redis (woken by ``leitai_projected``)."""
    from domain.services.store import parse_url
    from projections.fanout import Fanout

    store = parse_url(db)
    fanout = Fanout(store, "", engine=RedisEngine(redis_url))
    listener = fanout.read.store.listener("leitai_projected")
    while True:
        fanout.publish_changes()
        for _ in listener.notifies(timeout=0.5, stop_after=1):
            break


async def relay(port: int, redis_url: str) -> None:
    """Server-Sent Events from Redis pub/sub: each board formatted once, written to every
    listener of this process (``PROCESSES`` of them share the port: SO_REUSEPORT)."""
    raise_open_files(60_000)
    host, redis_port = redis_url.split("//", 1)[1].split(":")
    listeners: dict[str, set[Any]] = {}
    current: dict[str, bytes] = {}

    def event(payload: bytes) -> bytes:
        position, _, body = payload.partition(b"\n")
        return b"id: %s\nevent: board\ndata: %s\n\n" % (position, body)

    reader, writer = await asyncio.open_connection(host, int(redis_port))
    writer.write(resp(b"PSUBSCRIBE", b"leitai:board:*"))  # first: nothing published after the reads below is lost
    await read_reply(reader)
    get_reader, get_writer = await asyncio.open_connection(host, int(redis_port))
    get_writer.write(resp(b"KEYS", b"leitai:board:*"))
    for key in await read_reply(get_reader) or []:
        get_writer.write(resp(b"GET", key))
        value = await read_reply(get_reader)
        if value:
            current.setdefault(key.decode().rsplit(":", 1)[1], event(value))
    get_writer.close()

    class Stream(asyncio.Protocol):
        def connection_made(self, transport: Any) -> None:
            self.transport, self.buffer, self.channel = transport, b"", None

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            if self.channel is None and b"\r\n\r\n" in self.buffer:
                path = self.buffer.split(b" ", 2)[1].decode()
                self.channel = path.split("/")[3] if path.count("/") == 4 else ""
                self.transport.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/event-stream\r\n"
                                     b"Cache-Control: no-cache\r\n\r\n")
                listeners.setdefault(self.channel, set()).add(self.transport)
                if self.channel in current:
                    self.transport.write(current[self.channel])

        def connection_lost(self, exc: Exception | None) -> None:
            listeners.get(self.channel or "", set()).discard(self.transport)

    loop = asyncio.get_running_loop()
    server = await loop.create_server(Stream, "127.0.0.1", port, backlog=4096, reuse_port=True)
    print("relay ready", flush=True)
    async with server:
        while True:
            message = await read_reply(reader)  # pmessage, pattern, channel, payload
            channel = message[2].decode().rsplit(":", 1)[1]
            current[channel] = data = event(message[3])
            for transport in list(listeners.get(channel, ())):
                transport.write(data)


async def read_reply(reader: asyncio.StreamReader) -> Any:
    line = await reader.readline()
    kind, rest = line[:1], line[1:-2]
    if kind == b"$":
        size = int(rest)
        return None if size < 0 else (await reader.readexactly(size + 2))[:-2]
    if kind == b"*":
        return [await read_reply(reader) for _ in range(int(rest))]
    if kind == b":":
        return int(rest)
    return rest


# -- the driver ---------------------------------------------------------------------------------------


def phase(name: str, port: int, listeners: int, sheets: Sheets, reference: Reference, count: int,
          interval: float, ready_timeout: float) -> dict[str, Any]:
    """``listeners`` on ``port``, ``count`` sheets; latencies, misses and id checks."""
    share = [listeners // PROCESSES + (1 if i < listeners % PROCESSES else 0) for i in range(PROCESSES)]
    processes = []
    connect_started = time.monotonic()
    for i, n in enumerate(share):
        spec = {"port": port, "count": n, "offset": sum(share[:i]), "ready_timeout": ready_timeout}
        processes.append(subprocess.Popen([sys.executable, "-m", "bench.audience", "listen", json.dumps(spec)],
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
    ready = 0
    for p in processes:
        assert p.stdout is not None
        line = p.stdout.readline()
        ready += json.loads(line)["ready"] if line.strip() else 0
    connected_in = time.monotonic() - connect_started
    print(f"   {name}: {ready:,} of {listeners:,} listeners have the board ({connected_in:.1f} s); "
          f"recording {count} sheets", flush=True)
    sent: list[tuple[int, float]] = []
    for _ in range(count):
        started = time.monotonic()
        position = sheets()
        sent.append((position, started))
        if not reference.wait(position):
            print(f"   {name}: leitai serve's own stream did not show position {position} within 30 s", flush=True)
        time.sleep(interval)
    time.sleep(max(2.0, interval))
    received: list[list[list[Any]]] = []
    failures: dict[str, int] = {}
    for p in processes:
        out, _ = p.communicate("stop\n", timeout=300)
        result = json.loads(out.strip().splitlines()[-1])
        received += result["events"]
        for why, n in result["failures"].items():
            failures[why] = failures.get(why, 0) + n
    # The listeners are gone; `leitai serve` finds a stream closed only when a write to it fails -
    # the second write after the listener left (the first only brings back the reset).  Two sheets
    # more, not measured, let it end them all before the next engine is measured, rather than during.
    for _ in range(2):
        reference.wait(sheets())
        time.sleep(0.5)
    time.sleep(3.0)
    return analyse(name, listeners, ready, connected_in, sent, received, reference, failures)


def analyse(name: str, listeners: int, ready: int, connected_in: float, sent: list[tuple[int, float]],
            received: list[list[list[Any]]], reference: Reference, failures: dict[str, int]) -> dict[str, Any]:
    latencies: list[float] = []
    seen_after: list[float] = []  # until the load generator's process read it
    per_sheet: list[list[float]] = [[] for _ in sent]
    missed = unknown = disordered = 0
    for events in received:
        positions, last_id = [], None
        for ident, at, crc, seen in events:
            position = reference.boards.get(crc)  # the bytes of a board leitai serve streamed
            if position is None or (ident.isdigit() and int(ident) != position):
                unknown += 1
                continue
            key = tuple(int(x) for x in ident.split(":")) if ident else None
            if key is not None and last_id is not None and key <= last_id:
                disordered += 1  # an id not after the one before: a board twice, or out of order
            last_id = key
            positions.append((position, at, seen))
        for k, (position, started) in enumerate(sent):
            arrived = next(((at, seen) for p, at, seen in positions if p >= position), None)
            if arrived is None:
                missed += 1
            else:
                latencies.append(arrived[0] - started)
                per_sheet[k].append(arrived[0] - started)
                seen_after.append(arrived[1] - started)
    latencies.sort()
    seen_after.sort()

    def pct(q: float, values: list[float] = latencies) -> float | None:
        return round(values[min(len(values) - 1, int(q * len(values)))] * 1000, 1) if values else None

    return {"engine": name, "listeners": listeners, "ready": ready, "connected_s": round(connected_in, 1),
            "sheets": len(sent), "expected": listeners * len(sent), "deliveries": len(latencies), "missed": missed,
            "unknown_bytes": unknown, "ids_out_of_order": disordered, "p50_ms": pct(0.50), "p99_ms": pct(0.99),
            "max_ms": pct(1.0), "read_p50_ms": pct(0.5, seen_after), "read_p99_ms": pct(0.99, seen_after),
            # per sheet: when leitai serve's own stream (one listener) had it, and the listeners' p50 / max
            "per_sheet_ms": [[round((reference.seen.get(position, started) - started) * 1000),
                              pct(0.5, sorted(ls)), pct(1.0, sorted(ls))]
                             for (position, started), ls in zip(sent, per_sheet, strict=True)],
            "failures": failures}


def run(store: StoreURL, quick: bool) -> dict[str, Any]:
    from tests import nginx as engine

    problem = engine.missing()
    if problem:
        raise RuntimeError(problem)
    baseline, audience = (300, 300) if quick else (2000, GOAL_LISTENERS)
    count, interval = (3, 0.3) if quick else (8, 1.5)
    app = setup(store)
    folder = Path(tempfile.mkdtemp(prefix="leitai-bench-audience-"))
    publisher_port = free_port()
    port = free_port()
    env = {**os.environ, "LEITAI_FANOUT_URL": f"http://127.0.0.1:{publisher_port}/pub",
           "LEITAI_MAX_STREAMS": str(baseline + 1),  # + the reference listener
           "LEITAI_SIGNING_KEY": str(folder / "signing-key.pem")}
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli.main", "--db", store.url, "serve", "--port", str(port),
         "--threads", str(baseline + 65)], env=env, stdout=subprocess.DEVNULL,
        stderr=open(folder / "server.log", "wb"), preexec_fn=lambda: raise_open_files(baseline + 2048))
    results: dict[str, Any] = {"phases": []}
    try:
        wait_http(port, server, folder / "server.log")
        reference = Reference(port)
        reference.start()
        sheets = Sheets(app)
        reference.wait(1, timeout=30)
        with engine.nginx(port, connections=audience + 1024, publisher=publisher_port, workers=PROCESSES) as node:
            results["phases"].append(phase("serve", port, baseline, sheets, reference, count, interval, 60))
            results["phases"].append(phase("nchan", node.port, audience, sheets, reference, count, interval, 120))
        with engine.redis_server() as redis:
            relay_port = free_port()
            feeder = subprocess.Popen([sys.executable, "-m", "bench.audience", "publish", store.url, redis])
            relays = [subprocess.Popen([sys.executable, "-m", "bench.audience", "relay", str(relay_port), redis],
                                       stdout=subprocess.PIPE, text=True) for _ in range(PROCESSES)]
            try:
                for relayer in relays:
                    assert relayer.stdout is not None
                    relayer.stdout.readline()
                time.sleep(0.5)
                results["phases"].append(phase("relay", relay_port, audience, sheets, reference, count, interval,
                                               120))
            finally:
                for p in (feeder, *relays):
                    p.terminate()
                    p.wait(timeout=10)
        reference.stop = True
        results["board_bytes"] = board_size(port)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        app.close()
        shutil.rmtree(folder, ignore_errors=True)
    return results


def board_size(port: int) -> int:
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/rounds/{ROUND}/board", timeout=10) as r:
        return len(r.read())


def wait_http(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    import urllib.request

    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                health = json.loads(r.read())
            if health["projected"] >= health["events"]:  # the round is on the read side
                return
            time.sleep(0.2)
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"leitai serve exited: {log.read_text()[-2000:]}") from None
            time.sleep(0.2)
    raise RuntimeError("leitai serve did not answer within 60 s")


def report(r: dict[str, Any], check: bool = True) -> list[str]:
    phases = {p["engine"]: p for p in r["phases"]}
    base = phases.get("serve")
    lines = [f"   audience: a sheet -> every listener's board ({r.get('board_bytes', 0):,}-byte board; the first "
             "line, leitai serve's own stream, is the baseline)"]
    for p in r["phases"]:
        ratio = ""
        if base and p is not base and base["p99_ms"] and p["p99_ms"]:
            ratio = f"  p99 {p['p99_ms'] / base['p99_ms']:.2f}x the baseline's at {p['listeners'] / base['listeners']:.0f}x " \
                    "the listeners"
        lines.append(f"   audience: {p['engine']:<6} {p['listeners']:>6,} listeners ({p['ready']:,} ready in "
                     f"{p['connected_s']} s)  p50 {p['p50_ms']} ms  p99 {p['p99_ms']} ms  max {p['max_ms']} ms  "
                     f"{p['deliveries']:,}/{p['expected']:,} delivered, {p['missed']} missed, "
                     f"{p['unknown_bytes']} unknown bytes, {p['ids_out_of_order']} ids out of order; read by the "
                     f"load generator p50 {p['read_p50_ms']} ms, p99 {p['read_p99_ms']} ms"
                     + (f", failures {p['failures']}" if p["failures"] else "") + ratio)
        lines.append("             per sheet (ms: leitai serve's own stream had it / listeners p50 / max): "
                     + ", ".join(f"{a}/{b}/{c}" for a, b, c in p.get("per_sheet_ms", [])))
    nchan = phases.get("nchan")
    if nchan:
        met = (nchan["listeners"] >= GOAL_LISTENERS and nchan["missed"] == 0 and nchan["unknown_bytes"] == 0
               and nchan["ids_out_of_order"] == 0 and (nchan["p99_ms"] or 1e9) <= GOAL_P99_MS)
        verdict = ("met" if met else "NOT met") if check else "(quick: not checked)"
        lines.append(f"   audience: >= {GOAL_LISTENERS:,} listeners on nginx+nchan, p99 <= {GOAL_P99_MS:.0f} ms, "
                     f"none missed  {verdict}")
    return lines


def main() -> None:
    mode = sys.argv[1]
    if mode == "listen":
        print(json.dumps(listen(json.loads(sys.argv[2]))), flush=True)
    elif mode == "relay":
        asyncio.run(relay(int(sys.argv[2]), sys.argv[3]))
    elif mode == "publish":
        publisher(sys.argv[2], sys.argv[3])


def part(stores: Any, quick: bool) -> tuple[dict[str, Any], list[str]]:
    """`python -m bench --part audience`: on a fresh PostgreSQL database of the run's server."""
    print(f"\n== the live audience: leitai serve (the baseline), nginx+nchan and a Redis relay "
          f"({'quick: 300 listeners each' if quick else f'2,000 on leitai serve, {GOAL_LISTENERS:,} on each engine'})",
          flush=True)
    store, _ = stores.fresh("postgresql")
    try:
        r = run(store, quick)
    finally:
        stores.drop(store)
    lines = report(r, check=not quick)
    return r, lines


if __name__ == "__main__":
    main()
