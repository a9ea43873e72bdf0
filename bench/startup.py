"""Start-up of a quick command: `leitai board R` on the example contest, wall time.

Measured as a person runs it (a new process each time, the read models current), beside
the baselines in the same run: the Python interpreter starting and exiting, and the
interpreter importing the eventsourcing library (what every command paid before
commands imported only what they need).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LEITAI = str(Path(sys.executable).parent / "leitai")


def _run(command: list[str], env: dict[str, str], timeout: float = 60) -> None:
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {done.returncode}: {done.stderr[-2000:]}")


def _wall(command: list[str], runs: int, env: dict[str, str]) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        _run(command, env)
        times.append(time.perf_counter() - started)
    return times


def run(runs: int = 15) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="leitai-startup-"))
    try:
        db = f"sqlite:///{tmp}/demo.db"
        env = dict(os.environ, LEITAI_DATABASE_URL=db, LEITAI_SIGNING_KEY=str(tmp / "key.pem"))
        # The demo plays the example and then serves it until stopped; --no-serve stops after
        # the play.  It takes its store from --db only (never LEITAI_DATABASE_URL).
        _run([LEITAI, "--db", db, "demo", "--fresh", "--no-serve"], env, timeout=300)
        board = [LEITAI, "board", "R-WS-FINAL-2025"]
        _run(board, env)  # brings the read models up
        figures = {
            "board": _wall(board, runs, env),
            "python": _wall([sys.executable, "-c", "pass"], runs, env),
            "python_eventsourcing": _wall([sys.executable, "-c", "import eventsourcing.application"], runs, env),
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    medians = {k: statistics.median(v) for k, v in figures.items()}
    return {"runs": runs, "seconds": medians, "board_vs_python": medians["board"] / medians["python"]}
