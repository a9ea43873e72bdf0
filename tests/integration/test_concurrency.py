"""Judges scoring at the same moment: conflicts are retried, never lost."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import ADMIN
from tests.scenario import judge, small_contest

MARKS = {"party": "25", "industry": "15"}


@pytest.mark.postgres
def test_two_judges_submitting_to_the_same_round_at_the_same_moment_are_both_recorded(make_app, pg_database):
    setup = make_app(pg_database)
    small_contest(setup)
    hall = [make_app(pg_database), make_app(pg_database)]  # two tablets, two application processes
    barrier = threading.Barrier(2)

    def submit(app, code):
        loaded_once = []

        def work(session):
            session.round("R1")  # load the round ...
            if not loaded_once:
                loaded_once.append(True)
                barrier.wait(timeout=10)  # ... and let the other tablet load the same version
            return session.submit_sheet("R1", code, "O1", MARKS, judge(code))

        return app.execute(work, "round R1")

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(submit, hall, ["J1", "J2"]))
    assert all(o.recorded == 1 for o in outcomes)
    assert sum(app.conflicts for app in hall) >= 1, "the two sessions should have collided"
    rnd, _ = setup.ranking("R1")
    assert sorted(j for (j, e) in rnd.live if e == "O1") == ["J1", "J2"]


def test_a_whole_panel_scoring_at_once_loses_no_sheet(make_app, store_url):
    setup = make_app(store_url)
    small_contest(setup)
    setup.admit_entrant("R1", "O3", ADMIN)
    tablets = [make_app(store_url) for _ in range(3)]

    def panel(args):
        index, code = args
        app = tablets[index]
        for entrant in ("O1", "O2", "O3"):
            app.submit_sheet("R1", code, entrant, MARKS, judge(code))

    with ThreadPoolExecutor(3) as pool:
        list(pool.map(panel, enumerate(["J1", "J2", "J3"])))
    rnd, result = setup.ranking("R1")
    assert len(rnd.live) == 9
    assert result.complete
