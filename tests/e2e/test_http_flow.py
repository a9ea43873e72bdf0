"""The whole demo contest played over HTTP, by the people of the day, on both stores.

The example is uploaded as a .zip (without one township's sheets); that township's
judges sign in and score their own entrants; the rounds are closed and published; an
organization objects for itself and the department records a named third party's
objection; one is dismissed and one upheld with its correction; the rounds are
finalized and promoted; the final is imported, closed and published; the stars are
evaluated.  Every ranking, prize, promotion and star recommendation must come out
exactly as ``leitai demo`` computes them through the application services.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from api.wiring import open_app
from domain.services.clock import FixedClock
from projections.ranking_json import ranking_document
from tests.conftest import EXAMPLE, event_count
from tests.http import Client, add_account, serve, stop, zipped

CONTEST = "wushen-2025"
HALL = "R-GL-2025-05"  # scored over HTTP by its judges
UPHELD = "R-SLD-2025-05"
FINAL = "R-WS-FINAL-2025"
TOWNSHIPS = ["R-GL-2025-05", "R-SLD-2025-05", "R-TK-2025-05", "R-WD-2025-05", "R-WL-2025-05", "R-WSZ-2025-05"]


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What ``leitai demo`` computes through the application services."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo')}/demo.db"
    done = subprocess.run([sys.executable, "-m", "api.cli.main", "--db", url, "demo", "--no-serve"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    app = open_app(url)
    try:
        rankings = {code: _outcome(ranking_document(*app.ranking(code))) for code in [*TOWNSHIPS, FINAL]}
        stars = app.read(lambda s: {code: r.stars for code, r in
                                    s.star_recommendations(CONTEST, "township", "2025").items()})
    finally:
        app.close()
    return {"rankings": rankings, "stars": stars}


def _outcome(document: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(e["entrant"], e["rank"], e["final"], e["tied"], e["award"], e["promotion"]) for e in document["entries"]]


@pytest.fixture
def day(make_app: Any, store_url: str) -> Iterator[tuple[Any, Any, FixedClock]]:
    clock = FixedClock("2025-05-20T09:00")
    app = make_app(store_url, clock)
    add_account(app, "admin", "admin")
    web = serve(app)
    yield app, web, clock
    stop(web)


def test_the_demo_contest_over_http(day: Any, expected: dict[str, Any]) -> None:
    app, web, clock = day
    admin = Client(web, "admin")

    # -- accounts, made by the administrator over HTTP ------------------------------------------
    def account(name: str, **grant: Any) -> Client:
        made = admin.post("/api/accounts", {"name": name, "display_name": name, "reason": "比武当天",
                                            "grants": [grant]}, expect=201)
        assert made["recorded"] >= 2 and len(made["password"]) == 12
        return Client(web, name, made["password"])

    imported = admin.call("POST", "/api/contests/import", 201, content_type="multipart/form-data",
                          data={"scenario": (_zip(only_except=HALL), "wushen.zip")}).get_json()
    assert {f["file"] for f in imported["files"]} >= {"contest.toml", "organizations.csv", "judges.csv", "scores.csv"}
    county = account("county", role="admin", contest=CONTEST, unit="WS")
    township = account("township-gl", role="admin", contest=CONTEST, unit="WS-GL")
    org = account("org-ws-gl-03", role="organization", organization="WS-GL-03")
    auditor = account("auditor", role="auditor")
    public = Client(web)

    # -- the hall: judges score their own entrants --------------------------------------------------
    panel = admin.get(f"/api/rounds/{HALL}")["judges"]
    judges: dict[str, Any] = {j["code"]: None for j in panel}
    for code in judges:
        judges[code] = account(f"judge-{code.lower()}", role="judge", contest=CONTEST, judge=code)
    if admin.get(f"/api/rounds/{HALL}")["status"] == "scheduled":
        township.post(f"/api/rounds/{HALL}/open")
    public.get(f"/api/rounds/{HALL}/board", expect=401)  # no live board: the hall is not public
    rows = [line.split(",") for line in (EXAMPLE / "scores.csv").read_text(encoding="utf-8").splitlines()]
    header = rows[0]
    sheets = [dict(zip(header, row, strict=True)) for row in rows[1:] if row[0] == HALL]
    for sheet in sheets:
        marks = {k: v for k, v in sheet.items() if k not in ("round_code", "judge_code", "entrant_code")}
        done = judges[sheet["judge_code"]].post(f"/api/rounds/{HALL}/sheets",
                                                {"entrant": sheet["entrant_code"], "marks": marks}, expect=201)
        assert done["projected"] is True and done["recorded"] == 1
    one = judges["J01"]
    mine = one.get(f"/api/rounds/{HALL}/sheets")
    assert mine and {s["judge"] for s in mine} == {"J01"}  # no other judge's marks before the round closes
    one.get(f"/api/rounds/{HALL}/board", expect=403)  # nor the board: judges are blind until the round closes
    board = township.get(f"/api/rounds/{HALL}/board")
    assert board["sheets_in"] == len(sheets)

    # -- close, seal, publish ---------------------------------------------------------------------------
    township.post(f"/api/rounds/{HALL}/close")
    for code in TOWNSHIPS:
        if code != HALL:
            assert county.post(f"/api/rounds/{code}/close")["seal"]
    for code in TOWNSHIPS:
        published = county.post(f"/api/rounds/{code}/publish", {"on": "2025-05-20"})
        assert published["publicity"]["start"] <= published["publicity"]["end"]
    assert public.get(f"/api/rounds/{HALL}/ranking")["status"] == "published"
    assert len(judges["J02"].get(f"/api/rounds/{HALL}/sheets")) == len(sheets)  # closed: the panel sees all

    # -- objections -------------------------------------------------------------------------------------
    clock.set("2025-05-22T15:30")
    dismissed = org.post(f"/api/rounds/{HALL}/appeals", {"entrant": "WS-GL-03", "name": "王某某",
                                                         "contact": "139****0000", "text": "对第 2 名的产业得分有异议"},
                         expect=201)["number"]
    upheld = county.post(f"/api/rounds/{UPHELD}/appeals", {"name": "李某某", "contact": "138****1111",
                                                          "text": "评委 J03 给 1 号村的党建分录入有误"},
                         expect=201)["number"]
    assert [a["appeal"] for a in org.get(f"/api/rounds/{HALL}/appeals")] == [dismissed]
    clock.set("2025-05-23T10:00")
    township.post(f"/api/rounds/{HALL}/appeals/{dismissed}/ruling",
                  {"decision": "dismissed", "reply": "经核查评分表原件与录入一致，异议不成立。"})
    county.post(f"/api/rounds/{UPHELD}/appeals/{upheld}/ruling",
                {"decision": "upheld", "reply": "经核对评分表原件，J03 的党建分应为 27.5，予以更正。"})
    j03 = sorted((s for s in county.get(f"/api/rounds/{UPHELD}/sheets") if s["judge"] == "J03" and s["counts"]),
                 key=lambda s: s["entrant"])[0]
    corrected = county.post(f"/api/rounds/{UPHELD}/sheets/{j03['entrant']}/correction",
                            {"judge": "J03", "marks": {**j03["marks"], "party": "27.5"},
                             "reason": "申诉成立：按评分表原件更正", "appeal": upheld})
    assert corrected["recorded"] >= 2  # the correction, the new seal (and the publication again)

    # -- finalize and promote ------------------------------------------------------------------------------
    ends = [county.get(f"/api/rounds/{code}")["publicity"]["current"]["end"] for code in TOWNSHIPS]
    clock.set(_after(max(ends)) + "T08:30")
    for code in TOWNSHIPS:
        county.post(f"/api/rounds/{code}/finalize")
        promoted = county.post(f"/api/rounds/{code}/promote")
        assert promoted["target"] == FINAL and promoted["promoted"]
    assert public.get(f"/api/rounds/{HALL}/sheets")  # final: every judge's marks are public (ISU protocol)

    # -- the banner final ------------------------------------------------------------------------------------
    clock.set(clock.today().isoformat() + "T17:00")
    county.call("POST", "/api/contests/import", 201, content_type="multipart/form-data",
                data={"files": [(open(path, "rb"), f"final/{path.name}") for path in sorted((EXAMPLE / "final").iterdir())]})
    county.post(f"/api/rounds/{FINAL}/close")
    county.post(f"/api/rounds/{FINAL}/publish", {"on": clock.today().isoformat()})

    # -- stars: the computed recommendations -----------------------------------------------------------------
    before = public.get(f"/api/contests/{CONTEST}/stars/township/2025")
    full = county.get(f"/api/contests/{CONTEST}/stars/township/2025")
    assert before == [] and full and {r["state"] for r in full} == {None}
    assert {r["organization"]: r["computed_stars"] for r in full} == expected["stars"]
    for row in full:
        county.post(f"/api/contests/{CONTEST}/certifications/{row['organization']}/township/2025/evaluation", {})

    # -- the outcome is the demo's, exactly ------------------------------------------------------------------
    for code, outcome in expected["rankings"].items():
        assert _outcome(public.get(f"/api/rounds/{code}/ranking")) == outcome, code
    evaluated = county.get(f"/api/contests/{CONTEST}/stars/township/2025")
    assert {r["organization"]: r["history"]["computed"]["stars"] for r in evaluated} == expected["stars"]
    shown = public.get(f"/api/contests/{CONTEST}/stars/township/2025")  # the public: the state, not the scores
    assert len(shown) == len(full) and {r["state"] for r in shown} == {"initially_evaluated"}
    assert all("score" not in r and "computed_stars" not in r for r in shown)
    report = auditor.get("/api/verify")
    assert report["ok"] is True, report
    explanation = org.get(f"/api/rounds/{HALL}/entrants/WS-GL-03/explanation")
    assert explanation["entrant"] == "WS-GL-03" and explanation["appeals"]
    exported = auditor.call("GET", "/api/events")
    assert exported.mimetype == "application/x-ndjson"
    assert len(exported.get_data().splitlines()) >= event_count(app)


def _zip(only_except: str) -> Any:
    import io

    return io.BytesIO(zipped(EXAMPLE, only_rounds_except=only_except))


def _after(day: str) -> str:
    from datetime import date, timedelta

    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()
