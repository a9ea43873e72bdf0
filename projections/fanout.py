"""The live audience on a fan-out engine: each change of a public board published once.

With ``LEITAI_FANOUT_URL`` set (e.g. ``127.0.0.1:8090/pub``, nchan's publisher
location in deploy/nginx/leitai.conf), the projector publishes, after each commit, the
board of every public round that changed - ``POST <url>/<round>`` with the board's JSON,
byte for byte what ``leitai serve`` streams for it - and nginx with nchan sends it to
every listener: the listeners never reach Python.  A round that stops being public (its
live board switched off, results not yet published) has its channel deleted
(``DELETE <url>/<round>``): nchan closes its streams and refuses new ones, as
``leitai serve`` refuses the public.  Unset, nothing is published and the live boards
are streamed by ``leitai serve`` alone (a hall's single server).

The publisher is a thread of the projector process (the one process that knows when a
board changed); where several servers share a store (projections/election.py) only the
elected projector publishes, and one newly elected publishes every public board first.
Every two seconds it checks that the engine still has a mark channel published after
the boards: a restarted nginx (or Redis) has lost them, and every public board is
published again.  When the engine cannot be reached, what changed is published
again once it can: a board is never left behind, at worst sent twice.
"""

from __future__ import annotations

import http.client
import os
import sys
import threading
import time
import urllib.parse
from typing import Any

import orjson

from domain import access
from domain.services.store import StoreURL
from projections.queries import ReadModels

PUBLIC = access.Principal(None)
RETRY = 1.0  # seconds between attempts while the engine is away
CHECK = 2.0  # seconds between checks that the engine still has what was published
MARK = "_LEITAI_FANOUT_"  # a channel published after every public board: gone means the engine lost them all


def public(row: dict[str, Any]) -> bool:
    """Whether anyone at all may see the round's board (the public's rights, from the read
    model's row as the server's stream checks them)."""
    view = access.RoundView(row["round"], row["contest"], tuple(orjson.loads(row["unit_path"] or "[]")),
                            row["status"], live_board=bool(row["live_board"]))
    return access.sees_round(PUBLIC, view)


