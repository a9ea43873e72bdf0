"""Which event store the application uses, from one setting: ``LEITAI_DATABASE_URL``.

``sqlite:///relative/path.db`` or ``sqlite:////absolute/path.db`` selects an SQLite
file (the embedded default is ``sqlite:///leitai.db`` in the working directory);
``postgresql://user:password@host:port/dbname`` selects PostgreSQL.  This module only
translates the URL into the eventsourcing library's settings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, unquote, urlsplit

from domain.errors import InvalidValue

DEFAULT_URL = "sqlite:///leitai.db"
EVENTS_TABLE_POSTGRES = "leitai_events"  # the library names it after the application
EVENTS_TABLE_SQLITE = "stored_events"
CHAIN_TABLE_POSTGRES = "leitai_chain"  # the hash chain's links beside the events (domain.chain)
CHAIN_TABLE_SQLITE = "event_chain"
# The Merkle tree over the log (domain.merkle): leaf hashes by leaf index (with the event's
# position), the complete nodes above them, and the log's identity (its origin).
LEAVES_TABLE_POSTGRES = "leitai_tree_leaves"
LEAVES_TABLE_SQLITE = "merkle_leaves"
NODES_TABLE_POSTGRES = "leitai_tree_nodes"
NODES_TABLE_SQLITE = "merkle_nodes"
LOG_TABLE_POSTGRES = "leitai_log"
LOG_TABLE_SQLITE = "log_identity"


@dataclass(frozen=True)
class StoreURL:
    kind: str  # "sqlite" | "postgresql"
    path: str = ""
    host: str = ""
    port: int = 5432
    user: str = ""
    password: str = ""
    dbname: str = ""
    schema: str = "public"

    @property
    def display(self) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.path}"
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.dbname}"

    @property
    def url(self) -> str:
        """The URL that selects this store again (with the password, if any)."""
        if self.kind == "sqlite":
            return f"sqlite:///{self.path}"
        auth = self.user + (f":{quote(self.password, safe='')}" if self.password else "")
        return f"postgresql://{auth}@{self.host}:{self.port}/{self.dbname}"

    def conninfo(self) -> str:
        """A libpq connection string (for migrations and read models)."""
        parts = {"host": self.host, "port": str(self.port), "user": self.user, "dbname": self.dbname}
        if self.password:
            parts["password"] = self.password
        return " ".join(f"{k}='{v}'" for k, v in parts.items())


def parse_url(url: str | None = None) -> StoreURL:
    url = url or os.environ.get("LEITAI_DATABASE_URL") or DEFAULT_URL
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        if not path:
            raise InvalidValue("LEITAI_DATABASE_URL", url, "sqlite:/// needs a file path", "sqlite:/// 之后需要文件路径")
        return StoreURL("sqlite", path=os.path.abspath(path))
    parts = urlsplit(url)
    if parts.scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        query = parse_qs(parts.query)
        return StoreURL(
            "postgresql",
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=unquote(parts.username or "postgres"),
            password=unquote(parts.password or ""),
            dbname=(parts.path or "/").lstrip("/") or "leitai",
            schema=query.get("schema", ["public"])[0],
        )
    raise InvalidValue("LEITAI_DATABASE_URL", url,
                       "expected sqlite:///path/to/file.db or postgresql://user@host:port/dbname",
                       "应为 sqlite:///文件路径 或 postgresql://用户@主机:端口/数据库")


def application_env(store: StoreURL) -> dict[str, str]:
    """The eventsourcing settings for a store; tables come from migrations, not the library."""
    if store.kind == "sqlite":
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": store.path,
            "SQLITE_LOCK_TIMEOUT": "5",  # a lock held elsewhere is reported after 5 s, not waited out
            "CREATE_TABLE": "n",
            "APPLICATION_RECORDER_TOPIC": "eventstore.recorders:LeitaiSQLiteRecorder",
        }
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": store.dbname,
        "POSTGRES_HOST": store.host,
        "POSTGRES_PORT": str(store.port),
        "POSTGRES_USER": store.user,
        "POSTGRES_PASSWORD": store.password,
        "POSTGRES_SCHEMA": store.schema,
        # Events are inserted through the SECURITY DEFINER function of migration 0001,
        # so the application role needs no UPDATE/DELETE/TRUNCATE privilege (see README).
        "POSTGRES_ENABLE_DB_FUNCTIONS": "y",
        "POSTGRES_POOL_SIZE": "4",
        "POSTGRES_MAX_OVERFLOW": "8",
        "POSTGRES_CONNECT_TIMEOUT": "5",
        # a pooled connection the server dropped (a restart, a failover) is replaced before
        # use instead of failing the next command
        "POSTGRES_PRE_PING": "y",
        "POSTGRES_LOCK_TIMEOUT": "5",
        "CREATE_TABLE": "n",
        "APPLICATION_RECORDER_TOPIC": "eventstore.recorders:LeitaiPostgresRecorder",
    }
