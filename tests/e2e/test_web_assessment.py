"""The console's assessment downloads (rulebook section 21) in a real browser: a county
organizer downloads a period's assessment data with the signed-in session, and reads in
it what the standings say; a township admin is not offered the whole contest's."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from playwright.sync_api import Browser, expect

from projections.assessment import COLUMNS
from tests.e2e.test_web import CONTEST, _context, _shot, _sign_in
from tests.e2e.test_web_console import _leitai, browser, site  # noqa: F401 - the fixtures

ZH = {zh: key for key, zh, _ in COLUMNS}


def test_the_console_offers_each_period_and_the_file_holds_the_standings(browser: Browser,  # noqa: F811
                                                                          site: dict[str, Any]) -> None:  # noqa: F811
    context = _context(browser, site["base"], viewport={"width": 1366, "height": 900})
    page = _sign_in(context, "county")
    page.goto(f"/console/{CONTEST}")
    section = page.locator("section[aria-labelledby=assessment-h]")
    expect(section.get_by_role("heading", name="考核数据导出")).to_be_visible()
    expect(section).to_contain_text("每位书记、每个党组织一条记录")
    periods = section.locator(".period").all_inner_texts()
    assert periods[:3] == ["2025 年", "2025 年第 2 季度", "2025 年 5 月"], periods
    section.scroll_into_view_if_needed()
    _shot(page, "console-assessment-zh", full_page=False)
    link = section.locator("li", has_text="2025 年 5 月").get_by_role("link", name="CSV")
    answer = page.request.get(link.get_attribute("href") or "")
    assert answer.status == 200 and "attachment" in answer.headers.get("content-disposition", "")
    records = [{ZH[k]: v for k, v in row.items()}
               for row in csv.DictReader(io.StringIO(answer.body().decode("utf-8-sig")))]
    standings = json.loads(_leitai(site, "standings", CONTEST, "WS-GL", "2025-05", "--json"))
    ranks = {s["entrant"]: (s["score"], s["rank"]) for s in standings["standings"]}
    mine = {r["organization"]: (r["standing_score"], int(r["standing_rank"])) for r in records if r["unit"] == "WS-GL"}
    assert mine == ranks
    page.goto(f"/console/{CONTEST}?lang=en")
    expect(page.get_by_role("heading", name="Assessment data")).to_be_visible()
    assert page.locator("section[aria-labelledby=assessment-h] .period").all_inner_texts()[:3] == \
        ["2025", "Q2 2025", "May 2025"]
    context.close()


def test_a_township_admin_is_not_offered_the_whole_contest(browser: Browser, site: dict[str, Any]) -> None:  # noqa: F811
    context = _context(browser, site["base"])
    page = _sign_in(context, "township-gl")
    page.goto(f"/console/{CONTEST}")
    expect(page.get_by_role("heading", name="轮次与操作")).to_be_visible()
    assert page.locator("#assessment-h").count() == 0
    answer = page.request.get(f"/api/contests/{CONTEST}/assessment/2025?format=csv")
    assert answer.status == 403
    answer = page.request.get(f"/api/contests/{CONTEST}/assessment/2025?format=csv&unit=WS-GL")
    assert answer.status == 200 and "纳林浩特村" in answer.body().decode("utf-8-sig")
    context.close()
