"""Apply the numbered SQL files of ``migrations/<store>/`` in order, once each.

Each applied file is recorded in ``leitai_schema_migrations`` with its checksum; a
file changed after it was applied stops the run (migrations are forward-only: fix
forward with a new file).  On PostgreSQL the run holds an advisory lock, so two
processes starting at once apply each migration once.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from domain.chain import GENESIS, link
from domain.errors import StoreError
from domain.services.store import StoreURL

HERE = Path(__file__).parent
TABLE = "leitai_schema_migrations"
LOCK_KEY = 7_140_412  # advisory lock id for migration runs
SQLITE_CHAIN_MIGRATION = 5  # migrations/sqlite/0005_chain_and_checks.sql: links for earlier events
SQLITE_TREE_MIGRATION = 9  # migrations/sqlite/0009_merkle_tree.sql: the tree of earlier events, the origin


class MigrationError(StoreError):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def available(kind: str) -> list[Migration]:
    out = []
    for path in sorted((HERE / ("postgres" if kind == "postgresql" else "sqlite")).glob("*.sql")):
        number, _, name = path.stem.partition("_")
        out.append(Migration(int(number), name, path.read_text(encoding="utf-8")))
    return out


def migrate(store: StoreURL, admin: StoreURL | None = None, upto: int | None = None) -> list[str]:
    """Apply pending migrations; returns the names applied now.  ``upto``: only those up to
    that version (tests and the benchmark build a database as an earlier version left it)."""
    target = admin or store
    if target.kind == "sqlite":
        return _migrate_sqlite(target, upto)
    return _migrate_postgres(target, upto)


def applied(store: StoreURL) -> dict[int, str]:
    """version -> checksum of the migrations already applied."""
    if store.kind == "sqlite":
        if not Path(store.path).exists():
            return {}
        with sqlite3.connect(store.path) as conn:
            if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (TABLE,)).fetchone():
                return {}
            return dict(conn.execute(f"SELECT version, checksum FROM {TABLE}").fetchall())
    import psycopg

    with psycopg.connect(store.conninfo()) as conn:
        exists = conn.execute("SELECT to_regclass(%s)", (TABLE,)).fetchone()
        if not exists or exists[0] is None:
            return {}
        return dict(conn.execute(f"SELECT version, checksum FROM {TABLE}").fetchall())


ROLES_TABLE = "leitai_roles"


def topics_current(store: StoreURL) -> bool:
    """Does the store's allow-list hold every topic this code records?"""
    from domain.model.topics import all_topics

    wanted = set(all_topics())
    if store.kind == "sqlite":
        with sqlite3.connect(store.path) as conn:
            if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'allowed_topics'").fetchone():
                return True  # before the migration that adds it: migrate() brings both
            return wanted <= {row[0] for row in conn.execute("SELECT topic FROM allowed_topics")}
    import psycopg

    with psycopg.connect(store.conninfo()) as conn:
        exists = conn.execute("SELECT to_regclass('public.leitai_topics')").fetchone()
        if not exists or exists[0] is None:
            return True
        return wanted <= {row[0] for row in conn.execute("SELECT topic FROM public.leitai_topics")}


def _sync_topics(conn: Any, table: str, mark: str) -> None:
    from domain.model.topics import all_topics

    for topic in all_topics():
        conn.execute(f"INSERT INTO {table} (topic) VALUES ({mark}) ON CONFLICT (topic) DO NOTHING", (topic,))


def _backfill_sqlite_chain(conn: sqlite3.Connection) -> None:
    """Links for the events recorded before the chain existed (migration 0005), in log order."""
    previous = GENESIS
    for position, aggregate, version, topic, state in conn.execute(
            "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid"
    ).fetchall():
        state_bytes = state.encode("utf-8") if isinstance(state, str) else bytes(state or b"")
        previous = link(previous, position, UUID(hex=str(aggregate)), version, topic or "", state_bytes)
        conn.execute("INSERT INTO event_chain (position, link) VALUES (?, ?)", (position, previous))


def _build_sqlite_tree(conn: sqlite3.Connection, name: str) -> None:
    """The log's origin, and the Merkle tree of the events recorded before it existed
    (migration 0009), in log order; PostgreSQL builds its own in SQL (0010)."""
    import secrets

    from domain.checkpoint import origin_for
    from eventstore.tree import build_rows

    if not conn.execute("SELECT 1 FROM log_identity").fetchone():
        conn.execute("INSERT INTO log_identity (one_row, origin) VALUES (1, ?)", (origin_for(name, secrets.token_hex(6)),))
    if conn.execute("SELECT 1 FROM merkle_leaves LIMIT 1").fetchone():
        return
    conn.execute("PRAGMA cache_size = -262144")  # 256 MB of pages while the tree is built: fewer spills
    cursor = conn.execute("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
                          "ORDER BY rowid")
    build_rows(cursor, lambda leaves: conn.executemany(
        "INSERT INTO merkle_leaves (leaf, position, hash) VALUES (?, ?, ?)", leaves), lambda nodes: conn.executemany(
        "INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)", nodes))


