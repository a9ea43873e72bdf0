"""Which read side answers a request, and read-your-writes across servers (一致读取).

Several ``leitai serve`` behind one proxy share one database, but each follows the read
side on its own (its hub), and a read replica follows the primary a little later.  So a
client that wrote through one server and reads through another says what it has seen:

* every command answers with ``position`` (the log position of its last event);
* a read that sends it back in the ``Leitai-Position`` header is answered only once the
  answering read side includes that position - waited for up to ``WAIT`` seconds, else
  503 ``NotYetProjected`` with ``Retry-After`` (nothing older is ever shown to it);
* with a read replica (``LEITAI_READ_DATABASE_URL``: a PostgreSQL streaming standby
  of the primary), public reads - GET or HEAD without credentials: pages, boards,
  results - are read from the replica; writes, signed-in reads and ``/healthz`` stay on
  the primary.  A public read whose position the replica has not reached within
  ``REPLICA_WAIT`` seconds is read from the primary instead, and so is every public read
  while the replica does not answer.

Every answer carries ``Leitai-Projected``: the position of the read side that answered.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from flask import Flask, Response, current_app, g, request

from api.rest.errors import NotYetProjected
from domain.errors import InvalidValue

HEADER = "Leitai-Position"
WAIT = 5.0  # seconds a read waits for the position it names (as long as a command waits for its own)
REPLICA_WAIT = 1.0  # seconds a public read waits for the replica before reading from the primary


def install(app: Flask, primary: Any) -> Any:
    """Open the replica's read side (when configured) and route each request's reads;
    returns the replica's hub or None."""
    url = app.config.get("LEITAI_READ_DATABASE_URL") or os.environ.get("LEITAI_READ_DATABASE_URL")
    replica = None
    if url:
        from api.rest.hub import Hub
        from domain.services.store import parse_url

        store = parse_url(url)
        if store.kind != "postgresql":
            raise InvalidValue("LEITAI_READ_DATABASE_URL", store.display, "a postgresql:// URL of a streaming standby",
                               "应为 PostgreSQL 流复制备库的 postgresql:// 地址")
        replica = Hub(store)
        replica.polling = True  # a standby takes no LISTEN: its read side is followed by polling
        app.extensions["leitai_read_hub"] = replica
        app.teardown_request(lambda _: replica.release())
    gate = Gate(replica) if replica is not None else None
    app.before_request(lambda: choose(primary, replica, gate))
    app.after_request(tell_position)
    return replica


def wanted() -> int | None:
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    raw = raw.strip()
    if not raw.isdigit() or len(raw) > 18:
        raise InvalidValue(HEADER, raw[:40], "a log position (a whole number) from a command's answer",
                           "应为命令答复中的日志位置（整数）")
    return int(raw)


def public() -> bool:
    from api.rest.security import COOKIE

    return (request.method in ("GET", "HEAD") and request.path != "/healthz"
            and not request.headers.get("Authorization") and not request.cookies.get(COOKIE))


class Gate:
    """Is the replica there?  Asked at most every ``EVERY`` seconds on a connection of its
    own (a pool would keep a request waiting for a server that is gone); while it is not,
    public reads go to the primary."""

    EVERY = 1.0

    def __init__(self, replica: Any) -> None:
        self.replica = replica
        self._lock = threading.Lock()
        self._conn: Any = None
        self.checked, self.up = 0.0, True

    def open(self) -> bool:
        if time.monotonic() - self.checked < self.EVERY:
            return self.up
        with self._lock:
            if time.monotonic() - self.checked < self.EVERY:
                return self.up
            try:
                if self._conn is None or self._conn.closed:
                    import psycopg

                    self._conn = psycopg.connect(self.replica.store.conninfo(), autocommit=True, connect_timeout=2,
                                                 application_name="leitai-serve replica check")
                self._conn.execute("SELECT 1")
                self.replica.start()
                up = True
            except Exception as error:  # noqa: BLE001 - the replica away: the primary answers meanwhile
                if self.up:
                    current_app.logger.warning("the read replica is unavailable (%s); public reads go to the primary",
                                               str(error).strip().splitlines()[0][:200])
                if self._conn is not None:
                    self._conn.close()
                self._conn, up = None, False
            self.up, self.checked = up, time.monotonic()
            return up


def choose(primary: Any, replica: Any, gate: Gate | None) -> None:
    position = wanted()
    if position is not None and position > primary.position and position > beyond_the_log():
        raise NotYetProjected(position=position, projected=primary.position, seconds=1)  # no write got it yet
    if replica is not None and gate is not None and public() and gate.open():
        if position is None or replica.wait_for(position, REPLICA_WAIT):
            g.leitai_hub = replica
            return
    if position is not None and not primary.wait_for(position, WAIT):
        raise NotYetProjected(position=position, projected=primary.position, seconds=1)


def beyond_the_log() -> int:
    return current_app.extensions["leitai"].recorder.max_notification_id() or 0


def tell_position(response: Response) -> Response:
    hub = g.get("leitai_hub") or current_app.extensions["leitai_hub"]
    response.headers["Leitai-Projected"] = str(hub.position)
    return response


def replica_health(replica: Any, projected: int) -> dict[str, Any]:
    """The replica as ``/healthz`` reports it: a standby?, its read side's position and how
    far behind the primary's (``projected``) it is, and its replay lag in seconds."""
    found: dict[str, Any] = {}
    try:
        replica.start()  # its watcher, if no read has started it yet
        found.update(projected=replica.position, behind=max(0, projected - replica.position))
        conn = replica.leases.get()
        row = conn.execute("SELECT pg_is_in_recovery(), extract(epoch FROM now() - pg_last_xact_replay_timestamp()), "
                           "pg_last_wal_replay_lsn()::text").fetchone()
        found.update(standby=bool(row[0]), replay_lag_seconds=None if row[1] is None else round(float(row[1]), 1),
                     replay_lsn=row[2])
    except Exception as error:  # noqa: BLE001 - a replica away is reported, the primary still serves
        found["error"] = str(error).strip().splitlines()[0][:200]
    finally:
        replica.release()
    return found
