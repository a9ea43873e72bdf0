"""The read side as the HTTP service sees it: one watcher per process.

A background thread follows the read models' position (PostgreSQL: woken by the
projector's ``leitai_projected`` notification; SQLite: a light poll) and tells:

* commands waiting for their own write to be projected (read-your-writes);
* the leaderboard cache: a round's board is rendered once per change of that round and
  served to every reader from memory, with its position as the ETag;
* Server-Sent-Events subscribers of a round, each woken when its round changes.

Readers get a read-model connection of their own thread (``read()``): request threads
never share a database connection.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import orjson

from domain.services.store import StoreURL
from projections.queries import ReadModels

POLL = 0.02  # seconds between position checks on SQLite (and the fallback on PostgreSQL)


class Hub:
    def __init__(self, store: StoreURL) -> None:
        self.store = store
        self._local = threading.local()
        self._changed = threading.Condition()
        self.position = 0
        self.generation = 0
        self.round_positions: dict[str, int] = {}  # round -> position of its last projected event
        self._boards: dict[tuple[str, str], tuple[int, bytes]] = {}  # (round, lang) -> (position, JSON)
        self._readers: list[ReadModels] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    # -- the watcher ----------------------------------------------------------------------------

    def start(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._scan(initial=True)
                self._thread = threading.Thread(target=self._watch, daemon=True, name="leitai-hub")
                self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        for reader in self._readers:
            try:
                reader.close()
            except Exception:  # noqa: BLE001 - closing at shutdown
                pass

    def _watch(self) -> None:
        read = ReadModels(self.store)
        listener = None
        try:
            while not self._stop.is_set():
                try:
                    if self.store.kind == "postgresql":
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
        finally:
            if own:
                read.close()
        with self._changed:
            self.generation, self.position = generation, position
            for code, round_position in changed:
                self.round_positions[code] = round_position
                for key in [k for k in self._boards if k[0] == code]:
                    del self._boards[key]
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

    def wait_round(self, code: str, after: int, timeout: float) -> int:
        """Wait until round ``code`` has a projected position beyond ``after`` (or the
        timeout); returns its position."""
        self.start()
        deadline = time.monotonic() + timeout
        with self._changed:
            while self.round_positions.get(code, 0) <= after:
                left = deadline - time.monotonic()
                if left <= 0 or self._stop.is_set():
                    break
                self._changed.wait(left)
            return self.round_positions.get(code, 0)

    # -- reading ----------------------------------------------------------------------------------

    def read(self) -> ReadModels:
        """This thread's own read-model connection."""
        reader = getattr(self._local, "read", None)
        if reader is None:
            reader = self._local.read = ReadModels(self.store)
            with self._start_lock:
                self._readers.append(reader)
        return reader

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
        body = orjson.dumps(render(self.read()))
        with self._changed:
            if self.round_positions.get(code, 0) == position:
                self._boards[(code, lang)] = (position, body)
        return position, body