def roles(store: StoreURL) -> dict[str, str] | None:
    """The database's own roles on PostgreSQL, as recorded by migration 0005:
    ``{"writer": "leitai_writer_<db>", "owner": "leitai_owner_<db>"}``.

    The names were chosen once, from the database's name at that migration, and are
    read back from ``leitai_roles`` (a copied or renamed database keeps its recorded
    roles), never recomputed.  None for SQLite, or before that migration ran.  The
    login the application connects with is granted the writer role:
    ``CREATE ROLE leitai LOGIN PASSWORD '…' IN ROLE <writer>``.
    """
    if store.kind != "postgresql":
        return None
    import psycopg

    try:
        with psycopg.connect(store.conninfo()) as conn:
            exists = conn.execute("SELECT to_regclass(%s)", (f"public.{ROLES_TABLE}",)).fetchone()
            if not exists or exists[0] is None:
                return None
            row = conn.execute(f"SELECT writer, owner FROM public.{ROLES_TABLE}").fetchone()
    except psycopg.errors.InsufficientPrivilege as exc:
        raise MigrationError(problem=f"{exc}".strip() + f" (the roles of {store.display} are readable by its "
                                     "writer role and its owner)",
                             problem_zh=f"无权读取 {store.display} 的角色记录（仅其写入角色与所有者可读）") from None
    except psycopg.OperationalError as exc:
        raise MigrationError(problem=f"cannot connect to {store.display}: {exc}".strip(),
                             problem_zh=f"无法连接数据库 {store.display}：{exc}".strip()) from None
    return {"writer": row[0], "owner": row[1]} if row else None


def _check(done: dict[int, str], migration: Migration) -> bool:
    """True if still to apply; refuses a file changed after it was applied."""
    if migration.version not in done:
        return True
    if done[migration.version] != migration.checksum:
        raise MigrationError(
            problem=f"migration {migration.version:04d}_{migration.name} was changed after it was applied; "
                    "migrations are forward-only, add a new file instead",
            problem_zh=f"迁移 {migration.version:04d}_{migration.name} 在执行后被修改过；迁移只能向前，请新增迁移文件")
    return False


def _migrate_sqlite(store: StoreURL, upto: int | None = None) -> list[str]:
    from eventstore.private import create_private_file

    Path(store.path).parent.mkdir(parents=True, exist_ok=True)
    create_private_file(Path(store.path))  # 0600 before SQLite opens it (its -wal/-shm follow)
    done_now: list[str] = []
    conn = sqlite3.connect(store.path, timeout=30, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                     "checksum TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)")
        done = dict(conn.execute(f"SELECT version, checksum FROM {TABLE}").fetchall())
        for migration in available("sqlite"):
            if upto is not None and migration.version > upto:
                break
            if _check(done, migration):
                for statement in _sqlite_statements(migration.sql):
                    conn.execute(statement)
                conn.execute(f"INSERT INTO {TABLE} (version, name, checksum) VALUES (?, ?, ?)",
                             (migration.version, migration.name, migration.checksum))
                done_now.append(f"{migration.version:04d}_{migration.name}")
                if migration.version == SQLITE_CHAIN_MIGRATION:
                    _backfill_sqlite_chain(conn)
                if migration.version == SQLITE_TREE_MIGRATION:
                    _build_sqlite_tree(conn, Path(store.path).stem)
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'allowed_topics'").fetchone():
            _sync_topics(conn, "allowed_topics", "?")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()
    return done_now


def _sqlite_statements(sql: str) -> list[str]:
    """Split a script into statements, keeping trigger bodies (BEGIN ... END;) whole."""
    statements, current = [], ""
    for line in sql.splitlines(keepends=True):
        if line.strip().startswith("--") and not current.strip():
            continue
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements


def _postgres_current(store: StoreURL) -> bool:
    """Every migration applied (unchanged) and the topic allow-list complete?  Read-only:
    a role that may not create tables learns "up to date" rather than a refusal."""
    import psycopg

    try:
        done = applied(store)
    except psycopg.errors.InsufficientPrivilege:
        return False  # let the migration itself say what is missing
    pending = [m for m in available("postgresql") if _check(done, m)]
    return not pending and topics_current(store)


