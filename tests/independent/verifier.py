"""An independent verifier of Leitai's log, written from docs/rules.md section 11 alone.

Nothing here comes from Leitai: this module imports only the standard library and
``cryptography`` (for Ed25519), and was written from the rulebook's text (11.5 the tree and
its entries, 11.6 the signed checkpoint note and verifier keys, 11.7 the proofs and the
``leitai-proof/1`` bundle, 11.8 the witnesses' ``cosignature/v1``), as someone outside the
project would write it.  It checks:

* a signed checkpoint note: its three body lines, its signature lines, the log's Ed25519
  signature (type 0x01) and a witness's cosignature (type 0x04, with its timestamp);
* key ids and verifier keys (``name+hex8+base64(type || key)``);
* a C2SP ``tlog-proof@v1`` inclusion proof with its ``extra`` entry: the leaf hash recomputed
  from the entry, the path checked as RFC 9162 2.1.3.2 (as the rulebook spells it), the entry
  decoded into position, aggregate UUID, version, topic and stored JSON;
* a ``leitai-proof/1`` JSON bundle of such proofs;
* a consistency proof (``old N`` ...) as RFC 9162 2.1.4.2 (as the rulebook spells it);
* the tree's root (MTH) over a list of entries, from scratch.

Every check raises :class:`VerificationError` with a reason when it fails.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import struct
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

SIG_ED25519 = 0x01  # 11.6: the log's own signature
SIG_COSIGNATURE = 0x04  # 11.8: a witness's cosignature/v1
EM_DASH = "\u2014"  # 11.6: each signature line starts with U+2014 and a space
PROOF_HEADER = "c2sp.org/tlog-proof@v1"  # 11.7
BUNDLE_FORMAT = "leitai-proof/1"  # 11.7


class VerificationError(Exception):
    """A check of section 11 that does not hold."""


# -- hashes (11.5) --------------------------------------------------------------------------------


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def leaf_hash(entry: bytes) -> bytes:
    """叶子哈希 = SHA-256(0x00 ‖ entry)."""
    return sha256(b"\x00" + entry)


def node_hash(left: bytes, right: bytes) -> bytes:
    """节点哈希 = SHA-256(0x01 ‖ 左 ‖ 右)."""
    return sha256(b"\x01" + left + right)


def _largest_power_of_two_below(n: int) -> int:
    """k: the largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth_of_leaves(leaves: Sequence[bytes]) -> bytes:
    """MTH over a list of leaf hashes (11.5, RFC 9162 2.1.1)."""
    n = len(leaves)
    if n == 0:
        return sha256(b"")
    if n == 1:
        return leaves[0]
    k = _largest_power_of_two_below(n)
    return node_hash(mth_of_leaves(leaves[:k]), mth_of_leaves(leaves[k:]))


def mth(entries: Iterable[bytes]) -> bytes:
    """MTH(D[n]) of a list of entries, from scratch."""
    return mth_of_leaves([leaf_hash(e) for e in entries])


# -- entries (11.5) -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """An entry decoded: 位置、记录编号、版本、类型、存储的原始 JSON."""

    position: int
    aggregate: uuid.UUID
    version: int
    topic: str
    state: bytes

    def json(self) -> Any:
        return json.loads(self.state.decode("utf-8")) if self.state else None

    def encode(self) -> bytes:
        return encode_entry(self.position, self.aggregate, self.version, self.topic, self.state)


