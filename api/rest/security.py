"""Signing in and who is asking: tokens, failed sign-ins slowed down, the principal.

A token is ``Authorization: Bearer …``: the account name and its token generation,
signed (itsdangerous) with the deployment's token key (kept apart from the database,
:func:`eventstore.keys.secret_key`) and expiring after
``TOKEN_HOURS``.  A password change, a revoked role or a disabled account raises the
generation and so voids every token issued before.  The actor recorded on an event
always comes from the token, never from a request body.
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
from domain.model.account import Grant, account_name
from domain.model.base import Actor

TOKEN_HOURS = 12
FAILURES_ALLOWED = 5  # per account within the window; per address it is four times as many
WINDOW = 15 * 60
STRIPES = 64  # locks that keep sign-ins of one account (and of one address) one at a time


class Throttle:
    """Failed sign-ins per account and per address: after a few, each further attempt
    waits twice as long as the last (up to 15 minutes)."""

    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._stripes = [threading.Lock() for _ in range(STRIPES)]

    def _recent(self, key: str, now: float) -> deque[float]:
        found = self._failures[key]
        while found and now - found[0] > WINDOW:
            found.popleft()
        return found

    @contextmanager
    def serial(self, account: str, address: str) -> Iterator[None]:
        """One sign-in at a time per account and per address (striped locks, taken in order):
        guesses sent all at the same moment are checked one after another, so the first few
        failures are counted before the next guess is let through."""
        stripes = sorted({hash(f"a:{account}") % STRIPES, hash(f"ip:{address}") % STRIPES})
        for i in stripes:
            self._stripes[i].acquire()
        try:
            yield
        finally:
            for i in reversed(stripes):
                self._stripes[i].release()

    def check(self, account: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key, allowed in ((f"a:{account}", FAILURES_ALLOWED), (f"ip:{address}", 4 * FAILURES_ALLOWED)):
                failures = self._recent(key, now)
                if len(failures) >= allowed:
                    wait = min(2 ** (len(failures) - allowed), WINDOW)
                    left = int(failures[-1] + wait - now) + 1
                    if left > 0:
                        raise TooManyAttempts(seconds=left)

    def failed(self, account: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent(f"a:{account}", now).append(now)
            self._recent(f"ip:{address}", now).append(now)

    def succeeded(self, account: str) -> None:
        with self._lock:
            self._failures.pop(f"a:{account}", None)


def serializer() -> URLSafeTimedSerializer:
    return current_app.extensions["leitai_tokens"]


def token_key(store: Any) -> str:
    """The deployment's token key: LEITAI_SECRET_KEY, else its file, never the database
    (eventstore.keys.secret_key)."""
    from eventstore.keys import secret_key

    return secret_key(store)


def issue(account: dict[str, Any]) -> tuple[str, int]:
    token = serializer().dumps({"a": account["account"], "g": account["generation"]})
    return token, TOKEN_HOURS * 3600


COOKIE = "leitai_token"


def sign_in(name: str, password: str) -> tuple[dict[str, Any], str, int]:
    """(the account, a token, its lifetime in seconds), or Unauthorized / TooManyAttempts:
    failed attempts are slowed down per account and per address."""
    throttle = current_app.extensions["leitai_throttle"]
    address = request.remote_addr or "-"
    try:
        name = account_name(name)
    except Exception:  # noqa: BLE001 - an impossible name is a failed sign-in like any other
        name = "-"
    with throttle.serial(name, address):
        throttle.check(name, address)
        account = recorded_account(name) if name != "-" else None
        if not current_app.extensions["leitai_sidecar"].check_password(name, password) or account is None \
                or account["disabled"]:
            throttle.failed(name, address)
            raise Unauthorized(why="the name or password is wrong, or the account is disabled",
                               why_zh="用户名或密码错误，或账号已停用")
        throttle.succeeded(name)
    token, seconds = issue(account)
    return account, token, seconds


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
    account = current_app.extensions["leitai_hub"].account(claims["a"])
    if account is None or (isinstance(claims.get("g"), int) and account["generation"] < claims["g"]):
        account = recorded_account(claims["a"])  # the read side has not caught up with it yet
    if account is None or account["disabled"] or account["generation"] != claims.get("g"):
        raise Unauthorized(why="the account is disabled or its password or roles changed; sign in again",
                           why_zh="账号已停用，或密码、角色已变更；请重新登录")
    grants = tuple(Grant(**grant) for grant in account["grants"])
    return Principal(account["account"], grants, account["display_name"])


def recorded_account(name: str) -> dict[str, Any] | None:
    """An account as its events tell it now (signing in never waits for the read side)."""
    found = current_app.extensions["leitai"].read(lambda s: s.find_account(name))
    if found is None:
        return None
    return {"account": found.name, "display_name": found.display_name, "disabled": found.disabled,
            "generation": found.generation, "grants": [{"role": g.role, **g.scope()} for g in found.grants]}


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
