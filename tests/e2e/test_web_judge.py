"""The judge's phone page (/judge, /judge/<round>) in a real browser (Debian's Chromium,
driven by Playwright) against the real server holding the demo contest and the rounds of
the day of ``tests/e2e/test_web.py`` (issue 15, item 4, and the offline start for judges):

- a round not open for scoring says why in words matching its state (not started; sealed, in
  publicity, final) and, once scoring is over, shows the judge's own sheets to read only: no
  field, no reason, no button;
- a card says 已发送 once the server accepted its sheet, without a reload;
- marks are read as the server reads them (rulebook section 3.1: full-width digits and points
  from a Chinese input method, NFKC) and shown as they will be recorded;
- the total adds the valid marks only and says when the sheet is incomplete;
- a sheet the server already holds tells the judge what to do on the page (更正, with a reason),
  not a command line;
- offline start: a judge who opened the page once with a network opens and fills it without
  one; the sheet goes out with its Idempotency-Key when the network returns and is recorded
  once; the copy kept on the phone holds no session token and belongs to one account.

Screenshots of the phone (390x844) go to ``tests/artifacts/screenshots`` (``judge-fix-*``).
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.e2e import test_web
from tests.e2e.test_web import (
    ARTIFACTS,
    CHROMIUM,
    _api,
    _context,
    _entrants,
    _post,
    _sign_in,
    _submissions,
    _token,
)

server = test_web.server  # the fixture: this module's own server, with the day's rounds

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
LIVE = "R-WEB-LIVE"  # open, scored live; J01 has no sheet in it yet: each test below uses its own entrant


@pytest.fixture(scope="module")
def browser() -> Any:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


def _phone(browser: Browser, server: str, who: str = "judge-j01", lang: str = "zh") -> tuple[BrowserContext, Page]:
    context = _context(browser, server, **PHONE)
    return context, _sign_in(context, who, lang)


def _shot(page: Page, name: str, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"judge-fix-{name}.png"), full_page=full_page)


def _card(page: Page, entrant: str) -> Any:
    return page.locator(f'form.sheet[data-entrant="{entrant}"]')


def _font_px(locator: Any) -> float:
    return float(locator.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))


def _legible(locator: Any, page: Page) -> None:
    """Shown whole on the phone's screen, in letters at least 14 px high, dark on light."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844 and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert _font_px(locator) >= 14
    colour = locator.evaluate("e => getComputedStyle(e).color")
    assert sum(int(c) for c in re.findall(r"\d+", colour)[:3]) < 3 * 128, colour  # dark letters


# -- 1. what a round's state allows ---------------------------------------------------------------

STATES = [  # (round, its state once the test has set it, what the page must say, and must not)
    ("R-WEB-KEYS", "scheduled", "尚未开放打分：本轮开始评分后才能提交评分表。", "评分已结束"),
    ("R-WEB-CLOSE", "closed", "评分已结束：本轮已封存，不能再提交或更正评分表。", "尚未开放打分"),
    ("R-WS-FINAL-2025", "published", "评分已结束：本轮结果公示中，不能再提交或更正评分表。", "尚未开放打分"),
    ("R-GL-2025-05", "final", "评分已结束：本轮结果已确定，不能再提交或更正评分表。", "尚未开放打分"),
]


