"""Start-up of a quick command: `leitai board R` on the example contest, wall time.

Measured as a person runs it (a new process each time, the read models current), beside
the baselines in the same run: the Python interpreter starting and exiting, and the
interpreter importing the eventsourcing library (what every command paid before
commands imported only what they need).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LEITAI = str(Path(sys.executable).parent / "leitai")


def _wall(command: list[str], runs: int, env: dict[str, str]) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env, cwd=ROOT)
        times.append(time.perf_counter() - started)
    return times


def run(runs: int = 15) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="leitai-startup-"))
    env = dict(os.environ, LEITAI_DATABASE_URL=f"sqlite:///{tmp}/demo.db", LEITAI_SIGNING_KEY=str(tmp / "key.pem"))
    subprocess.run([LEITAI, "demo", "--fresh"], check=True, capture_output=True, env=env, cwd=ROOT)
    board = [LEITAI, "board", "R-WS-FINAL-2025"]
    subprocess.run(board, check=True, capture_output=True, env=env, cwd=ROOT)  # brings the read models up
    figures = {
        "board": _wall(board, runs, env),
        "python": _wall([sys.executable, "-c", "pass"], runs, env),
        "python_eventsourcing": _wall([sys.executable, "-c", "import eventsourcing.application"], runs, env),
    }
    medians = {k: statistics.median(v) for k, v in figures.items()}
    return {"runs": runs, "seconds": medians, "board_vs_python": medians["board"] / medians["python"]}
