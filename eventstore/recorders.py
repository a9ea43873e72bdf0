"""Application recorders for SQLite and PostgreSQL with the hash chain and bounded waits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from eventsourcing.utils import retry

from domain.chain import GENESIS, link
from domain.errors import StoreError
from domain.merkle import Frontier
from domain.services.store import CHAIN_TABLE_POSTGRES as POSTGRES_CHAIN
from domain.services.store import CHAIN_TABLE_SQLITE as SQLITE_CHAIN
from domain.services.store import LEAVES_TABLE_SQLITE as SQLITE_LEAVES
from domain.services.store import NODES_TABLE_SQLITE as SQLITE_NODES
from eventstore.tree import leaf_rows

# A store that does not answer is retried briefly, then reported (the library's own
# recorders retry ten times, which turns a lock held elsewhere into minutes of waiting).
# An insert is not retried at all: the writer reruns its batch if it must.
_bounded = retry((InterfaceError, OperationalError), max_attempts=2, wait=0.2)
_once = retry((InterfaceError, OperationalError), max_attempts=1)


class LeitaiSQLiteRecorder(SQLiteApplicationRecorder):
    """Inserts the events and, in the same transaction, their links of the chain and
    their leaves and nodes of the Merkle tree (domain/merkle.py)."""

    maintain_tree = True  # False only in the benchmark, to measure what the tree costs

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int]:
        positions = list(super()._insert_events(c, stored_events, **kwargs) or [])
        if not positions:
            return positions
        # the inserts above hold the write lock, so the last link cannot move under us
        c.execute(f"SELECT link FROM {SQLITE_CHAIN} WHERE position < ? ORDER BY position DESC LIMIT 1",
                  (positions[0],))
        row = c.fetchone()
        previous = bytes(row[0]) if row else GENESIS
        links = []
        for event, position in zip(stored_events, positions):
            previous = link(previous, position, _uuid(event.originator_id), event.originator_version, event.topic,
                            event.state)
            links.append((position, previous))
        c.executemany(f"INSERT INTO {SQLITE_CHAIN} (position, link) VALUES (?, ?)", links)
        if self.maintain_tree:
            self._grow_tree(c, stored_events, positions)
        return positions

    @staticmethod
    def _grow_tree(c: SQLiteCursor, stored_events: Sequence[StoredEvent], positions: Sequence[int]) -> None:
        c.execute(f"SELECT leaf FROM {SQLITE_LEAVES} ORDER BY leaf DESC LIMIT 1")
        row = c.fetchone()
        size = 0 if row is None else int(row[0]) + 1

        def read(nodes: Sequence[tuple[int, int]]) -> list[bytes]:
            out = []
            for level, index in nodes:
                if level == 0:
                    c.execute(f"SELECT hash FROM {SQLITE_LEAVES} WHERE leaf = ?", (index,))
                else:
                    c.execute(f"SELECT hash FROM {SQLITE_NODES} WHERE level = ? AND idx = ?", (level, index))
                found = c.fetchone()
                if found is None:
                    raise StoreError(problem=f"the log's Merkle tree lacks node {(level, index)}: the database was "
                                             "changed outside Leitai. Nothing was recorded; run `leitai verify`",
                                     problem_zh=f"日志的 Merkle 树缺少节点 {(level, index)}：数据库曾在擂台系统之外被改动。"
                                                "本次未登记任何内容；请运行 `leitai verify`")
                out.append(bytes(found[0]))
            return out

        frontier = Frontier.of(size, read)
        leaves, nodes = leaf_rows(frontier, ((p, _uuid(e.originator_id), e.originator_version, e.topic, e.state)
                                             for e, p in zip(stored_events, positions)))
        c.executemany(f"INSERT INTO {SQLITE_LEAVES} (leaf, position, hash) VALUES (?, ?, ?)", leaves)
        if nodes:
            c.executemany(f"INSERT INTO {SQLITE_NODES} (level, idx, hash) VALUES (?, ?, ?)", nodes)

    def chain_link(self, position: int) -> bytes | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT link FROM {SQLITE_CHAIN} WHERE position = ?", (position,))
            row = c.fetchone()
        return bytes(row[0]) if row else None


class LeitaiPostgresRecorder(PostgresApplicationRecorder):
    """The library's recorder with bounded retries; the database writes the chain."""

    insert_events = _once(PostgresApplicationRecorder.insert_events.__wrapped__)  # type: ignore[attr-defined]
    select_notifications = _bounded(PostgresApplicationRecorder.select_notifications.__wrapped__)  # type: ignore[attr-defined]
    max_notification_id = _bounded(PostgresApplicationRecorder.max_notification_id.__wrapped__)  # type: ignore[attr-defined]
    select_events = _bounded(PostgresApplicationRecorder.select_events.__wrapped__)  # type: ignore[attr-defined]

    def chain_link(self, position: int) -> bytes | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(f"SELECT link FROM {POSTGRES_CHAIN} WHERE position = %s", (position,))
            row = curs.fetchone()
        return bytes(row["link"]) if row else None


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))
