"""Copy a deployment's recorded state from one store to another (``leitai db copy``).

What is copied is everything that is not rebuilt from events: the log (every event with
its position, aggregate, version, topic and state, byte for byte), the log's identity (its
origin, which every signed tree head names), the hash chain and the Merkle tree, the
password hashes, the idempotent answers and the shared settings.  The read models are not
copied: the caller rebuilds them from the copied log.

The copy is one transaction on the target.  PostgreSQL's insert triggers (migrations
0006, 0010) compute the chain links and the tree from the events as they arrive; on SQLite
the migration runner's own backfill computes them.  Before committing, every table copied
is compared with the source's, row by row in key order: a target whose
chain or tree came out different from the source's (a bug, a changed trigger) is rolled
back and nothing is left in it.

The source is read in one snapshot (a read transaction on SQLite, REPEATABLE READ on
PostgreSQL), so a server still writing to it cannot tear the copy; what it records after
the snapshot is not copied, and the report says so (stop the servers first).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from itertools import zip_longest
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from domain.errors import InvalidValue, StoreError
from domain.services.store import StoreURL

BATCH = 5_000
Progress = Callable[[str, int, int], None]

# (what, SQLite table, PostgreSQL table, key columns, other columns): the tables copied as rows
SIDECAR = [
    ("credentials", "leitai_credentials", "leitai_credentials", ("account",), ("hash", "updated_at")),
    ("requests", "leitai_requests", "leitai_requests", ("account", "key"),
     ("fingerprint", "status", "body", "created_at")),
    ("settings", "leitai_settings", "leitai_settings", ("name",), ("value",)),
]
# (what, SQLite table, PostgreSQL table, ordered columns): what the target computes and must match
DERIVED = [
    ("chain", "event_chain", "leitai_chain", ("position", "link")),
    ("leaves", "merkle_leaves", "leitai_tree_leaves", ("leaf", "position", "hash")),
    ("nodes", "merkle_nodes", "leitai_tree_nodes", ("level", "idx", "hash")),
]


@dataclass
class CopyReport:
    events: int = 0
    last_position: int = 0
    origin: str = ""
    tree_size: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # sidecar table -> rows copied
    compared: dict[str, int] = field(default_factory=dict)  # table -> rows found equal on both sides
    created_target: bool = False
    migrated_target: list[str] = field(default_factory=list)
    source_grew: int = 0  # events recorded in the source after the snapshot (not copied)


class CopyRefused(InvalidValue):
    """The target is not a place the copy may go (exit 2)."""


def _refused(target: StoreURL, en: str, zh: str) -> CopyRefused:
    return CopyRefused("TARGET", target.display, en, zh)


# -- reading the source ------------------------------------------------------------------------------------


class _Side:
    """One store, on one connection, in one transaction."""

    def __init__(self, store: StoreURL, conn: Any) -> None:
        self.store, self.conn = store, conn
        self.sqlite = store.kind == "sqlite"

    def q(self, sql: str) -> str:
        return sql if self.sqlite else sql.replace("?", "%s")

    def one(self, sql: str, params: tuple = ()) -> Any:
        row = self.conn.execute(self.q(sql), params).fetchone()
        return None if row is None else row[0]

    def table(self, sqlite_name: str, postgres_name: str) -> str:
        return sqlite_name if self.sqlite else f"public.{postgres_name}"

    @property
    def events_table(self) -> str:
        return self.table("stored_events", "leitai_events")

    @property
    def position(self) -> str:
        return "rowid" if self.sqlite else "notification_id"

    def events(self, after: int = 0) -> Iterator[list[tuple[int, UUID, int, str, bytes]]]:
        """(position, aggregate, version, topic, state) in log order, in batches."""
        while True:
            rows = self.conn.execute(self.q(
                f"SELECT {self.position}, originator_id, originator_version, topic, state FROM {self.events_table} "
                f"WHERE {self.position} > ? ORDER BY {self.position} LIMIT {BATCH}"), (after,)).fetchall()
            if not rows:
                return
            out = [(int(p), _uuid(a), int(v), str(t), _bytes(s)) for p, a, v, t, s in rows]
            yield out
            after = out[-1][0]

    def rows(self, sqlite_name: str, postgres_name: str, columns: tuple[str, ...]) -> Iterator[tuple]:
        """Every row of a table in key order, as plain values (bytes, not memoryview), read in
        batches (a server-side cursor on PostgreSQL)."""
        sql = f"SELECT {', '.join(columns)} FROM {self.table(sqlite_name, postgres_name)} ORDER BY {', '.join(columns)}"
        if self.sqlite:
            cursor = self.conn.execute(sql)
            while batch := cursor.fetchmany(BATCH):
                yield from (tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in batch)
            return
        with self.conn.cursor(name=f"leitai_copy_{sqlite_name}") as cursor:
            cursor.itersize = BATCH
            cursor.execute(sql)
            yield from (tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in cursor)

    def all_events(self) -> Iterator[tuple[int, UUID, int, str, bytes]]:
        for batch in self.events():
            yield from batch


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(hex=str(value))


def _bytes(value: Any) -> bytes:
    if value is None:
        return b""
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def _connect_source(store: StoreURL) -> Any:
    if store.kind == "sqlite":
        if not Path(store.path).is_file():
            raise InvalidValue("SOURCE", store.display, "no such database file", "找不到该数据库文件")
        conn = sqlite3.connect(f"file:{store.path}?mode=ro", uri=True, timeout=30, isolation_level=None)
        conn.execute("BEGIN")  # one snapshot for every read below (WAL)
        return conn
    import psycopg

    try:
        conn = psycopg.connect(store.conninfo(), autocommit=False, connect_timeout=5)
    except psycopg.OperationalError as exc:
        raise StoreError(problem=f"cannot connect to {store.display}: {exc}".strip(),
                         problem_zh=f"无法连接数据库 {store.display}：{exc}".strip()) from None
    conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
    return conn


# -- the target ------------------------------------------------------------------------------------------


def prepare_target(source: StoreURL, target: StoreURL) -> tuple[bool, list[str]]:
    """Check the target may receive the copy and migrate it: (created a new SQLite file, the
    migrations applied now).  Refuses the source itself and a target that holds anything."""
    import migrations

    if source.display == target.display:
        raise _refused(target, "is the source itself; name another database", "与源数据库相同；请指定另一个数据库")
    created = False
    if target.kind == "sqlite":
        path = Path(target.path)
        if path.exists() and path.stat().st_size > 0 and not migrations.runner.applied(target):
            raise _refused(target, "exists and is not a Leitai database; name a new file",
                           "该文件已存在且不是擂台系统的数据库；请指定一个新文件")
        created = not path.exists()
    else:
        _check_postgres_target(target)
    applied_now = migrations.migrate(target)
    _refuse_unless_empty(target)
    return created, applied_now


def _check_postgres_target(target: StoreURL) -> None:
    import psycopg

    try:
        with psycopg.connect(target.conninfo(), connect_timeout=5) as conn:
            foreign = conn.execute(
                "SELECT count(*) FROM pg_catalog.pg_class c WHERE c.relnamespace = 'public'::regnamespace "
                "AND c.relkind IN ('r', 'p') AND c.relname !~ '^(rm[01]_|rm_state$|leitai_)'").fetchone()[0]
    except psycopg.OperationalError as exc:
        raise StoreError(
            problem=f"cannot connect to {target.display}: {exc}".strip() + ". Create the database first (as in the "
            "README: CREATE DATABASE … OWNER leitai_owner) and name its owner's account",
            problem_zh=f"无法连接数据库 {target.display}：{exc}".strip() + "。请先建库（见 README：CREATE DATABASE … "
            "OWNER leitai_owner），并使用其所有者账号") from None
    if foreign:
        raise _refused(target, f"holds {foreign} table(s) that are not Leitai's; copy into a new, empty database",
                       f"其中有 {foreign} 张不属于擂台系统的表；请复制到一个新建的空数据库")


def _counts(side: _Side) -> dict[str, int]:
    out = {"events": int(side.one(f"SELECT count(*) FROM {side.events_table}"))}
    for what, lite, pg, _, _ in SIDECAR:
        out[what] = int(side.one(f"SELECT count(*) FROM {side.table(lite, pg)}"))
    return out


def _refuse_unless_empty(target: StoreURL) -> None:
    conn = _connect_target(target)
    try:
        held = {k: v for k, v in _counts(_Side(target, conn)).items() if v}
    finally:
        conn.close()
    if held:
        what = ", ".join(f"{v} {k}" for k, v in held.items())
        what_zh = "、".join(f"{v} 条{ {'events': '事件', 'credentials': '密码哈希', 'requests': '请求应答', 'settings': '设置'}[k] }"
                           for k, v in held.items())
        raise _refused(target, f"is not empty (it holds {what}); copy into a new, empty database - nothing was changed",
                       f"不是空数据库（其中有 {what_zh}）；请复制到一个新建的空数据库——未做任何改动")


def _connect_target(target: StoreURL) -> Any:
    if target.kind == "sqlite":
        return sqlite3.connect(target.path, timeout=30, isolation_level=None)
    import psycopg

    return psycopg.connect(target.conninfo(), autocommit=False, connect_timeout=5)


# -- the copy ----------------------------------------------------------------------------------------------


def copy_store(source: StoreURL, target: StoreURL, progress: Progress | None = None) -> CopyReport:
    """Copy, in one transaction on the target, and compare before committing."""
    import migrations

    missing = [m for m in migrations.runner.available(source.kind) if m.version not in migrations.runner.applied(source)]
    if missing:
        raise StoreError(problem=f"the source {source.display} lacks migrations ({missing[0].version:04d}_"
                         f"{missing[0].name} …): run `leitai --db {source.display} db upgrade` first",
                         problem_zh=f"源数据库 {source.display} 尚未执行迁移（{missing[0].version:04d}_{missing[0].name} "
                         f"等）：请先运行 `leitai --db {source.display} db upgrade`")
    report = CopyReport()
    report.created_target, report.migrated_target = prepare_target(source, target)
    try:
        try:
            _copy(source, target, report, progress)
        except sqlite3.Error as exc:
            raise _failed(target, exc) from None
        except Exception as exc:
            if type(exc).__module__.startswith("psycopg"):
                raise _failed(target, exc) from None
            raise
    except BaseException:
        if report.created_target:  # a file this command made: leave nothing behind
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(target.path + suffix).unlink(missing_ok=True)
        raise
    return report


def _failed(target: StoreURL, exc: Exception) -> StoreError:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if type(exc).__name__ == "InsufficientPrivilege":
        return StoreError(
            problem=f"the copy into {target.display} was refused ({text}); the target was left as it was. Name the "
            "target with its owner's account (the one that runs `leitai db upgrade`) or a superuser, and run "
            "`leitai db copy` again",
            problem_zh=f"复制到 {target.display} 被拒绝（{text}）；目标数据库保持原样。请用其所有者账号（运行 "
            "`leitai db upgrade` 的账号）或超级用户指定目标数据库，再运行 `leitai db copy`")
    return StoreError(
        problem=f"the copy into {target.display} failed ({text}); nothing was kept in the target, which is as it "
        "was. Put the cause right and run `leitai db copy` again",
        problem_zh=f"复制到 {target.display} 失败（{text}）；目标数据库未保留任何内容，保持原样。请排除原因后重新运行 "
        "`leitai db copy`")


def _copy(source: StoreURL, target: StoreURL, report: CopyReport, progress: Progress | None) -> None:
    src_conn = _connect_source(source)
    dst_conn = _connect_target(target)
    src, dst = _Side(source, src_conn), _Side(target, dst_conn)
    try:
        if dst.sqlite:
            dst_conn.execute("BEGIN IMMEDIATE")
        else:
            dst_conn.execute("SET LOCAL lock_timeout = '10s'")
            dst_conn.execute("LOCK TABLE public.leitai_events IN EXCLUSIVE MODE")  # no writer meanwhile
        if any(_counts(dst).values()):
            raise _refused(target, "received data while the copy began; nothing was changed",
                           "复制开始时目标数据库被写入了数据；未做任何改动")
        total = int(src.one(f"SELECT count(*) FROM {src.events_table}"))
        report.origin = _copy_identity(src, dst)
        done = 0
        for batch in src.events():
            _insert_events(dst, batch)
            done += len(batch)
            report.last_position = batch[-1][0]
            if progress:
                progress("copy", done, total)
        report.events = done
        if dst.sqlite:
            import migrations.runner as runner

            runner._backfill_sqlite_chain(dst_conn)  # noqa: SLF001 - the one code that computes them
            runner._build_sqlite_tree(dst_conn, Path(target.path).stem)  # noqa: SLF001
        for what, lite, pg, keys, others in SIDECAR:
            report.rows[what] = _copy_rows(src, dst, src.table(lite, pg), dst.table(lite, pg), keys + others)
        if progress:
            progress("compare", 0, 1)
        _compare(src, dst, report)
        if not dst.sqlite and report.last_position:
            dst_conn.execute("SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence('public.leitai_events', "
                             "'notification_id'), %s)", (report.last_position,))
        dst_conn.execute("COMMIT") if dst.sqlite else dst_conn.commit()
        if progress:
            progress("compare", 1, 1)
    except BaseException:
        try:
            dst_conn.execute("ROLLBACK") if dst.sqlite else dst_conn.rollback()
        except Exception:  # noqa: BLE001 - the connection may be gone; the transaction with it
            pass
        raise
    finally:
        dst_conn.close()
        src_conn.close()
    report.source_grew = _grown(source, report.events)


def _grown(source: StoreURL, copied: int) -> int:
    """Events recorded in the source since the snapshot (a server still running)."""
    conn = _connect_source(source)
    try:
        side = _Side(source, conn)
        return int(side.one(f"SELECT count(*) FROM {side.events_table}")) - copied
    finally:
        conn.close()


def _copy_identity(src: _Side, dst: _Side) -> str:
    """The target takes the source's origin: the heads signed before name it.  The target's
    own (made by its migration moments ago, naming an empty log) is replaced; its guard
    trigger is lifted for that one statement, in this transaction, and put back as it was."""
    log_src = src.table("log_identity", "leitai_log")
    row = src.conn.execute(f"SELECT origin, created_at FROM {log_src}").fetchone()
    if row is None:
        raise StoreError(problem=f"the source {src.store.display} has no log identity (origin): run `leitai --db "
                         f"{src.store.display} db upgrade` first",
                         problem_zh=f"源数据库 {src.store.display} 没有日志标识（origin）：请先运行 "
                         f"`leitai --db {src.store.display} db upgrade`")
    origin, created = str(row[0]), row[1]
    if dst.sqlite:
        guard = dst.conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = "
                                 "'log_identity_no_delete'").fetchone()
        dst.conn.execute("DROP TRIGGER IF EXISTS log_identity_no_delete")
        dst.conn.execute("DELETE FROM log_identity")
        dst.conn.execute("INSERT INTO log_identity (one_row, origin, created_at) VALUES (1, ?, ?)", (origin, str(created)))
        if guard:
            dst.conn.execute(guard[0])
        return origin
    dst.conn.execute("ALTER TABLE public.leitai_log DISABLE TRIGGER leitai_log_fixed")
    dst.conn.execute("DELETE FROM public.leitai_log")
    dst.conn.execute("INSERT INTO public.leitai_log (one_row, origin, created_at) VALUES (true, %s, %s::timestamptz)",
                     (origin, _timestamp(created)))
    dst.conn.execute("ALTER TABLE public.leitai_log ENABLE ALWAYS TRIGGER leitai_log_fixed")
    return origin


def _timestamp(value: Any) -> str:
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text if ("+" in text[10:] or text.endswith("Z")) else text + "+00:00"  # SQLite's CURRENT_TIMESTAMP is UTC


def _insert_events(dst: _Side, batch: list[tuple[int, UUID, int, str, bytes]]) -> None:
    if dst.sqlite:
        dst.conn.executemany("INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) "
                             "VALUES (?, ?, ?, ?, ?)", [(p, a.hex, v, t, s) for p, a, v, t, s in batch])
        return
    # one statement per batch: the tree trigger (per statement) adds the batch's leaves and nodes
    dst.conn.execute(
        "INSERT INTO public.leitai_events (notification_id, originator_id, originator_version, topic, state) "
        "SELECT * FROM unnest(%s::bigint[], %s::uuid[], %s::bigint[], %s::text[], %s::bytea[]) "
        "ORDER BY 1", ([r[0] for r in batch], [r[1] for r in batch], [r[2] for r in batch], [r[3] for r in batch],
                       [r[4] for r in batch]))


def _copy_rows(src: _Side, dst: _Side, src_table: str, dst_table: str, columns: tuple[str, ...]) -> int:
    cols = ", ".join(columns)
    rows = src.conn.execute(f"SELECT {cols} FROM {src_table} ORDER BY {cols}").fetchall()
    if rows:
        marks = ", ".join(["?" if dst.sqlite else "%s"] * len(columns))
        sql = f"INSERT INTO {dst_table} ({cols}) VALUES ({marks})"
        if dst.sqlite:
            dst.conn.executemany(sql, rows)
        else:
            with dst.conn.cursor() as cursor:
                cursor.executemany(sql, rows)
    return len(rows)


def _compare(src: _Side, dst: _Side, report: CopyReport) -> None:
    """Every copied or computed table equal on both sides, row by row, or StoreError (the
    caller rolls back)."""
    pairs: list[tuple[str, Iterable[tuple], Iterable[tuple]]] = [("events", src.all_events(), dst.all_events())]
    for what, lite, pg, columns in DERIVED:
        pairs.append((what, src.rows(lite, pg, columns), dst.rows(lite, pg, columns)))
    for what, lite, pg, keys, others in SIDECAR:  # text keys collate differently: compare them sorted here
        pairs.append((what, sorted(src.rows(lite, pg, keys + others)), sorted(dst.rows(lite, pg, keys + others))))
    origin = (src.one(f"SELECT origin FROM {src.table('log_identity', 'leitai_log')}"),
              dst.one(f"SELECT origin FROM {dst.table('log_identity', 'leitai_log')}"))
    pairs.append(("origin", [(origin[0],)], [(origin[1],)]))
    for what, mine, theirs in pairs:
        count = 0
        for count, (a, b) in enumerate(zip_longest(mine, theirs), 1):
            if a != b:
                raise StoreError(
                    problem=f"the copy's {what} differ from the source's at row {count} ({_brief(a)} there, "
                    f"{_brief(b)} here); nothing was kept in the target. Report this with both databases' "
                    "`leitai verify`",
                    problem_zh=f"复制后的 {what} 与源数据库在第 {count} 行不一致（源：{_brief(a)}，目标：{_brief(b)}）；"
                    "目标数据库未保留任何内容。请分别对两个数据库运行 `leitai verify` 并报告此问题")
        report.compared[what] = count
    report.tree_size = report.compared.get("leaves", 0)


def _brief(row: Any) -> str:
    return "nothing" if row is None else str(row)[:120]
