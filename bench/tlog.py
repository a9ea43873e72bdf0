"""The verifiable log (issue 13): what the Merkle tree costs and what its proofs weigh.

Measured on both stores, each figure beside its baseline of the same run:

1. recording  - 32 judges submitting sheets through the application at once (as
                ``--part hall``, bench/concurrency.py) with the tree maintained, beside the
                same with its maintenance switched off (SQLite: the recorder's
                ``maintain_tree``; PostgreSQL: the trigger ``leitai_events_tree`` disabled in
                the benchmark's own database), on and off alternating, medians compared;
2. upgrade    - a history loaded into a database migrated up to the version before the
                tree, then the remaining migrations timed (they build the tree of the
                existing events, as ``leitai db upgrade`` does), beside the raw read of the
                same rows; afterwards the tree is checked complete and its root equal to one
                recomputed from the events in memory;
3. proofs     - inclusion and consistency proofs at the full size, from a TreeStore on one
                open connection (as the server's read side has), beside a single
                primary-key read of one stored leaf and the bare ``SELECT 1``;
4. sizes      - one sheet's inclusion proof (C2SP tlog-proof ``index`` and hash lines), the
                whole tlog-proof text with the event and the checkpoint, and a checkpoint
                note signed by a HeadSigner (key in a temporary directory) over that log.
"""

from __future__ import annotations

import gc
import logging
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

import migrations
from bench import concurrency, measure
from bench.load import load_rows
from domain import merkle
from domain.checkpoint import b64
from domain.services.store import StoreURL
from eventstore.recorders import LeitaiSQLiteRecorder
from eventstore.tree import TreeStore, event_leaf
from projections.source import EventSource

# The last migration before the tree: SQLite's tree is 0009, PostgreSQL's 0010.
BEFORE_TREE = {"sqlite": 8, "postgresql": 9}
JUDGES = 32
SAMPLES = 200


# -- 1. recording with and without the tree ------------------------------------------------------


@contextmanager
def tree_maintained(store: StoreURL, on: bool) -> Iterator[None]:
    """The store as it is (``on``), or with the tree's maintenance switched off: in this
    process for SQLite (restored afterwards), in this database for PostgreSQL (the
    benchmark's own, dropped afterwards; the server's superuser may disable the trigger)."""
    if store.kind == "sqlite":
        before = LeitaiSQLiteRecorder.maintain_tree
        LeitaiSQLiteRecorder.maintain_tree = on
        try:
            yield
        finally:
            LeitaiSQLiteRecorder.maintain_tree = before
        return
    if not on:
        with psycopg.connect(store.conninfo(), autocommit=True) as conn:
            conn.execute("ALTER TABLE leitai_events DISABLE TRIGGER leitai_events_tree")
    yield


def _counts(store: StoreURL) -> tuple[int, int]:
    """(events, tree leaves) of a store."""
    if store.kind == "sqlite":
        with sqlite3.connect(store.path) as conn:
            events = conn.execute("SELECT count(*) FROM stored_events").fetchone()[0]
    else:
        with psycopg.connect(store.conninfo()) as conn:
            events = conn.execute("SELECT count(*) FROM leitai_events").fetchone()[0]
    return int(events), TreeStore(store).size()


def recording(stores: Any, kind: str, quick: bool) -> dict[str, Any]:
    """Sheets/s at 32 judges, tree on and off alternating (on, off, on, off, ...), each run
    on a fresh store; the medians and their ratio."""
    entrants = 5 if quick else 150
    pairs = 1 if quick else 6
    runs: list[dict[str, Any]] = []
    for mode in ("on", "off") * pairs:
        store, _ = stores.fresh(kind)
        try:
            migrations.migrate(store)
            with tree_maintained(store, mode == "on"):
                r = concurrency.run(store, JUDGES, entrants, "leitai", time_limit=5 if quick else 60)
            events, leaves = _counts(store)
        finally:
            stores.drop(store)
        # the switch did what it says: every event a leaf with the tree on, none with it off
        if leaves != (events if mode == "on" else 0):
            raise AssertionError(f"[{kind}] tree {mode}: {leaves} leaves for {events} events")
        runs.append({"tree": mode, "sheets": r["sheets"], "seconds": r["seconds"], "rate": r["rate"],
                     "p50_ms": r["p50_ms"], "p99_ms": r["p99_ms"], "conflicts": r["conflicts"],
                     "batches": r["batches"], "complete": r["complete"], "events": events})
        print(f"   [{kind}] {JUDGES} judges, tree {mode:<3}: {r['sheets']:>5} sheets in {r['seconds']:6.2f}s = "
              f"{r['rate']:>7,.0f}/s, p50 {r['p50_ms']:6.1f} ms, p99 {r['p99_ms']:7.1f} ms, "
              f"{r['batches']} batches" + ("" if r["complete"] else " (stopped at the time limit)"), flush=True)
    on = statistics.median(x["rate"] for x in runs if x["tree"] == "on")
    off = statistics.median(x["rate"] for x in runs if x["tree"] == "off")
    out = {"store": kind, "judges": JUDGES, "entrants": entrants, "runs": runs, "rate_on": on, "rate_off": off,
           "ratio": on / off if off else None}
    print(f"   [{kind}] recording with the tree {on:,.0f}/s, without {off:,.0f}/s (medians of {pairs}): "
          f"{out['ratio']:.2f}x", flush=True)
    return out


