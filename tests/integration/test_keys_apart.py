"""Keys where the data is not: the signing key and the token key live in the user's data
directory (0700, files 0600), named after the database, never beside or inside it; a new
SQLite database and its -wal/-shm are 0600; `leitai db upgrade` moves an earlier version's
keys out (the signing key from beside the SQLite file, the token key out of
``leitai_settings``) and tightens a database file other users could read."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

import migrations
from api.app import create_app
from domain.services.store import parse_url
from eventstore.keys import (beside_path, data_directory, default_path, key_files, load_signer, secret_key,
                             secret_key_path, signing_key_path)
from projections.source import EventSource
from projections.verify import verify_store
from tests.conftest import ADMIN
from tests.http import Client, add_account
from tests.scenario import score_all, small_contest

LEITAI = str(Path(sys.executable).parent / "leitai")
TOKEN_KEY = "a1" * 32  # what an earlier version made and kept in leitai_settings


@pytest.fixture
def keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data directory of this test's own, and no key named by a setting."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    for name in ("LEITAI_SIGNING_KEY", "LEITAI_SECRET_KEY", "LEITAI_SECRET_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "xdg" / "leitai"


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def leitai(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """The command line in a process of its own, with this test's settings (and English)."""
    done = subprocess.run([LEITAI, "--lang", "en", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "LEITAI_CLOCK": "2025-05-20T09:00"})
    if check:
        assert done.returncode == 0, done.stderr
    return done


def checkpointed(app) -> None:
    """R1 scored and closed: a signed checkpoint."""
    small_contest(app)
    score_all(app)
    app.close_round("R1", ADMIN)


def verified(url: str, public: bytes):
    source = EventSource(parse_url(url))
    try:
        return verify_store(source, keys=[public])
    finally:
        source.close()


# -- where the keys are ---------------------------------------------------------------------------


def test_both_keys_default_to_the_data_directory_named_after_the_database(tmp_path, keys, monkeypatch):
    sqlite = parse_url(f"sqlite:///{tmp_path}/county.db")
    digest = hashlib.sha256(f"{tmp_path}/county.db".encode()).hexdigest()[:8]
    assert default_path(sqlite) == keys / f"county-{digest}.signing-key.pem" == signing_key_path(sqlite)
    assert secret_key_path(sqlite) == keys / f"county-{digest}.secret-key"
    # a database of the same name elsewhere has keys of its own
    (tmp_path / "other").mkdir()
    elsewhere = parse_url(f"sqlite:///{tmp_path}/other/county.db")
    assert default_path(elsewhere) != default_path(sqlite) and default_path(elsewhere).name.startswith("county-")
    postgres = parse_url("postgresql://leitai@db.example:5433/wushen")
    assert default_path(postgres) == keys / "wushen@db.example-5433.signing-key.pem"
    assert secret_key_path(postgres) == keys / "wushen@db.example-5433.secret-key"
    # the settings still win
    monkeypatch.setenv("LEITAI_SIGNING_KEY", str(tmp_path / "signing.pem"))
    monkeypatch.setenv("LEITAI_SECRET_KEY_FILE", str(tmp_path / "token.key"))
    assert default_path(sqlite) == tmp_path / "signing.pem" and secret_key_path(postgres) == tmp_path / "token.key"
    monkeypatch.setenv("LEITAI_SECRET_KEY", "the-key-itself")
    assert secret_key(postgres) == "the-key-itself" and not (tmp_path / "token.key").exists()
    # without XDG_DATA_HOME: ~/.local/share/leitai
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data_directory() == tmp_path / "home" / ".local" / "share" / "leitai"


def test_keys_are_created_0600_in_a_0700_directory_once(tmp_path, keys):
    store = parse_url(f"sqlite:///{tmp_path}/county.db")
    signer = load_signer(default_path(store))
    token = secret_key(store)
    assert mode(keys) == 0o700
    assert mode(default_path(store)) == 0o600 and mode(secret_key_path(store)) == 0o600
    assert len(token) == 64 and secret_key(store) == token
    assert load_signer(default_path(store)).public_hex == signer.public_hex
    assert set(keys.iterdir()) == {default_path(store), secret_key_path(store)} <= set(key_files(store))


def test_processes_asking_at_once_for_the_token_key_end_with_one(tmp_path, keys):
    url = f"sqlite:///{tmp_path}/county.db"
    code = ("from domain.services.store import parse_url; from eventstore.keys import secret_key; "
            f"print(secret_key(parse_url({url!r})))")
    processes = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=dict(os.environ))
                 for _ in range(6)]
    found = {process.communicate(timeout=60)[0].strip() for process in processes}
    assert len(found) == 1 and found == {secret_key(parse_url(url))}


