"""nginx with the nchan module as a real process, for the fan-out tests and the audience
benchmark: the repository's own configuration (deploy/nginx/) on free ports of 127.0.0.1,
in a temporary directory, started from the distribution's binary and stopped at the end."""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.served import free_port  # noqa: F401 - the fan-out tests and benchmarks take it from here

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy" / "nginx"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NCHAN = Path("/usr/lib/nginx/modules/ngx_nchan_module.so")
MISSING = ("nginx with the nchan module is needed: run ./tests/install-fanout (apt-get install -y nginx "
           "libnginx-mod-nchan redis-server)")


def missing() -> str | None:
    """What is missing to run nginx with nchan (None: nothing)."""
    if not (os.access(NGINX, os.X_OK) and NCHAN.exists()):
        return MISSING
    return None


SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux: each read says when its data reached the socket


def receive(s: socket.socket, offset: float) -> tuple[bytes, float]:
    """What has arrived on a listener's socket (SO_TIMESTAMPNS set on it), and when its last
    bytes reached the socket - the kernel's receive time on the monotonic clock (``offset``:
    ``time.time() - time.monotonic()``), not when this process got round to reading them.
    Raises BlockingIOError when nothing is there, OSError when the connection failed."""
    data, ancillary, _, _ = s.recvmsg(1 << 16, 64)
    arrived = time.monotonic()
    for level, kind, value in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
            seconds, nanoseconds = struct.unpack("qq", value[:16])
            arrived = min(arrived, seconds + nanoseconds / 1e9 - offset)
    return data, arrived


@dataclass(frozen=True)
class Nginx:
    port: int  # the public side: pages, API and live boards
    publisher: int  # the publisher location (LEITAI_FANOUT_URL = http://127.0.0.1:<publisher>/pub)
    folder: Path
    pid: int = 0  # the master process (its workers are in its process group)

    def kill(self) -> None:
        """As when its host dies: every process of this nginx, at once (SIGKILL)."""
        os.killpg(self.pid, signal.SIGKILL)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def fanout_url(self) -> str:
        return f"http://127.0.0.1:{self.publisher}/pub"


def servers_lines() -> tuple[str, str]:
    """From deploy/nginx/leitai-servers.conf as shipped: its ``map`` of a request to its round,
    and the options of its ``server`` lines (``max_fails=... fail_timeout=...``)."""
    text = (DEPLOY / "leitai-servers.conf").read_text()
    start = text.index("map $uri $leitai_round {")
    mapping = text[start:text.index("}", start) + 1]
    options = re.search(r"server 10\.0\.0\.11:8000 ([^;]*);", text)
    assert options, "deploy/nginx/leitai-servers.conf: no server line to take the options of"
    assert "hash $leitai_round consistent;" in text, "deploy/nginx/leitai-servers.conf: no hash line"
    return mapping, options.group(1)


def site(upstream: int | list[int], port: int, publisher: int, redis_url: str | None = None,
         reuseport: bool = False) -> str:
    """deploy/nginx/leitai.conf (or leitai-redis.conf) with its addresses replaced: each
    replacement must take place exactly once, so the tests run the file as shipped.  Several
    upstream servers: as docs/servers.md says, the ``map``, ``hash`` and ``server`` lines of
    deploy/nginx/leitai-servers.conf in its ``upstream leitai_serve``."""
    text = (DEPLOY / ("leitai-redis.conf" if redis_url else "leitai.conf")).read_text()
    if isinstance(upstream, list):
        mapping, options = servers_lines()
        servers = "hash $leitai_round consistent;\n" + "".join(
            f"    server 127.0.0.1:{p} {options};\n" for p in upstream)
        text = mapping + "\n\n" + text
    else:
        servers = f"server 127.0.0.1:{upstream};"
    swaps = [("server 127.0.0.1:8000;", servers),
             ("listen 127.0.0.1:8090;", f"listen 127.0.0.1:{publisher};"),
             ("listen 8080;", f"listen 127.0.0.1:{port}{' reuseport' if reuseport else ''};")]
    if redis_url:
        swaps.append(("redis://127.0.0.1:6379", redis_url))
    for old, new in swaps:
        assert text.count(old) == 1, f"deploy/nginx config: expected {old!r} once"
        text = text.replace(old, new)
    return text


@contextmanager
def nginx(upstream: int | list[int], redis_url: str | None = None, connections: int = 4096, workers: int = 1,
          publisher: int | None = None, port: int | None = None) -> Iterator[Nginx]:
    """nginx serving the repository's site configuration in front of `leitai serve` on
    ``upstream``; nchan in memory, or sharing its channels through ``redis_url``; its
    publisher location on ``publisher`` and its public side on ``port`` (free ports if not given)."""
    problem = missing()
    if problem:
        raise RuntimeError(problem)
    folder = Path(tempfile.mkdtemp(prefix="leitai-nginx-"))
    port, publisher = port or free_port(), publisher or free_port()
    user = "user root root;" if os.geteuid() == 0 else ""
    (folder / "site.conf").write_text(site(upstream, port, publisher, redis_url, reuseport=workers > 1))
    # a worker may not open more files than this process's hard limit allows (in a container
    # often 20,000): many listeners take several workers
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    per_worker = connections // workers + 512
    files = min(hard, per_worker * 2 + 1024) if hard != resource.RLIM_INFINITY else per_worker * 2 + 1024
    (folder / "nginx.conf").write_text(f"""
load_module {NCHAN};
{user}
worker_processes {workers};
worker_rlimit_nofile {files};
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections {min(per_worker, files - 64)}; multi_accept on; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
""")
    process = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=open(folder / "stderr.log", "wb"),
                               start_new_session=True)
    try:
        deadline = time.time() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                socket.create_connection(("127.0.0.1", publisher), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.time() > deadline:
                    logs = [f.read_text()[-2000:] for f in (folder / "stderr.log", folder / "error.log") if f.exists()]
                    raise RuntimeError("nginx did not start: " + "\n".join(logs)) from None
                time.sleep(0.05)
        yield Nginx(port, publisher, folder, process.pid)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGQUIT)  # graceful; then by force
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def redis_server() -> Iterator[str]:
    """A Redis server of our own (the distribution's binary) on a free port; yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError(MISSING)
    folder = Path(tempfile.mkdtemp(prefix="leitai-redis-"))
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.time() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(folder, ignore_errors=True)
