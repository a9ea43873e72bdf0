"""Server-Sent Events: a round's board pushed to every listener as it is projected.

``GET /api/rounds/<code>/events`` sends the board at once (unless ``Last-Event-ID`` is
already its position), then each new board when the round changes; each event's id is
the round's position on the read side, so a listener that reconnects with
``Last-Event-ID`` gets what it missed - the latest board - and nothing twice.  A ``ping``
event (no id) every 15 seconds keeps idle connections open through proxies and lets a
big screen tell a quiet round from a dead connection.

Who may listen is checked again at every change of the round, not only on connecting: when
the public may no longer see the board (its live board switched off), the stream sends an
``end`` event and closes.  Each stream holds one of the server's threads, so at most
``LEITAI_MAX_STREAMS`` are open at once (``leitai serve`` keeps 32 threads for everything
else); one more is answered 503 with ``Retry-After``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Response, current_app, request
from flask.views import MethodView

from api.rest.base import Blueprint
from api.rest.errors import TooManyStreams
from api.rest.resources.rounds import seen
from api.rest.security import principal
from domain import access

blp = Blueprint("stream", __name__, url_prefix="/api/rounds", description="Live pushes (Server-Sent Events)")
KEEPALIVE = 15.0


@blp.route("/<code>/events")
class StreamResource(MethodView):
    @blp.response(200, description="text/event-stream: `event: board`, `id: <position>`, `data: <the board JSON>`")
    def get(self, code: str) -> Any:
        """The round's board as it changes (Server-Sent Events; resumes with Last-Event-ID)"""
        view = seen(code)
        who = principal()
        hub = current_app.extensions["leitai_hub"]
        limit = int(current_app.config.get("LEITAI_MAX_STREAMS") or 200)
        if hub.streams >= limit:
            raise TooManyStreams(limit=limit)
        last = request.headers.get("Last-Event-ID") or request.args.get("last_event_id") or ""
        sent = int(last) if last.isdigit() and len(last) < 19 else -1

        def still_seen() -> bool:
            try:
                return access.sees_round(who, hub.round_view(view.code))
            finally:
                hub.release()

        def events() -> Iterator[bytes]:
            nonlocal sent
            hub.opened_stream()
            try:
                yield b"retry: 2000\n\n"
                position = hub.round_position(view.code)
                while not hub.stopping:
                    if position > sent:
                        if not still_seen():
                            yield b"event: end\ndata: {}\n\n"  # no longer this listener's to see
                            return
                        position, body = hub.board(view.code, "any", lambda read: read.leaderboard(view.code))
                        yield b"id: %d\nevent: board\ndata: %s\n\n" % (position, body)
                        sent = position
                    position = hub.wait_round(view.code, sent, KEEPALIVE)
                    if position <= sent and not hub.stopping:
                        yield b"event: ping\ndata: {}\n\n"
            finally:
                hub.closed_stream()

        response = Response(events(), mimetype="text/event-stream")
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Accel-Buffering"] = "no"
        return response