# -- the database files ---------------------------------------------------------------------------


@pytest.fixture
def loose_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # what most systems give a process: new files 0644
    yield
    os.umask(previous)


def test_a_new_sqlite_database_and_its_wal_and_shm_are_0600(tmp_path, keys, make_app, loose_umask):
    url = f"sqlite:///{tmp_path}/county.db"
    app = make_app(url)
    small_contest(app)  # the application holds its connections: -wal and -shm are there
    files = [tmp_path / name for name in ("county.db", "county.db-wal", "county.db-shm")]
    assert all(path.exists() for path in files) and [mode(path) for path in files] == [0o600] * 3
    # the migrations alone, and `leitai db upgrade`, create it 0600 too
    assert migrations.migrate(parse_url(f"sqlite:///{tmp_path}/migrated.db"))
    leitai("--db", f"sqlite:///{tmp_path}/upgraded.db", "db", "upgrade")
    assert mode(tmp_path / "migrated.db") == mode(tmp_path / "upgraded.db") == 0o600


def test_db_upgrade_tightens_a_database_other_users_can_read(tmp_path, keys):
    url = f"sqlite:///{tmp_path}/county.db"
    leitai("--db", url, "db", "upgrade")
    database, wal, shm = (tmp_path / name for name in ("county.db", "county.db-wal", "county.db-shm"))
    running = sqlite3.connect(database)  # a server has it open: its -wal and -shm are there
    try:
        running.execute("SELECT count(*) FROM stored_events").fetchone()
        for path, loose in ((database, 0o644), (wal, 0o664), (shm, 0o644)):
            path.chmod(loose)
        done = leitai("--db", url, "db", "upgrade")
        assert f"Tightened {database}, {wal}, {shm} to mode 0600" in done.stdout
        assert [mode(path) for path in (database, wal, shm)] == [0o600] * 3
    finally:
        running.close()
    assert "Tightened" not in leitai("--db", url, "db", "upgrade").stdout  # nothing more to do


# -- upgrading from the keys' old places -----------------------------------------------------------


def test_db_upgrade_moves_the_signing_key_from_beside_the_database_and_keeps_signing_with_it(
        tmp_path, keys, make_app, clock):
    url = f"sqlite:///{tmp_path}/county.db"
    store = parse_url(url)
    old = beside_path(store)
    assert old == Path(f"{tmp_path}/county.db.signing-key.pem")
    public = load_signer(old).public_key  # an earlier version's key, beside the database
    # until `db upgrade` moves it, the deployment keeps signing with it (no second key)
    assert default_path(store) == old
    app = make_app(url)
    checkpointed(app)
    app.close()
    assert not signing_key_path(store).exists()
    shown = leitai("--db", url, "keys", "show")
    assert str(old) in shown.stdout and "db upgrade" in shown.stderr

    done = leitai("--db", url, "db", "upgrade")
    new = signing_key_path(store)
    assert f"Moved the signing key from beside the database ({old}) to {new}" in done.stdout
    assert not old.exists() and mode(new) == 0o600 and mode(keys) == 0o700
    assert load_signer(new).public_key == public and default_path(store) == new
    before = verified(url, public)
    assert before.ok and before.heads >= 1, [f.detail for f in before.findings]
    from eventstore.signing import STATE_SUFFIX  # the signer's state went with its key

    assert Path(str(new) + STATE_SUFFIX).is_file() and not Path(str(old) + STATE_SUFFIX).exists()

    clock.set("2025-05-21T10:00")
    app = make_app(url)
    app.publish("R1", ADMIN)  # signed after the move: with the same key
    app.close()
    after = verified(url, public)
    assert after.ok and after.heads > before.heads, [f.detail for f in after.findings]
    assert "Moved" not in leitai("--db", url, "db", "upgrade").stdout  # once


def test_db_upgrade_never_overwrites_a_key_already_at_the_new_place(tmp_path, keys):
    url = f"sqlite:///{tmp_path}/county.db"
    store = parse_url(url)
    leitai("--db", url, "db", "upgrade")
    current = load_signer(signing_key_path(store)).public_key
    load_signer(beside_path(store))  # another key beside the database
    done = leitai("--db", url, "db", "upgrade")
    assert "two different signing keys" in done.stderr and done.returncode == 0
    assert load_signer(signing_key_path(store)).public_key == current and beside_path(store).exists()
    assert default_path(store) == signing_key_path(store)
    beside_path(store).write_bytes(signing_key_path(store).read_bytes())  # the same key twice
    assert "the copy beside the database was deleted" in leitai("--db", url, "db", "upgrade").stdout
    assert not beside_path(store).exists() and load_signer(signing_key_path(store)).public_key == current


