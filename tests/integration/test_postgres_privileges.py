"""On PostgreSQL the application's role cannot change recorded events, and nobody can
UPDATE or DELETE them without first removing the append-only triggers - not even in
replica mode.  The event store belongs to a NOLOGIN owner role of its own database,
and the application's writer role is per database: a login for one county's
database can neither read nor write another's."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from psycopg import sql

import migrations
from migrations.runner import roles
from api.wiring import open_app
from domain.services.store import parse_url
from tests import pg
from tests.conftest import ADMIN, event_count
from tests.integration.test_stores import EXAMPLE

pytestmark = pytest.mark.postgres

RULES = EXAMPLE / "rules" / "township-2025.toml"
CHANGES = ("UPDATE leitai_events SET topic = 'x'", "DELETE FROM leitai_events", "TRUNCATE leitai_events")


@pytest.fixture
def recorded(make_app, pg_database):
    app = make_app(pg_database)
    app.register_ruleset(RULES.read_text(encoding="utf-8"), "t.toml", ADMIN)
    return pg_database


def as_app_role(url: str) -> psycopg.Connection:
    return psycopg.connect(parse_url(url).conninfo(), autocommit=True)


def as_admin(databases: pg.Databases, dbname: str) -> psycopg.Connection:
    return psycopg.connect(databases.server.admin_conninfo(dbname), autocommit=True)


def events(conn: psycopg.Connection) -> list[tuple]:
    """Every recorded event, bytes included."""
    return conn.execute("SELECT notification_id, originator_id, originator_version, topic, state "
                        "FROM leitai_events ORDER BY notification_id").fetchall()


@pytest.mark.parametrize("statement", [
    *CHANGES,
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


@pytest.mark.parametrize("who", ["owner role", "admin account"])
def test_even_the_owner_is_stopped_by_the_append_only_triggers(recorded, pg_databases, who):
    with as_admin(pg_databases, parse_url(recorded).dbname) as conn:
        if who == "owner role":
            conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(pg_databases.owner_role)))
            assert conn.execute("SELECT current_user").fetchone()[0] == pg_databases.owner_role
            # it does hold the privileges, so it is the triggers that refuse
            assert conn.execute("SELECT has_table_privilege('leitai_events', 'UPDATE, DELETE, TRUNCATE')"
                                ).fetchone()[0]
        before = events(conn)
        for statement in CHANGES:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(statement)
        assert events(conn) == before and len(before) == 2


def test_replica_mode_does_not_switch_the_triggers_off(recorded, pg_databases):
    with as_admin(pg_databases, parse_url(recorded).dbname) as conn:
        if not conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]:
            pytest.skip("only a superuser may set session_replication_role (LEITAI_TEST_POSTGRES_URL is not one)")
        before = events(conn)
        conn.execute("SET session_replication_role = replica")
        assert conn.execute("SHOW session_replication_role").fetchone()[0] == "replica"
        for statement in (*CHANGES, "UPDATE leitai_events SET state = 'x' WHERE originator_version = 1"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(statement)
        with conn.transaction():  # nor inside a transaction
            conn.execute("SET LOCAL session_replication_role = replica")
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute("DELETE FROM leitai_events")
        conn.execute("RESET session_replication_role")
        assert events(conn) == before
        enabled = conn.execute("SELECT tgname, tgenabled FROM pg_trigger "
                               "WHERE tgrelid = 'leitai_events'::regclass AND NOT tgisinternal").fetchall()
        assert sorted(enabled) == [("leitai_events_append_only", "A"), ("leitai_events_chained", "A"),
                                   ("leitai_events_checked", "A"), ("leitai_events_no_truncate", "A"),
                                   ("leitai_events_tree", "A")]


def test_the_event_store_belongs_to_the_databases_own_owner_role(recorded, pg_databases):
    owner = pg_databases.owner_role
    with as_admin(pg_databases, parse_url(recorded).dbname) as conn:
        role = conn.execute("SELECT rolsuper, rolcanlogin, rolcreaterole, rolcreatedb, rolbypassrls "
                            "FROM pg_roles WHERE rolname = %s", (owner,)).fetchone()
        assert role == (False, False, False, False, False)
        function = conn.execute(
            "SELECT proowner::regrole::text, prosecdef, proconfig FROM pg_proc "
            "WHERE oid = 'public.es_insert_events_uuid(public.stored_event_uuid[])'::regprocedure").fetchone()
        assert function == (owner, True, ["search_path=pg_catalog, pg_temp"])
        trigger_function = conn.execute("SELECT proowner::regrole::text, prosecdef FROM pg_proc "
                                        "WHERE oid = 'public.leitai_refuse_event_change()'::regprocedure").fetchone()
        assert trigger_function == (owner, False)
        owned = dict(conn.execute(
            "SELECT relname, relowner::regrole::text FROM pg_class WHERE relnamespace = 'public'::regnamespace "
            "AND relname IN ('leitai_events', 'leitai_events_notification_id_seq', 'stored_event_uuid')").fetchall())
        assert owned == {"leitai_events": owner, "leitai_events_notification_id_seq": owner,
                         "stored_event_uuid": owner}
        assert conn.execute("SELECT typowner::regrole::text FROM pg_type WHERE oid = 'public.stored_event_uuid'::regtype"
                            ).fetchone()[0] == owner
        # the owner role holds no more than that: no CREATE on the schema afterwards
        assert not conn.execute("SELECT has_schema_privilege(%s, 'public', 'CREATE')", (owner,)).fetchone()[0]
        # and the server-wide leitai_writer keeps nothing in this database
        assert not conn.execute("SELECT has_table_privilege('leitai_writer', 'leitai_events', 'SELECT') "
                                "OR has_table_privilege('leitai_writer', 'rm_state', 'SELECT') "
                                "OR has_function_privilege('leitai_writer', "
                                "'public.es_insert_events_uuid(public.stored_event_uuid[])', 'EXECUTE')").fetchone()[0]
    with as_app_role(recorded) as conn:  # the application's login is in the per-database writer, and only that
        member_of = [r[0] for r in conn.execute(
            "SELECT b.rolname FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid "
            "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = current_user").fetchall()]
        assert pg_databases.writer_role in member_of
        assert conn.execute("SELECT writer, owner FROM leitai_roles").fetchone() == (
            pg_databases.writer_role, pg_databases.owner_role)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE leitai_roles SET writer = 'x'")


def test_the_application_records_and_reads_events_on_the_migrated_database(make_app, pg_database):
    assert parse_url(pg_database).user == pg.APP_ROLE
    app = make_app(pg_database)
    app.register_ruleset(RULES.read_text(encoding="utf-8"), "t.toml", ADMIN)
    app.create_contest("c", "测试活动", ["township", "county"], ADMIN)
    app.add_unit("c", "C", "某县", "county", None, ADMIN)
    assert event_count(app) >= 4
    again = make_app(pg_database)  # a second process reads what the first recorded
    assert event_count(again) == event_count(app)
    assert again.read(lambda s: s.contest("c")).units["C"].name == "某县"
    again.add_unit("c", "T1", "一镇", "township", "C", ADMIN)
    assert sorted(app.read(lambda s: s.contest("c")).units) == ["C", "T1"]


# -- two Leitai databases on one server -------------------------------------------------


@dataclass
class Migrated:
    name: str
    writer: str
    owner: str


@pytest.fixture
def two_databases(pg_databases) -> Iterator[tuple[Migrated, Migrated]]:
    """Two separately created and migrated Leitai databases (two counties)."""
    made: list[Migrated] = []
    try:
        for _ in range(2):
            name = f"leitai_county_{uuid.uuid4().hex[:8]}"
            with as_admin(pg_databases, "postgres") as conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            made.append(Migrated(name, "", ""))
            store = parse_url(pg_databases.server.url_for(name))
            migrations.migrate(store)
            recorded = roles(store)
            assert recorded is not None
            made[-1].writer, made[-1].owner = recorded["writer"], recorded["owner"]
        yield made[0], made[1]
    finally:
        for database in made:
            pg_databases.drop(database.name)
        pg_databases.drop_roles(*[r for d in made for r in (d.writer, d.owner) if r])


@pytest.fixture
def login_in(pg_databases) -> Iterator:
    """Makes login roles in a given role; dropped afterwards."""
    made: list[str] = []

    def make(role: str) -> str:
        login = f"leitai_login_{uuid.uuid4().hex[:8]}"
        with as_admin(pg_databases, "postgres") as conn:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(sql.Identifier(login),
                                                                         sql.Identifier(role)))
        made.append(login)
        return login

    yield make
    pg_databases.drop_roles(*made)


def connect_as(databases: pg.Databases, dbname: str, user: str) -> psycopg.Connection:
    return psycopg.connect(parse_url(databases.server.url_for(dbname, user=user)).conninfo(), autocommit=True)


def test_each_database_has_its_own_roles(two_databases):
    a, b = two_databases
    assert a.writer == f"leitai_writer_{a.name}" and a.owner == f"leitai_owner_{a.name}"
    assert b.writer == f"leitai_writer_{b.name}" and b.owner == f"leitai_owner_{b.name}"


def test_a_writer_of_one_database_can_neither_read_nor_write_another(two_databases, pg_databases, login_in):
    a, b = two_databases
    login = login_in(a.writer)
    with connect_as(pg_databases, a.name, login) as conn:  # at home it works
        assert conn.execute("SELECT count(*) FROM leitai_events").fetchone()[0] == 0
        assert conn.execute("SELECT generation FROM rm_state").fetchone()[0] == 0
        conn.execute("UPDATE rm_state SET updated_at = 'now'")
        assert conn.execute("SELECT count(*) FROM public.es_insert_events_uuid(ARRAY[]::stored_event_uuid[])"
                            ).fetchone()[0] == 0
    with as_admin(pg_databases, b.name) as conn:
        tables = dict(conn.execute(
            "SELECT c.relname, a.attname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = 1 "
            "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' "
            "AND (c.relname ~ '^rm[01]_' OR c.relname = 'rm_state') ORDER BY c.relname").fetchall())
    assert {"rm_state", "rm0_rounds", "rm1_rounds", "rm0_entries", "rm1_entries"} <= set(tables)
    statements = [
        "SELECT * FROM leitai_events",
        "SELECT count(*) FROM leitai_events",
        "INSERT INTO leitai_events (originator_id, originator_version, topic, state) "
        "VALUES (gen_random_uuid(), 1, 't', 'x')",
        "UPDATE leitai_events SET topic = 'x'",
        "DELETE FROM leitai_events",
        "TRUNCATE leitai_events",
        "SELECT * FROM public.es_insert_events_uuid(ARRAY[]::stored_event_uuid[])",
        "SELECT * FROM public.es_insert_events_uuid(ARRAY[ROW(gen_random_uuid(), 1, 't', 'x')::stored_event_uuid])",
        "SELECT * FROM leitai_roles",
    ]
    for table, column in tables.items():
        statements += [f"SELECT * FROM {table}", f"SELECT count(*) FROM {table}",
                       f"INSERT INTO {table} ({column}) VALUES (NULL)", f"UPDATE {table} SET {column} = {column}",
                       f"DELETE FROM {table}", f"TRUNCATE {table}"]
    with connect_as(pg_databases, b.name, login) as conn:
        assert conn.execute("SELECT current_user, current_database()").fetchone() == (login, b.name)
        for statement in statements:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
    with as_admin(pg_databases, b.name) as conn:
        assert conn.execute("SELECT count(*) FROM leitai_events").fetchone()[0] == 0
        assert conn.execute("SELECT generation FROM rm_state").fetchone()[0] == 0


def test_colliding_and_long_database_names_get_distinct_roles(pg_databases):
    """Two database names that sanitise to the same never share roles: the second gets
    its oid appended.  Names are cut to fit PostgreSQL's 63 bytes."""
    tag = uuid.uuid4().hex[:8]
    first = f"leitai_c_{tag}_" + "x" * 45
    second = first.replace("leitai_c_", "Leitai-C-")
    assert len(first) == 63 and first != second
    made: list[str] = []
    recorded: dict[str, tuple[dict[str, str] | None, int]] = {}
    try:
        for name in (first, second):
            with as_admin(pg_databases, "postgres") as conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                oid = conn.execute("SELECT oid FROM pg_database WHERE datname = %s", (name,)).fetchone()[0]
            made.append(name)
            store = parse_url(pg_databases.server.url_for(name))
            assert store.dbname == name
            migrations.migrate(store)
            recorded[name] = (roles(store), oid)
        (one, _), (two, oid) = recorded[first], recorded[second]
        assert one is not None and two is not None
        writer, owner = ("leitai_writer_" + first)[:63], ("leitai_owner_" + first)[:63]
        assert one == {"writer": writer, "owner": owner} and len(writer) == len(owner) == 63
        assert two == {"writer": writer[:62 - len(str(oid))] + f"_{oid}",
                       "owner": owner[:62 - len(str(oid))] + f"_{oid}"}
        assert all(len(r.encode()) <= 63 for r in (*one.values(), *two.values()))
        assert set(one.values()).isdisjoint(two.values())
    finally:
        for name in made:
            pg_databases.drop(name)
        pg_databases.drop_roles(*[r for (found, _) in recorded.values() if found for r in found.values()])


