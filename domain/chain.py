"""The hash chain over the event log, and the checkpoint message that signs it.

Every recorded event, in log order, gets a link:

    link(n) = SHA-256( link(n-1)                      32 bytes; before the first event, 32 zero bytes
                     || position                      8 bytes, big-endian
                     || aggregate id                  16 bytes
                     || version                       8 bytes, big-endian
                     || len(topic) || topic           4 bytes big-endian length, UTF-8
                     || len(state) || state )         4 bytes big-endian length, the stored JSON bytes

so a link depends on every byte of its event (actor, time and reason included) and on
every event before it.  The store writes the links beside the events when they are
inserted (migrations); ``leitai verify`` recomputes them.  An edit of any byte, a
deleted or reordered event changes the link of that event and of every later one.

Whoever can rewrite the whole table could recompute the links too; so at each seal,
publication and finalization the deployment signs the link at that position with its
Ed25519 key (a checkpoint, recorded as an event and printed on the publicity notice and
the score sheet).  The signed message is :func:`checkpoint_message`.
"""

from __future__ import annotations

import hashlib
from uuid import UUID

GENESIS = bytes(32)
CHECKPOINT_FORMAT = "leitai-checkpoint/1"


def link(previous: bytes, position: int, aggregate: UUID | bytes, version: int, topic: str | bytes,
         state: bytes) -> bytes:
    topic_bytes = topic.encode("utf-8") if isinstance(topic, str) else topic
    aggregate_bytes = aggregate.bytes if isinstance(aggregate, UUID) else bytes(aggregate)
    h = hashlib.sha256(previous)
    h.update(position.to_bytes(8, "big", signed=True))
    h.update(aggregate_bytes)
    h.update(version.to_bytes(8, "big", signed=True))
    h.update(len(topic_bytes).to_bytes(4, "big"))
    h.update(topic_bytes)
    h.update(len(state).to_bytes(4, "big"))
    h.update(state)
    return h.digest()


def checkpoint_message(position: int, head: bytes | str) -> bytes:
    """What a checkpoint signs: the format, the position and the link there."""
    head_hex = head if isinstance(head, str) else head.hex()
    return f"{CHECKPOINT_FORMAT}\n{position}\n{head_hex}\n".encode("ascii")


def fingerprint(public_key: bytes) -> str:
    """A short name for a public key, to print and compare: 4 groups of 4 hex digits."""
    digest = hashlib.sha256(public_key).hexdigest()[:16].upper()
    return " ".join(digest[i:i + 4] for i in range(0, 16, 4))
