"""Beside the event store: what must be kept but is not history.

* password hashes (scrypt, memory-hard): the event log records that a password changed,
  by whom and when, never the hash - an export given to auditors holds no secret.  The
  event commits to the hash (:func:`commitment`), and a hash the account's events do not
  commit to signs nobody in: whoever can write this table (the application's database
  login, the database's owner) cannot give an account a password of their choosing;
* the answers to requests made with an ``Idempotency-Key``, so a retry gets the same
  answer (the commands themselves record nothing twice through the domain's own keys).
  A key is claimed, with the fingerprint of its request, before the command runs: its
  row (status 0, ``PENDING``) is inserted under the table's primary key, so of two
  requests sent at once with one key exactly one runs; the row then takes the answer.

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
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
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


def prepare(password: str) -> tuple[str, str]:
    """(the hash to store, the commitment its event records) of a new password.  The event is
    recorded first, then the hash kept (:meth:`Sidecar.store_hash`): a command refused records
    nothing and changes no hash, and a failure between the two signs nobody in."""
    stored = hash_password(password)
    return stored, commitment(stored)


def commitment(stored: str) -> str:
    """What a PasswordChanged event records of a stored hash: ``sha256:`` + the SHA-256 of its
    text.  It tells nothing of the password (the hash is salted and memory-hard) and binds the
    log to this one hash."""
    return "sha256:" + hashlib.sha256(stored.encode("utf-8")).hexdigest()


def committed(stored: str | None, expected: str | None) -> bool:
    """Whether a stored hash is the one the account's events commit to (``expected``; None for
    an account whose password an earlier version set, until ``leitai db upgrade`` commits it)."""
    if expected is None:
        return True
    return stored is not None and hmac.compare_digest(commitment(stored), expected)


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
        self._held: dict[tuple[str, str, str], float] = {}  # claims of requests running here -> since (monotonic)
        self._held_lock = threading.Lock()
        self._heartbeat: threading.Thread | None = None

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

    def store_hash(self, account: str, stored: str) -> None:
        """Keep an account's password hash - after the event committing to it is recorded."""
        now = datetime.now(timezone.utc).isoformat()
        self._sql("INSERT INTO leitai_credentials (account, hash, updated_at) VALUES (?, ?, ?) "
                  "ON CONFLICT (account) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at",
                  (account, stored, now))

    def stored_hash(self, account: str) -> str | None:
        row = self._sql("SELECT hash FROM leitai_credentials WHERE account = ?", (account,)).fetchone()
        return row[0] if row else None

    def stored_hashes(self) -> dict[str, str]:
        return dict(self._sql("SELECT account, hash FROM leitai_credentials").fetchall())

    def check_password(self, account: str, password: str, expected: str | None = None) -> bool:
        """The password is right, and its stored hash is the one the account's events commit
        to (``expected``, see :func:`committed`).  Both are always checked: no timing hint."""
        stored = self.stored_hash(account)
        right = password_matches(password, stored)
        return committed(stored, expected) and right

    # -- idempotent requests ------------------------------------------------------------------------

    def answered(self, account: str, key: str) -> tuple[str, int, str] | None:
        """(fingerprint, status, body) kept for the key; status ``PENDING`` while its request runs."""
        row = self._sql("SELECT fingerprint, status, body FROM leitai_requests WHERE account = ? AND key = ?",
                        (account, key)).fetchone()
        return None if row is None else (row[0], int(row[1]), row[2])

    def claim(self, account: str, key: str, fingerprint: str) -> tuple[str, int, str] | None:
        """Claim ``key`` for a request with ``fingerprint``: None when this request now holds
        it (run the command, then :meth:`remember` or :meth:`release`), else what the key
        holds: (fingerprint, status, body), status ``PENDING`` while another request runs.
        A claim is renewed every ``HEARTBEAT`` seconds while its request runs; one not renewed
        for ``STALE_CLAIM`` seconds (its server died mid-request) is taken over: the domain's
        own key still keeps its command from being recorded twice."""
        for _ in range(3):
            now = datetime.now(timezone.utc)
            inserted = self._sql(
                "INSERT INTO leitai_requests (account, key, fingerprint, status, body, created_at) "
                "VALUES (?, ?, ?, ?, '', ?) ON CONFLICT (account, key) DO NOTHING",
                (account, key, fingerprint, PENDING, now.isoformat())).rowcount
            if inserted == 1:
                self._hold((account, key, fingerprint))
                return None
            row = self._sql("SELECT fingerprint, status, body, created_at FROM leitai_requests "
                            "WHERE account = ? AND key = ?", (account, key)).fetchone()
            if row is None:
                continue  # released in between: claim it again
            if int(row[1]) == PENDING and _age(row[3], now) > STALE_CLAIM:
                with self._transaction():  # taken over only as found: not renewed or answered meanwhile
                    self._key_lock(account, key)
                    self._sql("DELETE FROM leitai_requests WHERE account = ? AND key = ? AND status = ? "
                              "AND created_at = ?", (account, key, PENDING, row[3]))
                continue
            return (row[0], int(row[1]), row[2])
        return (fingerprint, PENDING, "")

    def remember(self, account: str, key: str, fingerprint: str, status: int, body: str) -> None:
        """Keep the answer of the request that holds the key's claim (or of a request that
        made none): the pending row is replaced by the answer, in one transaction."""
        now = datetime.now(timezone.utc).isoformat()
        self._let_go((account, key, fingerprint))
        with self._transaction():
            self._key_lock(account, key)
            self._sql("DELETE FROM leitai_requests WHERE account = ? AND key = ? AND status = ? AND fingerprint = ?",
                      (account, key, PENDING, fingerprint))
            self._sql("INSERT INTO leitai_requests (account, key, fingerprint, status, body, created_at) "
                      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account, key) DO NOTHING",
                      (account, key, fingerprint, status, body, now))

    def release(self, account: str, key: str, fingerprint: str) -> None:
        """Give a claim up without an answer (a retry may succeed where this attempt failed)."""
        self._let_go((account, key, fingerprint))
        with self._transaction():
            self._key_lock(account, key)
            self._sql("DELETE FROM leitai_requests WHERE account = ? AND key = ? AND status = ? AND fingerprint = ?",
                      (account, key, PENDING, fingerprint))

    def _hold(self, claim: tuple[str, str, str]) -> None:
        with self._held_lock:
            self._held[claim] = time.monotonic()
            if self._heartbeat is None or not self._heartbeat.is_alive():
                self._heartbeat = threading.Thread(target=_renew_claims, args=(weakref.ref(self), self.store),
                                                   daemon=True, name="leitai-claims")
                self._heartbeat.start()

    def _let_go(self, claim: tuple[str, str, str]) -> None:
        with self._held_lock:
            self._held.pop(claim, None)

    def _key_lock(self, account: str, key: str) -> None:
        """PostgreSQL: the key's transaction lock - a renewal, an answer, a release and a
        takeover of one key's claim happen one after another, never interleaved (under READ
        COMMITTED a renewal's delete-and-insert could otherwise slip between an answer's delete
        and insert, and the answer be lost).  SQLite's writes are one at a time already."""
        if self.store.kind == "postgresql":
            self._sql("SELECT pg_advisory_xact_lock(?, hashtext(?))", (KEY_LOCK_CLASS, f"{account}\x1f{key}"))

    def _renew(self, account: str, key: str, fingerprint: str) -> None:
        now = datetime.now(timezone.utc).isoformat()
        with self._transaction():
            self._key_lock(account, key)
            gone = self._sql("DELETE FROM leitai_requests WHERE account = ? AND key = ? AND status = ? "
                             "AND fingerprint = ?", (account, key, PENDING, fingerprint)).rowcount
            if gone == 1:
                self._sql("INSERT INTO leitai_requests (account, key, fingerprint, status, body, created_at) "
                          "VALUES (?, ?, ?, ?, '', ?) ON CONFLICT (account, key) DO NOTHING",
                          (account, key, fingerprint, PENDING, now))

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        conn = self._conn()
        if self.store.kind == "postgresql":
            with conn.transaction():
                yield
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def _renew_claims(owner: Any, store: StoreURL) -> None:
    """Every ``HEARTBEAT`` seconds, while the sidecar ``owner()`` lives: the claims of its
    running requests get a new time (their pending row replaced, in one transaction, only if
    it is still there), so another server takes a claim over only once this one is gone.  A
    connection of its own, open only while there are claims to renew."""
    renewer = Sidecar(store)
    try:
        while True:
            time.sleep(HEARTBEAT)
            sidecar = owner()
            if sidecar is None:
                return
            with sidecar._held_lock:  # a request running longer than MAX_CLAIM is let age: it hangs
                claims = [c for c, since in sidecar._held.items() if time.monotonic() - since < MAX_CLAIM]
            del sidecar
            if not claims:
                renewer.close()
                continue
            for account, key, fingerprint in claims:
                try:
                    renewer._renew(account, key, fingerprint)
                except Exception:  # noqa: BLE001 - the store away: the claim ages; the next beat tries again
                    renewer.close()
    finally:
        renewer.close()


PENDING = 0  # the status of a claimed key whose request is still running
HEARTBEAT = 2.0  # seconds between renewals of the claims of running requests
# seconds: a claim not renewed this long was left by a server that died mid-request (the servers'
# clocks must agree to within STALE_CLAIM - HEARTBEAT; a retry waits up to api.rest.base.CLAIM_WAIT)
STALE_CLAIM = 8.0
MAX_CLAIM = 600.0  # seconds a claim is renewed at most: a request running longer hangs, and its key is let go
KEY_LOCK_CLASS = 0x4C54  # "LT": the first key of the claims' transaction locks (the second: a hash of account and key)


def _age(created_at: str, now: datetime) -> float:
    try:
        return (now - datetime.fromisoformat(created_at)).total_seconds()
    except (TypeError, ValueError):
        return float("inf")
