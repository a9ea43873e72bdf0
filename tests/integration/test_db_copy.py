"""`leitai db copy SOURCE TARGET` (issue 17, item 5): a played contest moves from its SQLite file
to PostgreSQL, from one PostgreSQL database to another and back to SQLite, each time with every
event row, the chain, the Merkle tree, the log's origin, the password hashes and the idempotent
answers equal to the source's, the rankings equal, the heads signed before still valid
(`verify --since` a head saved before the copy passes on the new store), and the deployment's
signer going on signing on the copy.  A target that holds anything is refused, and a failure in
the middle of the copy leaves the target as it was."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest

from api.cli.dbcopy import rankings
from domain.services.store import parse_url
from eventstore.keys import default_path
from migrations.runner import roles
from tests.pg import APP_ROLE

LEITAI = str(Path(sys.executable).parent / "leitai")
pytestmark = pytest.mark.postgres


def leitai(*args: str, expect: int = 0, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([LEITAI, *args], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, LEITAI_LANG="zh", **(env or {})))
    assert done.returncode == expect, f"exit {done.returncode}, expected {expect}\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The demo contest played to its end on SQLite (accounts, objections, a final, 20+ signed
    heads), an idempotent answer kept, and a head signed and saved to a file before any copy."""
    folder = tmp_path_factory.mktemp("played")
    url = f"sqlite:///{folder}/county.db"
    leitai("--db", url, "demo", "--fresh", "--no-serve")
    with sqlite3.connect(f"{folder}/county.db") as conn:
        conn.execute("INSERT INTO leitai_requests (account, key, fingerprint, status, body, created_at) "
                     "VALUES ('county', 'k-1', 'f', 201, '{\"ok\": true}', '2025-05-20T09:00:00+00:00')")
    leitai("--db", url, "verify")  # the source as an auditor finds it (its read models brought up to date)
    head = folder / "head-before-copy.txt"
    head.write_text(leitai("--db", url, "checkpoint").stdout, encoding="utf-8")
    return url, head


@pytest.fixture
def new_database(pg_databases: Any) -> Any:
    """``new()`` -> the URL (superuser) of a new, empty PostgreSQL database, dropped afterwards
    with the two roles its migration creates."""
    made: list[str] = []

    def new() -> str:
        name = f"leitai_copy_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(pg_databases.server.admin_conninfo(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return pg_databases.server.url_for(name)

    yield new
    for name in made:
        recorded = roles(parse_url(pg_databases.server.url_for(name)))
        pg_databases.drop(name)
        if recorded:
            pg_databases.drop_roles(recorded["writer"], recorded["owner"])


