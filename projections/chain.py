"""Checking the hash chain and its signed checkpoints (see :mod:`domain.chain`).

``check_chain`` recomputes the link of every event from its stored bytes, in log order,
and compares it with the link stored beside it (or written in an export); the first
event whose link does not follow is named - it, or something before it, was changed,
removed or reordered.  ``check_checkpoints`` verifies each recorded checkpoint's
Ed25519 signature and that the recomputed link at its position is the signed one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from domain.chain import GENESIS, fingerprint, link

ChainRow = tuple[int, Any, int, Any, Any, Any]  # position, aggregate key, version, topic, state, stored link


@dataclass
class ChainReport:
    events: int = 0
    head: bytes = GENESIS
    position: int = 0
    links: dict[int, bytes] = field(default_factory=dict)  # recomputed link at each checkpoint position asked for
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (position, english, chinese)


def aggregate_bytes(key: Any) -> bytes:
    if isinstance(key, UUID):
        return key.bytes
    if isinstance(key, (bytes, bytearray, memoryview)):
        return bytes(key)
    return UUID(hex=str(key)).bytes


def as_bytes(value: Any) -> bytes:
    if value is None:
        return b""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return bytes(value)


def check_chain(rows: Iterable[ChainRow], keep: Sequence[int] = (), limit: int = 20) -> ChainReport:
    """Recompute the chain over ``rows`` (in log order); report the first breaks."""
    report = ChainReport()
    wanted = set(keep)
    previous = GENESIS
    broken = False
    for position, key, version, topic, state, stored in rows:
        report.events += 1
        try:
            previous = link(previous, position, aggregate_bytes(key), version, as_bytes(topic), as_bytes(state))
        except (ValueError, TypeError, OverflowError):
            report.problems.append((position, f"the event at position {position} cannot be read",
                                    f"位置 {position} 的事件无法读取"))
            continue
        if position in wanted:
            report.links[position] = previous
        if stored is None:
            if len(report.problems) < limit:
                report.problems.append((position, f"the event at position {position} (version {version}) has no "
                                        "chain link: it was not recorded through Leitai",
                                        f"位置 {position} 的事件（版本 {version}）没有哈希链记录：它不是通过擂台系统登记的"))
            broken = True
            continue
        if bytes(stored) != previous and not broken:
            report.problems.append((position, f"the chain breaks at position {position} (aggregate "
                                    f"{_key_text(key)}, version {version}): this event, or one before it, was "
                                    "changed, removed or reordered",
                                    f"哈希链在位置 {position} 处断开（记录 {_key_text(key)}，版本 {version}）：该事件或其之前的"
                                    "事件被修改、删除或调换了顺序"))
            broken = True  # later links follow from the stored ones no more; the first break is what counts
        report.head, report.position = previous, position
    return report


def check_checkpoints(checkpoints: list[dict[str, Any]], links: dict[int, bytes], keys: Sequence[bytes],
                      verify_signature: Any) -> list[tuple[int, str, str]]:
    """Each checkpoint: signed by one of ``keys`` (or, with no keys given, by the key it
    names) and equal to the recomputed link at its position."""
    problems = []
    for c in checkpoints:
        position, head = c["position"], c["head"]
        try:
            named = bytes.fromhex(c["key"])
        except (ValueError, TypeError):
            named = b""
        trusted = list(keys) or [named]
        if not any(verify_signature(key, position, head, c["signature"]) for key in trusted):
            problems.append((position, f"the checkpoint at position {position} is not signed by "
                             + ("the given key" if keys else "the key it names"),
                             f"位置 {position} 的检查点签名无效（" + ("与给定公钥不符" if keys else "与其所附公钥不符") + "）"))
            continue
        recomputed = links.get(position)
        if recomputed is None:
            problems.append((position, f"the checkpoint at position {position} signs an event that is not there",
                             f"位置 {position} 的检查点所签署的事件不存在"))
        elif recomputed.hex() != head:
            problems.append((position, f"the history up to position {position} differs from what its checkpoint "
                             f"signed (signed {head[:16]}…, now {recomputed.hex()[:16]}…)",
                             f"截至位置 {position} 的历史记录与检查点签署时不同（签署时 {head[:16]}…，现在 {recomputed.hex()[:16]}…）"))
    return problems


def key_fingerprints(keys: Sequence[bytes]) -> list[str]:
    return [fingerprint(k) for k in keys]


def _key_text(key: Any) -> str:
    try:
        return str(UUID(bytes=aggregate_bytes(key)))
    except (ValueError, TypeError):
        return str(key)[:40]
