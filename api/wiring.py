"""The composition root: one place that turns settings into a running application.

``open_store()`` finds the store ``LEITAI_DATABASE_URL`` (or ``--db``) names and checks
that it is there and is a Leitai store: a read command never creates one (a mistyped
file name is an error that names the file, not a new empty database); a new SQLite file is
created mode 0600, readable by its owner only.  ``open_app()``
applies any pending migrations (with ``LEITAI_ADMIN_DATABASE_URL`` when the
application's own account may not create tables) and returns the Leitai application
with the deployment's signing key.  Drivers are imported only for the store in use.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from domain.errors import InvalidValue, StoreError
from domain.services.store import StoreURL, parse_url

CONNECT_TIMEOUT = 5  # seconds: a server that does not answer is reported, not waited for


LOCK_TIMEOUT = "5s"  # a lock held by another process is reported after 5 s, never waited out


def bounded_waits() -> None:
    """Every PostgreSQL connection of this process gives up waiting for a lock after
    LOCK_TIMEOUT (libpq reads PGOPTIONS); an operator's own PGOPTIONS is kept."""
    options = os.environ.get("PGOPTIONS", "")
    if "lock_timeout" not in options:
        os.environ["PGOPTIONS"] = (options + f" -c lock_timeout={LOCK_TIMEOUT}").strip()


def store_from_env(url: str | None = None) -> StoreURL:
    return parse_url(url)


def admin_store() -> StoreURL | None:
    url = os.environ.get("LEITAI_ADMIN_DATABASE_URL")
    return parse_url(url) if url else None


def clock_from_env() -> Any:
    """``LEITAI_CLOCK=2025-06-03T10:00`` runs on a fixed moment (drills, tests); else real time."""
    from domain.services.clock import FixedClock, SystemClock

    moment = os.environ.get("LEITAI_CLOCK")
    if not moment:
        return SystemClock()
    try:
        return FixedClock(moment)
    except (ValueError, TypeError):
        raise InvalidValue("LEITAI_CLOCK", moment, "expected a moment like 2025-05-20T09:00 or a day like 2025-05-20",
                           "应为时刻（如 2025-05-20T09:00）或日期（如 2025-05-20）") from None


def open_store(url: str | None = None, create: bool = False) -> StoreURL:
    """The store, checked: it exists (unless ``create``) and is Leitai's; answers in time."""
    store = store_from_env(url)
    if store.kind == "sqlite":
        _check_sqlite(store, create)
    else:
        bounded_waits()
        _check_postgres(store, create)
    return store


def _check_sqlite(store: StoreURL, create: bool) -> None:
    import sqlite3

    path = Path(store.path)
    if not path.exists():
        if create:
            if not path.parent.is_dir():
                raise StoreError(problem=f"the directory {path.parent} does not exist ({store.display})",
                                 problem_zh=f"目录 {path.parent} 不存在（{store.display}）")
            _create_private(path)
            return
        raise StoreError(problem=f"there is no database file {path} ({store.display}). Check --db or "
                                 "LEITAI_DATABASE_URL; a new database is made by `leitai import` or `leitai db migrate`",
                         problem_zh=f"找不到数据库文件 {path}（{store.display}）。请检查 --db 或 LEITAI_DATABASE_URL；"
                                    "新的数据库由 `leitai import` 或 `leitai db migrate` 创建")
    if path.is_dir():
        raise StoreError(problem=f"{path} is a directory, not a database file",
                         problem_zh=f"{path} 是目录，不是数据库文件")
    if path.stat().st_size == 0:
        if create:
            return  # an empty file is an empty SQLite database: the migrations make it Leitai's
        raise StoreError(problem=f"{path} is an empty file, not a Leitai database yet ({store.display}). Check --db or "
                                 "LEITAI_DATABASE_URL; a new database is made by `leitai import` or `leitai db migrate`",
                         problem_zh=f"{path} 是空文件，还不是擂台数据库（{store.display}）。请检查 --db 或 "
                                    "LEITAI_DATABASE_URL；新的数据库由 `leitai import` 或 `leitai db migrate` 创建")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            found = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'leitai_schema_migrations'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        raise StoreError(problem=f"{path} is not a Leitai database ({error})",
                         problem_zh=f"{path} 不是擂台数据库（{error}）") from None
    if not found and not create:
        raise StoreError(problem=f"{path} is not a Leitai database (it has no Leitai tables)",
                         problem_zh=f"{path} 不是擂台数据库（其中没有擂台系统的表）")


