"""Proofs from the log's Merkle tree, and checking them offline.

* An **inclusion proof** (C2SP ``tlog-proof@v1``) shows that one event is in the log whose
  head a checkpoint signs::

      c2sp.org/tlog-proof@v1
      extra <base64 of the event's entry: position, aggregate, version, topic, stored bytes>
      index <the event's leaf index>
      <the RFC 9162 inclusion proof, one base64 hash per line>

      <the checkpoint, verbatim: note text, blank line, signature lines>

  ``leitai prove inclusion ROUND ENTRANT`` gives one for every event behind an entrant's
  result (sheets, corrections, voids, inputs, adjustments, recusals, disqualification or
  withdrawal, and the round's close / re-seal / re-ranking that recorded the results), in a
  bundle: ``{"format": "leitai-proof/1", "kind": "inclusion", "round", "entrant",
  "size", "checkpoint", "entries": [{"what", "what_zh", "position", "event", "proof"}], "later": [...]}``;
  ``later`` names the events recorded after the head (a later head proves them).

* A **consistency proof** shows that a later head extends an earlier one unchanged; it is
  written as the body of a C2SP ``tlog-witness`` add-checkpoint request::

      old <the earlier size>
      <the RFC 9162 consistency proof, one base64 hash per line>

      <the later checkpoint, verbatim>

:func:`check_inclusion` and :func:`check_consistency` verify them with nothing but the
texts and the public keys - no database, no network.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import orjson

from domain import merkle
from domain.checkpoint import Checkpoint, Note, NoteError, VerifierKey, b64, unb64
from eventstore.notes import log_key, verify_note
from eventstore.tree import TreeIncomplete, TreeStore
from projections.chain import aggregate_bytes, as_bytes

PROOF_HEADER = "c2sp.org/tlog-proof@v1"
BUNDLE_FORMAT = "leitai-proof/1"
MAX_PROOF_LINES = 64


class ProofUnavailable(Exception):
    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh


# -- making proofs -----------------------------------------------------------------------------


def entry_bytes(position: int, aggregate: Any, version: int, topic: Any, state: Any) -> bytes:
    return merkle.entry(position, aggregate_bytes(aggregate), version, as_bytes(topic), as_bytes(state))


def inclusion_text(entry: bytes, index: int, proof: Sequence[bytes], checkpoint: str) -> str:
    lines = [PROOF_HEADER, f"extra {b64(entry)}", f"index {index}", *(b64(h) for h in proof)]
    return "\n".join(lines) + "\n\n" + checkpoint


def consistency_text(old: int, proof: Sequence[bytes], checkpoint: str) -> str:
    return f"old {old}\n" + "".join(b64(h) + "\n" for h in proof) + "\n" + checkpoint


def head_for(heads: Sequence[dict[str, Any]], size: int | None) -> dict[str, Any]:
    """The recorded head of ``size`` (the latest if None)."""
    if not heads:
        raise ProofUnavailable("no tree head has been signed yet: run `leitai checkpoint`",
                               "还没有签署过树头：请先运行 `leitai checkpoint`")
    if size is None:
        return heads[-1]
    for head in reversed(heads):
        if head["size"] == size:
            return head
    raise ProofUnavailable(f"no tree head of {size} events was signed; signed sizes: "
                           + ", ".join(str(h["size"]) for h in heads[-10:]),
                           f"没有签署过 {size} 条事件的树头；已签署的大小：" + "，".join(str(h["size"]) for h in heads[-10:]))


def consistency(tree: TreeStore, old: int, head: dict[str, Any], note: str) -> str:
    if not 0 <= old <= head["size"]:
        raise ProofUnavailable(f"no consistency proof from {old} to {head['size']} events",
                               f"无法给出从 {old} 到 {head['size']} 条事件的一致性证明")
    with _complete():
        return consistency_text(old, tree.consistency_proof(old, head["size"]), note)


@contextmanager
def _complete() -> Iterator[None]:
    """A stored tree with a node missing gives no proof: say so (verify says why)."""
    try:
        yield
    except TreeIncomplete as error:
        raise ProofUnavailable(f"the stored tree is incomplete ({error}): run `leitai verify`",
                               f"存储的 Merkle 树不完整（{error}）：请运行 `leitai verify`") from None


@dataclass
class Described:
    position: int
    what: str
    what_zh: str
    version: int = 0


def entrant_events(rows: Sequence[tuple], entrant: str) -> list[Described]:
    """The events of a round (its rows in log order) behind one entrant's result."""
    out: list[Described] = []
    adjustments: dict[int, str] = {}
    for position, _key, version, topic, state in rows:
        name = str(topic).replace(":", ".").rsplit(".", 1)[-1]
        try:
            data = orjson.loads(as_bytes(state))
        except orjson.JSONDecodeError:
            continue
        if name == "AdjustmentRecorded":
            adjustments[version] = data.get("entrant")
        mine = data.get("entrant") == entrant or (name == "AdjustmentRevoked"
                                                  and adjustments.get(data.get("adjustment")) == entrant)
        if name in ("Closed", "Resealed", "Reranked"):
            out.append(Described(position, f"{name} #{version}: the recorded results and seal",
                                 f"{name} #{version}：登记的结果与封存值", version))
        elif mine and name in WHAT:
            en, zh = WHAT[name]
            detail = data.get("judge") or data.get("component") or data.get("points") or ""
            out.append(Described(position, f"{name} #{version} {detail}".rstrip() + f": {en}",
                                 f"{name} #{version} {detail}".rstrip() + f"：{zh}", version))
    return out


