"""The signer of tree heads: it never signs a head that rewrites what it signed before.

The deployment's Ed25519 key signs checkpoints (C2SP tlog-checkpoint notes, see
:mod:`domain.checkpoint`) of the log's Merkle tree (:mod:`domain.merkle`).  Beside the key
file, *outside the database*, the signer keeps the last head it signed
(``<key file>.last-head``, the signed note itself, mode 0600).  Before it signs a new head
of ``N`` events it proves, from what it can check itself, that the log is the one it signed
before, unchanged, plus what was appended since:

1. the log's origin is the one it signed for (one key, one log);
2. the log is not shorter than the last head (``N >= S``);
3. the stored tree's first ``S`` leaves still have the root it signed (the right edge of
   the stored tree at ``S`` folds to that root);
4. the events after the last head, read from the events table and hashed here, are the
   stored leaves ``S .. N-1``, and appending them to that right edge gives the stored root
   of ``N``; and the stored tree's consistency proof from ``S`` to ``N`` verifies.

If any of this fails it refuses (:class:`domain.errors.LogRewritten`: exit 6 on the command
line, HTTP 503, an error line in the log) and signs nothing.  So a database owner who
rewrites history, deletes checkpoint events, truncates the tail or reorders events can no
longer have the next seal or export bless the result: the signer's state and every
witness hold a head the rewritten log does not extend.

The first head a key signs for a log (no state yet: a new deployment, or an upgrade from a
version without the tree) is trusted on first use after checking step 4 over the whole log;
the state file is what makes every later head safe, so keep it with the key.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain import merkle
from domain.checkpoint import Checkpoint, Note, NoteError, b64
from domain.errors import LogRewritten, StoreError
from eventstore.notes import log_key, sign_note, verify_note
from eventstore.tree import TreeIncomplete, TreeStore, event_leaf

log = logging.getLogger("leitai")
STATE_SUFFIX = ".last-head"


@dataclass(frozen=True)
class SignedHead:
    origin: str
    size: int
    root: bytes
    note: str  # the whole signed note (checkpoint text, blank line, signature line)
    vkey: str  # the log's verifier key: origin+key id+base64(0x01 || public key)

    @property
    def root_b64(self) -> str:
        return b64(self.root)


class HeadSigner:
    """Signs tree heads of one log with the key at ``key_path``, guarded by its state.
    ``create``: make the key (0600) if there is none yet (the application does; an export
    or a verification never does)."""

    def __init__(self, key_path: Path, tree: TreeStore, create: bool = True) -> None:
        self.key_path = Path(key_path)
        self.state_path = Path(str(key_path) + STATE_SUFFIX)
        self.tree = tree
        self.create = create
        self._key: Any = None

    # -- the key -------------------------------------------------------------------------------

    @property
    def key(self) -> Any:
        if self._key is None:
            from eventstore.keys import load_signer

            self._key = load_signer(self.key_path, create=self.create)
        return self._key

    @property
    def public_key(self) -> bytes:
        return self.key.public_key

    @property
    def public_hex(self) -> str:
        return self.key.public_hex

    @property
    def fingerprint(self) -> str:
        return self.key.fingerprint

    def vkey(self, origin: str | None = None) -> str:
        return str(log_key(origin or self.tree.origin() or "", self.public_key))

    # -- the state -----------------------------------------------------------------------------

    def last_head(self) -> Note | None:
        """The last head this key signed (None before the first)."""
        try:
            data = self.state_path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise StoreError(problem=f"cannot read the signer's state {self.state_path}: {error.strerror}",
                             problem_zh=f"无法读取签名状态文件 {self.state_path}：{error.strerror}") from None
        try:
            note = Note.parse(data)
            note.checkpoint  # noqa: B018 - parses the body
        except NoteError as error:
            raise StoreError(problem=f"the signer's state {self.state_path} is damaged ({error.en}); restore it "
                                     "from its backup",
                             problem_zh=f"签名状态文件 {self.state_path} 已损坏（{error.zh}）；请从备份恢复") from None
        if not verify_note(note, [log_key(note.checkpoint.origin, self.public_key)]).ok:
            raise StoreError(problem=f"the signer's state {self.state_path} is not signed by this key: it belongs to "
                                     "another key, or was edited",
                             problem_zh=f"签名状态文件 {self.state_path} 不是本密钥签署的：它属于另一个密钥，或被改动过")
        return note

    def _write_state(self, note: str) -> None:
        directory = self.state_path.parent
        descriptor, temporary = tempfile.mkstemp(prefix=".last-head-", dir=directory)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as out:
                out.write(note)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.state_path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        try:
            folder = os.open(directory, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
        except OSError:  # not every system can sync a directory
            pass

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One signer at a time per key on this machine (the server and command-line runs)."""
        self.key_path.parent.mkdir(parents=True, exist_ok=True)
        lock = os.open(str(self.key_path) + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                import fcntl

                fcntl.flock(lock, fcntl.LOCK_EX)
            except ImportError:  # Windows: msvcrt's lock on the first byte
                import msvcrt

                msvcrt.locking(lock, msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]
            yield
        finally:
            os.close(lock)

    # -- checking and signing ----------------------------------------------------------------------

    def check(self) -> tuple[str, int, bytes]:
        """(origin, size, root) of the log now, proven to extend the last signed head
        unchanged; raises LogRewritten otherwise."""
        return self._extends(self.last_head())

    def sign_head(self) -> SignedHead:
        """Sign the tree head of the log as it is now (after checking it extends the last
        head signed), remember it beside the key, and return it."""
        self.key  # noqa: B018 - load (or make) the key before taking the lock
        with self._locked():
            last = self.last_head()
            origin, size, root = self._extends(last)
            text = Checkpoint(origin, size, root).body()
            note = str(Note(text, (sign_note(self.key.private, origin, text),)))
            self._write_state(note)
        if last is None:
            log.warning("签名密钥 %s 首次为日志 %s 签署树头（%s 条事件，以此时的日志为准）/ signing key %s: first tree "
                        "head signed for log %s at %s events (trusted on first use)",
                        self.fingerprint, origin, size, self.fingerprint, origin, size)
        return SignedHead(origin, size, root, note, str(log_key(origin, self.public_key)))

    def _extends(self, last: Note | None) -> tuple[str, int, bytes]:
        with self.tree.pinned() as tree:
            return self._extends_on(tree, last)

    def _extends_on(self, tree: TreeStore, last: Note | None) -> tuple[str, int, bytes]:
        origin = tree.origin()
        if origin is None:
            raise StoreError(problem="the database has no Merkle tree yet: run `leitai db upgrade`",
                             problem_zh="数据库还没有 Merkle 树：请运行 `leitai db upgrade`")
        signed = last.checkpoint if last is not None else Checkpoint(origin, 0, merkle.EMPTY_ROOT)

        def refuse(en: str, zh: str) -> LogRewritten:
            log.error("signing refused (log %s, last head %s events): %s / 签名被拒绝：%s", origin, signed.size, en, zh)
            return LogRewritten(signed_size=signed.size, problem=en, problem_zh=zh)

        if signed.origin != origin:
            raise refuse(f"this key signs the log {signed.origin}, but the database holds the log {origin}",
                         f"该密钥签署的是日志 {signed.origin}，而数据库中是日志 {origin}")
        size = tree.size()
        if size < signed.size:
            raise refuse(f"the log has {size} events, fewer than the {signed.size} of the last head: events were "
                         "removed", f"日志只有 {size} 条事件，少于上次树头的 {signed.size} 条：有事件被删除")
        try:
            edge = tree.frontier(signed.size)
        except TreeIncomplete as error:
            raise refuse(f"the stored tree up to {signed.size} events is incomplete ({error})",
                         f"截至 {signed.size} 条事件的 Merkle 树不完整（{error}）") from None
        if edge.root() != signed.root:
            raise refuse(f"the first {signed.size} events are no longer those signed (root now "
                         f"{b64(edge.root())}, signed {b64(signed.root)})",
                         f"前 {signed.size} 条事件已不是当初签署的那些（根哈希现为 {b64(edge.root())}，签署时为 "
                         f"{b64(signed.root)}）")
        try:
            problem = self._append_events(tree, edge, signed.size, size)
            stored_root = tree.root(size)[1]
            proof = tree.consistency_proof(signed.size, size) if signed.size else []
        except TreeIncomplete as error:
            raise refuse(f"the stored tree is incomplete ({error})", f"存储的 Merkle 树不完整（{error}）") from None
        if problem:
            raise refuse(*problem)
        root = edge.root()
        if stored_root != root:
            raise refuse("the stored tree does not match the events", "存储的 Merkle 树与事件不符")
        if signed.size and not merkle.verify_consistency(signed.size, size, signed.root, root, proof):
            raise refuse(f"the stored tree gives no valid consistency proof from {signed.size} to {size} events",
                         f"存储的 Merkle 树给不出从 {signed.size} 到 {size} 条事件的有效一致性证明")
        return origin, size, root

    @staticmethod
    def _append_events(tree: TreeStore, edge: merkle.Frontier, start: int, size: int) -> tuple[str, str] | None:
        """Hash the events of leaves ``start .. size-1`` from the events table and append them;
        a problem (English, Chinese) if they are not the stored leaves."""
        index = start
        for position, aggregate, version, topic, state, leaf, stored in tree.events_from(start):
            if index == size:
                break  # appended since the size was read: for the next head
            if leaf is None or leaf != index or stored is None:
                return (f"the event at position {position} is not leaf {index} of the tree: recorded outside "
                        "Leitai, or events were removed or reordered",
                        f"位置 {position} 的事件不是 Merkle 树的第 {index} 个叶子：它不是通过擂台系统登记的，或有事件被删除、调换")
            computed = event_leaf(position, aggregate, version, topic, state)
            if computed != bytes(stored):
                return (f"the event at position {position} is not what its leaf recorded: it was changed",
                        f"位置 {position} 的事件与其叶子哈希不符：事件被改动过")
            edge.append(computed)
            index += 1
        if index < size:
            return (f"the tree has {size} leaves but {index} events follow: events were removed",
                    f"Merkle 树有 {size} 个叶子，但只有 {index} 条事件：有事件被删除")
        return None