def _create_private(path: Path) -> None:
    """The new database file, empty and mode 0600, before SQLite (the migrations, the
    eventsourcing library) first opens it: SQLite would create it with the umask's mode
    (typically 0644), and gives its -wal and -shm files the main file's mode."""
    from eventstore.private import create_private_file

    try:
        create_private_file(path)
    except OSError as error:
        raise StoreError(problem=f"cannot create the database file {path}: {error.strerror}",
                         problem_zh=f"无法创建数据库文件 {path}：{error.strerror}") from None


def _check_postgres(store: StoreURL, create: bool) -> None:
    import psycopg

    try:
        with psycopg.connect(store.conninfo(), connect_timeout=CONNECT_TIMEOUT) as conn:
            found = conn.execute("SELECT to_regclass('leitai_schema_migrations')").fetchone()
    except psycopg.OperationalError as error:
        raise StoreError(**postgres_problem(store, error)) from None
    if (not found or found[0] is None) and not create:
        raise StoreError(problem=f"{store.display} is not a Leitai database yet: run `leitai db migrate` as its owner",
                         problem_zh=f"{store.display} 还不是擂台数据库：请以数据库所有者身份运行 `leitai db migrate`")


def postgres_problem(store: StoreURL, error: Exception) -> dict[str, str]:
    """What went wrong connecting, and what to do, in both languages."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    lowered = text.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        en, zh = "the user name or password is wrong", "用户名或密码错误"
    elif "does not exist" in lowered and "database" in lowered:
        en, zh = f"the database {store.dbname} does not exist", f"数据库 {store.dbname} 不存在"
    elif "role" in lowered and "does not exist" in lowered:
        en, zh = f"the user {store.user} does not exist", f"用户 {store.user} 不存在"
    elif "timeout" in lowered or "timed out" in lowered:
        en, zh = f"the server did not answer within {CONNECT_TIMEOUT} s", f"服务器 {CONNECT_TIMEOUT} 秒内没有响应"
    elif "connection refused" in lowered or "could not connect" in lowered or "connection failed" in lowered:
        en, zh = "no server is listening there", "该地址没有数据库服务在监听"
    else:
        en, zh = text, text
    return {"problem": f"cannot open {store.display}: {en}. Check --db or LEITAI_DATABASE_URL and that the server runs",
            "problem_zh": f"无法打开 {store.display}：{zh}。请检查 --db 或 LEITAI_DATABASE_URL，并确认数据库服务正在运行"}


def ensure_migrated(store: StoreURL, writing: bool = False) -> list[str]:
    """Apply pending migrations; a writer also brings the store's topic allow-list in step
    with this code (readers need not, and skip importing every event class)."""
    import migrations

    pending = {m.version for m in migrations.runner.available(store.kind)} - set(migrations.applied(store))
    if not pending and (not writing or migrations.runner.topics_current(store)):
        return []
    return migrations.migrate(store, admin_store())


def open_app(url: str | None = None, clock: Any = None, migrate: bool = True, signer: Any = None,
             create: bool = True) -> Any:
    from domain.services.app import Leitai
    from domain.services.store import application_env
    from eventstore.keys import beside_path, default_path
    from eventstore.signing import HeadSigner
    from eventstore.tree import TreeStore

    store = open_store(url, create=create)
    if migrate:
        ensure_migrated(store, writing=True)
    if signer is None:
        path = default_path(store)
        signer = HeadSigner(path, TreeStore(store))
        if path == beside_path(store) and path.exists():
            # an earlier version's key, still beside the SQLite file until `db upgrade` moves it, is
            # loaded now: moved away later, it cannot leave this process creating a second key there
            signer.key  # noqa: B018
    return Leitai(env=application_env(store), clock=clock or clock_from_env(), store=store, signer=signer)
