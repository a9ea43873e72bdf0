"""Who an account is and what it may do, as its events tell it - without a query per request.

Rights are read from the append-only log, never from the read side (issue 14): a row of
the read-model tables, which the application's login can write, grants nothing.  Folding
an account's events on every request would cost a query each (a quarter of the judges'
sheet rate), so each server process keeps the state folded from an account's events, and
a thread of its own tails the log itself - the events table's (position, aggregate) pairs,
not the read side, not the projector - every ``POLL`` seconds, dropping the folded state of
every account an appended event belongs to.  A state folded when the tail stood at ``p``
stays good while no event of that account is found after ``p``.

It fails closed: while the tail has not succeeded for ``STALE`` seconds (the store is away,
the thread died), every request folds its account from the store as it asks, and a store
that does not answer is a 503.  A change recorded by this process drops its account at
once (:meth:`Rights.forget_all`); one recorded by another server takes effect there within one
poll (tens of milliseconds), whether or not any projector runs.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any
from uuid import UUID

from domain.services.store import EVENTS_TABLE_POSTGRES, EVENTS_TABLE_SQLITE, StoreURL

POLL = 0.02  # seconds between looks at the log's tail
STALE = 0.5  # seconds without a successful look after which nothing folded is trusted
BATCH = 10_000


class Rights:
    def __init__(self, store: StoreURL, stopping: Callable[[], bool]) -> None:
        self.store = store
        self._stopping = stopping
        self._lock = threading.Lock()
        self._folded: dict[UUID, Any] = {}  # account id -> its state, folded from its events
        self.position = -1  # how far the tail has looked (-1: not yet)
        self._fresh = 0.0  # time.monotonic() of the last successful look
        self._seen: list[tuple[int, UUID]] = []  # (position, aggregate) of the recent events and forgettings
        self._horizon = 0  # the oldest position ``_seen`` still tells of
        self._thread: threading.Thread | None = None
        self._conn: Any = None

    # -- asking ---------------------------------------------------------------------------------

    def state(self, account: UUID, fold: Callable[[], Any], again: bool = False) -> Any:
        """The account's state: the one kept, or ``fold()`` (None: no such account) when none
        is kept, the tail is stale or ``again`` is asked (signing in: no window at all).  A
        fold is kept only if no event of the account came after the tail's position when it
        began (it might have missed it)."""
        self._start()
        with self._lock:
            fresh = time.monotonic() - self._fresh <= STALE and self.position >= 0
            kept = self._folded.get(account) if fresh and not again else None
            mark = self.position
        if kept is not None:
            return kept
        state = fold()
        if state is not None and fresh:
            with self._lock:
                if mark >= self._horizon and not any(p >= mark and a == account for p, a in self._seen):
                    self._folded[account] = state
        return state

    def forget_all(self, aggregates: frozenset[UUID]) -> None:
        """This process recorded events of these aggregates (a listener of the application,
        called before the command is answered): an account among them is folded anew on its
        next request."""
        if not aggregates:
            return
        with self._lock:
            for aggregate in aggregates:
                self._folded.pop(aggregate, None)
                self._seen.append((self.position, aggregate))

    # -- the tail -------------------------------------------------------------------------------

    def _start(self) -> None:
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._tail, daemon=True, name="leitai-rights")
                    self._thread.start()

    def _tail(self) -> None:
        try:
            while not self._stopping():
                try:
                    self._look()
                except Exception:  # noqa: BLE001 - the store may be away: stale, so requests fold themselves
                    self._close()
                    time.sleep(STALE / 2)
                    continue
                time.sleep(POLL)
        finally:
            self._close()

    def _look(self) -> None:
        if self.position < 0:  # the first look: a fold from now on reads every event before it
            last = self._last()
            with self._lock:
                self.position = self._horizon = last
                self._fresh = time.monotonic()
            return
        rows = self._after(self.position)
        with self._lock:
            for position, aggregate in rows:
                account = aggregate if isinstance(aggregate, UUID) else UUID(hex=str(aggregate))
                self._folded.pop(account, None)
                self._seen.append((position, account))
                self.position = max(self.position, position)
            if len(self._seen) > 2 * BATCH:
                self._seen = self._seen[-BATCH:]
                self._horizon = self._seen[0][0] + 1
            self._fresh = time.monotonic()

    def _connection(self) -> Any:
        if self._conn is None:
            if self.store.kind == "sqlite":
                self._conn = sqlite3.connect(self.store.path, isolation_level=None, timeout=5,
                                             check_same_thread=False)
            else:
                import psycopg

                self._conn = psycopg.connect(self.store.conninfo(), autocommit=True, connect_timeout=5)
        return self._conn

    def _last(self) -> int:
        if self.store.kind == "sqlite":
            row = self._connection().execute(f"SELECT coalesce(max(rowid), 0) FROM {EVENTS_TABLE_SQLITE}").fetchone()
        else:
            row = self._connection().execute(
                f"SELECT coalesce(max(notification_id), 0) FROM {EVENTS_TABLE_POSTGRES}").fetchone()
        return int(row[0])

    def _after(self, position: int) -> list[tuple[int, Any]]:
        if self.store.kind == "sqlite":
            return self._connection().execute(
                f"SELECT rowid, originator_id FROM {EVENTS_TABLE_SQLITE} WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (position, BATCH)).fetchall()
        return self._connection().execute(
            f"SELECT notification_id, originator_id FROM {EVENTS_TABLE_POSTGRES} WHERE notification_id > %s "
            "ORDER BY notification_id LIMIT %s", (position, BATCH)).fetchall()

    def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - closing what is already broken
                pass
