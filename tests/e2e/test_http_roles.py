"""Who may do what: every role against every endpoint, on both stores.

The world holds a round in each state the policy distinguishes (R1 being scored, RP
published, RF final, RL showing scores on the spot) and one account per role and scope.
Each row names the roles allowed; an allowed role must get past the permission check
(any answer but 401/403), every other role is refused - 401 for the public, 403 for a
signed-in account.  Requests are chosen so that even the allowed ones change nothing
(the domain refuses them or they repeat what is so), and every row checks that the
event log did not grow.  A route without a row fails the last test.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from api.wiring import open_app
from domain.services.clock import FixedClock
from domain.services.setup import RoundSpec
from tests import pg
from tests.conftest import ADMIN, event_count
from tests.http import Client, add_account, serve, stop
from tests.scenario import RULES, judge, small_contest

OK = {"party": "25", "industry": "15"}
ACCOUNTS = {
    "super": ("admin", {}),
    "county": ("admin", {"contest": "c", "unit": "C"}),
    "town1": ("admin", {"contest": "c", "unit": "T1"}),
    "town2": ("admin", {"contest": "c", "unit": "T2"}),
    "judge1": ("judge", {"contest": "c", "judge": "J1"}),
    "judge5": ("judge", {"contest": "c", "judge": "J5"}),
    "org1": ("organization", {"organization": "O1"}),
    "org3": ("organization", {"organization": "O3"}),
    "auditor": ("auditor", {}),
}
ROLES: list[str | None] = [*ACCOUNTS, None]  # None: the public
ALL = frozenset(ROLES)
T1 = frozenset({"super", "county", "town1"})  # those who run the rounds of township T1
CONTEST = frozenset({"super", "county"})
ADMINS = frozenset({"super", "county", "town1", "town2"})
AUDIT = frozenset({"super", "auditor"})
SCORED_BY = T1 | {"auditor", "judge1", "org1"}  # who reads the sheets of a round of T1 (a judge: their own)
WHILE_SCORED = T1 | {"auditor", "org1"}  # who sees the board of a round of T1 while it is scored: not its judges
CERT = "/api/contests/c/certifications/O1/township/bad"
FLAGS = "/api/contests/c/flags/O1/party-building/bad"  # 红旗: a cycle the domain refuses

# (method, path, body, allowed)
MATRIX: list[tuple[str, str, Any, frozenset[str | None]]] = [
    # rounds: reading
    ("GET", "/api/rounds", None, ALL),
    ("GET", "/api/rounds/R1", None, ALL),
    ("GET", "/api/rounds/R1/board", None, WHILE_SCORED),  # judges are blind until the round closes
    ("GET", "/api/rounds/R1/ranking", None, WHILE_SCORED),
    ("GET", "/api/rounds/R1/events", None, WHILE_SCORED),
    ("GET", "/api/rounds/R1/finalists", None, ALL),
    ("GET", "/api/rounds/R1/judge-statistics", None, T1 | {"auditor"}),
    ("GET", "/api/rounds/R1/sheets", None, SCORED_BY),
    ("GET", "/api/rounds/R1/appeals", None, T1 | {"auditor", "org1", "org3"}),
    ("GET", "/api/rounds/R1/entrants/O1/explanation", None, T1 | {"auditor"}),
    ("GET", "/api/rounds/R1/documents/score-sheet.html", None, T1 | {"auditor"}),
    ("GET", "/api/rounds/R1/documents/notice.html", None, T1),
    ("GET", "/api/rounds/RL/board", None, ALL),  # 现场亮分: the live board is public
    ("GET", "/api/rounds/RL/events", None, ALL),
    ("GET", "/api/rounds/RP/board", None, ALL),
    ("GET", "/api/rounds/RP/ranking", None, ALL),
    ("GET", "/api/rounds/RP/documents/notice.xlsx", None, ALL),
    ("GET", "/api/rounds/RP/sheets", None, SCORED_BY),
    ("GET", "/api/rounds/RP/entrants/O1/explanation", None, T1 | {"auditor", "judge1", "org1"}),
    ("GET", "/api/rounds/RP/judge-statistics", None, T1 | {"auditor", "judge1"}),
    ("GET", "/api/rounds/RF/sheets", None, ALL),  # final: every judge's marks are public
    ("GET", "/api/rounds/RF/judge-statistics", None, ALL),
    ("GET", "/api/rounds/RF/entrants/O1/explanation", None, ALL),
    ("GET", "/api/rounds/RF/documents/score-sheet.xlsx", None, ALL),
    # rounds: their life
    ("POST", "/api/rounds/R1/open", {}, T1),
    ("POST", "/api/rounds/R1/close", {}, T1),
    ("POST", "/api/rounds/R1/reopen", {"reason": "重评"}, T1),
    ("POST", "/api/rounds/R1/publish", {}, T1),
    ("POST", "/api/rounds/R1/republish", {"reason": "延期"}, T1),
    ("POST", "/api/rounds/R1/finalize", {}, T1),
    ("POST", "/api/rounds/R1/promote", {}, T1),
    ("POST", "/api/rounds/R1/rerank", {"rules": "nope@1", "reason": "试算"}, T1),
    ("POST", "/api/rounds/R1/live-board", {"on": False}, T1),
    ("POST", "/api/rounds/R1/judges", {"judge": "JX"}, T1),
    ("POST", "/api/rounds/R1/entrants", {"entrant": "NOPE"}, T1),
    ("POST", "/api/rounds/R1/recusals", {"judge": "J1", "entrant": "NOPE", "reason": "亲属"}, T1),
    # the hall
    ("POST", "/api/rounds/R1/sheets", {"entrant": "NOPE", "marks": OK, "judge": "J1"}, T1 | {"judge1"}),
    ("POST", "/api/rounds/R1/sheets/NOPE/correction", {"marks": OK, "reason": "录错", "judge": "J1"}, T1 | {"judge1"}),
    ("POST", "/api/rounds/R1/sheets/NOPE/void", {"judge": "J1", "reason": "作废"}, T1),
    ("POST", "/api/rounds/R1/adjustments", {"entrant": "NOPE", "points": "1", "reason": "表彰"}, T1),
    ("POST", "/api/rounds/R1/adjustments/99/revoke", {"reason": "撤销"}, T1),
    ("POST", "/api/rounds/R1/inputs", {"entrant": "NOPE", "component": "daily", "value": "1"}, T1),
    ("POST", "/api/rounds/R1/entrants/NOPE/disqualify", {"reason": "违纪"}, T1),
    ("POST", "/api/rounds/R1/entrants/NOPE/withdraw", {"reason": "退出"}, T1),
    ("POST", "/api/rounds/R1/appeals", {"entrant": "O1", "name": "张某", "contact": "1", "text": "异议"}, T1 | {"org1"}),
    ("POST", "/api/rounds/RP/appeals", {"entrant": "O1", "name": " ", "contact": "1", "text": "异议"}, T1 | {"org1"}),
    ("POST", "/api/rounds/R1/appeals/99/ruling", {"decision": "dismissed", "reply": "不成立"}, T1),
    # comments (点评): blind like sheets while scored, public once published; a judge their own, a leader's by admins
    ("GET", "/api/rounds/R1/comments", None, T1 | {"auditor", "judge1"}),
    ("GET", "/api/rounds/RP/comments", None, ALL),
    ("POST", "/api/rounds/R1/comments", {"entrant": "NOPE", "text": "点评", "judge": "J1"}, T1 | {"judge1"}),
    ("POST", "/api/rounds/R1/comments", {"entrant": "NOPE", "text": "点评", "leader": "镇党委书记 张三"}, T1),
    ("POST", "/api/rounds/R1/comments/99/corrections", {"text": "改", "reason": "改"}, T1 | {"judge1"}),
    ("POST", "/api/rounds/R1/comments/99/withdrawal", {"reason": "撤回"}, T1 | {"judge1"}),
    # voting (投票): the counting desk is the round's admins; announced tallies are public (R1 has no [voting])
    ("GET", "/api/rounds/R1/voting", None, ALL),
    ("POST", "/api/rounds/R1/voting", {}, T1),
    ("POST", "/api/rounds/R1/voting/ballots", {"group": "party", "choices": ["O1"]}, T1),
    ("POST", "/api/rounds/R1/voting/ballots/NOPE/void", {"reason": "字迹不清"}, T1),
    ("POST", "/api/rounds/R1/voting/count", {}, T1),
    # consequences as work (结果运用): an admin over the unit records; admins, auditors, organizations (their own) read
    ("POST", "/api/contests/c/periods/T1/2025-07/closing", {}, T1),  # no rounds in July: refused by the domain
    ("GET", "/api/contests/c/classes/T1/2025-05", None, ADMINS | {"auditor", "org1", "org3"}),
    ("GET", "/api/contests/c/tasks", None, ADMINS | {"auditor", "org1", "org3"}),
    ("GET", "/api/contests/c/pairs", None, ADMINS | {"auditor", "org1", "org3"}),
    ("GET", "/api/pairs/NOPE", None, ADMINS | {"auditor", "org1", "org3"}),
    ("POST", "/api/tasks/NOPE/done", {}, ADMINS),  # no such task: its unit is checked in tests/e2e/test_http_work.py
    ("POST", "/api/tasks/NOPE/excuse", {"reason": "免办"}, ADMINS),
    ("POST", "/api/pairs/NOPE/exchanges", {}, ADMINS),
    ("POST", "/api/pairs/NOPE/end", {"reason": "结束"}, ADMINS),
    # contests
    ("GET", "/api/contests", None, ALL),
    ("GET", "/api/contests/c", None, ALL),
    ("GET", "/api/contests/c/organizations", None, ALL),
    ("GET", "/api/contests/c/judges", None, ALL),
    ("GET", "/api/contests/c/units/T1/standings/2025", None, ALL),
    ("GET", "/api/contests/c/stars/township/2025", None, ALL),
    ("GET", "/api/contests/c/assessment/2025", None, CONTEST | {"auditor"}),  # secretaries' results: not public
    ("GET", "/api/contests/c/assessment/2025?unit=T1&format=csv", None, T1 | {"auditor"}),
    ("GET", "/api/contests/c/judge-statistics", None, CONTEST | {"auditor"}),
    ("GET", "/api/contests/c/appeals", None, ADMINS | {"auditor"}),
    ("PATCH", "/api/contests/c/organizations/O1", {"unit": "NOPE", "reason": "调整"}, CONTEST),
    ("PATCH", "/api/contests/c/judges/J1", {"name": "评委J1", "reason": "调整"}, CONTEST),  # as it is
    ("POST", "/api/contests/c/rounds", {"code": "R1", "level": "township", "unit": "T1", "period": "2025-06",
                                        "rules": "town"}, T1),
    ("POST", "/api/contests/c/adoptions", {"rules": "code = 1", "scope": "contest", "reason": "新规则"}, CONTEST),
    ("POST", "/api/contests/import", "upload", T1),
    ("GET", "/api/rulesets", None, ALL),
    ("POST", "/api/rulesets", {"text": RULES.replace("max = 30", "max = 40")}, ADMINS),
    ("POST", "/api/rulesets/check", {"text": RULES}, ALL),
    ("GET", "/api/rulesets/town/1", None, ALL),
    # stars
    ("POST", f"{CERT}/self-assessment", {"stars": 3}, T1 | {"org1"}),
    ("POST", f"{CERT}/vetoes", {"item": "safety", "reason": "事故"}, T1),
    ("POST", f"{CERT}/evaluation", {}, T1),
    ("POST", f"{CERT}/decision", {"stars": 3}, T1),
    ("POST", f"{CERT}/certification", {}, T1),
    ("POST", f"{CERT}/downgrade", {"stars": 1, "reason": "整改"}, T1),
    ("POST", f"{CERT}/revocation", {"reason": "摘星"}, T1),
    ("POST", "/api/contests/c/certifications/units/T1/township/2025/acceptance", {"preview": True}, T1),
    # honours, platform data and flags (rulebook 19): an admin over the organization's unit; platform data contest-wide
    ("GET", "/api/contests/c/organizations/O1/honours", None, ALL),
    ("POST", "/api/contests/c/organizations/O1/honours", {"name": "先进村", "level": "宇宙级", "date": "2025-05-01",
                                                        "issuer": "县委"}, T1),
    ("POST", "/api/contests/c/organizations/O1/honours/99/withdrawal", {"reason": "登记有误"}, T1),
    ("GET", "/api/contests/c/platform/2025?source=dengta", None, CONTEST | {"auditor"}),
    ("POST", "/api/contests/c/platform/2025", {"source": "dengta", "csv": "organization,value\nNOPE,1\n"}, CONTEST),
    ("GET", "/api/contests/c/flags/2025", None, ALL),
    ("POST", f"{FLAGS}/nomination", {}, T1),
    ("POST", f"{FLAGS}/assessment", {}, T1),
    ("POST", f"{FLAGS}/award", {}, T1),
    ("POST", f"{FLAGS}/declining", {"reason": "条件不满足"}, T1),
    ("POST", f"{FLAGS}/revocation", {"reason": "撤销"}, T1),
    # tracks (赛道, rulebook 20): read by all; an organization's track changed by an admin over its unit
    ("GET", "/api/contests/c/tracks", None, ALL),
    ("GET", "/api/contests/c/organizations/O1/track", None, ALL),
    ("POST", "/api/contests/c/organizations/O1/track", {"track": "nope", "from": "2025-07", "reason": "撤村建居"}, T1),
    # accounts
    ("GET", "/api/accounts", None, AUDIT),
    ("POST", "/api/accounts", {"name": "judge1", "display_name": "x", "reason": "again"}, frozenset({"super"})),
    ("GET", "/api/accounts/judge1", None, AUDIT),
    ("GET", "/api/accounts/judge1/history", None, AUDIT),
    ("POST", "/api/accounts/nobody/grants", {"role": "auditor", "reason": "x"}, frozenset({"super"})),
    ("POST", "/api/accounts/nobody/grants/revoke", {"role": "auditor", "reason": "x"}, frozenset({"super"})),
    ("POST", "/api/accounts/nobody/password", {"reason": "忘记"}, frozenset({"super"})),
    ("POST", "/api/accounts/nobody/disable", {"reason": "离岗"}, frozenset({"super"})),
    ("POST", "/api/accounts/nobody/enable", {"reason": "返岗"}, frozenset({"super"})),
    # the log's signed heads, proofs and witnesses
    ("GET", "/api/checkpoint", None, ALL),
    ("POST", "/api/checkpoint/cosignatures", {}, ALL),  # authenticated by the cosignature itself
    ("GET", "/api/proof/inclusion?round=RP&entrant=O1", None, T1 | {"auditor", "judge1", "org1"}),
    ("GET", "/api/proof/inclusion?round=RF&entrant=O1", None, ALL),
    ("GET", "/api/proof/consistency?from=1", None, ALL),
    ("GET", "/api/witnesses", None, ALL),
    ("POST", "/api/witnesses", {"vkey": "not a key", "reason": "见证"}, frozenset({"super"})),
    # 市级联动 (rulebook 22): a final round's export and the summary are public; a source is registered by an admin of
    # everything, an admission made by an admin over the round it enters
    ("GET", "/api/federation/export/RF", None, ALL),
    ("GET", "/api/federation/summary", None, ALL),
    ("GET", "/api/federation/status", None, AUDIT),  # the province dashboard: it reads each source over the network
    ("POST", "/api/federation/sources", {"checkpoint": "x", "key": "x", "code": "HY", "name": "x", "reason": "x"},
     frozenset({"super"})),
    ("POST", "/api/federation/admissions", {"into": "R1", "source": "NOPE", "export": {}}, T1),
    # auditors
    ("GET", "/api/verify", None, AUDIT),
    ("GET", "/api/events", None, AUDIT),
    ("POST", "/api/replay", {"rules": "code = 1"}, ADMINS | {"auditor"}),
]
# Routes every visitor may use, tested elsewhere: signing in (test_http_api.py) and the documentation.
OPEN_TO_ALL = {("POST", "/api/auth/token"), ("GET", "/api/auth/me"), ("POST", "/api/auth/password"),
               ("GET", "/api/openapi.json"), ("GET", "/api/docs"), ("GET", "/api/docs/assets/<path:name>"),
               ("GET", "/healthz"), ("GET", "/static/<path:filename>"),
               # by address (this machine) or LEITAI_METRICS_TOKEN, not by role: tests/e2e/test_metrics.py
               ("GET", "/metrics"),
               # signing a head records one (the matrix records nothing): tests/e2e/test_http_log.py
               ("POST", "/api/checkpoint")}


def build(app: Any, clock: FixedClock) -> None:
    small_contest(app)  # R1 open at T1 (O1, O2), no sheets yet
    app.register_judge("c", "J5", "评委J5", "C", "", ADMIN)
    panel = ("J1", "J2", "J3")

    def scored(code: str) -> str:
        app.schedule_round("c", RoundSpec(code, "township", "T1", "2025-05", "town", judges=panel), ADMIN)
        app.open_round(code, ADMIN)
        for entrant in ("O1", "O2"):
            for j in panel:
                app.submit_sheet(code, j, entrant, OK, judge(j))
        app.close_round(code, ADMIN)
        return app.publish(code, ADMIN, on=clock.today()).end

    end = scored("RF")
    clock.set((date.fromisoformat(end) + timedelta(days=1)).isoformat() + "T09:00")
    app.finalize("RF", ADMIN)
    scored("RP")
    app.schedule_round("c", RoundSpec("RL", "township", "T2", "2025-05", "town", judges=panel, live_board=True), ADMIN)
    app.open_round("RL", ADMIN)
    for name, (role, scope) in ACCOUNTS.items():
        add_account(app, name, role, **scope)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    url, drop = pg.fresh_store(request, tmp_path_factory.mktemp("roles"))
    clock = FixedClock("2025-05-20T09:00")
    app = open_app(url, clock=clock)
    build(app, clock)
    web = serve(app)
    clients = {who: Client(web, who) for who in ROLES}
    yield {"app": app, "web": web, "clients": clients}
    stop(web)
    app.close()
    drop()


def _request(client: Client, method: str, path: str, body: Any) -> Any:
    if body == "upload":
        scores = "round_code,judge_code,entrant_code,party,industry\nR1,J1,O1,99,15\n"
        return client.call(method, path, None, content_type="multipart/form-data",
                           data={"files": [(io.BytesIO(scores.encode()), "scores.csv")]})
    if path.endswith("/events") and method == "GET" and "/api/rounds/" in path:
        response = client.http.get(path, headers=client.headers, buffered=False)
        response.close()  # a live stream: its answer is all this test needs
        return response
    return client.call(method, path, None, json=body)


@pytest.mark.parametrize(("method", "path", "body", "allowed"), MATRIX,
                         ids=[f"{m} {p.removeprefix('/api/')}" for m, p, _, _ in MATRIX])
def test_each_role_is_allowed_or_refused(world: dict[str, Any], method: str, path: str, body: Any,
                                        allowed: frozenset[str | None]) -> None:
    app = world["app"]
    before = event_count(app)
    wrong = []
    for who in ROLES:
        status = _request(world["clients"][who], method, path, body).status_code
        expected = "allowed" if who in allowed else (401 if who is None else 403)
        if (expected == "allowed" and status in (401, 403)) or (expected != "allowed" and status != expected):
            wrong.append(f"{who or 'public'}: {status}, expected {expected}")
        assert status < 500, f"{who}: {status}"
    assert not wrong, wrong
    assert event_count(app) == before, "a request of the matrix recorded events"


def test_every_route_has_a_row(world: dict[str, Any]) -> None:
    url_map = world["web"].url_map
    routes = {(method, rule.rule) for rule in url_map.iter_rules() for method in rule.methods - {"HEAD", "OPTIONS"}
              if not rule.endpoint.startswith("web.")}  # the web pages: tests/e2e/test_web.py
    adapter = url_map.bind("localhost")
    covered = set(OPEN_TO_ALL)
    for method, path, _, _ in MATRIX:
        rule, _ = adapter.match(path.split("?")[0], method=method, return_rule=True)
        covered.add((method, rule.rule))
    assert routes - covered == set()
