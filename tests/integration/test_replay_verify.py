"""Replay under changed rules, adopting and re-ranking, verification and export."""

from __future__ import annotations

import json
import sqlite3

import psycopg
import pytest

from domain import errors
from domain.rules.ruleset import parse_ruleset
from domain.services.store import parse_url
from projections.replay import Selection, replay
from projections.source import EventSource
from projections.verify import export_events, fold_store, verify_export, verify_folder
from tests.conftest import ADMIN, EXAMPLE, event_count
from tests.integration.test_stores import FINAL, TOWNSHIPS, run_example

V1 = (EXAMPLE / "rules" / "township-2025.toml").read_text(encoding="utf-8")
# quota 1 instead of 2: every township's second place would lose its place in the final
ONE_FINALIST = V1.replace("version = 1", "version = 2").replace("quota = 2", "quota = 1")


@pytest.fixture
def example(app, store_url, clock):
    run_example(app, clock)
    return app, store_url


def folded(url):
    source = EventSource(parse_url(url))
    folder = fold_store(source)
    source.close()
    return folder


def test_replay_shows_who_would_lose_a_place_in_the_final_and_records_nothing(example):
    app, url = example
    before = event_count(app)
    report = replay(folded(url), parse_ruleset(ONE_FINALIST), Selection(level="township"))
    assert event_count(app) == before
    assert [r["round"] for r in report["rounds"]] == sorted(TOWNSHIPS)
    final = report["finalists"][0]
    assert final["target"] == FINAL and len(final["before"]) == 12 and len(final["after"]) == 6
    assert len(final["lost"]) == 6 and final["gained"] == []
    gl = next(r for r in report["rounds"] if r["round"] == "R-GL-2025-05")
    assert gl["before"]["rules"] == {"code": "township-2025", "version": 1}
    assert gl["after"]["rules"] == {"code": "township-2025", "version": 2}
    second = next(c for c in gl["changes"] if c["entrant"] == "WS-GL-08")
    assert second["promotion"] == ["promoted", "reserve"]
    third = next(c for c in gl["changes"] if c["entrant"] == "WS-GL-05")
    assert third["promotion"] == ["reserve", "not_promoted"] and third["reason"] == [None, "below_cutoff"]


def test_replay_under_the_same_rules_changes_nothing(example):
    _, url = example
    report = replay(folded(url), parse_ruleset(V1), Selection(level="township"))
    assert report["summary"]["entrants_changed"] == 0
    assert all(r["before"] == r["after"] for r in report["rounds"])


def test_replay_carries_changes_into_standings_and_stars(example):
    _, url = example
    trim_two = V1.replace("version = 1", "version = 2").replace("trim = 1", "trim = 2").replace(
        "min_judges = 5", "min_judges = 7")
    report = replay(folded(url), parse_ruleset(trim_two), Selection(level="township"))
    assert report["summary"]["rounds_changed"] == 6
    assert any(s["period"] == "2025" for s in report["standings"])
    assert report["stars"] and report["stars"][0]["level"] == "township"


def test_adopting_a_rule_set_changes_only_rounds_not_yet_closed(app, store_url, clock):
    from tests.scenario import RULES, score_all, small_contest

    small_contest(app)
    score_all(app)
    median = RULES.replace("version = 1", "version = 2").replace('method = "trimmed_mean"', 'method = "median"')
    app.register_ruleset(median, "town2.toml", ADMIN)
    from domain.services.setup import RoundSpec

    app.schedule_round("c", RoundSpec("R2", "township", "T1", "2025-06", "town@1", judges=("J1", "J2", "J3")), ADMIN)
    app.close_round("R1", ADMIN)
    outcome = app.adopt_ruleset("c", "town@2", {"level": "township"}, "2025 年 6 月起采用第 2 版", ADMIN)
    assert outcome["assigned"] == ["R2"] and outcome["kept"] == ["R1"]
    assert app.ranking("R2")[0].rules["version"] == 2 and app.ranking("R1")[0].rules["version"] == 1
    with pytest.raises(errors.ReasonRequired):
        app.rerank("R1", "town@2", " ", ADMIN)
    seal = app.rerank("R1", "town@2", "县委组织部决定按第 2 版复核", ADMIN)
    rnd, _ = app.ranking("R1")
    assert (rnd.seal, rnd.rules["version"], rnd.status) == (seal, 2, "closed")
    report = verify_folder(folded(store_url))
    assert report.ok, report.findings


