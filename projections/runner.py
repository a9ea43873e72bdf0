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

import gc
import os
import pickle
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from domain.services.store import StoreURL
from projections.compute import Changes, Computer
from projections.db import SharedConnection
from projections.election import Election, LostLead
from projections.fold import Dirty, Folder, bulk
from projections.readstore import ReadStore, Stale
from projections.source import EventSource

Progress = Callable[[str, int, int], None]  # (phase, done, total)
MAX_PAUSE = 2.0  # seconds between attempts while the store is away: the read side follows within 2 s of its return


def store_unavailable(error: BaseException) -> bool:
    """Is this the store going away (rather than a fault of ours)?"""
    from domain.errors import StoreError

    if isinstance(error, StoreError):
        return True
    # by the class and its bases: a server shutting down raises psycopg.errors.AdminShutdown,
    # a subclass of OperationalError
    return any(cls.__module__.startswith(("psycopg", "sqlite3"))
               and cls.__name__ in ("OperationalError", "InterfaceError", "ConnectionTimeout")
               for cls in type(error).__mro__)


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
        self.connection = SharedConnection(store)
        self.source = EventSource(store, connection=self.connection)
        self.read = ReadStore(store, connection=self.connection)
        self.folder = Folder()
        self.computer = Computer(self.folder)
        self.generation = 0
        self.position = 0
        self.long_running = False
        self.committed = threading.Condition()
        self.election: Election | None = None  # several servers on PostgreSQL: projects only while leading
        self._followed: int | None = None  # the generation memory was folded for (None: not yet)

    def close(self) -> None:
        self.source.close()
        self.read.close()
        self.connection.close()

    # -- live ------------------------------------------------------------------------------

    def load(self) -> None:
        """Restore memory to the committed position (folding only; nothing is written)."""
        generation, position = self.read.state()
        self.read.forget()
        self.folder = Folder()
        with bulk():
            for rows in self.source.scan(0, position):
                self.folder.apply_rows(rows)
                self.alive()
            self.folder.take_dirty()
            self.computer = Computer(self.folder)
            if self.long_running:
                # The folded state lives as long as the process: keep it out of the cyclic
                # collector's scans, or every full collection would pause a live batch - frozen
                # before collection is on again, so that not even the first one scans it all
                # (seconds holding the interpreter, which a standby could take for a hang)
                gc.freeze()
        self.generation, self.position = generation, position
        self._followed = generation

    def follow(self) -> None:
        """Standing by (or just elected): bring memory to the committed position, writing
        nothing - only the events committed since the last call are folded."""
        generation, position = self.read.state()
        if self._followed != generation or position < self.position:
            self.load()
            return
        if position > self.position:
            for rows in self.source.scan(self.position, position):
                self.folder.apply_rows(rows)
                self.alive()
            self.folder.take_dirty()  # the holder wrote these rows already
            self.computer = Computer(self.folder)
            self.read.forget()
            self.position = position

    def alive(self) -> None:
        """The projecting thread made progress (the election's beat stops when it has not for long)."""
        if self.election is not None:
            self.election.progressed()

    def step(self) -> int:
        """Apply the next batch; returns how many events it applied (0: none waiting)."""
        rows = self.source.read_after(self.position, self.batch_size)
        if not rows:
            return 0
        self.folder.apply_rows(rows)
        dirty, counts = self.folder.take_dirty()
        changes = self.computer.changes(dirty, counts, increments=True)
        new_position = rows[-1][0]
        if self.election is not None:
            self.election.fence()  # raises LostLead: this batch is folded in memory but never written
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
        """Follow the log until ``stop``.  A store that goes away (a restart, a dropped
        connection) is waited for, with growing pauses up to ``MAX_PAUSE``, and the memory
        restored from what was committed: no batch is half applied."""
        from projections import fanout

        fanout.start(self, stop)  # LEITAI_FANOUT_URL: the public live boards published after each commit
        self.long_running = True
        pause, loaded = 0.0, False
        while not stop.is_set():
            self.alive()
            try:
                if not loaded:
                    if self.election is None:
                        self.load()
                    elif not self.election.stand_by(self, stop):
                        break
                    loaded = True
                    if pause:
                        print("leitai projector: the store is back; projecting again", file=sys.stderr, flush=True)
                    pause = 0.0
                if self.step() == 0:
                    self.source.wait(self.position, self.idle_wait)
            except Exception as error:  # noqa: BLE001 - only a store that went away is waited for
                if isinstance(error, LostLead):
                    print("leitai projector: lost the lead (its lock session is gone); standing by again",
                          file=sys.stderr, flush=True)
                    self._drop_connections()
                    self._followed = None  # memory folded a batch that was never written
                    loaded = False
                    continue
                if not store_unavailable(error):
                    raise
                if self.election is not None:
                    self.election.lost()
                    self._followed = None
                if not pause:
                    print(f"leitai projector: the store is unavailable ({str(error).strip().splitlines()[0]}); "
                          "retrying", file=sys.stderr, flush=True)
                self._drop_connections()
                loaded = False
                pause = min(MAX_PAUSE, max(0.25, pause * 2))
                stop.wait(pause)

    def _drop_connections(self) -> None:
        for close in (self.source.close, self.read.close, self.connection.close):
            try:
                close()
            except Exception:  # noqa: BLE001 - closing what is already broken
                pass

    # -- rebuild -----------------------------------------------------------------------------

    def rebuild(self, progress: Progress | None = None) -> RebuildReport:
        with bulk():
            return self._rebuild(progress)

    def _rebuild(self, progress: Progress | None) -> RebuildReport:
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
        halves = compute_in_two(computer, counts) if len(folder.rounds) >= PARALLEL_ROUNDS else None
        changes = computer.changes(Dirty(everything=True), counts, increments=False, precomputed=halves)
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


PARALLEL_ROUNDS = 1000  # below this a rebuild is quick enough in one process (and forking costs more than it saves)


def compute_in_two(computer: Computer, counts: Counter[str]) -> Changes | None:
    """Compute the rows of all rounds, half in this process and half in a forked child
    that shares the folded state (copy-on-write).  None where fork is not available."""
    if not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
        return None
    codes = sorted(computer.folder.rounds)
    mine, theirs = codes[0::2], codes[1::2]
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, leave without running any cleanup
        os.close(read_end)
        status = 0
        try:
            part = computer.round_changes(theirs, counts, increments=False)
            payload = pickle.dumps((dict(part.rows), part.replace, dict(computer.tallies)), pickle.HIGHEST_PROTOCOL)
        except BaseException as error:  # noqa: BLE001 - reported to the parent
            payload, status = pickle.dumps(error), 1
        with os.fdopen(write_end, "wb") as out:
            out.write(payload)
        os._exit(status)
    os.close(write_end)
    changes = computer.round_changes(mine, counts, increments=False)
    with os.fdopen(read_end, "rb") as incoming:
        payload = incoming.read()
    _, status = os.waitpid(pid, 0)
    received = pickle.loads(payload)
    if status != 0:
        raise received
    rows, replace, tallies = received
    computer.merge(changes, Changes(rows=defaultdict(list, rows), replace=replace), tallies)
    return changes


def print_progress(phase: str, done: int, total: int) -> None:
    names = {"fold": "读取并折叠事件 / reading events", "compute": "计算读模型 / computing",
             "write": "写入新表 / writing"}
    share = f" ({done * 100 // total}%)" if total else ""
    print(f"  … {names.get(phase, phase)}: {done:,}/{total:,}{share}", file=sys.stderr, flush=True)
