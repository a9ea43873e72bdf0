"""Which projector runs when several servers share one PostgreSQL database (选举投影进程).

Every ``leitai serve`` starts a projector; on a PostgreSQL store exactly one of them
projects.  It is the one holding a session-level advisory lock (``LOCK_KEY``; advisory
locks belong to one database, so each database has its own projector) taken with
``pg_try_advisory_lock`` **on the very connection that writes the read models**.  The
others stand by: they try for the lock every ``RETRY`` seconds and every ``FOLLOW``
seconds fold what the holder committed (reading, never writing), so that a takeover only
has the last second's events to fold.

Fencing: a session-level lock lasts exactly as long as its session.  Before each batch
the projector checks that its connection is still the backend that took the lock
(:meth:`Election.fence`), and while it leads its connection is pinned
(``SharedConnection.pinned``): found closed, it is never silently replaced by a new
session (which would not hold the lock) - the batch commits on that session or not at
all.  A projector whose session was lost (its server was cut
off, the database restarted) therefore commits nothing: it stands by again.  The
read models' own compare-and-set on the position (``ReadStore.apply``) stays as the
second guard: a batch never applies on a position other than the one it was folded
from.

How soon a standby takes over:
* the holder's process dies (kill -9, out of memory): its kernel closes the TCP
  connection, the backend ends and frees the lock at once; a standby has it within
  ``RETRY`` seconds and projects after folding what was committed meanwhile;
* the holder's host vanishes without closing the connection (power, network): the
  backend's TCP keepalive (``KEEPALIVE`` below, set on the session) finds the peer gone
  after ``idle + count x interval`` seconds of silence (tcp_user_timeout bounds it when
  data is in flight), then the lock is freed as above;
* the holder hangs (its host or process frozen, swapping to death, stopped by a
  debugger; or its projecting thread stuck for ``PROGRESS`` seconds) while its kernel
  still answers the keepalive: a thread of the holder runs a trivial query on the lock
  session every ``BEAT`` seconds while the projecting thread makes progress, so a live
  holder's session is never idle for long; a standby that finds the holder's session idle
  (not running a statement) for ``STALE_LEADER`` seconds ends it (``pg_terminate_backend``,
  allowed between sessions of one login; another login's session state is not even
  visible, and is left to the keepalive) and takes the lock.  A holder that wakes up
  finds its session gone and commits nothing (the fencing above).
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from projections.db import SharedConnection
    from projections.runner import Projector

LOCK_KEY = 0x4C545052  # "LTPR": classid 0, objid this, in pg_locks (one per database)
RETRY = 0.2  # seconds between a standby's attempts to take the lock
FOLLOW = 1.0  # seconds between a standby's folds of what the holder committed (a takeover folds the rest)
# the lock session's keepalive, on both ends: the backend frees the lock of a vanished host after
# about idle + count x interval seconds (docs/servers.md); the projector notices a vanished database as soon
KEEPALIVE = {"idle": 1, "interval": 1, "count": 1, "user_timeout_ms": 2000}
BEAT = 0.5  # seconds between the holder's trivial queries on its lock session (while it lives)
STALE_LEADER = 4.0  # seconds a holder's lock session may stay idle before a standby ends it (it hangs)
PROGRESS = 30.0  # seconds the projecting thread may go without progress before the holder stops beating


class LostLead(Exception):
    """This projector's lock session is gone: it may not write; it stands by again."""


def identity(pid: int | None = None) -> str:
    """How a projector names itself (PostgreSQL's application_name, at most 63 bytes): the
    server (``LEITAI_SERVER_NAME``, set by ``leitai serve`` to host:port) and its own pid."""
    server = (os.environ.get("LEITAI_SERVER_NAME") or socket.gethostname())[:32]
    return f"leitai-projector {server} pid {pid or os.getpid()}"


def connection_options() -> dict[str, Any]:
    """psycopg.connect options for the lock session: TCP keepalive on the projector's end
    (libpq) and on the backend's (the tcp_* settings of the session)."""
    k = KEEPALIVE
    server = (f"-c tcp_keepalives_idle={k['idle']} -c tcp_keepalives_interval={k['interval']} "
              f"-c tcp_keepalives_count={k['count']} -c tcp_user_timeout={k['user_timeout_ms']}")
    return {"application_name": identity(), "keepalives": 1, "keepalives_idle": k["idle"],
            "keepalives_interval": k["interval"], "keepalives_count": k["count"],
            "tcp_user_timeout": k["user_timeout_ms"], "options": server}