# -- 2. the tree of an existing log, built by the upgrade ----------------------------------------------


def fresh_named(stores: Any, kind: str) -> tuple[StoreURL, StoreURL | None]:
    """A fresh store; on SQLite a file named as a deployment's (its origin is
    leitai/wushen/<token>, as a real one's would be)."""
    if kind != "sqlite":
        return stores.fresh(kind)
    from domain.services.store import parse_url

    folder = Path(tempfile.mkdtemp(prefix="tlog-", dir=stores.tmp))
    return parse_url(f"sqlite:///{folder / 'wushen.db'}"), None


def upgrade(store: StoreURL, admin: StoreURL | None, rows: list[tuple], quick: bool) -> dict[str, Any]:
    """Load ``rows`` into ``store`` migrated up to the version before the tree, read them
    raw, then time the remaining migrations (the tree's build) and check the tree."""
    kind = store.kind
    loaded = load_rows(store, rows, admin, upto=BEFORE_TREE[kind])
    reads = [measure.raw_read(store) for _ in range(1 if quick else 3)]
    raw_rate = statistics.median(reads)
    raw_seconds = len(rows) / raw_rate
    started = time.perf_counter()
    applied = migrations.migrate(store, admin)
    build_seconds = time.perf_counter() - started
    tree = TreeStore(store)
    size = tree.size()
    started = time.perf_counter()
    memory = memory_tree(store)
    memory_seconds = time.perf_counter() - started
    stored_root = tree.root(size)[1]
    if size != len(rows) or memory.size != size or stored_root != memory.root():
        raise AssertionError(f"[{kind}] the tree built by the upgrade is not the log's: {size} leaves for "
                             f"{len(rows)} events, root {b64(stored_root)}, recomputed {b64(memory.root())}")
    r = {"events": len(rows), "load_seconds": loaded, "applied": applied, "build_seconds": build_seconds,
         "raw_read_rate": raw_rate, "raw_read_rates": reads, "raw_read_seconds": raw_seconds,
         "ratio": build_seconds / raw_seconds, "tree_size": size, "root": b64(stored_root),
         "memory_tree_seconds": memory_seconds, "origin": tree.origin()}
    print(f"   [{kind}] {len(rows):,} events loaded at migration {BEFORE_TREE[kind]} in {loaded:.1f}s; raw read "
          f"{raw_seconds:.2f}s ({raw_rate:,.0f}/s" + ("" if quick else f", median of {len(reads)}") + ")", flush=True)
    print(f"   [{kind}] the upgrade ({', '.join(applied)}) built the tree in {build_seconds:.2f}s = "
          f"{r['ratio']:.2f}x the raw read ({len(rows) / build_seconds:,.0f} events/s); {size:,} leaves, root "
          f"{b64(stored_root)} = the tree recomputed in memory ({memory_seconds:.1f}s)", flush=True)
    return r


def memory_tree(store: StoreURL) -> merkle.MemoryTree:
    """The log's tree recomputed from its events, in memory."""
    tree = merkle.MemoryTree()
    source = EventSource(store)
    try:
        for rows in source.scan():
            for position, aggregate, version, topic, state in rows:
                tree.append(event_leaf(position, aggregate, version, topic, state))
    finally:
        source.close()
    return tree


# -- 3. proofs at the full size ---------------------------------------------------------------------


def _connect(store: StoreURL) -> Any:
    if store.kind == "sqlite":
        return sqlite3.connect(f"file:{store.path}?mode=ro", uri=True, check_same_thread=False)
    return psycopg.connect(store.conninfo(), autocommit=True)


