"""Stars: standings of finalized rounds, the computed recommendation, 初评/复评/审定, 摘星."""

from __future__ import annotations

from datetime import date

import pytest

from domain import errors
from domain.services.setup import RoundSpec
from tests.conftest import ADMIN
from tests.scenario import judge, small_contest

STARS = '\n[stars]\nbands = [{ stars = 5, min = 45 }, { stars = 4, min = 35 }, { stars = 1, min = 0 }]\n'


@pytest.fixture
def rated(app, clock):
    """Two finalized monthly rounds in T1: O1 averages 40.00, O2 averages 34.00."""
    small_contest(app)
    from tests.scenario import RULES

    app.register_ruleset(RULES.replace("version = 1", "version = 2") + STARS, "town2.toml", ADMIN)
    app.schedule_round("c", RoundSpec("R2", "township", "T1", "2025-06", "town@2", judges=("J1", "J2", "J3")),
                       ADMIN)
    app.open_round("R2", ADMIN)
    for rnd, marks in (("R1", {"O1": ("25", "15"), "O2": ("20", "12")}),
                       ("R2", {"O1": ("25", "15"), "O2": ("22", "14")})):
        for entrant, (p, i) in marks.items():
            for code in ("J1", "J2", "J3"):
                app.submit_sheet(rnd, code, entrant, {"party": p, "industry": i}, judge(code))
        app.close_round(rnd, ADMIN)
        app.publish(rnd, ADMIN, on=date(2025, 6, 3))
    clock.set("2025-06-20T09:00")
    for rnd in ("R1", "R2"):
        app.finalize(rnd, ADMIN)
    return app


def test_standings_average_the_finalized_rounds_of_the_period(rated):
    view = rated.read(lambda s: s.standings("c", "T1", "2025"))
    assert view.rounds == ["R1", "R2"]
    assert [(s.entrant, str(s.shown), s.rank) for s in view.standings] == [("O1", "40.00", 1), ("O2", "34.00", 2)]
    q2 = rated.read(lambda s: s.standings("c", "T1", "2025-Q2"))
    assert q2.rounds == ["R1", "R2"]
    assert rated.read(lambda s: s.standings("c", "T1", "2025-Q3")).standings == []


def test_the_recommendation_follows_the_bands(rated):
    recs = rated.read(lambda s: s.star_recommendations("c", "township", "2025"))
    assert {k: v.stars for k, v in recs.items()} == {"O1": 4, "O2": 1}


def test_a_decision_that_differs_from_the_recommendation_needs_a_reason(rated):
    basis = rated.evaluate_initially("c", "O1", "township", "2025", ADMIN)
    assert basis["stars"] == 4
    with pytest.raises(errors.DecisionNeedsReason):
        rated.decide_stars("O1", "township", "2025", 5, ADMIN)
    rated.decide_stars("O1", "township", "2025", 5, ADMIN, reason="实地观摩表现突出，复评委员会一致同意")
    rated.certify("O1", "township", "2025", ADMIN)
    rated.downgrade("O1", "township", "2025", 3, "年中督查发现台账不全", ADMIN)
    rated.revoke("O1", "township", "2025", "发生安全生产事故", ADMIN)
    cert = rated.read(lambda s: s.certification("O1", "township", "2025"))
    assert [h["step"] for h in cert.history] == ["initially_evaluated", "decided", "certified", "downgraded", "revoked"]
    assert cert.stars is None and cert.state == "revoked"


def test_a_veto_item_means_no_recommendation_and_no_rating(rated):
    rated.record_veto("O1", "township", "2025", "safety_incident", "村内发生较大安全事故", ADMIN)
    recs = rated.read(lambda s: s.star_recommendations("c", "township", "2025"))
    assert recs["O1"].stars is None and recs["O1"].veto
    basis = rated.evaluate_initially("c", "O1", "township", "2025", ADMIN)
    assert basis["veto"] is True and basis["stars"] is None
    with pytest.raises(errors.InvalidValue, match="veto"):
        rated.decide_stars("O1", "township", "2025", 3, ADMIN, reason="试图评星")
