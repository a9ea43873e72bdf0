"""On PostgreSQL the application's role cannot change recorded events, and nobody can
UPDATE or DELETE them without first removing the append-only triggers."""

from __future__ import annotations

import psycopg
import pytest

from domain.services.store import parse_url
from tests.conftest import ADMIN
from tests.integration.test_stores import EXAMPLE

pytestmark = pytest.mark.postgres


@pytest.fixture
def recorded(make_app, pg_database):
    app = make_app(pg_database)
    app.register_ruleset((EXAMPLE / "rules" / "township-2025.toml").read_text(encoding="utf-8"), "t.toml", ADMIN)
    return pg_database


def as_app_role(url: str) -> psycopg.Connection:
    return psycopg.connect(parse_url(url).conninfo(), autocommit=True)


@pytest.mark.parametrize("statement", [
    "UPDATE leitai_events SET topic = 'x'",
    "DELETE FROM leitai_events",
    "TRUNCATE leitai_events",
    "INSERT INTO leitai_events (originator_id, originator_version, topic, state) "
    "VALUES (gen_random_uuid(), 1, 't', 'x')",
])
def test_the_application_role_cannot_change_the_events_table(recorded, statement):
    with as_app_role(recorded) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == "leitai_app"
        assert conn.execute("SELECT count(*) FROM leitai_events").fetchone()[0] == 2
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)
        assert conn.execute("SELECT count(*) FROM leitai_events").fetchone()[0] == 2


def test_even_the_owner_is_stopped_by_the_append_only_triggers(recorded, pg_databases):
    owner_url = pg_databases.server.url_for(parse_url(recorded).dbname)
    with psycopg.connect(parse_url(owner_url).conninfo(), autocommit=True) as conn:
        for statement in ("UPDATE leitai_events SET topic = 'x'", "DELETE FROM leitai_events",
                          "TRUNCATE leitai_events"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(statement)
        assert conn.execute("SELECT count(*) FROM leitai_events").fetchone()[0] == 2
