"""The stored Merkle tree of the log (domain/merkle.py), on SQLite or PostgreSQL.

The store writes the tree as events are inserted, in the same transaction: on SQLite the
application's recorder (eventstore/recorders.py), on PostgreSQL a trigger of the events
table (migrations/postgres/0010_merkle_tree.sql).  :class:`TreeStore` reads it: the
tree's size, any node, the root of any size, inclusion and consistency proofs, which leaf
an event is, and the log's origin - a handful of primary-key reads each, whatever the
length of the log.

:func:`leaf_rows` is how both stores (and the build of an existing log's tree) turn
events into leaves and nodes, so there is one definition of what a leaf hashes.
"""

from __future__ import annotations

import hashlib
import sqlite3
import struct
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from domain import merkle
from domain.services.store import EVENTS_TABLE_POSTGRES, EVENTS_TABLE_SQLITE
from domain.services.store import (LEAVES_TABLE_POSTGRES, LEAVES_TABLE_SQLITE, LOG_TABLE_POSTGRES, LOG_TABLE_SQLITE,
                                   NODES_TABLE_POSTGRES, NODES_TABLE_SQLITE, StoreURL)


class TreeIncomplete(Exception):
    """A node the tree should hold is missing: the tree was not built, or was tampered with."""


_HEAD = struct.Struct(">q16sqI").pack  # position, aggregate, version, len(topic): merkle.entry's first fields
_sha256 = hashlib.sha256


def event_leaf(position: int, aggregate: Any, version: int, topic: Any, state: Any) -> bytes:
    """The leaf hash of one stored event (aggregate as UUID, 16 bytes or hex text; topic
    and state as stored): ``merkle.leaf_hash(merkle.entry(...))``, hashed piece by piece
    (it runs for every event of a log whose tree is built)."""
    if isinstance(aggregate, UUID):
        key = aggregate.bytes
    elif isinstance(aggregate, (bytes, bytearray, memoryview)):
        key = bytes(aggregate)
    else:
        text = str(aggregate)
        key = bytes.fromhex(text) if len(text) == 32 else UUID(hex=text).bytes
    if len(key) != 16:
        raise ValueError("an aggregate id is 16 bytes")
    topic_bytes = b"" if topic is None else topic.encode("utf-8") if isinstance(topic, str) else bytes(topic)
    state_bytes = b"" if state is None else state.encode("utf-8", "surrogatepass") if isinstance(state, str) \
        else bytes(state)
    h = _sha256(b"\x00")
    h.update(_HEAD(position, key, version, len(topic_bytes)))
    h.update(topic_bytes)
    h.update(len(state_bytes).to_bytes(4, "big"))
    h.update(state_bytes)
    return h.digest()


CHUNK_LEVEL = 16  # the tree of an existing log is built 65,536 leaves at a time


def build_rows(rows: Iterable[tuple], insert_leaves: Callable[[list], None], insert_nodes: Callable[[list], None],
               batch: int = 1 << CHUNK_LEVEL) -> int:
    """The whole tree of ``rows`` (position, aggregate, version, topic, state, in log
    order), handed to the inserters a chunk at a time: leaves ``(leaf, position, hash)``
    and complete nodes ``(level, index, hash)``.  Within an aligned chunk of 2^16 leaves
    the levels are hashed list by list; above it, the chunks' roots go through a
    :class:`merkle.Frontier`.  Returns the number of leaves."""
    upper = merkle.Frontier()
    node = merkle.node_hash
    start, pending = 0, []

    def flush(chunk: list) -> None:
        nonlocal start
        hashes = [event_leaf(*row) for row in chunk]
        insert_leaves([(start + i, row[0], h) for i, (row, h) in enumerate(zip(chunk, hashes))])
        nodes, level, base = [], hashes, start
        for height in range(1, CHUNK_LEVEL + 1):
            level = [node(a, b) for a, b in zip(level[0::2], level[1::2])]
            if not level:
                break
            first = base >> height
            nodes.extend((height, first + i, h) for i, h in enumerate(level))
        if len(chunk) == batch:  # a whole chunk: its root joins the tree above
            nodes.extend((CHUNK_LEVEL + lv, i, h) for lv, i, h in upper.append(level[0])[1:])
        insert_nodes(nodes)
        start += len(chunk)

    for row in rows:
        pending.append(row)
        if len(pending) == batch:
            flush(pending)
            pending = []
    if pending:
        flush(pending)
    return start


