"""Accepting a unit's star recommendations over HTTP (issue 15, item 11):
``POST /api/contests/<contest>/certifications/units/<unit>/<level>/<cycle>/acceptance``,
scoped like the other certification endpoints, with a preview that records nothing, one
event per organization, all or nothing, idempotent with an Idempotency-Key.  Both stores."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from api.wiring import open_app
from domain.ids import certification_id
from domain.services.clock import FixedClock
from tests import pg
from tests.conftest import ADMIN, event_count
from tests.http import Client, add_account, serve, stop
from tests.integration.test_certification_accept import MARKS, rated_contest

ACCOUNTS = {"t1-admin": ("admin", {"contest": "c", "unit": "T1"}), "t2-admin": ("admin", {"contest": "c", "unit": "T2"}),
            "county": ("admin", {"contest": "c", "unit": "C"}), "auditor": ("auditor", {"contest": "c"}),
            "d-admin": ("admin", {"contest": "d"})}


def url(unit: str, contest: str = "c") -> str:
    return f"/api/contests/{contest}/certifications/units/{unit}/township/2025/acceptance"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("accept")
    store, drop = pg.fresh_store(request, folder)
    clock = FixedClock("2025-05-20T09:00")
    app = open_app(store, clock=clock)
    rated_contest(app, clock)
    app.create_contest("d", "另一活动", ["township", "county"], ADMIN)
    app.add_unit("d", "D", "另一县", "county", None, ADMIN)
    for name, (role, scope) in ACCOUNTS.items():
        add_account(app, name, role, **scope)
    web = serve(app)
    assert web.extensions["leitai_hub"].wait_for(app.recorder.max_notification_id(), 20)
    clients = {name: Client(web, name, lang="en") for name in ACCOUNTS}
    clients[None] = Client(web, None, lang="en")
    yield {"app": app, "clients": clients}
    stop(web)
    app.close()
    drop()


def _states(world: dict[str, Any]) -> dict[str, Any]:
    rows = world["clients"]["county"].get("/api/contests/c/stars/township/2025")
    return {r["organization"]: (r["state"], r["stars"]) for r in rows}


def test_1_the_preview_lists_what_would_be_recorded_and_records_nothing(world: dict[str, Any]) -> None:
    app, t1 = world["app"], world["clients"]["t1-admin"]
    before = event_count(app)
    answer = t1.post(url("T1"), {"exceptions": [{"organization": "O2", "stars": 2, "reason": "实地考察后改定"}],
                                 "preview": True}, expect=200)
    assert event_count(app) == before and answer["recorded"] == 0 and answer["position"] is None
    assert [(a["organization"], a["name"], a["recommended"], a["stars"], a["exception"]) for a in answer["accepted"]] == [
        ("O1", "村O1", 4, 4, False), ("O2", "村O2", 1, 2, True), ("O3", "村O3", 5, 5, False)]
    assert answer["unit"] == "T1" and answer["already"] == []


@pytest.mark.parametrize("who, unit, contest, status", [
    ("t2-admin", "T1", "c", 403),  # a sibling township
    ("t1-admin", "C", "c", 403),  # the county above it
    ("auditor", "T1", "c", 403),  # reads everything, changes nothing
    ("d-admin", "T1", "c", 403),  # an admin of another contest
    ("d-admin", "T1", "d", 404),  # ...naming its own contest: T1 is not its unit
    (None, "T1", "c", 401),
])
def test_2_only_an_admin_of_the_contest_and_unit_may_accept(world: dict[str, Any], who: str | None, unit: str,
                                                            contest: str, status: int) -> None:
    app = world["app"]
    before = event_count(app)
    for body in ({}, {"preview": True}):
        world["clients"][who].call("POST", url(unit, contest), status, json=body)
    assert event_count(app) == before


def test_3_one_refused_exception_and_nothing_is_recorded(world: dict[str, Any]) -> None:
    app, county = world["app"], world["clients"]["county"]
    before = event_count(app)
    answer = county.post(url("C"), {"exceptions": [{"organization": "O4", "stars": 4},
                                                   {"organization": "O2", "stars": 5}]}, expect=422)
    assert answer["code"] == "DecisionNeedsReason" and "O2" in answer["message"]
    answer = county.post(url("C"), {"exceptions": [{"organization": "O5", "stars": 3, "reason": "试图评星"}]}, expect=422)
    assert "veto" in answer["message"]
    county.post(url("C"), {"exceptions": [{"organization": "O1", "stars": 3, "reason": "x"},
                                          {"organization": "o1", "stars": 2, "reason": "y"}]}, expect=422)
    county.post(url("C"), {"exceptions": [{"organization": "O1", "stars": 9}]}, expect=400)
    county.post(url("C"), {"bulk": True}, expect=400)  # an unknown field
    assert event_count(app) == before
    assert {state for state, _ in _states(world).values()} == {"initially_evaluated"}


def test_4_a_township_accepts_with_an_exception_once_whatever_the_retries(world: dict[str, Any]) -> None:
    app, t1 = world["app"], world["clients"]["t1-admin"]
    before = event_count(app)
    body = {"exceptions": [{"organization": "O2", "stars": 2, "reason": "实地考察后改定"}]}
    key = {"Idempotency-Key": "accept-t1-1"}
    first = t1.call("POST", url("T1"), 200, json=body, headers=key)
    answer = first.get_json()
    assert answer["recorded"] == 3 and answer["projected"] is True
    assert [(a["organization"], a["stars"], a["step"]) for a in answer["accepted"]] == [
        ("O1", 4, "accepted"), ("O2", 2, "accepted"), ("O3", 5, "accepted")]
    assert event_count(app) == before + 3  # one event per organization
    for org in ("O1", "O2", "O3"):
        last = list(app.events.get(certification_id(org, "township", "2025")))[-1]
        assert type(last).__name__ == "RecommendationAccepted" and last.actor == "t1-admin"
    again = t1.call("POST", url("T1"), 200, json=body, headers=key)
    assert again.headers.get("Idempotent-Replayed") == "true" and again.get_json() == answer
    other = t1.call("POST", url("T1"), 422, json={}, headers=key)  # the same key, another request
    assert other.get_json()["code"] == "KeyReused"
    assert event_count(app) == before + 3
    states = _states(world)
    assert {o: states[o] for o in ("O1", "O2", "O3")} == {"O1": ("certified", 4), "O2": ("certified", 2),
                                                        "O3": ("certified", 5)}
    public = world["clients"][None].get("/api/contests/c/stars/township/2025")
    assert {r["organization"]: r["stars"] for r in public}["O2"] == 2


def test_5_the_county_accepts_the_rest_and_what_is_certified_stays(world: dict[str, Any]) -> None:
    app, county = world["app"], world["clients"]["county"]
    before = event_count(app)
    answer = county.post(url("C"), {}, expect=200)
    assert [a["organization"] for a in answer["accepted"]] == ["O4", "O5", "O6"]
    assert answer["already"] == ["O1", "O2", "O3"] and answer["recorded"] == 3
    assert event_count(app) == before + 3
    assert _states(world) == {"O1": ("certified", 4), "O2": ("certified", 2), "O3": ("certified", 5),
                              "O4": ("certified", 4), "O5": ("certified", None), "O6": ("certified", 4)}
    assert set(MARKS) == set(_states(world))
    assert county.post(url("C"), {}, expect=200)["recorded"] == 0


def test_6_the_operation_is_documented(world: dict[str, Any]) -> None:
    spec = world["clients"][None].get("/api/openapi.json")
    operation = spec["paths"]["/api/contests/{contest}/certifications/units/{unit}/{level}/{cycle}/acceptance"]["post"]
    assert "one event per organization" in operation["summary"] + operation.get("description", "")
