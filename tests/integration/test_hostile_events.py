"""The read side survives any event in the store: an event it cannot apply is quarantined
and reported (which, why), never folded in part and never a crash; verify reports it.
And the insert path refuses such events in the first place."""

from __future__ import annotations

import json
import sqlite3
import uuid

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from domain.ids import round_id
from domain.services.store import parse_url
from projections.queries import ReadModels
from projections.runner import Projector
from projections.source import EventSource
from projections.verify import verify_store
from tests.conftest import event_count
from tests.scenario import score_all, small_contest

R1 = round_id("R1")


@pytest.fixture
def scored(app, store_url):
    small_contest(app)
    score_all(app)
    return app


def plant(url, pg_databases, originator, version, topic, state):
    """Insert a row behind the application's back, with the store's checks removed."""
    store = parse_url(url)
    if store.kind == "sqlite":
        with sqlite3.connect(store.path) as conn:
            conn.execute("DROP TRIGGER IF EXISTS stored_events_checked")
            conn.execute("INSERT INTO stored_events (originator_id, originator_version, topic, state) "
                         "VALUES (?, ?, ?, ?)", (originator.hex, version, topic, state))
        return
    admin = pg_databases.server.url_for(store.dbname)
    with psycopg.connect(parse_url(admin).conninfo(), autocommit=True) as conn:
        conn.execute("ALTER TABLE leitai_events DISABLE TRIGGER leitai_events_checked")
        conn.execute("INSERT INTO leitai_events (originator_id, originator_version, topic, state) "
                     "VALUES (%s, %s, %s, %s)", (originator, version, topic, state))


HOSTILE = [
    ("a NULL topic", lambda v: (R1, v, None, b"{}")),
    ("an unknown topic", lambda v: (R1, v, "domain.model.round_events:NoSuchEvent", b"{}")),
    ("a topic naming an arbitrary module", lambda v: (R1, v, "os:system", b'{"command": "true"}')),
    ("a version gap", lambda v: (R1, v + 5, "domain.model.round_events:Opened", b'{"actor": "x"}')),
    ("a version 0", lambda v: (uuid.uuid4(), 0, "domain.model.round_events:Opened", b"{}")),
    ("a payload that is not JSON", lambda v: (R1, v, "domain.model.round_events:Opened", b"\xff\xfe not json")),
    ("a payload missing its fields", lambda v: (R1, v, "domain.model.round_events:SheetSubmitted", b"{}")),
]


@pytest.mark.parametrize(("what", "make"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_one_hostile_event_is_quarantined_and_reported_never_a_crash(scored, store_url, request, what, make):
    pg = request.getfixturevalue("pg_databases") if store_url.startswith("postgresql") else None
    version = scored.read(lambda s: s.round("R1")).version + 1
    plant(store_url, pg, *make(version))
    store = parse_url(store_url)
    projector = Projector(store)
    try:
        projector.load()
        projector.catch_up()  # no exception: the projector lives on
    finally:
        projector.close()
    read = ReadModels(store)
    try:
        quarantined = read.quarantine()
        assert quarantined and quarantined[0]["reason"], what
        assert read.leaderboard("F")["round"] == "F"  # the other rounds are served as before
    finally:
        read.close()
    source = EventSource(store)
    try:
        report = verify_store(source)
    finally:
        source.close()
    assert any(f.check == "quarantine" for f in report.findings), what


def test_a_rebuild_reports_the_same_quarantine(scored, store_url, request):
    pg = request.getfixturevalue("pg_databases") if store_url.startswith("postgresql") else None
    version = scored.read(lambda s: s.round("R1")).version + 1
    plant(store_url, pg, R1, version, "os:system", b"{}")
    projector = Projector(parse_url(store_url))
    try:
        projector.rebuild()
    finally:
        projector.close()
    read = ReadModels(parse_url(store_url))
    try:
        assert [q["topic"] for q in read.quarantine()] == ["os:system"]
    finally:
        read.close()


@pytest.mark.parametrize(("what", "make"), HOSTILE[:5], ids=[h[0] for h in HOSTILE[:5]])
def test_the_insert_path_refuses_such_events_in_the_first_place(scored, what, make):
    version = scored.read(lambda s: s.round("R1")).version + 1
    originator, version, topic, state = make(version)
    before = event_count(scored)
    with pytest.raises(IntegrityError, match="refuses this event"):
        scored.recorder.insert_events([StoredEvent(originator, version, topic, state)])
    assert event_count(scored) == before


def test_an_oversized_payload_is_refused_on_insert(scored):
    version = scored.read(lambda s: s.round("R1")).version + 1
    state = json.dumps({"actor": "x", "padding": "x" * 2_100_000}).encode()
    with pytest.raises(IntegrityError, match="refuses this event"):
        scored.recorder.insert_events([StoredEvent(R1, version, "domain.model.round_events:Opened", state)])
