"""The score sheet (评分汇总表) and the publicity notice (公示) as an organization
department prints them: the HTML documents of the example contest printed to PDF by a real
headless Chromium (Debian's, driven by Playwright: ``page.pdf``, A4), the PDF read back -
its pages, and the text each page draws (decoded here through the fonts' ToUnicode maps,
no PDF library needed) - and every page written as a PNG to
``tests/artifacts/screenshots/documents`` (or ``$LEITAI_ARTIFACTS``), as Chromium's own PDF
viewer shows it, for people to look at.

What a county official checks on paper: every criterion of the rule set as a column under
its name and maximum, a row per judge, the left-out marks bracketed, each entrant whole on
one page, the signature lines of the panel, the scorer and the supervisor, every page
numbered and initialled, the notice's period, where to object, who issued it and when, and
the signed checkpoint that pins it all.
"""

from __future__ import annotations

import os
import re
import time
import tomllib
import zlib
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from html import unescape
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("LEITAI_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("LEITAI_ARTIFACTS", ROOT / "tests" / "artifacts")) / "screenshots" / "documents"
if os.environ.get("LEITAI_GALLERY"):  # make screenshots: the printed pages join the page gallery
    ARTIFACTS = Path(os.environ["LEITAI_GALLERY"]).resolve() / "documents"
RULES = ROOT / "examples" / "wushen-2025" / "rules"
TOWNSHIP, FINAL = "R-GL-2025-05", "R-WS-FINAL-2025"
# name: (round, document, language, rule set)
DOCUMENTS = {
    "final-score-sheet": (FINAL, "score-sheet", "zh", "county-final-2025"),
    "township-score-sheet": (TOWNSHIP, "score-sheet", "zh", "township-2025"),
    "township-notice": (TOWNSHIP, "notice", "zh", "township-2025"),
    "township-score-sheet-en": (TOWNSHIP, "score-sheet", "en", "township-2025"),
    "township-notice-en": (TOWNSHIP, "notice", "en", "township-2025"),
}

if not Path(CHROMIUM).exists():
    if os.environ.get("LEITAI_REQUIRE_BROWSER") == "1":
        pytest.fail(f"Chromium is not at {CHROMIUM} (LEITAI_REQUIRE_BROWSER=1: install the `chromium` package)",
                    pytrace=False)
    pytest.skip(f"Chromium is not at {CHROMIUM}", allow_module_level=True)

from playwright.sync_api import Browser, sync_playwright

# -- reading a PDF back --------------------------------------------------------------------------


def _objects(pdf: bytes) -> dict[int, bytes]:
    return {int(n): body for n, body in re.findall(rb"(\d+) 0 obj\s*(.*?)\bendobj", pdf, re.DOTALL)}


def _stream(body: bytes) -> bytes:
    start = body.index(b"stream") + len(b"stream")
    raw = body[start:].lstrip(b"\r\n")
    return zlib.decompressobj().decompress(raw) if b"/FlateDecode" in body[:start] else raw


def _to_unicode(cmap: bytes) -> tuple[int, dict[int, str]]:
    """A font's ToUnicode map: the code width in bytes, and code -> text."""
    space = re.search(rb"begincodespacerange\s*<([0-9A-Fa-f]+)>", cmap)
    width = len(space.group(1)) // 2 if space else 2
    table: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.DOTALL):
        for code, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            table[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.DOTALL):
        for low, high, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            first = bytes.fromhex(text.decode()).decode("utf-16-be")
            for code in range(int(low, 16), int(high, 16) + 1):
                table[code] = first[:-1] + chr(ord(first[-1]) + code - int(low, 16))
    return width, table


