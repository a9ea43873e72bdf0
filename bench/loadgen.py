"""A small HTTP/1.1 load generator for the HTTP benchmark (bench/http.py).

It runs in a process of its own, so that the server under test does not share its
interpreter, and keeps each connection open (keep-alive) in a closed loop: the next
request when the last one is answered, as a judge's tablet or a hall screen would.
One asyncio loop drives every connection; requests are prepared as bytes beforehand,
and a response is parsed only as far as its status, ETag and length (SSE: its ids).

    python -m bench.loadgen < spec.json > result.json

The spec names the server and one of these modes:

* ``requests``: workers, each a list of requests sent one after another until the
  time is up or its list is done (``repeat``: over again); latencies and status codes
  are counted;
* ``board``: viewers polling one path; half of them conditional (``If-None-Match`` with
  the last ETag), whose 304 answers are counted apart;
* ``sse``: listeners of one stream, and a driver that records sheets one at a time;
  for each sheet, the time from sending it until each listener has received a board at
  or after the sheet's log position.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from typing import Any


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=2**22)

    async def request(self, raw: bytes) -> tuple[int, dict[bytes, bytes], bytes]:
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if b":" in line:
                k, v = line.split(b":", 1)
                headers[k.strip().lower()] = v.strip()
        if b"content-length" in headers:
            body = await self.reader.readexactly(int(headers[b"content-length"]))
        elif headers.get(b"transfer-encoding") == b"chunked":
            body = await self._chunked()
        else:
            body = b""
        if headers.get(b"connection") == b"close":
            self.close()
        return status, headers, body

    async def _chunked(self) -> bytes:
        assert self.reader is not None
        out = b""
        while True:
            size = int((await self.reader.readline()).strip().split(b";")[0], 16)
            if size == 0:
                await self.reader.readline()
                return out
            out += await self.reader.readexactly(size)
            await self.reader.readline()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def raw_request(method: str, path: str, host: str, headers: dict[str, str] | None = None,
                body: Any = None) -> bytes:
    data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    for k, v in (headers or {}).items():
        lines.append(f"{k}: {v}")
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + data


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered))) - 1))]


def summary(latencies: list[float], seconds: float, statuses: dict[int, int]) -> dict[str, Any]:
    return {"requests": len(latencies), "seconds": round(seconds, 3),
            "rate": len(latencies) / seconds if seconds else 0.0,
            "p50_ms": 1000 * (percentile(latencies, 0.50) or 0), "p99_ms": 1000 * (percentile(latencies, 0.99) or 0),
            "max_ms": 1000 * max(latencies, default=0), "statuses": {str(k): v for k, v in sorted(statuses.items())}}


async def run_requests(spec: dict[str, Any]) -> dict[str, Any]:
    host, port, limit = spec["host"], spec["port"], spec["seconds"]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.perf_counter() + limit

    async def worker(requests: list[dict[str, Any]]) -> None:
        conn = Connection(host, port)
        prepared = [raw_request(r["method"], r["path"], f"{host}:{port}", r.get("headers"), r.get("body"))
                    for r in requests]
        if spec.get("repeat"):
            prepared = itertools.cycle(prepared)  # type: ignore[assignment]
        for raw in prepared:
            if time.perf_counter() > deadline:
                break
            started = time.perf_counter()
            status, _, _ = await conn.request(raw)
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
        conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in spec["workers"]))
    return summary(latencies, time.perf_counter() - started, statuses)


async def run_board(spec: dict[str, Any]) -> dict[str, Any]:
    host, port, limit, path = spec["host"], spec["port"], spec["seconds"], spec["path"]
    plain: list[float] = []
    conditional: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.perf_counter() + limit

    async def viewer(conditional_get: bool) -> None:
        conn = Connection(host, port)
        tag: str | None = None
        while time.perf_counter() < deadline:
            headers = {"If-None-Match": tag} if conditional_get and tag else {}
            raw = raw_request("GET", path, f"{host}:{port}", headers)
            started = time.perf_counter()
            status, got, _ = await conn.request(raw)
            (conditional if conditional_get else plain).append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
            if b"etag" in got:
                tag = got[b"etag"].decode()
        conn.close()

    trickled: list[int] = []

    async def trickle() -> None:
        """Sheets keep arriving while the viewers poll: the board changes under them."""
        conn = Connection(host, port)
        for item in spec.get("trickle", []):
            if time.perf_counter() > deadline:
                break
            status, _, _ = await conn.request(raw_request(item["method"], item["path"], f"{host}:{port}",
                                                          item.get("headers"), item.get("body")))
            trickled.append(status)
            await asyncio.sleep(spec.get("trickle_interval", 0.05))
        conn.close()

    started = time.perf_counter()
    await asyncio.gather(trickle(), *(viewer(i % 2 == 1) for i in range(spec["viewers"])))
    seconds = time.perf_counter() - started
    both = summary(plain + conditional, seconds, statuses)
    both["plain"] = summary(plain, seconds, {})
    both["conditional"] = summary(conditional, seconds, {})
    both["not_modified"] = statuses.get(304, 0)
    both["trickled"] = {"sheets": len(trickled), "recorded": sum(1 for s in trickled if s in (200, 201))}
    return both


async def run_sse(spec: dict[str, Any]) -> dict[str, Any]:
    host, port, path = spec["host"], spec["port"], spec["path"]
    received: list[list[tuple[int, float]]] = [[] for _ in range(spec["listeners"])]
    ready = [asyncio.Event() for _ in range(spec["listeners"])]
    stop = asyncio.Event()

    async def listener(index: int) -> None:
        reader, writer = await asyncio.open_connection(host, port, limit=2**22)
        writer.write(raw_request("GET", path, f"{host}:{port}", {"Accept": "text/event-stream"}))
        await reader.readuntil(b"\r\n\r\n")
        buffer = b""
        while not stop.is_set():
            try:
                line = await asyncio.wait_for(reader.readline(), timeout=0.5)
            except asyncio.TimeoutError:
                continue
            if not line:
                break
            size = int(line.strip().split(b";")[0] or b"0", 16)  # chunked transfer encoding
            if size == 0:
                break
            buffer += await reader.readexactly(size)
            await reader.readline()
            now = time.perf_counter()
            while b"\n\n" in buffer:
                block, buffer = buffer.split(b"\n\n", 1)
                for part in block.split(b"\n"):
                    if part.startswith(b"id: "):
                        received[index].append((int(part[4:]), now))
                        ready[index].set()
        writer.close()

    tasks = [asyncio.create_task(listener(i)) for i in range(spec["listeners"])]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in ready)), timeout=60)
    driver = Connection(host, port)
    sent: list[tuple[int, float]] = []
    for item in spec["sheets"]:
        raw = raw_request("POST", item["path"], f"{host}:{port}", item["headers"], item["body"])
        started = time.perf_counter()
        status, _, body = await driver.request(raw)
        if status in (200, 201):
            sent.append((json.loads(body)["position"], started))
        await asyncio.sleep(spec["interval"])
    await asyncio.sleep(1.0)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    driver.close()
    latencies: list[float] = []
    missed = 0
    for events in received:
        for position, at in sent:
            arrived = next((t for p, t in events if p >= position), None)
            if arrived is None:
                missed += 1
            else:
                latencies.append(arrived - at)
    out = summary(latencies, 0.0, {})
    out.update({"listeners": spec["listeners"], "sheets": len(sent), "deliveries": len(latencies), "missed": missed})
    return out


def main() -> None:
    spec = json.load(sys.stdin)
    runner = {"requests": run_requests, "board": run_board, "sse": run_sse}[spec["mode"]]
    result = asyncio.run(runner(spec))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
