"""The same scenario on the embedded store and on PostgreSQL gives the same results."""

from __future__ import annotations

import pytest

from api.importing.scenario import import_scenario
from projections.ranking_json import ranking_document
from tests.conftest import ADMIN, EXAMPLE, event_count

TOWNSHIPS = ["R-GL-2025-05", "R-WSZ-2025-05", "R-TK-2025-05", "R-WL-2025-05", "R-WD-2025-05", "R-SLD-2025-05"]
FINAL = "R-WS-FINAL-2025"


def run_example(app, clock):
    import_scenario(app, EXAMPLE, ADMIN)
    for code in TOWNSHIPS:
        app.close_round(code, ADMIN)
        app.publish(code, ADMIN)
    clock.set("2025-05-27T08:00")
    for code in TOWNSHIPS:
        app.finalize(code, ADMIN)
        app.promote(code, ADMIN)
    import_scenario(app, EXAMPLE / "final", ADMIN)
    app.close_round(FINAL, ADMIN)
    return {code: ranking_document(*app.ranking(code)) for code in TOWNSHIPS + [FINAL]}


@pytest.mark.postgres
def test_the_example_gives_identical_ranking_json_on_sqlite_and_postgres(make_app, sqlite_url, pg_database, clock):
    on_sqlite = run_example(make_app(sqlite_url), clock)
    clock.set("2025-05-20T09:00")
    on_postgres = run_example(make_app(pg_database), clock)
    assert on_sqlite == on_postgres
    final = on_postgres[FINAL]
    assert len(final["entries"]) == 12
    assert [e["award"] for e in final["entries"][:6]] == ["first", "second", "second", "third", "third", "third"]
    assert final["seal"].startswith("sha256:")


def test_importing_the_same_directory_twice_records_nothing_new(app):
    import_scenario(app, EXAMPLE, ADMIN)
    before = event_count(app)
    reports = import_scenario(app, EXAMPLE, ADMIN)
    assert event_count(app) == before
    assert all(r.recorded == 0 for r in reports), reports


def test_the_example_round_trip_across_closing_and_reimport(app, clock):
    import_scenario(app, EXAMPLE, ADMIN)
    app.close_round("R-GL-2025-05", ADMIN)
    before = event_count(app)
    import_scenario(app, EXAMPLE, ADMIN)  # the closed round's rows are known: nothing to do
    assert event_count(app) == before
