"""Anonymous board reads answered before Flask (api/rest/fastpath.py), on both stores:
the very answer the application gives (200 and 304, every header, the body), never
one the round has moved past, never to anyone who signed in, and gone the moment the
public may no longer see the board."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.http import Client, add_account, serve, stop
from tests.scenario import small_contest

OK = {"party": "25", "industry": "15"}
BOARD = "/api/rounds/R1/board"


@pytest.fixture
def web(app: Any) -> Iterator[Any]:
    small_contest(app)
    add_account(app, "admin", "admin")
    add_account(app, "judge-j1", "judge", contest="c", judge="J1")
    flask_app = serve(app)
    yield flask_app
    stop(flask_app)


class Counted:
    """The application behind the fast path, counting the requests that reach it."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.calls = inner, 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.calls += 1
        return self.inner(environ, start_response)


def _fast_path(flask_app: Any) -> Any:
    """The fast path among the WSGI layers (the metrics' timing wraps it; api/rest/metrics.py), or None."""
    from api.rest.fastpath import PublicReads

    layer = flask_app.wsgi_app
    while layer is not None and not isinstance(layer, PublicReads):
        layer = getattr(layer, "app", None)
    return layer


def _answer(response: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    return response.status_code, sorted(response.headers.items()), response.get_data()


def test_the_public_gets_the_applications_own_answer_until_the_round_changes(web: Any) -> None:
    public, admin, judge = web.test_client(), Client(web, "admin"), Client(web, "judge-j1")
    fast = _fast_path(web)
    behind = Counted(fast.app)
    fast.app = behind

    hidden = public.get(BOARD)  # no live board: not public while scoring
    assert hidden.status_code == 401 and behind.calls == 1
    assert public.get(BOARD).status_code == 401 and behind.calls == 2  # a refusal is never kept

    admin.post("/api/rounds/R1/live-board", {"on": True})
    calls = behind.calls
    first = public.get(BOARD)
    assert first.status_code == 200 and behind.calls == calls + 1
    again = public.get(BOARD)
    assert behind.calls == calls + 1, "the second anonymous read should not reach the application"
    assert _answer(again) == _answer(first)
    # the application's own answer to the same request (a query string takes the long way)
    own = public.get(BOARD + "?via=app")
    assert behind.calls == calls + 2 and _answer(own) == _answer(first)

    tag = first.headers["ETag"]
    fast_304 = public.get(BOARD, headers={"If-None-Match": f'"other", {tag}'})
    app_304 = public.get(BOARD + "?via=app", headers={"If-None-Match": f'"other", {tag}'})
    assert behind.calls == calls + 3
    assert fast_304.status_code == 304 and _answer(fast_304) == _answer(app_304)
    stale_tag = public.get(BOARD, headers={"If-None-Match": 'W/"1-0000000000"'})
    assert stale_tag.status_code == 200 and _answer(stale_tag) == _answer(first)

    # a sheet moves the round: the next read is the application's, with the new board
    judge.post("/api/rounds/R1/sheets", {"entrant": "O1", "marks": OK}, expect=201)
    calls = behind.calls
    moved = public.get(BOARD, headers={"If-None-Match": tag})
    assert moved.status_code == 200 and behind.calls == calls + 1
    assert moved.headers["ETag"] != tag and moved.get_json()["sheets_in"] == first.get_json()["sheets_in"] + 1
    assert _answer(public.get(BOARD)) == _answer(moved) and behind.calls == calls + 1

    # the live board switched off: the public is refused at once, not served what was kept
    admin.post("/api/rounds/R1/live-board", {"on": False})
    assert public.get(BOARD).status_code == 401


def test_whoever_signed_in_and_whatever_varies_the_answer_goes_to_the_application(web: Any) -> None:
    admin = Client(web, "admin")
    admin.post("/api/rounds/R1/live-board", {"on": True})
    fast = _fast_path(web)
    behind = Counted(fast.app)
    fast.app = behind
    public = web.test_client()
    public.get(BOARD)
    public.get(BOARD)
    assert behind.calls == 1
    admin.call("GET", BOARD)  # a bearer token
    assert behind.calls == 2
    cookie = web.test_client()
    cookie.set_cookie("leitai_token", "not-a-token")  # a session cookie, even a bad one
    assert cookie.get(BOARD).status_code == 401 and behind.calls == 3
    assert public.head(BOARD).status_code == 200 and behind.calls == 4
    # another language or path spelling is an answer of its own, kept apart
    english = public.get(BOARD, headers={"Accept-Language": "en"})
    assert english.status_code == 200 and behind.calls == 5
    public.get(BOARD, headers={"Accept-Language": "en"})
    assert behind.calls == 5
    assert public.get("/api/rounds/r1/board").status_code == 200 and behind.calls == 6
    odd = {"Accept-Language": "x" * 600}  # headers no browser sends are not kept (memory)
    public.get(BOARD, headers=odd)
    public.get(BOARD, headers=odd)
    assert behind.calls == 8
    behind.calls = 6
    # unknown rounds and other paths are the application's to answer
    assert public.get("/api/rounds/NOPE/board").status_code == 404
    assert public.get("/api/rounds/NOPE/board").status_code == 404 and behind.calls == 8


def test_the_fast_path_can_be_turned_off(app: Any) -> None:
    from api.app import create_app

    small_contest(app)
    flask_app = create_app({"LEITAI_APP": app, "TESTING": True, "LEITAI_FAST_READS": False})
    try:
        assert _fast_path(flask_app) is None
    finally:
        flask_app.extensions["leitai_hub"].close()
        flask_app.extensions["leitai_sidecar"].close()
