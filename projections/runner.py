"""The projection engine: keeps the read models up to date with the event log.

* ``Projector.step`` reads the next batch of events, folds it into memory, computes the
  rows it changes and writes them in one transaction together with the new position.
* On start (and whenever the read models moved under it - a rebuild switched
  generations) the projector restores its memory by folding the log up to the
  committed position, writing nothing; so after a crash it resumes exactly after the
  last committed batch: no event is applied twice, none is skipped.
* ``rebuild`` builds every read model from event 1 into the inactive generation while
  the active one keeps serving, then, holding the state row, applies what was recorded
  meanwhile and switches over.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from domain.services.store import StoreURL
from projections.compute import Changes, Computer
from projections.fold import Dirty, Folder
from projections.readstore import ReadStore, Stale
from projections.source import EventSource

Progress = Callable[[str, int, int], None]  # (phase, done, total)


@dataclass
class RebuildReport:
    events: int
    rows: int
    generation: int
    position: int
    seconds: float
    phases: dict[str, float]

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


class Projector:
    def __init__(self, store: StoreURL, batch_size: int = 5000, idle_wait: float = 1.0) -> None:
        self.store = store
        self.batch_size = batch_size
        self.idle_wait = idle_wait
        self.source = EventSource(store)
        self.read = ReadStore(store)
        self.folder = Folder()
        self.computer = Computer(self.folder)
        self.generation = 0
        self.position = 0
        self.committed = threading.Condition()

    def close(self) -> None:
        self.source.close()
        self.read.close()

    # -- live ------------------------------------------------------------------------------

    def load(self) -> None:
        """Restore memory to the committed position (folding only; nothing is written)."""
        generation, position = self.read.state()
        self.folder = Folder()
        for rows in self.source.scan(0, position):
            self.folder.apply_rows(rows)
        self.folder.take_dirty()
        self.computer = Computer(self.folder)
        self.generation, self.position = generation, position

    def step(self) -> int:
        """Apply the next batch; returns how many events it applied (0: none waiting)."""
        rows = self.source.read_after(self.position, self.batch_size)
        if not rows:
            return 0
        self.folder.apply_rows(rows)
        dirty, counts = self.folder.take_dirty()
        changes = self.computer.changes(dirty, counts, increments=True)
        new_position = rows[-1][0]
        try:
            self.read.apply(changes, self.generation, self.position, new_position)
        except Stale:
            self.load()
            return 0
        with self.committed:
            self.position = new_position
            self.committed.notify_all()
        return len(rows)

    def catch_up(self) -> int:
        applied = 0
        while n := self.step():
            applied += n
        return applied

    def run(self, stop: threading.Event) -> None:
        self.load()
        while not stop.is_set():
            if self.step() == 0:
                self.source.wait(self.position, self.idle_wait)

    # -- rebuild -----------------------------------------------------------------------------

    def rebuild(self, progress: Progress | None = None) -> RebuildReport:
        started = time.perf_counter()
        phases: dict[str, float] = {}
        active, _ = self.read.state()
        target = 1 - active
        upto = self.source.last_position()
        folder = Folder()
        done, last_report = 0, 0.0
        for rows in self.source.scan(0, upto):
            folder.apply_rows(rows)
            done += len(rows)
            if progress and time.perf_counter() - last_report > 0.5:
                progress("fold", done, upto)
                last_report = time.perf_counter()
        if progress:
            progress("fold", done, upto)
        phases["read+fold"] = time.perf_counter() - started
        mark = time.perf_counter()
        _, counts = folder.take_dirty()
        computer = Computer(folder)
        changes = computer.changes(Dirty(everything=True), counts, increments=False)
        phases["compute"] = time.perf_counter() - mark
        if progress:
            progress("compute", changes.row_count, changes.row_count)
        mark = time.perf_counter()
        self.read.load(changes, target)
        phases["write"] = time.perf_counter() - mark
        if progress:
            progress("write", changes.row_count, changes.row_count)
        mark = time.perf_counter()

        def tail() -> tuple[Changes, int]:
            rows = self.source.read_after(folder.position, 10**12)
            folder.apply_rows(rows)
            dirty, tail_counts = folder.take_dirty()
            return computer.changes(dirty, tail_counts, increments=True), folder.position

        position = self.read.switch(target, tail)
        phases["switch"] = time.perf_counter() - mark
        return RebuildReport(folder.events, changes.row_count, target, position, time.perf_counter() - started,
                             phases)


def print_progress(phase: str, done: int, total: int) -> None:
    names = {"fold": "读取并折叠事件 / reading events", "compute": "计算读模型 / computing",
             "write": "写入新表 / writing"}
    share = f" ({done * 100 // total}%)" if total else ""
    print(f"  … {names.get(phase, phase)}: {done:,}/{total:,}{share}", file=sys.stderr, flush=True)
