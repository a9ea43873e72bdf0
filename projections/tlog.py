"""Checking the log's Merkle tree and its signed heads (``leitai verify``).

The events are hashed again, in log order, into a tree in memory (:class:`LogTree`), and
then:

* the stored tree (leaves and nodes) must be that tree (:func:`check_stored_tree`);
* every recorded signed head must be validly signed (by a key the auditor gave, else the
  deployment's, else only the key it names), name this log's origin, cover no more events
  than there are, and have the root of the tree of its size (:func:`check_heads`); every
  recorded cosignature must verify against the witness registered for it;
* every sealed, published or final round must be covered by a valid signed head at or
  after its last result-changing event (close, re-seal, publication, republication,
  finalization, re-ranking), else the round is named (:func:`check_coverage`);
* a head held from outside - typed from a paper notice, saved by a witness, kept by the
  signer beside its key - must be extended by this log unchanged: not longer than the log,
  and with the root of the tree of its size (:func:`check_held_heads`);
* with witness keys and a quorum, each round must be covered by a head those witnesses
  cosigned (:func:`check_coverage`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from domain import merkle
from domain.checkpoint import Checkpoint, Note, NoteError, Signature, VerifierKey, b64
from domain.model.round_events import CLOSED, FINAL, PUBLISHED
from eventstore.notes import log_key, verify_note
from eventstore.tree import event_leaf


@dataclass
class LogTree:
    """The tree of the events as read, with each leaf's position."""

    tree: merkle.MemoryTree = field(default_factory=merkle.MemoryTree)
    positions: list[int] = field(default_factory=list)
    leaf_of: dict[int, int] = field(default_factory=dict)

    def add(self, position: int, aggregate: Any, version: int, topic: Any, state: Any) -> None:
        try:
            leaf = event_leaf(position, aggregate, version, topic, state)
        except (ValueError, TypeError, OverflowError):
            leaf = merkle.leaf_hash(b"unreadable event")  # the chain check names it
        self.leaf_of[position] = len(self.positions)
        self.positions.append(position)
        self.tree.append(leaf)

    @property
    def size(self) -> int:
        return self.tree.size

    def root(self, size: int | None = None) -> bytes:
        return self.tree.root(size)


@dataclass
class Problem:
    check: str  # tree | head | coverage | held | witness | cosignature
    round: str  # "*" or a round code
    expected: Any
    found: Any
    en: str
    zh: str


@dataclass
class HeadsReport:
    problems: list[Problem] = field(default_factory=list)
    valid: list[dict[str, Any]] = field(default_factory=list)  # recorded heads that check out
    cosigned: dict[int, list[str]] = field(default_factory=dict)  # head size -> witnesses whose cosignature verifies
    covered: int = 0  # events covered by the largest valid head


def parse_held(text: str) -> Note:
    """A head held from outside (a file's text); raises NoteError."""
    note = Note.parse(text)
    note.checkpoint  # noqa: B018 - the body must be a checkpoint
    return note


def trusted_log_keys(origin: str, keys: Sequence[bytes]) -> list[VerifierKey]:
    return [log_key(origin, k) for k in keys]


def check_stored_tree(log: LogTree, leaves: Any, nodes: Any) -> list[Problem]:
    """The stored leaves and nodes against the tree recomputed from the events."""
    problems: list[Problem] = []
    expected_leaves = 0
    for rows in leaves:
        for leaf, position, stored in rows:
            leaf, position = int(leaf), int(position)
            if leaf != expected_leaves or leaf >= log.size or log.positions[leaf] != position \
                    or log.tree.leaf(leaf) != bytes(stored):
                problems.append(Problem(
                    "tree", "*", None, position,
                    f"the stored Merkle tree's leaf {leaf} (position {position}) is not the event there: the event or "
                    "the tree was changed outside Leitai",
                    f"存储的 Merkle 树第 {leaf} 个叶子（位置 {position}）与该处事件不符：事件或树在擂台系统之外被改动过"))
                return problems
            expected_leaves += 1
    if expected_leaves != log.size:
        problems.append(Problem("tree", "*", log.size, expected_leaves,
                                f"the stored Merkle tree has {expected_leaves} leaves for {log.size} events",
                                f"存储的 Merkle 树有 {expected_leaves} 个叶子，而事件有 {log.size} 条"))
        return problems
    for rows in nodes:
        for level, index, stored in rows:
            level, index = int(level), int(index)
            try:
                expected = log.tree.node(level, index)
            except (KeyError, IndexError):
                expected = None
            if expected != bytes(stored):
                problems.append(Problem("tree", "*", None, (level, index),
                                        f"the stored Merkle tree's node ({level}, {index}) is not the hash of the "
                                        "events below it", f"存储的 Merkle 树节点（{level}，{index}）与其下的事件不符"))
                return problems
    return problems


