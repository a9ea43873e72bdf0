"""What every resource shares: the blueprint class, how a command runs over HTTP
(idempotency, the acting account, read-your-writes), and conditional reads (ETag / 304).

A command answers with the log position of its last event and, before answering, waits
(at most ``WAIT`` seconds) until the read side includes it: a client that reads right
after writing sees its write.  With ``Idempotency-Key`` a retry gets the same answer
and records nothing more.  The key is claimed with its request's fingerprint (method,
path, body) before the command runs (:meth:`eventstore.sidecar.Sidecar.claim`), so of
two requests sent at once with one key exactly one runs: the other, if it is the same
request, gets the same answer once there is one (or 409 ``RequestInProgress``), and if
it is another request, 422 ``KeyReused``.  The key goes on to the domain's own
idempotency keys carrying the fingerprint, so the domain too refuses a key recorded for
another command; the answer is kept beside the store.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

import orjson
from flask import Response, current_app, g, request
from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser

from api.rest.errors import KeyReused, RequestInProgress
from api.rest.security import principal
from domain.errors import InvalidValue
from domain.errors import KeyReused as DomainKeyReused
from domain.model.base import with_digest
from eventstore.sidecar import PENDING

WAIT = 5.0


class Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400  # a body that does not match its schema is malformed, not refused

    def _raw_load_json(self, req: Any) -> Any:
        """JSON too deeply nested for the parser, or an integer longer than Python reads
        (4,300 digits), is malformed JSON like any other (400), not an internal error."""
        import json

        try:
            return super()._raw_load_json(req)
        except json.JSONDecodeError:
            raise
        except (RecursionError, ValueError) as error:
            problem = "nested too deeply" if isinstance(error, RecursionError) else "a number too long to read"
            raise json.JSONDecodeError(problem, "(body)", 0) from None


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = Parser()


def leitai() -> Any:
    return current_app.extensions["leitai"]


def hub() -> Any:
    """This request's read side: the primary's, or a read replica's (api/rest/consistency.py)."""
    return g.get("leitai_hub") or current_app.extensions["leitai_hub"]


def sidecar() -> Any:
    return current_app.extensions["leitai_sidecar"]


def idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > 100 or not key.isprintable():
        raise InvalidValue("Idempotency-Key", key[:40], "1 to 100 printable characters", "应为 1 到 100 个可见字符")
    return key


def command(work: Callable[[Any, str | None], Any], what: str, answer: Callable[[Any], dict[str, Any]],
            body: bytes | None = None) -> dict[str, Any] | Response:
    """Run ``work(session, domain_key)`` as one command of the signed-in account.  ``body``:
    what tells this request from another with the same key when the raw body does not (an
    upload, read as files: the digest of their names and bytes)."""
    p = principal()
    key = idempotency_key()
    account = p.name or "public"
    domain_key = None
    if key is not None:
        sent = request.get_data() if body is None else body
        fingerprint = hashlib.sha256(request.method.encode() + request.path.encode() + sent).hexdigest()
        known = _claim(account, key, fingerprint)
        if known is not None:
            response = Response(known[2], status=known[1], mimetype="application/json")
            response.headers["Idempotent-Replayed"] = "true"
            return response
        g.idempotency = (account, key, fingerprint)  # the answer is kept (or the claim let go) by remember_answer()
        domain_key = with_digest(f"http:{account}:{key}", fingerprint)
    hub().release()  # no read-model connection is held while the command queues and waits
    try:
        outcome = leitai().execute(lambda s: work(s, domain_key), what, principal=p)
    except DomainKeyReused:
        raise KeyReused(key=key) from None  # the domain's key names the request's: say it as it was sent
    position = outcome.position
    if position is None and domain_key is not None:
        # done before under this key (its server died before keeping the answer, and the retry ran it
        # again): nothing new is recorded, and the log as it stands includes what was - a position a
        # read may name to see it (read-your-writes), never None
        position = leitai().recorder.max_notification_id() or 0
    projected = hub().wait_for(position, WAIT)
    return {"position": position, "recorded": outcome.recorded, "projected": projected, **answer(outcome.value)}


CLAIM_WAIT = 2 * WAIT  # how long a request waits for the answer of the same request running elsewhere


def _claim(account: str, key: str, fingerprint: str) -> tuple[str, int, str] | None:
    """Claim the key (None: this request runs the command), or the answer kept for it.
    The same request still running elsewhere is waited for, up to ``CLAIM_WAIT`` seconds."""
    deadline = time.monotonic() + CLAIM_WAIT
    pause = 0.02
    while True:
        known = sidecar().claim(account, key, fingerprint)
        if known is None:
            return None
        if known[0] != fingerprint:
            raise KeyReused(key=key)
        if known[1] != PENDING:
            return known
        hub().release()
        if time.monotonic() >= deadline:
            raise RequestInProgress(key=key, seconds=1)
        time.sleep(pause)
        pause = min(pause * 2, 0.25)


TRANSIENT = {"ConcurrencyConflict", "StoreError", "StoreUnavailable", "Internal"}  # a retry may succeed


def remember_answer(response: Response) -> Response:
    """After a command with ``Idempotency-Key``: keep its answer (status and body) for a
    retry - not when a retry could succeed where this attempt failed (then the key's
    claim is let go, and a retry runs the command again)."""
    pending = g.pop("idempotency", None)
    if pending is None:
        return response
    data = response.get_data(as_text=True) if response.is_json else ""
    body = (response.get_json(silent=True) or {}) if response.is_json else {}
    try:
        if response.status_code >= 500 or not response.is_json or (
                isinstance(body, dict) and body.get("code") in TRANSIENT):
            sidecar().release(*pending)
            return response
        if isinstance(body, dict) and body.get("password"):
            # a one-time password is shown once and never kept: a retry learns it was set
            data = orjson.dumps({**body, "password": None}).decode()
        sidecar().remember(*pending, response.status_code, data)
    except Exception:  # noqa: BLE001 - the domain's key still keeps a retry from recording twice
        current_app.logger.warning("could not keep the answer of idempotent request %s", pending[1])
    return response


def conditional(position: int, variant: str, render: Callable[[], Any]) -> Response:
    """A read with ``ETag`` (the read side's position for what is read, and who reads in
    which language) and ``304 Not Modified`` to ``If-None-Match``."""
    tag = f'W/"{position}-{hashlib.sha1(variant.encode()).hexdigest()[:10]}"'
    if tag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        return Response(status=304, headers={"ETag": tag})
    data = render()
    response = Response(data if isinstance(data, (bytes, str)) else orjson.dumps(data), mimetype="application/json")
    response.headers["ETag"] = tag
    response.headers["Cache-Control"] = "no-cache"
    return response


def variant() -> str:
    from api.rest.errors import lang

    return f"{principal().name or '-'}|{lang()}"
