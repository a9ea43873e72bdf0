"""A live stream ends when its listener's rights end (issue 14, item 8), on both stores.

A township's admin listens to the board of its round while it is scored (not public: the
live board is off).  Then the account is disabled, or its role revoked, or its password
changed, or its token expires: a new request would be answered 401, and the open stream
must not outlive it - it sends ``end`` and closes, and no later board reaches it.  The
account's change wakes the stream at once (the ping comes only every 15 seconds); a token
that merely expires is noticed at the next ping."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.e2e.test_http_api import _events
from tests.http import PASSWORD, Client, add_account, serve, stop
from tests.scenario import judge as judge_actor
from tests.scenario import small_contest

OK = {"party": "25", "industry": "15"}


@pytest.fixture
def web(app: Any) -> Iterator[Any]:
    small_contest(app)  # R1 at T1 being scored, its live board off
    for name, role, scope in (("admin", "admin", {}), ("town1", "admin", {"contest": "c", "unit": "T1"}),
                              ("judge-j1", "judge", {"contest": "c", "judge": "J1"})):
        add_account(app, name, role, **scope)
    flask_app = serve(app)
    yield flask_app
    stop(flask_app)


def _expire_every_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on the clock tokens are checked by reads 13 hours later (TOKEN_HOURS: 12)."""
    import api.rest.resources.stream as stream
    from itsdangerous.timed import TimestampSigner

    now = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now(self) + 13 * 3600)
    monkeypatch.setattr(stream, "KEEPALIVE", 0.3)  # expiry is noticed at the next ping


CHANGES: dict[str, Callable[[Client, Client, pytest.MonkeyPatch], None]] = {
    "disabled": lambda admin, me, mp: admin.post("/api/accounts/town1/disable", {"reason": "离岗"}),
    "role revoked": lambda admin, me, mp: admin.post("/api/accounts/town1/grants/revoke", {
        "role": "admin", "contest": "c", "unit": "T1", "reason": "调离"}),
    "password changed": lambda admin, me, mp: me.post("/api/auth/password", {"current": PASSWORD,
                                                                            "new": "another horse battery"}),
    "token expired": lambda admin, me, mp: _expire_every_token(mp),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_stream_ends_when_its_listeners_rights_end(app: Any, web: Any, change: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    admin, judge = Client(web, "admin"), Client(web, "judge-j1")
    listener = Client(web, "town1")
    me = Client(web, "town1")  # the same person on another device: changes their own password
    stream = listener.http.get("/api/rounds/R1/events", headers=listener.headers, buffered=False)
    assert stream.status_code == 200
    events = _events(stream)
    assert next(events)["event"] == "board"
    judge.post("/api/rounds/R1/sheets", {"entrant": "O1", "marks": OK}, expect=201)
    assert next(events)["data"]["sheets_in"] == 1  # it is listening

    CHANGES[change](admin, me, monkeypatch)
    assert listener.call("GET", "/api/rounds/R1/board", 401).get_json()["code"] == "Unauthorized"
    if change != "token expired":  # a change it must not get; an expired token is noticed on a quiet round too
        app.submit_sheet("R1", "J1", "O2", OK, judge_actor("J1"))
    rest: list[Any] = []
    reader = threading.Thread(target=lambda: rest.extend(events), daemon=True)  # until the stream closes
    reader.start()
    reader.join(timeout=8)  # well before the 15-second ping of the account's changes
    stream.close()
    assert not reader.is_alive(), f"the stream went on after its listener's rights ended ({change}): {rest}"
    assert [e["event"] for e in rest] == ["end"], rest


def test_a_stream_goes_on_while_its_listeners_rights_stand(web: Any) -> None:
    """A change of the account that takes no right away (another role granted) wakes the
    stream, which checks and goes on; so do the pings."""
    import api.rest.resources.stream as stream_module

    admin, judge, listener = Client(web, "admin"), Client(web, "judge-j1"), Client(web, "town1")
    old, stream_module.KEEPALIVE = stream_module.KEEPALIVE, 0.2
    try:
        stream = listener.http.get("/api/rounds/R1/events", headers=listener.headers, buffered=False)
        events = _events(stream)
        assert next(events)["event"] == "board"
        admin.post("/api/accounts/town1/grants", {"role": "auditor", "reason": "兼任纪检"})
        assert next(events)["event"] == "ping"
        judge.post("/api/rounds/R1/sheets", {"entrant": "O1", "marks": OK}, expect=201)
        pushed = next(e for e in events if e["event"] != "ping")
        assert pushed["event"] == "board" and pushed["data"]["sheets_in"] == 1
        stream.close()
    finally:
        stream_module.KEEPALIVE = old
