"""The read side as the HTTP service sees it: one watcher per process.

A background thread follows the read models' position (PostgreSQL: woken by the
projector's ``leitai_projected`` notification; SQLite: a light poll) and tells:

* commands waiting for their own write to be projected (read-your-writes);
* the caches, each entry dropped as soon as what it shows changed: a round's board
  (rendered once per change and served to every reader from memory, its position the
  ETag) and what the access policy needs to know about a round - so that a board read or
  a judge's sheet touches the database only to write (who an account is and what it may
  do comes from the log itself, never from here: api/rest/rights.py);
* Server-Sent-Events subscribers of a round, each woken when its round changes, or
  its listener's account (the stream then asks the account's rights anew).

Request threads lease a read-model connection (``read()``) from a bounded pool and give
it back at the end of the request (``release()``): a server with hundreds of threads
(live-push listeners hold one each) uses a few connections.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import os

import orjson

from domain.access import RoundView
from domain.services.store import StoreURL
from domain.text import entity_code
from projections.db import ConnectionLeases
from projections.queries import ReadModels

POLL = 0.02  # seconds between position checks on SQLite (and the fallback on PostgreSQL)
POOL = int(os.environ.get("LEITAI_DB_POOL", "16"))  # read-model connections of one server process


class Hub:
    def __init__(self, store: StoreURL) -> None:
        self.store = store
        self._local = threading.local()
        self._changed = threading.Condition()
        self.position = 0
        self.generation = 0
        self.round_positions: dict[str, int] = {}  # round -> position of its last projected event
        self._boards: dict[tuple[str, str], tuple[int, bytes]] = {}  # (round, lang) -> (position, JSON)
        self._renders: dict[tuple[str, str], threading.Lock] = {}  # one rendering of a board at a time
        self._views: dict[str, tuple[tuple[Any, ...], RoundView]] = {}  # round -> (its signature, the view)
        self._account_changed: dict[str, int] = {}  # account -> position of its last change the watcher saw
        self.leases = ConnectionLeases(store, POOL)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.streams = 0  # live board streams open now (each holds a server thread)
        self.polling = False  # True: follow the position by polling (a read replica takes no LISTEN)
        self._start_lock = threading.Lock()

    # -- the watcher ----------------------------------------------------------------------------

    def start(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._scan(initial=True)
                self._thread = threading.Thread(target=self._watch, daemon=True, name="leitai-hub")
                self._thread.start()

    def opened_stream(self) -> None:
        with self._changed:
            self.streams += 1

    def closed_stream(self) -> None:
        with self._changed:
            self.streams -= 1

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def stop(self) -> None:
        """Shutting down: wake every live stream (they end their response) and the watcher."""
        self._stop.set()
        with self._changed:
            self._changed.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def close(self) -> None:
        """After the last request finished: give back the read-model connections."""
        self.stop()
        try:
            self.leases.close()
        except Exception:  # noqa: BLE001 - closing at shutdown
            pass

    def _watch(self) -> None:
        read = ReadModels(self.store)
        listener = None
        try:
            while not self._stop.is_set():
                try:
                    if self.store.kind == "postgresql" and not self.polling:
                        listener = listener or read.store.listener("leitai_projected")
                        for _ in listener.notifies(timeout=0.5, stop_after=1):
                            break
                    else:
                        time.sleep(POLL)
                    self._scan(read)
                except Exception:  # noqa: BLE001 - the store may be away for a while: keep watching
                    listener = None
                    time.sleep(0.5)
        finally:
            read.close()

    def _scan(self, read: ReadModels | None = None, initial: bool = False) -> None:
        own = read is None
        read = read or ReadModels(self.store)
        try:
            generation, position = read.store.state()
            if (generation, position) == (self.generation, self.position) and not initial:
                return
            since = 0 if initial or generation != self.generation else self.position
            changed = read.rounds_since(since)
            accounts = read.accounts_since(since)
        finally:
            if own:
                read.close()
        with self._changed:
            if generation != self.generation:
                self._views.clear()
            self.generation, self.position = generation, position
            for row in changed:
                code = row["round"]
                self.round_positions[code] = int(row["position"] or 0)
                cached = self._views.get(code)
                if cached is not None and cached[0] != _signature(row):
                    del self._views[code]  # its state, panel, entrants or live board changed
                for key in [k for k in self._boards if k[0] == code]:
                    del self._boards[key]
            for name, account_position in accounts:
                self._account_changed[name] = account_position
            self._changed.notify_all()

    # -- waiting --------------------------------------------------------------------------------

    def wait_for(self, position: int | None, timeout: float = 5.0) -> bool:
        """Read-your-writes: wait until the read models include ``position``."""
        if position is None:
            return True
        self.start()
        deadline = time.monotonic() + timeout
        with self._changed:
            while self.position < position:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
        return True

    def wait_round(self, code: str, after: int, timeout: float, account: str | None = None,
                   mark: int = 0) -> int:
        """Wait until round ``code`` has a projected position beyond ``after``, or account
        ``account`` changed since ``mark`` (:meth:`account_mark`), or the timeout; returns
        the round's position."""
        self.start()
        deadline = time.monotonic() + timeout
        with self._changed:
            while (self.round_positions.get(code, 0) <= after
                   and (account is None or self._account_changed.get(account, 0) <= mark)):
                left = deadline - time.monotonic()
                if left <= 0 or self._stop.is_set():
                    break
                self._changed.wait(left)
            return self.round_positions.get(code, 0)

    def account_mark(self, account: str | None) -> int:
        """The position of the last change of ``account`` the watcher has seen (0: none)."""
        if account is None:
            return 0
        with self._changed:
            return self._account_changed.get(account, 0)

    # -- reading ----------------------------------------------------------------------------------

    def read(self) -> ReadModels:
        """Read models on this thread's leased connection (given back by ``release()``)."""
        reader = getattr(self._local, "read", None)
        if reader is None:
            self.start()
            reader = self._local.read = ReadModels(self.store, self.leases, lambda: self.generation)
        return reader

    def release(self) -> None:
        self.leases.release()

    def round_view(self, code: str) -> RoundView:
        """What the access policy needs to know about a round: cached, and dropped by the
        watcher when the round's state, panel, entrants or live board change (a sheet
        changes none of them)."""
        code = entity_code(code, "round")
        self.start()
        cached = self._views.get(code)
        if cached is not None:
            return cached[1]
        read = self.read()
        row = read.round(code)
        view = RoundView(row["round"], row["contest"], tuple(orjson.loads(row["unit_path"] or "[]")), row["status"],
                         frozenset(j["code"] for j in orjson.loads(row["judges"] or "[]")),
                         frozenset(read.entrant_codes(row["round"])), bool(row["live_board"]))
        with self._changed:  # kept only if the watcher has seen this very state of the round
            if int(row["position"] or 0) == self.round_positions.get(code):
                self._views[code] = (_signature(row), view)
        return view

    def round_position(self, code: str) -> int:
        self.start()
        return self.round_positions.get(code, 0)

    def board(self, code: str, lang: str, render: Callable[[ReadModels], Any]) -> tuple[int, bytes]:
        """(position, JSON) of a round's board, rendered once per change of the round."""
        self.start()
        with self._changed:
            cached = self._boards.get((code, lang))
            position = self.round_positions.get(code, 0)
        if cached is not None and cached[0] == position:
            return cached
        with self._render_lock(code, lang):  # a change wakes every listener: one renders, the rest reuse it
            with self._changed:
                cached = self._boards.get((code, lang))
                position = self.round_positions.get(code, 0)
            if cached is not None and cached[0] == position:
                return cached
            try:
                body = orjson.dumps(render(self.read()))
            finally:
                self.release()  # a live stream renders between long waits: it holds no connection
            with self._changed:
                if self.round_positions.get(code, 0) == position:
                    self._boards[(code, lang)] = (position, body)
        return position, body

    def _render_lock(self, code: str, lang: str) -> threading.Lock:
        with self._changed:
            return self._renders.setdefault((code, lang), threading.Lock())


def _signature(row: dict[str, Any]) -> tuple[Any, ...]:
    """What of a round's read-model row the access policy depends on."""
    return (row["status"], row["live_board"], row["judges"], row["unit_path"], row["entrants"], row["contest"])
