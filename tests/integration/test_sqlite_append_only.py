"""On the embedded store no SQL statement changes a recorded event (migration 0004):
UPDATE, DELETE and every form of REPLACE or upsert are refused and leave the row's
bytes as they were, while appends - and the IntegrityError the application takes as
"another writer was first" - work as before."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from domain.services.store import parse_url
from tests.conftest import ADMIN, event_count
from tests.scenario import RULES, judge, small_contest

NEW_ID = "ffffffffffffffffffffffffffffffff"

# Each statement aims at a recorded row (its rowid, originator_id, version and topic as
# :rowid, :id, :version, :topic) or at all of them, and would change it were it not
# refused.  The values are otherwise valid (a known topic, a version continuing its
# stream), so that it is the append-only rule that refuses them, not another check.
STATEMENTS = {
    "update": "UPDATE stored_events SET topic = 'x'",
    "delete": "DELETE FROM stored_events",
    "insert or replace": "INSERT OR REPLACE INTO stored_events VALUES (:id, :version, :topic, x'00')",
    "replace into": "REPLACE INTO stored_events VALUES (:id, :version, :topic, x'00')",
    "replace into, column list": "REPLACE INTO stored_events (originator_id, originator_version, topic, state) "
                                 "VALUES (:id, :version, :topic, x'00')",
    "insert or replace, all rows": "INSERT OR REPLACE INTO stored_events SELECT * FROM stored_events",
    "upsert": "INSERT INTO stored_events VALUES (:id, :version, :topic, x'00') "
              "ON CONFLICT (originator_id, originator_version) DO UPDATE SET topic = excluded.topic, "
              "state = excluded.state",
    "upsert, no target": "INSERT INTO stored_events VALUES (:id, :version, :topic, x'00') "
                         "ON CONFLICT DO UPDATE SET topic = 'x'",
    "update or replace": "UPDATE OR REPLACE stored_events SET originator_version = :version "
                         "WHERE rowid <> :rowid AND originator_id = :id",
    "update or replace, rowid": "UPDATE OR REPLACE stored_events SET rowid = :rowid WHERE rowid <> :rowid",
    "insert or replace, existing rowid": "INSERT OR REPLACE INTO stored_events "
                                         "(rowid, originator_id, originator_version, topic, state) "
                                         f"VALUES (:rowid, '{NEW_ID}', 1, :topic, x'00')",
    "insert, existing rowid": "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) "
                              f"VALUES (:rowid, '{NEW_ID}', 1, :topic, x'00')",
    "insert or fail": "INSERT OR FAIL INTO stored_events VALUES (:id, :version, :topic, x'00')",
}


@pytest.fixture
def recorded(make_app, sqlite_url):
    """A store with a few events, two of them versions of one aggregate."""
    app = make_app(sqlite_url)
    app.register_ruleset(RULES, "town.toml", ADMIN)
    app.create_contest("c", "测试活动", ["township", "county"], ADMIN)
    app.add_unit("c", "C", "某县", "county", None, ADMIN)
    assert event_count(app) >= 4
    return parse_url(sqlite_url).path


def rows(conn: sqlite3.Connection) -> list[tuple]:
    """Every recorded row, rowid and bytes included."""
    return conn.execute("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
                        "ORDER BY rowid").fetchall()


@pytest.mark.parametrize("recursive_triggers", [False, True], ids=["default", "recursive_triggers"])
@pytest.mark.parametrize("statement", list(STATEMENTS.values()), ids=list(STATEMENTS))
def test_no_statement_changes_a_recorded_event(recorded, statement, recursive_triggers):
    with sqlite3.connect(recorded) as conn:
        conn.execute(f"PRAGMA recursive_triggers = {'ON' if recursive_triggers else 'OFF'}")
        before = rows(conn)
        # the first version of an aggregate with more, so UPDATE OR REPLACE has a row to collide with
        ids = [r[1] for r in before]
        rowid, originator_id, version, topic = next(r for r in before if ids.count(r[1]) > 1)[:4]
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(statement, {"rowid": rowid, "id": originator_id, "version": version, "topic": topic})
        conn.rollback()
        assert rows(conn) == before
    with sqlite3.connect(recorded) as conn:  # and nothing of it was committed
        assert rows(conn) == before


def test_a_rowid_below_one_is_refused(recorded):
    with sqlite3.connect(recorded) as conn:
        before = rows(conn)
        topic = before[0][3]
        for rowid in (0, -1, -5):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute("INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) "
                             "VALUES (?, ?, 1, ?, x'00')", (rowid, NEW_ID, topic))
        conn.rollback()
        assert rows(conn) == before


def test_new_events_are_still_appended(recorded, make_app, sqlite_url):
    with sqlite3.connect(recorded) as conn:
        before = rows(conn)
        topic = before[0][3]
        # a plain insert of a new event, with or without a (new) rowid, is an append
        conn.execute("INSERT INTO stored_events VALUES (?, 1, ?, x'01')", (NEW_ID, topic))
        conn.execute("INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) "
                     "VALUES (?, ?, 2, ?, x'02')", (before[-1][0] + 100, NEW_ID, topic))
        conn.rollback()
    app = make_app(sqlite_url)
    count = event_count(app)
    app.add_unit("c", "T1", "一镇", "township", "C", ADMIN)
    assert event_count(app) == count + 1
    with sqlite3.connect(recorded) as conn:
        after = rows(conn)
    assert after[:len(before)] == before
    assert len(after) == len(before) + 1
    assert app.read(lambda s: s.contest("c")).units["T1"].name == "一镇"


def test_a_duplicate_event_is_still_an_integrity_error(recorded, make_app, sqlite_url):
    with sqlite3.connect(recorded) as conn:
        _, originator_id, version, topic, state = rows(conn)[0]
        with pytest.raises(sqlite3.IntegrityError):  # a plain INSERT, as the library does
            conn.execute("INSERT INTO stored_events VALUES (?, ?, ?, ?)",
                         (originator_id, version, topic, state))
    app = make_app(sqlite_url)
    duplicate = StoredEvent(originator_id=UUID(originator_id), originator_version=version, topic=topic,
                            state=bytes(state))
    with pytest.raises(IntegrityError):  # how the library reports it to the application
        app.recorder.insert_events([duplicate])


def test_two_writers_saving_the_same_version_conflict_and_retry(make_app, sqlite_url):
    """The application's optimistic concurrency still works: the later of two writers
    that loaded the same version gets an IntegrityError, retries, and both are recorded."""
    setup = make_app(sqlite_url)
    small_contest(setup)
    hall = [make_app(sqlite_url), make_app(sqlite_url)]
    barrier = threading.Barrier(2)
    marks = {"party": "25", "industry": "15"}

    def submit(app, code):
        loaded_once = []

        def work(session):
            session.round("R1")
            if not loaded_once:
                loaded_once.append(True)
                barrier.wait(timeout=10)  # both load the same version before either saves
            return session.submit_sheet("R1", code, "O1", marks, judge(code))

        return app.execute(work, "round R1")

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(submit, hall, ["J1", "J2"]))
    assert all(o.recorded == 1 for o in outcomes)
    assert sum(app.conflicts for app in hall) >= 1, "the two writers should have collided"
    rnd, _ = setup.ranking("R1")
    assert sorted(j for (j, e) in rnd.live if e == "O1") == ["J1", "J2"]
