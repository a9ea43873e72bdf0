"""Server-Sent Events: a round's board pushed to every listener as it is projected.

``GET /api/rounds/<code>/events`` sends the board at once (unless ``Last-Event-ID`` is
already its position), then each new board when the round changes; each event's id is
the round's position on the read side, so a listener that reconnects with
``Last-Event-ID`` gets what it missed - the latest board - and nothing twice.  A ``ping``
event (no id) every 15 seconds keeps idle connections open through proxies and lets a
big screen tell a quiet round from a dead connection.

Who may listen is checked again at every change of the round, at every change of the
listener's account and at every ping, not only on connecting: the listener is identified
again from the credentials the stream was opened with (:func:`api.rest.security.identify`,
as a new request would be), and when its rights have ended - the account disabled, a role
revoked, the password changed, the token expired - or it may no longer see the board (its
live board switched off, a judge's round reopened), the stream sends an ``end`` event and
closes.  If the store cannot be asked, the stream closes without ``end``: the client
reconnects and is asked again.  Each stream holds one of the server's threads, so at most
``LEITAI_MAX_STREAMS`` are open at once (``leitai serve`` keeps 32 threads for everything
else); one more is answered 503 with ``Retry-After``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Response, current_app, request
from flask.views import MethodView

from api.rest.base import Blueprint
from api.rest.errors import TooManyStreams, Unauthorized
from api.rest.resources.rounds import seen
from api.rest.security import credentials, identify, principal
from domain import access

blp = Blueprint("stream", __name__, url_prefix="/api/rounds", description="Live pushes (Server-Sent Events)")
KEEPALIVE = 15.0


@blp.route("/<code>/events")
class StreamResource(MethodView):
    @blp.response(200, description="text/event-stream: `event: board`, `id: <position>`, `data: <the board JSON>`")
    def get(self, code: str) -> Any:
        """The round's board as it changes (Server-Sent Events; resumes with Last-Event-ID)"""
        view = seen(code)
        header = credentials()  # the listener is identified again with these at each change
        account = principal().name  # whose changes wake the stream (None: the public)
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        hub = app.extensions["leitai_hub"]
        limit = int(current_app.config.get("LEITAI_MAX_STREAMS") or 200)
        if hub.streams >= limit:
            raise TooManyStreams(limit=limit)
        last = request.headers.get("Last-Event-ID") or request.args.get("last_event_id") or ""
        sent = int(last) if last.isdigit() and len(last) < 19 else -1

        def may_listen() -> bool | None:
            """Whether the listener, as its credentials say now, may still see the board;
            None when the store cannot tell."""
            try:
                with app.app_context():
                    return access.sees_round(identify(header), hub.round_view(view.code))
            except Unauthorized:
                return False  # disabled, a role revoked, the password changed, the token expired
            except Exception as error:  # noqa: BLE001 - the store is away: no verdict, the client asks again
                app.logger.warning("live stream of round %s closed: its listener could not be checked (%s)",
                                   view.code, error)
                return None
            finally:
                hub.release()

        def events() -> Iterator[bytes]:
            nonlocal sent
            hub.opened_stream()
            try:
                yield b"retry: 2000\n\n"
                position, quiet = hub.round_position(view.code), False
                while not hub.stopping:
                    mark = hub.account_mark(account)  # a change of the account after this wakes the wait
                    allowed = may_listen()  # at each change of the round or the account, and before each ping
                    if allowed is None:
                        return
                    if not allowed:
                        yield b"event: end\ndata: {}\n\n"  # no longer this listener's to see
                        return
                    if position > sent:
                        position, body = hub.board(view.code, "any", lambda read: read.leaderboard(view.code))
                        yield b"id: %d\nevent: board\ndata: %s\n\n" % (position, body)
                        sent = position
                    elif quiet:
                        yield b"event: ping\ndata: {}\n\n"
                    position = hub.wait_round(view.code, sent, KEEPALIVE, account, mark)
                    quiet = position <= sent and hub.account_mark(account) == mark  # the wait timed out
            finally:
                hub.closed_stream()

        response = Response(events(), mimetype="text/event-stream")
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Accel-Buffering"] = "no"
        return response
