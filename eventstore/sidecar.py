"""Beside the event store: what must be kept but is not history.

* password hashes (scrypt, memory-hard): the event log records that a password changed,
  by whom and when, never the hash - an export given to auditors holds no secret;
* the answers to requests made with an ``Idempotency-Key``, so a retry gets the same
  answer (the commands themselves record nothing twice through the domain's own keys).

No key is kept here: the key that signs sign-in tokens lives apart from the database
(:func:`eventstore.keys.secret_key`); the table ``leitai_settings``, where earlier versions
kept it, is left empty by ``leitai db upgrade``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import threading
from datetime import datetime, timezone
from typing import Any

from domain.services.store import StoreURL

SCRYPT = {"n": 2**14, "r": 8, "p": 1}  # 16 MiB per hash: slow to guess, quick enough to sign in
MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, maxmem=64 * 2**20, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str | None) -> bool:
    """Constant-time; a missing hash still costs one scrypt (no timing hint that the account
    has no password)."""
    try:
        _, n, r, p, salt, digest = (stored or "").split("$")
        params = {"n": int(n), "r": int(r), "p": int(p)}
        salt_bytes, expected = bytes.fromhex(salt), bytes.fromhex(digest)
    except ValueError:
        params, salt_bytes, expected = SCRYPT, b"\0" * 16, b""
    # a lone surrogate (JSON "\ud800") is no character of any password: it never matches
    found = hashlib.scrypt(password.encode("utf-8", "surrogatepass"), salt=salt_bytes, dklen=32, maxmem=64 * 2**20, **params)
    return bool(expected) and hmac.compare_digest(found, expected)


def new_password() -> str:
    """A one-time password to hand over: 12 characters without look-alikes."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


class Sidecar:
    def __init__(self, store: StoreURL, connections: Any = None) -> None:
        """``connections``: where a server leases its connections from (anything with
        ``get()``); by default each thread opens one of its own."""
        self.store = store
        self._connections = connections
        self._local = threading.local()

    def _conn(self) -> Any:
        if self._connections is not None:
            return self._connections.get()
        conn = getattr(self._local, "conn", None)
        if conn is None or (self.store.kind == "postgresql" and conn.closed):
            if self.store.kind == "sqlite":
                conn = sqlite3.connect(self.store.path, isolation_level=None, timeout=5)
            else:
                import psycopg

                conn = psycopg.connect(self.store.conninfo(), autocommit=True, connect_timeout=5)
            self._local.conn = conn
        return conn

    def _sql(self, sql: str, params: tuple = ()) -> Any:
        if self.store.kind == "postgresql":
            sql = sql.replace("?", "%s")
        return self._conn().execute(sql, params)

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- passwords ------------------------------------------------------------------------------

    def set_password(self, account: str, password: str) -> None:
        now = datetime.now(timezone.utc).isoformat()
        self._sql("INSERT INTO leitai_credentials (account, hash, updated_at) VALUES (?, ?, ?) "
                  "ON CONFLICT (account) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at",
                  (account, hash_password(password), now))

    def check_password(self, account: str, password: str) -> bool:
        row = self._sql("SELECT hash FROM leitai_credentials WHERE account = ?", (account,)).fetchone()
        return password_matches(password, row[0] if row else None)

    # -- idempotent requests ------------------------------------------------------------------------

    def answered(self, account: str, key: str) -> tuple[str, int, str] | None:
        row = self._sql("SELECT fingerprint, status, body FROM leitai_requests WHERE account = ? AND key = ?",
                        (account, key)).fetchone()
        return None if row is None else (row[0], int(row[1]), row[2])

    def remember(self, account: str, key: str, fingerprint: str, status: int, body: str) -> None:
        now = datetime.now(timezone.utc).isoformat()
        self._sql("INSERT INTO leitai_requests (account, key, fingerprint, status, body, created_at) "
                  "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account, key) DO NOTHING",
                  (account, key, fingerprint, status, body, now))
