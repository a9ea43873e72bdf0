"""One database connection shared by the event source and the read-model store of a
projector (they take turns; a connection costs ~4 ms to open on PostgreSQL)."""

from __future__ import annotations

import sqlite3
from typing import Any

from domain.services.store import StoreURL


class SharedConnection:
    def __init__(self, store: StoreURL) -> None:
        self.store = store
        self._conn: Any = None

    def get(self) -> Any:
        if self._conn is None or (self.store.kind == "postgresql" and self._conn.closed):
            if self.store.kind == "sqlite":
                self._conn = sqlite3.connect(self.store.path, isolation_level=None, check_same_thread=False,
                                             timeout=5)
            else:
                import psycopg  # only for PostgreSQL stores

                self._conn = psycopg.connect(self.store.conninfo(), autocommit=True, connect_timeout=5)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class UsesConnection:
    """A reader or writer of the store: works on a (possibly shared) connection and, for
    waiting on PostgreSQL notifications, on a listening connection of its own."""

    def __init__(self, store: StoreURL, connection: SharedConnection | None = None) -> None:
        self.store = store
        self._shared = connection or SharedConnection(store)
        self._owns = connection is None
        self._listener: Any = None

    def connection(self) -> Any:
        return self._shared.get()

    def listener(self, channel: str) -> Any:
        """A connection that LISTENs on ``channel`` (PostgreSQL only)."""
        if self._listener is None or self._listener.closed:
            import psycopg

            self._listener = psycopg.connect(self.store.conninfo(), autocommit=True, connect_timeout=5)
            self._listener.execute(f"LISTEN {channel}")
        return self._listener

    def close(self) -> None:
        if self._owns:
            self._shared.close()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