class Engine:
    """nchan's publisher location over one keep-alive HTTP connection."""

    def __init__(self, url: str, timeout: float = 5.0) -> None:
        parts = urllib.parse.urlsplit(url if "://" in url else "http://" + url)  # host:port/path means http
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"LEITAI_FANOUT_URL 应为 主机:端口/路径（HTTP）/ must be host:port/path (HTTP), not {url!r}")
        self.host, self.port = parts.hostname, parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self._connection: http.client.HTTPConnection | None = None

    def _send(self, method: str, channel: str, body: bytes | None) -> int:
        for attempt in (1, 2):  # a keep-alive connection the engine closed meanwhile is opened again once
            if self._connection is None:
                self._connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                headers = {"Content-Type": "application/json"} if body is not None else {}
                self._connection.request(method, f"{self.prefix}/{channel}", body=body, headers=headers)
                response = self._connection.getresponse()
                response.read()
                return response.status
            except (OSError, http.client.HTTPException):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def publish(self, channel: str, body: bytes, position: int = 0) -> None:
        """Publish a board (nchan numbers its messages itself: ``position`` is not sent)."""
        status = self._send("POST", channel, body)
        if status not in (200, 201, 202):
            raise OSError(f"the fan-out engine answered {status} to a publication on {channel}")

    def mark(self) -> None:
        """After publishing every public board: a channel whose absence later tells that the
        engine lost its channels (nginx restarted; with Redis, Redis restarted)."""
        self.publish(MARK, b"{}")

    def marked(self) -> bool:
        return self._send("GET", MARK, None) == 200

    def delete(self, channel: str) -> None:
        status = self._send("DELETE", channel, None)
        if status not in (200, 202, 204, 404):  # 404: no such channel - nothing to close
            raise OSError(f"the fan-out engine answered {status} to deleting {channel}")

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class Fanout:
    """Publishes the public boards changed since the last pass (``publish_changes``)."""

    def __init__(self, store: StoreURL, url: str, engine: Any = None) -> None:
        self.store = store
        self.engine = engine or Engine(url)  # another engine: anything with publish, delete and close
        self.read = ReadModels(store)
        self.generation: int | None = None
        self.position = 0  # everything projected up to here is published
        self.published: dict[str, int] = {}  # round -> the position of its board on the engine
        self.publications = 0  # boards published by this process (counted for /metrics and the tests)

    def close(self) -> None:
        self.engine.close()
        self.read.close()

    def publish_changes(self) -> int:
        """Publish every public board changed since the last pass (every public board on the
        first pass, or after a rebuild switched generations), delete the channels of the
        rounds no longer public; returns how many boards were published."""
        generation, position = self.read.store.state()
        first = generation != self.generation
        rows = self.read.rounds_since(0 if first else self.position)
        sent = 0
        for row in sorted(rows, key=lambda r: int(r["position"] or 0)):
            code = row["round"]
            at = int(row["position"] or 0)
            if public(row):
                if self.published.get(code) != at or first:  # not twice (a pass may see a row early)
                    self.engine.publish(code, orjson.dumps(self.read.leaderboard(code)), at)
                    self.published[code] = at
                    sent += 1
            elif code in self.published or first:  # first: it may have been public before a restart
                self.engine.delete(code)
                self.published.pop(code, None)
        if first and hasattr(self.engine, "mark"):
            self.engine.mark()
        self.generation, self.position = generation, position
        self.publications += sent
        if sent:
            from projections.counters import count

            count("fanout_publications", sent)  # leitai_fanout_publications_total on the server's /metrics
        return sent

    def follow(self, committed: threading.Condition, projected: Any, stop: threading.Event,
               leading: Any = lambda: True) -> None:
        """Publish after each commit of the projector (``projected()`` its position) until
        ``stop``, while ``leading()`` (a projector standing by publishes nothing)."""
        failing, checked = False, time.monotonic()
        while not stop.is_set():
            with committed:
                if projected() <= self.position and not failing:
                    committed.wait(RETRY)
            if stop.is_set():
                return
            if not leading():
                self.generation = None  # once elected: every public board again, as at a start
                stop.wait(RETRY)
                continue
            try:
                if time.monotonic() - checked >= CHECK and hasattr(self.engine, "marked"):
                    checked = time.monotonic()
                    if self.generation is not None and not self.engine.marked():
                        print("leitai projector: the fan-out engine lost its channels (restarted?); "
                              "publishing every public board again", file=sys.stderr, flush=True)
                        self.generation = None
                self.publish_changes()
                if failing:
                    print("leitai projector: the fan-out engine is back; publishing the live boards again",
                          file=sys.stderr, flush=True)
                failing = False
            except OSError as error:  # the engine is away: publish again from the same position
                if not failing:
                    print(f"leitai projector: cannot publish to the fan-out engine ({error}); retrying",
                          file=sys.stderr, flush=True)
                failing = True
                self.engine.close()
                stop.wait(RETRY)
            except Exception as error:  # noqa: BLE001 - the store away: the projector reports it; try again
                failing = True
                print(f"leitai projector: fan-out paused ({str(error).strip()[:200]})", file=sys.stderr, flush=True)
                self.read.close()
                self.read = ReadModels(self.store)
                stop.wait(RETRY)


def start(projector: Any, stop: threading.Event) -> threading.Thread | None:
    """The publisher thread beside a running projector, if ``LEITAI_FANOUT_URL`` is set."""
    url = os.environ.get("LEITAI_FANOUT_URL", "").strip()
    if not url:
        return None
    try:
        fanout = Fanout(projector.store, url)
    except ValueError as error:  # projecting goes on; the boards stay on `leitai serve` until it is fixed
        print(f"leitai projector: {error}; 直播排行榜不发布，请改正 LEITAI_FANOUT_URL 后重启 / the live boards are not "
              "published: correct LEITAI_FANOUT_URL and restart", file=sys.stderr, flush=True)
        return None

    def run() -> None:
        try:
            fanout.follow(projector.committed, lambda: projector.position, stop,
                          lambda: getattr(projector, "election", None) is None or projector.election.leading)
        finally:
            fanout.close()

    thread = threading.Thread(target=run, daemon=True, name="leitai-fanout")
    thread.start()
    print(f"leitai projector: publishing the public live boards to {url}", file=sys.stderr, flush=True)
    return thread