def check_heads(log: LogTree, origin: str | None, ledger: Any, keys: Sequence[bytes]) -> HeadsReport:
    """Every recorded head and cosignature (see the module's docstring)."""
    report = HeadsReport()
    heads = ledger.heads if ledger is not None else []
    for head in heads:
        where = f"the tree head of {head['size']} events (" + ", ".join(head["reasons"]) + ")"
        where_zh = f"{head['size']} 条事件的树头（" + "，".join(head["reasons"]) + "）"
        try:
            note = Note.parse(head["note"])
            checkpoint = note.checkpoint
        except NoteError as error:
            report.problems.append(Problem("head", "*", None, head["size"], f"{where} is damaged: {error.en}",
                                           f"{where_zh}已损坏：{error.zh}"))
            continue
        trusted = trusted_log_keys(checkpoint.origin, keys) if keys else _named(head)
        if not verify_note(note, trusted).ok:
            report.problems.append(Problem(
                "head", "*", None, head["size"],
                f"{where} is not signed by " + ("the given key" if keys else "the key it names"),
                f"{where_zh}签名无效（" + ("与给定公钥不符" if keys else "与其所附公钥不符") + "）"))
            continue
        problem = _against_log(log, origin, checkpoint, where, where_zh, "head")
        if problem:
            report.problems.append(problem)
            continue
        report.valid.append(head)
        report.covered = max(report.covered, checkpoint.size)
    witnesses = {}
    if ledger is not None:
        for name, vkey in ledger.witnesses.items():
            try:
                witnesses[name] = VerifierKey.parse(vkey)
            except NoteError:
                continue
    valid_sizes = {h["size"]: h for h in report.valid}
    for size, cosignatures in (ledger.cosignatures.items() if ledger is not None else ()):
        head = valid_sizes.get(size)
        for c in cosignatures:
            key = witnesses.get(c["witness"])
            ok = False
            if head is not None and key is not None and c["root"] == head["root"]:
                try:
                    ok = verify_note(Note(Note.parse(head["note"]).text, (Signature.parse(c["signature"]),)),
                                     [key]).ok
                except NoteError:
                    ok = False
            if ok:
                report.cosigned.setdefault(size, []).append(c["witness"])
            elif key is not None and head is not None:
                report.problems.append(Problem(
                    "cosignature", "*", None, size,
                    f"the cosignature of {c['witness']} on the tree head of {size} events does not verify",
                    f"见证方 {c['witness']} 对 {size} 条事件的树头的联署签名无效"))
    return report


def _named(head: dict[str, Any]) -> list[VerifierKey]:
    try:
        return [VerifierKey.parse(head.get("vkey") or "")]
    except NoteError:
        return []