def pdf_pages(pdf: bytes) -> list[str]:
    """The text each page of a PDF draws, in drawing order (Chromium's PDFs: indirect
    objects, Flate streams, fonts with ToUnicode maps, text in <hex> Tj / [...] TJ)."""
    objects = _objects(pdf)

    def ref(body: bytes, key: bytes) -> int | None:
        found = re.search(rb"/" + key + rb"\s+(\d+) 0 R", body)
        return int(found.group(1)) if found else None

    catalog = next(body for body in objects.values() if re.search(rb"/Type\s*/Catalog\b", body))
    pages: list[bytes] = []

    def walk(node: bytes) -> None:
        kids = re.search(rb"/Kids\s*\[([^\]]*)\]", node)
        assert kids is not None, node[:200]
        for number in re.findall(rb"(\d+) 0 R", kids.group(1)):
            kid = objects[int(number)]
            walk(kid) if re.search(rb"/Type\s*/Pages\b", kid) else pages.append(kid)

    walk(objects[ref(catalog, b"Pages")])  # type: ignore[index]
    out = []
    for page in pages:
        fonts = {}
        listed = re.search(rb"/Font\s*<<(.*?)>>", page, re.DOTALL)
        for name, number in re.findall(rb"/(\w+)\s+(\d+) 0 R", listed.group(1) if listed else b""):
            cmap = ref(objects[int(number)], b"ToUnicode")
            fonts[name] = _to_unicode(_stream(objects[cmap])) if cmap else (1, {})
        contents = re.search(rb"/Contents\s*(\[[^\]]*\]|\d+ 0 R)", page)
        assert contents is not None
        data = b"".join(_stream(objects[int(n)]) for n in re.findall(rb"(\d+) 0 R", contents.group(1)))
        font: tuple[int, dict[int, str]] = (1, {})
        text: list[str] = []
        for op in re.finditer(rb"/(\w+)\s+[-\d.]+\s+Tf|<([0-9A-Fa-f]*)>\s*Tj|\[([^\]]*)\]\s*TJ", data):
            if op.group(1) is not None:
                font = fonts.get(op.group(1), (1, {}))
                continue
            strings = [op.group(2)] if op.group(2) is not None else re.findall(rb"<([0-9A-Fa-f]*)>", op.group(3))
            width, table = font
            for string in strings:
                raw = bytes.fromhex(string.decode())
                text.extend(table.get(int.from_bytes(raw[i:i + width], "big"), "") for i in range(0, len(raw), width))
        out.append("".join(text))
    return out


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


# -- printing the example's documents ---------------------------------------------------------------


def _png_pages(browser: Browser, pdf: Path, pages: int) -> list[Path]:
    """Every page of the PDF as Chromium's PDF viewer shows it, one PNG each."""
    views = []
    for number in range(1, pages + 1):
        view = browser.new_page(viewport={"width": 800, "height": 1131})
        view.goto(f"{pdf.as_uri()}#page={number}&toolbar=0&navpanes=0&view=Fit")
        views.append(view)
    out = []
    for number, view in enumerate(views, start=1):
        deadline, shot, previous = time.monotonic() + 30, b"", None
        while time.monotonic() < deadline:  # the viewer draws the page in its own time: until it stops changing
            view.wait_for_timeout(300)
            shot = view.screenshot()
            if shot == previous and len(shot) > 20_000:  # a blank viewer is a few KB
                break
            previous = shot
        path = pdf.with_name(f"{pdf.stem}-{number}.png")
        path.write_bytes(shot)
        out.append(path)
        view.close()
    return out