def test_verify_finds_nothing_wrong_in_an_honest_history(example):
    _, url = example
    report = verify_folder(folded(url))
    assert report.ok and len(report.rounds) == 7


def test_verify_finds_a_sheet_changed_behind_the_application_s_back(example, pg_databases_or_none):
    """Someone with the database owner's rights disables the append-only trigger and
    changes a recorded mark: the seal and the results no longer match."""
    _, url = example
    store = parse_url(url)
    if store.kind == "sqlite":
        with sqlite3.connect(store.path) as conn:
            conn.execute("DROP TRIGGER stored_events_no_update")
            changed = conn.execute("UPDATE stored_events SET state = CAST(replace(CAST(state AS TEXT), "
                                   "'\"party\":\"23.3\"', '\"party\":\"29.9\"') AS BLOB) WHERE topic LIKE "
                                   "'%SheetSubmitted' AND CAST(state AS TEXT) LIKE '%\"party\":\"23.3\"%'").rowcount
    else:
        owner = pg_databases_or_none.server.url_for(store.dbname)
        with psycopg.connect(parse_url(owner).conninfo(), autocommit=True) as conn:
            conn.execute("ALTER TABLE leitai_events DISABLE TRIGGER leitai_events_append_only")
            changed = conn.execute(
                "UPDATE leitai_events SET state = convert_to(replace(convert_from(state, 'UTF8'), "
                "'\"party\":\"23.3\"', '\"party\":\"29.9\"'), 'UTF8') WHERE topic LIKE '%SheetSubmitted' "
                "AND convert_from(state, 'UTF8') LIKE '%\"party\":\"23.3\"%'").rowcount
    assert changed >= 1
    report = verify_folder(folded(url))
    assert {f.check for f in report.findings} >= {"seal"}
    assert any(f.round == "R-GL-2025-05" for f in report.findings)


@pytest.fixture
def pg_databases_or_none(request, store_url):
    return request.getfixturevalue("pg_databases") if store_url.startswith("postgresql") else None


def test_an_export_verifies_offline_and_a_changed_line_is_found(example, tmp_path, public_key):
    _, url = example
    path = tmp_path / "events.ndjson"
    source = EventSource(parse_url(url))
    events, sealed, _ = export_events(source, path)
    source.close()
    assert sealed == 7 and events == sum(1 for line in path.open() if '"position"' in line)
    assert verify_export(path, keys=[public_key]).ok
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        item = json.loads(line)
        if (item.get("topic") or "").endswith("AdjustmentRecorded"):
            state = json.loads(item["state"])
            state["points"] = "-0.01"  # make the overtime penalty smaller
            item["state"] = json.dumps(state, ensure_ascii=False)
            lines[i] = json.dumps(item, ensure_ascii=False)
            break
    tampered = tmp_path / "tampered.ndjson"
    tampered.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = verify_export(tampered, keys=[public_key])
    checks = {(f.round, f.check) for f in report.findings}
    assert {(FINAL, "seal"), (FINAL, "results"), ("*", "chain"), ("*", "export")} <= checks


def test_a_truncated_export_is_reported(example, tmp_path, public_key):
    _, url = example
    path = tmp_path / "events.ndjson"
    source = EventSource(parse_url(url))
    export_events(source, path)
    source.close()
    lines = path.read_text(encoding="utf-8").splitlines()
    cut = tmp_path / "cut.ndjson"
    cut.write_text("\n".join(lines[:-40] + lines[-8:]) + "\n", encoding="utf-8")  # events removed, seals kept
    report = verify_export(cut, keys=[public_key])
    assert not report.ok and any(f.check == "export" for f in report.findings)