WHAT = {"SheetSubmitted": ("a judge's sheet", "评委评分表"), "SheetCorrected": ("a corrected sheet", "更正的评分表"),
        "SheetVoided": ("a voided sheet", "作废的评分表"), "InputRecorded": ("an assessment input", "考核数据"),
        "AdjustmentRecorded": ("an adjustment", "加减分"), "AdjustmentRevoked": ("an adjustment revoked", "撤销的加减分"),
        "JudgeRecused": ("a recusal", "回避"), "EntrantDisqualified": ("a disqualification", "取消资格"),
        "EntrantWithdrawn": ("a withdrawal", "退赛"), "EntrantAdmitted": ("the admission", "参赛登记")}


def inclusion_bundle(tree: TreeStore, rows: Sequence[tuple], round_code: str, entrant: str,
                     head: dict[str, Any], note: str) -> dict[str, Any]:
    """Every event behind ``entrant``'s result in ``round_code`` (``rows``: the round's
    events), each with its inclusion proof to ``head``."""
    with _complete():
        return _inclusion_bundle(tree, rows, round_code, entrant, head, note)


def _inclusion_bundle(tree: TreeStore, rows: Sequence[tuple], round_code: str, entrant: str,
                      head: dict[str, Any], note: str) -> dict[str, Any]:
    described = entrant_events(rows, entrant)
    by_position = {row[0]: row for row in rows}
    leaves = tree.leaves_of([d.position for d in described])
    entries, later = [], []
    for d in described:
        found = leaves.get(d.position)
        if found is None or found[0] >= head["size"]:  # recorded after this head: a later one proves it
            later.append({"what": d.what, "what_zh": d.what_zh, "position": d.position,
                          "event": f"{round_code}#{d.version}"})
            continue
        index = found[0]
        row = by_position[d.position]
        entries.append({"what": d.what, "what_zh": d.what_zh, "position": d.position,
                        "event": f"{round_code}#{d.version}",
                        "proof": inclusion_text(entry_bytes(*row), index, tree.inclusion_proof(index, head["size"]),
                                                note)})
    if not entries:
        raise ProofUnavailable(f"none of these events is covered by the tree head of {head['size']} events: they "
                               "were recorded after it; prove them with a later signed head",
                               f"这些事件都不在 {head['size']} 条事件的树头之内（都是其后登记的）：请用更新的签名树头证明")
    return {"format": BUNDLE_FORMAT, "kind": "inclusion", "round": round_code, "entrant": entrant,
            "size": head["size"], "checkpoint": note, "entries": entries, "later": later}


# -- checking proofs offline ---------------------------------------------------------------------------


@dataclass
class ProofReport:
    ok: bool = True
    checkpoint: dict[str, Any] = field(default_factory=dict)  # origin, size, root of the trusted head
    signed_by: list[str] = field(default_factory=list)  # key names whose signatures verified
    cosigned_by: list[str] = field(default_factory=list)
    entries: list[dict[str, Any]] = field(default_factory=list)  # what each proof showed
    problems: list[tuple[str, str]] = field(default_factory=list)  # (english, chinese)

    def fail(self, en: str, zh: str) -> None:
        self.ok = False
        self.problems.append((en, zh))

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "checkpoint": self.checkpoint, "signed_by": self.signed_by,
                "cosigned_by": self.cosigned_by, "entries": self.entries,
                "problems": [{"en": en, "zh": zh} for en, zh in self.problems]}


