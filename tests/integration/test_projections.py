"""The read side: every read model is a projection of the events, equal to what the
write side computes, and the engine's batches are exactly-once."""

from __future__ import annotations

import pytest

from domain.services.store import parse_url
from projections.explain import explanation
from projections.queries import ReadModels
from projections.ranking_json import ranking_document
from projections.runner import Projector
from projections.source import EventSource
from projections.tables import TABLES
from tests.integration.test_stores import FINAL, TOWNSHIPS, run_example
from tests.scenario import judge, small_contest


def project(url: str) -> ReadModels:
    projector = Projector(parse_url(url))
    projector.load()
    projector.catch_up()
    projector.close()
    return ReadModels(parse_url(url))


@pytest.fixture
def example(app, store_url, clock):
    run_example(app, clock)
    return app, store_url


def test_every_projected_ranking_equals_the_write_side_computation(example):
    app, url = example
    read = project(url)
    for code in TOWNSHIPS + [FINAL]:
        assert read.ranking(code) == ranking_document(*app.ranking(code)), code
    read.close()


def test_every_event_of_a_round_has_its_recorded_time_in_china_standard_time(example):
    import re
    from datetime import datetime, timedelta

    app, url = example
    read = project(url)
    code = "R-GL-2025-05"
    times = read.event_times(code)
    explained = read.audit(code, "WS-GL-05")
    named = {s["event"] for s in explained["sheets"]} | {h["event"] for h in explained["history"]}
    assert named and named <= set(times)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", t) for t in times.values())
    # the events were recorded a moment ago: UTC+8, not UTC
    now = datetime.utcnow() + timedelta(hours=8)
    latest = max(datetime.strptime(t, "%Y-%m-%d %H:%M:%S") for t in times.values())
    assert abs(now - latest) < timedelta(minutes=10), (now, latest)


def test_the_audit_trail_from_the_read_side_equals_the_explanation(example):
    app, url = example
    read = project(url)
    for code, entrant in (("R-GL-2025-05", "WS-GL-05"), (FINAL, "WS-TK-08")):
        rnd, result = app.ranking(code)
        assert read.audit(code, entrant) == explanation(rnd, result, entrant)
    assert read.audit(FINAL, "WS-TK-08")["adjustments"][0]["reason"] == "述职超时 20 秒"
    read.close()


def test_finalists_show_the_round_and_rank_they_came_from(example):
    _, url = example
    read = project(url)
    finalists = read.finalists(FINAL)
    assert len(finalists) == 12
    assert {f["source_rank"] for f in finalists} == {1, 2}
    assert {f["source_round"] for f in finalists} == set(TOWNSHIPS)
    assert all(f["source_seal"].startswith("sha256:") for f in finalists)
    read.close()


def test_standings_consequences_stars_and_judges_are_served(example):
    _, url = example
    read = project(url)
    month = read.standings("wushen-2025", "WS-GL", "2025-05")
    assert [r["rank"] for r in month][:3] == [1, 2, 3] and len(month) == 11
    assert read.periods("wushen-2025", "WS-GL") == ["2025", "2025-05", "2025-Q2"]
    kinds = [c["kind"] for c in read.consequences("wushen-2025", "WS-GL", "2025-05")]
    assert kinds.count("top") == 3 and kinds.count("bottom") == 3 and kinds.count("pairing") == 3
    stars = read.certifications("wushen-2025", "township", "2025")
    assert len(stars) == 61 and sum(1 for s in stars if s["computed_stars"] == 5) <= 6  # quota 10% of 61
    judges = read.judges("contest", "wushen-2025")
    assert {j["judge"] for j in judges} >= {"J01", "T-GL"}
    assert sum(j["sheets"] for j in read.judges("round", FINAL)) == 102
    read.close()


def test_the_live_leaderboard_shows_sheets_in_and_provisional_ranks(app, store_url):
    small_contest(app)
    read = project(store_url)
    board = read.leaderboard("R1")
    assert board["provisional"] and [(e["entrant"], e["sheets_in"], e["sheets_expected"]) for e in board["entries"]] \
        == [("O1", 0, 3), ("O2", 0, 3)]  # J4 is recused from both
    for code in ("J1", "J2", "J3"):
        app.submit_sheet("R1", code, "O1", {"party": "25", "industry": "15"}, judge(code))
    app.submit_sheet("R1", "J1", "O2", {"party": "28", "industry": "19"}, judge("J1"))
    read = project(store_url)
    entries = {e["entrant"]: e for e in read.leaderboard("R1")["entries"]}
    assert (entries["O1"]["rank"], entries["O1"]["final"], entries["O1"]["sheets_in"]) == (1, "40.00", 3)
    assert (entries["O2"]["rank"], entries["O2"]["final"], entries["O2"]["sheets_in"]) == (None, None, 1)
    read.close()


