"""Blind judges (issue 14, item 9), on both stores: until a round closes, a judge seated
in it sees their own sheets and nothing else of it - no board, ranking, rank or score, no
other judge's marks or totals - on every path: the API (board, ranking, the live stream,
sheets, explanations, judge statistics, documents, appeals, proofs), the web pages, and
what the answer to their own sheet says.  现场亮分 (the live board on) is the one public
exception.  A judge of the contest not seated in the round sees of it what the public
sees; once the round is closed its panel sees every mark.

Round RB is being scored with the live board off.  O1 has three sheets: J1's 40 (the
highest), J2's 33.7 and J3's 38.3 - so the trimmed mean, O1's provisional score, is
exactly J3's total.  The colleagues' marks are numbers found nowhere else, and no answer
to a blind judge may carry any of them, nor O1's provisional score."""

from __future__ import annotations

import re
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

PANEL = ("J1", "J2", "J3")
SHEETS = {  # (judge, entrant): marks
    ("J1", "O1"): {"party": "25", "industry": "15"},  # 40: the judge under test, their own sheet
    ("J2", "O1"): {"party": "21.4", "industry": "12.3"},  # 33.7
    ("J3", "O1"): {"party": "24.7", "industry": "13.6"},  # 38.3: the trimmed mean
    ("J2", "O2"): {"party": "19.6", "industry": "10.2"},
    ("J3", "O2"): {"party": "22.3", "industry": "11.8"},
}
COLLEAGUES = ["21.4", "12.3", "24.7", "13.6", "33.7", "38.3", "19.6", "10.2", "22.3", "11.8"]
OTHER_SHEETS = {  # the other rounds' (RL's board is public: it must not show RB's numbers)
    ("J1", "O1"): {"party": "26", "industry": "16"}, ("J2", "O1"): {"party": "20.6", "industry": "11"},
    ("J3", "O1"): {"party": "23", "industry": "12"}, ("J2", "O2"): {"party": "18", "industry": "10"},
    ("J3", "O2"): {"party": "21", "industry": "11"},
}
ACCOUNTS = {
    "county": ("admin", {"contest": "c", "unit": "C"}),
    "judge1": ("judge", {"contest": "c", "judge": "J1"}),  # seated in every round here
    "judge5": ("judge", {"contest": "c", "judge": "J5"}),  # a judge of the contest, seated in none of them
    "org1": ("organization", {"organization": "O1"}),
    "auditor": ("auditor", {}),
}


def build(app: Any) -> None:
    small_contest(app)
    app.register_judge("c", "J5", "评委J5", "C", "", ADMIN)
    for code, live in (("RB", False), ("RL", True), ("RC", False), ("RR", False)):
        app.schedule_round("c", RoundSpec(code, "township", "T1", "2025-05", "town", judges=PANEL, live_board=live),
                           ADMIN)
        app.open_round(code, ADMIN)
        for (j, entrant), marks in (SHEETS if code == "RB" else OTHER_SHEETS).items():
            app.submit_sheet(code, j, entrant, marks, judge(j))
    for code in ("RC", "RR"):  # every sheet in: closed, not yet published
        for entrant in ("O2",):
            app.submit_sheet(code, "J1", entrant, {"party": "18", "industry": "9"}, judge("J1"))
        app.close_round(code, ADMIN)
    for name, (role, scope) in ACCOUNTS.items():
        add_account(app, name, role, **scope)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    url, drop = pg.fresh_store(request, tmp_path_factory.mktemp("blind"))
    clock = FixedClock("2025-05-20T09:00")
    app = open_app(url, clock=clock)
    build(app)
    web = serve(app)
    clients = {who: Client(web, who) for who in ACCOUNTS}
    clients["public"] = Client(web)
    yield {"app": app, "web": web, "clients": clients, "clock": clock}
    stop(web)
    app.close()
    drop()


def _get(client: Client, path: str) -> Any:
    if path.endswith("/events"):
        response = client.http.get(path, headers=client.headers, buffered=False)
        body = next(iter(response.response), b"") if response.status_code == 200 else response.get_data()
        response.close()  # a live stream: its first words are all this needs
        return response.status_code, body.decode("utf-8", "replace")
    response = client.call("GET", path, None)
    return response.status_code, response.get_data(as_text=True)


def _leaks(body: str, provisional: str) -> list[str]:
    """The colleagues' marks and totals, and O1's provisional score, found in an answer."""
    def shown(number: str) -> bool:  # as written, or with more zeros after it (38.3, 38.30)
        return re.search(rf"(?<![\d.]){re.escape(number.rstrip('0').rstrip('.'))}(\.0*|0*)(?!\d)", body) is not None

    found = [n for n in COLLEAGUES if shown(n)]
    if shown(provisional):
        found.append(f"provisional {provisional}")
    return found


