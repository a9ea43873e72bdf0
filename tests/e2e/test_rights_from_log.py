"""Rights come from the append-only log (issue 14, item 6), on both stores.

Whoever can write the database's tables as the application does (its login) may change the
read side's account rows and the stored password hashes.  Neither grants anything: a request's
rights are read from the account's events, and a password hash signs in only if the
account's last PasswordChanged event commits to it.  ``leitai verify`` reports both changes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import psycopg
import pytest

from api.cli.main import main
from api.wiring import open_app
from domain.services.clock import FixedClock
from domain.services.store import parse_url
from eventstore.sidecar import Sidecar, commitment, hash_password
from tests import pg
from tests.conftest import ADMIN, event_count
from tests.http import PASSWORD, Client, add_account, serve, stop

FORGED = "forged password 1"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[dict[str, Any]]:
    url, drop = pg.fresh_store(request, tmp_path)
    app = open_app(url, clock=FixedClock("2025-05-20T09:00"))
    app.create_contest("ca", "活动ca", ["township", "county"], ADMIN)
    app.add_unit("ca", "A", "县A", "county", None, ADMIN)
    app.add_unit("ca", "A1", "镇A1", "township", "A", ADMIN)
    app.register_organization("ca", "OA2", "村A2", "A1", "village", "", "书记", ADMIN)
    add_account(app, "aorg2", "organization", organization="OA2")
    add_account(app, "super", "admin")
    web = serve(app)
    assert web.extensions["leitai_hub"].wait_for(app.recorder.max_notification_id(), 20)
    yield {"app": app, "web": web, "url": url}
    stop(web)
    app.close()
    drop()


def as_application_login(url: str, sql: str, params: tuple[Any, ...] = ()) -> None:
    """Run ``sql`` with the application's own database login (on SQLite: the file itself)."""
    store = parse_url(url)
    if store.kind == "sqlite":
        with closing(sqlite3.connect(store.path)) as conn, conn:
            conn.execute(sql.replace("%s", "?"), params)
        return
    with psycopg.connect(store.conninfo(), autocommit=True) as conn:
        conn.execute(sql, params)


def accounts_table(url: str) -> str:
    store = parse_url(url)
    if store.kind == "sqlite":
        with closing(sqlite3.connect(store.path)) as conn:
            return f"rm{conn.execute('SELECT generation FROM rm_state').fetchone()[0]}_accounts"
    with psycopg.connect(store.conninfo()) as conn:
        return f"rm{conn.execute('SELECT generation FROM rm_state').fetchone()[0]}_accounts"


def verify(url: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["--db", url, "--lang", "en", "verify"])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_a_read_side_row_naming_an_admin_grants_nothing(world: dict[str, Any], capsys: Any) -> None:
    """Item 6: ``UPDATE rm0_accounts SET grants='[{"role":"admin"}]' WHERE account='aorg2'`` as the
    application's login.  aorg2's token stays an organization's: it creates no account, a new
    sign-in gets no admin grant, nothing is recorded; verify names the changed row."""
    app, web, url = world["app"], world["web"], world["url"]
    org = Client(web, "aorg2", lang="en")
    as_application_login(url, f"UPDATE {accounts_table(url)} SET grants = %s WHERE account = %s",
                         ('[{"role": "admin"}]', "aorg2"))
    before = event_count(app)
    answer = org.call("POST", "/api/accounts", None, json={"name": "mallory", "display_name": "Mallory",
                                                          "grants": [{"role": "admin"}], "reason": "forged"})
    assert answer.status_code == 403, answer.get_json()
    assert [g["role"] for g in org.get("/api/auth/me")["grants"]] == ["organization"]
    again = Client(web, "aorg2", lang="en")
    assert [g["role"] for g in again.get("/api/auth/me")["grants"]] == ["organization"]
    assert again.call("GET", "/api/accounts", None).status_code == 403
    assert event_count(app) == before
    code, said = verify(url, capsys)
    assert code != 0
    assert "account aorg2" in said and "changed outside Leitai" in said


def test_a_password_hash_written_outside_leitai_signs_nobody_in(world: dict[str, Any], capsys: Any) -> None:
    """Item 6: ``UPDATE leitai_credentials`` with a hash of the insider's choosing.  The log
    commits to the hash Leitai stored, so the forged one is refused (401), like the old
    password (its hash is gone): the change locks the account, it never opens it.  verify
    names the account; a new password set through Leitai works again."""
    app, web, url = world["app"], world["web"], world["url"]
    sign_in = web.test_client()
    assert sign_in.post("/api/auth/token", json={"name": "super", "password": PASSWORD}).status_code == 200
    as_application_login(url, "UPDATE leitai_credentials SET hash = %s WHERE account = %s",
                         (hash_password(FORGED), "super"))
    for password in (FORGED, PASSWORD):
        answer = sign_in.post("/api/auth/token", json={"name": "super", "password": password})
        assert answer.status_code == 401, (password, answer.get_json())
    code, said = verify(url, capsys)
    assert code != 0
    assert "stored password hash of super is not the one its events commit to" in said
    add_account(app, "super", "admin", password="a new password 2")  # as `leitai users password` does
    assert sign_in.post("/api/auth/token", json={"name": "super", "password": "a new password 2"}).status_code == 200
    assert sign_in.post("/api/auth/token", json={"name": "super", "password": FORGED}).status_code == 401
    code, said = verify(url, capsys)
    assert code == 0, said


