"""The live audience on nginx with nchan (issue 17, item 1), with the real processes: `leitai
serve` on PostgreSQL with LEITAI_FANOUT_URL (its projector publishes), nginx with the
module from the distribution, on the repository's own configuration (deploy/nginx/), and
for two nginx servers a Redis server of their own.

Round RL is scored with its live board on (public), round RB with it off.  A listener is a
plain HTTP client reading Server-Sent Events, as a browser's EventSource does.  Missing
nginx or its nchan module fails these tests with what to install (./tests/install-fanout),
never skips them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from api.wiring import open_app
from domain.services.clock import FixedClock
from domain.services.setup import RoundSpec
from projections.fanout import Fanout
from tests import nginx as engine
from tests import pg
from tests.conftest import ADMIN
from tests.http import add_account
from tests.scenario import judge, small_contest
from tests.served import leitai_serve

PANEL = ("J1", "J2", "J3")


def _marks(n: int) -> dict[str, str]:
    return {"party": f"{20 + n % 10}", "industry": f"{10 + n % 7}"}


class Listener:
    """One Server-Sent Events listener (what a browser's EventSource sends and reads), over
    HTTP/1.0 so that no server chunks the stream."""

    def __init__(self, base: str, path: str, headers: dict[str, str] | None = None) -> None:
        parts = urllib.parse.urlsplit(base)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
        lines = [f"GET {path} HTTP/1.0", f"Host: {parts.netloc}", "Accept: text/event-stream",
                 *(f"{k}: {v}" for k, v in (headers or {}).items())]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        self.status = int(status_line.split()[1])
        self.headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}

    def next(self, timeout: float = 10.0) -> dict[str, Any] | None:
        """The next board (or end) event; None if none came within ``timeout``; {"closed": True}
        when the stream ended."""
        deadline = time.monotonic() + timeout
        while True:
            while b"\n\n" in self.buffer:
                block, self.buffer = self.buffer.split(b"\n\n", 1)
                fields: dict[str, bytes] = {}
                for line in block.split(b"\n"):
                    if line and not line.startswith(b":"):
                        name, _, value = line.partition(b":")
                        fields[name.decode()] = value[1:] if value.startswith(b" ") else value
                if fields.get("event") in (b"board", b"end"):
                    return {"event": fields["event"].decode(), "id": fields.get("id", b"").decode(),
                            "data": fields.get("data", b"")}
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                return None
            if not chunk:
                return {"closed": True}
            self.buffer += chunk

    def close(self) -> None:
        self.sock.close()


def direct_board(served: Any, code: str) -> tuple[int, bytes]:
    """(position, board JSON) as `leitai serve` itself streams the round to the public."""
    listener = Listener(served.base, f"/api/rounds/{code}/events")
    try:
        assert listener.status == 200
        event = listener.next()
        assert event and event.get("event") == "board", event
        return int(event["id"]), event["data"]
    finally:
        listener.close()


def same_as_served(served: Any, body: bytes, code: str = "RL") -> bool:
    """Whether ``body`` is, byte for byte, the board `leitai serve` streams (its own watcher
    may see the latest change a moment after nchan has sent it: asked again for a while)."""
    return bool(wait_until(lambda: direct_board(served, code)[1] == body, timeout=5.0))


def channel(node: engine.Nginx, code: str) -> int:
    """The status nchan's publisher location answers about a round's channel (200: it has
    one, 404: none)."""
    try:
        with urllib.request.urlopen(f"{node.fanout_url}/{code}", timeout=5) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)


def wait_until(what: Any, timeout: float = 10.0) -> Any:
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = what()
        if found:
            return found
        time.sleep(0.05)
    return what()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, pg_databases: Any) -> Iterator[dict[str, Any]]:
    problem = engine.missing()
    if problem:
        pytest.fail(problem, pytrace=False)
    folder = tmp_path_factory.mktemp("fanout")
    name = pg_databases.create()
    url = pg_databases.server.url_for(name, user=pg.APP_ROLE)
    app = open_app(url, clock=FixedClock("2025-05-20T09:00"))
    small_contest(app)
    for code, live in (("RL", True), ("RB", False)):
        app.schedule_round("c", RoundSpec(code, "township", "T1", "2025-05", "town", judges=PANEL, live_board=live),
                           ADMIN)
        app.open_round(code, ADMIN)
        app.submit_sheet(code, "J1", "O1", _marks(0), judge("J1"))
    add_account(app, "county", "admin", contest="c", unit="C")
    publisher = engine.free_port()
    env = {"LEITAI_FANOUT_URL": f"http://127.0.0.1:{publisher}/pub", "LEITAI_CLOCK": "2025-05-20T09:00"}
    with leitai_serve(url, folder, env=env) as served, ExitStack() as stack:
        world = {"app": app, "served": served, "url": url, "sheets": 0}

        def start_nginx() -> engine.Nginx:
            """nginx on the publisher's port (again: a restart loses every channel nchan had)."""
            stack.close()
            world["node"] = stack.enter_context(engine.nginx(served.port, publisher=publisher))
            return world["node"]

        world["restart_nginx"] = start_nginx
        node = start_nginx()
        wait_until(lambda: channel(node, "RL") == 200)
        yield world
    app.close()
    pg_databases.drop(name)
    log = (folder / "server.log").read_text()
    assert "publishing the public live boards" in log, log[-2000:]


def record_sheet(world: dict[str, Any], code: str = "RL") -> None:
    """A judge's sheet for the round (a correction once every judge has scored every entrant)."""
    world["sheets"] += 1
    n = world["sheets"]
    seat, entrant = PANEL[n % 3], ("O1", "O2")[(n // 3) % 2]
    scored = world.setdefault("scored", {("RL", "J1", "O1"), ("RB", "J1", "O1")})
    if (code, seat, entrant) in scored:
        world["app"].correct_sheet(code, seat, entrant, _marks(n), "复核 / rechecked", ADMIN)
    else:
        world["app"].submit_sheet(code, seat, entrant, _marks(n), judge(seat))
        scored.add((code, seat, entrant))


@pytest.mark.postgres
def test_a_sheet_recorded_moves_the_board_for_a_listener_through_nginx(world: dict[str, Any]) -> None:
    node, served = world["node"], world["served"]
    listener = Listener(node.base, "/api/rounds/RL/events")
    try:
        assert listener.status == 200 and listener.headers.get("content-type", "").startswith(
            "text/event-stream")
        first = listener.next()
        assert first and first["event"] == "board", f"no board at once through nginx: {first}"
        position, body = direct_board(served, "RL")
        assert first["data"] == body, "the board through nginx differs from what leitai serve streams"
        record_sheet(world)
        started = time.perf_counter()
        moved = listener.next()
        took = time.perf_counter() - started
        assert moved and moved["event"] == "board", f"the sheet did not reach the listener: {moved}"
        # leitai serve's own watcher may see the change a moment after nchan has sent it
        after, body_after = wait_until(lambda: (lambda b: b if b[0] > position else None)(direct_board(served, "RL")))
        assert moved["data"] == body_after, "the new board through nginx differs from leitai serve's, byte for byte"
        assert moved["data"] != first["data"]
        print(f"\nsheet recorded -> board through nginx+nchan: {took * 1000:.0f} ms")
    finally:
        listener.close()


@pytest.mark.postgres
def test_last_event_id_resumes_after_what_the_listener_had(world: dict[str, Any]) -> None:
    node = world["node"]
    listener = Listener(node.base, "/api/rounds/RL/events")
    had = listener.next()
    assert had and had["event"] == "board"
    listener.close()
    record_sheet(world)  # missed while away
    wait_until(lambda: direct_board(world["served"], "RL")[1] != had["data"])
    current = wait_until(lambda: (lambda e: e if e and e["data"] != had["data"] else None)(
        (lambda li: (li.next(), li.close())[0])(Listener(node.base, "/api/rounds/RL/events"))))
    assert current, "the publication of the missed sheet never reached nginx"
    back = Listener(node.base, "/api/rounds/RL/events", {"Last-Event-ID": had["id"]})
    try:
        missed = back.next()
        assert missed and missed["id"] == current["id"] and missed["data"] == current["data"], (
            f"resuming after {had['id']} should give the board missed ({current['id']}), gave {missed}")
    finally:
        back.close()
    up_to_date = Listener(node.base, "/api/rounds/RL/events", {"Last-Event-ID": current["id"]})
    try:
        assert up_to_date.next(timeout=1.5) is None, "a listener that has the current board got it again"
        record_sheet(world)
        following = up_to_date.next()
        assert following and following["event"] == "board" and following["data"] != current["data"]
    finally:
        up_to_date.close()


@pytest.mark.postgres
def test_a_newcomer_gets_the_current_board_at_once(world: dict[str, Any]) -> None:
    node, served = world["node"], world["served"]
    started = time.perf_counter()
    listener = Listener(node.base, "/api/rounds/RL/events")
    try:
        event = listener.next(timeout=2.0)
        took = time.perf_counter() - started
        assert event and event["event"] == "board", f"a newcomer waited for a change: {event}"
        assert same_as_served(served, event["data"])
        assert took < 1.0, f"a newcomer waited {took:.2f} s for the current board"
    finally:
        listener.close()


@pytest.mark.postgres
def test_a_board_not_public_is_never_published(world: dict[str, Any]) -> None:
    node, served = world["node"], world["served"]
    witness = Listener(node.base, "/api/rounds/RL/events")
    try:
        assert witness.next()
        record_sheet(world, "RB")
        record_sheet(world, "RL")  # published after RB's sheet was projected: RB's turn has passed
        assert witness.next(), "the public round's sheet was not published"
    finally:
        witness.close()
    assert channel(node, "RB") == 404, "round RB (live board off) was published to the engine"
    public = Listener(node.base, "/api/rounds/RB/events")
    assert public.status == 403, f"the public got {public.status} for a board not public"
    public.close()
    # the county's admin sees it, streamed by leitai serve through the same nginx path
    signed_in = Listener(node.base, "/api/rounds/RB/events", {"Authorization": "Bearer " + _token(served)})
    try:
        assert signed_in.status == 200
        board = signed_in.next()
        assert board and board["event"] == "board" and board["id"].isdigit(), (
            "a signed-in listener should be streamed by leitai serve (ids are read-side positions)")
    finally:
        signed_in.close()


@pytest.mark.postgres
def test_a_round_code_not_as_recorded_is_streamed_by_leitai_serve(world: dict[str, Any]) -> None:
    """nginx cannot put a code into capitals: `rl` is not a channel, and goes to leitai serve,
    which streams RL as it always did (its ids are read-side positions)."""
    listener = Listener(world["node"].base, "/api/rounds/rl/events")
    try:
        assert listener.status == 200
        board = listener.next()
        assert board and board["event"] == "board" and board["id"].isdigit(), board
        assert same_as_served(world["served"], board["data"])
    finally:
        listener.close()


def _token(served: Any) -> str:
    import json

    request = urllib.request.Request(served.base + "/api/auth/token", method="POST",
                                     data=json.dumps({"name": "county", "password": _password()}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return str(json.loads(answer.read())["token"])


def _password() -> str:
    from tests.http import PASSWORD

    return PASSWORD


@pytest.mark.postgres
def test_a_board_that_stops_being_public_leaves_the_engine(world: dict[str, Any]) -> None:
    node, app = world["node"], world["app"]
    listener = Listener(node.base, "/api/rounds/RL/events")
    try:
        assert listener.next()
        app.run(lambda s: s.set_live_board("RL", False, ADMIN))
        ended = listener.next()
        assert ended and ended.get("closed"), f"the stream of a board no longer public went on: {ended}"
        assert wait_until(lambda: channel(node, "RL") == 404), "the round's channel is still on the engine"
        again = Listener(node.base, "/api/rounds/RL/events")
        assert again.status == 403
        again.close()
    finally:
        listener.close()
        app.run(lambda s: s.set_live_board("RL", True, ADMIN))
    assert wait_until(lambda: channel(node, "RL") == 200), "the live board switched on again was not published"


@pytest.mark.postgres
def test_a_restarted_nginx_gets_every_public_board_again(world: dict[str, Any]) -> None:
    """nchan keeps its channels in memory: a restarted nginx has none, and the projector's
    publisher notices (its mark channel is gone) and publishes every public board again,
    with no new sheet."""
    before = direct_board(world["served"], "RL")[1]
    node = world["restart_nginx"]()  # a new nginx: nothing published to it
    started = time.perf_counter()
    assert wait_until(lambda: channel(node, "RL") == 200, timeout=10.0), "the public board was not published again"
    print(f"\nnginx restarted -> the public boards published again in {time.perf_counter() - started:.1f} s")
    listener = Listener(node.base, "/api/rounds/RL/events")
    try:
        board = listener.next()
        assert board and board["data"] == before
    finally:
        listener.close()
    assert channel(node, "RB") == 404


@pytest.mark.postgres
def test_two_nginx_share_the_channels_through_redis(world: dict[str, Any]) -> None:
    served = world["served"]
    with engine.redis_server() as redis, engine.nginx(served.port, redis) as a, engine.nginx(served.port, redis) as b:
        fanout = Fanout(_store(world["url"]), a.fanout_url)  # the projector's publisher, publishing to node A only
        try:
            assert fanout.publish_changes() >= 1
            listener = Listener(b.base, "/api/rounds/RL/events")  # a listener of node B
            try:
                first = listener.next()
                assert first and same_as_served(served, first["data"]), (
                    "node B did not have the board published to node A")
                record_sheet(world)
                assert wait_until(lambda: direct_board(served, "RL")[1] != first["data"])
                assert fanout.publish_changes() == 1
                moved = listener.next()
                assert moved and moved["event"] == "board" and same_as_served(served, moved["data"]), (
                    f"a publication to node A did not reach the listener of node B: {moved}")
                assert channel(b, "RB") == 404  # nor does a board not public reach B
            finally:
                listener.close()
        finally:
            fanout.close()


def _store(url: str) -> Any:
    from domain.services.store import parse_url

    return parse_url(url)


@pytest.mark.postgres
def test_only_the_elected_projector_publishes_and_its_successor_publishes_every_board(
        tmp_path: Path, pg_databases: Any) -> None:
    """Two projectors on one database, each told to publish to an nginx of its own: only the
    one holding the lead publishes; killed, the other takes over and publishes every public
    board at once, with no new sheet."""
    name = pg_databases.create()
    url = pg_databases.server.url_for(name, user=pg.APP_ROLE)
    app = open_app(url, clock=FixedClock("2025-05-20T09:00"))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        small_contest(app)
        app.schedule_round("c", RoundSpec("RL", "township", "T1", "2025-05", "town", judges=PANEL, live_board=True),
                           ADMIN)
        app.open_round("RL", ADMIN)
        app.submit_sheet("RL", "J1", "O1", _marks(0), judge("J1"))
        with ExitStack() as stack:
            nodes = [stack.enter_context(engine.nginx(engine.free_port())) for _ in range(2)]
            for i, node in enumerate(nodes):
                processes.append(subprocess.Popen(
                    [sys.executable, "-m", "api.cli.main", "--db", url, "projections", "run"],
                    env={**os.environ, "LEITAI_FANOUT_URL": node.fanout_url}, cwd=engine.ROOT,
                    stdout=subprocess.DEVNULL, stderr=open(tmp_path / f"projector-{i}.log", "wb")))
                if i == 0:  # the first to start takes the lead
                    assert wait_until(lambda: channel(nodes[0], "RL") == 200, timeout=20.0), (
                        (tmp_path / "projector-0.log").read_text())
            time.sleep(3.0)  # the second has stood by for a while
            assert channel(nodes[1], "RL") == 404, "a projector standing by published"
            processes[0].kill()
            processes[0].wait()
            started = time.perf_counter()
            assert wait_until(lambda: channel(nodes[1], "RL") == 200, timeout=20.0), (
                "the projector that took over did not publish the public board: "
                + (tmp_path / "projector-1.log").read_text())
            print(f"\nleader killed -> its successor published the boards in {time.perf_counter() - started:.1f} s")
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        app.close()
        pg_databases.drop(name)


def test_the_shipped_configurations_differ_only_in_redis() -> None:
    """deploy/nginx/leitai-redis.conf is leitai.conf with Redis: nothing else may drift apart."""
    folder = Path(__file__).resolve().parents[2] / "deploy" / "nginx"
    plain = (folder / "leitai.conf").read_text().splitlines()
    redis = (folder / "leitai-redis.conf").read_text().splitlines()

    def setting(lines: list[str]) -> list[str]:
        return [line for line in lines if line.strip() and not line.lstrip().startswith("#")]

    assert setting(plain) == [line for line in setting(redis) if "redis" not in line], (
        "deploy/nginx/leitai-redis.conf must be leitai.conf plus its Redis lines")
    assert any(line.strip().startswith("nchan_redis_url") for line in redis)
