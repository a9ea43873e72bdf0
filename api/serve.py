"""``leitai serve``: the HTTP service in production.

One process tree: this process serves HTTP with waitress (a production WSGI server,
threads, no fork - it runs as well on the Windows servers many county offices use) and
starts the projector (`leitai projections run`) as its child, so the read side follows
every write.  A projector that dies (killed, out of memory, a crash) is restarted and
the restart logged (:class:`Projector`); until it runs again ``/healthz`` answers 503.
Ctrl-C or SIGTERM stops both cleanly.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from domain.services.store import StoreURL

DRAIN_SECONDS = 5.0  # how long requests in flight may take to finish at shutdown


RESTART_FIRST = 1.0  # seconds before a dead projector is started again ...
RESTART_MAX = 30.0  # ... doubled while it keeps dying soon after each start, up to this
SETTLED = 60.0  # a projector that ran this long before dying is restarted after RESTART_FIRST again


class Projector:
    """The projector as this server's child process: started, watched twice a second,
    and restarted when it dies (after ``RESTART_FIRST`` seconds, longer while it keeps
    dying at once), each death and restart logged on stderr.  ``state()`` is what
    ``/healthz`` reports."""

    CHECK = 0.5

    def __init__(self, store: StoreURL, log: Callable[[str, str], None]) -> None:
        self.store = store
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.started = 0.0
        self.restarts = 0
        self.down_since: float | None = None  # when it was found dead (monotonic), until restarted
        self.last_exit: int | None = None
        self.delay = RESTART_FIRST
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.name = ""  # this server (host:port), the projector's LEITAI_SERVER_NAME
        self.watch: Any = None  # PostgreSQL: projections.election.Watch (leader or standby)

    def start(self) -> None:
        self._spawn()
        self._thread = threading.Thread(target=self._watch, daemon=True, name="leitai-projector-watch")
        self._thread.start()

    def _spawn(self) -> None:
        import os

        self.process = subprocess.Popen(
            [sys.executable, "-m", "api.cli.main", "--db", self.store.url, "projections", "run"],
            stdout=subprocess.DEVNULL, env={**os.environ, "LEITAI_PARENT_PID": str(os.getpid()),
                                            "LEITAI_SERVER_NAME": self.name or os.environ.get("LEITAI_SERVER_NAME", "")})
        self.started = time.monotonic()

    def _watch(self) -> None:
        while not self._stop.wait(self.CHECK):
            with self._lock:
                if self._stop.is_set() or self.process is None:
                    return
                code = self.process.poll()
                if code is None:
                    continue
                now = time.monotonic()
                if self.down_since is None:
                    self.down_since, self.last_exit = now, code
                    self.delay = RESTART_FIRST if now - self.started >= SETTLED else (
                        self.delay * 2 if self.restarts else RESTART_FIRST)
                    self.delay = min(self.delay, RESTART_MAX)
                    how_zh, how_en = _exit_text(code)
                    self.log(f"投影进程（pid {self.process.pid}）已停止（{how_zh}），{self.delay:g} 秒后重新启动；"
                             "在此之前读取的结果不包括新登记的内容，/healthz 答复 503。",
                             f"the projector (pid {self.process.pid}) stopped ({how_en}); restarting it in "
                             f"{self.delay:g} s - until then reads miss what is recorded and /healthz answers 503.")
                if now - self.down_since < self.delay:
                    continue
                old = self.process.pid
                try:
                    self._spawn()
                except OSError as error:
                    self.log(f"无法重新启动投影进程：{error}", f"could not restart the projector: {error}")
                    self.down_since = now
                    continue
                self.restarts += 1
                self.down_since = None
                self.log(f"已重新启动投影进程（pid {self.process.pid}，原 pid {old}；第 {self.restarts} 次重启）。",
                         f"restarted the projector as pid {self.process.pid} (was pid {old}; restart "
                         f"{self.restarts}).")

    def state(self) -> dict[str, Any]:
        with self._lock:
            running = self.process is not None and self.process.poll() is None
            found: dict[str, Any] = {"running": running, "supervised": True,
                                     "pid": self.process.pid if self.process is not None else None,
                                     "restarts": self.restarts}
            if not running:
                found["exit_code"] = self.process.poll() if self.process is not None else None
                if self.down_since is not None:
                    found["restart_in"] = round(max(0.0, self.down_since + self.delay - time.monotonic()), 1)
            pid = found["pid"] if running else None
        if self.watch is not None:  # several servers: this one's projector leads, or stands by (healthy)
            found.update(self.watch.role(pid))
        return found

    def stop(self) -> None:
        """Stop watching, then the projector itself (SIGTERM, then SIGKILL after 10 s)."""
        with self._lock:
            self._stop.set()
        if self.watch is not None:
            self.watch.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _exit_text(code: int) -> tuple[str, str]:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"被信号 {name} 终止", f"killed by {name}"
    return f"退出码 {code}", f"exit code {code}"


def serve(store: StoreURL, host: str, port: int, threads: int, say: Callable[[str, str], None],
          application: Any = None, ready: Callable[[], None] | None = None,
          warn: Callable[[str, str], None] | None = None) -> None:
    from waitress import create_server

    from api.app import create_app

    import os

    def log(zh: str, en: str) -> None:
        if warn is not None:
            warn(zh, en)
        else:
            print(f"leitai serve: {en}", file=sys.stderr)
        sys.stderr.flush()

    projector = Projector(store, log)
    projector.name = f"{socket.gethostname()}:{port}"
    if store.kind == "postgresql":
        from projections.election import Watch

        projector.watch = Watch(store.conninfo())
    projector.start()
    config: dict[str, Any] = {"LEITAI_APP": application} if application is not None else {"LEITAI_DATABASE_URL": store.url}
    # each live stream holds a thread: keep 32 for everything else (LEITAI_MAX_STREAMS to choose)
    config["LEITAI_MAX_STREAMS"] = int(os.environ.get("LEITAI_MAX_STREAMS") or max(8, threads - 32))
    config["LEITAI_PROJECTOR_STATE"] = projector.state
    try:
        app = create_app(config)
        # waitress spools a request body to disk before the app sees it: it stops reading
        # one far beyond the app's MAX_CONTENT_LENGTH (the app answers 413 up to twice it)
        server = create_server(app, host=host, port=port, threads=threads, ident="leitai", channel_timeout=120,
                               connection_limit=max(1000, threads * 4), asyncore_use_poll=True,
                               max_request_body_size=2 * app.config["MAX_CONTENT_LENGTH"],
                               # X-Forwarded-For reaches the app, which believes it only from
                               # LEITAI_TRUSTED_PROXIES (api.rest.security.client_address); waitress
                               # would strip it always, making every client behind nginx local
                               clear_untrusted_proxy_headers=False)
    except BaseException:
        projector.stop()
        raise

    def stop(*_: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    say(f"擂台服务已启动：http://{host}:{port}/ （接口文档 /api/docs；数据库 {store.display}）。按 Ctrl-C 停止。",
        f"Leitai is serving http://{host}:{port}/ (API docs at /api/docs; database {store.display}). Ctrl-C stops.")
    sys.stdout.flush()
    if ready is not None:
        ready()
    try:
        # waitress's own run() waits for the worker threads before the live streams are told
        # to end; run the loop here so the shutdown can go in order (see _drain).
        server.asyncore.loop(timeout=server.adj.asyncore_loop_timeout, map=server._map, use_poll=True)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        replica = app.extensions.get("leitai_read_hub")
        if replica is not None:
            replica.stop()  # its live streams end with the others
        _drain(server, app.extensions["leitai_hub"])
        if replica is not None:
            replica.close()
        projector.stop()
        say("擂台服务已停止。", "Leitai stopped.")


def _drain(server: Any, hub: Any, grace: float = DRAIN_SECONDS) -> None:
    """Stop in order: take no new connections, tell the live board streams to end, keep
    the loop turning until the requests in flight have sent their last bytes (at most
    ``grace`` seconds), and only then close the worker threads, the wake-up pipe and the
    read-model connections.  Closing first would leave a streaming thread writing into a
    closed pipe."""
    import time

    from waitress import wasyncore

    wasyncore.dispatcher.close(server)  # the listening socket only; the wake-up pipe stays
    hub.stop()
    dispatcher = server.task_dispatcher
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        with dispatcher.lock:
            busy = dispatcher.active_count > 0 or bool(dispatcher.queue)
        pending = any(getattr(channel, "total_outbufs_len", 0) for channel in list(server._map.values()))
        if not busy and not pending:
            break
        server.asyncore.loop(timeout=0.05, map=server._map, use_poll=True, count=1)
    dispatcher.shutdown(timeout=1)
    for channel in list(server._map.values()):
        if channel is not server.trigger:
            channel.close()
    if not dispatcher.threads:  # a request still running past the grace would write into it
        server.trigger.close()
    hub.close()
