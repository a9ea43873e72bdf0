"""Stars and flags side by side, honours listed (rulebook section 19), in a real browser
(Chromium, Playwright) against a real ``leitai serve``: the stars page shows each
organization's flags beside its stars and, to organizers, how its combined score was made;
the organization page shows its stars and its flags side by side, each flag's state and
criteria in words, and its honours; the flags page of a cycle. Chinese and English,
axe-core clean. Screenshots: ``tests/artifacts/screenshots/evidence-*.png``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_web import _context, _shot, _sign_in, browser  # noqa: F401 - fixtures

from playwright.sync_api import Browser, Page, expect  # noqa: E402  (after test_web's skip when no Chromium)

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"


def _build(db: str) -> None:
    """The small contest's T1 under rules with evidence and flags (tests/integration/test_evidence.py):
    O1 has a county honour and a flag awarded, O2 a flag declined; both initially evaluated."""
    from api.wiring import open_app
    from domain.services.clock import FixedClock
    from domain.services.setup import RoundSpec
    from domain.model.base import Actor
    from tests.conftest import ADMIN
    from tests.e2e.test_web import PASSWORD
    from tests.http import add_account
    from tests.integration.test_evidence import EVIDENCE, SOURCE, csv
    from tests.scenario import RULES, judge, small_contest

    clock = FixedClock("2025-05-20T09:00")
    app = open_app(db, clock=clock)
    try:
        small_contest(app)
        app.register_ruleset(RULES.replace("version = 1", "version = 2") + EVIDENCE, "town2.toml", ADMIN)
        app.schedule_round("c", RoundSpec("R2", "township", "T1", "2025-06", "town@2", judges=("J1", "J2", "J3")),
                           ADMIN)
        app.open_round("R2", ADMIN)
        for rnd, marks in (("R1", {"O1": ("25", "15"), "O2": ("20", "12")}),
                           ("R2", {"O1": ("25", "15"), "O2": ("22", "14")})):
            for entrant, (p, i) in marks.items():
                for code in ("J1", "J2", "J3"):
                    app.submit_sheet(rnd, code, entrant, {"party": p, "industry": i}, judge(code))
            app.close_round(rnd, ADMIN)
            app.publish(rnd, ADMIN, on=date(2025, 6, 3))
        clock.set("2025-06-20T09:00")
        for rnd in ("R1", "R2"):
            app.finalize(rnd, ADMIN)
        app.import_platform("c", "2025", SOURCE, csv("O1,60", "O2,60"), "dengta.csv", ADMIN)
        app.record_honour("O1", "县级先进基层党组织", "county", "2025-03-10", "中共某县委", ADMIN)
        app.record_honour("O1", "错登的荣誉", "township", "2025-03-11", "某镇党委", ADMIN)
        app.withdraw_honour("O1", 2, "登记有误", ADMIN)
        for org in ("O1", "O2"):
            app.nominate_flag("c", org, "party-building", "2025", ADMIN)
            app.assess_flag(org, "party-building", "2025", ADMIN)
        app.award_flag("O1", "party-building", "2025", Actor("admin-2", "admin"))  # four eyes
        app.decline_flag("O2", "party-building", "2025", "年度得分未达到条件", ADMIN)
        for org in ("O1", "O2"):
            app.evaluate_initially("c", org, "township", "2025", ADMIN)
        add_account(app, "county", "admin", password=PASSWORD, contest="c", unit="C")
    finally:
        app.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.served import leitai_serve

    folder = tmp_path_factory.mktemp("evidence-web")
    db = f"sqlite:///{folder / 'web.db'}"
    _build(db)
    with leitai_serve(db, folder, env={"LEITAI_CLOCK": "2025-06-21T10:00"}) as served:
        yield served.base


def _axe(page: Page, selector: str) -> list[Any]:
    if not AXE.exists():
        return []
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(f"() => axe.run(document.querySelector({selector!r}), {{runOnly: {{type: 'tag', values: "
                           "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})")
    return [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in result["violations"]]


def test_the_organization_page_shows_stars_and_flags_side_by_side_and_its_honours(browser: Browser,  # noqa: F811
                                                                                  server: str) -> None:
    context = _context(browser, server, bypass_csp=True)
    page = _sign_in(context, "county", "zh")
    page.goto("/org/O1")
    both = page.locator("#stars-and-flags")
    stars, flags = both.locator("section").nth(0), both.locator("section").nth(1)
    expect(stars.locator("h2")).to_have_text("星级")
    expect(stars).to_contain_text("已初评")
    expect(flags.locator("h2")).to_have_text("红旗")
    flag = flags.locator("li[data-flag='party-building']")
    expect(flag).to_contain_text("党建示范红旗")
    expect(flag.locator(".flag-state")).to_have_text("已授予")
    expect(flag.locator("ul.criteria li")).to_have_text(["年度得分 ≥ 38（实际 40） ✓ 满足",
                                                           "本周期有县级及以上荣誉（县级先进基层党组织） ✓ 满足",
                                                           "本周期无一票否决（无） ✓ 满足"])
    # side by side on a desktop: the flags beside the stars, not under them
    a, b = stars.bounding_box(), flags.bounding_box()
    assert a and b and abs(a["y"] - b["y"]) < 2 and b["x"] > a["x"] + a["width"] - 1, (a, b)
    honours = page.locator("#honours")
    expect(honours.locator("tr[data-honour='1']")).to_contain_text("县级先进基层党组织县级2025-03-10中共某县委")
    expect(honours.locator("tr[data-honour='2']")).to_contain_text("已撤销：登记有误")
    assert _axe(page, "#stars-and-flags") == [] and _axe(page, "#honours") == []
    _shot(page, "evidence-organization")
    page.screenshot(path="/tmp/evidence-organization.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: one under the other, nothing off the side
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.goto("/org/O1?lang=en")
    flag = page.locator("#stars-and-flags li[data-flag='party-building']")
    expect(flag.locator(".flag-state")).to_have_text("Awarded")
    expect(flag.locator("ul.criteria li").first).to_have_text("annual score ≥ 38 (found 40): ✓ met")
    expect(page.locator("#honours h2")).to_have_text("Honours")
    context.close()


def test_the_public_sees_a_flags_state_but_not_the_evidence_behind_it(browser: Browser, server: str) -> None:  # noqa: F811
    context = _context(browser, server, bypass_csp=True)
    page = context.new_page()
    page.goto("/org/O2")
    flag = page.locator("#stars-and-flags li[data-flag='party-building']")
    expect(flag.locator(".flag-state")).to_have_text("不授予")
    expect(flag.locator("ul.criteria")).to_have_count(0)
    context.close()


def test_the_stars_page_shows_each_organizations_flags_beside_its_stars_and_the_combined_score(
        browser: Browser, server: str) -> None:  # noqa: F811
    context = _context(browser, server, bypass_csp=True)
    page = _sign_in(context, "county", "zh")
    page.goto("/stars/c")
    o1 = page.locator("table.certs tr[data-organization='O1']")
    expect(o1.locator("td.flags-cell")).to_have_text("党建示范红旗 · 已授予")
    expect(o1.locator(".basis")).to_have_text("合成分：擂台得分 40×0.5 + 平台分 60×0.3 + 荣誉分 40×0.2 = 46.00")
    expect(page.locator("table.certs tr[data-organization='O2'] td.flags-cell")).to_have_text("党建示范红旗 · 不授予")
    assert _axe(page, "table.certs") == []
    _shot(page, "evidence-stars")
    page.screenshot(path="/tmp/evidence-stars.png", full_page=True)
    page.goto("/flags/c/2025")
    row = page.locator("table.flags tr[data-organization='O2']")
    expect(row).to_contain_text("年度得分 ≥ 38（实际 34） ✗ 不满足")
    expect(row.locator(".flag-state")).to_have_text("不授予")
    assert _axe(page, "main") == []
    page.screenshot(path="/tmp/evidence-flags.png", full_page=True)
    page.goto("/flags/c/2025?lang=en")
    expect(page.locator("h1")).to_contain_text("Flags 2025")
    expect(page.locator("table.flags tr[data-organization='O2'] .flag-state")).to_have_text("Declined")
    context.close()
