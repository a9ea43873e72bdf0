"""Tracks (赛道, rulebook section 20) over HTTP, on both stores: standings track by track, a
change of an organization's track by an admin over its unit (and nobody else), and the
refusal of a change inside a period already scored."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from api.importing.scenario import import_scenario
from api.wiring import open_app
from domain.services.clock import FixedClock
from tests import pg
from tests.conftest import event_count
from tests.http import Client, add_account, serve, stop
from tests.integration.test_tracks import scenario

ACCOUNTS = {"town1": ("admin", {"contest": "t", "unit": "T1"}), "county": ("admin", {"contest": "t", "unit": "C"}),
            "other": ("admin", {"contest": "t", "unit": "T2"}), "judge1": ("judge", {"contest": "t", "judge": "J1"}),
            "village": ("organization", {"organization": "V3"}), "auditor": ("auditor", {})}
TRACK = "/api/contests/t/organizations/V3/track"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from tests.conftest import ADMIN
    from tests.integration.test_tracks import CONTEST
    from tests.scenario import judge

    folder = tmp_path_factory.mktemp("tracks")
    url, drop = pg.fresh_store(request, folder)
    clock = FixedClock("2025-05-20T09:00")
    app = open_app(url, clock=clock)
    contest = CONTEST.replace('[[units]]\ncode = "T1"', '[[units]]\ncode = "T2"\nname = "二镇"\nlevel = "township"\n'
                              'parent = "C"\n\n[[units]]\ncode = "T1"')
    import_scenario(app, scenario(folder / "t", contest=contest), ADMIN)
    from datetime import date

    marks = {"V1": ("25", "15"), "V2": ("20", "12"), "V3": ("22", "14"), "S1": ("18", "10"), "S2": ("26", "16")}
    for rnd in ("RV-05", "RS-05"):
        app.open_round(rnd, ADMIN)
    for entrant, (p, i) in marks.items():
        for code in ("J1", "J2", "J3"):
            app.submit_sheet("RV-05" if entrant.startswith("V") else "RS-05", code, entrant,
                             {"party": p, "industry": i}, judge(code))
    for rnd in ("RV-05", "RS-05"):
        app.close_round(rnd, ADMIN)
        app.publish(rnd, ADMIN, on=date(2025, 5, 21))
    clock.set("2025-06-05T09:00")
    for rnd in ("RV-05", "RS-05"):
        app.finalize(rnd, ADMIN)
    for name, (role, scope) in ACCOUNTS.items():
        add_account(app, name, role, **scope)
    web = serve(app)
    yield {"app": app, "clients": {who: Client(web, who) for who in (*ACCOUNTS, None)}}
    stop(web)
    app.close()
    drop()


def test_the_standings_come_track_by_track_with_their_names(site):
    public = site["clients"][None]
    assert public.get("/api/contests/t/tracks") == [{"track": "village", "name": "嘎查村"},
                                                     {"track": "community", "name": "社区"}]
    data = public.get("/api/contests/t/units/T1/standings/2025-05")
    assert [(s["track"], s["name"], [r["entrant"] for r in s["standings"]]) for s in data["sections"]] == [
        ("village", "嘎查村", ["V1", "V3", "V2"]), ("community", "社区", ["S2", "S1"])]
    assert {r["entrant"]: (r["track"], r["rank"]) for r in data["standings"]}["S2"] == ("community", 1)
    only = public.get("/api/contests/t/units/T1/standings/2025-05?track=community")
    assert [s["track"] for s in only["sections"]] == ["community"]
    refused = public.call("GET", "/api/contests/t/units/T1/standings/2025-05?track=school", 422).get_json()
    assert refused["errors"]["track"].startswith("track 的值 「school」 无效：不是活动 t 的赛道")


def test_only_an_admin_over_the_unit_changes_a_track_and_never_inside_a_scored_period(site):
    app, clients = site["app"], site["clients"]
    body = {"track": "community", "from": "2025-06", "reason": "撤村建居"}
    before = event_count(app)
    for who, status in (("other", 403), ("judge1", 403), ("village", 403), ("auditor", 403), (None, 401)):
        clients[who].call("POST", TRACK, status, json=body)
    assert event_count(app) == before
    inside = clients["town1"].call("POST", TRACK, 422, json={**body, "from": "2025-05"}).get_json()
    assert "最早从 2025-06 开始" in inside["errors"]["from"] and event_count(app) == before
    answer = clients["town1"].post(TRACK, body)
    assert answer["changed"] is True and answer["recorded"] == 1
    assert clients["county"].post(TRACK, body)["changed"] is False  # in force already: nothing recorded
    history = clients[None].get(TRACK)
    assert [(h["from"], h["track"], h["reason"]) for h in history] == [
        ("", "village", "organizations.csv imported"), ("2025-06", "community", "撤村建居")]
