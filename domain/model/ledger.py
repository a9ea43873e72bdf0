"""The Ledger aggregate: the deployment's signed heads of its log, and its witnesses.

* ``TreeHeadSigned``: after a batch of commands that sealed, published, republished,
  finalized or re-ranked a round is saved (and on demand, ``leitai checkpoint``), the
  deployment's signer signs the head of the log's Merkle tree - a C2SP checkpoint note,
  see :mod:`domain.checkpoint` - and it is recorded here, with what it was signed for.
* ``HeadCosigned``: a witness's cosignature of a recorded head, as the witness sent it
  (its signature is checked before it is recorded, and again by ``leitai verify``).
* ``WitnessRegistered`` / ``WitnessRemoved``: whose cosignatures the deployment accepts.
* ``CheckpointSigned``: what earlier versions signed instead of tree heads, the link of the
  hash chain at a position (:mod:`domain.chain`); no longer recorded, still verified.
"""

from __future__ import annotations

from typing import Any

from domain.errors import InvalidValue
from domain.ids import ledger_id
from domain.model.base import Actor, LeitaiAggregate, require_reason


class Ledger(LeitaiAggregate):
    class Started(LeitaiAggregate.Created):
        pass

    class CheckpointSigned(LeitaiAggregate.Event):
        position: int  # the log position whose chain link is signed
        head: str  # that link, hex
        signature: str  # Ed25519 signature of domain.chain.checkpoint_message(position, head), hex
        public_key: str  # the signing key's public half, hex
        fingerprint: str
        reasons: list[str]  # what the checkpoint is for: "R-GL-2025-05 Closed", ...

        def evolve(self, ledger: Ledger) -> None:
            ledger.checkpoints.append({"position": self.position, "head": self.head, "signature": self.signature,
                                       "key": self.public_key, "fingerprint": self.fingerprint,
                                       "reasons": list(self.reasons), "seq": self.originator_version})

    class TreeHeadSigned(LeitaiAggregate.Event):
        size: int  # how many events (leaves) the head covers
        root: str  # the root hash, base64
        note: str  # the whole signed note: checkpoint text, blank line, the log's signature line
        vkey: str  # the log's verifier key (origin+key id+key): who signed, for a reader without a key
        reasons: list[str]  # "R-GL-2025-05 Closed", ..., or "on demand"

        def evolve(self, ledger: Ledger) -> None:
            ledger.heads.append({"size": self.size, "root": self.root, "note": self.note, "vkey": self.vkey,
                                 "reasons": list(self.reasons), "seq": self.originator_version})

    class HeadCosigned(LeitaiAggregate.Event):
        size: int
        root: str
        witness: str  # the witness's key name
        signature: str  # its signature line ("— name base64\n"), exactly as sent

        def evolve(self, ledger: Ledger) -> None:
            ledger.cosignatures.setdefault(self.size, []).append(
                {"root": self.root, "witness": self.witness, "signature": self.signature,
                 "seq": self.originator_version})

    class WitnessRegistered(LeitaiAggregate.Event):
        name: str
        vkey: str  # NAME+KEYID+base64(0x04 || key)
        reason: str

        def evolve(self, ledger: Ledger) -> None:
            ledger.witnesses[self.name] = self.vkey

    class WitnessRemoved(LeitaiAggregate.Event):
        name: str
        reason: str

        def evolve(self, ledger: Ledger) -> None:
            ledger.witnesses.pop(self.name, None)

    def __init__(self) -> None:
        super().__init__()
        self.checkpoints: list[dict[str, Any]] = []
        self.heads: list[dict[str, Any]] = []
        self.cosignatures: dict[int, list[dict[str, Any]]] = {}
        self.witnesses: dict[str, str] = {}

    @classmethod
    def start(cls, by: Actor) -> Ledger:
        return cls._start(cls.Started, ledger_id(), by, None)

    def checkpoint(self, position: int, head: str, signature: str, public_key: str, fingerprint: str,
                   reasons: list[str], by: Actor) -> None:
        if any(c["position"] == position for c in self.checkpoints):
            return
        self._record(self.CheckpointSigned, by, None, position=position, head=head, signature=signature,
                     public_key=public_key, fingerprint=fingerprint, reasons=list(reasons))

    def tree_head(self, size: int, root: str, note: str, vkey: str, reasons: list[str], by: Actor) -> bool:
        """Record a signed head; a head of a size already recorded with the same root is not
        recorded twice (its reasons are the earlier ones')."""
        if any(h["size"] == size and h["root"] == root for h in self.heads):
            return False
        self._record(self.TreeHeadSigned, by, None, size=size, root=root, note=note, vkey=vkey,
                     reasons=list(reasons))
        return True

    def head(self, size: int) -> dict[str, Any] | None:
        return next((h for h in reversed(self.heads) if h["size"] == size), None)

    def cosign(self, size: int, root: str, witness: str, signature: str, by: Actor) -> bool:
        """Record a (checked) cosignature of the recorded head of ``size``: one per witness and
        head (a witness that pulls again signs the same head with a later time; the first is kept,
        so no witness can grow the log by sending cosignatures over and over)."""
        head = self.head(size)
        if head is None or head["root"] != root:
            raise InvalidValue("checkpoint", f"{size} {root}", "the deployment signed no such tree head",
                               "本系统没有签署过这个树头")
        if witness not in self.witnesses:
            raise InvalidValue("witness", witness, "no witness of that name is registered", "没有登记该名称的见证方")
        if any(c["witness"] == witness and c["root"] == root for c in self.cosignatures.get(size, [])):
            return False
        self._record(self.HeadCosigned, by, None, size=size, root=root, witness=witness, signature=signature)
        return True

    def register_witness(self, name: str, vkey: str, reason: str, by: Actor) -> bool:
        reason = require_reason(reason, "register a witness", "登记见证方")
        if self.witnesses.get(name) == vkey:
            return False
        self._record(self.WitnessRegistered, by, None, name=name, vkey=vkey, reason=reason)
        return True

    def remove_witness(self, name: str, reason: str, by: Actor) -> bool:
        reason = require_reason(reason, "remove a witness", "取消见证方")
        if name not in self.witnesses:
            return False
        self._record(self.WitnessRemoved, by, None, name=name, reason=reason)
        return True