REFUSED_WHILE_SCORED = [  # every path that shows a round's scores, ranks or marks
    "/api/rounds/{r}/board", "/api/rounds/{r}/ranking", "/api/rounds/{r}/events",
    "/api/rounds/{r}/judge-statistics", "/api/rounds/{r}/entrants/O1/explanation",
    "/api/rounds/{r}/entrants/O2/explanation", "/api/rounds/{r}/documents/score-sheet.html",
    "/api/rounds/{r}/documents/score-sheet.xlsx", "/api/rounds/{r}/documents/notice.html",
    "/api/rounds/{r}/appeals", "/api/proof/inclusion?round={r}&entrant=O1", "/api/contests/c/judge-statistics",
    "/screen/{r}", "/screen/{r}/table", "/results/{r}", "/judges/{r}", "/audit/{r}/O1", "/audit/{r}/O2",
]
ANSWERED = [  # what a judge may read, none of which may carry the round's scores
    "/api/rounds", "/api/rounds/{r}", "/api/rounds/{r}/finalists", "/api/contests/c/units/T1/standings/2025-05",
    "/", "/results", "/judge", "/org/O1", "/org/O2",
]


def _provisional(world: dict[str, Any]) -> str:
    board = world["clients"]["county"].get("/api/rounds/RB/board")
    o1 = next(e for e in board["entries"] if e["entrant"] == "O1")
    assert o1["rank"] == 1 and o1["final"] is not None and board["provisional"], o1
    return str(o1["final"])


def test_a_seated_judge_reads_nothing_of_the_round_but_their_own_sheets(world: dict[str, Any]) -> None:
    provisional = _provisional(world)
    assert provisional.rstrip("0").rstrip(".") == "38.3"  # one colleague's total, exactly
    judge1 = world["clients"]["judge1"]
    wrong = []
    for path in REFUSED_WHILE_SCORED:
        status, body = _get(judge1, path.format(r="RB"))
        if status != 403 or _leaks(body, provisional):
            wrong.append(f"{path}: {status} {_leaks(body, provisional)}")
    for path in ANSWERED:
        status, body = _get(judge1, path.format(r="RB"))
        if status != 200 or _leaks(body, provisional):
            wrong.append(f"{path}: {status} {_leaks(body, provisional)}")
    assert not wrong, wrong
    # their own sheets, yes - and only those
    sheets = judge1.get("/api/rounds/RB/sheets")
    assert [(s["judge"], s["entrant"], s["marks"]) for s in sheets] == [("J1", "O1", SHEETS[("J1", "O1")])]
    assert not _leaks(judge1.call("GET", "/api/rounds/RB/sheets").get_data(as_text=True), provisional)
    # the judge's page: the sheet, its own total, and why nothing else is shown
    page = judge1.call("GET", "/judge/RB").get_data(as_text=True)
    assert 'value="25"' in page and 'value="15"' in page and "<output name=\"total\">40</output>" in page
    assert "结束评分前，评委只看得到自己的评分表" in page and not _leaks(page, provisional)
    home = judge1.call("GET", "/").get_data(as_text=True)
    assert "/judge/RB" in home and "/screen/RB" not in home and "/results/RB" not in home
    assert 'data-round="RB"' not in judge1.call("GET", "/org/O1").get_data(as_text=True)
    for path in ("/api/rounds/RB/board", "/api/rounds/RB/ranking", "/api/rounds/RB/judge-statistics",
                 "/api/rounds/RB/entrants/O2/explanation", "/api/rounds/RB/documents/score-sheet.xlsx",
                 "/api/proof/inclusion?round=RB&entrant=O1"):  # and told why
        refused = judge1.call("GET", path, 403).get_json()
        assert refused["code"] == "Forbidden" and "评委在本轮结束评分后才能查看" in refused["message"], refused
    english = judge1.call("GET", "/api/rounds/RB/board?lang=en", 403).get_json()["message"]
    assert "while judging it (its judges see them once scoring is closed)" in english, english