@pytest.fixture
def admin_url(store_url, pg_databases_or_none) -> str:
    """The URL `db upgrade` runs with: the owner's (a superuser's here) on PostgreSQL."""
    if pg_databases_or_none is None:
        return store_url
    return pg_databases_or_none.server.url_for(parse_url(store_url).dbname)


@pytest.fixture
def pg_databases_or_none(request, store_url):
    return request.getfixturevalue("pg_databases") if store_url.startswith("postgresql") else None


def signed_in(app) -> str:
    """A token for the account admin from a server over ``app``."""
    flask_app = create_app({"LEITAI_APP": app, "TESTING": True})
    try:
        return Client(flask_app, "admin").headers["Authorization"].removeprefix("Bearer ")
    finally:
        flask_app.extensions["leitai_hub"].close()
        flask_app.extensions["leitai_sidecar"].close()


def me(app, token: str) -> dict:
    """GET /api/auth/me with ``token``, from a server (started now) over ``app``."""
    flask_app = create_app({"LEITAI_APP": app, "TESTING": True})
    try:
        client = Client(flask_app)
        client.headers["Authorization"] = f"Bearer {token}"
        return client.get("/api/auth/me")
    finally:
        flask_app.extensions["leitai_hub"].close()
        flask_app.extensions["leitai_sidecar"].close()


def settings(url: str) -> list[tuple]:
    store = parse_url(url)
    if store.kind == "sqlite":
        with sqlite3.connect(store.path) as conn:
            return conn.execute("SELECT name, value FROM leitai_settings").fetchall()
    with psycopg.connect(store.conninfo()) as conn:
        return conn.execute("SELECT name, value FROM leitai_settings").fetchall()


def keep_in_database_as_before(url: str) -> None:
    """What an earlier version's server did on its first start (with the application's role)."""
    store = parse_url(url)
    if store.kind == "sqlite":
        with sqlite3.connect(store.path) as conn:
            conn.execute("INSERT INTO leitai_settings (name, value) VALUES ('token-key', ?)", (TOKEN_KEY,))
    else:
        with psycopg.connect(store.conninfo(), autocommit=True) as conn:
            conn.execute("INSERT INTO leitai_settings (name, value) VALUES ('token-key', %s)", (TOKEN_KEY,))


def test_db_upgrade_moves_the_token_key_out_of_the_database(store_url, admin_url, keys, make_app, monkeypatch):
    app = make_app(store_url)
    small_contest(app)
    add_account(app, "admin", "admin")
    keep_in_database_as_before(store_url)
    store = parse_url(store_url)
    # a token issued before the upgrade, by a server that signed with the key in the database
    monkeypatch.setenv("LEITAI_SECRET_KEY", TOKEN_KEY)
    token = signed_in(app)
    monkeypatch.delenv("LEITAI_SECRET_KEY")
    assert not secret_key_path(store).exists()

    done = leitai("--db", admin_url, "db", "upgrade")
    path = secret_key_path(store)
    assert f"Moved the token key out of the database (leitai_settings) to {path}" in done.stdout
    assert "Every server of a deployment must use the same token key" in done.stdout
    assert "only signs everyone out (tokens last 12 hours)" in done.stdout
    assert path.read_text().strip() == TOKEN_KEY and mode(path) == 0o600
    assert settings(admin_url) == []  # nothing of it is left in the database
    if store.kind == "sqlite":
        for name in (store.path, store.path + "-wal", store.path + "-shm"):
            if Path(name).exists():
                assert TOKEN_KEY.encode() not in Path(name).read_bytes(), name

    # the token issued before the move is still valid: it is the same key, now read from its file
    assert me(app, token)["account"] == "admin"
    assert "token key" not in leitai("--db", admin_url, "db", "upgrade").stdout  # once


def test_an_existing_token_key_file_is_kept_and_the_database_s_copy_deleted(sqlite_url, keys, make_app):
    make_app(sqlite_url)
    keep_in_database_as_before(sqlite_url)
    in_use = secret_key(parse_url(sqlite_url))  # a server of this version started before the upgrade
    done = leitai("--db", sqlite_url, "db", "upgrade")
    assert "already holds another token key (the one in use)" in done.stdout
    assert secret_key(parse_url(sqlite_url)) == in_use and settings(sqlite_url) == []


