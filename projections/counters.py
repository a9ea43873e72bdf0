"""Counters that ``/metrics`` shows, counted wherever the work is done.

    from projections.counters import count
    count("fanout_publications", sent)          # e.g. the fan-out publisher, after each pass

A counter only ever grows (Prometheus's rule; a restart starts it again at 0, which
``rate()`` allows for).  The projector runs as a child process of ``leitai serve``
(``LEITAI_PARENT_PID`` names the server), so what a child counts is also written, at most
every ``FLUSH`` seconds and when the process ends, to a small file the server reads when
scraped: ``leitai-metrics-<uid>/<server pid>.<child pid>.json`` in the temporary directory
(a directory only this user may enter).  Names are short and plain (``[a-z_]+``); the
exposition adds the ``leitai_`` prefix and ``_total``.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import tempfile
import threading
from pathlib import Path

FLUSH = 0.5  # seconds: how stale a child's counters may be when the server is scraped
NAME = re.compile(r"[a-z][a-z0-9_]*")

_lock = threading.Lock()
_counts: dict[str, int] = {}
_timer: threading.Timer | None = None


def count(name: str, amount: int = 1) -> None:
    """Add ``amount`` (≥ 0) to the counter ``name`` of this process."""
    if not NAME.fullmatch(name) or amount < 0:
        raise ValueError(f"a counter is named [a-z][a-z0-9_]* and only grows: {name!r} += {amount}")
    global _timer
    with _lock:
        _counts[name] = _counts.get(name, 0) + amount
        if os.environ.get("LEITAI_PARENT_PID") and _timer is None:  # a child: written within FLUSH seconds
            _timer = threading.Timer(FLUSH, _flush)
            _timer.daemon = True
            _timer.start()


def local() -> dict[str, int]:
    with _lock:
        return dict(_counts)


def directory() -> Path:
    return Path(tempfile.gettempdir()) / f"leitai-metrics-{os.getuid() if hasattr(os, 'getuid') else 0}"


def _own(folder: Path) -> bool:
    """The directory is this user's own and no one else's to write (not planted by another)."""
    try:
        found = folder.stat()
    except OSError:
        return False
    return not hasattr(os, "getuid") or (found.st_uid == os.getuid() and not found.st_mode & 0o022)


def _flush() -> None:
    """Write this child's counters for its server (atomically: a scrape never reads half)."""
    global _timer
    parent = os.environ.get("LEITAI_PARENT_PID")
    with _lock:
        _timer = None
        data = dict(_counts)
    if not parent or not data:
        return
    folder = directory()
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        if not _own(folder):
            return
        path = folder / f"{int(parent)}.{os.getpid()}.json"
        spare = path.with_suffix(".tmp")
        spare.write_text(json.dumps(data), encoding="utf-8")
        os.replace(spare, path)
    except (OSError, ValueError):
        pass  # metrics are never worth failing the work they count


def from_children(server_pid: int | None = None) -> dict[str, int]:
    """The counters the server's children wrote (summed over them; a child that died keeps
    its last counts here until the server ends, so the sum does not fall back)."""
    server_pid = server_pid or os.getpid()
    total: dict[str, int] = {}
    folder = directory()
    if not _own(folder):
        return total
    try:
        files = list(folder.glob(f"{server_pid}.*.json"))
    except OSError:
        return total
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for name, value in data.items():
            if NAME.fullmatch(str(name)) and isinstance(value, int):
                total[name] = total.get(name, 0) + value
    return total


def forget_stale(server_pid: int | None = None) -> None:
    """Files named after this server's pid but older than the server itself: left by an earlier
    process that had the same pid and was killed outright (``kill -9`` runs no clean-up)."""
    started = _started()
    if started is None or not _own(directory()):
        return
    for path in directory().glob(f"{server_pid or os.getpid()}.*.json"):
        try:
            if path.stat().st_mtime < started:
                path.unlink()
        except OSError:
            pass


def _started() -> float | None:
    """When this process started (seconds since the epoch), from Linux's /proc; else None."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        boot = next(float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime "))
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def forget_children(server_pid: int | None = None) -> None:
    """The server ends: its children's files go with it."""
    for path in directory().glob(f"{server_pid or os.getpid()}.*.json"):
        path.unlink(missing_ok=True)


atexit.register(_flush)  # what was counted since the last write
