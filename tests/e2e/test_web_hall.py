"""The hall's big screen and the public results pages as a person reads them (issue 15,
items 1, 5 and 7), in Debian's Chromium against ``leitai serve`` on the demo contest (the
``server`` fixture of test_web.py: this module gets a server of its own).

Each test measures what the eye meets: the contrast of the round's title on its banner, the
screen's dark ground under the last row, the 并列 badge on one line, the township's name on a
township's screen, 晋级 apart from 奖项, the update time in the page's language, and on a
390 px phone tables that fit or scroll in their own box with no cell narrower than two
characters. Screenshots go to tests/artifacts/screenshots (hall-*.png).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e import test_web
from tests.e2e.test_web import _api, _context, _shot, _sign_in, _token

server = test_web.server  # the fixtures, module-scoped: this module's own server and browser
browser = test_web.browser

TOWNSHIPS = {  # the demo's township rounds and the townships they belong to
    "R-GL-2025-05": "嘎鲁图镇", "R-WSZ-2025-05": "乌审召镇", "R-TK-2025-05": "图克镇",
    "R-WL-2025-05": "乌兰陶勒盖镇", "R-WD-2025-05": "无定河镇", "R-SLD-2025-05": "苏力德苏木",
}
FINAL = "R-WS-FINAL-2025"  # the banner's (county) final: published, with prizes
HALL = {"width": 1920, "height": 1080}
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

# the colour a person sees behind an element: its own background or the first ancestor's
# that is not transparent, translucent layers laid over what is under them
COLOURS = """
window.hallColour = (text) => {
  const m = text.match(/rgba?\\(([^)]+)\\)/);
  if (!m) throw new Error('colour not understood: ' + text);
  const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
  return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
};
window.hallGround = (el) => {
  const layers = [];
  for (let e = el; e; e = e.parentElement) {
    const c = hallColour(getComputedStyle(e).backgroundColor);
    if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
  }
  let under = [255, 255, 255];  // the canvas
  for (const c of layers.reverse()) under = [0, 1, 2].map(i => c[i] * c[3] + under[i] * (1 - c[3]));
  return under;
};
window.hallLuminance = (rgb) => {
  const [r, g, b] = rgb.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
window.hallContrast = (el) => {
  const ground = hallGround(el);
  const c = hallColour(getComputedStyle(el).color);
  const ink = [0, 1, 2].map(i => c[i] * c[3] + ground[i] * (1 - c[3]));
  const [a, b] = [hallLuminance(ink), hallLuminance(ground)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
};
window.hallLines = (el) => {  // how many lines an element's text takes
  const range = document.createRange();
  range.selectNodeContents(el);
  const boxes = [...range.getClientRects()].filter(r => r.width > 0).sort((a, b) => a.top - b.top);
  let lines = 0, bottom = -Infinity;  // boxes that overlap from top to bottom share a line
  for (const r of boxes) {
    if (r.top >= bottom - 2) { lines += 1; bottom = r.bottom; } else bottom = Math.max(bottom, r.bottom);
  }
  return lines;
};
"""


def _open(browser: Browser, server: str, viewport: dict[str, int], path: str, lang: str,
          locale: str = "zh-CN", who: str | None = None) -> Page:
    context = browser.new_context(base_url=server, viewport=viewport, locale=locale)
    context.set_default_timeout(15_000)
    context.add_init_script(COLOURS)
    page = _sign_in(context, who, lang) if who else context.new_page()
    page.goto(f"{path}?lang={lang}")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN" if lang == "zh" else "en")
    return page


def _size(viewport: dict[str, int]) -> str:
    return f"{viewport['width']}x{viewport['height']}"


def _close(page: Page) -> None:
    page.context.close()


# -- 1. the round's title on its banner ----------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=_size)
@pytest.mark.parametrize("path", [f"/results/{FINAL}", "/results/R-GL-2025-05", f"/screen/{FINAL}",
                                  "/screen/R-GL-2025-05"])
def test_the_round_title_is_legible_on_its_banner(browser: Browser, server: str, path: str,
                                                   viewport: dict[str, int], lang: str) -> None:
    """WCAG AA: the title, the township line and the state badge stand out from the ground they
    are drawn on by at least 4.5:1 (published: was near-black on dark blue; final: on near-black)."""
    page = _open(browser, server, viewport, path, lang)
    found = page.evaluate("""() => ['.banner h1', '.banner-unit', '.banner-unit .unit', '.banner .state'].map(s => {
        const el = document.querySelector(s);
        return [s, el ? hallContrast(el) : null, el ? getComputedStyle(el).color : null,
                el ? hallGround(el).map(Math.round).join(',') : null];
    })""")
    _shot(page, f"hall-title{path.replace('/', '_')}-{_size(viewport)}-{lang}", full_page=False)
    _close(page)
    for selector, contrast, colour, ground in found:
        assert contrast is not None, f"{path}: no {selector}"
        assert contrast >= 4.5, f"{path} {selector}: {colour} on rgb({ground}) is {contrast:.2f}:1, below 4.5:1"


# -- 5. the big screen ---------------------------------------------------------------------------


@pytest.mark.parametrize(("viewport", "rows"), [(HALL, None), (LAPTOP, 3)], ids=["1920x1080", "1366x768-3rows"])
def test_the_big_screens_dark_ground_fills_the_screen(browser: Browser, server: str, viewport: dict[str, int],
                                                      rows: int | None) -> None:
    """Under the last row, to the screen's bottom edge and across it, the dark ground (not the
    pages' light grey), however few rows the round has."""
    page = _open(browser, server, viewport, "/screen/R-GL-2025-05", "zh")
    if rows is not None:  # a round of a few entrants
        page.evaluate(f"() => [...document.querySelectorAll('table.board tbody tr')].slice({rows}).forEach(r => r.remove())")
    seen = page.evaluate("""() => {
        const h = innerHeight, w = innerWidth, body = document.body.getBoundingClientRect();
        const points = [[5, h - 2], [w / 2, h - 2], [w - 5, h - 2], [5, h / 2 + h / 4], [w - 5, h - 40]];
        return {body: [body.top, body.bottom, body.left, body.right], h, w,
                grounds: points.map(([x, y]) => {
                    const el = document.elementFromPoint(x, y);
                    const ground = hallGround(el);
                    return [x, y, el.tagName, hallLuminance(ground), ground.map(Math.round).join(',')];
                })};
    }""")
    _shot(page, f"hall-screen-ground-{_size(viewport)}{'-few' if rows else ''}", full_page=False)
    _close(page)
    top, bottom, left, right = seen["body"]
    assert top <= 0 and bottom >= seen["h"] and left <= 0 and right >= seen["w"], f"the page's box {seen}"
    for x, y, tag, luminance, ground in seen["grounds"]:
        assert luminance < 0.05, f"at ({x}, {y}) the ground is rgb({ground}) ({tag}), not the screen's dark blue"


def _a_tied_round(server: str) -> str:
    """R-WEB-CLOSE (test_web.py's round with every sheet in, still open): its entrants 1 and 4 are
    marked alike by every judge, so they tie. Only its organizers see it."""
    board = _api(server, "/api/rounds/R-WEB-CLOSE/board", _token(server, "county"))
    assert any(e["tied"] for e in board["entries"]), board["entries"]
    return "R-WEB-CLOSE"


@pytest.mark.parametrize("page_path", ["/screen/{code}", "/results/{code}"])
@pytest.mark.parametrize("viewport", [HALL, LAPTOP, PHONE], ids=_size)
def test_the_tie_badge_stays_on_one_line(browser: Browser, server: str, viewport: dict[str, int],
                                         page_path: str) -> None:
    """"1 并列": the rank and its badge on one line, the badge's two characters side by side."""
    path = page_path.format(code=_a_tied_round(server))
    page = _open(browser, server, viewport, path, "zh", who="county")
    badges = page.evaluate("""() => [...document.querySelectorAll('table.board td.rank')]
        .filter(td => td.querySelector('.tied')).map(td => {
            const badge = td.querySelector('.tied'), box = badge.getBoundingClientRect();
            return {text: td.innerText, height: box.height, font: parseFloat(getComputedStyle(badge).fontSize),
                    boxes: badge.getClientRects().length, badgeLines: hallLines(badge), cellLines: hallLines(td)};
        })""")
    _shot(page, f"hall-tied{path.replace('/', '_')}-{_size(viewport)}", full_page=False)
    _close(page)
    assert badges, f"{path}: no 并列 shown"
    for b in badges:
        assert b["boxes"] == 1 and b["badgeLines"] == 1 and b["height"] < 2 * b["font"], f"{path}: badge broken {b}"
        assert b["cellLines"] == 1, f"{path}: the rank and its badge on {b['cellLines']} lines: {b}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_township_screen_names_its_township_and_level(browser: Browser, server: str, lang: str) -> None:
    """Every township's screen shares the theme 抓党建、促振兴、比先进、争一流: the banner names
    the township and the level too, in sight at the top of the screen."""
    level = "乡镇级" if lang == "zh" else "township"
    context = _context(browser, server, viewport=HALL)
    page = context.new_page()
    for code, township in [*TOWNSHIPS.items(), (FINAL, "乌审旗")]:
        page.goto(f"/screen/{code}?lang={lang}")
        unit = page.locator(".banner .banner-unit")
        expect(unit).to_be_visible()
        expect(unit.locator(".unit")).to_have_text(township)
        expect(unit.locator(".level")).to_have_text(level if code != FINAL else ("县级" if lang == "zh" else "county"))
        box = unit.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= HALL["height"] / 4, box
        assert township in page.title()
        if code == "R-GL-2025-05":
            _shot(page, f"hall-screen-township-{lang}", full_page=False)
    context.close()


def _columns(page: Page) -> dict[str, list[str]]:
    """Each column of the board: its header and the text of its cells."""
    return page.evaluate("""() => {
        const table = document.querySelector('table.board');
        const heads = [...table.querySelectorAll('thead th')].map(th => th.innerText.trim());
        const out = {};
        heads.forEach((h, i) => { out[h] = [...table.querySelectorAll('tbody tr')]
            .map(tr => tr.children[i].innerText.trim()); });
        return out;
    }""")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_promotion_is_not_called_a_prize(browser: Browser, server: str, lang: str) -> None:
    """A township round gives no prizes: its 晋级 / 候补 stand under 晋级, and no column is
    called 奖项; the final's prizes stand under 奖项, with no promotion among them."""
    prize, promotion = ("奖项", "晋级") if lang == "zh" else ("Prize", "Promotion")
    promoted, reserve = ("晋级", "候补") if lang == "zh" else ("promoted", "reserve")
    context = _context(browser, server, viewport=HALL)
    page = context.new_page()
    for code in TOWNSHIPS:
        page.goto(f"/screen/{code}?lang={lang}")
        columns = _columns(page)
        assert prize not in columns, f"{code}: a 奖项 column in a round without prizes: {list(columns)}"
        assert promotion in columns, f"{code}: {list(columns)}"
        outcomes = columns[promotion]
        assert any(promoted in cell for cell in outcomes) and any(reserve in cell for cell in outcomes), outcomes
        others = [cell for head, cells in columns.items() if head != promotion for cell in cells]
        assert not [cell for cell in others if re.search(rf"{promoted}|{reserve}", cell)], columns
    page.goto(f"/screen/{FINAL}?lang={lang}")
    columns = _columns(page)
    assert promotion not in columns, list(columns)
    awards = {cell for cell in columns[prize] if cell}
    # the rule set's prize names, in the page's language (as the organization page shows them)
    assert awards == ({"一等奖", "二等奖", "三等奖"} if lang == "zh" else {"First prize", "Second prize", "Third prize"}), awards
    _shot(page, f"hall-screen-final-{lang}", full_page=False)
    context.close()


@pytest.mark.parametrize(("lang", "locale", "pattern"), [
    ("zh", "en-US", r"\d\d:\d\d:\d\d"),  # a Chinese page in an English browser: 24-hour, no AM/PM
    ("en", "zh-CN", r"\d{1,2}:\d\d:\d\d\s?[AP]M"),  # an English page in a Chinese browser: no 上午/下午
])
def test_the_update_time_reads_in_the_pages_language(browser: Browser, server: str, lang: str, locale: str,
                                                     pattern: str) -> None:
    page = _open(browser, server, HALL, f"/screen/{FINAL}", lang, locale=locale)
    updated = page.locator("#updated")
    expect(updated).not_to_be_empty()
    text = updated.inner_text().strip()
    foot = page.locator(".screen-foot").inner_text()
    _close(page)
    assert re.fullmatch(pattern, text), f"the {lang} page in a {locale} browser says {text!r}"
    assert not re.search(r"[上下]午", text) if lang == "en" else not re.search(r"[AP]M", foot), foot


@pytest.mark.parametrize("path", [f"/screen/{FINAL}", f"/results/{FINAL}"])
def test_the_english_banner_says_each_word_once(browser: Browser, server: str, path: str) -> None:
    """"In publicity until 2025-06-06", not "In publicity publicity until"."""
    page = _open(browser, server, HALL, path, "en")
    state = " ".join(page.locator(".banner-state").inner_text().split())
    _close(page)
    assert re.fullmatch(r"In publicity until \d{4}-\d\d-\d\d", state), state
    assert not re.search(r"\b(\w+)\s+\1\b", state, re.IGNORECASE), state


# -- 7. phones -----------------------------------------------------------------------------------

PHONE_PAGES = ["/results/R-GL-2025-05", "/results/R-SLD-2025-05", f"/results/{FINAL}",
               f"/screen/{FINAL}", "/screen/R-SLD-2025-05"]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path", PHONE_PAGES)
def test_a_results_table_on_a_phone_fits_or_scrolls_in_its_own_box(browser: Browser, server: str, path: str,
                                                                   lang: str) -> None:
    """At 390 x 844: no cell narrower than two characters, headers, ranks, secretaries' names and
    scores on one line each; a table wider than the phone scrolls inside its own box and the
    page itself never scrolls sideways."""
    page = _open(browser, server, PHONE, path, lang)
    found = page.evaluate("""() => {
        const out = {page: [document.documentElement.scrollWidth, innerWidth], tables: []};
        for (const table of document.querySelectorAll('main table.board')) {
            const narrow = [], broken = [];
            for (const cell of table.querySelectorAll('th, td')) {
                const s = getComputedStyle(cell);
                const inner = cell.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
                if (inner < 2 * parseFloat(s.fontSize) - 0.5) narrow.push([cell.innerText, inner, s.fontSize]);
            }
            for (const el of table.querySelectorAll('th, td.rank, td.secretary, td.score, .nm')) {
                if (el.innerText.trim() && hallLines(el) > 1) broken.push(el.innerText);
            }
            let box = table.parentElement;
            while (box && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) box = box.parentElement;
            const wide = table.getBoundingClientRect().width > document.querySelector('main').clientWidth;
            out.tables.push({narrow, broken, wide, box: box ? [box.className, box.scrollWidth, box.clientWidth,
                                                              box.getBoundingClientRect().right] : null});
        }
        return out;
    }""")
    _shot(page, f"hall-phone{path.replace('/', '_')}-{lang}", full_page=True)
    if found["tables"] and found["tables"][0]["box"]:  # and scrolled to its right edge
        page.evaluate("() => { const b = document.querySelector('.board-wrap'); b.scrollLeft = b.scrollWidth; }")
        _shot(page, f"hall-phone{path.replace('/', '_')}-{lang}-scrolled", full_page=False)
    _close(page)
    scroll_width, width = found["page"]
    assert scroll_width <= width, f"{path}: the page scrolls sideways ({scroll_width} > {width})"
    assert found["tables"], f"{path}: no results table"
    for table in found["tables"]:
        assert not table["narrow"], f"{path}: cells narrower than two characters: {table['narrow']}"
        assert not table["broken"], f"{path}: broken inside a word: {table['broken']}"
        if table["wide"]:
            assert table["box"] is not None, f"{path}: a table wider than the phone with no box of its own to scroll"
            _, inner, shown, right = table["box"]
            assert inner > shown and right <= width, f"{path}: {table['box']}"


def test_the_results_list_names_levels_in_words(browser: Browser, server: str) -> None:
    """/results groups the rounds by level: 乡镇级 and 县级 on the Chinese page, not
    "township" and "county"."""
    for lang, words in (("zh", ["乡镇级", "县级"]), ("en", ["township", "county"])):
        page = _open(browser, server, LAPTOP, "/results", lang)
        headings = [h.strip() for h in page.locator("main section h3").all_inner_texts()]
        _shot(page, f"hall-results-{lang}", full_page=False)
        _close(page)
        assert headings and set(headings) <= set(words) and set(words) <= set(headings), headings


# -- screenshots for a person to look at ------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("viewport", [HALL, LAPTOP, PHONE], ids=_size)
def test_screenshots_of_the_hall_and_the_results(browser: Browser, server: str, viewport: dict[str, int],
                                                 lang: str) -> None:
    context = _context(browser, server, viewport=viewport)
    page = context.new_page()
    errors: list[Any] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    for path in ("/screen/R-GL-2025-05", f"/screen/{FINAL}", "/screen/R-WEB-LIVE", "/results",
                 f"/results/{FINAL}", "/results/R-SLD-2025-05"):
        answer = page.goto(f"{path}?lang={lang}")
        assert answer is not None and answer.status == 200, path
        _shot(page, f"hall{path.replace('/', '_')}-{_size(viewport)}-{lang}", full_page=False)
    context.close()
    assert not errors, errors
