"""``leitai serve``: the HTTP service in production.

One process tree: this process serves HTTP with waitress (a production WSGI server,
threads, no fork - it runs as well on the Windows servers many county offices use) and
starts the projector (`leitai projections run`) as its child, so the read side follows
every write.  Ctrl-C or SIGTERM stops both cleanly.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from domain.services.store import StoreURL

DRAIN_SECONDS = 5.0  # how long requests in flight may take to finish at shutdown


def serve(store: StoreURL, host: str, port: int, threads: int, say: Callable[[str, str], None],
          application: Any = None, ready: Callable[[], None] | None = None) -> None:
    from waitress import create_server

    from api.app import create_app

    import os

    projector = subprocess.Popen([sys.executable, "-m", "api.cli.main", "--db", store.url, "projections", "run"],
                                 stdout=subprocess.DEVNULL, env={**os.environ, "LEITAI_PARENT_PID": str(os.getpid())})
    config: dict[str, Any] = {"LEITAI_APP": application} if application is not None else {"LEITAI_DATABASE_URL": store.url}
    # each live stream holds a thread: keep 32 for everything else (LEITAI_MAX_STREAMS to choose)
    config["LEITAI_MAX_STREAMS"] = int(os.environ.get("LEITAI_MAX_STREAMS") or max(8, threads - 32))
    app = create_app(config)
    # waitress spools a request body to disk before the app sees it: it stops reading
    # one far beyond the app's MAX_CONTENT_LENGTH (the app answers 413 up to twice it)
    server = create_server(app, host=host, port=port, threads=threads, ident="leitai", channel_timeout=120,
                           connection_limit=max(1000, threads * 4), asyncore_use_poll=True,
                           max_request_body_size=2 * app.config["MAX_CONTENT_LENGTH"])

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
        _drain(server, app.extensions["leitai_hub"])
        projector.terminate()
        try:
            projector.wait(timeout=10)
        except subprocess.TimeoutExpired:
            projector.kill()
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
