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


def serve(store: StoreURL, host: str, port: int, threads: int, say: Callable[[str, str], None],
          application: Any = None, ready: Callable[[], None] | None = None) -> None:
    from waitress import create_server

    from api.app import create_app

    projector = subprocess.Popen([sys.executable, "-m", "api.cli.main", "--db", store.url, "projections", "run"],
                                 stdout=subprocess.DEVNULL)
    app = create_app({"LEITAI_APP": application} if application is not None else {"LEITAI_DATABASE_URL": store.url})
    server = create_server(app, host=host, port=port, threads=threads, ident="leitai", channel_timeout=120,
                           connection_limit=max(1000, threads * 4), asyncore_use_poll=True)

    def stop(*_: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    say(f"擂台服务已启动：http://{host}:{port}/ （接口文档 /api/docs；数据库 {store.display}）。按 Ctrl-C 停止。",
        f"Leitai is serving http://{host}:{port}/ (API docs at /api/docs; database {store.display}). Ctrl-C stops.")
    sys.stdout.flush()
    if ready is not None:
        ready()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.close()
        app.extensions["leitai_hub"].stop()
        projector.terminate()
        try:
            projector.wait(timeout=10)
        except subprocess.TimeoutExpired:
            projector.kill()
        say("擂台服务已停止。", "Leitai stopped.")