def trusted_head(report: ProofReport, note: Note, keys: Sequence[bytes], witnesses: Sequence[VerifierKey],
                 quorum: int) -> Checkpoint | None:
    """The checkpoint of ``note`` if the log's key (and the quorum of witnesses) signed it."""
    checkpoint = note.checkpoint
    report.checkpoint = {"origin": checkpoint.origin, "size": checkpoint.size, "root": b64(checkpoint.root)}
    signed = verify_note(note, [log_key(checkpoint.origin, k) for k in keys])
    if not signed.ok:
        report.fail("the checkpoint is not signed by the given key" if not signed.bad else
                    "the checkpoint carries a signature of the given key that does not verify: it was altered",
                    "检查点不是给定公钥签署的" if not signed.bad else "检查点上给定公钥的签名无效：内容被改动过")
        return None
    report.signed_by = [k.name for k in signed.signed]
    if witnesses:
        cosigned = verify_note(note, witnesses)
        report.cosigned_by = [k.name for k in cosigned.signed]
        if cosigned.bad:
            report.fail("a witness's cosignature on the checkpoint does not verify: "
                        + ", ".join(k.name for k in cosigned.bad),
                        "检查点上见证方的联署签名无效：" + "，".join(k.name for k in cosigned.bad))
        if len(cosigned.signed) < quorum:
            report.fail(f"the checkpoint carries {len(cosigned.signed)} valid cosignature(s) of the given witnesses; "
                        f"{quorum} are required", f"检查点带有给定见证方的有效联署签名 {len(cosigned.signed)} 个，要求 {quorum} 个")
    return checkpoint


def parse_inclusion(text: str) -> tuple[bytes, int, list[bytes], Note]:
    """(entry, index, proof, checkpoint note) of a tlog-proof text; raises NoteError."""
    head, sep, rest = text.replace("\r\n", "\n").partition("\n\n")
    if not sep:
        raise NoteError("the proof has no empty line before its checkpoint", "证明在检查点之前缺少空行")
    lines = head.split("\n")
    if not lines or lines[0] != PROOF_HEADER:
        raise NoteError(f"a proof starts with the line {PROOF_HEADER}", f"证明应以 {PROOF_HEADER} 行开头")
    lines = lines[1:]
    if not lines or not lines[0].startswith("extra "):
        raise NoteError("the proof carries no event (its 'extra' line)", "证明中没有事件内容（extra 行）")
    entry = unb64(lines[0][6:], "the event", "事件内容")
    lines = lines[1:]
    if not lines or not lines[0].startswith("index ") or not lines[0][6:].isdigit() or len(lines[0]) > 26:
        raise NoteError("the proof has no index line", "证明中缺少 index 行")
    index = int(lines[0][6:])
    hashes = lines[1:]
    if len(hashes) > MAX_PROOF_LINES:
        raise NoteError("the proof is too long", "证明过长")
    proof = [unb64(h, "a proof hash", "证明中的哈希") for h in hashes]
    return entry, index, proof, Note.parse(rest)


def describe_entry(entry: bytes) -> dict[str, Any]:
    """What an entry says (position, aggregate, version, topic and the event's fields)."""
    if len(entry) < 44:
        raise NoteError("the event is too short", "事件内容过短")
    position = int.from_bytes(entry[0:8], "big", signed=True)
    aggregate = str(UUID(bytes=entry[8:24]))
    version = int.from_bytes(entry[24:32], "big", signed=True)
    topic_length = int.from_bytes(entry[32:36], "big")
    topic = entry[36:36 + topic_length].decode("utf-8", "replace")
    offset = 36 + topic_length
    state_length = int.from_bytes(entry[offset:offset + 4], "big")
    state = entry[offset + 4:offset + 4 + state_length]
    if offset + 4 + state_length != len(entry):
        raise NoteError("the event's lengths do not add up", "事件内容的长度不符")
    try:
        fields = json.loads(state)
    except ValueError:
        fields = None
    return {"position": position, "aggregate": aggregate, "version": version, "topic": topic, "event": fields}