def test_a_round_not_open_says_why_in_words_matching_its_state(browser: Browser, server: str) -> None:
    """It used to say 尚未开放打分 (not yet open) for a sealed, published or final round, with a
    reason field and a greyed 更正 button; now each state says what it is, and a round whose
    scoring is over shows the judge's own sheets to read, nothing to type or press."""
    county = _token(server, "county")
    if _api(server, "/api/rounds/R-WEB-CLOSE", county)["status"] == "open":
        assert _post(server, "/api/rounds/R-WEB-CLOSE/close", county, {})["seal"]
    context, page = _phone(browser, server)
    for code, status, says, never in STATES:
        assert _api(server, f"/api/rounds/{code}", county)["status"] == status
        page.goto(f"/judge/{code}")
        note = page.locator("#round-note")
        expect(note).to_have_text(says)
        _legible(note, page)
        main = page.locator("main").inner_text()
        assert never not in main, (code, main)
        expect(page.locator("#judging input")).to_have_count(0)  # no mark, no reason
        expect(page.locator("#judging button")).to_have_count(0)  # no 提交, no 更正
        expect(page.locator("#judging form")).to_have_count(0)
        if status == "scheduled":
            entrants = _api(server, f"/api/rounds/{code}/board", county)["entries"]
            expect(page.locator("ol.running-order li")).to_have_count(len(entrants))
        else:  # the judge's own sheets, each mark in a table, read only
            sheets = [s for s in _api(server, f"/api/rounds/{code}/sheets", county) if s["judge"] == "J01"]
            assert sheets, code
            expect(page.locator("section.sheet-read")).to_have_count(len(sheets))
            first = sheets[0]
            table = page.locator(f'section.sheet-read[data-entrant="{first["entrant"]}"] table')
            for mark in first["marks"].values():
                expect(table).to_contain_text(mark)
            total = sum((Decimal(v) for v in first["marks"].values()), Decimal(0))
            expect(table.locator("tfoot")).to_contain_text(str(total))
        _shot(page, f"after-{status}")
    page.goto("/judge/R-WEB-CLOSE?lang=en")
    expect(page.locator("#round-note")).to_have_text(
        "Scoring is over: this round is sealed; sheets can no longer be submitted or corrected.")
    expect(page.locator("section.sheet-read table").first).to_contain_text("Criterion")
    _shot(page, "after-closed-en")
    context.close()


# -- 2. the card follows its sheet ----------------------------------------------------------------


def test_the_card_says_sent_once_the_server_accepted_the_sheet(browser: Browser, server: str) -> None:
    """It used to keep 待发送 (waiting to be sent) while the outbox said 已发送, until a reload."""
    entrant = _entrants(server, LIVE)[1]
    context, page = _phone(browser, server)
    page.goto(f"/judge/{LIVE}")
    card = _card(page, entrant)
    for field, value in zip(card.locator(".marks input").all(), ["25", "20", "12", "12", "11.5"], strict=True):
        field.fill(value)
    expect(card.locator("output[name=total]")).to_have_text("80.5")
    card.locator("button[type=submit]").click()
    state = card.locator(".sheet-state")
    expect(state).to_have_text("已发送")  # it said 待发送 until a reload
    expect(state).to_have_attribute("data-state", "sent")
    expect(page.locator(f'#outbox-list li[data-entrant="{entrant}"]')).to_have_attribute("data-state", "sent")
    assert _submissions(server, LIVE, "J01", entrant) == 1
    # the card is now the sheet the server holds: a change to it is a correction, with its reason
    expect(card.locator("h2 .badge")).to_have_text("已提交")
    expect(card.locator("button[type=submit]")).to_have_text("更正")
    expect(card.locator("input[name=reason]")).to_be_visible()
    card.scroll_into_view_if_needed()
    _legible(state, page)
    _shot(page, "after-sent")
    context.close()


# -- 3. marks read as the server reads them -------------------------------------------------------

TYPED = [
    "２８．５", "２８.５", "28.50", "２８．５０", "+28", " 28 ", "\u300028\u3000", "2.85e1", "28.", ".5", "-0", "0",
    "２８。５", "28,5", "٢٨", "1_0", "30.5", "-1", "－１", "28.55", "abc", "NaN", "Infinity", "0x1A", "1e400", "30",
]


def _server_reads(typed: str, maximum: int, decimals: int) -> str | None:
    """What the server records for a mark (domain.numbers, as Round._check_marks checks it), or
    None if it refuses it."""
    from domain.numbers import NotANumber, canonical, decimal_places, parse_decimal

    try:
        value = parse_decimal(typed)
    except NotANumber:
        return None
    if value < 0 or Fraction(value) > maximum or decimal_places(value) > decimals:
        return None
    return canonical(value)


