"""Idempotency that never loses a command (issue 14, item 11), on both stores.

One key sent twice at once with different bodies used to be answered 201 twice with one
sheet's number, the other sheet lost; a key reused on the command line for another
entrant printed "already recorded" and lost the sheet.  Now the key is claimed with its
request's fingerprint before the command runs (HTTP), and the domain's own key carries
the digest of what was asked (HTTP and command line): the other request is refused
(``KeyReused``), and the same request again gets the same answer, recorded once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import event_count
from tests.http import Client, add_account, serve, stop
from tests.scenario import judge, small_contest

OK = {"party": "25", "industry": "15"}
LEITAI = str(Path(sys.executable).parent / "leitai")


@pytest.fixture
def web(app: Any) -> Iterator[Any]:
    small_contest(app)
    for code in ("J1", "J2", "J3"):
        add_account(app, f"judge-{code.lower()}", "judge", contest="c", judge=code)
    flask_app = serve(app)
    yield flask_app
    stop(flask_app)


def _sheets(app: Any, code: str = "R1") -> dict[tuple[str, str], int]:
    return dict(app.read(lambda s: s.round(code)).live)


def test_one_key_sent_twice_at_once_with_different_bodies_records_one_and_refuses_the_other(app: Any, web: Any
                                                                                         ) -> None:
    for run, code in enumerate(("J1", "J2", "J3"), 1):  # three runs: it used to lose a sheet in every one
        key = f"sheet-{run}"
        clients = {entrant: Client(web, f"judge-{code.lower()}") for entrant in ("O1", "O2")}
        start = threading.Barrier(2)
        answers: dict[str, Any] = {}

        def submit(entrant: str, start: Any = start, answers: dict[str, Any] = answers,
                   clients: dict[str, Client] = clients, key: str = key) -> None:
            start.wait()
            answers[entrant] = clients[entrant].call("POST", "/api/rounds/R1/sheets", None,
                                                     json={"entrant": entrant, "marks": OK},
                                                     headers={"Idempotency-Key": key})

        before = event_count(app)
        threads = [threading.Thread(target=submit, args=(entrant,)) for entrant in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = {entrant: answer.status_code for entrant, answer in answers.items()}
        assert sorted(statuses.values()) == [201, 422], (run, {e: a.get_json() for e, a in answers.items()})
        won = next(entrant for entrant, status in statuses.items() if status == 201)
        lost = next(entrant for entrant, status in statuses.items() if status == 422)
        assert answers[lost].get_json()["code"] == "KeyReused" and key in answers[lost].get_json()["message"]
        assert event_count(app) == before + 1, f"run {run}: {event_count(app) - before} events"
        sheets = _sheets(app)
        assert (code, won) in sheets and (code, lost) not in sheets, (run, sheets)
        assert answers[won].get_json()["number"] == sheets[(code, won)]
        # the refused one is not lost in silence: sent again with its own key, it is recorded
        Client(web, f"judge-{code.lower()}").call("POST", "/api/rounds/R1/sheets", 201,
                                                  json={"entrant": lost, "marks": OK},
                                                  headers={"Idempotency-Key": f"{key}-again"})
        assert (code, lost) in _sheets(app)


def test_the_same_request_sent_at_once_is_recorded_once_and_answered_alike(app: Any, web: Any) -> None:
    clients = [Client(web, "judge-j1") for _ in range(4)]
    start = threading.Barrier(len(clients))
    answers: list[Any] = []

    def submit(client: Client) -> None:
        start.wait()
        answers.append(client.call("POST", "/api/rounds/R1/sheets", None, json={"entrant": "O1", "marks": OK},
                                   headers={"Idempotency-Key": "twice"}))

    before = event_count(app)
    threads = [threading.Thread(target=submit, args=(client,)) for client in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert event_count(app) == before + 1
    finished = [a for a in answers if a.status_code == 201]
    assert all(a.status_code in (201, 409) for a in answers), [a.get_json() for a in answers]
    assert finished and all(a.get_json()["number"] == finished[0].get_json()["number"] for a in finished)
    assert sum(a.headers.get("Idempotent-Replayed") != "true" for a in finished) == 1  # one ran, the rest replayed
    for a in answers:
        if a.status_code == 409:  # still running when it gave up waiting: retry with the same key
            assert a.get_json()["code"] == "RequestInProgress" and a.headers["Retry-After"]


def test_two_commands_with_one_key_at_once_in_the_domain_one_is_refused(app: Any) -> None:
    """Below HTTP: two commands of one writer batch (or racing writers) under one key with
    different content - the second finds the key recorded with another digest."""
    from domain.errors import KeyReused
    from domain.model.base import with_digest

    small_contest(app)
    start = threading.Barrier(2)
    outcomes: dict[str, Any] = {}

    def submit(entrant: str) -> None:
        key = with_digest("k", f"{entrant:0<64}")
        start.wait()
        try:
            outcomes[entrant] = app.execute(lambda s: s.submit_sheet("R1", "J1", entrant, OK, judge("J1"), key),
                                            "round R1").value
        except KeyReused as refused:
            outcomes[entrant] = refused

    threads = [threading.Thread(target=submit, args=(entrant,)) for entrant in ("O1", "O2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    refused = [e for e, o in outcomes.items() if isinstance(o, KeyReused)]
    assert len(refused) == 1, outcomes
    sheets = _sheets(app)
    assert len(sheets) == 1 and ("J1", refused[0]) not in sheets


# -- the command line --------------------------------------------------------------------------


@pytest.fixture
def cli(app: Any, store_url: str, tmp_path: Path) -> Any:
    small_contest(app)
    env = {**os.environ, "LEITAI_DATABASE_URL": store_url, "LEITAI_ACTOR": "clerk-1"}
    env.pop("LEITAI_LANG", None)

    def start(*args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([LEITAI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                cwd=tmp_path)

    def run(*args: str) -> tuple[int, str, str]:
        process = start(*args)
        out, err = process.communicate(timeout=120)
        return process.returncode, out, err

    run.start = start  # type: ignore[attr-defined]
    return run


def test_a_key_reused_on_the_command_line_for_another_entrant_is_refused(app: Any, cli: Any) -> None:
    code, out, err = cli("sheet", "R1", "J1", "O1", "party=25", "industry=15", "--key", "K")
    assert code == 0 and "已登记评分表" in out, err
    before = event_count(app)
    code, out, err = cli("sheet", "R1", "J1", "O1", "party=25", "industry=15", "--key", "K")
    assert code == 0 and "未重复登记" in out and event_count(app) == before  # the same command: a retry
    code, out, err = cli("sheet", "R1", "J1", "O2", "party=25", "industry=15", "--key", "K")
    assert code == 2, (out, err)
    assert "已登记" not in out and "幂等键 K" in err and "--key" in err, (out, err)
    assert event_count(app) == before and ("J1", "O2") not in _sheets(app)
    code, out, err = cli("--lang", "en", "sheet", "R1", "J1", "O1", "party=26", "industry=15", "--key", "K")
    assert code == 2 and "Idempotency key K was used for a different command" in err, err  # other marks
    code, _, err = cli("sheet", "R1", "J1", "O2", "party=25", "industry=15", "--key", "K2")
    assert code == 0 and ("J1", "O2") in _sheets(app), err


def test_two_processes_with_one_key_and_different_entrants_record_one(app: Any, cli: Any) -> None:
    processes = {entrant: cli.start("sheet", "R1", "J2", entrant, "party=25", "industry=15", "--key", "P")
                 for entrant in ("O1", "O2")}
    results = {entrant: (p.communicate(timeout=120), p.returncode) for entrant, p in processes.items()}
    codes = sorted(code for _, code in results.values())
    assert codes == [0, 2], results
    lost = next(entrant for entrant, (_, code) in results.items() if code == 2)
    assert "幂等键 P" in results[lost][0][1]
    sheets = {k for k in _sheets(app) if k[0] == "J2"}
    assert len(sheets) == 1 and ("J2", lost) not in sheets, sheets


def _upload(client: Client, secretary: str, key: str) -> Any:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("s/contest.toml", 'code = "c"\ntitle = "测试活动"\nlevels = ["township", "county"]\n')
        archive.writestr("s/organizations.csv", "org_code,name,unit_code,sector,category,secretary\n"
                                                f"O9,村O9,T2,village,,{secretary}\n")
    return client.call("POST", "/api/contests/import", None, content_type="multipart/form-data",
                       data={"scenario": (io.BytesIO(buffer.getvalue()), "s.zip")},
                       headers={"Idempotency-Key": key})


def test_one_key_reused_for_another_upload_is_refused(app: Any, web: Any) -> None:
    """An upload is read as files, not as a body: its fingerprint is the digest of its files
    (it was the method and path alone, so another scenario sent with the key of an earlier
    one was answered as that one, and not imported)."""
    add_account(app, "admin", "admin")
    admin = Client(web, "admin")
    first = _upload(admin, "书记甲", "import-1")
    assert first.status_code == 201, first.get_json()
    after = event_count(app)
    again = _upload(admin, "书记甲", "import-1")  # the same upload retried: its answer, nothing recorded
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    other = _upload(admin, "书记乙", "import-1")  # another scenario with that key: refused, not "done"
    assert other.status_code == 422 and other.get_json()["code"] == "KeyReused", other.get_json()
    assert event_count(app) == after
    assert app.read(lambda s: s.organization("O9")).secretary == "书记甲"
    assert _upload(admin, "书记乙", "import-2").status_code == 201  # with a key of its own it is imported
    assert app.read(lambda s: s.organization("O9")).secretary == "书记乙"


def test_a_claim_is_renewed_while_its_request_runs_and_taken_over_once_its_server_is_gone(app: Any,
                                                                                           monkeypatch: Any) -> None:
    """A judge's sheet sent to a server that died mid-request is sent again to another: the
    dead server's claim on the key goes stale within STALE_CLAIM (it is no longer renewed),
    so the retry runs instead of answering 409 for half a minute; a claim whose request
    still runs is renewed, and never taken over however long it runs."""
    import time

    from eventstore import sidecar as module

    monkeypatch.setattr(module, "HEARTBEAT", 0.1)
    monkeypatch.setattr(module, "STALE_CLAIM", 0.6)
    running, other = module.Sidecar(app.store), module.Sidecar(app.store)  # two servers of one store
    try:
        assert running.claim("judge-j1", "k1", "f1") is None
        time.sleep(1.5)  # more than twice as long as a claim may go without being renewed
        assert other.claim("judge-j1", "k1", "f1") == ("f1", module.PENDING, ""), "a running request's claim was taken"
        with running._held_lock:  # its server dies: nothing renews the claim any more
            running._held.clear()
        deadline = time.monotonic() + 5
        while other.claim("judge-j1", "k1", "f1") is not None:
            assert time.monotonic() < deadline, "a dead server's claim was never taken over"
            time.sleep(0.1)
        other.remember("judge-j1", "k1", "f1", 201, '{"position": 7}')
        time.sleep(0.3)  # the dead server's renewals, had they gone on, could not bring its claim back
        assert other.claim("judge-j1", "k1", "f1") == ("f1", 201, '{"position": 7}')
        # a claim let go (release) is not brought back by a renewal already under way
        assert running.claim("judge-j1", "k2", "f2") is None
        running.release("judge-j1", "k2", "f2")
        time.sleep(0.3)
        assert other.claim("judge-j1", "k2", "f2") is None
    finally:
        running.close()
        other.close()


def test_a_retry_of_a_sheet_recorded_by_a_server_that_died_answers_a_position_that_includes_it(app: Any,
                                                                                              web: Any) -> None:
    """The server recorded the sheet and died before keeping its answer (its claim later
    taken over): the retry runs the command again, the domain's key finds it done and records
    nothing - and the answer still carries a position a read can name (it was None, and a
    judge's tablet reading its write with it failed)."""
    from eventstore.sidecar import Sidecar

    judge_one = Client(web, "judge-j1")
    first = judge_one.call("POST", "/api/rounds/R1/sheets", None, json={"entrant": "O1", "marks": OK},
                           headers={"Idempotency-Key": "lost-answer"})
    assert first.status_code == 201, first.get_json()
    sidecar = Sidecar(app.store)  # the answer was never kept: as if its server died before remembering it
    sidecar._sql("DELETE FROM leitai_requests WHERE key = ?", ("lost-answer",))
    sidecar.close()
    before = event_count(app)
    again = judge_one.call("POST", "/api/rounds/R1/sheets", None, json={"entrant": "O1", "marks": OK},
                           headers={"Idempotency-Key": "lost-answer"})
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") != "true", again.get_json()
    body = again.get_json()
    assert event_count(app) == before and body["recorded"] == 0
    assert isinstance(body["position"], int) and body["position"] >= first.get_json()["position"], body
    assert body["projected"] is True  # the read side includes that position: a read naming it sees the sheet


@pytest.mark.postgres
def test_a_renewal_under_way_never_loses_the_answer_kept_meanwhile(pg_database: str, monkeypatch: Any) -> None:
    """A renewal is inside its transaction (the pending row deleted and inserted again, not yet
    committed) when the request finishes and keeps its answer: the answer must win - before,
    the answer's delete found nothing under READ COMMITTED, its insert met the renewed row, and
    the key stayed pending with no answer (a retry ran the command again 8 s later)."""
    import time

    from domain.services.store import parse_url
    from eventstore import sidecar as module

    monkeypatch.setattr(module, "HEARTBEAT", 3600.0)  # the renewal is driven by hand here
    store = parse_url(pg_database)
    server, renewer = module.Sidecar(store), module.Sidecar(store)
    try:
        assert server.claim("judge", "k", "f") is None
        inside, go_on = threading.Event(), threading.Event()
        plain = renewer._sql

        def held_inside(sql: str, params: tuple = ()) -> Any:
            found = plain(sql, params)
            if sql.startswith("INSERT"):
                inside.set()
                go_on.wait(10)
            return found

        monkeypatch.setattr(renewer, "_sql", held_inside)
        renewal = threading.Thread(target=renewer._renew, args=("judge", "k", "f"))
        renewal.start()
        assert inside.wait(10)
        answer = threading.Thread(target=server.remember, args=("judge", "k", "f", 201, '{"position": 7}'))
        answer.start()
        time.sleep(0.5)
        go_on.set()
        renewal.join(10)
        answer.join(10)
        assert server.answered("judge", "k") == ("f", 201, '{"position": 7}')
    finally:
        server.close()
        renewer.close()