def _clipped(browser: Browser, html: str) -> list[str]:
    """What would not fit the printed page's width: tables wider than the text column,
    cells whose content overflows them (Chromium's print layout at A4's width)."""
    page = browser.new_page(viewport={"width": 794, "height": 1123})
    page.emulate_media(media="print")
    page.set_content(html)
    found = page.evaluate("""() => {
        const out = [], right = document.body.getBoundingClientRect().right + 1;
        for (const t of document.querySelectorAll('table'))
            if (t.getBoundingClientRect().right > right) out.push('table ' + t.className + ' ' + t.innerText.slice(0, 40));
        for (const c of document.querySelectorAll('td, th'))
            if (c.scrollWidth > c.clientWidth + 1) out.push('cell ' + c.innerText.slice(0, 40));
        return out;
    }""")
    page.close()
    return list(found)


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The example contest (township rounds published and final, the final closed), its
    documents fetched over HTTP and printed: per document its HTML, PDF, pages' text, PNGs."""
    from api.wiring import open_app
    from domain.services.clock import FixedClock
    from tests.http import Client, add_account, serve, stop
    from tests.integration.test_stores import run_example

    folder = tmp_path_factory.mktemp("print")
    clock = FixedClock("2025-05-20T09:00")
    app = open_app(f"sqlite:///{folder / 'leitai.db'}", clock=clock)
    run_example(app, clock)
    add_account(app, "admin", "admin")
    web = serve(app)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {}
    try:
        admin = Client(web, "admin")
        deadline = time.monotonic() + 60
        while (health := admin.get("/healthz", expect=(200, 503)))["projected"] < health["events"]:
            assert time.monotonic() < deadline, health
            time.sleep(0.05)
        for round_code in (TOWNSHIP, FINAL):
            out[round_code] = {"round": admin.get(f"/api/rounds/{round_code}"),
                               "board": admin.get(f"/api/rounds/{round_code}/board"),
                               "explanations": [admin.get(f"/api/rounds/{round_code}/entrants/{e['entrant']}/explanation")
                                                for e in admin.get(f"/api/rounds/{round_code}/ranking")["entries"]]}
        out["contest"] = admin.get("/api/contests/wushen-2025")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM)
            try:
                for name, (round_code, kind, lang, _) in DOCUMENTS.items():
                    html = admin.call("GET", f"/api/rounds/{round_code}/documents/{kind}.html?lang={lang}").get_data(
                        as_text=True)
                    page = browser.new_page()
                    page.set_content(html)
                    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
                    page.close()
                    path = ARTIFACTS / f"{name}.pdf"
                    for old in ARTIFACTS.glob(f"{name}-*.png"):
                        old.unlink()
                    path.write_bytes(pdf)
                    pages = pdf_pages(pdf)
                    out[name] = {"html": html, "pdf": pdf, "pages": pages, "clipped": _clipped(browser, html),
                                 "png": _png_pages(browser, path, len(pages))}
            finally:
                browser.close()
        yield out
    finally:
        stop(web)
        app.close()


def _criteria(rules: str) -> list[dict[str, Any]]:
    return tomllib.loads((RULES / f"{rules}.toml").read_text("utf-8"))["criteria"]


def _chinese_day(text: str) -> str:
    day = date.fromisoformat(text)
    return f"{day.year}年{day.month}月{day.day}日"


# -- the score sheet ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["final-score-sheet", "township-score-sheet"])
def test_the_printed_score_sheet_has_a_column_per_criterion_and_a_row_per_judge(printed: dict[str, Any],
                                                                                name: str) -> None:
    round_code, _, _, rules = DOCUMENTS[name]
    doc, facts = printed[name], printed[round_code]
    pages = [_flat(t) for t in doc["pages"]]
    whole = "".join(pages)
    criteria = _criteria(rules)
    assert all(_flat(f"{c['name']}满分 {c['max']}") in whole for c in criteria), whole[:600]
    assert _flat(f"合计满分 {sum(c['max'] for c in criteria)}") in whole
    publicity = facts["round"]["publicity"]  # the title block: round, theme, the day its scores were sealed
    day = _chinese_day(publicity["closed_on"]) if publicity else "2025年5月"  # (before publication: its period)
    assert _flat(f"轮次{round_code}{facts['board']['theme']}") in pages[0] and f"日期{day}" in pages[0]
    explanations = facts["explanations"]
    assert 2 <= len(pages) < len(explanations), len(pages)  # the results, then entrants sharing pages
    for x in explanations:
        heading = _flat(f"{x['name']}（{x['entrant']}）")
        on = [i for i, text in enumerate(pages) if heading in text and "评委评分" in text and "#" in text]
        assert len(on) == 1, (x["entrant"], on)  # each entrant whole on one page: its heading, rows, panel mean
        text = pages[on[0]]
        part = text[text.index(heading):]
        for sheet in x["sheets"]:  # a row per judge: name, code, the marks, the event that recorded them
            row = _flat(sheet["judge_name"]) + sheet["judge"]
            assert row in part, (x["entrant"], row)
            assert sheet["event"].removeprefix(round_code) in part
            if sheet["dropped"]:  # what the panel left out, bracketed and said
                assert "]去掉最高分" in part or "]去掉最低分" in part
        assert x["final"] in part
    event = explanations[0]["sheets"][0]["event"]  # the events' numbers explained for auditors
    assert f"{event.removeprefix(round_code)}即本轮次的事件{event}" in whole


