"""What every client relies on, on both stores: retries with ``Idempotency-Key`` record
nothing more, a client reads its own write at once, conditional reads, live pushes,
tokens that stop working when they should, and the ranking as the rulebook writes it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from api.app import create_app
from projections.ranking_json import ranking_document
from tests.conftest import event_count
from tests.http import Client, add_account, serve, stop
from tests.scenario import small_contest

OK = {"party": "25", "industry": "15"}


@pytest.fixture
def web(app: Any) -> Iterator[Any]:
    small_contest(app)
    for name, role, scope in (("admin", "admin", {}), ("judge-j1", "judge", {"contest": "c", "judge": "J1"}),
                              ("judge-j2", "judge", {"contest": "c", "judge": "J2"}),
                              ("judge-j3", "judge", {"contest": "c", "judge": "J3"})):
        add_account(app, name, role, **scope)
    flask_app = serve(app)
    yield flask_app
    stop(flask_app)


def test_a_retry_with_the_same_key_records_nothing_more(app: Any, web: Any) -> None:
    judge = Client(web, "judge-j1")
    sheet = {"entrant": "O1", "marks": OK}
    first = judge.call("POST", "/api/rounds/R1/sheets", 201, json=sheet, headers={"Idempotency-Key": "k-1"})
    after_first = event_count(app)
    retry = judge.call("POST", "/api/rounds/R1/sheets", 201, json=sheet, headers={"Idempotency-Key": "k-1"})
    assert retry.get_json() == first.get_json() and retry.headers["Idempotent-Replayed"] == "true"
    assert event_count(app) == after_first
    other = judge.call("POST", "/api/rounds/R1/sheets", 422, json={**sheet, "entrant": "O2"},
                       headers={"Idempotency-Key": "k-1"}).get_json()
    assert other["code"] == "KeyReused" and "k-1" in other["message"]
    # a refusal is an answer too: the retry gets the same refusal
    bad = {"entrant": "O2", "marks": {"party": "99", "industry": "1"}}
    refused = judge.call("POST", "/api/rounds/R1/sheets", 422, json=bad, headers={"Idempotency-Key": "k-2"})
    again = judge.call("POST", "/api/rounds/R1/sheets", 422, json=bad, headers={"Idempotency-Key": "k-2"})
    assert again.get_json() == refused.get_json() and event_count(app) == after_first
    # keys belong to an account: another judge's k-1 is a request of its own
    Client(web, "judge-j2").call("POST", "/api/rounds/R1/sheets", 201, json=sheet, headers={"Idempotency-Key": "k-1"})
    assert event_count(app) == after_first + 1
    junk = judge.call("POST", "/api/rounds/R1/sheets", 422, json=sheet, headers={"Idempotency-Key": "x" * 101})
    assert junk.get_json()["code"] == "InvalidValue" and "Idempotency-Key" in junk.get_json()["errors"]


def test_concurrent_retries_of_one_request_record_it_once(app: Any, web: Any) -> None:
    answers: list[Any] = []

    def submit() -> None:
        response = Client(web, "judge-j1").call("POST", "/api/rounds/R1/sheets", None,
                                                json={"entrant": "O1", "marks": OK}, headers={"Idempotency-Key": "same"})
        answers.append(response.status_code)

    before = event_count(app)
    threads = [threading.Thread(target=submit) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert event_count(app) == before + 1
    assert set(answers) == {201}, answers


def test_a_client_reads_its_own_write_at_once(web: Any) -> None:
    judge, admin = Client(web, "judge-j1"), Client(web, "admin")
    for entrant in ("O1", "O2"):
        done = judge.post("/api/rounds/R1/sheets", {"entrant": entrant, "marks": OK}, expect=201)
        assert done["projected"] is True and done["position"] > 0
        board = admin.get("/api/rounds/R1/board")  # no sleep, no polling
        assert board["position"] >= done["position"]
        assert {e["entrant"]: e["sheets_in"] for e in board["entries"]}[entrant] == 1


def test_reads_carry_an_etag_and_answer_304(web: Any) -> None:
    admin = Client(web, "admin")
    first = admin.call("GET", "/api/rounds/R1/board")
    tag = first.headers["ETag"]
    unchanged = admin.call("GET", "/api/rounds/R1/board", 304, headers={"If-None-Match": tag})
    assert unchanged.get_data() == b"" and unchanged.headers["ETag"] == tag
    Client(web, "judge-j1").post("/api/rounds/R1/sheets", {"entrant": "O1", "marks": OK}, expect=201)
    changed = admin.call("GET", "/api/rounds/R1/board", 200, headers={"If-None-Match": tag})
    assert changed.headers["ETag"] != tag and changed.get_json()["sheets_in"] == 1
    ranking = admin.call("GET", "/api/rounds/R1/ranking")
    admin.call("GET", "/api/rounds/R1/ranking", 304, headers={"If-None-Match": f'"x", {ranking.headers["ETag"]}'})
    # what is shown depends on who asks and in which language: so does the tag
    english = admin.call("GET", "/api/rounds/R1", headers={"Accept-Language": "en"}).headers["ETag"]
    assert english != admin.call("GET", "/api/rounds/R1").headers["ETag"]


def test_the_ranking_is_the_rulebook_document(app: Any, web: Any) -> None:
    for judge in ("judge-j1", "judge-j2", "judge-j3"):
        for entrant, party in (("O1", "25"), ("O2", "28")):
            Client(web, judge).post("/api/rounds/R1/sheets", {"entrant": entrant, "marks": {**OK, "party": party}})
    admin = Client(web, "admin")
    admin.post("/api/rounds/R1/close")
    response = admin.call("GET", "/api/rounds/R1/ranking")
    assert response.get_json() == ranking_document(*app.ranking("R1"))
    assert "村O1" in response.get_data(as_text=True)  # UTF-8, not \\u escapes


def test_the_live_stream_pushes_each_recorded_sheet(web: Any) -> None:
    admin = Client(web, "admin")
    stream = admin.http.get("/api/rounds/R1/events", headers=admin.headers, buffered=False)
    assert stream.status_code == 200 and stream.mimetype == "text/event-stream"
    events = _events(stream)
    first = next(events)
    assert first["event"] == "board" and first["data"]["sheets_in"] == 0
    judge = Client(web, "judge-j1")
    done = judge.post("/api/rounds/R1/sheets", {"entrant": "O1", "marks": OK}, expect=201)
    pushed = next(events)
    assert int(pushed["id"]) >= done["position"] and pushed["data"]["sheets_in"] == 1
    stream.close()
    # a listener that reconnects with Last-Event-ID gets only what it missed
    judge.post("/api/rounds/R1/sheets", {"entrant": "O2", "marks": OK}, expect=201)
    resumed = admin.http.get("/api/rounds/R1/events", buffered=False,
                             headers={**admin.headers, "Last-Event-ID": pushed["id"]})
    missed = next(_events(resumed))
    assert int(missed["id"]) > int(pushed["id"]) and missed["data"]["sheets_in"] == 2
    resumed.close()


def test_a_stream_ends_when_its_listener_may_no_longer_see_the_board(web: Any) -> None:
    """The public listens to a live board; the board is switched off: the stream sends
    `end` and closes, and no later board reaches it."""
    admin, judge = Client(web, "admin"), Client(web, "judge-j1")
    admin.post("/api/rounds/R1/live-board", {"on": True})
    public = web.test_client()
    stream = public.get("/api/rounds/R1/events", buffered=False)
    assert stream.status_code == 200
    events = _events(stream)
    assert next(events)["event"] == "board"
    judge.post("/api/rounds/R1/sheets", {"entrant": "O1", "marks": OK}, expect=201)
    assert next(events)["data"]["sheets_in"] == 1
    admin.post("/api/rounds/R1/live-board", {"on": False})
    judge.post("/api/rounds/R1/sheets", {"entrant": "O2", "marks": OK}, expect=201)
    rest: list[Any] = []
    reader = threading.Thread(target=lambda: rest.extend(events), daemon=True)  # until the stream closes
    reader.start()
    reader.join(timeout=20)
    stream.close()
    assert not reader.is_alive(), f"the stream went on after the board was switched off: {rest}"
    assert [e["event"] for e in rest] == ["end"], rest
    assert public.get("/api/rounds/R1/events").status_code == 401


def test_live_streams_are_bounded_and_one_more_is_told_to_come_back(app: Any) -> None:
    from tests.scenario import small_contest

    small_contest(app)
    add_account(app, "admin", "admin")
    web = create_app({"LEITAI_APP": app, "TESTING": True, "LEITAI_PROJECTOR": "thread", "LEITAI_MAX_STREAMS": 2})
    try:
        admin = Client(web, "admin")
        open_ = [admin.http.get("/api/rounds/R1/events", headers=admin.headers, buffered=False) for _ in range(2)]
        for stream in open_:
            assert next(_events(stream))["event"] == "board"  # each is streaming (holds its thread)
        refused = admin.call("GET", "/api/rounds/R1/events", 503).get_json()
        assert refused["code"] == "TooManyStreams" and "2" in refused["message"]
        english = admin.call("GET", "/api/rounds/R1/events?lang=en", 503)
        assert english.headers["Retry-After"] == "5" and "poll the board" in english.get_json()["message"]
        for stream in open_:
            stream.close()
        again = admin.http.get("/api/rounds/R1/events", headers=admin.headers, buffered=False)
        assert again.status_code == 200
        again.close()
    finally:
        stop(web)


def _events(response: Any) -> Iterator[dict[str, Any]]:
    import orjson

    buffer = b""
    for chunk in response.response:
        buffer += chunk
        while b"\n\n" in buffer:
            block, buffer = buffer.split(b"\n\n", 1)
            fields = dict(line.split(b": ", 1) for line in block.split(b"\n") if b": " in line and
                          not line.startswith(b":"))
            if b"data" in fields:
                yield {"id": fields.get(b"id", b"").decode(), "event": fields[b"event"].decode(),
                       "data": orjson.loads(fields[b"data"])}


def test_tokens_stop_working_when_they_should(app: Any, web: Any) -> None:
    admin = Client(web, "admin")
    made = admin.post("/api/accounts", {"name": "clerk", "display_name": "录入员", "reason": "比武当天",
                                        "grants": [{"role": "admin", "contest": "c", "unit": "T1"}]}, expect=201)
    clerk = Client(web, "clerk", made["password"])
    assert clerk.get("/api/auth/me")["grants"] == [{"role": "admin", "contest": "c", "unit": "T1"}]
    clerk.post("/api/rounds/R1/live-board", {"on": True})
    before = event_count(app)
    admin.post("/api/accounts/clerk/grants/revoke", {"role": "admin", "contest": "c", "unit": "T1", "reason": "换人"})
    assert clerk.call("POST", "/api/rounds/R1/live-board", 401, json={"on": False}).get_json()["code"] == "Unauthorized"
    assert event_count(app) == before + 1  # the revocation, nothing else
    again = Client(web, "clerk", made["password"])  # signs in again: no role left
    assert again.call("POST", "/api/rounds/R1/live-board", 403, json={"on": False}).get_json()["code"] == "Forbidden"
    admin.post("/api/accounts/clerk/disable", {"reason": "离岗"})
    assert again.call("GET", "/api/auth/me", 401)
    assert web.test_client().post("/api/auth/token", json={"name": "clerk", "password": made["password"]}
                                  ).status_code == 401
    # the history tells who could do what, and since when
    history = app.read(lambda s: s.account("clerk"))
    assert history.disabled and history.grants == [] and history.version == 5  # created, granted, password, ...


def test_a_lost_one_time_password_is_not_kept(web: Any) -> None:
    admin = Client(web, "admin")
    body = {"name": "scribe", "display_name": "记录员", "reason": "比武当天", "grants": []}
    made = admin.call("POST", "/api/accounts", 201, json=body, headers={"Idempotency-Key": "new-scribe"}).get_json()
    replay = admin.call("POST", "/api/accounts", 201, json=body, headers={"Idempotency-Key": "new-scribe"}).get_json()
    assert made["password"] and replay["password"] is None and replay["account"] == "scribe"
    Client(web, "scribe", made["password"])  # the first answer's password works


def test_an_auditor_reads_who_could_act_and_since_when(app: Any, web: Any) -> None:
    """Accounts are events: the history of one says when each role was granted and revoked,
    by whom and why - readable by the auditors, never with a password."""
    add_account(app, "auditor", "auditor")
    admin, auditor = Client(web, "admin"), Client(web, "auditor")
    made = admin.post("/api/accounts", {"name": "judge-x", "display_name": "评委X",
                                        "grants": [{"role": "judge", "contest": "c", "judge": "J2"}],
                                        "reason": "县委组织部聘任"}, expect=201)
    assert made["password"]
    admin.post("/api/accounts/judge-x/grants/revoke", {"role": "judge", "contest": "c", "judge": "J2",
                                                       "reason": "回避本轮"})
    admin.post("/api/accounts/judge-x/disable", {"reason": "离岗"})
    history = auditor.get("/api/accounts/judge-x/history")
    assert [h["event"] for h in history] == ["Created", "RoleGranted", "PasswordChanged", "RoleRevoked", "Disabled"]
    assert [h["position"] for h in history] == sorted(h["position"] for h in history)
    granted, password, revoked = history[1], history[2], history[3]
    assert "hash" not in str(password) and "password" not in password  # the event commits to a hash, holds none
    assert granted["granted"] == "judge" and granted["scope"] == {"contest": "c", "judge": "J2"}
    assert granted["reason"] == "县委组织部聘任" and granted["actor"] == "admin"
    assert revoked["revoked"] == "judge" and revoked["reason"] == "回避本轮"
    assert all(h["at"] and len(h["at"]) == 19 for h in history)
    body = auditor.call("GET", "/api/accounts/judge-x/history").get_data(as_text=True)
    assert made["password"] not in body and "scrypt" not in body
    assert auditor.get("/api/accounts/judge-x")["disabled"] is True
    # an auditor reads; changing an account stays the administrators'
    auditor.call("POST", "/api/accounts/judge-x/enable", 403, json={"reason": "x"})
    auditor.call("GET", "/api/accounts/nobody/history", 404)
    Client(web, "judge-j1").call("GET", "/api/accounts/judge-x/history", 403)
