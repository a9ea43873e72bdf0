"""Tracks (赛道, rulebook section 20) in a real browser: the standings page has a section per
track under the track's name, reached from an organization's page, which lists the
organization's track history; in Chinese and in English, legible on a phone."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_web import CLOCK, ROOT, _context, _shot, browser  # noqa: F401 - fixtures
from tests.served import leitai_serve


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo contest (its two tracks and a change of track), served."""
    folder = tmp_path_factory.mktemp("web-tracks")
    db = f"sqlite:///{folder / 'web.db'}"
    done = subprocess.run([sys.executable, "-m", "api.cli.main", "--db", db, "demo", "--no-serve"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    with leitai_serve(db, folder, env={"LEITAI_CLOCK": CLOCK}) as served:
        yield served.base

PAGE = "/standings/wushen-2025/WS-WD/2025-05"


def test_the_standings_page_shows_each_track_under_its_name(browser: Browser, server: str) -> None:  # noqa: F811
    context = _context(browser, server)
    page = context.new_page()
    page.goto("/org/WS-WD-08")
    page.get_by_role("link", name="2025-05").click()
    expect(page).to_have_url(f"{server}{PAGE}")
    sections = page.locator("section.track")
    expect(sections).to_have_count(2)
    expect(sections.nth(0).get_by_role("heading", level=2)).to_have_text("赛道：嘎查村")
    expect(sections.nth(1).get_by_role("heading", level=2)).to_have_text("赛道：社区")
    village, community = sections.nth(0), sections.nth(1)
    expect(village.locator("tbody tr")).to_have_count(9)
    expect(village.locator("tbody tr").first).to_contain_text("陶利淖尔村")
    expect(community.locator("tbody tr")).to_have_count(1)
    expect(community.locator("tbody tr").first).to_contain_text("纳林希里社区")
    expect(village.locator("ul.consequences")).to_contain_text("后列（约谈）：巴音乌素嘎查")
    expect(village.locator("ul.consequences")).to_contain_text("结对共建：陶利淖尔村 ↔ 巴音乌素嘎查")
    assert "village" not in page.locator("main").inner_text()  # names, never the codes
    size = page.eval_on_selector("section.track h2", "e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 18, size
    _shot(page, "standings-tracks-zh")
    page.goto(f"{PAGE}?lang=en")
    expect(page.locator("section.track h2").nth(1)).to_have_text("Track: 社区")
    expect(page.locator("section.track").nth(0).locator("ul.consequences")).to_contain_text("Bottom (interviewed)")
    _shot(page, "standings-tracks-en")
    context.close()


def test_the_standings_page_fits_a_phone(browser: Browser, server: str) -> None:  # noqa: F811
    context = _context(browser, server, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(PAGE)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a phone"
    _shot(page, "standings-tracks-phone")
    context.close()


def test_the_pages_of_tracks_pass_the_accessibility_checks(browser: Browser, server: str) -> None:  # noqa: F811
    from tests.e2e.test_web_access import NARROW_CELLS, _axe

    context = _context(browser, server, viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    for path in (PAGE, f"{PAGE}?lang=en", "/org/WS-WD-10", "/org/WS-WD-10?lang=en"):
        page.goto(path)
        assert _axe(page) == [], path
        layout = page.evaluate(NARROW_CELLS)
        assert not layout["pageScrollsSideways"] and not layout["narrow"], (path, layout)
    context.close()


def test_an_organization_s_page_lists_its_track_history(browser: Browser, server: str) -> None:  # noqa: F811
    context = _context(browser, server)
    page = context.new_page()
    page.goto("/org/WS-WD-10")
    rows = page.locator("#tracks tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("一开始")
    expect(rows.nth(0)).to_contain_text("嘎查村")
    expect(rows.nth(1)).to_contain_text("2025-06")
    expect(rows.nth(1)).to_contain_text("社区")
    expect(rows.nth(1)).to_contain_text("撤村建居")
    _shot(page, "organization-tracks-zh")
    page.goto("/org/WS-WD-10?lang=en")
    expect(page.locator("#tracks h2")).to_have_text("Track history")
    expect(page.locator("#tracks tbody tr").nth(0)).to_contain_text("the beginning")
    context.close()
