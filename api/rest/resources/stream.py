"""Server-Sent Events: a round's board pushed to every listener as it is projected.

``GET /api/rounds/<code>/events`` sends the board at once (unless ``Last-Event-ID`` is
already its position), then each new board when the round changes; each event's id is
the round's position on the read side, so a listener that reconnects with
``Last-Event-ID`` gets what it missed - the latest board - and nothing twice.  A ``ping``
event (no id) every 15 seconds keeps idle connections open through proxies and lets a
big screen tell a quiet round from a dead connection."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Response, current_app, request
from flask.views import MethodView

from api.rest.base import Blueprint
from api.rest.resources.rounds import seen

blp = Blueprint("stream", __name__, url_prefix="/api/rounds", description="Live pushes (Server-Sent Events)")
KEEPALIVE = 15.0


@blp.route("/<code>/events")
class StreamResource(MethodView):
    @blp.response(200, description="text/event-stream: `event: board`, `id: <position>`, `data: <the board JSON>`")
    def get(self, code: str) -> Any:
        """The round's board as it changes (Server-Sent Events; resumes with Last-Event-ID)"""
        view = seen(code)
        hub = current_app.extensions["leitai_hub"]
        last = request.headers.get("Last-Event-ID") or request.args.get("last_event_id") or ""
        sent = int(last) if last.isdigit() and len(last) < 19 else -1

        def events() -> Iterator[bytes]:
            nonlocal sent
            yield b"retry: 2000\n\n"
            position = hub.round_position(view.code)
            while not hub.stopping:
                if position > sent:
                    position, body = hub.board(view.code, "any", lambda read: read.leaderboard(view.code))
                    yield b"id: %d\nevent: board\ndata: %s\n\n" % (position, body)
                    sent = position
                position = hub.wait_round(view.code, sent, KEEPALIVE)
                if position <= sent and not hub.stopping:
                    yield b"event: ping\ndata: {}\n\n"

        response = Response(events(), mimetype="text/event-stream")
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Accel-Buffering"] = "no"
        return response