def test_marks_are_read_as_the_server_reads_them_full_width_digits_included(browser: Browser, server: str) -> None:
    """２８．５ typed with a Chinese input method used to be refused as 不是数字 (not a number):
    the page now accepts exactly what the server accepts, refuses what it refuses, and shows
    the value as it will be recorded."""
    entrant = _entrants(server, LIVE)[2]
    context, page = _phone(browser, server)
    page.goto(f"/judge/{LIVE}")
    card = _card(page, entrant)
    party = card.locator('input[name="party"]')  # 基层党建, at most 30, one decimal
    error = card.locator(".field-error").first
    wrong = []
    for typed in TYPED:
        party.fill(typed)
        party.blur()
        expected = _server_reads(typed, 30, 1)
        invalid = party.get_attribute("aria-invalid") == "true"
        shown = party.input_value()
        if expected is None and not invalid:
            wrong.append(f"{typed!r}: the server refuses it, the page took it as {shown!r}")
        elif expected is not None and (invalid or shown != expected):
            wrong.append(f"{typed!r}: the server records {expected!r}, the page shows {shown!r} "
                         f"({error.inner_text() or 'no error'})")
    assert not wrong, wrong

    party.fill("２８．５")
    expect(error).to_have_text("")
    card.locator('input[name="industry"]').fill("２０")
    card.locator('input[name="ecology"]').fill("１２.５")
    card.locator('input[name="culture"]').fill("12")
    card.locator('input[name="governance"]').fill("１１")
    expect(card.locator("output[name=total]")).to_have_text("84.0")
    card.scroll_into_view_if_needed()
    _shot(page, "after-full-width-typed")
    card.locator("button[type=submit]").click()
    expect(card.locator(".sheet-state")).to_have_attribute("data-state", "sent")
    expect(party).to_have_value("28.5")  # shown as recorded
    expect(card.locator('input[name="ecology"]')).to_have_value("12.5")
    county = _token(server, "county")
    recorded = [s for s in _api(server, f"/api/rounds/{LIVE}/sheets", county)
                if s["judge"] == "J01" and s["entrant"] == entrant]
    assert [s["marks"] for s in recorded] == [{"party": "28.5", "industry": "20", "ecology": "12.5",
                                               "culture": "12", "governance": "11"}]
    party.fill("２８。５")  # the ideographic full stop is not a decimal point, for the server either
    party.blur()
    expect(error).to_have_text("不是数字")
    _shot(page, "after-full-width-sent")
    context.close()


# -- 4. the total ---------------------------------------------------------------------------------


def test_the_total_adds_only_valid_marks_and_says_when_it_is_incomplete(browser: Browser, server: str) -> None:
    """45 over a maximum of 30 and 22.5 used to show 合计 67.5; an invalid mark is not added,
    and the total says the sheet is incomplete, in red."""
    entrant = _entrants(server, LIVE)[3]
    context, page = _phone(browser, server)
    page.goto(f"/judge/{LIVE}")
    card = _card(page, entrant)
    total, note = card.locator("output[name=total]"), card.locator(".total-note")
    fields = card.locator(".marks input")
    fields.nth(0).fill("45")  # 基层党建: at most 30
    fields.nth(1).fill("22.5")
    expect(card.locator(".field-error").first).to_have_text("超过最高分 30")
    expect(total).to_have_text("22.5")  # it said 67.5
    expect(total).to_have_attribute("data-complete", "no")
    expect(note).to_have_text("不完整：1 项分数无效，未计入合计")
    assert "error-text" in (note.get_attribute("class") or "")
    fields.nth(2).fill("abc")
    fields.nth(3).fill("12.55")  # too many decimals
    expect(total).to_have_text("22.5")
    expect(note).to_have_text("不完整：3 项分数无效，未计入合计")
    card.scroll_into_view_if_needed()
    _legible(note, page)
    _shot(page, "after-total-invalid")
    card.locator("button[type=submit]").click()  # refused on the page, nothing queued
    expect(card.locator(".sheet-state")).to_have_text("请先改正标红的分数。")
    expect(page.locator(f'#outbox-list li[data-entrant="{entrant}"]')).to_have_count(0)

    fields.nth(0).fill("25")
    fields.nth(2).fill("10")
    fields.nth(3).fill("12.5")
    expect(total).to_have_text("70.0")
    expect(note).to_have_text("不完整：还有 1 项未填")
    fields.nth(4).fill("9.5")
    expect(total).to_have_text("79.5")
    expect(total).to_have_attribute("data-complete", "yes")
    expect(note).to_have_text("")
    _shot(page, "after-total-complete")
    expect(_card(page, _entrants(server, LIVE)[-1]).locator("output[name=total]")).to_have_text("—")  # nothing typed
    page.goto(f"/judge/{LIVE}?lang=en")
    card = _card(page, entrant)
    card.locator(".marks input").nth(0).fill("31")
    expect(card.locator(".total-note")).to_have_text("incomplete: 1 invalid mark(s) not counted")
    context.close()