def _migrate_postgres(store: StoreURL, upto: int | None = None) -> list[str]:
    import psycopg

    done_now: list[str] = []
    try:
        if upto is None and _postgres_current(store):
            return done_now  # nothing to do: no DDL, so the application's own role may ask too
        with psycopg.connect(store.conninfo(), autocommit=False) as conn:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
                conn.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (version integer PRIMARY KEY, "
                             "name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
                done = dict(conn.execute(f"SELECT version, checksum FROM {TABLE}").fetchall())
                for migration in available("postgresql"):
                    if upto is not None and migration.version > upto:
                        break
                    if _check(done, migration):
                        conn.execute(migration.sql)  # type: ignore[arg-type]
                        conn.execute(f"INSERT INTO {TABLE} (version, name, checksum) VALUES (%s, %s, %s)",
                                     (migration.version, migration.name, migration.checksum))
                        done_now.append(f"{migration.version:04d}_{migration.name}")
                exists = conn.execute("SELECT to_regclass('public.leitai_topics')").fetchone()
                if exists and exists[0] is not None:
                    _sync_topics(conn, "public.leitai_topics", "%s")
    except psycopg.errors.InsufficientPrivilege as exc:
        raise MigrationError(
            problem=f"{exc}".strip() + ". Run `leitai db migrate` with LEITAI_ADMIN_DATABASE_URL set to the "
                    "database owner's account",
            problem_zh="数据库账号权限不足，无法建表。请设置 LEITAI_ADMIN_DATABASE_URL 为数据库所有者账号后运行 "
                       "`leitai db migrate`") from None
    except psycopg.OperationalError as exc:
        raise MigrationError(problem=f"cannot connect to {store.display}: {exc}".strip(),
                             problem_zh=f"无法连接数据库 {store.display}：{exc}".strip()) from None
    return done_now


TOKEN_KEY_SETTING = "token-key"  # the row of leitai_settings where earlier versions kept the token key


def move_token_key_out(store: StoreURL, keep: Callable[[str], str]) -> str | None:
    """After the migrations: a token key an earlier version kept in ``leitai_settings`` is
    handed to ``keep`` (which writes it to its file and says how) and its row deleted, in one
    transaction: if ``keep`` fails, the row stays.  None when there is no such row.  What
    held it is overwritten too: SQLite's secure_delete and a checkpoint of its WAL, a VACUUM
    FULL of the table on PostgreSQL (both best effort: a reader busy elsewhere may delay them)."""
    if store.kind == "sqlite":
        conn = sqlite3.connect(store.path, timeout=30, isolation_level=None)
        try:
            conn.execute("PRAGMA secure_delete = ON")
            conn.execute("BEGIN IMMEDIATE")
            row = conn.execute("SELECT value FROM leitai_settings WHERE name = ?", (TOKEN_KEY_SETTING,)).fetchone()
            outcome = keep(str(row[0])) if row else None
            conn.execute("DELETE FROM leitai_settings WHERE name = ?", (TOKEN_KEY_SETTING,))
            conn.execute("COMMIT")
            if outcome is not None:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return outcome
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()
    import psycopg

    try:
        with psycopg.connect(store.conninfo(), autocommit=False) as conn, conn.transaction():
            # the application's role may read the table, not delete from it: ask first
            if not conn.execute("SELECT 1 FROM public.leitai_settings WHERE name = %s", (TOKEN_KEY_SETTING,)).fetchone():
                return None
            row = conn.execute("DELETE FROM public.leitai_settings WHERE name = %s RETURNING value",
                               (TOKEN_KEY_SETTING,)).fetchone()
            outcome = keep(str(row[0])) if row else None
        try:
            with psycopg.connect(store.conninfo(), autocommit=True) as conn:
                conn.execute("VACUUM FULL public.leitai_settings")
        except psycopg.Error:
            pass  # the row is gone for every SQL reader; only its dead copy waits for autovacuum
        return outcome
    except psycopg.errors.InsufficientPrivilege:
        raise MigrationError(
            problem=f"the token key is still kept in {store.display} (leitai_settings) and this account may not "
                    "delete it. Run `leitai db upgrade` as the database owner (LEITAI_ADMIN_DATABASE_URL or --db)",
            problem_zh=f"令牌密钥仍保存在 {store.display}（leitai_settings 表）中，当前账号无权删除。请以数据库所有者身份"
                       "运行 `leitai db upgrade`（LEITAI_ADMIN_DATABASE_URL 或 --db）") from None
    except psycopg.OperationalError as exc:
        raise MigrationError(problem=f"cannot connect to {store.display}: {exc}".strip(),
                             problem_zh=f"无法连接数据库 {store.display}：{exc}".strip()) from None
