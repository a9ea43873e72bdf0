"""Comments (点评, rulebook section 17) over HTTP, on both stores: who may record, correct
and withdraw them, and who sees which - blind like sheets while the round is scored, its
panel sees them all once it is closed, its organizations and the public once the results
are published (never a withdrawn one)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from api.wiring import open_app
from domain.services.clock import FixedClock
from tests import pg
from tests.conftest import ADMIN, event_count
from tests.http import Client, add_account, serve, stop
from tests.scenario import score_all, small_contest

ACCOUNTS = {
    "county": ("admin", {"contest": "c", "unit": "C"}),
    "town2": ("admin", {"contest": "c", "unit": "T2"}),
    "judge1": ("judge", {"contest": "c", "judge": "J1"}),
    "judge2": ("judge", {"contest": "c", "judge": "J2"}),
    "org1": ("organization", {"organization": "O1"}),
    "auditor": ("auditor", {}),
}
PATH = "/api/rounds/R1/comments"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    url, drop = pg.fresh_store(request, tmp_path_factory.mktemp("comments"))
    app = open_app(url, clock=FixedClock("2025-05-20T09:00"))
    small_contest(app)  # R1 open at T1: J1-J4 seated (J4 recused from O1, O2), O1 and O2
    for name, (role, scope) in ACCOUNTS.items():
        add_account(app, name, role, **scope)
    web = serve(app)
    clients = {who: Client(web, who) for who in ACCOUNTS}
    clients["public"] = Client(web)
    yield {"app": app, "clients": clients, "web": web}
    stop(web)
    app.close()
    drop()


def caught_up(world: dict[str, Any]) -> None:
    """The read side includes what the test recorded directly (not through HTTP)."""
    assert world["web"].extensions["leitai_hub"].wait_for(event_count(world["app"]), 10)


def texts(client: Client, path: str = PATH) -> list[str]:
    return [c["text"] for c in client.get(path)]


def test_comments_from_the_first_word_to_publication(world: dict[str, Any]) -> None:
    app, c = world["app"], world["clients"]
    # while scored: a judge comments as themself; the county's admin records a leader's comment
    one = c["judge1"].post(PATH, {"entrant": "O1", "text": "J1：汇报扎实。", "stage": "汇报演讲"}, expect=201)
    two = c["judge2"].post(PATH, {"entrant": "O2", "text": "J2：产业还需加强。"}, expect=201)
    three = c["county"].post(PATH, {"entrant": "O1", "text": "书记点评：路子走得实。", "leader": "镇党委书记 张三"},
                             expect=201)
    assert (one["comment"], two["comment"], three["comment"]) == (1, 2, 3) and one["recorded"] == 1
    # blind: each judge reads their own comments only; the organization and the public nothing yet
    assert texts(c["judge1"]) == ["J1：汇报扎实。"]
    assert texts(c["judge2"]) == ["J2：产业还需加强。"]
    assert texts(c["county"]) == texts(c["auditor"]) == ["J1：汇报扎实。", "J2：产业还需加强。", "书记点评：路子走得实。"]
    c["org1"].get(PATH, expect=403)
    c["public"].get(PATH, expect=401)
    c["town2"].get(PATH, expect=403)  # an admin of another township
    before = event_count(app)
    # a judge changes only their own comments, never a leader's, never as a leader or another judge
    c["judge1"].post(f"{PATH}/2/corrections", {"text": "改别人的", "reason": "改"}, expect=403)
    c["judge1"].post(f"{PATH}/3/withdrawal", {"reason": "撤领导的"}, expect=403)
    c["judge1"].post(PATH, {"entrant": "O1", "text": "冒充领导", "leader": "镇长"}, expect=403)
    c["judge1"].post(PATH, {"entrant": "O1", "text": "冒名", "judge": "J2"}, expect=403)
    c["org1"].post(PATH, {"entrant": "O1", "text": "自己夸自己", "leader": "村书记"}, expect=403)
    c["town2"].post(PATH, {"entrant": "O1", "text": "外镇", "leader": "外镇书记"}, expect=403)
    c["auditor"].post(f"{PATH}/1/withdrawal", {"reason": "审计"}, expect=403)
    refused = c["judge1"].post(PATH, {"entrant": "O1", "text": "坏\u202e字"}, expect=422)
    assert "text" in refused["errors"]
    assert event_count(app) == before
    # the judge corrects their own; the admin withdraws the other judge's
    c["judge1"].post(f"{PATH}/1/corrections", {"text": "J1：汇报扎实，数据翔实。", "reason": "补充"}, expect=200)
    c["county"].post(f"{PATH}/2/withdrawal", {"reason": "评错了对象"}, expect=200)
    # closed: the panel sees every comment but the withdrawn one (its own judge still sees it)
    score_all(app)
    app.close_round("R1", ADMIN)
    caught_up(world)
    assert texts(c["judge1"]) == ["J1：汇报扎实，数据翔实。", "书记点评：路子走得实。"]
    assert texts(c["judge2"]) == ["J1：汇报扎实，数据翔实。", "J2：产业还需加强。", "书记点评：路子走得实。"]
    c["org1"].get(PATH, expect=403)
    c["public"].get(PATH, expect=401)
    # published: the organization and the public read them, with the correction and its reason
    app.publish("R1", ADMIN, on=date(2025, 5, 20))
    caught_up(world)
    public = c["public"].get(PATH)
    assert [x["text"] for x in public] == ["J1：汇报扎实，数据翔实。", "书记点评：路子走得实。"]
    first = public[0]
    assert (first["author_kind"], first["judge"], first["author"], first["state"], first["stage"]) == (
        "judge", "J1", "评委J1", "corrected", "汇报演讲")
    assert [(h["what"], h["text"], h["reason"]) for h in first["history"]] == [
        ("recorded", "J1：汇报扎实。", None), ("corrected", "J1：汇报扎实，数据翔实。", "补充")]
    assert public[1]["author"] == "镇党委书记 张三" and public[1]["author_kind"] == "leader"
    assert texts(c["org1"], f"{PATH}?entrant=o1") == ["J1：汇报扎实，数据翔实。", "书记点评：路子走得实。"]
    assert c["auditor"].get(PATH)[1]["state"] == "withdrawn"
    # the results did not move: comments are never part of the score
    ranking = c["public"].get("/api/rounds/R1/ranking")
    assert [(e["entrant"], e["final"], e["rank"]) for e in ranking["entries"]] == [("O1", "40.00", 1),
                                                                                ("O2", "32.50", 2)]


def test_a_comment_sent_again_with_its_key_is_recorded_once(world: dict[str, Any]) -> None:
    app, county = world["app"], world["clients"]["county"]
    body = {"entrant": "O2", "text": "重发的点评", "leader": "镇长 李四"}
    first = county.call("POST", PATH, 201, json=body, headers={"Idempotency-Key": "tablet-3:1"})
    before = event_count(app)
    again = county.call("POST", PATH, 201, json=body, headers={"Idempotency-Key": "tablet-3:1"})
    assert again.get_json()["comment"] == first.get_json()["comment"] and event_count(app) == before
    assert again.headers.get("Idempotent-Replayed") == "true"
    county.call("POST", PATH, 422, json={**body, "text": "另一条"}, headers={"Idempotency-Key": "tablet-3:1"})


def test_the_api_says_why_a_comment_is_refused_on_a_round_not_yet_open(world: dict[str, Any]) -> None:
    refused = world["clients"]["county"].post("/api/rounds/F/comments", {"entrant": "O1", "text": "太早",
                                                                         "leader": "书记"}, expect=409)
    assert "leitai open F" in refused["message"]


def test_after_the_close_an_admin_records_a_judges_comment_only_with_a_reason_shown_in_its_history(
        world: dict[str, Any]) -> None:
    app, county = world["app"], world["clients"]["county"]
    if app.read(lambda s: s.round("R1").status) == "open":  # run alone: close it as the first test does
        score_all(app)
        app.close_round("R1", ADMIN)
    before = event_count(app)
    for reason in (None, "", "  "):
        refused = county.post(PATH, {"entrant": "O2", "text": "纸质点评补录。", "judge": "J3", "reason": reason},
                              expect=422)
        assert refused["code"] == "ReasonRequired" and "reason" in refused["errors"], refused
        assert "J3" in refused["message"] and "reason" in refused["message"]
    assert event_count(app) == before
    done = county.post(PATH, {"entrant": "O2", "text": "纸质点评补录。", "judge": "J3",
                              "reason": "评委 J3 的纸质点评会后交来"}, expect=201)
    caught_up(world)
    row = next(r for r in county.get(PATH) if r["comment"] == done["comment"])
    assert (row["judge"], row["history"][0]["what"], row["history"][0]["reason"]) == (
        "J3", "recorded", "评委 J3 的纸质点评会后交来")
    page = county.http.get("/audit/R1/O2", headers=county.headers)  # the audit page's comment list
    assert page.status_code == 200 and "评委 J3 的纸质点评会后交来" in page.get_data(as_text=True)
