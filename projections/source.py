"""Reading the recorded events, in log order, from either store.

Positions are the store's notification ids (SQLite: rowid).  On PostgreSQL the events
table is written under an exclusive lock, so ids commit in order and reading "after
position P" never passes over an event that commits later with a lower id.  Waiting
for new events uses LISTEN/NOTIFY on PostgreSQL (the insert function notifies
``leitai_events``), with polling as the fallback, and polling on SQLite.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
import time
from collections.abc import Iterator
from typing import Any
from uuid import UUID

from domain.services.store import EVENTS_TABLE_POSTGRES as PG_EVENTS
from domain.services.store import EVENTS_TABLE_SQLITE as SQLITE_EVENTS
from domain.services.store import CHAIN_TABLE_POSTGRES as PG_CHAIN
from domain.services.store import CHAIN_TABLE_SQLITE as SQLITE_CHAIN
from domain.services.store import StoreURL
from projections.db import SharedConnection, UsesConnection

Row = tuple[int, Any, int, str, Any]  # position, aggregate id, version, topic, state

# On PostgreSQL aggregates are keyed by the id's 16 raw bytes (uuid_send): far cheaper to
# read than UUID objects, and the same in every query of this module.
PG_COLUMNS = "notification_id, uuid_send(originator_id), originator_version, topic, state"
SQLITE_COLUMNS = "rowid, originator_id, originator_version, topic, state"
PREFETCH_FROM = 100_000  # events: a read this long is fetched ahead by a helper thread


class EventSource(UsesConnection):
    def __init__(self, store: StoreURL, poll_interval: float = 0.005,
                 connection: SharedConnection | None = None) -> None:
        super().__init__(store, connection)
        self.poll_interval = poll_interval

    def _sqlite_conn(self) -> sqlite3.Connection:
        return self.connection()

    def _pg_conn(self) -> Any:
        return self.connection()

    # -- reading ----------------------------------------------------------------------------

    def last_position(self) -> int:
        if self.store.kind == "sqlite":
            return self._sqlite_conn().execute(f"SELECT coalesce(max(rowid), 0) FROM {SQLITE_EVENTS}").fetchone()[0]
        return self._pg_conn().execute(f"SELECT coalesce(max(notification_id), 0) FROM {PG_EVENTS}").fetchone()[0]

    def read_after(self, position: int, limit: int) -> list[Row]:
        if self.store.kind == "sqlite":
            return self._sqlite_conn().execute(
                f"SELECT {SQLITE_COLUMNS} FROM {SQLITE_EVENTS} WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (position, limit)).fetchall()
        with self._pg_conn().cursor(binary=True) as cur:
            cur.execute(f"SELECT {PG_COLUMNS} FROM {PG_EVENTS} WHERE notification_id > %s "
                        "ORDER BY notification_id LIMIT %s", (position, limit))
            return cur.fetchall()

    def events_of(self, aggregates: list[UUID]) -> list[Row]:
        """Every event of these aggregates, in log order (through the primary key)."""
        if not aggregates:
            return []
        if self.store.kind == "sqlite":
            marks = ", ".join("?" for _ in aggregates)
            return self._sqlite_conn().execute(
                f"SELECT {SQLITE_COLUMNS} FROM {SQLITE_EVENTS} WHERE originator_id IN ({marks}) ORDER BY rowid",
                [a.hex for a in aggregates]).fetchall()
        with self._pg_conn().cursor(binary=True) as cur:
            cur.execute(f"SELECT {PG_COLUMNS} FROM {PG_EVENTS} WHERE originator_id = ANY(%s) "
                        "ORDER BY notification_id", (aggregates,))
            return cur.fetchall()

    def scan(self, after: int = 0, upto: int | None = None, batch: int = 20000) -> Iterator[list[Row]]:
        """Every event after ``after`` (up to ``upto``), in batches, in one read.  For a long
        read the next batch is fetched by a helper thread while the caller works on the
        current one (both drivers release the interpreter lock while they wait on the
        database); for a short one the handing over costs more than it saves."""
        upto = self.last_position() if upto is None else upto
        if upto - after < PREFETCH_FROM:
            yield from self._scan(after, upto, batch, short=True)
            return
        batches: queue.Queue[list[Row] | BaseException | None] = queue.Queue(maxsize=2)
        stop = threading.Event()

        def fetch() -> None:
            try:
                for rows in self._scan(after, upto, batch):
                    while not stop.is_set():
                        try:
                            batches.put(rows, timeout=0.1)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return  # the reader gave up: leave the cursor's transaction
                batches.put(None)
            except BaseException as error:  # noqa: BLE001 - handed to the reading thread
                batches.put(error)

        reader = threading.Thread(target=fetch, daemon=True, name="leitai-scan")
        reader.start()
        try:
            while (item := batches.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            reader.join()

    def _scan(self, after: int, upto: int, batch: int, short: bool = False) -> Iterator[list[Row]]:
        if self.store.kind == "postgresql" and short:  # one round trip beats a server-side cursor
            with self._pg_conn().cursor(binary=True) as cur:
                cur.execute(f"SELECT {PG_COLUMNS} FROM {PG_EVENTS} WHERE notification_id > %s "
                            "AND notification_id <= %s ORDER BY notification_id", (after, upto))
                rows = cur.fetchall()
            for start in range(0, len(rows), batch):
                yield rows[start:start + batch]
            return
        if self.store.kind == "sqlite":
            cur = self._sqlite_conn().execute(
                f"SELECT {SQLITE_COLUMNS} FROM {SQLITE_EVENTS} WHERE rowid > ? AND rowid <= ? ORDER BY rowid",
                (after, upto))
            while rows := cur.fetchmany(batch):
                yield rows
            return
        conn = self._pg_conn()
        with conn.transaction(), conn.cursor(name="leitai_scan", binary=True) as cur:  # a server-side cursor
            cur.itersize = batch
            cur.execute(f"SELECT {PG_COLUMNS} FROM {PG_EVENTS} WHERE notification_id > %s "
                        "AND notification_id <= %s ORDER BY notification_id", (after, upto))
            while rows := cur.fetchmany(batch):
                yield rows

    # -- the chain ----------------------------------------------------------------------------

    def scan_with_links(self, after: int = 0, upto: int | None = None, batch: int = 20000) -> Iterator[list[tuple]]:
        """Every event with its stored chain link (None where it has none), in log order."""
        upto = self.last_position() if upto is None else upto
        if self.store.kind == "sqlite":
            cur = self._sqlite_conn().execute(
                f"SELECT e.rowid, e.originator_id, e.originator_version, e.topic, e.state, c.link "
                f"FROM {SQLITE_EVENTS} e LEFT JOIN {SQLITE_CHAIN} c ON c.position = e.rowid "
                "WHERE e.rowid > ? AND e.rowid <= ? ORDER BY e.rowid", (after, upto))
            while rows := cur.fetchmany(batch):
                yield rows
            return
        conn = self._pg_conn()
        with conn.transaction(), conn.cursor(name="leitai_chain_scan", binary=True) as cur:
            cur.itersize = batch
            cur.execute(f"SELECT e.notification_id, uuid_send(e.originator_id), e.originator_version, e.topic, "
                        f"e.state, c.link FROM {PG_EVENTS} e LEFT JOIN {PG_CHAIN} c ON c.position = e.notification_id "
                        "WHERE e.notification_id > %s AND e.notification_id <= %s ORDER BY e.notification_id",
                        (after, upto))
            while rows := cur.fetchmany(batch):
                yield rows

    def orphan_links(self) -> list[int]:
        """Positions that have a chain link but no event (an event was removed)."""
        if self.store.kind == "sqlite":
            rows = self._sqlite_conn().execute(
                f"SELECT c.position FROM {SQLITE_CHAIN} c LEFT JOIN {SQLITE_EVENTS} e ON e.rowid = c.position "
                "WHERE e.rowid IS NULL ORDER BY c.position LIMIT 20").fetchall()
        else:
            rows = self._pg_conn().execute(
                f"SELECT c.position FROM {PG_CHAIN} c LEFT JOIN {PG_EVENTS} e ON e.notification_id = c.position "
                "WHERE e.notification_id IS NULL ORDER BY c.position LIMIT 20").fetchall()
        return [int(r[0]) for r in rows]

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
        listener = self.listener("leitai_events")
        if self.last_position() > position:  # whatever was committed before LISTEN took effect
            return
        for _ in listener.notifies(timeout=timeout, stop_after=1):
            return
