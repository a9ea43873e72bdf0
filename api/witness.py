"""A witness of Leitai logs: what an auditor (纪检监察, a higher organization department) runs on
a machine of its own, with a key and a directory of its own.

For each log it watches, the witness keeps the latest head it has checked.  ``pull`` fetches
the log's latest checkpoint (``GET /api/checkpoint``) and the consistency proof from the head
it holds (``GET /api/proof/consistency?from=OLD&to=NEW``), and accepts the new head only if
the log's key signed it, it names the same log, it is not smaller than the one held, an
equal size has the same root, and the proof shows the new head extends the held one
unchanged.  Then it stores the new head *before* anything else, cosigns it (C2SP
tlog-cosignature, ``cosignature/v1``) and posts the cosignature to the log
(``POST /api/checkpoint/cosignatures``).  Otherwise it refuses: nothing is stored or
cosigned, the rejected checkpoint and proof are kept as evidence, and the command exits
with 6 naming both heads and what fails.

The directory (``--dir``, ``LEITAI_WITNESS_DIR``, else ``$XDG_DATA_HOME/leitai/witness``)::

    witness.pem             the witness's Ed25519 key (0600)
    witness.json            {"name": ...}
    logs/<id>.json          per log: origin, the log's verifier key, where to pull, the head held
    evidence/<time>-<id>.txt  what was refused, and why
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from domain import merkle
from domain.checkpoint import COSIGNATURE, ED25519, Checkpoint, Note, NoteError, VerifierKey
from domain.errors import InvalidValue
from eventstore.notes import cosign, log_key, raw_public, verify_note
from projections.proofs import parse_consistency

TIMEOUT = 15  # seconds for each request to a log
MAX_ANSWER = 1_000_000  # bytes


def default_directory() -> Path:
    configured = os.environ.get("LEITAI_WITNESS_DIR")
    if configured:
        return Path(configured)
    from eventstore.keys import data_directory

    return data_directory() / "witness"


@dataclass
class Pulled:
    origin: str
    ok: bool
    old: Checkpoint | None = None
    new: Checkpoint | None = None
    problem: tuple[str, str] | None = None  # (english, chinese)
    cosigned: bool = False
    posted: str = ""  # what the log answered to the cosignature (status and body)
    accepted: bool | None = None  # whether the log recorded it (None: not sent)
    answer: str = ""  # the log's message, when it did not
    evidence: Path | None = None
    notes: list[str] = field(default_factory=list)


class Refused(Exception):
    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh


def http_get(url: str) -> str:
    request = urllib.request.Request(url, headers={"Accept": "text/plain", "User-Agent": "leitai-witness"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310 - an operator's URL
        return answer.read(MAX_ANSWER + 1)[:MAX_ANSWER].decode("utf-8")


def http_post(url: str, body: str) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body.encode("utf-8"), method="POST",
                                     headers={"Content-Type": "text/plain; charset=utf-8",
                                              "User-Agent": "leitai-witness"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310
            return answer.status, answer.read(MAX_ANSWER).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read(MAX_ANSWER).decode("utf-8", "replace")


class WitnessDirectory:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    # -- the witness itself --------------------------------------------------------------------

    @property
    def key_path(self) -> Path:
        return self.path / "witness.pem"

    def init(self, name: str) -> VerifierKey:
        """Make the witness's key and name (once; an existing witness is kept)."""
        from domain.checkpoint import check_name
        from eventstore.keys import load_signer

        try:
            check_name(name)
        except NoteError as error:
            raise InvalidValue("name", name, error.en, error.zh) from None
        config = self.path / "witness.json"
        if config.exists() and json.loads(config.read_text(encoding="utf-8")).get("name") != name:
            raise InvalidValue("name", name, f"{self.path} is already the witness {self.name}",
                               f"{self.path} 已经是见证方 {self.name}")
        self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
        load_signer(self.key_path, create=True)
        _write(config, json.dumps({"name": name}, ensure_ascii=False) + "\n")
        return self.vkey

    @property
    def name(self) -> str:
        try:
            return str(json.loads((self.path / "witness.json").read_text(encoding="utf-8"))["name"])
        except (OSError, ValueError, KeyError):
            raise InvalidValue("--dir", str(self.path), "is not a witness's directory: run `leitai witness init NAME` "
                               "first", "不是见证方目录：请先运行 `leitai witness init 名称`") from None

    @property
    def private(self) -> Any:
        from eventstore.keys import load_signer

        self.name  # noqa: B018 - a directory that is a witness's
        return load_signer(self.key_path, create=False).private

    @property
    def vkey(self) -> VerifierKey:
        return VerifierKey(self.name, COSIGNATURE, raw_public(self.private))

    # -- the logs it watches ------------------------------------------------------------------

    def _log_file(self, origin: str) -> Path:
        return self.path / "logs" / (hashlib.sha256(origin.encode("utf-8")).hexdigest()[:16] + ".json")

    def logs(self) -> list[dict[str, Any]]:
        folder = self.path / "logs"
        if not folder.is_dir():
            return []
        out = []
        for file in sorted(folder.glob("*.json")):
            try:
                out.append(json.loads(file.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue
        return out

    def heads(self) -> list[tuple[str, Note]]:
        out = []
        for log in self.logs():
            try:
                out.append((log["origin"], Note.parse(log["head"])))
            except (KeyError, NoteError):
                continue
        return out

    def add(self, source: str, key_text: str, fetch: Callable[[str], str] = http_get) -> dict[str, Any]:
        """Watch the log at ``source`` (its URL, or a checkpoint file such as the one typed from
        a notice), whose key is ``key_text`` (its verifier key, or 64 hex digits)."""
        url = None
        if source.startswith(("http://", "https://")):
            url = source.rstrip("/")
            try:
                text = fetch(url + "/api/checkpoint")
            except (OSError, ValueError) as error:
                raise InvalidValue("source", source, f"cannot fetch its checkpoint ({error})",
                                   f"无法取得其检查点（{error}）") from None
        else:
            try:
                text = Path(source).read_text(encoding="utf-8-sig")
            except OSError as error:
                raise InvalidValue("source", source, f"cannot be read ({error.strerror})",
                                   f"无法读取（{error.strerror}）") from None
        try:
            note = Note.parse(text)
            checkpoint = note.checkpoint
        except NoteError as error:
            raise InvalidValue("source", source, error.en, error.zh) from None
        key = _log_key(key_text, checkpoint.origin)
        if not verify_note(note, [key]).ok:
            raise InvalidValue("--key", key_text, f"the checkpoint of {checkpoint.origin} is not signed by this key",
                               f"{checkpoint.origin} 的检查点不是该公钥签署的")
        file = self._log_file(checkpoint.origin)
        if file.exists():
            raise InvalidValue("source", source, f"the log {checkpoint.origin} is watched already",
                               f"已在见证日志 {checkpoint.origin}")
        record = {"origin": checkpoint.origin, "key": str(key), "url": url, "head": str(note),
                  "updated": _now()}
        self.path.joinpath("logs").mkdir(parents=True, exist_ok=True, mode=0o700)
        _write(file, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        return record

    # -- pulling -----------------------------------------------------------------------------

    def pull(self, only: str | None = None, fetch: Callable[[str], str] = http_get,
             post: Callable[[str, str], tuple[int, str]] = http_post, now: Callable[[], float] = time.time
             ) -> list[Pulled]:
        results = []
        with self._locked():
            for log in self.logs():
                if only and log.get("origin") != only:
                    continue
                if not log.get("url"):
                    results.append(Pulled(log.get("origin", "?"), True, notes=["no URL: the head held was given "
                                                                                "from a file"]))
                    continue
                results.append(self._pull_one(log, fetch, post, now))
        return results

    def _pull_one(self, log: dict[str, Any], fetch: Callable[[str], str], post: Callable[[str, str], tuple[int, str]],
                  now: Callable[[], float]) -> Pulled:
        origin, url = log["origin"], log["url"]
        held = Note.parse(log["head"])
        old = held.checkpoint
        result = Pulled(origin, False, old=old)
        key = VerifierKey.parse(log["key"])
        fetched, proof_text = "", ""
        try:
            try:
                fetched = fetch(url + "/api/checkpoint")
            except (OSError, ValueError) as error:
                raise _Unreachable(f"cannot fetch {url}/api/checkpoint ({error})",
                                   f"无法取得 {url}/api/checkpoint（{error}）") from None
            note = _parse(fetched, "the log's checkpoint", "日志的检查点")
            new = note.checkpoint
            result.new = new
            if not verify_note(note, [key]).ok:
                raise Refused("the checkpoint the log serves is not signed by its key",
                              "日志提供的检查点不是其公钥签署的")
            if new.origin != origin:
                raise Refused(f"the log now calls itself {new.origin}", f"该日志现在自称 {new.origin}")
            if new.size < old.size:
                raise Refused(f"the log shrank: it serves a head of {new.size} events, the witness holds one of "
                              f"{old.size}: events were removed from its end",
                              f"日志变短了：它提供 {new.size} 条事件的树头，而见证方保存的是 {old.size} 条：日志末尾的事件被删除")
            if new.size == old.size:
                if new.root != old.root:
                    raise Refused(f"the log serves another root for the same {new.size} events: its history was "
                                  "rewritten (a fork)", f"日志对同样的 {new.size} 条事件给出了不同的根哈希：历史被改写（分叉）")
                result.ok = True
                result.notes.append("no new head")
            else:
                try:
                    proof_text = fetch(f"{url}/api/proof/consistency?from={old.size}&to={new.size}")
                except (OSError, ValueError) as error:
                    raise _Unreachable(f"cannot fetch the consistency proof ({error})",
                                       f"无法取得一致性证明（{error}）") from None
                try:
                    old_size, proof, proved = parse_consistency(proof_text)
                except NoteError as error:
                    raise Refused(f"the log's consistency proof is damaged: {error.en}",
                                  f"日志的一致性证明已损坏：{error.zh}") from None
                if old_size != old.size or proved.checkpoint != new:
                    raise Refused("the log's consistency proof is for other heads than asked",
                                  "日志的一致性证明针对的树头与请求的不同")
                if not merkle.verify_consistency(old.size, new.size, old.root, new.root, proof):
                    raise Refused(f"the head of {new.size} events does not extend the head of {old.size} events "
                                  "the witness holds: the log was rewritten, truncated and refilled, reordered or "
                                  "forked", f"{new.size} 条事件的树头不是见证方保存的 {old.size} 条事件树头的原样延续："
                                            "日志被改写、截短后重填、调换顺序或分叉")
                log.update(head=str(Note(note.text, tuple(s for s in note.signatures if key.matches(s)))),
                           updated=_now())
                _write(self._log_file(origin), json.dumps(log, ensure_ascii=False, indent=2) + "\n")
                result.ok = True
            signature = cosign(self.private, self.name, note.text, int(now()))
            result.cosigned = True
            status, answer = post(url + "/api/checkpoint/cosignatures", str(Note(note.text, (signature,))))
            result.posted = f"{status} {answer.strip()[:300]}"
            result.accepted = status in (200, 201)
            if not result.accepted:
                try:
                    result.answer = str(json.loads(answer).get("message", answer))[:300]
                except (ValueError, AttributeError):
                    result.answer = answer.strip()[:300]
        except Refused as refusal:
            result.problem = (refusal.en, refusal.zh)
            result.evidence = self._keep_evidence(origin, log["head"], fetched, proof_text, refusal.en)
        except _Unreachable as error:
            result.problem = (error.en, error.zh)
            result.notes.append("unreachable")
        except (OSError, ValueError) as error:
            result.problem = (f"the cosignature could not be sent: {error}", f"联署签名未能发送：{error}")
            result.notes.append("not sent")
        return result

    def _keep_evidence(self, origin: str, held: str, fetched: str, proof: str, why: str) -> Path:
        folder = self.path / "evidence"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        file = folder / f"{stamp}-{self._log_file(origin).stem}.txt"
        _write(file, f"log: {origin}\nrefused: {why}\n\n--- head held ---\n{held}\n--- checkpoint served ---\n"
                     f"{fetched}\n--- consistency proof served ---\n{proof}\n")
        return file

    @contextmanager
    def _locked(self) -> Any:
        self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock = os.open(self.path / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                import fcntl

                fcntl.flock(lock, fcntl.LOCK_EX)
            except ImportError:
                pass
            yield
        finally:
            os.close(lock)


class _Unreachable(Exception):
    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh


def _parse(text: str, what: str, what_zh: str) -> Note:
    try:
        note = Note.parse(text)
        note.checkpoint  # noqa: B018
        return note
    except NoteError as error:
        raise Refused(f"{what} is damaged: {error.en}", f"{what_zh}已损坏：{error.zh}") from None


def _log_key(text: str, origin: str) -> VerifierKey:
    if re.match(r"[^+\s]+\+[0-9a-f]{8}\+", text.strip()):
        try:
            key = VerifierKey.parse(text)
        except NoteError as error:
            raise InvalidValue("--key", text, error.en, error.zh) from None
        if key.kind != ED25519 or key.name != origin:
            raise InvalidValue("--key", text, f"this is not the key of the log {origin}", f"这不是日志 {origin} 的公钥")
        return key
    from eventstore.keys import public_key

    return log_key(origin, public_key(text))


def _write(path: Path, text: str) -> None:
    """Write a file whole (a temporary beside it, synced, then renamed), mode 0600."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def check_cosignature_request(body: str, witnesses: dict[str, str]) -> tuple[Checkpoint, list[Any], list[str]]:
    """The server's side of ``POST /api/checkpoint/cosignatures``: (the checkpoint, the
    cosignature lines that verify against a registered witness, the names that did not)."""
    try:
        note = Note.parse(body)
        checkpoint = note.checkpoint
    except NoteError as error:
        raise InvalidValue("body", body[:80], error.en, error.zh) from None
    keys = {}
    for name, vkey in witnesses.items():
        try:
            keys[name] = VerifierKey.parse(vkey)
        except NoteError:
            continue
    good, bad = [], []
    for signature in note.signatures:
        key = keys.get(signature.name)
        if key is None or not key.matches(signature):
            continue  # unknown keys are ignored (C2SP signed-note)
        if verify_note(Note(note.text, (signature,)), [key]).ok:
            good.append(signature)
        else:
            bad.append(signature.name)
    return checkpoint, good, bad

