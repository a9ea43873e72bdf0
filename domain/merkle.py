"""The event log as a Merkle tree (RFC 9162, section 2.1), and its proofs.

Every recorded event is a leaf, in log order; leaf ``i`` (counting from 0) is the
``i``-th event by position.  Hashing is RFC 9162's:

    leaf hash = SHA-256(0x00 || entry)
    node hash = SHA-256(0x01 || left || right)

where ``entry`` is :func:`entry` of the event: its position, aggregate, version, topic and
exact stored bytes.  The root of a tree of ``n`` leaves (MTH) splits at the largest
power of two below ``n``; the empty tree's root is SHA-256 of nothing.

Stored nodes.  The store keeps, for every *complete* perfect subtree, its hash: node
``(level, index)`` covers leaves ``index * 2**level`` up to ``(index + 1) * 2**level``
(exclusive); level 0 are the leaf hashes.  A node is written once, when its last leaf
arrives (:func:`appended`), and never changes.  Any root, inclusion proof or
consistency proof of any tree size up to the current one is then computed from at most
a few dozen stored nodes (:func:`nodes_for`), without rereading the log.

Proofs are lists of hashes exactly as RFC 9162 sections 2.1.3 (inclusion, ``PATH``) and
2.1.4 (consistency, ``PROOF``) define them; :func:`verify_inclusion` and
:func:`verify_consistency` are the RFC's verification algorithms.  This module is pure:
the reader of stored nodes is handed in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from uuid import UUID

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

Node = tuple[int, int]  # (level, index)
Range = tuple[int, int]  # leaves [start, end)
NodeReader = Callable[[Sequence[Node]], Sequence[bytes]]


class ProofError(ValueError):
    """A proof asked for something the tree cannot prove (sizes out of range)."""


# -- hashing ---------------------------------------------------------------------------------


def entry(position: int, aggregate: UUID | bytes, version: int, topic: str | bytes, state: bytes) -> bytes:
    """The bytes of one event that its leaf hashes:

        position (8 bytes, big-endian, signed) || aggregate id (16 bytes)
        || version (8 bytes, big-endian, signed) || len(topic) (4 bytes) || topic (UTF-8)
        || len(state) (4 bytes) || state (the stored JSON bytes)
    """
    topic_bytes = topic.encode("utf-8") if isinstance(topic, str) else bytes(topic)
    aggregate_bytes = aggregate.bytes if isinstance(aggregate, UUID) else bytes(aggregate)
    return b"".join((position.to_bytes(8, "big", signed=True), aggregate_bytes,
                     version.to_bytes(8, "big", signed=True), len(topic_bytes).to_bytes(4, "big"), topic_bytes,
                     len(state).to_bytes(4, "big"), state))


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


# -- the stored nodes -------------------------------------------------------------------------


def appended(index: int, leaf: bytes, sibling: Callable[[int, int], bytes]) -> list[tuple[int, int, bytes]]:
    """The nodes that become complete when leaf ``index`` (hash ``leaf``) is appended:
    the leaf itself and each parent whose right-most leaf it is.  ``sibling(level, i)``
    reads a stored node (the left neighbours, all complete already)."""
    out = [(0, index, leaf)]
    level, i, h = 0, index, leaf
    while i & 1:
        h = node_hash(sibling(level, i - 1), h)
        level, i = level + 1, i >> 1
        out.append((level, i, h))
    return out


def perfect_nodes(start: int, end: int) -> list[Node]:
    """The range [start, end) as aligned perfect subtrees, left to right.  For the ranges
    RFC 9162's algorithms produce (``start`` a multiple of a power of two at least
    ``end - start``) the sizes decrease, and folding them from the right gives MTH."""
    out = []
    while start < end:
        size = start & -start if start else 1 << ((end - start).bit_length() - 1)
        while start + size > end:
            size >>= 1
        out.append((size.bit_length() - 1, start // size))
        start += size
    return out


def _fold(hashes: Sequence[bytes]) -> bytes:
    h = hashes[-1]
    for left in reversed(hashes[:-1]):
        h = node_hash(left, h)
    return h


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """RFC 9162 PATH(index, D[0:size]) as the ranges whose MTH it lists, deepest first."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size} leaves")
    out: list[Range] = []

    def path(lo: int, hi: int) -> None:
        if hi - lo == 1:
            return
        k = _split(hi - lo)
        if index < lo + k:
            path(lo, lo + k)
            out.append((lo + k, hi))
        else:
            path(lo + k, hi)
            out.append((lo, lo + k))

    path(0, size)
    return out


def consistency_ranges(old: int, new: int) -> list[Range]:
    """RFC 9162 PROOF(old, D[0:new]) (SUBPROOF(old, D[0:new], true)) as the ranges whose
    MTH it lists."""
    if not 0 <= old <= new:
        raise ProofError(f"no consistency proof from {old} to {new} leaves")
    out: list[Range] = []

    def subproof(m: int, lo: int, hi: int, whole: bool) -> None:
        n = hi - lo
        if m == n:
            if not whole:
                out.append((lo, hi))
            return
        k = _split(n)
        if m <= k:
            subproof(m, lo, lo + k, whole)
            out.append((lo + k, hi))
        else:
            subproof(m - k, lo + k, hi, False)
            out.append((lo, lo + k))

    if 0 < old < new:
        subproof(old, 0, new, True)
    return out


