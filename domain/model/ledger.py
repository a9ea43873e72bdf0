"""The Ledger aggregate: the signed checkpoints of the deployment's hash chain.

After a batch of commands that sealed, published, republished, finalized or re-ranked
a round is saved, the application signs the chain link at the batch's last event with
the deployment's key and records it here (see :mod:`domain.chain`).
"""

from __future__ import annotations

from typing import Any

from domain.ids import ledger_id
from domain.model.base import Actor, LeitaiAggregate


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

    def __init__(self) -> None:
        super().__init__()
        self.checkpoints: list[dict[str, Any]] = []

    @classmethod
    def start(cls, by: Actor) -> Ledger:
        return cls._start(cls.Started, ledger_id(), by, None)

    def checkpoint(self, position: int, head: str, signature: str, public_key: str, fingerprint: str,
                   reasons: list[str], by: Actor) -> None:
        if any(c["position"] == position for c in self.checkpoints):
            return
        self._record(self.CheckpointSigned, by, None, position=position, head=head, signature=signature,
                     public_key=public_key, fingerprint=fingerprint, reasons=list(reasons))
