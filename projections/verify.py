"""Verification: do the recorded events still give the published results and seals?

For every closed round (or the one asked for) the results are recomputed from its
events with the rule set it records, and the seal is recomputed from the same events;
both are compared with what the round recorded when it was closed, re-sealed or
finalized, and - when a database is at hand - with the ranking the read side serves.

``export_events`` writes the event history as NDJSON (one event per line, then one
line per sealed round); ``verify_export`` runs the same checks on such a file alone,
so an auditor can verify offline with nothing but the file and Leitai.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson

from domain.model.round_events import CLOSED, FINAL, PUBLISHED
from domain.rules.seal import canonical_json
from projections.compute import Computer
from projections.fold import Folder, bulk
from projections.ranking_json import ranking_document
from projections.source import EventSource

FORMAT = "leitai-events/1"


@dataclass
class Finding:
    round: str
    check: str  # "seal" | "results" | "read_model" | "export_seal"
    expected: Any
    found: Any
    detail: str = ""


@dataclass
class VerifyReport:
    rounds: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    events: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings


def verify_folder(folder: Folder, only: str | None = None, served: dict[str, dict[str, Any]] | None = None) -> VerifyReport:
    with bulk():
        return _verify_folder(folder, only, served)


def _verify_folder(folder: Folder, only: str | None, served: dict[str, dict[str, Any]] | None) -> VerifyReport:
    report = VerifyReport(events=folder.events)
    computer = Computer(folder)
    for code in sorted(folder.rounds):
        rnd = folder.rounds[code]
        if (only and code != only) or rnd.status not in (CLOSED, PUBLISHED, FINAL):
            continue
        report.rounds.append(code)
        result, linked = computer.result(code)
        seal = rnd.seal_for(linked)
        if seal != rnd.seal:
            changed = [f"{c} (now {l.seal})" for c, l in linked.items()]
            report.findings.append(Finding(code, "seal", rnd.seal, seal,
                                           "the events no longer give the recorded seal"
                                           + (f"; linked rounds: {', '.join(changed)}" if changed else "")))
        recomputed = result.compact()
        if recomputed != rnd.results:
            report.findings.append(Finding(code, "results", rnd.results, recomputed, _first_difference(
                rnd.results or [], recomputed)))
        if served is not None and code in served:
            expected = ranking_document(rnd, result)
            if served[code] != expected:
                report.findings.append(Finding(code, "read_model", expected, served[code],
                                               "the read side serves a different ranking"))
    return report


def _first_difference(recorded: list[dict[str, Any]], recomputed: list[dict[str, Any]]) -> str:
    for a, b in zip(recorded, recomputed):
        if a != b:
            keys = [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
            return f"{a.get('entrant')}: " + ", ".join(f"{k} recorded {a.get(k)!r}, recomputed {b.get(k)!r}"
                                                       for k in keys)
    return f"{len(recorded)} recorded rows, {len(recomputed)} recomputed"


def fold_store(source: EventSource) -> Folder:
    folder = Folder()
    with bulk():
        for rows in source.scan():
            folder.apply_rows(rows)
    folder.take_dirty()
    return folder


# -- export --------------------------------------------------------------------------------


def export_events(source: EventSource, path: Path) -> tuple[int, int]:
    """Write every event and the seals as NDJSON; returns (events, sealed rounds)."""
    folder = Folder()
    count = 0
    digest = hashlib.sha256()
    with path.open("w", encoding="utf-8") as out:
        last = source.last_position()
        header = {"format": FORMAT, "exported_at": datetime.now(timezone.utc).isoformat(), "last_position": last}
        out.write(json.dumps(header, ensure_ascii=False) + "\n")
        for rows in source.scan(0, last):
            for position, key, version, topic, state in rows:
                payload = orjson.loads(state)
                line = orjson.dumps({"position": position, "aggregate": str(_uuid(key)), "version": version,
                                     "topic": topic, "event": payload}).decode()
                digest.update(line.encode("utf-8"))
                out.write(line + "\n")
                folder.apply(position, key, version, topic, payload)
                count += 1
        sealed = 0
        for code in sorted(folder.rounds):
            rnd = folder.rounds[code]
            if rnd.seal:
                out.write(json.dumps({"seal": {"round": code, "status": rnd.status, "seal": rnd.seal,
                                               "results": canonical_json(rnd.results)}}, ensure_ascii=False) + "\n")
                sealed += 1
        out.write(json.dumps({"end": {"events": count, "sha256": digest.hexdigest()}}) + "\n")
    return count, sealed


def _uuid(key: Any) -> UUID:
    """An aggregate key as its UUID: raw bytes on PostgreSQL, hex text on SQLite."""
    if isinstance(key, UUID):
        return key
    if isinstance(key, (bytes, bytearray, memoryview)):
        return UUID(bytes=bytes(key))
    return UUID(hex=str(key))


def read_export(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield orjson.loads(line)
                except orjson.JSONDecodeError:
                    raise ValueError(f"{path.name} line {number} is not JSON") from None


def verify_export(path: Path, only: str | None = None) -> VerifyReport:
    """The checks of ``verify`` on an export file, with no database."""
    folder = Folder()
    seals: dict[str, str] = {}
    digest = hashlib.sha256()
    end: dict[str, Any] | None = None
    lines = read_export(path)
    header = next(lines, None)
    if not header or header.get("format") != FORMAT:
        raise ValueError(f"{path.name} is not a Leitai event export ({FORMAT})")
    for item in lines:
        if "event" in item:
            digest.update(orjson.dumps(item))
            folder.apply(item["position"], item["aggregate"], item["version"], item["topic"], item["event"])
        elif "seal" in item:
            seals[item["seal"]["round"]] = item["seal"]["seal"]
        elif "end" in item:
            end = item["end"]
    folder.take_dirty()
    report = verify_folder(folder, only)
    for code, listed in sorted(seals.items()):
        rnd = folder.rounds.get(code)
        if rnd is not None and rnd.seal != listed and (not only or code == only):
            report.findings.append(Finding(code, "export_seal", listed, rnd.seal,
                                           "the seal listed in the export differs from the one its events record"))
    if end is None or end.get("events") != folder.events or end.get("sha256") != digest.hexdigest():
        report.findings.append(Finding("*", "export", end, {"events": folder.events, "sha256": digest.hexdigest()},
                                       "the export is incomplete or its event lines were changed"))
    return report