def check_inclusion(proof_text: str, keys: Sequence[bytes], checkpoint: Note | None = None,
                    witnesses: Sequence[VerifierKey] = (), quorum: int = 0) -> ProofReport:
    """A proof file (a bundle or one tlog-proof) against a checkpoint: the given one (typed
    from a notice), else the one the proof carries.  Each entry must be included in it."""
    report = ProofReport()
    try:
        texts = _proof_texts(proof_text)
    except (NoteError, ValueError) as error:
        report.fail(f"the proof file cannot be read: {error}", f"无法读取证明文件：{getattr(error, 'zh', error)}")
        return report
    trusted: Checkpoint | None = None
    if checkpoint is not None:
        trusted = trusted_head(report, checkpoint, keys, witnesses, quorum)
        if trusted is None:
            return report
    for what, what_zh, text in texts:
        try:
            entry, index, proof, note = parse_inclusion(text)
            carried = note.checkpoint
            described = describe_entry(entry)
        except NoteError as error:
            report.fail(f"{what}: {error.en}", f"{what_zh}：{error.zh}")
            continue
        if trusted is None:
            trusted = trusted_head(report, note, keys, witnesses, quorum)
            if trusted is None:
                return report
        if (carried.origin, carried.size, carried.root) != (trusted.origin, trusted.size, trusted.root):
            report.fail(f"the proof file was made for the head of {carried.size} events, not for the checkpoint given "
                        f"({trusted.size} events): ask for proofs made with --checkpoint (leitai prove inclusion ... "
                        "--checkpoint FILE)",
                        f"证明文件是按 {carried.size} 条事件的树头生成的，不是按给定的检查点（{trusted.size} 条事件）："
                        "请索取按该检查点生成的证明（leitai prove inclusion … --checkpoint 文件）")
            return report
        included = merkle.verify_inclusion(index, trusted.size, merkle.leaf_hash(entry), proof, trusted.root)
        report.entries.append({"what": what, "what_zh": what_zh, "index": index, "included": included, **described})
        if not included:
            report.fail(f"{what} (position {described['position']}) is NOT included in the log whose head is the "
                        "checkpoint: the event or its proof was altered",
                        f"{what_zh}（位置 {described['position']}）不在该检查点所签署的日志中：事件或证明被改动过")
    if not texts:
        report.fail("the proof file holds no proof", "证明文件中没有任何证明")
    return report


def _proof_texts(text: str) -> list[tuple[str, str, str]]:
    stripped = text.lstrip()
    if stripped.startswith("{"):
        bundle = json.loads(stripped)
        if not isinstance(bundle, dict) or bundle.get("format") != BUNDLE_FORMAT or not isinstance(
                bundle.get("entries"), list):
            raise NoteError(f"not a {BUNDLE_FORMAT} proof bundle", f"不是 {BUNDLE_FORMAT} 证明文件")
        out = []
        for n, item in enumerate(bundle["entries"], 1):
            if not isinstance(item, dict) or not isinstance(item.get("proof"), str):
                raise NoteError(f"entry {n} of the bundle has no proof", f"证明文件第 {n} 项没有证明")
            out.append((str(item.get("what") or f"entry {n}"), str(item.get("what_zh") or f"第 {n} 项"),
                        item["proof"]))
        return out
    return [("the event", "该事件", text)]


def parse_consistency(text: str) -> tuple[int, list[bytes], Note]:
    head, sep, rest = text.replace("\r\n", "\n").partition("\n\n")
    lines = head.split("\n")
    if not sep or not lines or not lines[0].startswith("old ") or not lines[0][4:].isdigit() or len(lines[0]) > 24:
        raise NoteError("a consistency proof starts with 'old <size>' and has an empty line before its checkpoint",
                        "一致性证明应以“old 大小”开头，并在检查点前有空行")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise NoteError("the proof is too long", "证明过长")
    return int(lines[0][4:]), [unb64(h, "a proof hash", "证明中的哈希") for h in lines[1:]], Note.parse(rest)


def check_consistency(proof_text: str, old: Note, keys: Sequence[bytes], witnesses: Sequence[VerifierKey] = (),
                      quorum: int = 0) -> ProofReport:
    """Does the head in the proof extend, unchanged, the old head (typed from a notice)?"""
    report = ProofReport()
    try:
        old_size, proof, note = parse_consistency(proof_text)
        earlier = old.checkpoint
    except NoteError as error:
        report.fail(f"the proof cannot be read: {error.en}", f"无法读取证明：{error.zh}")
        return report
    if keys and not verify_note(old, [log_key(earlier.origin, k) for k in keys]).ok:
        report.fail("the old checkpoint is not signed by the given key", "旧检查点不是给定公钥签署的")
        return report
    later = trusted_head(report, note, keys, witnesses, quorum)
    if later is None:
        return report
    if later.origin != earlier.origin:
        report.fail(f"the heads are of two logs ({earlier.origin}, {later.origin})",
                    f"两个树头属于不同的日志（{earlier.origin}，{later.origin}）")
    elif old_size != earlier.size:
        report.fail(f"the proof starts from {old_size} events, the old checkpoint has {earlier.size}",
                    f"证明从 {old_size} 条事件开始，而旧检查点为 {earlier.size} 条")
    elif not merkle.verify_consistency(earlier.size, later.size, earlier.root, later.root, proof):
        report.fail(f"the head of {later.size} events does NOT extend the head of {earlier.size} events unchanged: "
                    "the log was rewritten, truncated or forked",
                    f"{later.size} 条事件的树头不是 {earlier.size} 条事件的树头的原样延续：日志被改写、截短或分叉")
    report.entries.append({"old": {"size": earlier.size, "root": b64(earlier.root)},
                           "new": {"size": later.size, "root": b64(later.root)}})
    return report