def leaf_rows(frontier: merkle.Frontier, events: Iterable[tuple]
              ) -> tuple[list[tuple[int, int, bytes]], list[tuple[int, int, bytes]]]:
    """Leaves ``(leaf, position, hash)`` and nodes ``(level, index, hash)`` (level >= 1) made
    by appending ``events`` (position, aggregate, version, topic, state) to the tree whose
    right edge is ``frontier`` (which moves on with them)."""
    leaves, nodes = [], []
    for position, aggregate, version, topic, state in events:
        index = frontier.size
        leaf = event_leaf(position, aggregate, version, topic, state)
        leaves.append((index, position, leaf))
        nodes.extend(made for made in frontier.append(leaf)[1:])
    return leaves, nodes


class TreeStore:
    """Reads the stored tree.  ``connection``: a callable giving a connection to use
    (a reader's own); without it, each call opens and closes one."""

    def __init__(self, store: StoreURL, connection: Callable[[], Any] | None = None) -> None:
        self.store = store
        self.sqlite = store.kind == "sqlite"
        self._connection = connection
        self.leaves = LEAVES_TABLE_SQLITE if self.sqlite else LEAVES_TABLE_POSTGRES
        self.nodes = NODES_TABLE_SQLITE if self.sqlite else NODES_TABLE_POSTGRES
        self.log = LOG_TABLE_SQLITE if self.sqlite else LOG_TABLE_POSTGRES

    @contextmanager
    def _conn(self) -> Any:
        if self._connection is not None:
            yield self._connection()
            return
        if self.sqlite:
            conn = sqlite3.connect(f"file:{self.store.path}?mode=ro", uri=True, timeout=5)
        else:
            import psycopg

            conn = psycopg.connect(self.store.conninfo(), autocommit=True, connect_timeout=5)
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def pinned(self) -> Iterator[TreeStore]:
        """This store on one connection for a series of reads (the signer's checks)."""
        if self._connection is not None:
            yield self
            return
        with self._conn() as conn:
            yield TreeStore(self.store, lambda: conn)

    def _q(self, sql: str) -> str:
        return sql if self.sqlite else sql.replace("?", "%s")

    # -- what the tree holds ---------------------------------------------------------------------

    def origin(self) -> str | None:
        """The log's origin (None before the migration that made the tree)."""
        with self._conn() as conn:
            exists = (conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (self.log,)).fetchone()
                      if self.sqlite else conn.execute("SELECT to_regclass(%s)", (self.log,)).fetchone()[0])
            if not exists:
                return None
            row = conn.execute(f"SELECT origin FROM {self.log}").fetchone()
        return str(row[0]) if row else None

    def size(self) -> int:
        with self._conn() as conn:
            row = conn.execute(f"SELECT leaf FROM {self.leaves} ORDER BY leaf DESC LIMIT 1").fetchone()
        return 0 if row is None else int(row[0]) + 1

    def read(self, nodes: Sequence[merkle.Node]) -> list[bytes]:
        """The stored hash of each node (raises TreeIncomplete if one is missing)."""
        leaves = [index for level, index in nodes if level == 0]
        inner = [(level, index) for level, index in nodes if level > 0]
        found: dict[merkle.Node, bytes] = {}
        with self._conn() as conn:
            if self.sqlite:
                for index in leaves:
                    row = conn.execute(f"SELECT hash FROM {self.leaves} WHERE leaf = ?", (index,)).fetchone()
                    if row:
                        found[(0, index)] = bytes(row[0])
                for level, index in inner:
                    row = conn.execute(f"SELECT hash FROM {self.nodes} WHERE level = ? AND idx = ?",
                                       (level, index)).fetchone()
                    if row:
                        found[(level, index)] = bytes(row[0])
            else:
                if leaves:
                    for index, h in conn.execute(f"SELECT leaf, hash FROM {self.leaves} WHERE leaf = ANY(%s)",
                                                 (leaves,)).fetchall():
                        found[(0, int(index))] = bytes(h)
                if inner:
                    for level, index, h in conn.execute(
                            f"SELECT n.level, n.idx, n.hash FROM {self.nodes} n "
                            "JOIN unnest(%s::smallint[], %s::bigint[]) AS w(level, idx) "
                            "ON n.level = w.level AND n.idx = w.idx",
                            ([lv for lv, _ in inner], [i for _, i in inner])).fetchall():
                        found[(int(level), int(index))] = bytes(h)
        missing = [n for n in nodes if n not in found]
        if missing:
            raise TreeIncomplete(f"the stored tree lacks node {missing[0]}")
        return [found[n] for n in nodes]

    def frontier(self, size: int | None = None) -> merkle.Frontier:
        return merkle.Frontier.of(self.size() if size is None else size, self.read)

    def root(self, size: int | None = None) -> tuple[int, bytes]:
        """(size, root hash) of the tree now, or at ``size``."""
        size = self.size() if size is None else size
        return size, merkle.root(size, self.read)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        return merkle.inclusion_proof(index, size, self.read)

    def consistency_proof(self, old: int, new: int) -> list[bytes]:
        return merkle.consistency_proof(old, new, self.read)

    def leaves_of(self, positions: Sequence[int]) -> dict[int, tuple[int, bytes]]:
        """position -> (leaf index, leaf hash) for the events at these positions."""
        if not positions:
            return {}
        with self._conn() as conn:
            if self.sqlite:
                out = {}
                for position in positions:
                    row = conn.execute(f"SELECT leaf, hash FROM {self.leaves} WHERE position = ?",
                                       (position,)).fetchone()
                    if row:
                        out[position] = (int(row[0]), bytes(row[1]))
                return out
            rows = conn.execute(f"SELECT position, leaf, hash FROM {self.leaves} WHERE position = ANY(%s)",
                                (list(positions),)).fetchall()
        return {int(p): (int(leaf), bytes(h)) for p, leaf, h in rows}

    def position_of_leaf(self, index: int) -> int | None:
        with self._conn() as conn:
            row = conn.execute(self._q(f"SELECT position FROM {self.leaves} WHERE leaf = ?"), (index,)).fetchone()
        return None if row is None else int(row[0])

    def events_from(self, start: int, batch: int = 20_000) -> Iterator[tuple]:
        """Every event after the one of leaf ``start - 1`` (all of them for 0), in log order,
        with its stored leaf: (position, aggregate, version, topic, state, leaf, leaf hash),
        leaf and hash None for an event the tree does not hold."""
        after = 0
        if start > 0:
            after = self.position_of_leaf(start - 1)
            if after is None:
                raise TreeIncomplete(f"the stored tree lacks leaf {start - 1}")
        with self._conn() as conn:
            if self.sqlite:
                cur = conn.execute(
                    f"SELECT e.rowid, e.originator_id, e.originator_version, e.topic, e.state, l.leaf, l.hash "
                    f"FROM {EVENTS_TABLE_SQLITE} e LEFT JOIN {self.leaves} l ON l.position = e.rowid "
                    "WHERE e.rowid > ? ORDER BY e.rowid", (after,))
                while rows := cur.fetchmany(batch):
                    yield from rows
                return
            with conn.transaction(), conn.cursor(name="leitai_tree_events", binary=True) as cur:
                cur.itersize = batch
                cur.execute(f"SELECT e.notification_id, uuid_send(e.originator_id), e.originator_version, e.topic, "
                            f"e.state, l.leaf, l.hash FROM {EVENTS_TABLE_POSTGRES} e "
                            f"LEFT JOIN {self.leaves} l ON l.position = e.notification_id "
                            "WHERE e.notification_id > %s ORDER BY e.notification_id", (after,))
                while rows := cur.fetchmany(batch):
                    yield from rows

    def scan(self, batch: int = 50_000) -> Iterable[list[tuple[int, int, bytes]]]:
        """Every stored leaf (leaf, position, hash) in order, then nothing else (for verify)."""
        with self._conn() as conn:
            if self.sqlite:
                cur = conn.execute(f"SELECT leaf, position, hash FROM {self.leaves} ORDER BY leaf")
                while rows := cur.fetchmany(batch):
                    yield rows
                return
            with conn.transaction(), conn.cursor(name="leitai_tree_scan", binary=True) as cur:
                cur.itersize = batch
                cur.execute(f"SELECT leaf, position, hash FROM {self.leaves} ORDER BY leaf")
                while rows := cur.fetchmany(batch):
                    yield rows

    def scan_nodes(self, batch: int = 50_000) -> Iterable[list[tuple[int, int, bytes]]]:
        with self._conn() as conn:
            if self.sqlite:
                cur = conn.execute(f"SELECT level, idx, hash FROM {self.nodes} ORDER BY level, idx")
                while rows := cur.fetchmany(batch):
                    yield rows
                return
            with conn.transaction(), conn.cursor(name="leitai_node_scan", binary=True) as cur:
                cur.itersize = batch
                cur.execute(f"SELECT level, idx, hash FROM {self.nodes} ORDER BY level, idx")
                while rows := cur.fetchmany(batch):
                    yield rows