def _against_log(log: LogTree, origin: str | None, checkpoint: Checkpoint, where: str, where_zh: str,
                 check: str) -> Problem | None:
    if origin is not None and checkpoint.origin != origin:
        return Problem(check, "*", checkpoint.origin, origin,
                       f"{where} is a head of another log ({checkpoint.origin}; this log is {origin})",
                       f"{where_zh}属于另一个日志（{checkpoint.origin}；本日志为 {origin}）")
    if checkpoint.size > log.size:
        return Problem(check, "*", checkpoint.size, log.size,
                       f"{where} covers {checkpoint.size} events, but the log has only {log.size}: events were "
                       "removed from its end (or the log was replaced)",
                       f"{where_zh}涵盖 {checkpoint.size} 条事件，而日志只有 {log.size} 条：日志末尾的事件被删除（或日志被替换）")
    root = log.root(checkpoint.size)
    if root != checkpoint.root:
        return Problem(check, "*", b64(checkpoint.root), b64(root),
                       f"{where} is not extended by this log: its first {checkpoint.size} events are no longer "
                       f"those signed (root signed {b64(checkpoint.root)}, now {b64(root)}); the history was "
                       "rewritten",
                       f"本日志不是{where_zh}的原样延续：前 {checkpoint.size} 条事件已不是当初签署的那些（签署时根哈希为 "
                       f"{b64(checkpoint.root)}，现在为 {b64(root)}）；历史记录被改写")
    return None


def check_held_heads(log: LogTree, origin: str | None, held: Sequence[tuple[str, Note]],
                     keys: Sequence[bytes]) -> tuple[list[Problem], list[int]]:
    """Heads held from outside: (problems, the sizes of those the log extends).  ``held``:
    (where from, note)."""
    problems, good = [], []
    for source, note in held:
        checkpoint = note.checkpoint
        where = f"the head {checkpoint.size} of {source}"
        where_zh = f"{source}中 {checkpoint.size} 条事件的树头"
        if keys and not verify_note(note, trusted_log_keys(checkpoint.origin, keys)).ok:
            problems.append(Problem("held", "*", None, checkpoint.size, f"{where} is not signed by the given key",
                                    f"{where_zh}的签名与给定公钥不符"))
            continue
        problem = _against_log(log, origin, checkpoint, where, where_zh, "held")
        if problem:
            problems.append(problem)
        else:
            good.append(checkpoint.size)
    return problems, good


def round_checks(folder: Any, only: str | None = None) -> dict[str, int]:
    """round -> the position of its last result-changing event, for every sealed,
    published or final round."""
    out = {}
    for code, rnd in folder.rounds.items():
        if (only and code != only) or rnd.status not in (CLOSED, PUBLISHED, FINAL):
            continue
        position = folder.result_positions.get(code)
        if position is not None:
            out[code] = position
    return out


def check_coverage(log: LogTree, folder: Any, heads: HeadsReport, legacy_covered: int, only: str | None,
                   witnesses: Sequence[VerifierKey] = (), quorum: int = 0, held: Sequence[int] = ()) -> list[Problem]:
    problems = []
    valid_sizes = sorted([h["size"] for h in heads.valid] + list(held))
    witness_names = {w.name for w in witnesses}
    cosigned_sizes = sorted(size for size, names in heads.cosigned.items()
                            if len(witness_names & set(names)) >= quorum) if witnesses else []
    for code, position in sorted(round_checks(folder, only).items()):
        leaf = log.leaf_of.get(position)
        covered = position <= legacy_covered or (leaf is not None and any(s > leaf for s in valid_sizes))
        if not covered:
            problems.append(Problem(
                "coverage", code, position, None,
                f"round {code} changed its results at position {position}, and no valid signed head covers that "
                "event: its checkpoints were removed, or it was recorded outside Leitai",
                f"轮次 {code} 在位置 {position} 改变了结果，但没有任何有效的签名树头涵盖该事件：其检查点被删除，或该事件不是通过擂台系统登记的"))
            continue
        if witnesses and not (leaf is not None and any(s > leaf for s in cosigned_sizes)):
            problems.append(Problem(
                "witness", code, quorum, None,
                f"round {code}: no head covering its results (position {position}) carries {quorum} cosignature(s) "
                "of the given witnesses",
                f"轮次 {code}：没有任何涵盖其结果（位置 {position}）的树头带有给定见证方的 {quorum} 个联署签名"))
    return problems