def _timed(call: Callable[[Any], Any], arguments: list[Any]) -> tuple[list[float], list[Any]]:
    """Milliseconds of each call (after a few unrecorded ones), and the answers."""
    for argument in arguments[:10]:
        call(argument)
    times, answers = [], []
    for argument in arguments:
        started = time.perf_counter()
        answers.append(call(argument))
        times.append(1000 * (time.perf_counter() - started))
    return times, answers


def _percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"p50_ms": statistics.median(ordered), "p99_ms": ordered[max(0, int(0.99 * len(ordered)) - 1)],
            "max_ms": ordered[-1], "samples": len(ordered)}


def proofs(store: StoreURL, memory: merkle.MemoryTree | None = None) -> dict[str, Any]:
    """Inclusion proofs of random leaves and consistency proofs from random sizes, to the full
    size, on one open connection; each checked against the root afterwards."""
    conn = _connect(store)
    try:
        tree = TreeStore(store, connection=lambda: conn)
        size = tree.size()
        _, root = tree.root(size)
        rng = random.Random(13)
        indexes = [rng.randrange(size) for _ in range(SAMPLES)]
        olds = [rng.randrange(1, size) for _ in range(SAMPLES)]
        leaf_sql = ("SELECT hash FROM merkle_leaves WHERE leaf = ?" if store.kind == "sqlite"
                    else "SELECT hash FROM leitai_tree_leaves WHERE leaf = %s")
        node_times, _ = _timed(lambda i: conn.execute(leaf_sql, (i,)).fetchone(), indexes)
        bare_times, _ = _timed(lambda i: conn.execute("SELECT 1").fetchone(), indexes)
        inclusion_times, inclusion = _timed(lambda i: tree.inclusion_proof(i, size), indexes)
        consistency_times, consistency = _timed(lambda old: tree.consistency_proof(old, size), olds)
        # outside the timing: every proof verifies against the root of the full tree
        leaves = dict(zip(indexes, tree.read([(0, i) for i in indexes])))
        for index, proof in zip(indexes, inclusion):
            if not merkle.verify_inclusion(index, size, leaves[index], proof, root):
                raise AssertionError(f"[{store.kind}] the inclusion proof of leaf {index} does not verify")
        for old, proof in zip(olds, consistency):
            old_root = tree.root(old)[1]
            if not merkle.verify_consistency(old, size, old_root, root, proof):
                raise AssertionError(f"[{store.kind}] the consistency proof from {old} does not verify")
            if memory is not None and memory.root(old) != old_root:
                raise AssertionError(f"[{store.kind}] the stored root of {old} is not the recomputed one")
    finally:
        conn.close()
    r = {"size": size, "inclusion": _percentiles(inclusion_times), "consistency": _percentiles(consistency_times),
         "leaf_read": _percentiles(node_times), "select_1": _percentiles(bare_times),
         "inclusion_hashes_max": max(len(p) for p in inclusion), "consistency_hashes_max": max(len(p) for p in consistency),
         "inclusion_lines_bytes_max": max(len(proof_lines(i, p)) for i, p in zip(indexes, inclusion))}
    base = r["leaf_read"]["p50_ms"]
    for name, label in (("inclusion", "inclusion proofs  "), ("consistency", "consistency proofs")):
        x = r[name]
        print(f"   [{store.kind}] {label} at {size:,} leaves ({x['samples']}): p50 {x['p50_ms']:.3f} ms, "
              f"p99 {x['p99_ms']:.3f} ms, max {x['max_ms']:.3f} ms (p50 = {x['p50_ms'] / base:.1f}x one leaf's read)",
              flush=True)
    print(f"   [{store.kind}] baseline on the same connection: one leaf read by its key p50 {base:.3f} ms "
          f"(p99 {r['leaf_read']['p99_ms']:.3f}), SELECT 1 p50 {r['select_1']['p50_ms']:.3f} ms", flush=True)
    return r


# -- 4. the sizes of a proof and of a checkpoint ----------------------------------------------------------


def proof_lines(index: int, proof: list[bytes]) -> bytes:
    """The tlog-proof's own lines for one leaf: ``index N`` and one base64 hash per line."""
    return "".join(f"{line}\n" for line in (f"index {index}", *(b64(h) for h in proof))).encode("utf-8")