# -- 5. a sheet the server already holds ----------------------------------------------------------


def test_a_duplicate_sheet_tells_the_judge_to_correct_it_on_the_page(browser: Browser, server: str) -> None:
    """The API says to run `leitai correct` (meant for the command line); the page says, in
    words, to give a reason and press 更正 here, and turns the card into a correction."""
    entrant = _entrants(server, LIVE)[4]
    context, page = _phone(browser, server)
    page.goto(f"/judge/{LIVE}")
    card = _card(page, entrant)
    expect(card.locator("button[type=submit]")).to_have_text("提交")
    # meanwhile the same judge's sheet arrives from elsewhere (another phone, a clerk's import)
    marks = {"party": "20", "industry": "20", "ecology": "10", "culture": "10", "governance": "10"}
    _post(server, f"/api/rounds/{LIVE}/sheets", _token(server, "judge-j01"), {"entrant": entrant, "marks": marks})
    for field, value in zip(card.locator(".marks input").all(), ["21", "20", "10", "10", "10"], strict=True):
        field.fill(value)
    card.locator("button[type=submit]").click()
    state = card.locator(".sheet-state")
    expect(state).to_contain_text("请在本页填写更正原因后点「更正」")
    expect(state).to_have_attribute("data-state", "refused")
    main = page.locator("main").inner_text()
    assert "leitai" not in main and "`" not in main, main
    expect(card.locator("button[type=submit]")).to_have_text("更正")
    expect(card.locator("input[name=reason]")).to_be_visible()
    card.scroll_into_view_if_needed()
    _legible(state, page)
    _shot(page, "after-duplicate")
    card.locator("input[name=reason]").fill("现场复核，基层党建改为 21 分")
    card.locator("button[type=submit]").click()
    expect(state).to_have_attribute("data-state", "sent")
    sheets = [s for s in _api(server, f"/api/rounds/{LIVE}/sheets", _token(server, "county"))
              if s["judge"] == "J01" and s["entrant"] == entrant]
    assert len(sheets) == 1 and sheets[0]["marks"]["party"] == "21"
    assert [h["kind"] for h in sheets[0]["history"]] == ["submitted", "corrected"]
    context.close()


# -- 6. offline start -----------------------------------------------------------------------------


def _saved(page: Page, path: str, seconds: float = 15) -> None:
    """Wait until the service worker has kept its copy of the page."""
    deadline = time.time() + seconds
    while not page.evaluate("async p => !!(await caches.match(p, {ignoreVary: true}))", path):
        assert time.time() < deadline, f"{path} was not kept on the phone"
        time.sleep(0.2)


def _kept(page: Page) -> dict[str, list[str]]:
    """Every cache of the origin and the addresses it holds."""
    return dict(page.evaluate("""async () => {
        const out = {};
        for (const name of await caches.keys())
            out[name] = (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
        return out; }"""))


def _forgotten(page: Page, seconds: float = 10) -> None:
    """Wait until the phone keeps no judge's page any more."""
    deadline = time.time() + seconds
    while [name for name in _kept(page) if name.startswith("leitai-judge:")]:
        assert time.time() < deadline, _kept(page)
        time.sleep(0.2)


