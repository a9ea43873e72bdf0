"""Migrations: applied once, in order, recorded; a changed file is refused; the
embedded store refuses changes to recorded events too."""

from __future__ import annotations

import sqlite3

import pytest

import migrations
from migrations.runner import Migration
from domain.services.store import parse_url
from tests.conftest import ADMIN


def test_migrating_twice_applies_nothing_the_second_time(sqlite_url):
    store = parse_url(sqlite_url)
    assert migrations.migrate(store) == ["0001_event_store", "0002_read_models", "0003_audit_on_demand"]
    assert migrations.migrate(store) == []
    assert set(migrations.applied(store)) == {1, 2, 3}


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
def test_postgres_migrations_are_recorded_and_readable_by_the_application_role(pg_database):
    store = parse_url(pg_database)  # the limited leitai_app role
    assert set(migrations.applied(store)) == {1, 2, 3, 4}