@pytest.mark.postgres
def test_on_postgres_the_database_owner_may_delete_the_token_key_and_the_application_role_may_not(
        pg_databases, keys):
    """As in the README: the database's owner (CREATEROLE, not a superuser) runs `db upgrade`;
    the application's role asking finds the key it may not delete, says so (exit 5) and leaves it."""
    server = pg_databases.server
    migrator, name = f"leitai_mig_{uuid.uuid4().hex[:8]}", f"leitai_own_{uuid.uuid4().hex[:8]}"
    app_login = f"leitai_login_{uuid.uuid4().hex[:8]}"
    found = None
    with psycopg.connect(server.admin_conninfo(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN CREATEDB CREATEROLE").format(sql.Identifier(migrator)))
    try:
        with psycopg.connect(parse_url(server.url_for("postgres", user=migrator)).conninfo(), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        owner_url = server.url_for(name, user=migrator)
        leitai("--db", owner_url, "db", "upgrade")
        found = migrations.runner.roles(parse_url(owner_url))
        with psycopg.connect(server.admin_conninfo(), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(sql.Identifier(app_login),
                                                                         sql.Identifier(found["writer"])))
        app_url = server.url_for(name, user=app_login)
        keep_in_database_as_before(app_url)

        asked = leitai("--db", app_url, "db", "upgrade", check=False)
        assert asked.returncode == 5 and "may not delete it" in asked.stderr and "database owner" in asked.stderr
        assert settings(owner_url) == [("token-key", TOKEN_KEY)] and not secret_key_path(parse_url(app_url)).exists()

        done = leitai("--db", owner_url, "db", "upgrade")
        assert "Moved the token key out of the database" in done.stdout
        assert settings(owner_url) == [] and settings(app_url) == []
        # the file is named after the database, host and port: the servers (another login) find it
        assert secret_key(parse_url(app_url)) == TOKEN_KEY
    finally:
        pg_databases.drop(name)
        pg_databases.drop_roles(app_login, *([found["writer"], found["owner"]] if found else []), migrator)


def test_a_local_user_reading_the_database_finds_no_key(sqlite_url, keys, make_app, loose_umask):
    app = make_app(sqlite_url)
    checkpointed(app)
    add_account(app, "admin", "admin")
    assert me(app, signed_in(app))["account"] == "admin"  # signed in: the token key exists
    store = parse_url(sqlite_url)
    signer = load_signer(default_path(store), create=False)
    token = secret_key(store)
    private = signer.private.private_bytes_raw()
    directory = Path(store.path).parent
    assert default_path(store).parent == keys and secret_key_path(store).parent == keys
    for path in directory.iterdir():
        if path.is_file() and path.name.startswith(Path(store.path).name):
            assert mode(path) == 0o600, path
            data = path.read_bytes()
            assert token.encode() not in data and private not in data and b"PRIVATE KEY" not in data, path
    assert settings(sqlite_url) == []
    assert not list(directory.glob("*signing-key*")) and not list(directory.glob("*secret-key*"))


def test_demo_fresh_starts_with_fresh_keys_of_its_own(tmp_path, keys, monkeypatch):
    url = f"sqlite:///{tmp_path}/demo.db"
    store = parse_url(url)
    monkeypatch.chdir(tmp_path)
    leitai("--db", url, "demo", "--fresh", "--no-serve")
    first = load_signer(signing_key_path(store), create=False).public_key
    secret_key(store)  # as `leitai demo` serving would
    load_signer(beside_path(store))  # and an earlier version's key beside it
    configured = tmp_path / "configured.pem"
    load_signer(configured)
    derived = set(key_files(store))
    monkeypatch.setenv("LEITAI_SECRET_KEY_FILE", str(tmp_path / "configured.secret-key"))
    secret_key(store)
    leitai("--db", url, "demo", "--fresh", "--no-serve")
    assert load_signer(signing_key_path(store), create=False).public_key != first
    from eventstore.signing import STATE_SUFFIX, HeadSigner
    from eventstore.tree import TreeStore

    new = signing_key_path(store)  # the new key, with its own state (the last head it signed) and lock
    assert {path for path in derived if path.exists()} == {new, Path(f"{new}{STATE_SUFFIX}"), Path(f"{new}.lock")}
    assert HeadSigner(new, TreeStore(store), create=False).last_head() is not None  # signed by the new key
    # a key a setting names is never the demo's to delete
    assert configured.exists() and (tmp_path / "configured.secret-key").exists()