def sizes(store: StoreURL, keys: Path) -> dict[str, Any]:
    """One sheet's inclusion proof to a checkpoint signed now by a HeadSigner over the log."""
    from eventstore.signing import HeadSigner
    from projections.proofs import PROOF_HEADER, check_inclusion, entry_bytes, inclusion_text

    tree = TreeStore(store)
    signer = HeadSigner(keys / f"{Path(store.path).stem if store.kind == 'sqlite' else store.dbname}.signing-key.pem",
                        tree)
    quiet = logging.getLogger("leitai")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # not the warning that a key signs its first head (it is printed below)
    try:
        started = time.perf_counter()
        head = signer.sign_head()
        sign_seconds = time.perf_counter() - started
    finally:
        quiet.setLevel(level)
    # the first sheet in the second half of the log: in the largest perfect subtree (of a log
    # not a power of two long), so its path is as long as any (the right edge's are shorter)
    if store.kind == "sqlite":
        with sqlite3.connect(store.path) as conn:
            row = conn.execute("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
                               "WHERE topic LIKE '%:SheetSubmitted' AND rowid >= (SELECT max(rowid) / 2 "
                               "FROM stored_events) ORDER BY rowid LIMIT 1").fetchone()
    else:
        with psycopg.connect(store.conninfo()) as conn:
            row = conn.execute("SELECT notification_id, originator_id, originator_version, topic, state "
                               "FROM leitai_events WHERE topic LIKE '%%:SheetSubmitted' AND notification_id >= "
                               "(SELECT max(notification_id) / 2 FROM leitai_events) "
                               "ORDER BY notification_id LIMIT 1").fetchone()
    position = int(row[0])
    index, _ = tree.leaves_of([position])[position]
    proof = tree.inclusion_proof(index, head.size)
    entry = entry_bytes(*row)
    text = inclusion_text(entry, index, proof, head.note)
    checked = check_inclusion(text, [signer.public_key])  # offline, with the key alone
    if not checked.ok:
        raise AssertionError(f"[{store.kind}] the sheet's tlog-proof does not verify: {checked.problems}")
    lines = proof_lines(index, proof)
    r = {"size": head.size, "sheet_position": position, "sheet_leaf": index, "proof_hashes": len(proof),
         "proof_lines_bytes": len(lines), "header_bytes": len(PROOF_HEADER) + 1,
         "extra_bytes": len(f"extra {b64(entry)}\n"), "event_bytes": len(entry),
         "tlog_proof_bytes": len(text.encode("utf-8")), "checkpoint_bytes": len(head.note.encode("utf-8")),
         "origin": head.origin, "first_sign_seconds": sign_seconds, "checkpoint": head.note}
    print(f"   [{store.kind}] one sheet's inclusion proof (leaf {index:,} of {head.size:,}): `index` + {len(proof)} hash "
          f"lines = {len(lines)} bytes; the whole tlog-proof with the event ({r['event_bytes']} bytes, "
          f"{r['extra_bytes']} as its `extra` line) and the checkpoint = {r['tlog_proof_bytes']:,} bytes", flush=True)
    print(f"   [{store.kind}] checkpoint note of {head.origin}: {r['checkpoint_bytes']} bytes (signed by a HeadSigner "
          f"in {sign_seconds:.2f}s, its first head: the whole log rehashed and checked)", flush=True)
    return r


# -- the part ---------------------------------------------------------------------------------------------


def run(stores: Any, rows: list[tuple], quick: bool) -> dict[str, Any]:
    """Every measurement above on every store; ``rows``: the history for 2-4."""
    out: dict[str, Any] = {"events": len(rows), "recording": [], "stores": [], "seconds": {}}
    # The history (1.4 M tuples at the province scale) stays in this process; a server would
    # not hold it: keep the collector from walking it in the middle of a timed proof.
    gc.freeze()
    try:
        started = time.perf_counter()
        for kind in stores.kinds:
            out["recording"].append(recording(stores, kind, quick))
        out["seconds"]["recording"] = time.perf_counter() - started
        keys = Path(tempfile.mkdtemp(prefix="tlog-keys-", dir=stores.tmp))
        for kind in stores.kinds:
            started = time.perf_counter()
            store, admin = fresh_named(stores, kind)
            try:
                r: dict[str, Any] = {"store": kind, "upgrade": upgrade(store, admin, rows, quick)}
                r["proofs"] = proofs(store, memory_tree(store) if quick else None)
                r["sizes"] = sizes(store, keys)
            finally:
                stores.drop(store)
            out["stores"].append(r)
            out["seconds"][kind] = time.perf_counter() - started
    finally:
        gc.unfreeze()
    print("   (" + ", ".join(f"{name} {seconds:.0f}s" for name, seconds in out["seconds"].items()) + ")", flush=True)
    return out
