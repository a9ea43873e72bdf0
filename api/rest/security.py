"""Signing in and who is asking: tokens, guessing slowed down, the principal.

A token is ``Authorization: Bearer …``: the account name, its token generation and the
deployment it was issued by (:func:`deployment`), signed (itsdangerous) with the
deployment's token key (kept apart from the database, :func:`eventstore.keys.secret_key`)
and expiring after ``TOKEN_HOURS``.  A token of another deployment is refused even where
the same key is used.  A password change, a revoked role or a disabled account raises
the generation and so voids every token issued before.  The actor recorded on an event
always comes from the token, never from a request body.

Failed sign-ins are counted per account and address (:class:`Throttle`): guessing one
account from one address is stopped, never the right password of the right person from
another address, which at most waits a short, bounded delay.  The address is the
client's as the trusted reverse proxies tell it (``LEITAI_TRUSTED_PROXIES``,
:func:`client_address`).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import current_app, g, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from api.rest.errors import Forbidden, TooManyAttempts, Unauthorized
from domain import access
from domain.access import Principal, RoundView
from domain.errors import InvalidValue, LeitaiError
from domain.model.account import Grant, account_name
from domain.model.base import Actor

TOKEN_HOURS = 12
FAILURES_ALLOWED = 5  # failed sign-ins of one account from one address before each next one must wait
WINDOW = 15 * 60  # seconds a failure is remembered
ACCOUNT_SLOWDOWN_AFTER = 10  # failures of one account from anywhere before its sign-ins are slowed down
ADDRESS_SLOWDOWN_AFTER = 20  # failures from one address (any accounts) before its sign-ins are slowed down
SLOWDOWN_FIRST = 0.1  # seconds: the first delay, doubled with each further failure ...
SLOWDOWN_MAX = 2.0  # ... up to this (a delay, never a refusal)
STRIPES = 64  # locks that keep sign-ins of one account from one address one at a time


class Throttle:
    """Failed sign-ins, counted in three ways (each failure kept ``WINDOW`` seconds):

    * per account **and** address: after ``FAILURES_ALLOWED``, each further attempt from
      that address for that account waits twice as long as the last (429 with
      ``Retry-After``, up to 15 minutes) - guessing is stopped where it comes from;
    * per account, from every address: after ``ACCOUNT_SLOWDOWN_AFTER``, every sign-in of
      the account is slowed down (0.1 s, doubling, at most ``SLOWDOWN_MAX``) - guesses from
      many addresses are slowed, and the right person, from their own address, still gets
      in after that short delay;
    * per address, for every account: after ``ADDRESS_SLOWDOWN_AFTER``, slowed down the
      same way (password spraying), never refused: people behind one address are many.

    A success clears its own account+address bucket only."""

    def __init__(self, sleep: Any = time.sleep) -> None:
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._stripes = [threading.Lock() for _ in range(STRIPES)]
        self._sleep = sleep
        self._count = 0
        self.refused = {"password": 0, "throttled": 0}  # sign-ins refused, for /metrics (api/rest/metrics.py)

    def _recent(self, key: str, now: float) -> deque[float]:
        found = self._failures[key]
        while found and now - found[0] > WINDOW:
            found.popleft()
        if not found:
            del self._failures[key]  # nothing to remember: no entry left behind for each name tried
            return deque()
        return found

    @contextmanager
    def serial(self, account: str, address: str) -> Iterator[None]:
        """One sign-in at a time per account and address (a striped lock): guesses sent all
        at the same moment are checked one after another, so the first few failures are
        counted before the next guess is let through."""
        stripe = self._stripes[hash(f"{account}\0{address}") % STRIPES]
        with stripe:
            yield

    def check(self, account: str, address: str) -> None:
        """TooManyAttempts when this account may not be tried from this address yet."""
        now = time.monotonic()
        with self._lock:
            failures = self._recent(f"p:{account}\0{address}", now)
            if len(failures) >= FAILURES_ALLOWED:
                wait = min(2 ** (len(failures) - FAILURES_ALLOWED), WINDOW)
                left = int(failures[-1] + wait - now) + 1
                if left > 0:
                    self.refused["throttled"] += 1
                    raise TooManyAttempts(seconds=left)

    def delay(self, account: str, address: str) -> float:
        """How long a sign-in of this account from this address waits before it is checked
        (seconds; 0 unless the account, or the address, has failed many times lately)."""
        now = time.monotonic()
        with self._lock:
            over = max(len(self._recent(f"a:{account}", now)) - ACCOUNT_SLOWDOWN_AFTER,
                       len(self._recent(f"ip:{address}", now)) - ADDRESS_SLOWDOWN_AFTER)
        return 0.0 if over < 0 else min(SLOWDOWN_FIRST * 2 ** over, SLOWDOWN_MAX)

    def slow_down(self, account: str, address: str) -> None:
        seconds = self.delay(account, address)
        if seconds > 0:
            self._sleep(seconds)

    def failed(self, account: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in (f"p:{account}\0{address}", f"a:{account}", f"ip:{address}"):
                found = self._recent(key, now)
                if not found:
                    found = self._failures[key]
                found.append(now)
            self._count += 1
            self.refused["password"] += 1
            if self._count % 1024 == 0:  # forget the names and addresses tried long ago
                for key in [k for k, v in self._failures.items() if not v or now - v[-1] > WINDOW]:
                    del self._failures[key]

    def succeeded(self, account: str, address: str) -> None:
        with self._lock:
            self._failures.pop(f"p:{account}\0{address}", None)


def trusted_proxies(text: str | None) -> tuple[Any, ...]:
    """``LEITAI_TRUSTED_PROXIES``: addresses or networks (CIDR), separated by commas or
    spaces; InvalidValue names a bad one."""
    import ipaddress

    networks = []
    for item in (text or "").replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise InvalidValue("LEITAI_TRUSTED_PROXIES", item, "an IP address or network (CIDR) is expected",
                               "应为 IP 地址或网段（CIDR）") from None
    return tuple(networks)


def client_address() -> str:
    """The client's address: the connection's peer, unless that is a trusted proxy
    (``LEITAI_TRUSTED_PROXIES``); then ``X-Forwarded-For`` read from the right, past every
    trusted proxy, as Werkzeug's ProxyFix reads it - the first address no trusted proxy
    vouches for.  A client cannot choose its bucket by sending the header itself: the
    header is read only from a trusted proxy, and only what a trusted proxy appended."""
    peer = request.remote_addr or "-"
    trusted = current_app.extensions.get("leitai_trusted_proxies") or ()
    if not trusted or not _trusted(peer, trusted):
        return peer
    hops = [hop.strip() for header in request.headers.getlist("X-Forwarded-For") for hop in header.split(",")]
    address = peer
    for hop in reversed([h for h in hops if h]):
        address = hop
        if not _trusted(hop, trusted):
            break
    return address


def _trusted(address: str, trusted: tuple[Any, ...]) -> bool:
    import ipaddress

    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return False
    if getattr(ip, "ipv4_mapped", None) is not None:
        ip = ip.ipv4_mapped  # type: ignore[union-attr]
    return any(ip.version == net.version and ip in net for net in trusted)


def deployment(store: Any) -> str:
    """Which deployment a token belongs to: the log's origin (one per database, made at
    random by the migration that built the Merkle tree; eventstore.tree) together with where
    the database is - PostgreSQL's id of the database (a copy made with CREATE DATABASE …
    TEMPLATE, or restored from a dump, is a database of its own), SQLite's file by its
    absolute path.  Two databases sharing one token key accept no token of each other."""
    import hashlib
    import os

    from eventstore.tree import TreeStore

    origin = TreeStore(store).origin() or ""
    if store.kind == "postgresql":
        import psycopg

        with psycopg.connect(store.conninfo(), autocommit=True, connect_timeout=5) as conn:
            row = conn.execute("SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()").fetchone()
        place = f"postgresql:{row[0]}"
    else:
        place = f"sqlite:{os.path.realpath(store.path)}"
    return hashlib.sha256(f"{origin}\n{place}".encode()).hexdigest()[:24]


def serializer() -> URLSafeTimedSerializer:
    return current_app.extensions["leitai_tokens"]


def token_key(store: Any) -> str:
    """The deployment's token key: LEITAI_SECRET_KEY, else its file, never the database
    (eventstore.keys.secret_key)."""
    from eventstore.keys import secret_key

    return secret_key(store)


def issue(account: dict[str, Any]) -> tuple[str, int]:
    token = serializer().dumps({"a": account["account"], "g": account["generation"],
                                "d": current_app.extensions["leitai_deployment"]})
    return token, TOKEN_HOURS * 3600


COOKIE = "leitai_token"


def sign_in(name: str, password: str) -> tuple[dict[str, Any], str, int]:
    """(the account, a token, its lifetime in seconds), or Unauthorized / TooManyAttempts:
    failed attempts are slowed down per account and per address."""
    try:
        name = account_name(name)
    except Exception:  # noqa: BLE001 - an impossible name is a failed sign-in like any other
        name = "-"
    account = checked_password(name, password, Unauthorized(
        why="the name or password is wrong, or the account is disabled", why_zh="用户名或密码错误，或账号已停用"))
    token, seconds = issue(account)
    return account, token, seconds


def checked_password(name: str, password: str, wrong: LeitaiError) -> dict[str, Any]:
    """The account (as its events tell it) if ``password`` is its password, with the stored
    hash its events commit to, and it is not disabled; else ``wrong`` is raised.  Signing in
    and changing one's password both go through here: failed attempts are slowed down per
    account and per address (TooManyAttempts), so neither is a way to guess."""
    throttle = current_app.extensions["leitai_throttle"]
    address = client_address()
    throttle.slow_down(name, address)  # a short delay, outside the lock: never a refusal
    with throttle.serial(name, address):
        throttle.check(name, address)
        account = recorded_account(name, again=True) if name != "-" else None
        expected = account["commitment"] if account is not None else None
        if not current_app.extensions["leitai_sidecar"].check_password(name, password, expected) \
                or account is None or account["disabled"]:
            throttle.failed(name, address)
            raise wrong
        throttle.succeeded(name, address)
    return account


def principal() -> Principal:
    """Who is asking (the public when no token is given); cached for the request."""
    if "principal" in g:
        return g.principal
    g.principal = identify(credentials())
    return g.principal


def credentials() -> str:
    """The request's credentials as an ``Authorization`` value ('' for the public)."""
    header = request.headers.get("Authorization", "")
    if not header and request.method in ("GET", "HEAD") and request.cookies.get(COOKIE):
        # the web pages' session: a signed-in browser reads with its cookie (a page, the live
        # stream); every command still needs the Authorization header, so no other site can
        # make a browser change anything
        header = f"Bearer {request.cookies[COOKIE]}"
    return header


