"""Signed tree heads as text: checkpoints (C2SP tlog-checkpoint) in signed notes (C2SP
signed-note), and witnesses' cosignatures (C2SP tlog-cosignature, Ed25519 ``cosignature/v1``).

A checkpoint's note text is three lines, each ending in a newline::

    leitai/wushen/5f3a9c0e2b71      the origin: which log (stable, one per database)
    1304                            the tree size: how many events the head covers
    CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=     the root hash (base64)

then an empty line, then one signature line per signer::

    — <key name> base64(key id (4 bytes) || signature)

The log signs the note text with Ed25519 (signature type 0x01) under the key name = the
origin; a witness cosigns with type 0x04, whose signature is an 8-byte big-endian POSIX
timestamp followed by the Ed25519 signature of ``cosignature/v1\\ntime <t>\\n`` + the note
text.  A key id is the first four bytes of SHA-256(key name || 0x0A || type || public key).
A verifier key ("vkey") is written ``<name>+<key id, 8 hex digits>+base64(type || key)``.

This module only reads and writes the text (strictly: a damaged note is refused with the
reason); the signatures themselves are made and checked in :mod:`eventstore.keys`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

ED25519 = 0x01  # the log's own signature
COSIGNATURE = 0x04  # a witness's timestamped cosignature (cosignature/v1)
DASH = "\u2014"
# what a person typing a signature line from paper may use for its em dash (the signature
# lines are not signed themselves: reading them as the dash changes nothing a signature covers)
TYPED_DASHES = ("\u2014", "\u2014\u2014", "--", "-", "\u2015", "\u2015\u2015", "\uff0d", "\uff0d\uff0d", "\u2013")
MAX_NOTE = 16_384  # bytes: a head with dozens of cosignatures fits
MAX_SIGNATURES = 64
NAME = re.compile(r"[^\s+\u2014]{1,200}")  # a key name: no spaces, no '+'
ORIGIN_PREFIX = "leitai/"


class NoteError(ValueError):
    """A note, checkpoint or key that is not well formed; ``zh`` says the same in Chinese."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str, what: str, what_zh: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise NoteError(f"{what} is not base64", f"{what_zh}不是 base64 编码") from None


def key_id(name: str, kind: int, public: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([kind]) + public).digest()[:4]


def check_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise NoteError(f"{name[:60]!r} is not a key name (no spaces or '+', at most 200 characters)",
                        f"{name[:60]!r} 不是有效的密钥名（不能含空格或“+”，最多 200 个字符）")
    return name


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{b64(self.root)}\n"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "" or any(not line for line in lines[:-1]):
            raise NoteError("a checkpoint is at least three non-empty lines, each ending in a newline",
                            "检查点应至少有三行非空文本，每行以换行结束")
        origin, size, root = lines[0], lines[1], lines[2]
        if not re.fullmatch(r"0|[1-9][0-9]{0,18}", size):
            raise NoteError(f"the tree size {size[:30]!r} is not a whole number", f"树大小 {size[:30]!r} 不是整数")
        digest = unb64(root, "the root hash", "根哈希")
        if len(digest) != 32:
            raise NoteError("the root hash is not 32 bytes", "根哈希长度不是 32 字节")
        return cls(origin, int(size), digest)


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes  # 4 bytes
    data: bytes  # what follows the key id: the signature (and, for a cosignature, its timestamp first)

    def line(self) -> str:
        return f"{DASH} {self.name} {b64(self.key_id + self.data)}\n"

    @classmethod
    def parse(cls, line: str, number: int = 1) -> Signature:
        """One signature line ("— name base64", the newline optional)."""
        parts = line.rstrip("\n").split()
        if len(parts) == 3 and parts[0] in TYPED_DASHES:  # typed from paper: "--", "——", "－－" ...
            parts[0] = DASH
        if len(parts) != 3 or parts[0] != DASH:
            raise NoteError(f"signature line {number} is not '— name signature'",
                            f"第 {number} 个签名行格式不是“— 名称 签名”")
        name = check_name(parts[1])
        data = unb64(parts[2], f"signature line {number}", f"第 {number} 个签名行")
        if len(data) < 5:
            raise NoteError(f"signature line {number} is too short", f"第 {number} 个签名行太短")
        return cls(name, data[:4], data[4:])

    @property
    def timestamp(self) -> int | None:
        """A cosignature's time (POSIX seconds), if the data has the cosignature's length."""
        return int.from_bytes(self.data[:8], "big") if len(self.data) == 72 else None