def recorded(url: str) -> dict[str, list[tuple]]:
    """Every row that `db copy` copies, as plain values, in key order."""
    store = parse_url(url)
    lite = store.kind == "sqlite"
    conn: Any = sqlite3.connect(store.path) if lite else psycopg.connect(store.conninfo())
    tables = {
        "events": ("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid"
                   if lite else "SELECT notification_id, originator_id, originator_version, topic, state "
                   "FROM leitai_events ORDER BY notification_id"),
        "chain": f"SELECT position, link FROM {'event_chain' if lite else 'leitai_chain'} ORDER BY position",
        "leaves": f"SELECT leaf, position, hash FROM {'merkle_leaves' if lite else 'leitai_tree_leaves'} ORDER BY leaf",
        "nodes": f"SELECT level, idx, hash FROM {'merkle_nodes' if lite else 'leitai_tree_nodes'} ORDER BY level, idx",
        "origin": f"SELECT origin FROM {'log_identity' if lite else 'leitai_log'}",
        "credentials": "SELECT account, hash, updated_at FROM leitai_credentials",
        "requests": "SELECT account, key, fingerprint, status, body, created_at FROM leitai_requests",
    }
    try:
        out = {}
        for name, query in tables.items():
            rows = [tuple(_plain(v) for v in row) for row in conn.execute(query).fetchall()]
            out[name] = rows if name in ("events", "chain", "leaves", "nodes") else sorted(rows)
        return out
    finally:
        conn.close()


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def test_a_played_contest_moves_from_sqlite_to_postgresql_and_on_byte_for_byte(played, new_database):
    source, head = played
    before = recorded(source)
    ranked = rankings(parse_url(source))
    assert len(before["events"]) > 1000 and len(before["credentials"]) >= 6 and before["requests"]
    assert len(ranked) >= 8, "the demo plays eight rounds"

    first = new_database()
    done = leitai("db", "copy", source, first)
    assert "1/3" in done.stdout and "2/3" in done.stdout and "3/3" in done.stdout
    assert "复制事件" in done.stderr and "%" in done.stderr, "the copy shows its progress"
    assert "全部仍然有效" in done.stdout and f"{len(ranked)} 个轮次的排名与源数据库完全相同" in done.stdout
    assert recorded(first) == before, "SQLite -> PostgreSQL: some copied row differs from the source's"
    assert rankings(parse_url(first)) == ranked

    # the head saved before the copy is extended, unchanged, by the new store
    key = default_path(parse_url(source))
    checked = leitai("--db", first, "verify", "--since", str(head), "--key", str(key))
    assert "不一致" not in checked.stdout + checked.stderr

    second = new_database()
    leitai("db", "copy", first, second)
    assert recorded(second) == before, "PostgreSQL -> PostgreSQL: some copied row differs from the source's"
    assert rankings(parse_url(second)) == ranked

    back = source.replace("county.db", "back.db")
    leitai("db", "copy", second, back)
    assert recorded(back) == before, "PostgreSQL -> SQLite: some copied row differs from the source's"
    assert rankings(parse_url(back)) == ranked

    # the application's own login works on the copy, and the deployment's signer, pointed at its
    # key (as the command says), signs on: the copy extends the last head it signed
    with psycopg.connect(parse_url(second).conninfo(), autocommit=True) as conn:
        conn.execute(f'GRANT "{roles(parse_url(second))["writer"]}" TO {APP_ROLE}')
    app_url = parse_url(second).url.replace(f"{parse_url(second).user}@", f"{APP_ROLE}@", 1)
    leitai("--db", app_url, "checkpoint", env={"LEITAI_SIGNING_KEY": str(key)})
    after = recorded(second)
    assert after["events"][:len(before["events"])] == before["events"]
    assert after["events"][-1][0] == before["events"][-1][0] + 1, "the next event takes the next position"
    leitai("--db", app_url, "verify", "--since", str(head), "--key", str(key))


def test_a_target_that_holds_anything_is_refused_and_left_alone(played, new_database, tmp_path):
    source, _ = played
    target = new_database()
    leitai("db", "copy", source, target)
    held = recorded(target)
    refused = leitai("db", "copy", source, target, expect=2)
    assert "TARGET" in refused.stderr and "不是空数据库" in refused.stderr and "事件" in refused.stderr
    assert recorded(target) == held

    itself = leitai("db", "copy", source, source, expect=2)
    assert "与源数据库相同" in itself.stderr

    other = tmp_path / "notes.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    refused = leitai("--lang", "en", "db", "copy", source, f"sqlite:///{other}", expect=2)
    assert "is not a Leitai database" in refused.stderr


