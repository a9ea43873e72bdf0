"""Verification: is the history intact, and do its events still give the published results?

Three layers, each reported as findings (English and Chinese):

* the hash chain over every event (actor, time, reasons, names included) and the signed
  checkpoints recorded at each seal, publication and finalization (:mod:`projections.chain`):
  any edited byte, removed or reordered event is found, and the first event that breaks
  is named;
* every closed round is recomputed from its events with the rule set it records, and the
  seal and results are compared with what the round recorded when it was closed,
  re-sealed or finalized - and, when a database is at hand, with what the read side serves;
* events the read side could not apply (quarantined) are findings too.

``export_events`` writes the history as NDJSON: every event with its exact stored bytes
and its chain link, one line per sealed round with its seal and results, a signature of
the chain head, and a closing count; ``verify_export`` runs the same checks on such a
file alone, so an auditor can verify offline with the file, Leitai and the deployment's
public key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson

from domain.chain import fingerprint
from domain.checkpoint import Note, NoteError, Signature, VerifierKey, b64
from domain.model.round_events import CLOSED, FINAL, PUBLISHED
from domain.model.round_publicity import withdrawn_by_revision
from domain.rules.seal import canonical_json
from projections.chain import ChainReport, as_bytes, check_chain, check_checkpoints
from projections.compute import Computer
from projections.fold import Folder, bulk
from projections.ranking_json import ranking_document
from projections.source import EventSource
from projections.tlog import (LogTree, Problem, check_coverage, check_heads, check_held_heads, check_stored_tree,
                              parse_held, trusted_log_keys)
from eventstore.notes import verify_note
from eventstore.tree import TreeStore

FORMAT = "leitai-events/3"
LEGACY_FORMAT = "leitai-events/2"  # before the Merkle tree: chain checkpoints and a signed chain head
MAX_LINE = 8_000_000  # bytes: an event is at most 2 MB (migrations), escaped in JSON


@dataclass
class Finding:
    round: str  # a round code, or "*" for the history as a whole
    # seal | results | finalists | read_model | credentials | quarantine | chain | checkpoint | export_seal |
    # export_results | export | tree | head | coverage | held | witness | cosignature
    check: str
    expected: Any
    found: Any
    detail: str = ""
    detail_zh: str = ""


@dataclass
class VerifyReport:
    rounds: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    events: int = 0
    checkpoints: int = 0  # how many signed checkpoints were checked
    covered: int = 0  # the last position a valid checkpoint covers
    last: int = 0  # the log's last position
    head: str = ""  # the recomputed chain head
    keys: list[str] = field(default_factory=list)  # fingerprints of the keys the checkpoints were checked with
    key_confirmed: bool = False  # checked with a key given from outside the history (not one it names)
    key_source: str = "recorded"  # "given" (by the auditor), "deployment" (this machine's key), "recorded"
    origin: str | None = None  # the log's origin (the name its signed tree heads carry)
    tree_size: int = 0  # events in the log's Merkle tree as recomputed
    root: str = ""  # its root hash, base64
    heads: int = 0  # signed tree heads recorded in the log, each checked
    held: int = 0  # heads held from outside (a notice, a witness, the signer's state) checked against the log
    witnesses: list[str] = field(default_factory=list)  # witnesses whose cosignatures were required
    quorum: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "rounds": self.rounds, "events": self.events, "checkpoints": self.checkpoints,
                "heads": self.heads, "held": self.held, "origin": self.origin, "tree_size": self.tree_size,
                "root": self.root, "covered": self.covered, "last": self.last, "head": self.head, "keys": self.keys,
                "key_confirmed": self.key_confirmed, "key_source": self.key_source, "witnesses": self.witnesses,
                "quorum": self.quorum, "findings": [vars(f) for f in self.findings]}


# -- the rounds ----------------------------------------------------------------------------


def verify_folder(folder: Folder, only: str | None = None, served: dict[str, dict[str, Any]] | None = None) -> VerifyReport:
    with bulk():
        return _verify_folder(folder, only, served)


def _verify_folder(folder: Folder, only: str | None, served: dict[str, dict[str, Any]] | None) -> VerifyReport:
    report = VerifyReport(events=folder.events)
    computer = Computer(folder)
    for q in folder.quarantined:
        report.findings.append(Finding(
            "*", "quarantine", None, q.topic,
            f"the event at position {q.position} (aggregate {q.aggregate}, version {q.version}) cannot be applied: "
            f"{q.reason}",
            f"位置 {q.position} 的事件（记录 {q.aggregate}，版本 {q.version}）无法应用：{q.reason}"))
    for code in sorted(folder.rounds):
        rnd = folder.rounds[code]
        if (only and code != only) or rnd.status not in (CLOSED, PUBLISHED, FINAL):
            continue
        report.rounds.append(code)
        if code in folder.unusable_rounds:
            report.findings.append(Finding(code, "quarantine", None, None,
                                           f"round {code} has events that cannot be applied; it was not recomputed",
                                           f"轮次 {code} 有无法应用的事件，未能重新计算"))
            continue
        try:
            result, linked = computer.result(code)
        except Exception as error:  # noqa: BLE001 - a finding, not a crash
            report.findings.append(Finding(code, "results", None, None, f"cannot be recomputed: {error}",
                                           f"无法重新计算：{error}"))
            continue
        seal = rnd.seal_for(linked)
        if seal != rnd.seal:
            changed = [f"{c} (now {l.seal})" for c, l in linked.items()]
            report.findings.append(Finding(
                code, "seal", rnd.seal, seal,
                f"the events no longer give the recorded seal: recorded {rnd.seal}, the events give {seal}"
                + (f"; linked rounds: {', '.join(changed)}" if changed else ""),
                f"事件已不能得出登记的封存值：登记为 {rnd.seal}，按事件计算为 {seal}"
                + (f"；关联轮次：{'，'.join(changed)}" if changed else "")))
        recomputed = result.compact()
        if recomputed != rnd.results:
            en, zh = _first_difference(rnd.results or [], recomputed)
            report.findings.append(Finding(code, "results", rnd.results, recomputed, en, zh))
        if served is not None and code in served:
            expected = ranking_document(rnd, result)
            if served[code] != expected:
                report.findings.append(Finding(code, "read_model", expected, served[code],
                                               "the read side serves a different ranking",
                                               "读模型提供的排名与按事件计算的不同"))
    _check_finalists(report, folder, only)
    return report


def _check_finalists(report: VerifyReport, folder: Folder, only: str | None) -> None:
    """Every finalist admitted by promotion, still in its round, is promoted by its source
    round's latest results; and every entrant a round's latest results promote is in the
    round it promoted into (unless it withdrew or was disqualified there itself)."""
    for code in sorted(folder.rounds):
        target = folder.rounds[code]
        if code in folder.unusable_rounds:
            continue
        for entrant, record in sorted(target.entrants.items()):
            source = record.source
            if source.get("kind") != "promotion" or record.status != "active":
                continue
            origin_code = str(source.get("round"))
            if only and only not in (code, origin_code):
                continue
            origin = folder.rounds.get(origin_code)
            if origin is None or origin_code in folder.unusable_rounds:
                continue
            row = next((r for r in origin.results or [] if r["entrant"] == entrant), None)
            if row is None or row.get("promotion") != "promoted":
                now = "-" if row is None else f"rank {row.get('rank') or '-'}, {row.get('promotion') or '-'}"
                now_zh = "不在结果中" if row is None else f"名次 {row.get('rank') or '-'}，{row.get('promotion') or '-'}"
                report.findings.append(Finding(
                    code, "finalists", "promoted", None if row is None else row.get("promotion"),
                    f"{entrant} is a finalist of round {code} by promotion from round {origin_code}, whose latest "
                    f"results do not promote it ({now}): the finalists were not revised when those results changed",
                    f"{entrant} 经晋级进入轮次 {code}，但来源轮次 {origin_code} 最新的结果中它未晋级（{now_zh}）："
                    "来源轮次的结果变更后，晋级名单没有随之变更"))
    for code in sorted(folder.rounds):
        origin = folder.rounds[code]
        if code in folder.unusable_rounds:
            continue
        for target_code in sorted(origin.promotions):
            if only and only not in (code, target_code):
                continue
            target = folder.rounds.get(target_code)
            if target is None or target_code in folder.unusable_rounds:
                continue
            for row in origin.results or []:
                entrant = row["entrant"]
                if row.get("promotion") != "promoted":
                    continue
                record = target.entrants.get(entrant)
                if record is None or (record.status == "withdrawn" and withdrawn_by_revision(target, entrant)):
                    report.findings.append(Finding(
                        target_code, "finalists", entrant, None,
                        f"the latest results of round {code} promote {entrant}, but it is not a finalist of round "
                        f"{target_code}, where round {code} promoted its finalists",
                        f"轮次 {code} 最新的结果中 {entrant} 晋级，但它不在轮次 {code} 已晋级进入的轮次 {target_code} 中"))


FIELD_ZH = {"rank": "名次", "final": "最终得分", "award": "奖项", "promotion": "晋级", "reason": "原因",
            "tied": "并列", "exact": "精确得分", "components": "成绩项", "entrant": "组织"}


def _first_difference(recorded: list[dict[str, Any]], recomputed: list[dict[str, Any]]) -> tuple[str, str]:
    for a, b in zip(recorded, recomputed):
        if a != b:
            keys = [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
            return (f"{a.get('entrant')}: " + ", ".join(f"{k} recorded {_text(a.get(k))}, recomputed "
                                                        f"{_text(b.get(k))}" for k in keys),
                    f"{a.get('entrant')}：" + "；".join(f"{FIELD_ZH.get(k, k)} 登记为 {_text(a.get(k))}，重新计算为 "
                                                       f"{_text(b.get(k))}" for k in keys))
    return (f"{len(recorded)} recorded rows, {len(recomputed)} recomputed",
            f"登记 {len(recorded)} 行，重新计算得 {len(recomputed)} 行")


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


# -- the chain -----------------------------------------------------------------------------


def _chain_findings(report: VerifyReport, chain: ChainReport, folder: Folder, keys: Sequence[bytes],
                    verify_signature: Any) -> None:
    report.head = chain.head.hex()
    report.last = chain.position
    for position, en, zh in chain.problems:
        report.findings.append(Finding("*", "chain", None, position, en, zh))
    checkpoints = folder.ledger.checkpoints if folder.ledger is not None else []
    report.checkpoints = len(checkpoints)
    report.keys = [fingerprint(k) for k in keys] or sorted({c["fingerprint"] for c in checkpoints})
    report.key_confirmed = bool(keys)
    report.key_source = "given" if keys else "recorded"
    bad = check_checkpoints(checkpoints, chain.links, keys, verify_signature)
    for position, en, zh in bad:
        report.findings.append(Finding("*", "checkpoint", None, position, en, zh))
    bad_positions = {p for p, _, _ in bad}
    report.covered = max((c["position"] for c in checkpoints if c["position"] not in bad_positions), default=0)


def verify_store(source: EventSource, only: str | None = None, served: dict[str, dict[str, Any]] | None = None,
                 keys: Sequence[bytes] = (), verify_signature: Any = None, held: Sequence[tuple[str, Note]] = (),
                 witnesses: Sequence[VerifierKey] = (), quorum: int = 0,
                 accounts: Sequence[dict[str, Any]] | None = None,
                 credentials: dict[str, str] | None = None) -> VerifyReport:
    """Fold, chain-check and re-hash the whole log in one read, then verify the rounds, the
    stored tree, the signed heads, the heads held from outside and the coverage."""
    folder = Folder()
    chain_rows: list[tuple] = []
    log = LogTree()
    with bulk():
        for rows in source.scan_with_links():
            folder.apply_rows([row[:5] for row in rows])
            chain_rows.extend(rows)
            for row in rows:
                log.add(*row[:5])
        folder.take_dirty()
        checkpoints = folder.ledger.checkpoints if folder.ledger is not None else []
        chain = check_chain(chain_rows, keep=[c["position"] for c in checkpoints])
        del chain_rows
    for position in source.orphan_links():
        chain.problems.append((position, f"the chain has a link at position {position} but no event: an event was "
                               "removed", f"哈希链在位置 {position} 有记录但没有对应事件：有事件被删除"))
    report = verify_folder(folder, only, served)
    if accounts is not None:
        _check_accounts(report, folder, accounts)
    if credentials is not None:
        _check_credentials(report, folder, credentials)
    _chain_findings(report, chain, folder, keys, verify_signature or _verify_signature)
    tree = TreeStore(source.store, source.connection)
    origin = tree.origin()
    stored = check_stored_tree(log, tree.scan(), tree.scan_nodes()) if origin is not None else [Problem(
        "tree", "*", None, None, "the database has no Merkle tree: run `leitai db upgrade`",
        "数据库还没有 Merkle 树：请运行 `leitai db upgrade`")]
    _log_findings(report, log, folder, origin, keys, held, witnesses, quorum, only, stored)
    return report


def _check_accounts(report: VerifyReport, folder: Folder, served: Sequence[dict[str, Any]]) -> None:
    """The accounts the read side serves (roles, disabled) must be those their events give:
    a row changed in the read-model table grants nothing (requests read the events), but it
    is a sign of tampering with the database, and is reported."""
    expected = {name: (sorted(canonical_json({"role": g.role, **g.scope()}) for g in a.grants), a.disabled)
                for name, a in folder.accounts.items()}
    for row in served:
        name = row.get("account")
        found = (sorted(map(canonical_json, row.get("grants") or [])), bool(row.get("disabled")))
        if expected.get(name) != found:
            report.findings.append(Finding(
                "*", "read_model", expected.get(name), found,
                f"the read side shows account {name} with roles or a state its events do not give: the read-model "
                "table was changed outside Leitai (requests go by the events, not by it)",
                f"读取端显示的账号 {name} 的角色或状态与其事件不符：读模型表在擂台系统之外被改动过（请求依据事件而不是它）"))
    missing = sorted(set(expected) - {row.get("account") for row in served})
    for name in missing[:20]:
        report.findings.append(Finding("*", "read_model", name, None, f"the read side does not show account {name}",
                                       f"读取端没有显示账号 {name}"))


def _check_credentials(report: VerifyReport, folder: Folder, stored: dict[str, str]) -> None:
    """Every stored password hash must be the one its account's events commit to: a hash put
    there outside Leitai signs nobody in, but it is a sign of tampering and is reported; so
    is a hash no event commits to yet (set by an earlier version: `leitai db upgrade`
    commits it) and a hash of no account."""
    from eventstore.sidecar import commitment

    for name in sorted(stored):
        account = folder.accounts.get(name)
        expected = account.password_commitment if account is not None else None
        if account is None:
            en, zh = (f"a password hash is stored for {name}, which no event creates",
                      f"存有账号 {name} 的密码哈希，但没有任何事件创建过该账号")
        elif expected is None:
            en, zh = (f"the password hash of {name} was stored by an earlier version and no event commits to it: "
                      "run `leitai db upgrade`, or set a new password with `leitai users password`",
                      f"账号 {name} 的密码哈希由早期版本保存，没有事件对其作出承诺：请运行 `leitai db upgrade`，"
                      "或用 `leitai users password` 设置新密码")
        elif commitment(stored[name]) != expected:
            en, zh = (f"the stored password hash of {name} is not the one its events commit to: it was changed "
                      "outside Leitai (it signs nobody in); set a new password with `leitai users password`",
                      f"账号 {name} 存储的密码哈希不是其事件所承诺的：它在擂台系统之外被改动过（无法用它登录）；"
                      "请用 `leitai users password` 设置新密码")
        else:
            continue
        report.findings.append(Finding("*", "credentials", expected, name, en, zh))


def _log_findings(report: VerifyReport, log: LogTree, folder: Folder, origin: str | None, keys: Sequence[bytes],
                  held: Sequence[tuple[str, Note]], witnesses: Sequence[VerifierKey], quorum: int, only: str | None,
                  problems: list[Problem]) -> None:
    """The tree, the recorded heads, the held heads and the coverage of the rounds."""
    heads = check_heads(log, origin, folder.ledger, keys)
    problems = problems + heads.problems
    held_problems, good = check_held_heads(log, origin, held, keys)
    report.held = len(held)
    problems += held_problems
    problems += check_coverage(log, folder, heads, report.covered, only, witnesses, quorum, good)
    for p in problems:
        report.findings.append(Finding(p.round, p.check, p.expected, p.found, p.en, p.zh))
    report.origin, report.tree_size, report.root = origin, log.size, b64(log.root())
    report.heads = len(folder.ledger.heads) if folder.ledger is not None else 0
    report.witnesses, report.quorum = [w.name for w in witnesses], quorum
    if not keys and folder.ledger is not None:  # checked only against the keys the heads name: say which
        named = set()
        for head in folder.ledger.heads:
            try:
                named.add(fingerprint(VerifierKey.parse(head.get("vkey") or "").public))
            except NoteError:
                continue
        report.keys = sorted(set(report.keys) | named)
    largest = max([heads.covered, *good])
    if largest:
        report.covered = max(report.covered, log.positions[largest - 1])


def _verify_signature(key: bytes, position: int, head: str, signature: str) -> bool:
    from eventstore.keys import verify  # only when there is something to verify

    return verify(key, position, head, signature)


def fold_store(source: EventSource) -> Folder:
    folder = Folder()
    with bulk():
        for rows in source.scan():
            folder.apply_rows(rows)
    folder.take_dirty()
    return folder


# -- export --------------------------------------------------------------------------------


def export_events(source: EventSource, path: Path, signer: Any = None) -> tuple[int, int, str | None]:
    """Write every event (exact bytes and chain link), the seals and the head that covers
    them as NDJSON; returns (events, sealed rounds, the head's note or None).

    With ``signer`` (this machine holds the deployment's key) the head of the log as it is
    is signed now - the signer refuses a rewritten log - and the export ends at its last
    event; otherwise the latest head recorded in the log, with its cosignatures, is the
    export's checkpoint (events after it are in the export, not yet covered)."""
    tree = TreeStore(source.store, source.connection)
    origin = tree.origin()
    note: str | None = None
    last = source.last_position()
    if signer is not None and origin is not None:
        head = signer.sign_head()
        note = head.note
        last = tree.position_of_leaf(head.size - 1) if head.size else 0
    folder = Folder()
    count = 0
    digest = hashlib.sha256()
    with path.open("w", encoding="utf-8") as out:
        header = {"format": FORMAT, "exported_at": datetime.now(timezone.utc).isoformat(), "last_position": last,
                  "origin": origin}
        if signer is not None:
            header.update(key=signer.vkey(origin) if origin else None, fingerprint=signer.fingerprint)
        out.write(json.dumps(header, ensure_ascii=False) + "\n")
        for rows in source.scan_with_links(0, last):
            for position, key, version, topic, state, stored in rows:
                raw = as_bytes(state)
                line = orjson.dumps({"position": position, "aggregate": str(_uuid(key)), "version": version,
                                     "topic": topic, "state": raw.decode("utf-8", "replace"),
                                     "link": None if stored is None else bytes(stored).hex()}).decode()
                digest.update(line.encode("utf-8"))
                out.write(line + "\n")
                folder.apply(position, key, version, topic, raw)
                count += 1
        sealed = 0
        for code in sorted(folder.rounds):
            rnd = folder.rounds[code]
            if rnd.seal:
                out.write(json.dumps({"seal": {"round": code, "status": rnd.status, "seal": rnd.seal,
                                               "results": canonical_json(rnd.results)}}, ensure_ascii=False) + "\n")
                sealed += 1
        if note is None and folder.ledger is not None and folder.ledger.heads:
            note = cosigned_note(folder.ledger, folder.ledger.heads[-1])
        if note is not None:
            out.write(json.dumps({"checkpoint": note}, ensure_ascii=False) + "\n")
        out.write(json.dumps({"end": {"events": count, "sha256": digest.hexdigest()}}) + "\n")
    return count, sealed, note


def cosigned_note(ledger: Any, head: dict[str, Any]) -> str:
    """A recorded head's note with the cosignatures recorded for it (each line once)."""
    note = Note.parse(head["note"])
    lines = []
    for c in ledger.cosignatures.get(head["size"], []):
        if c["root"] == head["root"]:
            try:
                lines.append(Signature.parse(c["signature"]))
            except NoteError:
                continue
    return str(note.with_signatures(*lines))


def _uuid(key: Any) -> UUID:
    """An aggregate key as its UUID: raw bytes on PostgreSQL, hex text on SQLite."""
    if isinstance(key, UUID):
        return key
    if isinstance(key, (bytes, bytearray, memoryview)):
        return UUID(bytes=bytes(key))
    return UUID(hex=str(key))


class ExportUnreadable(Exception):
    """The file is not a Leitai export at all (wrong format, not text, empty)."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh


def read_export(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, decoded line or an ``ExportLineError``) for every non-empty line."""
    with path.open("rb") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            if len(line) > MAX_LINE:
                yield number, ExportLineError(number, "the line is too long", "该行过长")
                continue
            try:
                yield number, orjson.loads(line)
            except orjson.JSONDecodeError:
                yield number, ExportLineError(number, "not JSON", "不是 JSON")


@dataclass(frozen=True)
class ExportLineError:
    number: int
    en: str
    zh: str


def verify_export(path: Path, only: str | None = None, keys: Sequence[bytes] = (),
                  verify_signature: Any = None, held: Sequence[tuple[str, Note]] = (),
                  witnesses: Sequence[VerifierKey] = (), quorum: int = 0) -> VerifyReport:
    """The checks of ``verify`` on an export file, with no database."""
    verify_signature = verify_signature or _verify_signature
    folder = Folder()
    seals: dict[str, dict[str, Any]] = {}
    digest = hashlib.sha256()
    end: dict[str, Any] | None = None
    signed_head: dict[str, Any] | None = None
    exported: list[tuple[str, Note]] = []  # the export's own checkpoint (leitai-events/3)
    damaged: list[Finding] = []
    chain_rows: list[tuple] = []
    log = LogTree()
    try:
        lines = read_export(path)
        first = next(lines, None)
    except OSError as error:
        raise ExportUnreadable(f"cannot read {path}: {error.strerror}", f"无法读取 {path}：{error.strerror}") from None
    if first is None:
        raise ExportUnreadable(f"{path.name} is empty", f"{path.name} 是空文件")
    header = first[1]
    if not isinstance(header, dict) or header.get("format") not in (FORMAT, LEGACY_FORMAT):
        raise ExportUnreadable(f"{path.name} is not a Leitai event export ({FORMAT}; made by `leitai export events`)",
                               f"{path.name} 不是擂台事件导出文件（{FORMAT}，由 `leitai export events` 生成）")
    with bulk():
        for number, item in lines:
            problem = _export_line(item, number)
            if problem is not None:
                damaged.append(problem)
                continue
            if "position" in item:
                digest.update(orjson.dumps(item))
                raw = item["state"].encode("utf-8")
                folder.apply(item["position"], item["aggregate"], item["version"], item["topic"], raw)
                link = item.get("link")
                chain_rows.append((item["position"], item["aggregate"], item["version"], item["topic"], raw,
                                   bytes.fromhex(link) if isinstance(link, str) and _is_hex(link) else None))
                log.add(item["position"], item["aggregate"], item["version"], item["topic"], raw)
            elif "seal" in item:
                seals[item["seal"]["round"]] = item["seal"]
            elif "signed_head" in item:
                signed_head = item["signed_head"]
            elif "checkpoint" in item:
                try:
                    exported.append((f"line {number}", parse_held(item["checkpoint"])))
                except NoteError as error:
                    damaged.append(Finding("*", "export", None, number, f"line {number}: {error.en}",
                                           f"第 {number} 行：{error.zh}"))
            elif "end" in item:
                end = item["end"]
        folder.take_dirty()
        checkpoints = folder.ledger.checkpoints if folder.ledger is not None else []
        wanted = [c["position"] for c in checkpoints] + ([signed_head["position"]] if signed_head else [])
        chain = check_chain(chain_rows, keep=[p for p in wanted if isinstance(p, int)])
        del chain_rows
    report = verify_folder(folder, only)
    report.findings[:0] = damaged
    _chain_findings(report, chain, folder, keys, verify_signature)
    if signed_head is not None:
        _check_signed_head(report, signed_head, chain, keys, verify_signature)
    origin = header.get("origin") if isinstance(header.get("origin"), str) else None
    signer_keys = list(keys)
    if not signer_keys and exported:  # the export's own key, as a history names its own (proves nothing alone)
        try:
            signer_keys = [VerifierKey.parse(str(header.get("key"))).public]
        except NoteError:
            signer_keys = []
    unsigned = [source for source, note in exported
                if not signer_keys or not verify_note(note, trusted_log_keys(note.checkpoint.origin, signer_keys)).ok]
    for source in unsigned:
        report.findings.append(Finding("*", "export", None, source, f"the export's checkpoint ({source}) is not "
                                       "validly signed", f"导出文件的检查点（{source}）签名无效"))
    _log_findings(report, log, folder, origin, keys, list(held) + [h for h in exported if h[0] not in unsigned],
                  witnesses, quorum, only, [])
    _check_seal_lines(report, folder, seals, only)
    if end is None or end.get("events") != folder.events or end.get("sha256") != digest.hexdigest():
        report.findings.append(Finding("*", "export", end, {"events": folder.events, "sha256": digest.hexdigest()},
                                       "the export is incomplete or its event lines were changed",
                                       "导出文件不完整，或其中的事件行被修改过"))
    return report


def _export_line(item: Any, number: int) -> Finding | None:
    """None if the line has the shape of an export line; else a finding naming the line."""
    if isinstance(item, ExportLineError):
        return Finding("*", "export", None, number, f"line {number}: {item.en}", f"第 {number} 行：{item.zh}")
    if not isinstance(item, dict):
        return Finding("*", "export", None, number, f"line {number}: not a JSON object", f"第 {number} 行：不是 JSON 对象")
    if "position" in item:
        ok = (isinstance(item.get("position"), int) and isinstance(item.get("version"), int)
              and isinstance(item.get("aggregate"), str) and isinstance(item.get("state"), str)
              and (item.get("topic") is None or isinstance(item.get("topic"), str)) and _is_uuid(item["aggregate"]))
        if not ok:
            return Finding("*", "export", None, number,
                           f"line {number}: an event line needs position, aggregate (a UUID), version, topic and state",
                           f"第 {number} 行：事件行应包含 position、aggregate（UUID）、version、topic 和 state")
    elif "seal" in item:
        seal = item["seal"]
        if not (isinstance(seal, dict) and isinstance(seal.get("round"), str) and isinstance(seal.get("seal"), str)):
            return Finding("*", "export", None, number, f"line {number}: a seal line needs round and seal",
                           f"第 {number} 行：封存行应包含 round 和 seal")
    elif "checkpoint" in item:
        if not isinstance(item["checkpoint"], str):
            return Finding("*", "export", None, number, f"line {number}: a damaged checkpoint",
                           f"第 {number} 行：检查点已损坏")
    elif "signed_head" in item:
        head = item["signed_head"]
        if not (isinstance(head, dict) and isinstance(head.get("position"), int)
                and all(isinstance(head.get(k), str) for k in ("head", "signature", "key"))):
            return Finding("*", "export", None, number, f"line {number}: a damaged signed head",
                           f"第 {number} 行：签名行已损坏")
    elif "end" in item:
        if not isinstance(item["end"], dict):
            return Finding("*", "export", None, number, f"line {number}: a damaged closing line",
                           f"第 {number} 行：结尾行已损坏")
    else:
        return Finding("*", "export", None, number, f"line {number}: not a line of an export",
                       f"第 {number} 行：不是导出文件中的行")
    return None


def _check_signed_head(report: VerifyReport, signed: dict[str, Any], chain: ChainReport, keys: Sequence[bytes],
                       verify_signature: Any) -> None:
    position, head = signed["position"], signed["head"]
    try:
        named = bytes.fromhex(signed["key"])
    except ValueError:
        named = b""
    if not any(verify_signature(k, position, head, signed["signature"]) for k in (list(keys) or [named])):
        report.findings.append(Finding("*", "export", None, position, "the export's signed head is not validly signed",
                                       "导出文件末尾的签名无效"))
    elif chain.links.get(position, b"").hex() != head:
        report.findings.append(Finding("*", "export", head, position,
                                       "the events of the export do not give the head it signed",
                                       "导出文件中的事件与其签署的链头不符"))
    else:
        report.covered = max(report.covered, position)


def _check_seal_lines(report: VerifyReport, folder: Folder, seals: dict[str, dict[str, Any]],
                      only: str | None) -> None:
    """Each seal line of the export: its seal and its results as the events recorded them."""
    for code, line in sorted(seals.items()):
        if only and code != only:
            continue
        rnd = folder.rounds.get(code)
        if rnd is None:
            report.findings.append(Finding(code, "export_seal", line.get("seal"), None,
                                           "the export lists a seal for a round none of its events record",
                                           "导出文件列出了一个事件中不存在的轮次的封存值"))
            continue
        if rnd.seal != line.get("seal"):
            report.findings.append(Finding(code, "export_seal", line.get("seal"), rnd.seal,
                                           "the seal listed in the export differs from the one its events record",
                                           "导出文件列出的封存值与事件中登记的不同"))
        if line.get("results") != canonical_json(rnd.results):
            report.findings.append(Finding(code, "export_results", line.get("results"), None,
                                           "the results listed in the export differ from those its events record",
                                           "导出文件列出的结果与事件中登记的结果不同"))


def _is_hex(text: str) -> bool:
    try:
        bytes.fromhex(text)
    except ValueError:
        return False
    return True


def _is_uuid(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True