def test_the_service_worker_is_served_for_the_judge_pages_and_never_kept(server: str) -> None:
    with urllib.request.urlopen(server + "/judge/sw.js", timeout=10) as r:
        assert r.headers["Content-Type"].startswith("text/javascript")
        assert r.headers["Cache-Control"] == "no-cache"
        assert r.headers["Service-Worker-Allowed"] == "/judge"
        text = r.read().decode("utf-8")
    assert "leitai-judge:" in text and "leitai-token" in text
    with urllib.request.urlopen(server + "/judge", timeout=10) as r:  # the pages' policy lets it run
        policy = r.headers["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.split()}
    allowed = directives.get("worker-src") or directives.get("script-src") or directives["default-src"]
    assert "'self'" in allowed, policy


def test_a_judge_who_opened_the_page_once_opens_and_fills_it_offline(browser: Browser, server: str) -> None:
    entrant = _entrants(server, LIVE)[5]
    context, page = _phone(browser, server)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"/judge/{LIVE}")  # once, with a network
    _saved(page, f"/judge/{LIVE}")
    copy = page.evaluate("async p => (await caches.match(p, {ignoreVary: true})).text()", f"/judge/{LIVE}")
    assert '<meta name="leitai-token"' not in copy, "the session token was kept on the phone"
    assert '<meta name="leitai-offline-copy"' in copy
    kept = _kept(page)
    assert list(kept) == ["leitai-judge:judge-j01"], kept  # one account's copies
    assert all(re.fullmatch(r"/judge(/[^/]+)?", path) for paths in kept.values() for path in paths), kept
    page.close()

    context.set_offline(True)  # the venue has no network; the judge opens the page again
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    sent: list[Any] = []
    page.on("request", lambda r: sent.append(r) if r.method == "POST" and "/sheets" in r.url else None)
    answer = page.goto(f"/judge/{LIVE}")
    assert answer is not None and answer.status == 200
    banner = page.locator("#offline-copy")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("未联网：这是本机保存的本页")
    expect(page.locator("#offline-copy-time")).not_to_be_empty()
    _legible(banner, page)
    _shot(page, "after-offline-opened")
    card = _card(page, entrant)
    for field, value in zip(card.locator(".marks input").all(), ["２６", "19.5", "13", "12", "12"], strict=True):
        field.fill(value)
    expect(card.locator("output[name=total]")).to_have_text("82.5")
    card.locator("button[type=submit]").click()
    item = page.locator(f'#outbox-list li[data-entrant="{entrant}"]')
    expect(item).to_have_attribute("data-state", "pending")
    expect(card.locator(".sheet-state")).to_have_text("待发送")
    expect(page.locator("#offline")).to_be_visible()
    card.scroll_into_view_if_needed()
    _shot(page, "after-offline-queued")
    queued = page.evaluate(f"() => JSON.parse(localStorage.getItem('leitai-outbox:{LIVE}:J01'))")
    pending = [i for i in queued if i["entrant"] == entrant]
    assert len(pending) == 1 and pending[0]["state"] == "pending" and pending[0]["key"]
    assert pending[0]["marks"]["party"] == "26"
    assert _submissions(server, LIVE, "J01", entrant) == 0

    context.set_offline(False)  # the network is back: the sheet goes out by itself
    expect(item).to_have_attribute("data-state", "sent", timeout=20_000)
    expect(card.locator(".sheet-state")).to_have_text("已发送")
    expect(banner).to_be_hidden()  # no longer 未联网
    expect(page.locator("#offline")).to_be_hidden()
    assert _submissions(server, LIVE, "J01", entrant) == 1
    arrived = [r for r in sent if json.loads(r.post_data or "{}").get("entrant") == entrant]
    assert arrived and {r.headers.get("idempotency-key") for r in arrived} == {pending[0]["key"]}
    # the same request again with that key: the server's kept answer, nothing recorded twice
    request = urllib.request.Request(server + f"/api/rounds/{LIVE}/sheets", method="POST",
                                     data=arrived[-1].post_data_buffer,
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {_token(server, 'judge-j01')}",
                                              "Idempotency-Key": pending[0]["key"]})
    with urllib.request.urlopen(request, timeout=30) as r:
        assert r.headers["Idempotent-Replayed"] == "true"
    assert _submissions(server, LIVE, "J01", entrant) == 1
    _shot(page, "after-offline-sent")
    assert not errors, errors
    context.close()


