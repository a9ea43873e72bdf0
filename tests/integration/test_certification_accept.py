"""Accepting the star recommendations of a unit in one step (issue 15, item 11): each
organization re-evaluated and certified by one event of its own, with the actor; the
exceptions set by hand; all or nothing; idempotent with a key; within the admin's scope.
On SQLite and PostgreSQL (the ``app`` fixture)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain import errors
from domain.access import Principal
from domain.ids import certification_id
from domain.model.account import Grant
from domain.model.base import Actor, with_digest
from domain.services.certification import ByHand
from domain.services.setup import RoundSpec
from tests.conftest import ADMIN, event_count
from tests.scenario import RULES, judge

STARS = '\n[stars]\nbands = [{ stars = 5, min = 45 }, { stars = 4, min = 35 }, { stars = 1, min = 0 }]\n'
# party + industry: the final (and the annual score) of each organization, and what it recommends
MARKS = {"O1": ("25", "15"), "O2": ("20", "12"), "O3": ("28", "19"),  # township T1: 40 -> 4, 32 -> 1, 47 -> 5
         "O4": ("24", "14"), "O5": ("10", "10"), "O6": ("25", "16")}  # township T2: 38 -> 4, 20 -> 1 (veto), 41 -> 4
UNITS = {"T1": ("O1", "O2", "O3"), "T2": ("O4", "O5", "O6")}
COUNTY = Actor("county-admin", "admin")


def rated_contest(app: Any, clock: Any) -> Any:
    """Contest c: county C with townships T1 (O1-O3, round R1) and T2 (O4-O6, round R2), both
    rounds final under rules with [stars]; O5 has a veto item; every organization's initial
    evaluation (初评) is recorded with its computed recommendation."""
    app.register_ruleset(RULES + STARS, "town.toml", ADMIN)
    app.create_contest("c", "测试活动", ["township", "county"], ADMIN)
    app.add_unit("c", "C", "某县", "county", None, ADMIN)
    for town in UNITS:
        app.add_unit("c", town, f"{town}镇", "township", "C", ADMIN)
    for code in ("J1", "J2", "J3"):
        app.register_judge("c", code, f"评委{code}", "C", "", ADMIN)
    for town, orgs in UNITS.items():
        for org in orgs:
            app.register_organization("c", org, f"村{org}", town, "village", "", f"书记{org}", ADMIN)
    for n, (town, orgs) in enumerate(UNITS.items(), start=1):
        code = f"R{n}"
        app.schedule_round("c", RoundSpec(code, "township", town, "2025-05", "town", judges=("J1", "J2", "J3")), ADMIN)
        app.open_round(code, ADMIN)
        for org in orgs:
            party, industry = MARKS[org]
            for j in ("J1", "J2", "J3"):
                app.submit_sheet(code, j, org, {"party": party, "industry": industry}, judge(j))
        app.close_round(code, ADMIN)
        app.publish(code, ADMIN, on=date(2025, 5, 20))
    clock.set("2025-06-10T09:00")
    for code in ("R1", "R2"):
        app.finalize(code, ADMIN)
    app.record_veto("O5", "township", "2025", "safety_incident", "村内发生安全事故", ADMIN)
    app.run(lambda s: [s.evaluate_initially("c", org, "township", "2025", ADMIN)
                       for org in sorted(s.star_recommendations("c", "township", "2025"))])
    return app


@pytest.fixture
def rated(app: Any, clock: Any) -> Any:
    return rated_contest(app, clock)


def _cert(app: Any, org: str) -> Any:
    return app.read(lambda s: s.certification(org, "township", "2025"))


def _events(app: Any, org: str) -> list[Any]:
    return list(app.events.get(certification_id(org, "township", "2025")))


def test_the_recommendations_of_a_unit_are_accepted_one_event_per_organization(rated: Any) -> None:
    assert {o: _cert(rated, o).recommended for o in ("O1", "O2", "O3", "O4", "O5", "O6")} == {
        "O1": 4, "O2": 1, "O3": 5, "O4": 4, "O5": None, "O6": 4}
    before = {o: len(_events(rated, o)) for o in MARKS}
    start = event_count(rated)
    report = rated.accept_recommendations("c", "C", "township", "2025", COUNTY,
                                          {"O2": ByHand(2, "实地考察后改定")}, None)
    assert event_count(rated) == start + 6  # one event per organization, no bulk event
    assert [(a["organization"], a["stars"], a["exception"], a["step"]) for a in report["accepted"]] == [
        ("O1", 4, False, "accepted"), ("O2", 2, True, "accepted"), ("O3", 5, False, "accepted"),
        ("O4", 4, False, "accepted"), ("O5", None, False, "accepted"), ("O6", 4, False, "accepted")]
    assert report["already"] == [] and report["accepted"][1]["name"] == "村O2"
    for org in MARKS:
        events = _events(rated, org)
        assert len(events) == before[org] + 1
        event = events[-1]
        assert type(event).__name__ == "RecommendationAccepted"
        assert (event.actor, event.role, event.unit) == ("county-admin", "admin", "C")
        cert = _cert(rated, org)
        assert cert.state == "certified" and cert.stars == cert.decided
        assert [h["step"] for h in cert.history][-2:] == ["decided", "certified"]
    o2 = _events(rated, "O2")[-1]
    assert (o2.stars, o2.recommended, o2.exception, o2.reason) == (2, 1, True, "实地考察后改定")
    assert _cert(rated, "O5").stars is None  # the veto: no rating
    assert {o: _cert(rated, o).stars for o in MARKS} == {"O1": 4, "O2": 2, "O3": 5, "O4": 4, "O5": None, "O6": 4}
    # accepting again records nothing: every organization is certified already
    again = rated.execute(lambda s: s.accept_recommendations("c", "C", "township", "2025", COUNTY), "again")
    assert again.recorded == 0 and again.value["accepted"] == [] and again.value["already"] == sorted(MARKS)


def test_a_township_accepts_only_its_own_organizations(rated: Any) -> None:
    start = event_count(rated)
    report = rated.accept_recommendations("c", "T2", "township", "2025", COUNTY)
    assert [a["organization"] for a in report["accepted"]] == ["O4", "O5", "O6"]
    assert event_count(rated) == start + 3
    assert {o: _cert(rated, o).state for o in MARKS} == {
        "O1": "initially_evaluated", "O2": "initially_evaluated", "O3": "initially_evaluated",
        "O4": "certified", "O5": "certified", "O6": "certified"}


def test_a_decision_made_by_hand_before_is_certified_as_it_is(rated: Any) -> None:
    rated.decide_stars("O1", "township", "2025", 5, ADMIN, reason="复评委员会实地观摩后一致同意")
    report = rated.accept_recommendations("c", "T1", "township", "2025", COUNTY)
    assert [(a["organization"], a["stars"], a["step"]) for a in report["accepted"]] == [
        ("O1", 5, "certified"), ("O2", 1, "accepted"), ("O3", 5, "accepted")]
    assert type(_events(rated, "O1")[-1]).__name__ == "Certified" and _cert(rated, "O1").stars == 5


def test_the_preview_records_nothing_and_is_what_is_then_recorded(rated: Any) -> None:
    start = event_count(rated)
    plan = rated.read(lambda s: s.accept_recommendations("c", "C", "township", "2025", COUNTY,
                                                         {"O3": ByHand(4, "台账不全")}, preview=True))
    assert event_count(rated) == start and _cert(rated, "O3").state == "initially_evaluated"
    done = rated.accept_recommendations("c", "C", "township", "2025", COUNTY, {"O3": ByHand(4, "台账不全")})
    assert done == plan


@pytest.mark.parametrize("exceptions, refusal", [
    ({"O2": ByHand(5)}, errors.DecisionNeedsReason),  # other than computed, no reason
    ({"O5": ByHand(3, "试图评星")}, errors.InvalidValue),  # a veto allows no rating
    ({"O9": ByHand(3, "不存在")}, errors.InvalidValue),  # no such organization in the unit
    ({"O4": ByHand(7, "超出范围")}, errors.InvalidValue),
])
def test_nothing_is_recorded_if_one_organization_is_refused(rated: Any, exceptions: dict[str, Any],
                                                            refusal: type[Exception]) -> None:
    start = event_count(rated)
    with pytest.raises(refusal):
        rated.accept_recommendations("c", "C", "township", "2025", COUNTY, exceptions)
    assert event_count(rated) == start
    assert {_cert(rated, o).state for o in MARKS} == {"initially_evaluated"}


def test_one_organization_named_twice_in_two_spellings_is_refused(rated: Any) -> None:
    """Codes are read whatever their case and width (rulebook 3.2), so o1 and
    Ｏ１ are one organization: given twice, the command is refused, not the last one taken."""
    start = event_count(rated)
    with pytest.raises(errors.InvalidValue, match="twice"):
        rated.accept_recommendations("c", "C", "township", "2025", COUNTY,
                                     {"o1": ByHand(3, "改"), "Ｏ１": ByHand(2, "改")})
    assert event_count(rated) == start


def test_an_exception_outside_the_unit_or_certified_already_is_refused(rated: Any) -> None:
    start = event_count(rated)
    with pytest.raises(errors.InvalidValue, match="T1"):
        rated.accept_recommendations("c", "T1", "township", "2025", COUNTY, {"O4": ByHand(4)})
    rated.accept_recommendations("c", "T2", "township", "2025", COUNTY)
    middle = event_count(rated)
    assert middle == start + 3
    with pytest.raises(errors.CertificationStateError):
        rated.accept_recommendations("c", "C", "township", "2025", COUNTY, {"O4": ByHand(3, "改")})
    assert event_count(rated) == middle


def test_an_organization_not_yet_initially_evaluated_refuses_the_whole(app: Any, clock: Any) -> None:
    """A rated organization without its 初评 would be left out silently: refused, naming it."""
    rated = rated_contest(app, clock)
    rated.register_organization("c", "O7", "村O7", "T1", "village", "", "书记O7", ADMIN)
    rated.self_assess("O7", "township", "2025", 4, "自评", ADMIN)
    start = event_count(rated)
    with pytest.raises(errors.NotYetEvaluated) as refused:
        rated.accept_recommendations("c", "C", "township", "2025", COUNTY)
    assert "O7" in refused.value.message("zh") and "cert evaluate" in refused.value.message("en")
    assert event_count(rated) == start


def test_a_key_makes_it_idempotent_and_is_refused_for_another_command(rated: Any) -> None:
    key = with_digest("accept-1", "a" * 64)
    first = rated.execute(lambda s: s.accept_recommendations("c", "T1", "township", "2025", COUNTY, key=key), "k")
    assert first.recorded == 3
    retry = rated.execute(lambda s: s.accept_recommendations("c", "T1", "township", "2025", COUNTY, key=key), "k")
    assert retry.recorded == 0
    other = with_digest("accept-1", "b" * 64)  # the same key, another command
    with pytest.raises(errors.KeyReused):
        rated.execute(lambda s: s.accept_recommendations("c", "T1", "township", "2025", COUNTY,
                                                         {"O1": ByHand(4)}, key=other), "k")


def test_an_admin_of_one_township_may_not_accept_another(rated: Any) -> None:
    t1 = Principal("t1-admin", (Grant("admin", contest="c", unit="T1"),))
    start = event_count(rated)
    with pytest.raises(errors.OutOfScope):
        rated.execute(lambda s: s.accept_recommendations("c", "T2", "township", "2025", Actor("t1-admin", "admin")),
                      "certifications of T2", t1)
    with pytest.raises(errors.OutOfScope):  # nor the county, which holds T2's organizations
        rated.execute(lambda s: s.accept_recommendations("c", "C", "township", "2025", Actor("t1-admin", "admin")),
                      "certifications of C", t1)
    assert event_count(rated) == start
    done = rated.execute(lambda s: s.accept_recommendations("c", "T1", "township", "2025",
                                                            Actor("t1-admin", "admin")), "certifications of T1", t1)
    assert done.recorded == 3


def test_the_read_side_shows_the_certified_stars(rated: Any) -> None:
    from projections.queries import ReadModels
    from projections.runner import Projector

    rated.accept_recommendations("c", "C", "township", "2025", COUNTY, {"O2": ByHand(2, "实地考察后改定")})
    projector = Projector(rated.store)
    try:
        while projector.step():
            pass
    finally:
        projector.close()
    read = ReadModels(rated.store)
    try:
        rows = {r["organization"]: r for r in read.certifications("c", "township", "2025")}
    finally:
        read.close()
    assert {o: (r["state"], r["stars"]) for o, r in rows.items()} == {
        "O1": ("certified", 4), "O2": ("certified", 2), "O3": ("certified", 5), "O4": ("certified", 4),
        "O5": ("certified", None), "O6": ("certified", 4)}
    steps = rows["O2"]["history"]["history"]
    assert [(h["step"], h["stars"]) for h in steps] == [("initially_evaluated", 1), ("decided", 2), ("certified", 2)]