def nodes_for(ranges: Iterable[Range]) -> list[Node]:
    """Every stored node the ranges' hashes are made of (each once, in a stable order)."""
    seen: dict[Node, None] = {}
    for start, end in ranges:
        for node in perfect_nodes(start, end):
            seen[node] = None
    return list(seen)


def range_hashes(ranges: Sequence[Range], read: NodeReader) -> list[bytes]:
    """MTH of each range, from the stored nodes (read in one go)."""
    needed = nodes_for(ranges)
    found = dict(zip(needed, read(needed)))
    return [_fold([found[n] for n in perfect_nodes(start, end)]) for start, end in ranges]


def root(size: int, read: NodeReader) -> bytes:
    """MTH(D[0:size])."""
    if size == 0:
        return EMPTY_ROOT
    return range_hashes([(0, size)], read)[0]


def inclusion_proof(index: int, size: int, read: NodeReader) -> list[bytes]:
    return range_hashes(inclusion_ranges(index, size), read)


def consistency_proof(old: int, new: int, read: NodeReader) -> list[bytes]:
    return range_hashes(consistency_ranges(old, new), read)


# -- verification (RFC 9162 sections 2.1.3.2 and 2.1.4.2) -----------------------------------------


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes | None:
    """The root an inclusion proof leads to, or None if the proof has the wrong shape."""
    if not 0 <= index < size or len(leaf) != HASH_SIZE or any(len(p) != HASH_SIZE for p in proof):
        return None
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root_hash: bytes) -> bool:
    return root_from_inclusion(index, size, leaf, proof) == root_hash


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """Does the tree of ``new`` leaves with root ``new_root`` extend, unchanged, the tree of
    ``old`` leaves with root ``old_root``?"""
    if not 0 <= old <= new or any(len(p) != HASH_SIZE for p in proof):
        return False
    if old == new:
        return not proof and old_root == new_root
    if old == 0:
        return not proof  # every tree extends the empty one
    if not proof:
        return False
    path = list(proof)
    if old & (old - 1) == 0:  # an exact power of two: the old root is itself a node of the path
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root


# -- the right edge of a growing tree ------------------------------------------------------------


class Frontier:
    """What appending needs of a tree: for each level, the complete node still waiting for
    its right neighbour (at most one per level: the tree's right edge).  Appending a leaf
    returns every node it completes, as :func:`appended` does, without reading a store."""

    def __init__(self, size: int = 0, waiting: dict[int, bytes] | None = None) -> None:
        self.size = size
        self.waiting = dict(waiting or {})

    @classmethod
    def of(cls, size: int, read: NodeReader) -> Frontier:
        """The frontier of a stored tree of ``size`` leaves: its perfect subtrees, left to right."""
        nodes = perfect_nodes(0, size)
        return cls(size, {level: h for (level, _), h in zip(nodes, read(nodes))})

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        made = [(0, self.size, leaf)]
        level, i, h = 0, self.size, leaf
        while i & 1:
            h = node_hash(self.waiting.pop(level), h)
            level, i = level + 1, i >> 1
            made.append((level, i, h))
        self.waiting[level] = h
        self.size += 1
        return made

    def root(self) -> bytes:
        if not self.size:
            return EMPTY_ROOT
        return _fold([self.waiting[level] for level in sorted(self.waiting, reverse=True)])


# -- a tree in memory ----------------------------------------------------------------------


class MemoryTree:
    """Every complete node of a tree, in memory (32 bytes per node, about 64 per leaf):
    for verification, which recomputes the tree from the events, and for building the
    stored tree of an existing log."""

    def __init__(self) -> None:
        self.levels: list[bytearray] = []
        self.size = 0

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Append a leaf hash; returns the nodes it completed (as :func:`appended`)."""
        made = appended(self.size, leaf, self.node)
        for level, _, h in made:
            if level == len(self.levels):
                self.levels.append(bytearray())
            self.levels[level] += h
        self.size += 1
        return made

    def node(self, level: int, index: int) -> bytes:
        data = self.levels[level]
        start = index * HASH_SIZE
        if start + HASH_SIZE > len(data):
            raise KeyError((level, index))
        return bytes(data[start:start + HASH_SIZE])

    def read(self, nodes: Sequence[Node]) -> list[bytes]:
        return [self.node(level, index) for level, index in nodes]

    def leaf(self, index: int) -> bytes:
        return self.node(0, index)

    def root(self, size: int | None = None) -> bytes:
        return root(self.size if size is None else size, self.read)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return inclusion_proof(index, self.size if size is None else size, self.read)

    def consistency_proof(self, old: int, new: int | None = None) -> list[bytes]:
        return consistency_proof(old, self.size if new is None else new, self.read)
