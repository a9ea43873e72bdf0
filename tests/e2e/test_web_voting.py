"""Voting (投票, rulebook section 18) in a real browser against ``leitai serve`` on the demo
contest, whose village vote (R-WS-VOTE-2025) was counted and announced in two voting rounds,
plus a vote of the day (R-WEB-VOTE) open at the counting desk:

* the big screen's announcement (现场公布) shows the tally in words, each group's ballots,
  the weighted tally and who goes on, legible at 1920x1080 and 1366x768 (no text smaller than
  the hall can read, nothing cut off or scrolled sideways), in Chinese and in English;
* an admin of the round enters a ballot at the counting desk and the counts per group grow; a
  ballot naming more entrants than the rules allow is refused, saying so, and nothing is recorded;
  the count announces the voting round and the screen shows it.

Screenshots go to ``tests/artifacts/screenshots`` (voting-*.png).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from tests.e2e.test_web import CONTEST, _context, _prepare, _shot, _sign_in
from tests.served import leitai_serve

VOTE = "R-WS-VOTE-2025"  # the demo's village vote: two voting rounds, counted and announced
DESK = "R-WEB-VOTE"  # a vote of the day, voting round 1 open


def _desk_round(db: str) -> None:
    from domain.model.base import Actor
    from domain.services.app import Leitai
    from domain.services.setup import RoundSpec
    from domain.services.store import application_env, parse_url

    store = parse_url(db)
    by = Actor("web-test", "admin")
    app = Leitai(env=application_env(store), store=store)
    try:
        entrants = tuple(sorted(app.read(lambda s: s.round(VOTE).entrants))[:5])
        app.schedule_round(CONTEST, RoundSpec(DESK, "county", "WS", "2025-06", "popularity-2025",
                                              theme="网页测试 投票", entrants=entrants), by)
        app.open_round(DESK, by)
        app.open_voting(DESK, by)
        app.cast_ballot(DESK, "party", "D-001", list(entrants[:2]), by)
    finally:
        app.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("web-voting")
    db = f"sqlite:///{folder / 'web.db'}"
    _prepare(db)
    _desk_round(db)
    with leitai_serve(db, folder, env={"LEITAI_CLOCK": "2025-06-10T10:00"}) as served:
        yield served.base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from tests.e2e.test_web import CHROMIUM

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


def _boxes(server: str, code: str, token: str | None = None) -> list[dict[str, Any]]:
    request = urllib.request.Request(f"{server}/api/rounds/{code}/voting")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.loads(r.read())


LEGIBLE = """() => {
  const out = {sideways: document.documentElement.scrollWidth > window.innerWidth + 1, small: [], cut: []};
  for (const el of document.querySelectorAll('main td, main th, main h1, .vote-summary')) {
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 18) out.small.push(el.textContent.trim().slice(0, 30) + ' ' + size);
    if (el.scrollWidth > el.clientWidth + 2 && el.tagName !== 'H1') out.cut.push(el.textContent.trim().slice(0, 30));
  }
  const table = document.querySelector('table.vote-tally');
  out.tableFits = table ? table.getBoundingClientRect().right <= window.innerWidth + 1 : false;
  return out;
}"""


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)])
def test_the_announcement_shows_the_tally_in_words_legible_on_the_hall_screen(browser: Browser, server: str,
                                                                              size: tuple[int, int]) -> None:
    boxes = _boxes(server, VOTE)
    last = boxes[-1]["tally"]
    context = _context(browser, server, viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.goto(f"/screen/{VOTE}/voting")
    expect(page.locator(".banner-state")).to_contain_text("第 2 轮投票")
    expect(page.locator(".banner-state")).to_contain_text("现场公布")
    head = page.locator("table.vote-tally thead").inner_text()
    for words in ("名次", "党员代表", "群众代表", "镇村干部", "总票数", "加权得票"):
        assert words in head, head
    rows = page.locator("table.vote-tally tbody tr")
    assert rows.count() == len(last["entries"]) == 4
    first = last["entries"][0]
    assert first["shown"] in rows.nth(0).inner_text() and "得票第一" in rows.nth(0).inner_text()
    assert "最后一轮投票" in page.locator(".vote-rule").inner_text()
    seen = page.evaluate(LEGIBLE)
    assert not seen["sideways"] and seen["tableFits"] and not seen["small"] and not seen["cut"], seen
    _shot(page, f"voting-screen-{size[0]}x{size[1]}", full_page=False)
    page.goto(f"/screen/{VOTE}/voting?round=1&lang=en")
    expect(page.locator(".banner-state")).to_contain_text("Voting round 1")
    body = page.locator("main").inner_text()
    assert "goes on" in body and "Weighted tally" in body and "Party members" in body and "Residents" in body
    assert "The top 4 go on to the next voting round" in body
    carried = page.locator("table.vote-tally tbody tr.carried")
    assert carried.count() == len(boxes[0]["tally"]["carried"])
    seen = page.evaluate(LEGIBLE)  # twelve entrants, in English: still on the screen, nothing cut off
    assert not seen["sideways"] and seen["tableFits"] and not seen["small"] and not seen["cut"], seen
    bottom = page.evaluate("() => document.querySelector('table.vote-tally').getBoundingClientRect().bottom")
    assert bottom <= size[1], f"the tally runs below the screen ({bottom} > {size[1]})"
    _shot(page, f"voting-screen-round1-en-{size[0]}x{size[1]}", full_page=False)
    context.close()


def test_the_counting_desk_records_a_ballot_refuses_too_many_choices_and_announces(browser: Browser,
                                                                                   server: str) -> None:
    context = _context(browser, server, viewport={"width": 1366, "height": 900})
    page = _sign_in(context, "county")
    page.goto(f"/console/{CONTEST}")
    page.locator(f"#round-{DESK} a", has_text="计票台").click()
    expect(page.locator("h1")).to_contain_text("计票台")
    expect(page.locator("#open-h")).to_contain_text("第 1 轮投票")
    before = _boxes(server, DESK)
    form = page.locator("form.cast-ballot")
    boxes = form.locator("input[name=choices]")
    for i in range(4):  # the rules allow 3
        boxes.nth(i).check()
    form.locator("input[name=ballot]").fill("Q-007")
    form.locator("input[value=people]").check()
    form.locator("button[type=submit]").click()
    page.locator("#confirm button[value=ok]").click()
    expect(form.locator(".result")).to_contain_text("最多可选 3 个组织，这张选了 4 个")
    _shot(page, "voting-desk-refused")
    boxes.nth(3).uncheck()
    form.locator("button[type=submit]").click()
    page.locator("#confirm button[value=ok]").click()
    expect(page.locator("#open-h + .scroll table tbody td").nth(3)).to_have_text("2")  # the page reloads with the new counts
    counts = page.locator("#open-h + .scroll table tbody tr").inner_text()
    assert counts.split()[:4] == ["1", "1", "0", "2"], counts  # party 1, people 1, cadres 0, total 2
    _shot(page, "voting-desk")
    page.locator("form[data-url$='/voting/count'] button").click()
    page.locator("#confirm button[value=ok]").click()
    expect(page.locator("#open-h")).to_contain_text("第 2 轮投票", timeout=15_000)
    expect(page.locator("#tally-1")).to_contain_text("计票结果")
    after = _boxes(server, DESK)
    assert [b["status"] for b in before] == ["open"] and [b["status"] for b in after] == ["announced", "open"]
    screen = context.new_page()
    screen.goto(f"/screen/{DESK}/voting")
    expect(screen.locator(".banner-state")).to_contain_text("第 1 轮投票")
    _shot(page, "voting-desk-counted")
    context.close()


def test_the_counting_desk_is_refused_to_a_judge_and_the_public(browser: Browser, server: str) -> None:
    context = _context(browser, server)
    page = context.new_page()
    response = page.goto(f"/console/rounds/{DESK}/voting")
    assert response is not None and "/login" in page.url  # the public is asked to sign in
    judge = _sign_in(context, "judge-j01")
    response = judge.goto(f"/console/rounds/{DESK}/voting")
    assert response is not None and response.status == 403
    context.close()


def test_a_ballot_over_http_with_too_many_choices_is_refused_and_records_nothing(server: str) -> None:
    from tests.e2e.test_web import _token

    token = _token(server, "county")
    before = _boxes(server, DESK, token)[-1]["ballots"]
    request = urllib.request.Request(f"{server}/api/rounds/{DESK}/voting/ballots", method="POST",
                                     data=json.dumps({"group": "party", "choices": ["A", "B", "C", "D"],
                                                      "ballot": "9001"}).encode(),
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 422
    body = json.loads(refused.value.read())
    assert "choices" in json.dumps(body, ensure_ascii=False)
    assert _boxes(server, DESK, token)[-1]["ballots"] == before


def test_a_ballot_over_http_needs_its_number_or_an_idempotency_key_so_a_retry_is_not_a_second_ballot(server: str) -> None:
    from tests.e2e.test_web import _token

    token = _token(server, "county")
    before = _boxes(server, DESK, token)[-1]["ballots"]
    candidate = _boxes(server, DESK, token)[-1]["candidates"][0]

    def cast(headers: dict[str, str]) -> urllib.request.Request:
        return urllib.request.Request(f"{server}/api/rounds/{DESK}/voting/ballots", method="POST",
                                      data=json.dumps({"group": "party", "choices": [candidate]}).encode(),
                                      headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                                               **headers})

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(cast({}), timeout=10)
    assert refused.value.code == 422
    body = json.dumps(json.loads(refused.value.read()), ensure_ascii=False)
    assert "ballot" in body and "Idempotency-Key" in body
    assert _boxes(server, DESK, token)[-1]["ballots"] == before
    answers = [json.loads(urllib.request.urlopen(cast({"Idempotency-Key": "desk-retry-1"}), timeout=10).read())
               for _ in range(2)]  # the same request sent twice (an answer lost on the way)
    assert answers[0]["ballot"] == answers[1]["ballot"]
    assert _boxes(server, DESK, token)[-1]["ballots"] == before + 1


def test_a_blank_ballot_number_over_http_is_no_number_so_it_too_needs_an_idempotency_key(server: str) -> None:
    from tests.e2e.test_web import _token

    token = _token(server, "county")
    before = _boxes(server, DESK, token)[-1]["ballots"]
    candidate = _boxes(server, DESK, token)[-1]["candidates"][0]
    for blank in ("", "  "):  # as a form sends an empty number field
        request = urllib.request.Request(f"{server}/api/rounds/{DESK}/voting/ballots", method="POST",
                                         data=json.dumps({"group": "party", "choices": [candidate],
                                                          "ballot": blank}).encode(),
                                         headers={"Authorization": f"Bearer {token}",
                                                  "Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 422
        body = json.loads(refused.value.read())
        assert "ballot" in body["errors"] and "Idempotency-Key" in body["errors"]["ballot"], body
    assert _boxes(server, DESK, token)[-1]["ballots"] == before  # nothing recorded
