"""Bulk-load synthetic histories into an empty, migrated store.

Events are mapped by the Leitai application's own mapper (so they are exactly what the
application would have written) and copied in: COPY on PostgreSQL, one transaction of
inserts on SQLite.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator

import psycopg

import migrations
from domain.services.app import Leitai
from domain.services.store import StoreURL, application_env


def stored_rows(app: Leitai, aggregate_batches: Iterable[list]) -> Iterator[list[tuple]]:
    to_stored = app.mapper.to_stored_event
    for aggregates in aggregate_batches:
        rows = []
        for aggregate in aggregates:
            for event in aggregate.collect_events():
                s = to_stored(event)
                rows.append((s.originator_id, s.originator_version, s.topic, s.state))
        yield rows


def load(store: StoreURL, aggregate_batches: Iterable[list], admin: StoreURL | None = None) -> tuple[int, float]:
    """Load into ``store`` (migrated first); returns (events, seconds)."""
    migrations.migrate(store, admin)
    app = Leitai(env=application_env(store))
    started = time.perf_counter()
    count = 0
    try:
        if store.kind == "sqlite":
            conn = sqlite3.connect(store.path, isolation_level=None)
            conn.execute("BEGIN")
            for rows in stored_rows(app, aggregate_batches):
                conn.executemany("INSERT INTO stored_events (originator_id, originator_version, topic, state) "
                                 "VALUES (?, ?, ?, ?)", [(r[0].hex, r[1], r[2], r[3]) for r in rows])
                count += len(rows)
            conn.execute("COMMIT")
            conn.close()
        else:
            with psycopg.connect((admin or store).conninfo()) as conn:
                with conn.cursor() as cur:
                    for rows in stored_rows(app, aggregate_batches):
                        with cur.copy("COPY leitai_events (originator_id, originator_version, topic, state) "
                                      "FROM STDIN") as copy:
                            for row in rows:
                                copy.write_row(row)
                        count += len(rows)
                conn.commit()
                conn.execute("ANALYZE leitai_events")
    finally:
        app.close()
    return count, time.perf_counter() - started