def test_a_second_judge_on_the_same_phone_never_sees_the_first_ones_page(browser: Browser, server: str) -> None:
    context, page = _phone(browser, server)
    page.goto(f"/judge/{LIVE}")
    _saved(page, f"/judge/{LIVE}")
    # signing out on the judge's page takes the copies with the session
    page.locator('header form[action="/logout"] button').click()
    page.wait_for_url(re.compile(r"/(\?.*)?$"))
    assert not [name for name in _kept(page) if name.startswith("leitai-judge:")]  # gone before the page left

    page = _sign_in(context, "judge-j01")
    page.goto("/judge")  # the list keeps the pages of the rounds open for scoring, too
    _saved(page, f"/judge/{LIVE}")
    _saved(page, "/judge/R-WEB-BLIND")
    assert set(_kept(page)["leitai-judge:judge-j01"]) >= {"/judge", f"/judge/{LIVE}", "/judge/R-WEB-BLIND"}
    # signed out elsewhere (the home page): the copies go all the same (leitai.js)
    page.goto("/")
    with page.expect_navigation():  # from "/" back to "/": wait for the new page, not the URL (already "/")
        page.locator('header form[action="/logout"] button').click()
    page.wait_for_load_state()
    assert not [name for name in _kept(page) if name.startswith("leitai-judge:")]
    # then another judge signs in on the same phone: J01's pages were never there for them
    page = _sign_in(context, "judge-j01")
    page.goto("/judge")
    _saved(page, "/judge")
    page.goto("/")
    page.evaluate("() => { document.querySelector('header form[action=\"/logout\"]').submit(); }")  # no script's help
    page.wait_for_url(re.compile(r"/(\?.*)?$"))
    page = _sign_in(context, "judge-j06")
    answer = page.goto(f"/judge/{LIVE}")  # refused to J06: nothing of J01's is kept any more
    assert answer is not None and answer.status == 403
    _forgotten(page)
    page.goto("/judge")  # J06 sits on the demo's rounds, not on R-WEB-LIVE
    expect(page.locator("main")).to_contain_text("R-WS-FINAL-2025 · J06")
    expect(page.locator("main")).not_to_contain_text(LIVE)
    _saved(page, "/judge")
    assert list(_kept(page)) == ["leitai-judge:judge-j06"], _kept(page)  # the first judge's copies are gone

    context.set_offline(True)
    page = context.new_page()
    page.goto(f"/judge/{LIVE}")  # the first judge's page: not on this phone any more
    expect(page.locator("h1")).to_have_text("未联网")
    assert "评委 J01" not in page.content() and "J01" not in page.locator("body").inner_text()
    _shot(page, "after-offline-not-kept")
    page.goto("/judge")  # the second judge's own list
    expect(page.locator("#offline-copy")).to_be_visible()
    expect(page.locator("main")).to_contain_text("R-WS-FINAL-2025 · J06")
    expect(page.locator("main")).not_to_contain_text(LIVE)
    _shot(page, "after-offline-list")
    context.set_offline(False)
    context.close()


def test_a_sign_in_page_instead_of_the_judges_page_forgets_the_copies(browser: Browser, server: str) -> None:
    """The session over (or signed out where the page cannot see it): the server answers the
    judge's page with the sign-in page, and the worker forgets every copy."""
    context, page = _phone(browser, server)
    page.goto(f"/judge/{LIVE}")
    _saved(page, f"/judge/{LIVE}")
    context.clear_cookies()  # the session cookie is gone, as after it expires
    page.goto(f"/judge/{LIVE}")
    page.wait_for_url(re.compile(r"/login\?next="))
    _forgotten(page)
    context.close()


def test_the_page_in_english_says_the_same(browser: Browser, server: str) -> None:
    context, page = _phone(browser, server, lang="en")
    page.goto(f"/judge/{LIVE}?lang=en")
    _saved(page, f"/judge/{LIVE}")
    context.set_offline(True)
    page = context.new_page()
    page.goto(f"/judge/{LIVE}")
    expect(page.locator("#offline-copy")).to_contain_text("Offline: this is the copy of this page kept on this device")
    _shot(page, "after-offline-opened-en")
    context.set_offline(False)
    context.close()


def test_a_session_that_ran_out_leaves_nothing_for_the_next_judge(browser: Browser, server: str) -> None:
    """J01's session simply ends (no signing out: the cookie is gone), J06 signs in on the same
    phone: the first page the server sends for J06 deletes J01's copies, so that J06, offline or
    on a slow line, is never shown J01's page (J01's marks, the round still blind)."""
    context, page = _phone(browser, server)
    page.goto(f"/judge/{LIVE}")
    _saved(page, f"/judge/{LIVE}")
    context.clear_cookies()  # the session is over; nobody signed out
    page = _sign_in(context, "judge-j06")
    _forgotten(page)
    assert not [name for name in _kept(page) if name.startswith("leitai-judge:judge-j01")], _kept(page)
    context.set_offline(True)
    page = context.new_page()
    page.goto(f"/judge/{LIVE}")
    assert "J01" not in page.locator("body").inner_text()
    context.set_offline(False)
    context.close()


def test_a_signed_out_page_deletes_the_copies(browser: Browser, server: str) -> None:
    context, page = _phone(browser, server)
    page.goto(f"/judge/{LIVE}")
    _saved(page, f"/judge/{LIVE}")
    context.clear_cookies()
    page.goto("/results")  # a page for nobody signed in
    _forgotten(page)
    context.close()