def test_a_new_row_in_the_credentials_table_signs_nobody_in(world: dict[str, Any]) -> None:
    """An account created over HTTP commits to its one-time password's hash at once: a hash
    put in its place, or for an account that has none, signs nobody in."""
    web, url = world["web"], world["url"]
    admin = Client(web, "super", lang="en")
    made = admin.post("/api/accounts", {"name": "clerk", "display_name": "Clerk", "grants": [{"role": "auditor",
                                                                                                 "contest": "ca"}],
                                        "reason": "audit"})
    client = web.test_client()
    assert client.post("/api/auth/token", json={"name": "clerk", "password": made["password"]}).status_code == 200
    as_application_login(url, "UPDATE leitai_credentials SET hash = %s WHERE account = %s",
                         (hash_password(FORGED), "clerk"))
    assert client.post("/api/auth/token", json={"name": "clerk", "password": FORGED}).status_code == 401


def test_an_earlier_versions_password_is_committed_by_the_upgrade(world: dict[str, Any], capsys: Any) -> None:
    """An account whose password an earlier version set (no commitment in its events) still
    signs in; verify says the hash is not committed; `leitai db upgrade` records the commitment,
    and from then on a hash written outside Leitai signs nobody in."""
    app, web, url = world["app"], world["web"], world["url"]
    app.run(lambda s: s.create_account("legacy", "Legacy", ADMIN))
    app.run(lambda s: s.grant_role("legacy", "admin", {}, "earlier version", ADMIN))
    sidecar = Sidecar(app.store)
    sidecar.store_hash("legacy", hash_password(PASSWORD))  # as an earlier version kept it: no event commits to it
    sidecar.close()
    assert web.test_client().post("/api/auth/token", json={"name": "legacy", "password": PASSWORD}).status_code == 200
    code, said = verify(url, capsys)
    assert code != 0 and "password hash of legacy was stored by an earlier version" in said
    assert main(["--db", url, "--lang", "en", "db", "upgrade"]) == 0
    assert "password commitment of 1 account(s)" in capsys.readouterr().out
    found = app.read(lambda s: s.find_account("legacy"))
    assert found.password_commitment is not None
    assert web.test_client().post("/api/auth/token", json={"name": "legacy", "password": PASSWORD}).status_code == 200
    code, said = verify(url, capsys)
    assert code == 0, said
    as_application_login(url, "UPDATE leitai_credentials SET hash = %s WHERE account = %s",
                         (hash_password(FORGED), "legacy"))
    assert web.test_client().post("/api/auth/token", json={"name": "legacy", "password": FORGED}).status_code == 401
    assert main(["--db", url, "--lang", "en", "db", "upgrade"]) == 0  # vouches only once: not for the forged hash
    assert found.password_commitment == app.read(lambda s: s.find_account("legacy")).password_commitment
    assert commitment(hash_password(FORGED)) != found.password_commitment


def test_an_account_change_takes_effect_with_the_projector_stopped(world: dict[str, Any]) -> None:
    """Rights are read from the events on every request: with the projector stopped (the read
    side frozen), a revoked role and a disabled account take effect at once."""
    web = world["web"]
    org = Client(web, "aorg2", lang="en")
    admin = Client(web, "super", lang="en")
    assert org.get("/api/auth/me")["account"] == "aorg2"
    web.extensions["leitai_projector_stop"].set()
    admin.post("/api/accounts/aorg2/disable", {"reason": "left the post"})
    assert org.call("GET", "/api/auth/me", None).status_code == 401
    assert web.test_client().post("/api/auth/token", json={"name": "aorg2", "password": PASSWORD}).status_code == 401


def test_a_change_recorded_by_another_process_takes_effect_within_a_poll(world: dict[str, Any], capsys: Any) -> None:
    """Each server keeps the state folded from an account's events and tails the log itself
    (api/rest/rights.py): an account disabled on the command line - another process, another
    application - loses its rights on this server within one look at the tail, with no
    projector running."""
    import time

    web, url = world["web"], world["url"]
    org = Client(web, "aorg2", lang="en")
    assert org.get("/api/auth/me")["account"] == "aorg2"  # its state is folded and kept now
    web.extensions["leitai_projector_stop"].set()
    assert main(["--db", url, "--lang", "en", "users", "disable", "aorg2", "--reason", "left the post"]) == 0
    deadline = time.monotonic() + 2
    while org.call("GET", "/api/auth/me", None).status_code != 401:
        assert time.monotonic() < deadline, "the disabled account kept its rights"
        time.sleep(0.01)


def test_a_stale_tail_folds_every_request_from_the_store(world: dict[str, Any]) -> None:
    """Fail closed: while the tail has not looked for a while (its thread stopped), nothing
    kept is trusted - each request folds its account from the store."""
    web, url = world["web"], world["url"]
    org = Client(web, "aorg2", lang="en")
    assert org.get("/api/auth/me")["account"] == "aorg2"
    rights = web.extensions["leitai_rights"]
    rights._stopping = lambda: True  # the tail stops looking
    rights._thread.join(timeout=2)
    import time

    time.sleep(0.6)  # past STALE
    other = open_app(url, clock=FixedClock("2025-05-20T09:00"))  # another process's application
    try:
        other.run(lambda s: s.disable_account("aorg2", "left the post", ADMIN))
    finally:
        other.close()
    assert org.call("GET", "/api/auth/me", None).status_code == 401
