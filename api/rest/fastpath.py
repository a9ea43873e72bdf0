"""Anonymous reads of a live board, answered before Flask.

On a contest day most requests are the public polling a round's board (a phone in the
hall, a township's screen).  Each answer is the same bytes until the round changes, and
the framework around it - routing, the request context, marshmallow's response wrapper -
costs more than the answer itself.  This WSGI layer keeps the exact response the
application gave to an anonymous ``GET /api/rounds/<code>/board`` (status 200, every
header, the body) and gives it again while the read side's position for that round is
the one in its ``ETag``; ``If-None-Match`` with that tag gets the same ``304`` the
application would give.

Only requests that carry nothing that could change the answer take this path: no
``Authorization``, no session cookie, no query string; the entry is keyed by the exact
path and the ``Accept-Language`` and ``Cookie`` headers.  Anything else, a change of the
round (a sheet, its state, its live-board setting: all events that move its position),
a rebuild of the read side, or an answer other than 200 goes through the application as
before.  ``LEITAI_FAST_READS = False`` in the app's config turns it off.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

from api.rest.hub import Hub
from api.rest.security import COOKIE

BOARD = re.compile(r"/api/rounds/([^/]{1,80})/board")
ETAG = re.compile(r'W/"(\d+)-[0-9a-f]+"')
MAX_ENTRIES = 512  # distinct (path, language, cookie) answers kept; beyond that the oldest go
MAX_KEY = 512  # characters of Accept-Language and Cookie together; longer ones take the long way
KEPT_ON_304 = ("etag", "leitai-projected")  # what the application sends with 304 Not Modified (base.conditional)

Entry = tuple[int, int, str, str, list[tuple[str, str]], bytes]  # generation, position, round, tag, headers, body


class PublicReads:
    def __init__(self, app: Callable[..., Iterable[bytes]], hub: Hub) -> None:
        self.app = app
        self.hub = hub
        self._entries: dict[tuple[str, str, str], Entry] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if (environ.get("REQUEST_METHOD") != "GET" or not path.endswith("/board") or environ.get("QUERY_STRING")
                or "HTTP_AUTHORIZATION" in environ or COOKIE in environ.get("HTTP_COOKIE", "")
                or "HTTP_LEITAI_POSITION" in environ):  # read-your-writes: api/rest/consistency.py
            return self.app(environ, start_response)
        match = BOARD.fullmatch(path)
        if match is None:
            return self.app(environ, start_response)
        key = (path, environ.get("HTTP_ACCEPT_LANGUAGE", ""), environ.get("HTTP_COOKIE", ""))
        if len(key[1]) + len(key[2]) > MAX_KEY:  # nobody's browser: not worth a place in memory
            return self.app(environ, start_response)
        entry = self._entries.get(key)
        if entry is not None:
            generation, position, code, tag, headers, body = entry
            hub = self.hub
            if hub.generation == generation and hub.round_positions.get(code) == position:
                wanted = environ.get("HTTP_IF_NONE_MATCH")
                if wanted and tag in [t.strip() for t in wanted.split(",")]:
                    start_response("304 NOT MODIFIED", [(k, v) for k, v in headers if k.lower() in KEPT_ON_304])
                    return []
                start_response("200 OK", headers)
                return [body]
        return self._through(key, environ, start_response)

    def _through(self, key: tuple[str, str, str], environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        """The application answers; a 200 with a board's ETag is kept for the next one."""
        generation = self.hub.generation
        seen: dict[str, Any] = {}
        _answered.round = _answered.position = None

        def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, list(headers)
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        result = self.app(environ, keep)
        if not seen.get("status", "").startswith("200 "):
            return result
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        headers = seen["headers"]
        tag = next((v for k, v in headers if k.lower() == "etag"), "")
        found = ETAG.fullmatch(tag)
        if found is not None and not any(k.lower() == "set-cookie" for k, _ in headers):
            code = _answered.round if _answered.position == int(found.group(1)) else None
            if code is not None:
                with self._lock:
                    if len(self._entries) >= MAX_ENTRIES:
                        self._entries.pop(next(iter(self._entries)))
                    self._entries[key] = (generation, int(found.group(1)), code, tag, headers, body)
        return [body]


_answered = threading.local()


def note_board(code: str, position: int) -> None:
    """Called by the board resource: which round (normalised) and position it answered with."""
    _answered.round, _answered.position = code, position