def identify(header: str) -> Principal:
    """Who the credentials name now, or Unauthorized (expired, void, disabled).  Needs the
    application's context only, not a request's: a live stream asks again with the
    credentials it was opened with at each change and each ping, so that it ends when its
    listener's rights end."""
    if not header:
        return Principal(None)
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(why="expected `Authorization: Bearer <token>`", why_zh="应为 Authorization: Bearer <令牌>")
    try:
        claims = serializer().loads(token.strip(), max_age=TOKEN_HOURS * 3600)
    except SignatureExpired:
        raise Unauthorized(why="the token has expired; sign in again", why_zh="令牌已过期，请重新登录") from None
    except BadSignature:
        raise Unauthorized(why="the token is not valid", why_zh="令牌无效") from None
    if not isinstance(claims, dict) or not isinstance(claims.get("a"), str):
        raise Unauthorized(why="the token is not valid", why_zh="令牌无效")
    if claims.get("d") != current_app.extensions["leitai_deployment"]:
        raise Unauthorized(why="the token was issued by another deployment (another database); sign in here",
                           why_zh="令牌不是本系统（本数据库）签发的，请在此重新登录")
    # the account as its events tell it, never the read side's row: whoever can write the read
    # side's tables (the application's database login) grants nothing, and a change takes
    # effect at once whether or not the projector runs
    account = recorded_account(claims["a"])
    if account is None or account["disabled"] or account["generation"] != claims.get("g"):
        raise Unauthorized(why="the account is disabled or its password or roles changed; sign in again",
                           why_zh="账号已停用，或密码、角色已变更；请重新登录")
    grants = tuple(Grant(**grant) for grant in account["grants"])
    return Principal(account["account"], grants, account["display_name"])


