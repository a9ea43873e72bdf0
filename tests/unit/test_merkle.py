"""The Merkle tree (domain/merkle.py) against published test vectors and a brute-force tree.

The vectors are those of Certificate Transparency's reference tree of eight leaves, as
published with RFC 6962's and transparency-dev's test suites: the leaf data, the root of
every size 1..8, and the inclusion and consistency proofs between them.  The brute-force
tree below is RFC 9162 section 2.1 read literally (MTH, PATH, SUBPROOF as recursive
definitions over the list of leaves), with no stored nodes."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import merkle

LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                     "606162636465666768696a6b6c6d6e6f")]
ROOTS = [bytes.fromhex(h) for h in (
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")]


def h(text: str) -> bytes:
    return bytes.fromhex(text)


# (leaf number counting from 1, tree size, proof)
INCLUSION = [
    (1, 1, []),
    (1, 8, [h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]),
    (6, 8, [h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]),
    (3, 3, [h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
    (2, 5, [h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")]),
]
# (old size, new size, proof)
CONSISTENCY = [
    (1, 1, []),
    (1, 8, [h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]),
    (6, 8, [h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]),
    (2, 5, [h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")]),
    (6, 7, [h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]),
]


# -- RFC 9162 section 2.1 read literally ------------------------------------------------------------


def mth(data: list[bytes]) -> bytes:
    n = len(data)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + data[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + mth(data[:k]) + mth(data[k:])).digest()


def path(m: int, data: list[bytes]) -> list[bytes]:
    n = len(data)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return path(m, data[:k]) + [mth(data[k:])]
    return path(m - k, data[k:]) + [mth(data[:k])]


def subproof(m: int, data: list[bytes], b: bool) -> list[bytes]:
    n = len(data)
    if m == n:
        return [] if b else [mth(data)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return subproof(m, data[:k], b) + [mth(data[k:])]
    return subproof(m - k, data[k:], False) + [mth(data[:k])]


def tree_of(data: list[bytes]) -> merkle.MemoryTree:
    tree = merkle.MemoryTree()
    for item in data:
        tree.append(merkle.leaf_hash(item))
    return tree


# -- the published vectors ----------------------------------------------------------------------


def test_the_roots_of_the_reference_tree_at_every_size():
    tree = tree_of(LEAVES)
    assert [tree.root(n) for n in range(1, 9)] == ROOTS
    assert tree.root(0) == merkle.EMPTY_ROOT == h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")


@pytest.mark.parametrize(("leaf", "size", "proof"), INCLUSION)
def test_inclusion_proofs_of_the_reference_tree(leaf, size, proof):
    tree = tree_of(LEAVES)
    assert tree.inclusion_proof(leaf - 1, size) == proof
    assert merkle.verify_inclusion(leaf - 1, size, merkle.leaf_hash(LEAVES[leaf - 1]), proof, ROOTS[size - 1])


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_consistency_proofs_of_the_reference_tree(old, new, proof):
    tree = tree_of(LEAVES)
    assert tree.consistency_proof(old, new) == proof
    assert merkle.verify_consistency(old, new, ROOTS[old - 1], ROOTS[new - 1], proof)


def flipped(proof, i, bit):
    out = list(proof)
    out[i] = bytes([out[i][0] ^ bit]) + out[i][1:]
    return out


@pytest.mark.parametrize(("leaf", "size", "proof"), [v for v in INCLUSION if v[2]])
def test_a_damaged_inclusion_proof_never_verifies(leaf, size, proof):
    index, good_leaf, root = leaf - 1, merkle.leaf_hash(LEAVES[leaf - 1]), ROOTS[size - 1]
    some = h("abacaba000000000000000000000000000000000000000000060061e00123456")
    probes = [
        (index - 1, size, good_leaf, proof, root), (index + 1, size, good_leaf, proof, root),
        (index ^ 2, size, good_leaf, proof, root), (index, size * 2, good_leaf, proof, root),
        (index, size // 2, good_leaf, proof, root), (index, size, merkle.leaf_hash(b"WrongLeaf"), proof, root),
        (index, size, good_leaf, proof, merkle.EMPTY_ROOT), (index, size, good_leaf, proof, some),
        (index, size, good_leaf, proof + [b""], root), (index, size, good_leaf, proof + [root], root),
        (index, size, good_leaf, [b""] + proof, root), (index, size, good_leaf, [root] + proof, root),
        (index, size, good_leaf, proof[:-1], root),
    ]
    probes += [(index, size, good_leaf, flipped(proof, i, 8), root) for i in range(len(proof))]
    if len(proof) > 1:
        probes.append((index, size, good_leaf, [proof[0], some] + proof[1:], root))
    for probe in probes:
        assert not merkle.verify_inclusion(*probe), probe


@pytest.mark.parametrize(("old", "new", "proof"), [v for v in CONSISTENCY if v[2]])
def test_a_damaged_consistency_proof_never_verifies(old, new, proof):
    r1, r2 = ROOTS[old - 1], ROOTS[new - 1]
    probes = [
        (old - 1, new, r1, r2, proof), (old + 1, new, r1, r2, proof), (old ^ 2, new, r1, r2, proof),
        (old, new * 2, r1, r2, proof), (old, new // 2, r1, r2, proof),
        (old, new, merkle.leaf_hash(b"WrongRoot"), r2, proof), (old, new, r1, merkle.leaf_hash(b"WrongRoot"), proof),
        (old, new, r2, r1, proof), (old, new, r1, r2, []),
        (old, new, r1, r2, proof + [b""]), (old, new, r1, r2, proof + [r1]), (old, new, r1, r2, proof + [r2]),
        (old, new, r1, r2, [b""] + proof), (old, new, r1, r2, [r1] + proof), (old, new, r1, r2, [r2] + proof),
        (old, new, r1, r2, [proof[0]] + proof), (old, new, r1, r2, proof[:-1]),
    ]
    probes += [(old, new, r1, r2, flipped(proof, i, 16)) for i in range(len(proof))]
    for probe in probes:
        if probe[0] == 0 and not probe[4]:
            continue  # the empty tree is extended by every tree (size1 - 1 = 0 with no proof)
        assert not merkle.verify_consistency(*probe), probe


def test_the_edge_cases_of_consistency():
    a, b = merkle.leaf_hash(b"a"), merkle.leaf_hash(b"b")
    assert merkle.verify_consistency(0, 0, a, a, []) and merkle.verify_consistency(0, 5, a, b, [])
    assert merkle.verify_consistency(1, 1, b, b, [])
    assert not merkle.verify_consistency(1, 1, a, b, [])  # same size, another root: a fork
    assert not merkle.verify_consistency(1, 0, a, b, []) and not merkle.verify_consistency(2, 1, a, b, [])
    assert not merkle.verify_consistency(1, 2, a, b, [])  # no proof where one is needed
    assert not merkle.verify_consistency(0, 1, a, a, [merkle.EMPTY_ROOT])  # a proof where none belongs
    with pytest.raises(merkle.ProofError):
        merkle.consistency_ranges(5, 4)
    with pytest.raises(merkle.ProofError):
        merkle.inclusion_ranges(4, 4)


# -- against the brute-force tree, every index and every pair of sizes up to 70 ------------------------


def test_every_root_and_proof_equals_the_brute_force_tree_up_to_70_leaves():
    data = [f"event {i}".encode() for i in range(70)]
    tree = tree_of(data)
    for n in range(1, 71):
        expected_root = mth(data[:n])
        assert tree.root(n) == expected_root, n
        for m in range(n):
            proof = tree.inclusion_proof(m, n)
            assert proof == path(m, data[:n]), (m, n)
            assert merkle.verify_inclusion(m, n, merkle.leaf_hash(data[m]), proof, expected_root)
        for m in range(1, n):
            proof = tree.consistency_proof(m, n)
            assert proof == subproof(m, data[:n], True), (m, n)
            assert merkle.verify_consistency(m, n, mth(data[:m]), expected_root, proof), (m, n)


def test_the_stored_nodes_are_the_perfect_subtrees():
    data = [bytes([i]) for i in range(13)]
    tree = tree_of(data)
    for level, nodes in enumerate(tree.levels):
        width = 1 << level
        for index in range(len(nodes) // 32):
            assert tree.node(level, index) == mth(data[index * width:(index + 1) * width])
    assert len(tree.levels[0]) == 13 * 32 and len(tree.levels[3]) == 32  # 8 of 13 leaves: one node of level 3


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=40), min_size=2, max_size=300), st.data())
def test_random_trees_prove_what_they_hold_and_nothing_else(data, draw):
    tree = tree_of(data)
    n = draw.draw(st.integers(1, len(data)))
    m = draw.draw(st.integers(0, n - 1))
    old = draw.draw(st.integers(1, n))
    assert tree.root(n) == mth(data[:n])
    proof = tree.inclusion_proof(m, n)
    assert merkle.verify_inclusion(m, n, merkle.leaf_hash(data[m]), proof, tree.root(n))
    other = merkle.leaf_hash(data[m] + b"!")
    assert not merkle.verify_inclusion(m, n, other, proof, tree.root(n))
    consistency = tree.consistency_proof(old, n)
    assert merkle.verify_consistency(old, n, tree.root(old), tree.root(n), consistency)
    if old < n:  # a history changed before `old` is not consistent with the one that was signed
        forged = tree_of(data[:m] + [data[m] + b"!"] + data[m + 1:])
        if m < old:
            assert not merkle.verify_consistency(old, n, tree.root(old), forged.root(n),
                                                 forged.consistency_proof(old, n))


def test_an_entry_binds_every_field_of_the_event():
    from uuid import UUID

    key = UUID("12345678-1234-5678-1234-567812345678")
    base = merkle.entry(7, key, 3, "domain.model.round:Round.SheetSubmitted", b'{"a":1}')
    assert base[:8] == (7).to_bytes(8, "big") and base[8:24] == key.bytes
    variants = [merkle.entry(8, key, 3, "domain.model.round:Round.SheetSubmitted", b'{"a":1}'),
                merkle.entry(7, UUID(int=1), 3, "domain.model.round:Round.SheetSubmitted", b'{"a":1}'),
                merkle.entry(7, key, 4, "domain.model.round:Round.SheetSubmitted", b'{"a":1}'),
                merkle.entry(7, key, 3, "domain.model.round:Round.SheetCorrected", b'{"a":1}'),
                merkle.entry(7, key, 3, "domain.model.round:Round.SheetSubmitted", b'{"a": 1}')]
    assert len({merkle.leaf_hash(v) for v in variants + [base]}) == 6


def test_the_frontier_makes_the_same_nodes_as_the_whole_tree():
    data = [f"e{i}".encode() for i in range(100)]
    whole = merkle.MemoryTree()
    edge = merkle.Frontier()
    for n, item in enumerate(data):
        leaf = merkle.leaf_hash(item)
        assert edge.append(leaf) == whole.append(leaf)
        assert edge.root() == whole.root() == mth(data[:n + 1])
        if n in (0, 6, 31, 64):  # a frontier read back from a stored tree continues the same
            resumed = merkle.Frontier.of(n + 1, whole.read)
            assert resumed.waiting == edge.waiting and resumed.root() == edge.root()


def test_a_verifier_key_whose_base64_holds_a_plus_reads_back():
    from domain.checkpoint import ED25519, VerifierKey

    for n in range(200):  # keys whose base64 holds '+' or '/' (most do)
        key = VerifierKey("leitai/cli/a88879480553", ED25519, bytes([n]) * 32)
        assert VerifierKey.parse(str(key)) == key