def encode_entry(position: int, aggregate: uuid.UUID | bytes | str, version: int, topic: str | None,
                 state: bytes | str | None) -> bytes:
    """entry = position (8, big-endian signed) ‖ aggregate id (16) ‖ version (8, big-endian signed)
    ‖ len(topic) (4, big-endian) ‖ topic (UTF-8) ‖ len(state) (4, big-endian) ‖ state (stored JSON bytes)."""
    if isinstance(aggregate, uuid.UUID):
        raw = aggregate.bytes
    elif isinstance(aggregate, str):
        raw = uuid.UUID(aggregate).bytes
    else:
        raw = bytes(aggregate)
    if len(raw) != 16:
        raise VerificationError(f"an aggregate id is 16 bytes, not {len(raw)}")
    topic_bytes = (topic or "").encode("utf-8")
    state_bytes = state.encode("utf-8") if isinstance(state, str) else bytes(state or b"")
    return (struct.pack(">q", position) + raw + struct.pack(">q", version)
            + struct.pack(">I", len(topic_bytes)) + topic_bytes
            + struct.pack(">I", len(state_bytes)) + state_bytes)


def decode_entry(entry: bytes) -> Entry:
    """Split an entry back into its five parts; the whole entry must be used exactly."""
    if len(entry) < 8 + 16 + 8 + 4:
        raise VerificationError("the entry is too short")
    position, = struct.unpack(">q", entry[0:8])
    aggregate = uuid.UUID(bytes=entry[8:24])
    version, = struct.unpack(">q", entry[24:32])
    at = 32
    topic_len, = struct.unpack(">I", entry[at:at + 4])
    at += 4
    if at + topic_len + 4 > len(entry):
        raise VerificationError("the entry's topic runs past its end")
    try:
        topic = entry[at:at + topic_len].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise VerificationError("the entry's topic is not UTF-8") from exc
    at += topic_len
    state_len, = struct.unpack(">I", entry[at:at + 4])
    at += 4
    if at + state_len != len(entry):
        raise VerificationError("the entry's state length does not match the entry's length")
    return Entry(position, aggregate, version, topic, entry[at:at + state_len])


# -- keys (11.6, 11.8) --------------------------------------------------------------------------


def key_id(name: str, sig_type: int, public_key: bytes) -> bytes:
    """密钥编号 = SHA-256(密钥名 ‖ 0x0A ‖ 签名类型 ‖ 32 字节 Ed25519 公钥) 的前 4 字节."""
    if len(public_key) != 32:
        raise VerificationError("an Ed25519 public key is 32 bytes")
    return sha256(name.encode("utf-8") + b"\n" + bytes([sig_type]) + public_key)[:4]


@dataclass(frozen=True)
class VerifierKey:
    name: str
    key_id: bytes
    sig_type: int
    public_key: bytes

    def __str__(self) -> str:
        return make_vkey(self.name, self.sig_type, self.public_key)


def make_vkey(name: str, sig_type: int, public_key: bytes) -> str:
    """验证公钥 = 密钥名 + "+" + 密钥编号的 8 位小写十六进制 + "+" + base64(签名类型 ‖ 公钥)."""
    return f"{name}+{key_id(name, sig_type, public_key).hex()}+" \
           f"{base64.b64encode(bytes([sig_type]) + public_key).decode('ascii')}"


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise VerificationError(f"{what} is not standard base64: {text!r}") from exc


def parse_vkey(text: str) -> VerifierKey:
    """Parse ``name+hex8+base64(type ‖ key)``: the name ends at the first '+', the key id at the
    second (the base64 may itself hold '+'); the key id must be the one the key computes."""
    text = text.strip()
    name, sep, rest = text.partition("+")
    hex_id, sep2, b64key = rest.partition("+")
    if not sep or not sep2 or not name:
        raise VerificationError(f"not a verifier key: {text!r}")
    if len(hex_id) != 8 or hex_id != hex_id.lower():
        raise VerificationError(f"a verifier key's id is 8 lowercase hex digits: {hex_id!r}")
    try:
        given = bytes.fromhex(hex_id)
    except ValueError as exc:
        raise VerificationError(f"a verifier key's id is hex: {hex_id!r}") from exc
    raw = _b64(b64key, "a verifier key")
    if len(raw) != 33:
        raise VerificationError("a verifier key holds a type byte and 32 bytes of Ed25519 key")
    sig_type, public = raw[0], raw[1:]
    if sig_type not in (SIG_ED25519, SIG_COSIGNATURE):
        raise VerificationError(f"unknown signature type 0x{sig_type:02x}")
    if key_id(name, sig_type, public) != given:
        raise VerificationError("the verifier key's id is not the one its name and key compute")
    return VerifierKey(name, given, sig_type, public)


