"""The deployment's Ed25519 signing key, and checking signatures made with it.

The key signs the checkpoints of the hash chain (:mod:`domain.chain`): after a command
that closes (seals), re-seals, publishes, republishes, finalizes or re-ranks a round, the
application signs the chain link at its last event and records that checkpoint as an
event (``Leitai.after_save``); ``leitai export events`` also signs the chain head of the
export, when the key exists.

Where the private key (an unencrypted PKCS#8 PEM file) lives, :func:`default_path`:
``LEITAI_SIGNING_KEY`` if set; else beside the SQLite file (``NAME.db.signing-key.pem``);
else, for PostgreSQL, ``$XDG_DATA_HOME/leitai/DBNAME@HOST-PORT.signing-key.pem``
(``~/.local/share`` when ``XDG_DATA_HOME`` is unset).  It is created there, mode 0600,
the first time a checkpoint is signed (:class:`LazySigner`) or by ``leitai keys show``;
an export never creates one.  Keep it away from the database and its backups in
production: whoever holds the key can sign a rewritten history.

The public key and its fingerprint (``leitai keys show``) are what auditors are given;
:func:`public_key` reads one as given on ``leitai verify --key`` (64 hex digits, or a PEM
file, public or private) and :func:`verify` checks a checkpoint's signature with it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from domain.chain import checkpoint_message, fingerprint
from domain.errors import InvalidValue, StoreError
from domain.services.store import StoreURL


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


def default_path(store: StoreURL) -> Path:
    """``LEITAI_SIGNING_KEY``; else beside the SQLite file; else, for PostgreSQL, in the
    user's data directory, named after the server and database."""
    configured = os.environ.get("LEITAI_SIGNING_KEY")
    if configured:
        return Path(configured)
    if store.kind == "sqlite":
        return Path(store.path + ".signing-key.pem")
    data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data / "leitai" / f"{store.dbname}@{store.host}-{store.port}.signing-key.pem"


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
        path.parent.mkdir(parents=True, exist_ok=True)
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
