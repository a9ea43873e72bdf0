"""Ed25519 signatures of signed notes: the log's signature of a checkpoint and a witness's
cosignature (the text formats are in :mod:`domain.checkpoint`).

``verify_note`` follows the signed-note rules: signatures from keys not given are ignored;
a signature whose name and key id match a given key must verify, or the note is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from domain.checkpoint import COSIGNATURE, ED25519, Note, Signature, VerifierKey, cosigned_message, key_id


def raw_public(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def sign_note(private: Ed25519PrivateKey, name: str, text: str) -> Signature:
    """The log's signature line (type 0x01) over the note text."""
    return Signature(name, key_id(name, ED25519, raw_public(private)), private.sign(text.encode("utf-8")))


def cosign(private: Ed25519PrivateKey, name: str, text: str, timestamp: int) -> Signature:
    """A witness's cosignature (type 0x04, cosignature/v1) over the note text at ``timestamp``."""
    signature = private.sign(cosigned_message(text, timestamp))
    return Signature(name, key_id(name, COSIGNATURE, raw_public(private)), timestamp.to_bytes(8, "big") + signature)


def signature_valid(key: VerifierKey, text: str, signature: Signature) -> bool:
    if not key.matches(signature):
        return False
    public = Ed25519PublicKey.from_public_bytes(key.public)
    try:
        if key.kind == ED25519:
            if len(signature.data) != 64:
                return False
            public.verify(signature.data, text.encode("utf-8"))
        else:
            if len(signature.data) != 72:
                return False
            timestamp = int.from_bytes(signature.data[:8], "big")
            if timestamp >= 2**63:
                return False
            public.verify(signature.data[8:], cosigned_message(text, timestamp))
    except InvalidSignature:
        return False
    return True


@dataclass
class NoteCheck:
    """Which of the given keys signed the note, and which matched but did not verify."""

    signed: list[VerifierKey] = field(default_factory=list)
    bad: list[VerifierKey] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.signed) and not self.bad


def verify_note(note: Note, keys: Sequence[VerifierKey]) -> NoteCheck:
    check = NoteCheck()
    for key in keys:
        mine = [s for s in note.signatures if key.matches(s)]
        if not mine:
            continue
        if all(signature_valid(key, note.text, s) for s in mine):
            if key not in check.signed:
                check.signed.append(key)
        elif key not in check.bad:
            check.bad.append(key)
    return check


def log_key(origin: str, public: bytes) -> VerifierKey:
    """The log's verifier key: its key name is the log's origin."""
    return VerifierKey(origin, ED25519, public)