# -- the checkpoint note (11.6) -----------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes


@dataclass(frozen=True)
class SignatureLine:
    name: str
    key_id: bytes
    data: bytes  # after the key id: the signature (0x01) or timestamp ‖ signature (0x04)

    def __str__(self) -> str:
        return f"{EM_DASH} {self.name} {base64.b64encode(self.key_id + self.data).decode('ascii')}\n"


@dataclass(frozen=True)
class Note:
    body: bytes  # the three lines, each with its newline: what is signed
    checkpoint: Checkpoint
    signatures: tuple[SignatureLine, ...]

    def text(self) -> str:
        return self.body.decode("utf-8") + "\n" + "".join(str(s) for s in self.signatures)

    def with_signatures(self, *lines: SignatureLine) -> Note:
        return Note(self.body, self.checkpoint, tuple(lines))


def _parse_checkpoint_body(body: str) -> Checkpoint:
    if not body.endswith("\n"):
        raise VerificationError("the checkpoint's body ends with a newline")
    lines = body[:-1].split("\n")
    if len(lines) != 3:
        raise VerificationError(f"the checkpoint's body has three lines, not {len(lines)}")
    origin, size_text, root_text = lines
    if not origin:
        raise VerificationError("the checkpoint has no origin")
    if not size_text.isascii() or not size_text.isdigit() or (len(size_text) > 1 and size_text[0] == "0"):
        raise VerificationError(f"the tree size is decimal with no leading zero: {size_text!r}")
    root = _b64(root_text, "the root hash")
    if len(root) != 32:
        raise VerificationError("the root hash is 32 bytes")
    return Checkpoint(origin, int(size_text), root)


def parse_note(text: str | bytes) -> Note:
    """A signed checkpoint: three body lines, an empty line, one or more signature lines
    ``— name base64(key id ‖ signature)``.  Windows line ends are accepted (11.7)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise VerificationError("the checkpoint is not UTF-8") from exc
    text = text.replace("\r\n", "\n")
    body, sep, rest = text.partition("\n\n")
    if not sep:
        raise VerificationError("the checkpoint has no empty line before its signatures")
    body += "\n"
    checkpoint = _parse_checkpoint_body(body)
    if not rest.endswith("\n"):
        raise VerificationError("each signature line ends with a newline")
    signatures = []
    for line in rest[:-1].split("\n"):
        prefix = EM_DASH + " "
        if not line.startswith(prefix):
            raise VerificationError(f"a signature line starts with '— ': {line!r}")
        parts = line[len(prefix):].split(" ")
        if len(parts) != 2 or not parts[0]:
            raise VerificationError(f"a signature line is '— name base64': {line!r}")
        raw = _b64(parts[1], "a signature")
        if len(raw) < 5:
            raise VerificationError("a signature holds a 4-byte key id and the signature")
        signatures.append(SignatureLine(parts[0], raw[:4], raw[4:]))
    if not signatures:
        raise VerificationError("the checkpoint has no signature")
    return Note(body.encode("utf-8"), checkpoint, tuple(signatures))


def _public(key: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(key)


def _log_key(key: VerifierKey | str | bytes, origin: str) -> VerifierKey:
    if isinstance(key, str):
        key = parse_vkey(key)
    if isinstance(key, (bytes, bytearray)):
        key = VerifierKey(origin, key_id(origin, SIG_ED25519, bytes(key)), SIG_ED25519, bytes(key))
    return key


def verify_log_signature(note: Note, key: VerifierKey | str | bytes) -> None:
    """The log's own signature (11.6): the key's name is the origin, the type 0x01, the signature
    Ed25519 over the three body lines.  Only lines whose name and key id match the key count; at
    least one must be there, and each must verify."""
    vkey = _log_key(key, note.checkpoint.origin)
    if vkey.sig_type != SIG_ED25519:
        raise VerificationError("the log's key is of signature type 0x01")
    if vkey.name != note.checkpoint.origin:
        raise VerificationError(f"the log's key is named {vkey.name!r}, the checkpoint's origin is "
                                f"{note.checkpoint.origin!r}")
    mine = [s for s in note.signatures if s.name == vkey.name and s.key_id == vkey.key_id]
    if not mine:
        raise VerificationError("no signature line of this key")
    for line in mine:
        if len(line.data) != 64:
            raise VerificationError("an Ed25519 signature is 64 bytes")
        try:
            _public(vkey.public_key).verify(line.data, note.body)
        except InvalidSignature as exc:
            raise VerificationError("the log's signature does not verify") from exc


@dataclass(frozen=True)
class Cosignature:
    name: str
    timestamp: int


def cosigned_message(body: bytes, timestamp: int) -> bytes:
    """cosignature/v1 ‖ time <POSIX seconds> ‖ the checkpoint's three body lines."""
    return b"cosignature/v1\ntime " + str(timestamp).encode("ascii") + b"\n" + body


