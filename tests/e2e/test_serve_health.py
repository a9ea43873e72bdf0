"""``leitai serve`` watches its projector (issue 14, item 7), on both stores: after
``kill -9`` of the projector, ``/healthz`` answers 503 within seconds naming the problem,
the server restarts the projector and logs it, and ``/healthz`` is 200 again with the
read side following new writes.  A read side left behind (nothing projecting) is 503 too."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.scenario import small_contest
from tests.served import free_port as _free_port

ROOT = Path(__file__).resolve().parents[2]
LEITAI = str(Path(sys.executable).parent / "leitai")


def _health(port: int) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz?lang=en", timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _until(port: int, ok: Any, timeout: float, server: subprocess.Popen[bytes], log: Path) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    seen: Any = None
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            seen = _health(port)
        except OSError:
            seen = None
        if seen is not None and ok(*seen):
            return seen[1]
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s; last /healthz: {seen}\n{log.read_text()[-3000:]}")


def _projector_pid(server: subprocess.Popen[bytes]) -> int:
    """The server's one child process (started by whichever of its threads)."""
    children = [int(pid) for task in Path(f"/proc/{server.pid}/task").iterdir()
                for pid in (task / "children").read_text().split()]
    assert len(children) == 1, children
    return children[0]


def test_a_killed_projector_fails_the_health_check_and_is_restarted(app: Any, store_url: str, tmp_path: Path
                                                                    ) -> None:
    small_contest(app)
    port = _free_port()
    log = tmp_path / "server.log"
    env = {**os.environ, "LEITAI_LANG": "en"}
    with open(log, "wb") as out:
        server = subprocess.Popen([LEITAI, "--db", store_url, "serve", "--port", str(port), "--threads", "40"],
                                  cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        health = _until(port, lambda status, body: status == 200 and body["projected"] >= body["events"], 60,
                        server, log)
        assert health["ok"] is True
        killed = _projector_pid(server)
        os.kill(killed, signal.SIGKILL)
        found_at = time.monotonic()
        failing = _until(port, lambda status, body: status == 503, 5, server, log)  # it answered 200 for ever
        assert time.monotonic() - found_at < 5
        elected = {"role": "leader", "leader": health["projector"].get("leader")} if "postgresql" in store_url else {}
        assert health["lag_seconds"] == 0 and health["projector"] == {
            "running": True, "supervised": True, "pid": killed, "restarts": 0, **elected}, health
        assert failing["ok"] is False and failing["projector"]["running"] is False
        assert [p["code"] for p in failing["problems"]] == ["ProjectorNotRunning"], failing
        assert "projector is not running" in failing["problems"][0]["message"], failing
        back = _until(port, lambda status, body: status == 200 and body["projector"]["running"], 30, server, log)
        assert back["ok"] is True and back["projector"]["restarts"] == 1 and back["projector"]["pid"] != killed
        assert _projector_pid(server) == back["projector"]["pid"]
        text = log.read_text()
        assert f"the projector (pid {killed}) stopped (killed by SIGKILL)" in text, text
        assert f"restarted the projector as pid {back['projector']['pid']}" in text, text
        # the new projector follows what is recorded next
        recorded = subprocess.run([LEITAI, "--db", store_url, "live-board", "R1", "on"], capture_output=True,
                                  text=True, env=env, timeout=120, check=False)
        assert recorded.returncode == 0, recorded.stderr
        _until(port, lambda status, body: status == 200 and body["projected"] >= body["events"] > health["events"],
               30, server, log)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    assert "Traceback" not in log.read_text()


def test_a_read_side_left_behind_fails_the_health_check(app: Any) -> None:
    """No projector at all (an app served without one): once the oldest event not projected
    is a few seconds old, /healthz is 503 and says how far behind the read side is."""
    from api import app as application
    from api.app import create_app

    limit = getattr(application, "LAG_LIMIT", 5.0)
    small_contest(app)
    flask_app = create_app({"LEITAI_APP": app, "TESTING": True})
    try:
        client = flask_app.test_client()
        first = client.get("/healthz?lang=en")
        assert first.get_json()["projected"] < first.get_json()["events"]
        time.sleep(max(0.0, limit + 0.5 - first.get_json().get("lag_seconds", 0)))
        late = client.get("/healthz?lang=en")
        body = late.get_json()
        assert late.status_code == 503 and body["ok"] is False and body["lag_seconds"] > limit, body
        assert [p["code"] for p in body["problems"]] == ["ReadSideBehind"]
        assert "behind the log" in body["problems"][0]["message"]
    finally:
        flask_app.extensions["leitai_hub"].close()
        flask_app.extensions["leitai_sidecar"].close()
