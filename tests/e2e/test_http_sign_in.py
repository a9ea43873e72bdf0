"""Signing in as an attacker would try it (issue 14, items 14 and 15), on both stores.

* A token belongs to the deployment that issued it: two databases sharing one
  ``LEITAI_SECRET_KEY`` accept no token of each other (a judge of A was an admin in B), nor
  does a copy of a database (``CREATE DATABASE … TEMPLATE``, a copied SQLite file).
* Throttling stops guessing, not people: guesses are counted per account and address; an
  account guessed from many addresses, or an address trying many names, is slowed down,
  never locked; behind a trusted reverse proxy each client has its own bucket
  (``X-Forwarded-For``, read only from ``LEITAI_TRUSTED_PROXIES``).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import pg
from tests.http import PASSWORD, add_account, serve, stop
from tests.scenario import small_contest

SECRET = "one-key-for-two-databases-" + "x" * 24


@pytest.fixture
def shared_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEITAI_SECRET_KEY", SECRET)


@pytest.fixture
def second_url(store_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """Another database of the same kind (another deployment)."""
    if store_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path}/other.db"
        return
    databases: pg.Databases = request.getfixturevalue("pg_databases")
    name = databases.create()
    yield databases.server.url_for(name, user=pg.APP_ROLE)
    databases.drop(name)


def _token(flask_app: Any, name: str, address: str = "127.0.0.1") -> str:
    answer = flask_app.test_client().post("/api/auth/token", json={"name": name, "password": PASSWORD},
                                          environ_base={"REMOTE_ADDR": address})
    assert answer.status_code == 200, answer.get_json()
    return str(answer.get_json()["token"])


def _me(flask_app: Any, token: str) -> Any:
    return flask_app.test_client().get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})


def test_a_token_of_one_database_is_refused_by_another_sharing_its_key(shared_key: None, make_app: Any,
                                                                       store_url: str, second_url: str) -> None:
    a, b = make_app(store_url), make_app(second_url)
    small_contest(a)
    add_account(a, "aj01", "judge", contest="c", judge="J1")  # a judge here ...
    add_account(b, "aj01", "admin")  # ... an administrator there
    web_a, web_b = serve(a), serve(b)
    try:
        token = _token(web_a, "aj01")
        assert _me(web_a, token).status_code == 200
        refused = _me(web_b, token)
        assert refused.status_code == 401, refused.get_json()
        assert refused.get_json()["code"] == "Unauthorized" and "本数据库" in refused.get_json()["message"]
        create = web_b.test_client().post("/api/accounts", json={"name": "intruder", "grants": [{"role": "admin"}]},
                                          headers={"Authorization": f"Bearer {token}"})
        assert create.status_code == 401 and b.read(lambda s: s.find_account("intruder")) is None
        # B's own token works in B, and not in A
        own = _token(web_b, "aj01")
        assert _me(web_b, own).get_json()["grants"] == [{"role": "admin"}]
        assert _me(web_a, own).status_code == 401
    finally:
        stop(web_a)
        stop(web_b)


def test_a_copy_of_the_database_accepts_no_token_of_the_original(shared_key: None, make_app: Any,
                                                                  store_url: str, tmp_path: Path,
                                                                  request: pytest.FixtureRequest) -> None:
    """A copy (CREATE DATABASE … TEMPLATE, or a copied file) holds the same accounts and the
    same origin, but is another deployment: a drill on a copy must not accept production
    tokens.  The original keeps accepting its own (the identity is stable per database)."""
    original = make_app(store_url)
    add_account(original, "aj01", "admin")
    web = serve(original)
    token = _token(web, "aj01")
    stop(web)
    original.close()
    if store_url.startswith("sqlite"):
        source = store_url.removeprefix("sqlite:///")
        copy_path = tmp_path / "copy.db"
        with sqlite3.connect(source) as src, sqlite3.connect(copy_path) as dst:
            src.backup(dst)
        copy_url = f"sqlite:///{copy_path}"
    else:
        databases: pg.Databases = request.getfixturevalue("pg_databases")
        name = store_url.rsplit("/", 1)[1]
        copy_name = f"{name}_copy"
        import psycopg

        with psycopg.connect(databases.server.admin_conninfo(), autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                         "AND pid <> pg_backend_pid()", (name,))
            conn.execute(f'CREATE DATABASE "{copy_name}" TEMPLATE "{name}"')
        request.addfinalizer(lambda: databases.drop(copy_name))
        copy_url = databases.server.url_for(copy_name, user=pg.APP_ROLE)
    copy = make_app(copy_url)
    web_copy = serve(copy)
    try:
        assert _me(web_copy, token).status_code == 401
        assert _me(web_copy, _token(web_copy, "aj01")).status_code == 200
    finally:
        stop(web_copy)
    again = serve(make_app(store_url))
    try:
        assert _me(again, token).status_code == 200  # the same database: the same deployment
    finally:
        stop(again)


# -- throttling ----------------------------------------------------------------------------------


@pytest.fixture
def web(app: Any) -> Iterator[Any]:
    for name in ("t1", "t2"):
        add_account(app, name, "auditor")
    flask_app = serve(app)
    yield flask_app
    stop(flask_app)


def _sign_in(flask_app: Any, name: str, password: str, address: str = "127.0.0.1",
             forwarded: str | None = None) -> tuple[int, float]:
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    started = time.monotonic()
    answer = flask_app.test_client().post("/api/auth/token", json={"name": name, "password": password},
                                          environ_base={"REMOTE_ADDR": address}, headers=headers)
    return answer.status_code, time.monotonic() - started


SLOWED_AT_MOST = 2.0  # seconds (api.rest.security.SLOWDOWN_MAX)


def test_guesses_from_elsewhere_never_lock_the_right_person_out(web: Any) -> None:
    from api.rest.security import FAILURES_ALLOWED

    for i in range(FAILURES_ALLOWED):
        assert _sign_in(web, "t1", f"wrong-{i}", "10.0.0.66")[0] == 401
    assert _sign_in(web, "t1", "wrong-again", "10.0.0.66")[0] == 429  # guessing from there is stopped
    assert _sign_in(web, "t1", PASSWORD, "10.0.0.66")[0] == 429  # (that address cannot be told from its owner)
    status, _ = _sign_in(web, "t1", PASSWORD, "10.1.1.1")
    assert status == 200  # the right person, elsewhere: no lock-out (it was 429)
    # guesses from many addresses slow the account down - a short delay, never a refusal
    for n in range(3):
        for i in range(FAILURES_ALLOWED - 1):
            assert _sign_in(web, "t1", f"wrong-{n}-{i}", f"10.0.1.{n}")[0] == 401
    status, took = _sign_in(web, "t1", PASSWORD, "10.1.1.1")
    assert status == 200 and 0.05 < took < SLOWED_AT_MOST + 2, took
    assert _sign_in(web, "t2", PASSWORD, "10.0.1.0")[0] == 200  # another account from a guessing address


def test_changing_ones_password_is_no_way_to_guess_it(web: Any) -> None:
    """Whoever holds a token (a borrowed laptop) may not guess the account's password through
    the password change: its wrong current passwords count as failed sign-ins."""
    from api.rest.security import FAILURES_ALLOWED

    token = web.test_client().post("/api/auth/token", json={"name": "t1", "password": PASSWORD},
                                   environ_base={"REMOTE_ADDR": "10.3.3.3"}).get_json()["token"]

    def change(current: str) -> int:
        return web.test_client().post("/api/auth/password", json={"current": current, "new": "another password 9"},
                                      headers={"Authorization": f"Bearer {token}"},
                                      environ_base={"REMOTE_ADDR": "10.3.3.3"}).status_code

    for i in range(FAILURES_ALLOWED):
        assert change(f"wrong-{i}") == 401
    assert change("wrong-again") == 429  # it was 401 for ever: unlimited guesses
    assert change(PASSWORD) == 429
    assert _sign_in(web, "t1", PASSWORD, "10.1.1.1")[0] == 200  # the right person, elsewhere, still signs in


def test_failures_on_other_names_from_one_address_do_not_lock_its_other_users_out(web: Any) -> None:
    for i in range(21):  # more than an address may fail (20) before it is slowed down
        assert _sign_in(web, f"nobody-{i}", "wrong", "10.2.2.2")[0] == 401
    status, took = _sign_in(web, "t2", PASSWORD, "10.2.2.2")
    assert status == 200 and took < SLOWED_AT_MOST + 2  # it was 429 for everyone at that address


def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.rest.security import FAILURES_ALLOWED

    add_account(app, "t1", "auditor")
    monkeypatch.setenv("LEITAI_TRUSTED_PROXIES", "127.0.0.1, 10.10.0.0/16")
    web = serve(app)
    try:
        proxy = "127.0.0.1"
        for i in range(FAILURES_ALLOWED):
            # the guesser writes an address of its own in front: the proxy appends the real one
            assert _sign_in(web, "t1", f"wrong-{i}", proxy, f"198.51.100.{i}, 203.0.113.5")[0] == 401
        assert _sign_in(web, "t1", "wrong", proxy, "203.0.113.5")[0] == 429
        assert _sign_in(web, "t1", PASSWORD, proxy, "192.0.2.44")[0] == 200  # another client behind the proxy
        # two proxies in a row (a load balancer in 10.10/16, then nginx): the client is the first untrusted hop
        assert _sign_in(web, "t1", "wrong", proxy, "203.0.113.5, 10.10.3.4")[0] == 429
        # a client that is no trusted proxy cannot choose its bucket with the header
        for i in range(FAILURES_ALLOWED):
            assert _sign_in(web, "t1", f"wrong-{i}", "10.9.9.9", f"192.0.2.{100 + i}")[0] == 401
        assert _sign_in(web, "t1", "wrong", "10.9.9.9", "192.0.2.200")[0] == 429
    finally:
        stop(web)


def test_a_bad_trusted_proxy_setting_is_named(app: Any) -> None:
    from api.app import create_app
    from domain.errors import InvalidValue

    with pytest.raises(InvalidValue) as refused:
        create_app({"LEITAI_APP": app, "TESTING": True, "LEITAI_TRUSTED_PROXIES": "127.0.0.1, proxy.internal"})
    assert "LEITAI_TRUSTED_PROXIES" in str(refused.value) and "proxy.internal" in str(refused.value)
