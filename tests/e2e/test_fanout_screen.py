"""The big screen behind nginx with nchan (issue 17, item 1), in Debian's Chromium: the page
is the same and its live stream takes the same path, which nginx now answers from nchan; a
sheet recorded moves the screen without a reload.  (Fixtures of test_fanout.py and
test_web.py: this module gets a server, an nginx and a browser of its own.)"""

from __future__ import annotations

import re
import time
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e import test_fanout, test_web

world = test_fanout.world
browser = test_web.browser


def _subscribers(node: Any, code: str) -> int:
    """How many listeners nchan holds on the round's channel (its publisher location says)."""
    with urllib.request.urlopen(f"{node.fanout_url}/{code}", timeout=5) as answer:
        found = re.search(r"active subscribers: (\d+)", answer.read().decode())
    return int(found.group(1)) if found else -1


@pytest.mark.postgres
def test_the_big_screen_behind_nginx_listens_to_nchan_and_moves_with_a_sheet(browser: Browser,
                                                                            world: dict[str, Any]) -> None:
    node = world["node"]
    before = _subscribers(node, "RL")
    context = browser.new_context(base_url=node.base, locale="zh-CN", viewport={"width": 1920, "height": 1080})
    context.set_default_timeout(15_000)
    screen = context.new_page()
    screen.goto("/screen/RL")
    row = screen.locator('tr[data-entrant="O1"]')
    expect(row).to_be_visible()
    assert test_fanout.wait_until(lambda: _subscribers(node, "RL") == before + 1), (
        "the screen's live stream did not reach nchan")
    shown = row.inner_text()
    started = time.perf_counter()
    test_fanout.record_sheet(world)
    expect(row).not_to_have_text(shown, timeout=15_000)  # a loaded machine (the whole suite) takes seconds
    print(f"\n   sheet recorded -> the big screen behind nginx+nchan in {(time.perf_counter() - started) * 1000:.0f} ms")
    context.close()


@pytest.mark.postgres
def test_the_big_screen_behind_nchan_reloads_when_the_board_is_switched_off(browser: Browser,
                                                                           world: dict[str, Any]) -> None:
    """nchan closes the stream of a deleted channel without an "end" event: the screen finds its board
    refused and reloads, so the page says the board is not public instead of showing it as live."""
    from tests.conftest import ADMIN

    node, app = world["node"], world["app"]
    context = browser.new_context(base_url=node.base, locale="zh-CN", viewport={"width": 1920, "height": 1080})
    context.set_default_timeout(15_000)
    screen = context.new_page()
    screen.goto("/screen/RL")
    expect(screen.locator('tr[data-entrant="O1"]')).to_be_visible()
    try:
        seen: list[Any] = []
        screen.on("requestfinished", lambda r: seen.append((round(time.perf_counter(), 2), r.url,
                                                            r.response().status if r.response() else None)))
        screen.on("request", lambda r: seen.append((round(time.perf_counter(), 2), "start", r.url)))
        app.run(lambda s: s.set_live_board("RL", False, ADMIN))
        print("\n   switched off at", round(time.perf_counter(), 2))
        # the board is no longer public: the reloaded screen asks to sign in instead of showing it as live
        try:
            screen.wait_for_url(re.compile(r"/login\?next=/screen/RL"), timeout=20_000)
        finally:
            print("   requests:", seen)
        expect(screen.locator('tr[data-entrant="O1"]')).to_have_count(0)
        print("\n   after the reload: " + screen.locator("main").inner_text()[:120].replace("\n", " "))
    finally:
        app.run(lambda s: s.set_live_board("RL", True, ADMIN))
        assert test_fanout.wait_until(lambda: test_fanout.channel(node, "RL") == 200)
        context.close()