@dataclass(frozen=True)
class Note:
    text: str  # the signed text, ending in a newline
    signatures: tuple[Signature, ...] = ()

    def __str__(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)

    @property
    def checkpoint(self) -> Checkpoint:
        return Checkpoint.parse(self.text)

    def with_signatures(self, *more: Signature) -> Note:
        """The same note with more signature lines (each line once)."""
        lines = {s.line() for s in self.signatures}
        added = tuple(s for s in more if s.line() not in lines)
        return Note(self.text, self.signatures + added)

    @classmethod
    def parse(cls, raw: str | bytes) -> Note:
        if isinstance(raw, bytes):
            if len(raw) > MAX_NOTE:
                raise NoteError(f"a note is at most {MAX_NOTE} bytes", f"签名文本最多 {MAX_NOTE} 字节")
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise NoteError("the note is not UTF-8 text", "签名文本不是 UTF-8 编码") from None
        raw = raw.replace("\r\n", "\n")  # typed or saved on Windows
        if len(raw.encode("utf-8")) > MAX_NOTE:
            raise NoteError(f"a note is at most {MAX_NOTE} bytes", f"签名文本最多 {MAX_NOTE} 字节")
        if any(ord(c) < 0x20 and c != "\n" for c in raw):
            raise NoteError("the note holds control characters", "签名文本含有控制字符")
        if not raw.endswith("\n"):
            raw += "\n"
        split = raw.rfind("\n\n")
        if split < 0:
            raise NoteError("the note has no empty line before its signatures", "签名文本在签名行之前缺少空行")
        text, lines = raw[:split + 1], raw[split + 2:].split("\n")[:-1]
        if not lines:
            raise NoteError("the note has no signature", "签名文本没有签名行")
        if len(lines) > MAX_SIGNATURES:
            raise NoteError(f"the note has more than {MAX_SIGNATURES} signatures",
                            f"签名文本的签名超过 {MAX_SIGNATURES} 个")
        return cls(text, tuple(Signature.parse(line, number) for number, line in enumerate(lines, 1)))


@dataclass(frozen=True)
class VerifierKey:
    name: str
    kind: int  # ED25519 (a log) or COSIGNATURE (a witness)
    public: bytes  # 32 bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.kind, self.public)

    def __str__(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{b64(bytes([self.kind]) + self.public)}"

    def matches(self, signature: Signature) -> bool:
        return signature.name == self.name and signature.key_id == self.key_id

    @classmethod
    def parse(cls, text: str) -> VerifierKey:
        parts = text.strip().split("+", 2)  # the key's base64 may hold '+' too; a name never does
        if len(parts) != 3 or not re.fullmatch(r"[0-9a-f]{8}", parts[1]):
            raise NoteError("a verifier key is written NAME+KEYID+KEY (KEYID 8 hex digits)",
                            "验证公钥的格式应为 名称+8位十六进制密钥编号+公钥")
        name = check_name(parts[0])
        data = unb64(parts[2], "the verifier key", "验证公钥")
        if len(data) != 33 or data[0] not in (ED25519, COSIGNATURE):
            raise NoteError("the verifier key is not an Ed25519 key (type 01 or 04)",
                            "验证公钥不是 Ed25519 公钥（类型 01 或 04）")
        key = cls(name, data[0], data[1:])
        if key.key_id.hex() != parts[1]:
            raise NoteError("the verifier key's id does not match its name and key",
                            "验证公钥的编号与其名称和公钥不符")
        return key


def cosigned_message(text: str, timestamp: int) -> bytes:
    """What a witness signs (cosignature/v1): a header, the time, then the note text."""
    return f"cosignature/v1\ntime {timestamp}\n".encode("ascii") + text.encode("utf-8")


def origin_for(name: str, token: str) -> str:
    """A log's origin: ``leitai/<name>/<token>`` with the name reduced to [a-z0-9._-]."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-")[:40] or "log"
    return f"{ORIGIN_PREFIX}{slug}/{token}"