def test_a_failure_midway_leaves_the_target_as_it_was(played, new_database, tmp_path):
    source, _ = played
    target = new_database()
    leitai("db", "migrate", "--db", target)  # migrated and empty: a target the copy accepts
    empty = recorded(target)
    # a real failure in the middle of the copy (standing for a disk that fills up): the target
    # refuses the 700th event
    with psycopg.connect(parse_url(target).conninfo(), autocommit=True) as conn:
        conn.execute("CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                     "IF NEW.notification_id = 700 THEN RAISE EXCEPTION 'no space left on device'; END IF; "
                     "RETURN NEW; END $$")
        conn.execute("CREATE TRIGGER boom BEFORE INSERT ON leitai_events FOR EACH ROW EXECUTE FUNCTION boom()")
    failed = leitai("db", "copy", source, target, expect=5)
    assert "no space left on device" in failed.stderr and "未保留任何内容" in failed.stderr
    assert "重新运行 `leitai db copy`" in failed.stderr
    assert recorded(target) == empty, "a failed copy left rows (or another origin) in the target"

    # a target that stores something else than it was given (here one event's state changed by a
    # planted trigger) is found by the comparison before the commit, and rolled back
    with psycopg.connect(parse_url(target).conninfo(), autocommit=True) as conn:
        conn.execute("DROP TRIGGER boom ON leitai_events")
        conn.execute("CREATE FUNCTION bend() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                     "IF NEW.notification_id = 700 THEN NEW.state := NEW.state || '\\x20'::bytea; END IF; "
                     "RETURN NEW; END $$")
        conn.execute("CREATE TRIGGER bend BEFORE INSERT ON leitai_events FOR EACH ROW EXECUTE FUNCTION bend()")
    failed = leitai("--lang", "en", "db", "copy", source, target, expect=5)
    assert "the copy's events differ from the source's at row 700" in failed.stderr, failed.stderr
    assert recorded(target) == empty

    with psycopg.connect(parse_url(target).conninfo(), autocommit=True) as conn:
        conn.execute("DROP TRIGGER bend ON leitai_events")
    leitai("db", "copy", source, target)
    assert recorded(target) == recorded(source)

    # the same on SQLite: a migrated, empty file whose events table refuses the 700th event
    lite = tmp_path / "empty.db"
    leitai("db", "migrate", "--db", f"sqlite:///{lite}")
    empty = recorded(f"sqlite:///{lite}")
    with sqlite3.connect(lite) as conn:
        conn.execute("CREATE TRIGGER boom BEFORE INSERT ON stored_events WHEN NEW.rowid = 700 "
                     "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END")
    failed = leitai("db", "copy", source, f"sqlite:///{lite}", expect=5)
    assert "disk I/O error" in failed.stderr and "未保留任何内容" in failed.stderr
    assert recorded(f"sqlite:///{lite}") == empty


def test_a_copy_that_does_not_match_its_source_exits_6_and_says_not_to_switch(played, tmp_path):
    """The source's served rankings differ from what its log gives (an insider edited the
    source's read models): the copy, rebuilt from the log, does not match them - `db copy`
    names the rounds, says not to switch to the new store, and exits 6."""
    import json
    import shutil

    from projections.queries import ReadModels
    from projections.tables import ROUNDS

    source, _ = played
    tampered = tmp_path / "tampered.db"
    shutil.copy(parse_url(source).path, tampered)
    url = f"sqlite:///{tampered}"
    read = ReadModels(parse_url(url))
    generation = read.store.state()[0]
    read.close()
    table = ROUNDS.physical(generation)
    with sqlite3.connect(tampered) as conn:
        code, ranking = conn.execute(f"SELECT round, ranking FROM {table} WHERE status = 'final' ORDER BY round "
                                     "LIMIT 1").fetchone()
        edited = json.loads(ranking)
        first, second = edited["entries"][0], edited["entries"][1]
        first["rank"], second["rank"] = second["rank"], first["rank"]  # the first two swapped
        conn.execute(f"UPDATE {table} SET ranking = ? WHERE round = ?", (json.dumps(edited, ensure_ascii=False), code))
    target = f"sqlite:///{tmp_path}/copy.db"
    done = leitai("db", "copy", url, target, expect=6)
    assert f"排名与源数据库不同：{code}" in done.stderr, done.stderr
    assert "请勿启用新数据库" in done.stderr + done.stdout
    assert rankings(parse_url(target))[code] != rankings(parse_url(url))[code]
