"""The deployment's keys: the Ed25519 signing key (and checking signatures made with it),
and the key that signs sign-in tokens.

The signing key signs the checkpoints of the hash chain (:mod:`domain.chain`): after a command
that closes (seals), re-seals, publishes, republishes, finalizes or re-ranks a round, the
application signs the chain link at its last event and records that checkpoint as an
event (``Leitai.after_save``); ``leitai export events`` also signs the chain head of the
export, when the key exists.

Keys never lie beside or inside the database by default: whoever can read the database
(a local user, a backup, the application's own PostgreSQL role) must not thereby hold
the key that signs its history or the key that signs sign-in tokens.  Both live in the
user's data directory, :func:`data_directory` (``$XDG_DATA_HOME/leitai``,
``~/.local/share/leitai`` when unset; created 0700), under a name derived from the
database, :func:`key_name`: for SQLite a readable stem of the file name and a short hash
of its absolute path (``demo-3f2a9c1e``), for PostgreSQL ``DB@HOST-PORT``.

* The signing key (an unencrypted PKCS#8 PEM file), :func:`default_path`:
  ``LEITAI_SIGNING_KEY`` if set; else ``NAME.signing-key.pem`` there.  It is created
  there, mode 0600, the first time a checkpoint is signed (:class:`LazySigner`) or by
  ``leitai keys show``; an export never creates one.  An SQLite deployment of an earlier
  version kept it beside the database file (``NAME.db.signing-key.pem``): while that one
  exists and none is at the new place, it is the one used (the deployment keeps one key),
  until ``leitai db upgrade`` moves it (:func:`move_beside_key`).
* The token key, :func:`secret_key`: ``LEITAI_SECRET_KEY`` (the key itself) if set; else
  the file ``LEITAI_SECRET_KEY_FILE`` names; else ``NAME.secret-key`` there.  The file is
  created once (mode 0600, never overwritten) by whichever process needs it first.  The
  servers of one deployment must share it; a new one only signs everyone out.  Earlier
  versions kept it in the database (``leitai_settings``): ``leitai db upgrade`` writes it to
  its file (:func:`keep_secret_key`) and deletes it there.

Whoever holds the signing key can sign a rewritten history: keep it (and back it up) apart
from the database and its backups.  A database file moved or renamed gets a new derived
name: move its key files along, or name them with the settings above.

The public key and its fingerprint (``leitai keys show``) are what auditors are given;
:func:`public_key` reads one as given on ``leitai verify --key`` (64 hex digits, or a PEM
file, public or private) and :func:`verify` checks a checkpoint's signature with it.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from domain.chain import checkpoint_message, fingerprint
from domain.errors import InvalidValue, StoreError
from domain.services.store import StoreURL
from eventstore.private import FILE_MODE, private_directory


@dataclass(frozen=True)
class Signer:
    """Signs checkpoints; handed to the application (domain.services.app.Leitai)."""

    private: Ed25519PrivateKey
    path: Path

    @property
    def public_key(self) -> bytes:
        return self.private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @property
    def public_hex(self) -> str:
        return self.public_key.hex()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def sign(self, position: int, head: bytes) -> str:
        return self.private.sign(checkpoint_message(position, head)).hex()


def data_directory() -> Path:
    """``$XDG_DATA_HOME/leitai``; ``~/.local/share/leitai`` when XDG_DATA_HOME is unset (or,
    as the XDG specification says, not an absolute path)."""
    configured = os.environ.get("XDG_DATA_HOME", "")
    base = Path(configured) if os.path.isabs(configured) else Path.home() / ".local" / "share"
    return base / "leitai"


def key_name(store: StoreURL) -> str:
    """What the key files of this database are named after: for SQLite a readable stem of the
    file name and the first 8 hex digits of the SHA-256 of its absolute path (two databases of
    one name in different directories never share a key); for PostgreSQL ``DB@HOST-PORT``."""
    if store.kind == "sqlite":
        path = os.path.abspath(store.path)
        stem = re.sub(r"[^\w.-]+", "_", Path(path).stem).strip("._")[:40] or "leitai"
        return f"{stem}-{hashlib.sha256(path.encode('utf-8', 'surrogateescape')).hexdigest()[:8]}"
    return f"{store.dbname}@{store.host}-{store.port}"


def signing_key_path(store: StoreURL) -> Path:
    """Where this database's signing key belongs unless configured: ``NAME.signing-key.pem``
    in the data directory."""
    return data_directory() / f"{key_name(store)}.signing-key.pem"


def beside_path(store: StoreURL) -> Path | None:
    """Where earlier versions kept an SQLite deployment's signing key: beside the database
    file (``NAME.db.signing-key.pem``); None for PostgreSQL (its key was always apart)."""
    return Path(store.path + ".signing-key.pem") if store.kind == "sqlite" else None


def default_path(store: StoreURL) -> Path:
    """``LEITAI_SIGNING_KEY``; else :func:`signing_key_path` - or, while an earlier version's
    key is still beside the SQLite file and none is at the new place, that one (the deployment
    keeps signing with its one key until ``leitai db upgrade`` moves it)."""
    configured = os.environ.get("LEITAI_SIGNING_KEY")
    if configured:
        return Path(configured)
    path = signing_key_path(store)
    old = beside_path(store)
    if old is not None and not path.exists() and old.exists():
        return old
    return path


def secret_key_path(store: StoreURL) -> Path:
    """The token key's file: ``LEITAI_SECRET_KEY_FILE``; else ``NAME.secret-key`` in the data
    directory."""
    configured = os.environ.get("LEITAI_SECRET_KEY_FILE")
    return Path(configured) if configured else data_directory() / f"{key_name(store)}.secret-key"


def key_files(store: StoreURL) -> list[Path]:
    """The key files derived from this database, never one a setting names: its signing key
    (with the signer's state and lock) and token key in the data directory and (SQLite) an
    earlier version's key beside it."""
    from eventstore.signing import STATE_SUFFIX

    signing = signing_key_path(store)
    found = [signing, Path(str(signing) + STATE_SUFFIX), Path(str(signing) + ".lock"),
             data_directory() / f"{key_name(store)}.secret-key"]
    old = beside_path(store)
    return found + ([old, Path(str(old) + STATE_SUFFIX), Path(str(old) + ".lock")] if old is not None else [])


def secret_key(store: StoreURL) -> str:
    """The key that signs sign-in tokens: ``LEITAI_SECRET_KEY``; else the one in
    :func:`secret_key_path`, made (32 random bytes, hex) by the first process that asks."""
    configured = os.environ.get("LEITAI_SECRET_KEY")
    if configured:
        return configured
    path = secret_key_path(store)
    return _read_secret(path) or _create_secret(path, secrets.token_hex(32))


def keep_secret_key(store: StoreURL, value: str) -> str:
    """Put a token key found elsewhere (an earlier version kept it in the database) in its
    file, never overwriting one.  What happened: ``"configured"`` (LEITAI_SECRET_KEY is set:
    that one is used, nothing written), ``"written"``, ``"same"`` (the file already holds
    it) or ``"other"`` (the file holds another key, which is the one in use)."""
    if os.environ.get("LEITAI_SECRET_KEY"):
        return "configured"
    path = secret_key_path(store)
    found = _read_secret(path)
    if found is None:
        return "written" if _create_secret(path, value) == value else "other"
    return "same" if found == value else "other"


EMPTY_WAIT = 2.0  # seconds a just-created token key file may stay empty (its creator is writing it)


def _read_secret(path: Path) -> str | None:
    deadline = time.monotonic() + EMPTY_WAIT
    while True:
        try:
            value = path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as error:
            why = getattr(error, "strerror", None) or "not text"
            raise StoreError(problem=f"cannot read the token key {path}: {why}",
                             problem_zh=f"无法读取令牌密钥 {path}：{why}") from None
        if value:
            return value
        if time.monotonic() > deadline:
            raise StoreError(problem=f"the token key file {path} is empty; delete it (everyone signs in again)",
                             problem_zh=f"令牌密钥文件 {path} 是空的；请删除它（所有人需重新登录）")
        time.sleep(0.05)


def _create_secret(path: Path, value: str) -> str:
    """Write ``value`` to a new file at ``path`` (0600); the key in the file, which is another
    process's if it created the file first."""
    try:
        private_directory(path.parent)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return _read_secret(path) or value
    except OSError as error:
        raise StoreError(problem=f"cannot create the token key {path}: {error.strerror}",
                         problem_zh=f"无法创建令牌密钥 {path}：{error.strerror}") from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(value + "\n")
    return value


def move_beside_key(store: StoreURL) -> tuple[str, Path, Path] | None:
    """Move an earlier version's signing key from beside the SQLite file to
    :func:`signing_key_path` (mode 0600), never overwriting.  ``(outcome, old, new)``, or None
    when there is none beside the database.  Outcomes: ``"moved"``; ``"duplicate"`` (the same
    key was already at the new place: the copy beside the database is deleted); ``"both"``
    (another key is at the new place: neither is touched); ``"configured"``
    (``LEITAI_SIGNING_KEY`` names the file beside the database: it is left where it is)."""
    old = beside_path(store)
    if old is None or not old.is_file():
        return None
    new = signing_key_path(store)
    configured = os.environ.get("LEITAI_SIGNING_KEY")
    if configured and Path(configured).resolve() == old.resolve():
        return "configured", old, new
    data = old.read_bytes()
    try:
        private_directory(new.parent)
        descriptor = os.open(new, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        if new.read_bytes() != data:
            return "both", old, new
        old.unlink()
        _move_companions(old, new)
        return "duplicate", old, new
    except OSError as error:
        raise StoreError(problem=f"cannot create {new}: {error.strerror}",
                         problem_zh=f"无法创建 {new}：{error.strerror}") from None
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except OSError as error:
        new.unlink(missing_ok=True)
        raise StoreError(problem=f"cannot write {new}: {error.strerror}",
                         problem_zh=f"无法写入 {new}：{error.strerror}") from None
    old.unlink()
    _move_companions(old, new)
    return "moved", old, new


def _move_companions(old: Path, new: Path) -> None:
    """The signer's state (the last head it signed, eventstore/signing.py) goes with its key;
    its lock file is dropped.  A state already at the new place is never overwritten."""
    from eventstore.signing import STATE_SUFFIX

    state, moved = Path(str(old) + STATE_SUFFIX), Path(str(new) + STATE_SUFFIX)
    if state.is_file() and not moved.exists():
        os.replace(state, moved)
    Path(str(old) + ".lock").unlink(missing_ok=True)


class LazySigner:
    """A Signer loaded (or created) the first time a checkpoint is signed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._signer: Signer | None = None

    def _get(self) -> Signer:
        if self._signer is None:
            self._signer = load_signer(self.path)
        return self._signer

    def sign(self, position: int, head: bytes) -> str:
        return self._get().sign(position, head)

    @property
    def public_hex(self) -> str:
        return self._get().public_hex

    @property
    def fingerprint(self) -> str:
        return self._get().fingerprint

    @property
    def public_key(self) -> bytes:
        return self._get().public_key


def load_signer(path: Path, create: bool = True) -> Signer:
    """The key at ``path``; a new one is written there (0600) if none exists and ``create``."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if not create:
            raise StoreError(problem=f"no signing key at {path}", problem_zh=f"{path} 处没有签名密钥") from None
        return _create(path)
    except OSError as error:
        raise StoreError(problem=f"cannot read the signing key {path}: {error.strerror}",
                         problem_zh=f"无法读取签名密钥 {path}：{error.strerror}") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise StoreError(problem=f"{path} is not an unencrypted PEM private key",
                         problem_zh=f"{path} 不是未加密的 PEM 私钥文件") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise StoreError(problem=f"{path} is not an Ed25519 key", problem_zh=f"{path} 不是 Ed25519 密钥")
    return Signer(key, path)


def _create(path: Path) -> Signer:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    try:
        private_directory(path.parent)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use that one
        return load_signer(path, create=False)
    except OSError as error:
        raise StoreError(problem=f"cannot create the signing key {path}: {error.strerror}",
                         problem_zh=f"无法创建签名密钥 {path}：{error.strerror}") from None
    with os.fdopen(descriptor, "wb") as out:
        out.write(pem)
    return Signer(key, path)


def public_key(text: str) -> bytes:
    """A public key given by an auditor: 64 hex digits, or a PEM file's path."""
    value = text.strip()
    if len(value) == 64:
        try:
            return bytes.fromhex(value)
        except ValueError:
            pass
    path = Path(value)
    if path.is_file():
        data = path.read_bytes()
        try:
            if b"PRIVATE KEY" in data:
                key = serialization.load_pem_private_key(data, password=None)
                loaded = key.public_key()
            else:
                loaded = serialization.load_pem_public_key(data)
        except (ValueError, TypeError):
            loaded = None
        if isinstance(loaded, Ed25519PublicKey):
            return loaded.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    raise InvalidValue("--key", text, "expected an Ed25519 public key: 64 hex digits or a PEM file",
                       "应为 Ed25519 公钥：64 位十六进制字符，或 PEM 文件路径")


def verify(public: bytes, position: int, head: str, signature: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(bytes.fromhex(signature), checkpoint_message(position, head))
    except (InvalidSignature, ValueError):
        return False
    return True


def public_pem(signer: Signer) -> str:
    return signer.private.public_key().public_bytes(serialization.Encoding.PEM,
                                                    serialization.PublicFormat.SubjectPublicKeyInfo).decode()
