"""One database connection shared by the event source and the read-model store of a
projector (they take turns; a connection costs ~4 ms to open on PostgreSQL)."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

from domain.services.store import StoreURL


class SharedConnection:
    def __init__(self, store: StoreURL) -> None:
        self.store = store
        self._conn: Any = None
        self.options: dict[str, Any] = {}  # more psycopg.connect options (projections.election: keepalive)
        self.pinned = False  # the session holds the projector's lock: never replaced by a new one unasked

    def get(self) -> Any:
        if self.pinned and self._conn is not None and self._conn.closed:
            # the lock session is gone (ended, cut off): a new session would not hold the lock, and a
            # batch must not commit on it - the store is treated as away, and the projector stands by
            import psycopg

            raise psycopg.OperationalError("the projector's lock session is gone")
        if self._conn is None or (self.store.kind == "postgresql" and self._conn.closed):
            if self.store.kind == "sqlite":
                self._conn = sqlite3.connect(self.store.path, isolation_level=None, check_same_thread=False,
                                             timeout=5)
            else:
                import psycopg  # only for PostgreSQL stores

                self._conn = psycopg.connect(self.store.conninfo(), autocommit=True, connect_timeout=5,
                                             **self.options)
        return self._conn

    def close(self) -> None:
        self.pinned = False
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class ConnectionLeases:
    """Connections for many threads, as a server needs them: each thread leases one when it
    first reads and gives it back with ``release()`` (at the end of each request).

    PostgreSQL: a bounded pool (``size`` connections; a thread waits up to ``timeout``
    seconds for one), checked before each lease so that a connection the server dropped
    is replaced, never handed out.  SQLite: one connection per thread, kept (they cost
    nothing on the server's side)."""

    def __init__(self, store: StoreURL, size: int = 16, timeout: float = 10.0) -> None:
        self.store = store
        self._local = threading.local()
        self._pool: Any = None
        if store.kind == "postgresql":
            from psycopg_pool import ConnectionPool

            self._pool = ConnectionPool(store.conninfo(), min_size=1, max_size=size, timeout=timeout,
                                        kwargs={"autocommit": True, "connect_timeout": 5},
                                        check=ConnectionPool.check_connection, open=True, name="leitai-read")

    def get(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self._pool is not None:
                conn = self._pool.getconn()
            else:
                conn = sqlite3.connect(self.store.path, isolation_level=None, timeout=5)
            self._local.conn = conn
        return conn

    def release(self) -> None:
        """Give this thread's connection back (PostgreSQL); a broken one is discarded."""
        conn = getattr(self._local, "conn", None)
        if conn is not None and self._pool is not None:
            self._local.conn = None
            self._pool.putconn(conn)

    def close(self) -> None:
        self.release()
        if self._pool is not None:
            self._pool.close()


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
