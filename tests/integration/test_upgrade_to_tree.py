"""An existing deployment upgrades to the Merkle tree without losing what it signed before.

The fixture is a real database left by the version before the tree (`leitai demo` of that
version: 1,040 events, 21 signed chain checkpoints) with its signing key.  ``leitai db
upgrade`` builds the tree over the whole existing log and signs the first tree head with
the same key; afterwards the old checkpoints still verify, every round sealed before is
covered by them, and new heads extend the first one.  On PostgreSQL the same events are
loaded into a database migrated as that version left it, then upgraded.
"""

from __future__ import annotations

import gzip
import shutil
import sqlite3
from pathlib import Path
from uuid import UUID, uuid4

import psycopg
import pytest

import migrations
from api.cli.main import main
from domain import merkle
from domain.services.store import parse_url
from eventstore.keys import load_signer
from eventstore.tree import TreeStore, event_leaf
from projections.source import EventSource
from projections.verify import verify_store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EVENTS, CHECKPOINTS = 1040, 21


@pytest.fixture
def old_key(tmp_path, monkeypatch) -> bytes:
    key = tmp_path / "signing-key.pem"
    shutil.copy(FIXTURES / "before-merkle-tree.signing-key.pem", key)
    key.chmod(0o600)
    monkeypatch.setenv("LEITAI_SIGNING_KEY", str(key))
    return load_signer(key).public_key


@pytest.fixture
def old_sqlite(tmp_path) -> Path:
    path = tmp_path / "county.db"
    with gzip.open(FIXTURES / "before-merkle-tree.db.gz") as source, path.open("wb") as out:
        shutil.copyfileobj(source, out)
    return path


def fixture_events(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
                            "ORDER BY rowid").fetchall()


def upgrade(monkeypatch, capsys, url) -> str:
    monkeypatch.setenv("LEITAI_LANG", "en")
    assert main(["--db", url, "db", "upgrade"]) == 0
    return capsys.readouterr().out


def check_upgraded(url: str, old_key: bytes, events: list[tuple], committed: int = 0) -> None:
    source = EventSource(parse_url(url))
    try:
        report = verify_store(source, keys=[old_key])
    finally:
        source.close()
    assert report.ok, [f.detail for f in report.findings]
    assert report.checkpoints == CHECKPOINTS and report.heads == 1  # the old checkpoints still verify
    # the first head's own event follows, then the commitments to the passwords the earlier version kept
    assert report.tree_size == EVENTS + 1 + committed and len(report.rounds) == 7
    tree = merkle.MemoryTree()  # the tree built over the existing log is that of its events
    for position, aggregate, version, topic, state in events:
        tree.append(event_leaf(position, UUID(hex=aggregate), version, topic, state))
    assert TreeStore(parse_url(url)).root(EVENTS)[1] == tree.root(EVENTS)


def test_an_sqlite_deployment_upgrades_to_the_tree_and_its_old_checkpoints_still_verify(old_sqlite, old_key,
                                                                                        monkeypatch, capsys):
    url = f"sqlite:///{old_sqlite}"
    assert migrations.applied(parse_url(url)).keys() == set(range(1, 9))  # as the earlier version left it
    out = upgrade(monkeypatch, capsys, url)
    assert "0009_merkle_tree" in out and "Signed and recorded the first tree head" in out and f"({EVENTS} events)" in out
    assert "password commitment of 6 account(s)" in out  # the six accounts of the earlier version's demo
    check_upgraded(url, old_key, fixture_events(old_sqlite), committed=6)
    assert "first tree head" not in upgrade(monkeypatch, capsys, url)  # once
    monkeypatch.setenv("LEITAI_DATABASE_URL", url)
    assert main(["checkpoint"]) == 0  # and the heads that follow extend the first one
    assert main(["verify", "--key", old_key.hex()]) == 0


@pytest.mark.postgres
def test_a_postgresql_deployment_upgrades_to_the_tree_and_its_old_checkpoints_still_verify(old_sqlite, old_key,
                                                                                            pg_databases, monkeypatch,
                                                                                            capsys):
    name = f"leitai_up_{uuid4().hex[:10]}"
    server = pg_databases.server
    with psycopg.connect(server.admin_conninfo(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = server.url_for(name)
    try:
        migrations.migrate(parse_url(url), upto=9)  # the schema the earlier version left
        events = fixture_events(old_sqlite)
        with psycopg.connect(parse_url(url).conninfo(), autocommit=True) as conn, conn.transaction():
            with conn.cursor() as cur:  # the same log, event by event, through its checks and its chain
                cur.executemany("INSERT INTO leitai_events (notification_id, originator_id, originator_version, "
                                "topic, state) VALUES (%s, %s, %s, %s, %s)",
                                [(p, UUID(hex=a), v, t, bytes(s)) for p, a, v, t, s in events])
            conn.execute("SELECT setval(pg_get_serial_sequence('leitai_events', 'notification_id'), %s)",
                         (len(events),))
        out = upgrade(monkeypatch, capsys, url)
        assert "0010_merkle_tree" in out and f"({EVENTS} events)" in out
        check_upgraded(url, old_key, events)
    finally:
        with psycopg.connect(server.admin_conninfo(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        roles = [f"leitai_writer_{name}", f"leitai_owner_{name}"]
        pg_databases.drop_roles(*roles)