def test_a_database_owner_with_createrole_can_migrate(pg_databases, login_in):
    """Not only a superuser: a role with CREATEDB and CREATEROLE that owns its database."""
    migrator = f"leitai_mig_{uuid.uuid4().hex[:8]}"
    name = f"leitai_own_{uuid.uuid4().hex[:8]}"
    found = None
    with as_admin(pg_databases, "postgres") as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN CREATEDB CREATEROLE").format(sql.Identifier(migrator)))
    try:
        with connect_as(pg_databases, "postgres", migrator) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        store = parse_url(pg_databases.server.url_for(name, user=migrator))
        assert "0005_append_only_closed" in migrations.migrate(store)
        found = roles(store)
        assert found == {"writer": f"leitai_writer_{name}", "owner": f"leitai_owner_{name}"}
        with as_admin(pg_databases, name) as conn:
            assert conn.execute(
                "SELECT proowner::regrole::text, prosecdef, proconfig FROM pg_proc "
                "WHERE oid = 'public.es_insert_events_uuid(public.stored_event_uuid[])'::regprocedure"
            ).fetchone() == (found["owner"], True, ["search_path=pg_catalog, pg_temp"])
            assert conn.execute("SELECT relowner::regrole::text FROM pg_class WHERE relname = 'leitai_events'"
                                ).fetchone()[0] == found["owner"]
            # the migrator can still change the store in later migrations, through the owner role
            assert conn.execute("SELECT pg_has_role(%s, %s, 'USAGE')", (migrator, found["owner"])).fetchone()[0]
        app = open_app(pg_databases.server.url_for(name, user=login_in(found["writer"])))
        try:
            app.register_ruleset(RULES.read_text(encoding="utf-8"), "t.toml", ADMIN)
            assert event_count(app) == 2
        finally:
            app.close()
        with connect_as(pg_databases, name, migrator) as conn:
            before = events(conn)
            for statement in CHANGES:
                with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                    conn.execute(statement)
            assert events(conn) == before and len(before) == 2
    finally:
        pg_databases.drop(name)
        pg_databases.drop_roles(*([found["writer"], found["owner"]] if found else []), migrator)