def verify_cosignature(note: Note, key: VerifierKey | str) -> Cosignature:
    """A witness's cosignature (11.8): a line of the witness's name and key id (type 0x04) whose
    data is timestamp (8 bytes big-endian) ‖ Ed25519 signature (64 bytes) over cosigned_message."""
    vkey = parse_vkey(key) if isinstance(key, str) else key
    if vkey.sig_type != SIG_COSIGNATURE:
        raise VerificationError("a witness's key is of signature type 0x04")
    mine = [s for s in note.signatures if s.name == vkey.name and s.key_id == vkey.key_id]
    if not mine:
        raise VerificationError(f"no cosignature of {vkey.name}")
    found = None
    for line in mine:
        if len(line.data) != 8 + 64:
            raise VerificationError("a cosignature is an 8-byte timestamp and a 64-byte signature")
        timestamp, = struct.unpack(">Q", line.data[:8])
        try:
            _public(vkey.public_key).verify(line.data[8:], cosigned_message(note.body, timestamp))
        except InvalidSignature as exc:
            raise VerificationError(f"the cosignature of {vkey.name} does not verify") from exc
        found = Cosignature(vkey.name, timestamp)
    assert found is not None
    return found


# -- inclusion (11.7) ---------------------------------------------------------------------------


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """RFC 9162 2.1.3.2 as 11.7 spells it."""
    if not 0 <= index < size:
        raise VerificationError(f"index {index} is not below the tree size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise VerificationError("the inclusion proof is too long")
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("the inclusion proof is too short")
    if r != root:
        raise VerificationError("the inclusion proof does not lead to the checkpoint's root")


@dataclass(frozen=True)
class InclusionProof:
    extra: bytes | None
    index: int
    hashes: tuple[bytes, ...]
    note: Note

    def entry(self) -> Entry:
        if self.extra is None:
            raise VerificationError("the proof has no extra entry")
        return decode_entry(self.extra)


def _split_proof_and_note(text: str, what: str) -> tuple[list[str], str]:
    text = text.replace("\r\n", "\n")
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise VerificationError(f"the {what} has no empty line before its checkpoint")
    return head.split("\n"), note


def _hash_line(line: str, what: str) -> bytes:
    value = _b64(line, what)
    if len(value) != 32:
        raise VerificationError(f"{what} is 32 bytes")
    return value


def _number(text: str, what: str) -> int:
    if not text.isascii() or not text.isdigit() or (len(text) > 1 and text[0] == "0"):
        raise VerificationError(f"{what} is a decimal number: {text!r}")
    return int(text)


def parse_inclusion_proof(text: str) -> InclusionProof:
    """``c2sp.org/tlog-proof@v1`` / ``extra <base64 entry>`` / ``index <n>`` / hashes /
    empty line / the signed checkpoint."""
    lines, note_text = _split_proof_and_note(text, "inclusion proof")
    if not lines or lines[0] != PROOF_HEADER:
        raise VerificationError(f"an inclusion proof starts with {PROOF_HEADER}")
    at, extra = 1, None
    if at < len(lines) and lines[at].startswith("extra "):
        extra = _b64(lines[at][len("extra "):], "the extra entry")
        at += 1
    if at >= len(lines) or not lines[at].startswith("index "):
        raise VerificationError("the inclusion proof has no index line")
    index = _number(lines[at][len("index "):], "the index")
    hashes = tuple(_hash_line(line, "a proof hash") for line in lines[at + 1:])
    return InclusionProof(extra, index, hashes, parse_note(note_text))


def verify_inclusion_proof(proof: InclusionProof | str, log_key: VerifierKey | str | bytes) -> Entry:
    """The checkpoint signed by the log's key, and the entry (extra) included in its tree at
    index; returns the entry decoded."""
    if isinstance(proof, str):
        proof = parse_inclusion_proof(proof)
    verify_log_signature(proof.note, log_key)
    if proof.extra is None:
        raise VerificationError("the proof has no extra entry to check")
    verify_inclusion(leaf_hash(proof.extra), proof.index, proof.note.checkpoint.size, proof.hashes,
                     proof.note.checkpoint.root)
    return proof.entry()


# -- the leitai-proof/1 bundle (11.7) -------------------------------------------------------------


@dataclass(frozen=True)
class BundleEntry:
    what: str
    what_zh: str
    position: int
    event: Any
    proof: str


@dataclass(frozen=True)
class Bundle:
    round: str
    entrant: str
    size: int
    checkpoint: str
    entries: tuple[BundleEntry, ...]


def parse_bundle(text: str | bytes | dict) -> Bundle:
    data = json.loads(text) if isinstance(text, (str, bytes)) else text
    if not isinstance(data, dict) or data.get("format") != BUNDLE_FORMAT:
        raise VerificationError(f"not a {BUNDLE_FORMAT} file")
    if data.get("kind") != "inclusion":
        raise VerificationError("not an inclusion proof bundle")
    try:
        entries = tuple(BundleEntry(e["what"], e["what_zh"], e["position"], e["event"], e["proof"])
                        for e in data["entries"])
        return Bundle(data["round"], data["entrant"], data["size"], data["checkpoint"], entries)
    except (KeyError, TypeError) as exc:
        raise VerificationError(f"the bundle lacks {exc}") from exc


def _same_head(a: Note, b: Note) -> bool:
    return a.checkpoint == b.checkpoint


def verify_bundle(bundle: Bundle | str | dict, log_key: VerifierKey | str | bytes,
                  checkpoint: Note | str | None = None) -> list[Entry]:
    """Every proof of the bundle verified against the log's key, each leading to the bundle's
    checkpoint (and to ``checkpoint`` when given, e.g. the one printed on the notice); returns
    the entries decoded, in the bundle's order."""
    if not isinstance(bundle, Bundle):
        bundle = parse_bundle(bundle)
    head = parse_note(bundle.checkpoint)
    verify_log_signature(head, log_key)
    if head.checkpoint.size != bundle.size:
        raise VerificationError("the bundle's size is not its checkpoint's")
    if checkpoint is not None:
        given = parse_note(checkpoint) if isinstance(checkpoint, str) else checkpoint
        if not _same_head(head, given):
            raise VerificationError("the bundle's checkpoint is not the given one")
    out = []
    for item in bundle.entries:
        proof = parse_inclusion_proof(item.proof)
        if not _same_head(proof.note, head):
            raise VerificationError(f"the proof of {item.what} leads to another checkpoint")
        entry = verify_inclusion_proof(proof, log_key)
        if entry.position != item.position:
            raise VerificationError(f"the proof of {item.what} is of position {entry.position}, "
                                    f"not {item.position}")
        out.append(entry)
    return out


# -- consistency (11.7) -------------------------------------------------------------------------


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> None:
    """RFC 9162 2.1.4.2 as 11.7 spells it."""
    m, n = old_size, new_size
    if m > n:
        raise VerificationError(f"the old size {m} is larger than the new size {n}")
    if m == n:
        if proof:
            raise VerificationError("a proof between equal sizes is empty")
        if old_root != new_root:
            raise VerificationError("two heads of the same size have different roots")
        return
    if m == 0:
        if proof:
            raise VerificationError("a proof from the empty tree is empty")
        return
    if not proof:
        raise VerificationError("the consistency proof is empty")
    path = list(proof)
    if m & (m - 1) == 0:
        path.insert(0, old_root)
    fn, sn = m - 1, n - 1
    while fn % 2 == 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise VerificationError("the consistency proof is too long")
        if fn % 2 == 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("the consistency proof is too short")
    if fr != old_root:
        raise VerificationError("the consistency proof does not lead to the old root")
    if sr != new_root:
        raise VerificationError("the consistency proof does not lead to the new root")


@dataclass(frozen=True)
class ConsistencyProof:
    old: int
    hashes: tuple[bytes, ...]
    note: Note


def parse_consistency_proof(text: str) -> ConsistencyProof:
    """``old <size>`` / hashes / empty line / the new signed checkpoint."""
    lines, note_text = _split_proof_and_note(text, "consistency proof")
    if not lines or not lines[0].startswith("old "):
        raise VerificationError("a consistency proof starts with 'old <size>'")
    old = _number(lines[0][len("old "):], "the old size")
    hashes = tuple(_hash_line(line, "a proof hash") for line in lines[1:])
    return ConsistencyProof(old, hashes, parse_note(note_text))


def verify_consistency_proof(proof: ConsistencyProof | str, old: Note | str,
                             log_key: VerifierKey | str | bytes) -> Note:
    """The new head (signed by the log's key) extends the old head (signed by it too) unchanged:
    same origin, the proof's old size is the old head's, and the proof verifies; returns the
    new head."""
    if isinstance(proof, str):
        proof = parse_consistency_proof(proof)
    old_note = parse_note(old) if isinstance(old, str) else old
    verify_log_signature(old_note, log_key)
    verify_log_signature(proof.note, log_key)
    if old_note.checkpoint.origin != proof.note.checkpoint.origin:
        raise VerificationError("the two heads are of different logs")
    if proof.old != old_note.checkpoint.size:
        raise VerificationError(f"the proof is from size {proof.old}, the old head's is {old_note.checkpoint.size}")
    verify_consistency(proof.old, proof.note.checkpoint.size, old_note.checkpoint.root, proof.note.checkpoint.root,
                       proof.hashes)
    return proof.note


# -- proofs from scratch (11.7's definitions), to check the checks ------------------------------------


def inclusion_path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) over leaf hashes (RFC 9162 2.1.3.1 as 11.7 writes it)."""
    n = len(leaves)
    if n <= 1:
        return []
    k = _largest_power_of_two_below(n)
    if m < k:
        return inclusion_path(m, leaves[:k]) + [mth_of_leaves(leaves[k:])]
    return inclusion_path(m - k, leaves[k:]) + [mth_of_leaves(leaves[:k])]


def consistency_path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true) over leaf hashes (RFC 9162 2.1.4.1 as 11.7 writes it)."""
    def subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
        n = len(d)
        if m == n:
            return [] if b else [mth_of_leaves(d)]
        k = _largest_power_of_two_below(n)
        if m <= k:
            return subproof(m, d[:k], b) + [mth_of_leaves(d[k:])]
        return subproof(m - k, d[k:], False) + [mth_of_leaves(d[:k])]

    if not 0 < m <= len(leaves):
        return []
    return subproof(m, leaves, True)