@pytest.mark.parametrize("name", ["final-score-sheet", "township-score-sheet"])
def test_the_printed_score_sheet_is_signed_initialled_and_pinned_by_the_checkpoint(printed: dict[str, Any],
                                                                                  name: str) -> None:
    round_code = DOCUMENTS[name][0]
    doc, facts = printed[name], printed[round_code]
    pages = [_flat(t) for t in doc["pages"]]
    signed = next(i for i, text in enumerate(pages) if "评委签字" in text)
    text = pages[signed]
    assert "计分员签字" in text and "监督员签字" in text and "日期" in text
    seated = {(s["judge_name"], s["judge"]) for x in facts["explanations"] for s in x["sheets"]}
    assert all(_flat(f"{judge}（{code}）") in text for judge, code in seated)  # a line for each judge
    for number, text in enumerate(pages, start=1):  # every page numbered and initialled
        assert f"第{number}页，共{len(pages)}页" in text and "本页核对：计分员" in text and "监督员" in text
    note = re.search(r"<pre>(.*?)</pre>", doc["html"], re.DOTALL)
    assert note is not None
    checkpoint = _flat(unescape(note.group(1)))
    assert checkpoint and checkpoint in pages[-1]  # the whole signed checkpoint, on the last page
    assert facts["board"]["seal"] in pages[-1] and "签名树头" in pages[-1]


# -- the notice --------------------------------------------------------------------------------------


def test_the_printed_notice_gives_the_period_where_to_object_the_list_and_who_issued_it(
        printed: dict[str, Any]) -> None:
    doc, facts = printed["township-notice"], printed[TOWNSHIP]
    assert len(doc["pages"]) == 1  # posted on one sheet of A4
    text = _flat(doc["pages"][0])
    period = facts["round"]["publicity"]["current"]
    assert _flat(f"公示时间：{_chinese_day(period['start'])}至{_chinese_day(period['end'])}") in text
    assert _flat(f"截至 {_chinese_day(period['end'])}") in text  # until when
    assert _flat(f"受理方式：{printed['contest']['contact']}") in text  # where and how
    assert "匿名异议不予受理" in text
    assert _flat(f"嘎鲁图镇{_chinese_day(period['published_on'])}附：公示名单") in text  # the issuing unit and date
    listed = text[text.index("附：公示名单"):]
    for e in facts["board"]["entries"]:  # rank, organization, secretary, final, promotion, in order
        promotion = {"promoted": "晋级", "reserve": "候补"}.get(e["promotion"] or "", "")
        row = _flat(f"{e['rank']}{e['name']}{e['entrant']}{e['secretary']}{e['final']}{promotion}")
        assert row in listed, row
        listed = listed[listed.index(row) + len(row):]
    assert "签名树头" in text and facts["board"]["seal"] in text


def test_the_documents_print_in_english_too(printed: dict[str, Any]) -> None:
    sheet = _flat("".join(printed["township-score-sheet-en"]["pages"]))
    criteria = _criteria("township-2025")
    assert all(_flat(f"{c['name']}max {c['max']}") in sheet for c in criteria)
    assert all(_flat(words) in sheet for words in ("Judges' signatures:", "Scorer's signature:",
                                                   "Supervisor's signature:", "Date:", "Checked: scorer"))
    notice = _flat("".join(printed["township-notice-en"]["pages"]))
    period = printed[TOWNSHIP]["round"]["publicity"]["current"]
    assert _flat(f"Publicity period: from {period['start']} to {period['end']}") in notice
    assert "anonymousobjectionsarenothandled" in notice and "：" not in notice[:200]


# -- the paper -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_every_page_is_on_a4_and_in_a_png_and_no_table_is_clipped(printed: dict[str, Any], name: str) -> None:
    doc = printed[name]
    boxes = re.findall(rb"/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]", doc["pdf"])
    assert boxes and all(abs(Decimal(w.decode()) - Decimal(595)) < 2 and abs(Decimal(h.decode()) - Decimal(842)) < 2
                         for w, h in boxes), boxes[:3]  # A4 in points
    assert doc["clipped"] == [], doc["clipped"]
    assert len(doc["png"]) == len(doc["pages"]) and all(p.stat().st_size > 20_000 for p in doc["png"])
    for number, text in enumerate(doc["pages"], start=1):  # the page number in the margin of every page
        said = f"Page{number}of{len(doc['pages'])}" if name.endswith("-en") else f"第{number}页，共{len(doc['pages'])}页"
        assert said in _flat(text), (number, text[:120])
