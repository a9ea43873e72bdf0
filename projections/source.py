"""Reading the recorded events, in log order, from either store.

Positions are the store's notification ids (SQLite: rowid).  On PostgreSQL the events
table is written under an exclusive lock, so ids commit in order and reading "after
position P" never passes over an event that commits later with a lower id.  Waiting
for new events uses LISTEN/NOTIFY on PostgreSQL (the insert function notifies
``leitai_events``), with polling as the fallback, and polling on SQLite.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import psycopg

from domain.services.store import StoreURL

Row = tuple[int, Any, int, str, Any]  # position, aggregate id, version, topic, state


class EventSource:
    def __init__(self, store: StoreURL, poll_interval: float = 0.005) -> None:
        self.store = store
        self.poll_interval = poll_interval
        self._sqlite: sqlite3.Connection | None = None
        self._pg: psycopg.Connection | None = None
        self._listener: psycopg.Connection | None = None

    # -- connections --------------------------------------------------------------------

    def _sqlite_conn(self) -> sqlite3.Connection:
        if self._sqlite is None:
            self._sqlite = sqlite3.connect(self.store.path, isolation_level=None, check_same_thread=False,
                                           timeout=30)
        return self._sqlite

    def _pg_conn(self) -> psycopg.Connection:
        if self._pg is None or self._pg.closed:
            self._pg = psycopg.connect(self.store.conninfo(), autocommit=True)
        return self._pg

    def close(self) -> None:
        for conn in (self._sqlite, self._pg, self._listener):
            if conn is not None:
                conn.close()
        self._sqlite = self._pg = self._listener = None

    # -- reading ----------------------------------------------------------------------------

    def last_position(self) -> int:
        if self.store.kind == "sqlite":
            return self._sqlite_conn().execute("SELECT coalesce(max(rowid), 0) FROM stored_events").fetchone()[0]
        return self._pg_conn().execute("SELECT coalesce(max(notification_id), 0) FROM leitai_events").fetchone()[0]

    def read_after(self, position: int, limit: int) -> list[Row]:
        if self.store.kind == "sqlite":
            return self._sqlite_conn().execute(
                "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
                "WHERE rowid > ? ORDER BY rowid LIMIT ?", (position, limit)).fetchall()
        with self._pg_conn().cursor(binary=True) as cur:
            cur.execute("SELECT notification_id, originator_id, originator_version, topic, state FROM leitai_events "
                        "WHERE notification_id > %s ORDER BY notification_id LIMIT %s", (position, limit))
            return cur.fetchall()

    def scan(self, after: int = 0, upto: int | None = None, batch: int = 20000) -> Iterator[list[Row]]:
        """Every event after ``after`` (up to ``upto``), in batches, in one read."""
        upto = self.last_position() if upto is None else upto
        if self.store.kind == "sqlite":
            cur = self._sqlite_conn().execute(
                "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
                "WHERE rowid > ? AND rowid <= ? ORDER BY rowid", (after, upto))
            while rows := cur.fetchmany(batch):
                yield rows
            return
        with psycopg.connect(self.store.conninfo()) as conn:
            with conn.cursor(name="leitai_scan", binary=True) as cur:
                cur.itersize = batch
                cur.execute("SELECT notification_id, originator_id, originator_version, topic, state "
                            "FROM leitai_events WHERE notification_id > %s AND notification_id <= %s "
                            "ORDER BY notification_id", (after, upto))
                while rows := cur.fetchmany(batch):
                    yield rows

    # -- waiting ------------------------------------------------------------------------------

    def wait(self, position: int, timeout: float) -> None:
        """Return when an event after ``position`` may exist, or after ``timeout``."""
        if self.store.kind == "sqlite":
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.last_position() > position:
                    return
                time.sleep(self.poll_interval)
            return
        if self._listener is None or self._listener.closed:
            self._listener = psycopg.connect(self.store.conninfo(), autocommit=True)
            self._listener.execute("LISTEN leitai_events")
        if self.last_position() > position:  # whatever was committed before LISTEN took effect
            return
        for _ in self._listener.notifies(timeout=timeout, stop_after=1):
            return
