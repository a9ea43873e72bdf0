"""Named objections do not name their objector to the organization objected to (issue 14,
item 5), on both stores.

Objections are 实名 so that the organization department can follow them up - not so that
the accused can find the whistleblower.  The organizer records a villager's objection
about O1; O1's own account then sees that an objection about it exists, its kind, when it
was filed, the decision and the written reply - never the objector's name, contact, the
account that recorded it, nor the text - in the API, on its page and in its explanation.
What an organization files itself it sees whole."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from api.wiring import open_app
from domain.services.clock import FixedClock
from domain.services.setup import RoundSpec
from tests import pg
from tests.conftest import ADMIN
from tests.http import Client, add_account, serve, stop
from tests.scenario import judge, small_contest

ACCOUNTS = {
    "county": ("admin", {"contest": "c", "unit": "C"}),
    "org1": ("organization", {"organization": "O1"}),
    "org1-clerk": ("organization", {"organization": "O1"}),  # another account of the same organization
    "org2": ("organization", {"organization": "O2"}),
    "auditor": ("auditor", {}),
}
WHISTLEBLOWER = {"name": "张举报", "contact": "13900001111", "text": "O1 书记的述职材料由他人代写，比武现场照稿念"}
OWN = {"name": "李书记", "contact": "13800002222", "text": "对本村产业发展一项的得分有异议，请复核评分表原件"}
SECRETS = (WHISTLEBLOWER["name"], WHISTLEBLOWER["contact"], "他人代写")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    url, drop = pg.fresh_store(request, tmp_path_factory.mktemp("objections"))
    clock = FixedClock("2025-05-20T09:00")
    app = open_app(url, clock=clock)
    small_contest(app)
    app.schedule_round("c", RoundSpec("RP", "township", "T1", "2025-05", "town", judges=("J1", "J2", "J3")), ADMIN)
    app.open_round("RP", ADMIN)
    for entrant in ("O1", "O2"):
        for j in ("J1", "J2", "J3"):
            app.submit_sheet("RP", j, entrant, {"party": "25", "industry": "15"}, judge(j))
    app.close_round("RP", ADMIN)
    app.publish("RP", ADMIN, on=clock.today())
    for name, (role, scope) in ACCOUNTS.items():
        add_account(app, name, role, **scope)
    web = serve(app)
    clients = {who: Client(web, who) for who in ACCOUNTS}
    reported = clients["county"].post("/api/rounds/RP/appeals", {"entrant": "O1", **WHISTLEBLOWER}, expect=201)
    own = clients["org1"].post("/api/rounds/RP/appeals", {"entrant": "O1", **OWN}, expect=201)
    yield {"app": app, "web": web, "clients": clients, "reported": reported["number"], "own": own["number"]}
    stop(web)
    app.close()
    drop()


def _leaked(body: str) -> list[str]:
    return [s for s in SECRETS if s in body]


def test_the_organization_objected_to_sees_the_objection_but_not_its_objector(world: dict[str, Any]) -> None:
    org1 = world["clients"]["org1"]
    answer = org1.call("GET", "/api/rounds/RP/appeals")
    assert not _leaked(answer.get_data(as_text=True))
    rows = {a["appeal"]: a for a in answer.get_json()}
    assert set(rows) == {world["reported"], world["own"]}
    reported = rows[world["reported"]]
    assert (reported["name"], reported["contact"], reported["text"], reported["filed_by"]) == (None, None, None, None)
    assert (reported["kind"], reported["entrant"], reported["filed_on"], reported["decision"]) == (
        "objection", "O1", "2025-05-20", None)
    # what it filed itself it sees whole, its own contact included
    own = rows[world["own"]]
    assert {k: own[k] for k in OWN} == OWN and own["filed_by"] == "org1"
    # another account of O1 did not file it: it sees of it what O1 sees of the reported one
    clerk = {a["appeal"]: a for a in world["clients"]["org1-clerk"].get("/api/rounds/RP/appeals")}
    assert clerk[world["own"]]["name"] is None and clerk[world["reported"]]["text"] is None
    # pending only: the same rule
    pending = org1.call("GET", "/api/rounds/RP/appeals?pending=true")
    assert not _leaked(pending.get_data(as_text=True)) and len(pending.get_json()) == 2
    # an organization not objected to sees none of it
    assert world["clients"]["org2"].get("/api/rounds/RP/appeals") == []


def test_the_organizers_and_auditors_see_every_objection_whole(world: dict[str, Any]) -> None:
    for who in ("county", "auditor"):
        rows = {a["appeal"]: a for a in world["clients"][who].get("/api/rounds/RP/appeals")}
        assert {k: rows[world["reported"]][k] for k in WHISTLEBLOWER} == WHISTLEBLOWER, who
        assert rows[world["reported"]]["filed_by"] == "county" and rows[world["own"]]["contact"] == OWN["contact"]
    inbox = world["clients"]["county"].call("GET", "/api/contests/c/appeals").get_data(as_text=True)
    assert all(s in inbox for s in SECRETS)


def test_the_organizations_page_and_explanation_name_no_objector(world: dict[str, Any]) -> None:
    org1 = world["clients"]["org1"]
    page = org1.call("GET", "/org/O1").get_data(as_text=True)
    assert not _leaked(page), _leaked(page)
    assert OWN["text"] in page and "他人提出的异议：提出人和内容只有组织部门可见" in page
    assert f'data-appeal="{world["reported"]}"' in page and f'data-appeal="{world["own"]}"' in page
    english = org1.call("GET", "/org/O1?lang=en").get_data(as_text=True)
    assert "for the organization department only" in english and not _leaked(english)
    explanation = org1.call("GET", "/api/rounds/RP/entrants/O1/explanation")
    assert not _leaked(explanation.get_data(as_text=True))
    assert {a["event"] for a in explanation.get_json()["appeals"]} == {f"RP#{world['reported']}", f"RP#{world['own']}"}
    # the public and another organization see no objection of O1 at all
    for client in (Client(world["web"]), world["clients"]["org2"]):
        body = client.call("GET", "/org/O1").get_data(as_text=True)
        assert not _leaked(body) and OWN["text"] not in body and "data-appeal=" not in body


def test_the_ruling_reaches_the_organization_objected_to(world: dict[str, Any]) -> None:
    county, org1 = world["clients"]["county"], world["clients"]["org1"]
    reply = "经核查，述职材料系本人撰写，异议不成立。"
    county.post(f"/api/rounds/RP/appeals/{world['reported']}/ruling", {"decision": "dismissed", "reply": reply})
    answer = org1.call("GET", "/api/rounds/RP/appeals")
    assert not _leaked(answer.get_data(as_text=True))
    seen = next(a for a in answer.get_json() if a["appeal"] == world["reported"])
    assert (seen["decision"], seen["reply"], seen["ruled_on"]) == ("dismissed", reply, "2025-05-20")
    assert seen["name"] is None and seen["text"] is None
    page = org1.call("GET", "/org/O1").get_data(as_text=True)
    assert reply in page and not _leaked(page)
