"""The official documents say what the read side says: the score sheet (every judge's
marks, what the panel left out, the event ids, final, rank, award, the seal and the
checkpoint) and the publicity notice (the period and where to object), as .xlsx and as
printable HTML, over HTTP and from ``leitai document`` - the same cells either way."""

from __future__ import annotations

import io
from html import escape
import re
import subprocess
import sys
import time
from collections.abc import Iterator
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


def test_the_score_sheet_holds_every_mark_every_left_out_sheet_and_what_pins_it(documents: Any) -> None:
    _, admin, _ = documents
    board = admin.get(f"/api/rounds/{ROUND}/board")
    ranking = admin.get(f"/api/rounds/{ROUND}/ranking")
    rows = _cells(_fetch(admin, "score-sheet.xlsx"))
    by_entrant: dict[str, list[list[Any]]] = {}
    current = None
    for row in rows:
        if row and isinstance(row[3], str) and row[7] and re.fullmatch(rf"{ROUND}#\d+", str(row[7])):
            current = row[1] or current
            by_entrant.setdefault(current, []).append(row)
    assert set(by_entrant) == {e["entrant"] for e in ranking["entries"]}
    for entry in ranking["entries"]:
        explained = admin.get(f"/api/rounds/{ROUND}/entrants/{entry['entrant']}/explanation")
        sheet_rows = by_entrant[entry["entrant"]]
        assert sheet_rows[0][8] == entry["final"]  # the final as the rulebook rounds it
        assert str(sheet_rows[0][0]).rstrip("=") == str(entry["rank"])
        assert [r[7] for r in sheet_rows] == [s["event"] for s in explained["sheets"]]
        assert [r[3] for r in sheet_rows] == [s["judge"] for s in explained["sheets"]]
        assert [bool(r[6]) for r in sheet_rows] == [bool(s["dropped"]) for s in explained["sheets"]]
        for row, sheet in zip(sheet_rows, explained["sheets"], strict=True):
            assert row[4] == " ".join(f"{k}={v}" for k, v in sheet["marks"].items())
    assert sum(bool(r[6]) for rs in by_entrant.values() for r in rs) > 0  # the panel left some out
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
    dropped = sum(bool(r[6]) for rs in by_entrant.values() for r in rs)
    assert html.count("<tr class='dropped'>") == dropped
    assert board["seal"] in html and escape(str(note), quote=True) in html
    assert "<svg" in html and "<title>checkpoint</title>" in html  # the same checkpoint as a QR code
    assert "删除线表示按计分规则去掉的评分" in html


def test_the_notice_gives_the_period_and_where_to_object(documents: Any) -> None:
    _, admin, _ = documents
    publicity = admin.get(f"/api/rounds/{ROUND}")["publicity"]
    period = publicity["current"]
    rows = _cells(_fetch(admin, "notice.xlsx"))
    assert ["公示期", period["start"], period["end"]] in [r[:3] for r in rows]
    ranking = admin.get(f"/api/rounds/{ROUND}/ranking")
    listed = [r for r in rows if r and r[1] in {e["entrant"] for e in ranking["entries"]}]
    assert [r[1] for r in listed] == [e["entrant"] for e in ranking["entries"]]
    assert [r[4] for r in listed] == [e["final"] or "-" for e in ranking["entries"]]
    html = _fetch(admin, "notice.html").decode("utf-8")
    assert f"公示期为 {period['start']} 至 {period['end']}" in html
    assert "匿名异议不予受理" in html
    english = admin.call("GET", f"/api/rounds/{ROUND}/documents/notice.html?lang=en").get_data(as_text=True)
    assert "publicity" in english.lower() and period["end"] in english


def test_the_command_line_writes_the_same_cells_as_the_service(documents: Any, tmp_path: Path) -> None:
    app, admin, _ = documents
    for name in ("score-sheet.xlsx", "notice.xlsx"):
        out = tmp_path / name
        kind = name.split(".")[0]
        done = subprocess.run([sys.executable, "-m", "api.cli.main", "--db", app.store.url, "document", kind, ROUND,
                               "--out", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert done.returncode == 0, done.stderr
        assert _cells(out.read_bytes()) == _cells(_fetch(admin, name))
