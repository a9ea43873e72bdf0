"""`leitai serve` as a real process, for the tests that drive it with a browser or over HTTP:
started on a free port, waited for until its read side has caught up, stopped at the end, and
its log checked for a traceback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Served:
    base: str  # http://127.0.0.1:PORT
    port: int
    process: subprocess.Popen[bytes]


@contextmanager
def leitai_serve(db: str, folder: Path, *options: str, env: dict[str, str] | None = None,
                 wait: float = 60) -> Iterator[Served]:
    """``leitai --db DB serve`` (with ``options``), once it has projected every recorded event;
    the log is ``folder/server.log``."""
    port = free_port()
    log_path = folder / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "api.cli.main", "--db", db, "serve", "--port", str(port),
                                    *options], cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log,
                                   stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + wait
            while True:
                try:
                    with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                        health = json.loads(r.read())
                    if health["projected"] >= health["events"]:
                        break
                except (OSError, ValueError):
                    pass
                if process.poll() is not None or time.time() > deadline:
                    raise RuntimeError(log_path.read_text()[-3000:])
                time.sleep(0.2)
            yield Served(base, port, process)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    assert b"Traceback" not in log_path.read_bytes(), log_path.read_text()[-3000:]
