"""A PostgreSQL server for the tests: the one named by ``LEITAI_TEST_POSTGRES_URL``
(an account that may create databases and roles), or else a throwaway cluster started
from the local PostgreSQL binaries and removed afterwards.

Every test database is a copy of a migrated template, and the application connects
to it as ``leitai_app``, a login role that is a member of the template's own writer
role (``leitai_writer_<template>``, recorded in its ``leitai_roles`` and so shared by
every copy) and nothing more - the same limited rights as in production.  The
per-database roles are dropped again with the databases.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

import migrations
from migrations.runner import roles
from domain.services.store import parse_url
from tests.served import free_port as _free_port

APP_ROLE = "leitai_app"


@dataclass
class Server:
    admin_url: str  # superuser / owner account
    description: str
    datadir: Path | None = None
    bindir: Path | None = None
    run_as: pwd.struct_passwd | None = None

    def admin_conninfo(self, dbname: str = "postgres") -> str:
        store = parse_url(self.admin_url)
        return psycopg.conninfo.make_conninfo(store.conninfo(), dbname=dbname)

    def url_for(self, dbname: str, user: str | None = None) -> str:
        store = parse_url(self.admin_url)
        auth = user or store.user
        if store.password and user is None:
            auth += f":{store.password}"
        return f"postgresql://{auth}@{store.host}:{store.port}/{dbname}"

    def stop(self) -> None:
        if self.datadir is None or self.bindir is None:
            return
        subprocess.run([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "stop"],
                       preexec_fn=self._demote, capture_output=True, check=False)
        shutil.rmtree(self.datadir.parent, ignore_errors=True)

    def _demote(self) -> None:
        if self.run_as is not None:
            os.setgid(self.run_as.pw_gid)
            os.setuid(self.run_as.pw_uid)


def find_bindir() -> Path | None:
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
        if (Path(out) / "initdb").exists():
            return Path(out)
    except (OSError, subprocess.CalledProcessError):
        pass
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    candidates += sorted(glob.glob("/usr/local/pgsql/bin/initdb"))
    return Path(candidates[0]).parent if candidates else None


def _reachable_by_all(folder: Path) -> bool:
    """Whether another user (the cluster's) may pass through every folder down to ``folder``."""
    return all(os.stat(f).st_mode & 0o001 for f in [folder.resolve(), *folder.resolve().parents])


def start_throwaway(listen: str = "127.0.0.1", hba: tuple[str, ...] = ()) -> Server:
    """A cluster of its own on a free port, listening on ``listen`` (addresses, comma-separated),
    with ``hba`` lines added to its pg_hba.conf (e.g. another network's addresses, trusted)."""
    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError("no PostgreSQL binaries (initdb) found; install postgresql or set LEITAI_TEST_POSTGRES_URL")
    run_as = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
    base = tempfile.gettempdir()
    if run_as is not None and not _reachable_by_all(Path(base)):  # e.g. a quick benchmark's own TMPDIR (0700)
        base = "/tmp"
    root = Path(tempfile.mkdtemp(prefix="leitai-pg-", dir=base))
    datadir, sockets = root / "data", root / "sockets"
    if run_as is not None:  # initdb refuses to run as root: run the cluster as the postgres user
        os.chown(root, run_as.pw_uid, run_as.pw_gid)
    server = Server("", "", datadir, bindir, run_as)
    sockets.mkdir()
    if run_as is not None:
        os.chown(sockets, run_as.pw_uid, run_as.pw_gid)
    subprocess.run([str(bindir / "initdb"), "-D", str(datadir), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                    "--no-locale"], preexec_fn=server._demote, capture_output=True, check=True)
    port = _free_port()
    if hba:
        with open(datadir / "pg_hba.conf", "a", encoding="utf-8") as conf:
            conf.write("".join(line + "\n" for line in hba))
    options = (f"-p {port} -k {sockets} -c listen_addresses={listen} -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
    subprocess.run([str(bindir / "pg_ctl"), "-D", str(datadir), "-o", options, "-l", str(root / "log"), "-w",
                    "start"], preexec_fn=server._demote, capture_output=True, check=True)
    server.admin_url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    server.description = f"throwaway PostgreSQL from {bindir} on port {port}"
    return server


def connect_server() -> Server:
    url = os.environ.get("LEITAI_TEST_POSTGRES_URL")
    if url:
        store = parse_url(url)
        return Server(url, f"PostgreSQL at {store.host}:{store.port} (LEITAI_TEST_POSTGRES_URL)")
    return start_throwaway()


class Databases:
    """Creates per-test databases from one migrated template."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.template = f"leitai_tpl_{uuid.uuid4().hex[:8]}"
        self.created: list[str] = []
        self.roles: list[str] = []  # per-database roles to drop at the end
        with psycopg.connect(server.admin_conninfo(), autocommit=True) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
            self.server.description += f", server {version}"
            conn.execute(f'CREATE DATABASE "{self.template}"')
        template = parse_url(server.url_for(self.template))
        migrations.migrate(template)
        recorded = roles(template)
        assert recorded is not None, "the migrated template records no roles (leitai_roles)"
        self.writer_role, self.owner_role = recorded["writer"], recorded["owner"]
        self.roles += [self.writer_role, self.owner_role]
        with psycopg.connect(server.admin_conninfo(), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (APP_ROLE,)).fetchone()
            if not exists:
                conn.execute(f"CREATE ROLE {APP_ROLE} LOGIN")
            conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(self.writer_role),
                                                          sql.Identifier(APP_ROLE)))

    def create(self) -> str:
        name = f"leitai_t_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.server.admin_conninfo(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.created.append(name)
        # a copy of the template is a deployment of its own: it gets an origin of its own (the
        # name its signed heads carry), as `db upgrade` gives a new database
        with psycopg.connect(self.server.admin_conninfo(name), autocommit=True) as conn, conn.transaction():
            conn.execute("ALTER TABLE leitai_log DISABLE TRIGGER leitai_log_fixed")
            conn.execute("UPDATE leitai_log SET origin = %s", (f"leitai/{name.replace('_', '-')}/{uuid.uuid4().hex[:12]}",))
            conn.execute("ALTER TABLE leitai_log ENABLE ALWAYS TRIGGER leitai_log_fixed")
        return name

    def drop(self, name: str) -> None:
        with psycopg.connect(self.server.admin_conninfo(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop_roles(self, *names: str) -> None:
        """Drop roles that own and hold nothing any more (their databases are gone)."""
        with psycopg.connect(self.server.admin_conninfo(), autocommit=True) as conn:
            for name in names:
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))

    def close(self) -> None:
        for name in self.created + [self.template]:
            try:
                self.drop(name)
            except psycopg.Error:
                pass
        try:
            self.drop_roles(*self.roles)
        except psycopg.Error:
            pass


def fresh_store(request: Any, folder: Any) -> tuple[str, Callable[[], None]]:
    """(the URL, how to drop it) of a new store of the kind a test's parameter names -
    ``request.param`` is "sqlite" (a file in ``folder``) or "postgres" (a database of the
    session's server, reached as the application's login)."""
    if request.param == "sqlite":
        return f"sqlite:///{folder}/leitai.db", lambda: None
    databases: Databases = request.getfixturevalue("pg_databases")
    name = databases.create()
    return databases.server.url_for(name, user=APP_ROLE), lambda: databases.drop(name)