def recorded_account(name: str, again: bool = False) -> dict[str, Any] | None:
    """An account as its events tell it now: who signs in, and with what rights, comes from
    the append-only log, never from the read side (``commitment``: what its stored password
    hash must hash to).  The state folded from its events is kept while the log's tail shows
    no event of it since (api/rest/rights.py); ``again``: folded anew (signing in)."""
    from domain.model.account import account_id, account_name

    try:
        key = account_name(name)
    except Exception:  # noqa: BLE001 - no account can have that name
        return None

    def fold() -> dict[str, Any] | None:
        found = current_app.extensions["leitai"].read(lambda s: s.find_account(key))
        if found is None:
            return None
        return {"account": found.name, "display_name": found.display_name, "disabled": found.disabled,
                "generation": found.generation, "grants": [{"role": g.role, **g.scope()} for g in found.grants],
                "commitment": found.password_commitment}

    return current_app.extensions["leitai_rights"].state(account_id(key), fold, again)



def signed_in() -> Principal:
    p = principal()
    if p.public:
        raise Unauthorized(why="this needs an account", why_zh="此操作需要登录")
    return p


def refuse(p: Principal, action: str, action_zh: str) -> Forbidden | Unauthorized:
    if p.public:
        return Unauthorized(why="this needs an account", why_zh="此操作需要登录")
    return Forbidden(account=p.name, action=action, action_zh=action_zh)


def actor(p: Principal, role: str) -> Actor:
    return Actor(p.name or "public", role)


def round_view(code: str) -> RoundView:
    """What the policy needs to know about a round (from the read side, cached)."""
    return current_app.extensions["leitai_hub"].round_view(code)


def require(allowed: bool, p: Principal, action: str, action_zh: str) -> None:
    if not allowed:
        raise refuse(p, action, action_zh)


def manages_round(code: str) -> tuple[Principal, RoundView]:
    p, view = principal(), round_view(code)
    require(access.manages_round(p, view), p, f"run round {view.code}", f"管理轮次 {view.code}")
    return p, view
