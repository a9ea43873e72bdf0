"""The official documents say what the read side says: the score sheet (every judge's
marks, one column per criterion of the rule set under its name and maximum, what the panel
left out, the event ids, final, rank, award, the signature lines, the seal and the
checkpoint) and the publicity notice (the period, where and how to object, the issuing
unit and date), as .xlsx and as printable HTML, over HTTP and from ``leitai document`` -
the same cells either way.  How they print is tests/e2e/test_documents_print.py."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from domain.checkpoint import Note
from eventstore.notes import log_key, verify_note
from tests.http import Client, add_account, serve, stop
from tests.integration.test_stores import run_example

ROOT = Path(__file__).resolve().parents[2]
ROUND = "R-GL-2025-05"
RULES = tomllib.loads((ROOT / "examples" / "wushen-2025" / "rules" / "township-2025.toml").read_text("utf-8"))
CRITERIA = [(c["code"], f"{c['name']}（满分 {c['max']}）") for c in RULES["criteria"]]  # the round's rule set


@pytest.fixture
def documents(app: Any, clock: Any) -> Iterator[tuple[Any, Client, Any]]:
    run_example(app, clock)
    add_account(app, "admin", "admin")
    web = serve(app)
    admin = Client(web, "admin")
    deadline = time.monotonic() + 60
    # the read side has it all (503 while it catches up on events recorded long before)
    while (health := admin.get("/healthz", expect=(200, 503)))["projected"] < health["events"]:
        assert time.monotonic() < deadline, health
        time.sleep(0.05)
    yield app, admin, web
    stop(web)


def _cells(data: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [[c for c in row] for row in sheet.iter_rows(values_only=True)]


def _fetch(client: Client, name: str) -> bytes:
    response = client.call("GET", f"/api/rounds/{ROUND}/documents/{name}")
    return response.get_data()


def _sheet_rows(data: bytes) -> tuple[dict[str, int], dict[str, list[tuple[list[Any], list[Any]]]]]:
    """The score sheet's columns by heading, and per entrant its rows (values, cells)."""
    sheet = load_workbook(io.BytesIO(data)).active
    rows = [list(r) for r in sheet.iter_rows()]
    header = next(r for r in rows if r[0].value == "名次" and any(c.value == "事件" for c in r))
    columns = {c.value: i for i, c in enumerate(header) if c.value}
    by_entrant: dict[str, list[tuple[list[Any], list[Any]]]] = {}
    current = None
    for row in rows[rows.index(header) + 1:]:
        values = [c.value for c in row]
        event = values[columns["事件"]] if len(values) > columns["事件"] else None
        if not (isinstance(event, str) and re.fullmatch(rf"{ROUND}#\d+", event)):
            continue
        current = values[columns["组织代码"]] or current
        by_entrant.setdefault(current, []).append((values, row))
    return columns, by_entrant