class Election:
    def __init__(self, connection: SharedConnection) -> None:
        self.connection = connection
        connection.options.update(connection_options())
        self.backend: int | None = None  # the backend pid that holds the lock (None: not leading)
        self.leading = False
        self._beating: threading.Thread | None = None
        self._progress = time.monotonic()  # when the projecting thread last made progress

    def try_lead(self) -> bool:
        conn = self.connection.get()
        if conn.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()[0]:
            self.backend, self.leading = conn.info.backend_pid, True
            self.connection.pinned = True  # this session, and no other, until the lead is lost
            self.progressed()
            if self._beating is None:
                self._beating = threading.Thread(target=self._beat, daemon=True, name="leitai-election-beat")
                self._beating.start()
        return self.leading

    def progressed(self) -> None:
        self._progress = time.monotonic()

    def _beat(self) -> None:
        """While the projecting thread makes progress (within ``PROGRESS`` seconds): a trivial
        query on the lock session every ``BEAT`` seconds when leading, so that standbys see a
        living holder (``pg_stat_activity``'s state_change) even while it waits for events or
        folds a long batch - and a stuck one (deadlocked, blocked) stops beating, and is ended."""
        while True:
            time.sleep(BEAT)
            try:
                conn = self.connection._conn
                if (not self.leading or conn is None or conn.closed or conn.info.backend_pid != self.backend
                        or time.monotonic() - self._progress > PROGRESS):
                    continue
                conn.execute("SELECT 1")
            except Exception:  # noqa: BLE001 - a session gone is found before the next batch (fence, pinned)
                pass

    def end_stale_holder(self) -> str | None:
        """As a standby: end the holder's session if it has been idle (not running a
        statement) for ``STALE_LEADER`` seconds - the holder hangs, or its host is gone; one
        statement, so the session ended is the one found stale.  Returns who was ended, or
        None.  Only a session this login may see the state of (its own login's) is judged."""
        row = self.connection.get().execute(
            "SELECT a.application_name, EXTRACT(EPOCH FROM (clock_timestamp() - a.state_change)), "
            "pg_terminate_backend(a.pid) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = %s AND l.objsubid = 1 "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND a.state IN ('idle', 'idle in transaction', 'idle in transaction (aborted)') "
            "AND clock_timestamp() - a.state_change > make_interval(secs => %s)",
            (LOCK_KEY, STALE_LEADER)).fetchone()
        if row is None or not row[2]:
            return None
        say(f"投影权持有者（{row[0]}）已 {float(row[1]):.1f} 秒无响应（挂起或其主机失联），已结束其会话，准备接替。",
            f"the projector holding the lead ({row[0]}) has not been heard from for {float(row[1]):.1f} s (hung, or "
            "its host unreachable): ended its session; taking over")
        return str(row[0])

    def fence(self) -> None:
        """Raise :class:`LostLead` unless the read-model connection is still the session holding the lock."""
        conn = self.connection._conn
        if not self.leading or conn is None or conn.closed or conn.info.backend_pid != self.backend:
            self.lost()
            raise LostLead("the projector's lock session is gone")

    def lost(self) -> None:
        self.leading, self.backend = False, None
        self.connection.pinned = False

    def stand_by(self, projector: Projector, stop: threading.Event) -> bool:
        """Wait, following the committed position, until this projector holds the lock
        (True) or ``stop`` is set (False).  On winning, memory is brought to the position
        committed by the last holder, so the next batch starts exactly after it."""
        announced, followed = False, 0.0
        while not stop.is_set():
            if self.try_lead():
                projector.follow()
                say(f"本投影进程（{identity()}）已取得投影权，从位置 {projector.position} 继续投影。",
                    f"this projector ({identity()}) now holds the lead; projecting from position "
                    f"{projector.position}")
                return True
            if not announced:
                found = holder(self.connection.get())
                who = found["name"] if found else "?"
                say(f"另一台服务器的投影进程（{who}）正在投影，本进程待命，每 {RETRY:g} 秒尝试接替。",
                    f"standing by: the projector of another server ({who}) holds the lead; trying every "
                    f"{RETRY:g} s to take over")
                announced = True
            if time.monotonic() - followed >= FOLLOW:
                projector.follow()
                followed = time.monotonic()
            if self.end_stale_holder():
                stop.wait(0.05)  # the ended backend frees the lock as it exits: take it at once
                continue
            stop.wait(RETRY)
        return False


def holder(conn: Any) -> dict[str, Any] | None:
    """Who holds the projector lock of ``conn``'s database: {"name", "backend", "address"}, or None."""
    row = conn.execute(
        "SELECT a.application_name, a.pid, host(a.client_addr) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = %s AND l.objsubid = 1 "
        "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        (LOCK_KEY,)).fetchone()
    if row is None:
        return None
    return {"name": row[0] or f"backend {row[1]}", "backend": row[1], "address": row[2]}


def say(zh: str, en: str) -> None:
    print(f"leitai projector: {zh} / {en}", file=sys.stderr, flush=True)


class Watch:
    """What a server tells about the election (``/healthz``, ``/metrics``): whether its own
    projector (``pid``) leads or stands by, and who leads.  One small connection of its
    own, asked at most every ``EVERY`` seconds."""

    EVERY = 0.5

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self._conn: Any = None
        self._lock = threading.Lock()
        self._seen: tuple[float, int | None, dict[str, Any]] = (0.0, None, {})

    def role(self, pid: int | None) -> dict[str, Any]:
        with self._lock:
            at, for_pid, found = self._seen
            if for_pid == pid and time.monotonic() - at < self.EVERY:
                return found
            try:
                if self._conn is None or self._conn.closed:
                    import psycopg

                    self._conn = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=2,
                                                 application_name="leitai-serve election watch")
                lead = holder(self._conn)
            except Exception as error:  # noqa: BLE001 - the store away: health says so elsewhere
                if self._conn is not None:
                    self._conn.close()
                self._conn = None
                return {"role": "unknown", "error": str(error).strip().splitlines()[0][:200]}
            mine = lead is not None and pid is not None and lead["name"].endswith(f" pid {pid}")
            found = {"role": "leader" if mine else ("standby" if lead is not None else "none"),
                     "leader": lead["name"] if lead is not None else None}
            if found["role"] != "none":  # a takeover under way is asked about again at once
                self._seen = (time.monotonic(), pid, found)
            return found

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
