"""``leitai serve`` stops in order: with big screens listening to a round's live board
(Server-Sent Events) and a request in flight, SIGTERM ends every stream cleanly, the
process exits in bounded time, and its log holds no traceback.

The CI run that found this: the worker threads were shut down (and the wake-up pipe
closed) before the streams were told to end, so a stream's next write met a closed pipe.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from tests.served import free_port as _free_port

ROOT = Path(__file__).resolve().parents[2]


def _listen(port: int, path: str, seen: dict[str, bytes], key: str, opened: threading.Event) -> None:
    """A big screen: read the stream until the server ends it (or 30 s pass)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if b"event: board" in data + chunk:
                opened.set()
            if not chunk or data.endswith(b"0\r\n\r\n"):
                break
            data += chunk
        seen[key] = data


def test_sigterm_ends_live_streams_and_stops_without_a_traceback(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'serve.db'}"
    cli = [sys.executable, "-m", "api.cli.main", "--db", db]
    done = subprocess.run([*cli, "import", str(ROOT / "examples" / "quickstart")], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([*cli, "live-board", "R-DZ-2025-06", "on"], capture_output=True, text=True, cwd=ROOT,
                          timeout=60)
    assert done.returncode == 0, done.stderr  # the hall's big screen may show it without signing in
    port = _free_port()
    log_path = tmp_path / "server.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen([*cli, "serve", "--port", str(port)], cwd=ROOT, stdout=log,
                                  stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                        health = json.loads(r.read())
                    if health["projected"] >= health["events"]:
                        break
                except OSError:
                    pass
                assert server.poll() is None and time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.2)
            seen: dict[str, bytes] = {}
            listeners = []
            for n in range(6):
                opened = threading.Event()
                t = threading.Thread(target=_listen, daemon=True,
                                     args=(port, "/api/rounds/R-DZ-2025-06/events", seen, str(n), opened))
                t.start()
                listeners.append((t, opened))
            for _, opened in listeners:
                assert opened.wait(20), "a stream never sent the board"
            stopped_at = time.monotonic()
            server.send_signal(signal.SIGTERM)
            assert server.wait(timeout=20) == 0
            took = time.monotonic() - stopped_at
        finally:
            if server.poll() is None:
                server.kill()
    for t, _ in listeners:
        t.join(timeout=10)
    text = log_path.read_text()
    assert "Traceback" not in text and "still running" not in text, text[-3000:]
    assert "擂台服务已停止" in text
    assert took < 8, f"stopping took {took:.1f} s"
    assert len(seen) == 6
    for data in seen.values():  # each stream was ended by the server: the last chunk of its response
        assert b"event: board" in data and data.endswith(b"0\r\n\r\n"), data[-200:]


def test_the_projector_does_not_outlive_a_server_killed_outright(tmp_path: Path) -> None:
    """kill -9 (or the out-of-memory killer) gives ``leitai serve`` no chance to stop its
    projector: the projector notices its server is gone and stops by itself."""
    import os

    db = f"sqlite:///{tmp_path / 'killed.db'}"
    cli = [sys.executable, "-m", "api.cli.main", "--db", db]
    assert subprocess.run([*cli, "db", "migrate"], capture_output=True, cwd=ROOT, timeout=60).returncode == 0
    server = subprocess.Popen([*cli, "serve", "--port", str(_free_port())], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        children: list[int] = []
        deadline = time.monotonic() + 30
        while not children and time.monotonic() < deadline:
            time.sleep(0.2)
            listed = Path(f"/proc/{server.pid}/task/{server.pid}/children")
            children = [int(pid) for pid in listed.read_text().split()] if listed.exists() else []
        assert children, "leitai serve started no projector"
        server.kill()
        server.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() and
                                                  "Z" not in _state(pid) for pid in children):
            time.sleep(0.2)
        assert not any(Path(f"/proc/{pid}").exists() and "Z" not in _state(pid) for pid in children), \
            "the projector outlived its server"
    finally:
        if server.poll() is None:
            server.kill()
        for pid in locals().get("children", []):
            try:
                os.kill(pid, 9)
            except OSError:
                pass


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"