def test_the_score_sheet_holds_every_mark_every_left_out_sheet_and_what_pins_it(documents: Any) -> None:
    _, admin, _ = documents
    board = admin.get(f"/api/rounds/{ROUND}/board")
    ranking = admin.get(f"/api/rounds/{ROUND}/ranking")
    data = _fetch(admin, "score-sheet.xlsx")
    rows = _cells(data)
    columns, by_entrant = _sheet_rows(data)
    # one column per criterion, under its name and maximum, in the rule set's order; then the total
    headings = list(columns)
    assert [h for h in headings if "满分" in h] == [name for _, name in CRITERIA] + ["合计（满分 100）"], headings
    assert not any(isinstance(v, str) and "=" in v and "party" in v for r in rows for v in r)  # no "party=27.4" cell
    assert set(by_entrant) == {e["entrant"] for e in ranking["entries"]}
    left_out = 0
    for entry in ranking["entries"]:
        explained = admin.get(f"/api/rounds/{ROUND}/entrants/{entry['entrant']}/explanation")
        sheet_rows = by_entrant[entry["entrant"]]
        first = sheet_rows[0][0]
        assert Decimal(str(first[columns["最终得分"]])) == Decimal(entry["final"])  # the final as the rulebook rounds it
        assert str(first[columns["名次"]]).removesuffix("（并列）") == str(entry["rank"])
        assert [r[columns["事件"]] for r, _ in sheet_rows] == [s["event"] for s in explained["sheets"]]
        assert [r[columns["评委代码"]] for r, _ in sheet_rows] == [s["judge"] for s in explained["sheets"]]
        assert [r[columns["评委"]] for r, _ in sheet_rows] == [s["judge_name"] for s in explained["sheets"]]
        for (values, cells), sheet in zip(sheet_rows, explained["sheets"], strict=True):
            for code, heading in CRITERIA:  # every mark a number in its criterion's column
                assert isinstance(values[columns[heading]], (int, float)), values
                assert Decimal(str(values[columns[heading]])) == Decimal(sheet["marks"][code])
                assert bool(cells[columns[heading]].font.strike) == bool(sheet["dropped"])  # struck through when left out
            assert Decimal(str(values[columns["合计（满分 100）"]])) == Decimal(sheet["total"])
            said = {"highest": "去掉最高分", "lowest": "去掉最低分", None: None}[sheet["dropped"]]
            assert values[columns["去掉"]] == said
            left_out += bool(sheet["dropped"])
    assert left_out > 0  # the panel left some out
    results = [r for r in load_workbook(io.BytesIO(data))["成绩汇总"].iter_rows(values_only=True)][1:]
    assert [(r[1], Decimal(str(r[-3]))) for r in results] == [(e["entrant"], Decimal(e["final"]))
                                                              for e in ranking["entries"]]  # the results sheet
    judges = next(r for r in rows if r and r[0] == "评委签字")
    assert [j for j in judges[1:] if j] and all("（" in j for j in judges[1:] if j)
    assert any(r and r[0] == "监督员签字" for r in rows) and any(r and r[0] == "计分员签字" for r in rows)
    seal = next(r for r in rows if r and r[0] == "封存值")
    assert seal[1] == board["seal"] and board["seal"].startswith("sha256:")
    checkpoint = next(r for r in rows if r and r[0] == "签名检查点")
    note = Note.parse(checkpoint[1])  # the whole signed checkpoint, signed by the deployment's key
    app = documents[0]
    assert verify_note(note, [log_key(note.checkpoint.origin, app.signer.public_key)]).ok
    signed_for = admin.get(f"/api/rounds/{ROUND}")  # the head signed for the round's last result
    assert note.checkpoint.size > 0 and signed_for["status"] == "final"

    page = admin.call("GET", f"/api/rounds/{ROUND}/documents/score-sheet.html")
    assert "script-src" not in page.headers["Content-Security-Policy"] and "default-src 'none'" in \
        page.headers["Content-Security-Policy"] and page.headers["X-Content-Type-Options"] == "nosniff"
    html = _fetch(admin, "score-sheet.html").decode("utf-8")
    assert html.count("<tr class='dropped'>") == left_out
    for code, _ in CRITERIA:  # each criterion's column under its name and maximum
        criterion = next(c for c in RULES["criteria"] if c["code"] == code)
        assert f"{criterion['name']}<small>满分 {criterion['max']}</small></th>" in html
    for entry in ranking["entries"]:
        explained = admin.get(f"/api/rounds/{ROUND}/entrants/{entry['entrant']}/explanation")
        for sheet in explained["sheets"]:  # the event of every sheet, in the row and whole in its title
            short = sheet["event"].removeprefix(ROUND)
            assert f"<td class='ev' title='{sheet['event']}'>{short}</td>" in html
            if sheet["dropped"]:
                total = f"{Decimal(sheet['total']):.{RULES['marks']['decimals']}f}"  # as the marks are written
                assert f"<td class='n out'>[{total}]</td>" in html
    assert board["seal"] in html and escape(str(note), quote=True) in html
    assert "<svg" in html and "<title>checkpoint</title>" in html  # the same checkpoint as a QR code
    example = admin.get(f"/api/rounds/{ROUND}/entrants/{ranking['entries'][0]['entrant']}/explanation")["sheets"][0]
    assert "方括号内加删除线的评分" in html and \
        f"{example['event'].removeprefix(ROUND)} 即本轮次的事件 {example['event']}" in html  # how to read the events
    assert all(words in html for words in ("评委签字", "计分员签字", "监督员签字", "日期"))
    assert "content=" not in html and "party=" not in html  # no longer one cell of codes


def test_the_notice_gives_the_period_and_where_to_object(documents: Any) -> None:
    _, admin, _ = documents
    publicity = admin.get(f"/api/rounds/{ROUND}")["publicity"]
    period = publicity["current"]
    rows = _cells(_fetch(admin, "notice.xlsx"))
    assert ["公示时间", period["start"], period["end"]] in [r[:3] for r in rows]
    ranking = admin.get(f"/api/rounds/{ROUND}/ranking")
    listed = [r for r in rows if r and r[1] in {e["entrant"] for e in ranking["entries"]}]
    assert [r[1] for r in listed] == [e["entrant"] for e in ranking["entries"]]
    assert [Decimal(str(r[4])) for r in listed] == [Decimal(e["final"]) for e in ranking["entries"]]
    assert ["发布单位", "嘎鲁图镇"] in [r[:2] for r in rows] and ["发布日期", period["published_on"]] in [r[:2] for r in rows]
    html = _fetch(admin, "notice.html").decode("utf-8")
    start, end = (date.fromisoformat(period[k]) for k in ("start", "end"))
    assert f"公示时间：</b>{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日" in html
    assert f"截至 {end.year}年{end.month}月{end.day}日" in html  # until when objections are taken
    contact = admin.get("/api/contests/wushen-2025")["contact"]
    assert f"受理方式：{escape(contact)}" in html and "匿名异议不予受理" in html
    published = date.fromisoformat(period["published_on"])
    assert f"<div class='sign'>嘎鲁图镇<br>{published.year}年{published.month}月{published.day}日</div>" in html
    english = admin.call("GET", f"/api/rounds/{ROUND}/documents/notice.html?lang=en").get_data(as_text=True)
    assert "publicity" in english.lower() and period["end"] in english and "：" not in english.split("<body>")[1][:400]


def test_the_command_line_writes_the_same_cells_as_the_service(documents: Any, tmp_path: Path) -> None:
    app, admin, _ = documents
    for name in ("score-sheet.xlsx", "notice.xlsx"):
        out = tmp_path / name
        kind = name.split(".")[0]
        done = subprocess.run([sys.executable, "-m", "api.cli.main", "--db", app.store.url, "document", kind, ROUND,
                               "--out", str(out)], check=False, capture_output=True, text=True, cwd=ROOT,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        assert _cells(out.read_bytes()) == _cells(_fetch(admin, name))
