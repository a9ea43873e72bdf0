"""Bulk-load synthetic histories into an empty, migrated store.

Events are mapped by the Leitai application's own mapper (so they are exactly what the
application would have written) and copied in: COPY on PostgreSQL, one transaction of
inserts on SQLite.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable

import psycopg

import migrations
from domain.services.app import Leitai
from domain.services.store import StoreURL

StoredRow = tuple  # (originator_id: UUID, version, topic, state bytes)


def stored_rows(aggregate_batches: Iterable[list]) -> list[StoredRow]:
    """Map the aggregates' pending events to stored rows with the application's mapper."""
    app = Leitai(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    to_stored = app.mapper.to_stored_event
    rows: list[StoredRow] = []
    for aggregates in aggregate_batches:
        for aggregate in aggregates:
            for event in aggregate.collect_events():
                s = to_stored(event)
                rows.append((s.originator_id, s.originator_version, s.topic, s.state))
    return rows


def load_rows(store: StoreURL, rows: list[StoredRow], admin: StoreURL | None = None,
              upto: int | None = None) -> float:
    """Migrate ``store`` (only up to migration ``upto`` if given: a database as an earlier
    version left it) and copy the rows in; returns seconds."""
    migrations.migrate(store, admin, upto=upto)
    started = time.perf_counter()
    if store.kind == "sqlite":
        conn = sqlite3.connect(store.path, isolation_level=None)
        conn.execute("DROP TRIGGER stored_events_checked")  # as for PostgreSQL above: a bulk load
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO stored_events (originator_id, originator_version, topic, state) "
                         "VALUES (?, ?, ?, ?)", ((r[0].hex, r[1], r[2], r[3]) for r in rows))
        conn.execute("COMMIT")
        conn.close()
    else:
        with psycopg.connect((admin or store).conninfo()) as conn:
            # A synthetic history is copied in as it is: the per-row insert checks and the hash
            # chain (migration 0006) are for what the application records, not for bulk loads
            # of benchmark data (which `leitai verify` would rightly call unchained).
            conn.execute("ALTER TABLE leitai_events DISABLE TRIGGER leitai_events_checked")
            conn.execute("ALTER TABLE leitai_events DISABLE TRIGGER leitai_events_chained")
            with conn.cursor() as cur:
                with cur.copy("COPY leitai_events (originator_id, originator_version, topic, state) "
                              "FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            conn.execute("ALTER TABLE leitai_events ENABLE ALWAYS TRIGGER leitai_events_checked")
            conn.execute("ALTER TABLE leitai_events ENABLE ALWAYS TRIGGER leitai_events_chained")
            conn.commit()
            conn.execute("ANALYZE leitai_events")
    return time.perf_counter() - started


def load(store: StoreURL, aggregate_batches: Iterable[list], admin: StoreURL | None = None) -> tuple[int, float]:
    rows = stored_rows(aggregate_batches)
    return len(rows), load_rows(store, rows, admin)