def test_read_your_writes_waits_for_the_command_s_position(app, store_url):
    small_contest(app)
    outcome = app.execute(lambda s: s.submit_sheet("R1", "J1", "O1", {"party": "25", "industry": "15"},
                                                   judge("J1")))
    read = ReadModels(parse_url(store_url))
    assert not read.wait_for(outcome.position, timeout=0.05)  # nothing projects it yet
    projector = Projector(parse_url(store_url))
    projector.load()
    projector.catch_up()
    assert read.wait_for(outcome.position, timeout=1)
    assert read.leaderboard("R1")["sheets_in"] == 1
    projector.close()
    read.close()


def test_a_rebuild_switches_generation_and_gives_the_same_read_models(example):
    app, url = example
    read = project(url)
    before = {code: read.leaderboard(code) for code in TOWNSHIPS + [FINAL]}
    generation, position = read.store.state()
    projector = Projector(parse_url(url))
    report = projector.rebuild()
    projector.close()
    assert (report.generation, report.position) == (1 - generation, position)
    after = {code: read.leaderboard(code) for code in TOWNSHIPS + [FINAL]}
    assert after == before
    read.close()


def test_a_running_projector_follows_a_rebuild_switch(app, store_url):
    small_contest(app)
    live = Projector(parse_url(store_url))
    live.load()
    live.catch_up()
    rebuilder = Projector(parse_url(store_url))
    rebuilder.rebuild()
    rebuilder.close()
    app.submit_sheet("R1", "J1", "O1", {"party": "25", "industry": "15"}, judge("J1"))
    live.step()  # finds the generation switched under it: reloads, writes nothing
    live.catch_up()
    read = ReadModels(parse_url(store_url))
    assert read.leaderboard("R1")["sheets_in"] == 1
    assert read.store.state() == (1, EventSource(parse_url(store_url)).last_position())
    live.close()
    read.close()


def test_both_generations_have_the_declared_columns(app, store_url):
    store = parse_url(store_url)
    read = ReadModels(store)
    conn = read.store.connection()
    for table in TABLES:
        for generation in (0, 1):
            name = table.physical(generation)
            if store.kind == "sqlite":
                columns = [row[1] for row in conn.execute(f"PRAGMA table_info({name})")]
            else:
                columns = [r[0] for r in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                    "ORDER BY ordinal_position", (name,)).fetchall()]
            assert columns == table.column_names, name
    read.close()


def test_a_long_scan_read_ahead_gives_every_event_once_and_can_be_abandoned(app, store_url, monkeypatch):
    import projections.source as source_module

    small_contest(app)
    for code in ("J1", "J2", "J3"):
        app.submit_sheet("R1", code, "O1", {"party": "25", "industry": "15"}, judge(code))
    monkeypatch.setattr(source_module, "PREFETCH_FROM", 0)  # read ahead even this short log
    source = EventSource(parse_url(store_url))
    positions = [row[0] for rows in source.scan(0, None, batch=7) for row in rows]
    assert positions == sorted(set(positions)) and len(positions) == source.last_position()
    abandoned = source.scan(0, None, batch=3)
    next(abandoned)
    abandoned.close()  # the helper thread stops; the connection is usable again
    assert len(source.read_after(0, 1000)) == len(positions)
    source.close()


def _tables(read: ReadModels, generation: int) -> dict[str, list[tuple]]:
    conn = read.store.connection()
    out = {}
    for table in TABLES:
        rows = conn.execute(f"SELECT {', '.join(table.column_names)} FROM {table.physical(generation)} "
                            f"ORDER BY {', '.join(table.key)}").fetchall()
        out[table.name] = [tuple(r) for r in rows]
    return out


def test_live_batches_that_write_only_changed_rows_leave_what_a_rebuild_writes(example):
    """Live, the projector writes only the rows of a round (a unit, a level...) that changed
    since it last wrote them; small batches exercise that on every round many times.  The
    tables must end exactly as a rebuild from event 1 writes them."""
    app, url = example
    live = Projector(parse_url(url), batch_size=3)
    live.load()
    batches = 0
    while live.step():
        batches += 1
    live.close()
    assert batches > 100
    read = ReadModels(parse_url(url))
    generation, _ = read.store.state()
    stepped = _tables(read, generation)
    rebuilder = Projector(parse_url(url))
    rebuilder.rebuild()
    rebuilder.close()
    rebuilt = _tables(read, 1 - generation)
    read.close()
    for name in stepped:
        assert stepped[name] == rebuilt[name], name
