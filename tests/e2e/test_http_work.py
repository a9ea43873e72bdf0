"""Consequences as tracked work over HTTP (rulebook sections 15-16), on both stores: a task is
recorded only by an admin over its unit - a judge, the organization concerned, an admin of
another township are refused and nothing is recorded; what a step requires is named when
missing; a done task cannot be recorded again; each reader sees what is theirs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from api.wiring import open_app
from domain.services.clock import FixedClock
from tests import pg
from tests.conftest import event_count
from tests.http import Client, add_account, serve, stop
from tests.work_scenario import MAY, month, work_contest

TASK = "/api/tasks/w:T1:2025-05:1:V5"
DONE = {"date": "2025-06-15", "place": "镇党委会议室", "participants": "党委副书记、村书记", "summary": "约谈，提出整改要求"}
ACCOUNTS = {
    "town1": ("admin", {"contest": "w", "unit": "T1"}),
    "county": ("admin", {"contest": "w", "unit": "C"}),
    "town2": ("admin", {"contest": "w", "unit": "T2"}),
    "judge1": ("judge", {"contest": "w", "judge": "J1"}),
    "org5": ("organization", {"organization": "V5"}),
    "auditor": ("auditor", {}),
}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    url, drop = pg.fresh_store(request, tmp_path_factory.mktemp("work"))
    clock = FixedClock("2025-05-20T09:00")
    app = open_app(url, clock=clock)
    work_contest(app)
    month(app, clock, "2025-05", MAY)
    for name, (role, scope) in ACCOUNTS.items():
        add_account(app, name, role, **scope)
    web = serve(app)
    yield {"app": app, "clients": {who: Client(web, who) for who in [*ACCOUNTS, None]}}
    stop(web)
    app.close()
    drop()


def test_a_period_is_closed_by_an_admin_of_its_unit_only(world):
    app, c = world["app"], world["clients"]
    before = event_count(app)
    for who in ("town2", "judge1", "org5", "auditor"):
        c[who].post("/api/contests/w/periods/T1/2025-05/closing", expect=403)
    c[None].post("/api/contests/w/periods/T1/2025-05/closing", expect=401)
    assert event_count(app) == before
    answer = c["town1"].post("/api/contests/w/periods/T1/2025-05/closing")
    assert answer["projected"] and answer["closed"][0]["tasks"] == [
        "w:T1:2025-05:1:V5", "w:T1:2025-05:1:V4", "w:T1:2025-05:2:V1"]
    again = c["county"].post("/api/contests/w/periods/T1/2025-05/closing", expect=409)
    assert again["code"] == "PeriodAlreadyClosed"


def test_a_task_recorded_by_someone_without_the_right_is_refused(world):
    app, c = world["app"], world["clients"]
    before = event_count(app)
    for who in ("town2", "judge1", "org5", "auditor"):
        refused = c[who].post(f"{TASK}/done", DONE, expect=403)
        assert refused["code"] == "Forbidden", who
        c[who].post(f"{TASK}/excuse", {"reason": "免办"}, expect=403)
    assert event_count(app) == before, "a refused request recorded events"


def test_a_done_task_names_what_its_step_requires_and_is_recorded_once(world):
    c = world["clients"]
    missing = c["town1"].post(f"{TASK}/done", {**DONE, "participants": None}, expect=422)
    assert "participants" in missing["errors"] and "参加人员" in missing["message"]
    c["town1"].post(f"{TASK}/done", DONE)
    task = next(t for t in c["auditor"].get("/api/contests/w/tasks") if t["task"] == TASK.rsplit("/", 1)[1])
    assert task["state"] == "done" and task["done"]["place"] == "镇党委会议室"
    again = c["county"].post(f"{TASK}/done", DONE, expect=409)
    assert again["code"] == "WorkStateError" and "已办结" in again["message"]


def test_each_reader_sees_its_own_work(world):
    c = world["clients"]
    assert {t["entrant"] for t in c["org5"].get("/api/contests/w/tasks")} == {"V5"}
    assert c["town2"].get("/api/contests/w/tasks") == []  # another township's work is not theirs
    assert len(c["town1"].get("/api/contests/w/tasks")) == 3
    overdue = c["town1"].get("/api/contests/w/tasks?overdue=true")  # the clock is 2025-06-15: nothing late yet
    assert overdue == []
    c["judge1"].get("/api/contests/w/tasks", expect=403)
    classes = c["org5"].get("/api/contests/w/classes/T1/2025-05")
    assert [(r["entrant"], r["class_name"]) for r in classes] == [("V5", "三类")]
    pair = c["org5"].get("/api/pairs/w:T1:2025-05:V5")
    assert (pair["leader"], pair["exchanges"], pair["per"]) == ("V1", 2, "month")
    c["org5"].get("/api/pairs/w:T1:2025-05:V4", expect=403)  # not its pair