def test_an_unseated_judge_reads_what_the_public_reads(world: dict[str, Any]) -> None:
    provisional = _provisional(world)
    judge5, public = world["clients"]["judge5"], world["clients"]["public"]
    wrong = []
    for path in [*REFUSED_WHILE_SCORED, "/api/rounds/{r}/sheets", "/judge/{r}"]:
        status, body = _get(judge5, path.format(r="RB"))
        if status != 403 or _leaks(body, provisional):
            wrong.append(f"{path}: {status} {_leaks(body, provisional)}")
    for path in ANSWERED:
        status, body = _get(judge5, path.format(r="RB"))
        if status != 200 or _leaks(body, provisional):
            wrong.append(f"{path}: {status} {_leaks(body, provisional)}")
    assert not wrong, wrong
    for path in ("/api/rounds/RC/board", "/api/rounds/RC/sheets", "/api/rounds/RC/entrants/O1/explanation",
                 "/screen/RC"):  # closed, not published: not public, and not theirs
        assert _get(judge5, path)[0] == 403 and _get(public, path)[0] in (302, 401), path


def test_the_live_board_is_the_one_public_exception(world: dict[str, Any]) -> None:
    judge1 = world["clients"]["judge1"]
    for path in ("/api/rounds/RL/board", "/api/rounds/RL/ranking", "/api/rounds/RL/events", "/screen/RL",
                 "/results/RL"):
        assert _get(judge1, path)[0] == 200, path
        assert _get(world["clients"]["public"], path)[0] == 200, path
    # the board is public; the marks are not
    assert {s["judge"] for s in judge1.get("/api/rounds/RL/sheets")} == {"J1"}
    for path in ("/api/rounds/RL/entrants/O1/explanation", "/api/rounds/RL/judge-statistics",
                 "/api/rounds/RL/documents/score-sheet.html", "/judges/RL", "/audit/RL/O1"):
        assert _get(judge1, path)[0] == 403, path


def test_after_close_the_panel_sees_every_mark(world: dict[str, Any]) -> None:
    judge1 = world["clients"]["judge1"]
    for path in ("/api/rounds/RC/board", "/api/rounds/RC/ranking", "/api/rounds/RC/events",
                 "/api/rounds/RC/judge-statistics", "/api/rounds/RC/entrants/O1/explanation",
                 "/api/rounds/RC/documents/score-sheet.html", "/screen/RC", "/results/RC", "/judges/RC",
                 "/audit/RC/O1"):
        assert _get(judge1, path)[0] == 200, path
    assert {s["judge"] for s in judge1.get("/api/rounds/RC/sheets")} == set(PANEL)
    assert "20.6" in judge1.call("GET", "/audit/RC/O1").get_data(as_text=True)
    assert _get(judge1, "/api/rounds/RC/documents/notice.html")[0] == 403  # the notice: once published


def test_a_stream_ends_when_its_round_is_reopened_for_its_judge(world: dict[str, Any]) -> None:
    """A judge listens to their closed round; the organizer reopens it: scoring again, the
    judge is blind again - the stream says `end` and closes."""
    from tests.e2e.test_http_api import _events

    judge1, county = world["clients"]["judge1"], world["clients"]["county"]
    stream = judge1.http.get("/api/rounds/RR/events", headers=judge1.headers, buffered=False)
    assert stream.status_code == 200
    events = _events(stream)
    assert next(events)["event"] == "board"
    county.post("/api/rounds/RR/reopen", {"reason": "J2 的评分表录错，重新评分"})
    assert next(events)["event"] == "end"
    stream.close()
    assert _get(judge1, "/api/rounds/RR/events")[0] == 403


def test_the_answer_to_a_judges_own_sheet_says_nothing_of_the_others(world: dict[str, Any]) -> None:
    provisional = _provisional(world)
    judge1 = world["clients"]["judge1"]
    answers = [
        judge1.call("POST", "/api/rounds/RB/sheets", 201,
                    json={"entrant": "O2", "marks": {"party": "18", "industry": "9"}}),
        judge1.call("POST", "/api/rounds/RB/sheets/O2/correction", 200,
                    json={"marks": {"party": "18.5", "industry": "9"}, "reason": "录错"}),
        judge1.call("POST", "/api/rounds/RB/sheets", 409,
                    json={"entrant": "O2", "marks": {"party": "18", "industry": "9"}}),
        judge1.call("POST", "/api/rounds/RB/sheets/O1/correction", 422,
                    json={"marks": {"party": "31", "industry": "9"}, "reason": "录错"}),
    ]
    for answer in answers[:2]:
        assert set(answer.get_json()) == {"position", "recorded", "projected", "number"}, answer.get_json()
    for answer in answers:
        assert not _leaks(answer.get_data(as_text=True), provisional), answer.get_data(as_text=True)
    # and the round's own document, which anyone may read, says how far scoring is - not where anyone stands
    document = judge1.get("/api/rounds/RB")
    assert not {"ranking", "entries", "rank", "final"} & set(document)
