"""Migrations: applied once, in order, recorded; a changed file is refused; the
embedded store refuses changes to recorded events too."""

from __future__ import annotations

import sqlite3
import os
import uuid

import psycopg
import pytest

import migrations
from migrations.runner import Migration
from domain.services.store import parse_url
from tests.conftest import ADMIN


SQLITE = ["0001_event_store", "0002_read_models", "0003_audit_on_demand", "0004_append_only_closed"]
POSTGRES = ["0001_event_store", "0002_writer_role", "0003_read_models", "0004_audit_on_demand",
            "0005_append_only_closed"]


def names(kind: str) -> list[str]:
    return [f"{m.version:04d}_{m.name}" for m in migrations.runner.available(kind)]


def test_the_migrations_are_numbered_in_order_without_gaps():
    for kind, first in (("sqlite", SQLITE), ("postgresql", POSTGRES)):
        found = names(kind)
        assert found[:len(first)] == first  # later files may follow, never change these
        assert [int(n[:4]) for n in found] == list(range(1, len(found) + 1))


def test_migrating_twice_applies_nothing_the_second_time(sqlite_url):
    store = parse_url(sqlite_url)
    assert migrations.migrate(store) == names("sqlite")
    assert migrations.migrate(store) == []
    assert set(migrations.applied(store)) == set(range(1, len(names("sqlite")) + 1)) >= {1, 2, 3, 4}
    assert migrations.runner.roles(store) is None  # roles are PostgreSQL's


def test_a_migration_changed_after_it_was_applied_stops_the_run(sqlite_url, monkeypatch):
    store = parse_url(sqlite_url)
    migrations.migrate(store)
    original = migrations.runner.available

    def edited(kind):
        return [Migration(m.version, m.name, m.sql + "\n-- edited") for m in original(kind)]

    monkeypatch.setattr(migrations.runner, "available", edited)
    with pytest.raises(migrations.MigrationError, match="forward-only"):
        migrations.migrate(store)


def test_the_embedded_store_refuses_to_change_recorded_events(make_app, sqlite_url):
    from tests.scenario import RULES

    make_app(sqlite_url).register_ruleset(RULES, "town.toml", ADMIN)
    with sqlite3.connect(parse_url(sqlite_url).path) as conn:
        for statement in ("UPDATE stored_events SET topic = 'x'", "DELETE FROM stored_events"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(statement)
        assert conn.execute("SELECT count(*) FROM stored_events").fetchone()[0] == 2


@pytest.mark.postgres
def test_postgres_migrations_are_recorded_and_readable_by_the_application_role(pg_database, pg_databases):
    store = parse_url(pg_database)  # the limited leitai_app role
    assert set(migrations.applied(store)) == set(range(1, len(names("postgresql")) + 1)) >= {1, 2, 3, 4, 5}
    # the roles chosen when the template was migrated, recorded there and so in every copy
    recorded = migrations.runner.roles(store)
    assert recorded == {"writer": pg_databases.writer_role, "owner": pg_databases.owner_role}
    assert recorded["writer"] == f"leitai_writer_{pg_databases.template}"
    assert recorded["owner"] == f"leitai_owner_{pg_databases.template}"


@pytest.mark.postgres
def test_the_application_role_asking_for_an_upgrade_of_a_current_database_hears_up_to_date(pg_database):
    """`leitai db upgrade` run with the application's own login (which may not create
    tables) on a database that needs nothing: "up to date", exit 0, nothing created."""
    import subprocess
    import sys

    store = parse_url(pg_database)
    assert migrations.migrate(store) == []
    done = subprocess.run([sys.executable, "-m", "api.cli.main", "--db", pg_database, "db", "upgrade"],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "LEITAI_LANG": "en"})
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout


@pytest.mark.postgres
def test_postgres_migrations_applied_to_a_fresh_database_report_their_names(pg_databases):
    name = f"leitai_m_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_databases.server.admin_conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        store = parse_url(pg_databases.server.url_for(name))
        assert migrations.runner.roles(store) is None
        assert migrations.migrate(store) == names("postgresql")
        assert migrations.migrate(store) == []
        assert migrations.runner.roles(store) == {"writer": f"leitai_writer_{name}", "owner": f"leitai_owner_{name}"}
    finally:
        pg_databases.drop(name)
        pg_databases.drop_roles(f"leitai_writer_{name}", f"leitai_owner_{name}")
