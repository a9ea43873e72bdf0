"""Honours, platform data and flags over HTTP (rulebook section 19), on both stores: a flag is
decided only by an admin over its organization's unit - a judge, the organization itself,
an admin of another township are refused and nothing is recorded; a flag decided without its
criteria is refused (409) naming what is missing; the stars show their evidence to organizers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from api.wiring import open_app
from domain.services.clock import FixedClock
from domain.services.setup import RoundSpec
from tests import pg
from tests.conftest import ADMIN, event_count
from tests.http import Client, add_account, serve, stop
from tests.integration.test_evidence import EVIDENCE, SOURCE
from tests.scenario import RULES, judge, small_contest

ACCOUNTS = {
    "town1": ("admin", {"contest": "c", "unit": "T1"}),
    "county": ("admin", {"contest": "c", "unit": "C"}),
    "town2": ("admin", {"contest": "c", "unit": "T2"}),
    "judge1": ("judge", {"contest": "c", "judge": "J1"}),
    "org1": ("organization", {"organization": "O1"}),
    "auditor": ("auditor", {}),
}
FLAG = "/api/contests/c/flags/O1/party-building/2025"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    url, drop = pg.fresh_store(request, tmp_path_factory.mktemp("evidence"))
    clock = FixedClock("2025-05-20T09:00")
    app = open_app(url, clock=clock)
    small_contest(app)
    app.register_ruleset(RULES.replace("version = 1", "version = 2") + EVIDENCE, "town2.toml", ADMIN)
    app.schedule_round("c", RoundSpec("R2", "township", "T1", "2025-06", "town@2", judges=("J1", "J2", "J3")), ADMIN)
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
    for name, (role, scope) in ACCOUNTS.items():
        add_account(app, name, role, **scope)
    web = serve(app)
    yield {"app": app, "clients": {who: Client(web, who) for who in [*ACCOUNTS, None]}}
    stop(web)
    app.close()
    drop()


def test_honours_and_platform_data_are_recorded_by_those_over_them(world):
    app, c = world["app"], world["clients"]
    honour = {"name": "县级先进基层党组织", "level": "县级", "date": "2025-03-10", "issuer": "中共某县委"}
    before = event_count(app)
    for who in ("town2", "judge1", "org1", "auditor"):
        c[who].post("/api/contests/c/organizations/O1/honours", honour, expect=403)
    assert event_count(app) == before
    assert c["town1"].post("/api/contests/c/organizations/O1/honours", honour)["number"] == 1
    rows = c[None].get("/api/contests/c/organizations/O1/honours")
    assert [(h["number"], h["level"], h["level_zh"]) for h in rows] == [(1, "county", "县级")]
    csv = "organization,value\nO1,60\nO2,60\n"
    c["town1"].post("/api/contests/c/platform/2025", {"source": SOURCE, "csv": csv}, expect=403)  # one township: no
    answer = c["county"].post("/api/contests/c/platform/2025", {"source": SOURCE, "csv": csv, "file": "y.csv"})
    assert (answer["step"], answer["rows"]) == ("imported", 2)
    bad = c["county"].post("/api/contests/c/platform/2025", {"source": SOURCE, "csv": csv + "O9,1\n",
                                                            "reason": "更正"}, expect=422)
    assert "第 4 行" in bad["message"] and "O9" in bad["message"]
    assert [r["value"] for r in c["auditor"].get(f"/api/contests/c/platform/2025?source={SOURCE}")] == ["60", "60"]


def test_a_flag_is_decided_only_by_an_admin_over_its_organization_and_only_on_its_criteria(world):
    app, c = world["app"], world["clients"]
    before = event_count(app)
    for who in ("town2", "judge1", "org1", "auditor"):
        c[who].post(f"{FLAG}/nomination", expect=403)
    c[None].post(f"{FLAG}/nomination", expect=401)
    assert event_count(app) == before
    c["town1"].post(f"{FLAG}/nomination")
    refused = c["county"].post(f"{FLAG}/award", expect=409)
    assert refused["code"] == "FlagCriteriaNotMet" and "条件尚未核验" in refused["message"]
    for who in ("town2", "judge1", "org1"):
        c[who].post(f"{FLAG}/assessment", expect=403)
    results = c["town1"].post(f"{FLAG}/assessment")["results"]
    assert all(r["met"] for r in results)
    for who in ("town2", "judge1", "org1"):
        c[who].post(f"{FLAG}/award", expect=403)
    same = c["town1"].post(f"{FLAG}/award", expect=409)  # four eyes: the account that assessed it does not award
    assert same["code"] == "FlagNeedsSecondPerson"
    c["county"].post(f"{FLAG}/award")
    flags = c["county"].get("/api/contests/c/flags/2025")
    assert [(f["organization"], f["state"], f["met"]) for f in flags] == [("O1", "awarded", True)]
    assert flags[0]["results"][0]["kind"] == "score"
    public = c[None].get("/api/contests/c/flags/2025")
    assert public[0]["state"] == "awarded" and "results" not in public[0]  # the evidence is the organizers'
    c["town1"].post(f"{FLAG}/revocation", {"reason": "年中督查发现问题"})
    again = c["town1"].post(f"{FLAG}/revocation", {"reason": "再撤一次"}, expect=409)
    assert again["code"] == "FlagStateError"


def test_the_stars_show_their_evidence_to_organizers_only(world):
    c = world["clients"]
    c["town1"].post("/api/contests/c/certifications/O1/township/2025/evaluation")
    full = {r["organization"]: r for r in c["county"].get("/api/contests/c/stars/township/2025")}
    assert full["O1"]["basis"]["score"] == "46.00"  # 0.5 x 40 + 0.3 x 60 + 0.2 x 40
    assert full["O1"]["basis"]["evidence"]["parts"]["honours"]["level"] == "county"
    public = {r["organization"]: r for r in c[None].get("/api/contests/c/stars/township/2025")}
    assert "basis" not in public["O1"]
