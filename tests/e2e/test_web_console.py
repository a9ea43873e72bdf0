"""The organizer's console, the replay page and the stars pages in a real browser (issue 15,
items 2, 11 and 12), against ``leitai serve`` on the demo contest (all six township rounds
final and promoted, the banner final published, every village's star recommendation
initially evaluated) and one small contest of its own whose township round is final but
not yet promoted.

* the replay page shows each entrant's promotion outcome under the replayed rules in words
  (晋级 / 候补 / 未晋级, and what changes), the star recommendations that change, and counts
  rank, score, prize, promotion and star changes each on its own - the same report as
  ``leitai replay``, which the tests run on the same database and compare;
* the public stars page shows the recommendations, marked as such, and the chart of what
  exists; on every stars page each chart counts exactly one column of the table;
* the console offers 晋级到下一级 only to a final round that has not promoted yet, and
  shows a promoted round as done, with a link to the round above;
* an admin accepts the recommendations of a township in one step, with an exception set by
  hand, after a confirmation that lists what will be recorded: one event per organization.

Screenshots (Chinese and English) go to ``tests/artifacts/screenshots``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.served import leitai_serve
from tests.e2e.test_web import (
    CLOCK,
    CONTEST,
    PASSWORD,
    ROOT,
    _api,
    _context,
    _shot,
    _sign_in,
    _token,
)

PROMO = "web-promote"  # a contest of its own: its township round is final, not yet promoted
TOWNSHIP_RULES = ROOT / "examples" / "wushen-2025" / "rules" / "township-2025.toml"
WORDS = {"zh": {"promoted": "晋级", "reserve": "候补", "not_promoted": "未晋级"},
         "en": {"promoted": "promoted", "reserve": "reserve", "not_promoted": "not promoted"}}


def _promotion_contest(db: str) -> None:
    """web-promote: county PC, township PT (PO1, PO2), round R-PROMO-T final, promoting into
    R-PROMO-F - and not promoted yet."""
    from api.wiring import open_app
    from domain.model.base import Actor
    from domain.services.clock import FixedClock
    from domain.services.setup import RoundSpec
    from tests.scenario import FINAL_RULES, RULES

    by = Actor("web-test", "admin")
    clock = FixedClock("2025-05-20T09:00")
    app = open_app(db, clock=clock)
    try:
        app.register_ruleset(RULES.replace('code = "town"', 'code = "promo-town"'), "promo-town.toml", by)
        app.register_ruleset(FINAL_RULES.replace('code = "final"', 'code = "promo-final"'), "promo-final.toml", by)
        app.create_contest(PROMO, "晋级测试", ["township", "county"], by)
        app.add_unit(PROMO, "PC", "测试县", "county", None, by)
        app.add_unit(PROMO, "PT", "测试镇", "township", "PC", by)
        for code in ("PJ1", "PJ2", "PJ3"):
            app.register_judge(PROMO, code, f"评委{code}", "PC", "", by)
        for code in ("PO1", "PO2"):
            app.register_organization(PROMO, code, f"测试村{code}", "PT", "village", "", f"书记{code}", by)
        app.schedule_round(PROMO, RoundSpec("R-PROMO-F", "county", "PC", "2025-05", "promo-final",
                                            judges=("PJ1", "PJ2"), entrants="promoted"), by)
        app.schedule_round(PROMO, RoundSpec("R-PROMO-T", "township", "PT", "2025-05", "promo-town",
                                            judges=("PJ1", "PJ2", "PJ3"), promotes_to="R-PROMO-F"), by)
        app.open_round("R-PROMO-T", by)
        for org, marks in (("PO1", {"party": "25", "industry": "15"}), ("PO2", {"party": "20", "industry": "12"})):
            for judge in ("PJ1", "PJ2", "PJ3"):
                app.submit_sheet("R-PROMO-T", judge, org, marks, Actor(judge, "judge"))
        app.close_round("R-PROMO-T", by)
        app.publish("R-PROMO-T", by, on=date(2025, 5, 20))
        clock.set("2025-06-05T09:00")
        app.finalize("R-PROMO-T", by)
    finally:
        app.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=os.environ.get("LEITAI_CHROMIUM", "/usr/bin/chromium"))
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("console")
    db = f"sqlite:///{folder / 'console.db'}"
    done = subprocess.run([sys.executable, "-m", "api.cli.main", "--db", db, "demo", "--no-serve"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    _promotion_contest(db)
    from api.wiring import open_app
    from tests.http import give_password

    app = open_app(db)
    try:
        give_password(app, ("admin", "county", "township-gl", "auditor"), PASSWORD)
    finally:
        app.close()
    with leitai_serve(db, folder, env={"LEITAI_CLOCK": CLOCK}) as served:
        yield {"base": served.base, "db": db, "folder": folder}


def _leitai(site: dict[str, Any], *args: str) -> str:
    """The command line on the served database (as an organizer at the office would run it)."""
    done = subprocess.run([sys.executable, "-m", "api.cli.main", "--db", site["db"], *args], capture_output=True,
                          text=True, timeout=120, cwd=ROOT, env={**os.environ, "LEITAI_CLOCK": CLOCK}, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _rules(site: dict[str, Any], name: str, *changes: tuple[str, str]) -> tuple[Path, str]:
    text = TOWNSHIP_RULES.read_text(encoding="utf-8").replace("version = 1", "version = 2")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new)
    path = Path(site["folder"]) / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path, text


PLAIN_MEAN = (('method = "trimmed_mean"      # 去掉一个最高分、去掉一个最低分后取平均', 'method = "mean"'),
              ("trim = 1\n", ""), ('trim_on = "total"\n', ""))
# the median, a third finalist per township and a higher bar for four stars: ranks, promotions
# and star recommendations all change
CHANGED = (('method = "trimmed_mean"      # 去掉一个最高分、去掉一个最低分后取平均', 'method = "median"'),
           ("trim = 1\n", ""), ('trim_on = "total"\n', ""), ("quota = 2\n", "quota = 3\n"),
           ("{ stars = 4, min = 80 }", "{ stars = 4, min = 84 }"))


def _replay(page: Page, text: str, lang: str) -> None:
    page.goto(f"/console/{CONTEST}/replay?lang={lang}")
    page.fill("#rules-text", text)
    page.get_by_role("button", name="重算" if lang == "zh" else "Replay").click()
    expect(page.locator("#replay-summary")).to_be_visible()


def _counts(page: Page) -> dict[str, int]:
    cells = page.locator("#replay-summary td[data-count]")
    return {cells.nth(i).get_attribute("data-count"): int(cells.nth(i).inner_text()) for i in range(cells.count())}


def _outcomes(page: Page) -> dict[tuple[str, str], str]:
    """(round, entrant) -> the text of the 晋级 cell."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('section.replay-round')]
        .flatMap(s => [...s.querySelectorAll('tbody tr')].map(r => [s.dataset.round + ' ' + r.dataset.entrant,
                                                                   r.querySelector('td.outcome').innerText])))""")


# -- item 2: the replay page ----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_replay_shows_each_entrants_promotion_in_words_and_counts_each_change(browser: Browser, site: dict[str, Any],
                                                                             lang: str) -> None:
    """Plain mean: scores change, no rank, promotion or star does - and the page says so."""
    path, text = _rules(site, "mean", *PLAIN_MEAN)
    report = json.loads(_leitai(site, "replay", "--rules", str(path), "--contest", CONTEST, "--json"))
    s = report["summary"]
    assert s["ranks_changed"] == 0 and s["finals_changed"] > 0 and s["promotions_changed"] == 0
    context = _context(browser, site["base"])
    page = _sign_in(context, "county", lang)
    _replay(page, text, lang)
    assert _counts(page) == {k: s[k] for k in ("rounds", "rounds_changed", "ranks_changed", "finals_changed",
                                                 "awards_changed", "promotions_changed", "stars_changed")}
    head = page.locator("#replay-summary thead").inner_text()
    for label in (("名次变化", "得分变化", "奖项变化", "晋级变化", "星级建议变化") if lang == "zh" else
                  ("Rank changes", "Score changes", "Prize changes", "Promotion changes", "Star recommendation changes")):
        assert label in head
    shown = _outcomes(page)
    words = WORDS[lang]
    expected = {f"{r['round']} {e['entrant']}": e["promotion"] for r in report["rounds"] for e in r["after"]["entries"]}
    assert set(shown) == set(expected) and len(shown) == 61
    for key, promotion in expected.items():
        cell = shown[key]
        assert "→" not in cell and "↑" not in cell, (key, cell)
        assert re.split(r"[（(]", cell)[0].strip() == words[promotion], (key, promotion, cell)
    per_round = Counter(key.split()[0] for key, p in expected.items() if p == "promoted")
    assert set(per_round.values()) == {2}  # two finalists per township, no more
    assert page.locator("#replay-stars").inner_text().count("\n") >= 1
    expect(page.locator("#replay-stars")).to_contain_text("星级建议没有变化" if lang == "zh" else
                                                          "No star recommendation would change")
    _shot(page, f"console-replay-mean-{lang}")
    context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_replay_page_and_the_command_line_agree_on_a_changed_rule_set(browser: Browser, site: dict[str, Any],
                                                                          lang: str) -> None:
    path, text = _rules(site, "changed", *CHANGED)
    report = json.loads(_leitai(site, "replay", "--rules", str(path), "--contest", CONTEST, "--json"))
    said = _leitai(site, "--lang", lang, "replay", "--rules", str(path), "--contest", CONTEST)
    s = report["summary"]
    assert s["ranks_changed"] > 0 and s["promotions_changed"] > 0 and s["stars_changed"] > 0, s
    context = _context(browser, site["base"])
    page = _sign_in(context, "county", lang)
    _replay(page, text, lang)
    counts = _counts(page)
    assert counts == {k: s[k] for k in counts} and len(counts) == 7
    # the command line's own words carry the same counts
    for key, zh, en in (("ranks_changed", "名次变化", "rank changes"), ("finals_changed", "得分变化", "score changes"),
                        ("promotions_changed", "晋级变化", "promotion changes"),
                        ("stars_changed", "星级建议变化", "star recommendation changes")):
        assert (f"{zh} {s[key]}" if lang == "zh" else f"{en}: {s[key]}") in said
    # star recommendations: the same organizations, from and to the same stars
    page_stars = page.evaluate("""() => [...document.querySelectorAll('#replay-stars tbody tr')]
        .map(r => [r.dataset.organization, r.dataset.before, r.dataset.after])""")
    cli_stars = [[c["organization"], str(c["stars"][0] or ""), str(c["stars"][1] or "")]
                 for scope in report["stars"] for c in scope["changes"]]
    assert sorted(page_stars) == sorted(cli_stars) and len(page_stars) == s["stars_changed"]
    line = next(x for x in said.splitlines() if x.startswith("星级建议变化" if lang == "zh" else "Stars "))
    assert sorted(re.findall(r"(\S+) (\d)→(\d)", line)) == sorted((o, b, a) for o, b, a in page_stars)
    # promotion outcomes: whatever changes is marked "before → after", in words; the rest as it stands
    shown = _outcomes(page)
    changed = {f"{r['round']} {c['entrant']}": c["promotion"] for r in report["rounds"] for c in r["changes"]
               if "promotion" in c}
    assert {k for k, v in shown.items() if "→" in v} == set(changed)
    words = WORDS[lang]
    for key, (old, new) in changed.items():
        before, after = (part.strip() for part in shown[key].split("→"))
        assert re.split(r"[（(]", before)[0].strip() == words[old] and re.split(r"[（(]", after)[0].strip() == words[new]
    moved = page.locator("table.replay td.moved", has_text=re.compile("[▲▼]"))
    assert moved.count() == s["ranks_changed"]
    for f in report["finalists"]:
        if f["gained"]:
            expect(page.locator(f'#replay-finalists p[data-target="{f["target"]}"]')).to_contain_text(f["gained"][0])
    expect(page.locator("#adopt-form")).to_be_visible()
    _shot(page, f"console-replay-changed-{lang}")
    context.close()


# -- item 11: the stars pages ---------------------------------------------------------------------


def _chart_counts(page: Page, which: str) -> dict[tuple[str, int], int]:
    tips = page.locator(f"figure.{which} svg rect title").all_text_contents()
    out = {}
    for tip in tips:
        unit, stars, n = re.fullmatch(r"(.+): (★+) × (\d+)", tip).groups()
        out[(unit, len(stars))] = int(n)
    return out


def _table_counts(page: Page, column: str) -> dict[tuple[str, int], int]:
    rows = page.evaluate(f"""() => [...document.querySelectorAll('table.certs tbody tr')]
        .map(r => [r.dataset.unit, r.dataset.{column}])""")
    return dict(Counter((unit, int(n)) for unit, n in rows if n not in ("", "0")))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_public_stars_page_shows_the_recommendations_and_its_chart(browser: Browser, site: dict[str, Any],
                                                                       lang: str) -> None:
    """Nothing is certified yet: the public sees each village's annual score and the initial
    evaluation's recommendation, marked as a recommendation, and their chart; no chart of
    certified stars, and says so."""
    context = _context(browser, site["base"])
    page = context.new_page()
    page.goto(f"/stars/{CONTEST}?lang={lang}")
    rows = page.locator("table.certs tbody tr")
    assert rows.count() == 61
    recommended = page.evaluate("() => [...document.querySelectorAll('table.certs tbody tr')].map(r => r.dataset.recommended)")
    assert all(r in ("1", "2", "3", "4", "5") for r in recommended)
    public_rows = _api(site["base"], f"/api/contests/{CONTEST}/stars/township/2025")
    assert sorted(recommended) == sorted(str([h["stars"] for h in r["history"]["history"]
                                              if h["step"] == "initially_evaluated"][-1]) for r in public_rows)
    mark = "建议" if lang == "zh" else "recommended"
    for i in (0, 30, 60):
        assert mark in rows.nth(i).locator("td.recommended").inner_text()
        assert re.search(r"\d+\.\d\d", rows.nth(i).inner_text())  # the annual score
    assert _chart_counts(page, "chart-recommended") == _table_counts(page, "recommended")
    assert sum(_chart_counts(page, "chart-recommended").values()) == 61
    expect(page.locator("figure.chart-recommended figcaption")).to_contain_text(
        "建议，不是评定结果" if lang == "zh" else "recommendations, not decisions")
    assert page.locator("figure.chart-certified").count() == 0
    expect(page.locator("main")).to_contain_text("尚无审定的星级" if lang == "zh" else "No stars certified yet")
    _shot(page, f"public-stars-recommended-{lang}")
    context.close()


def test_the_organizers_stars_page_charts_count_the_tables_columns(browser: Browser, site: dict[str, Any]) -> None:
    context = _context(browser, site["base"])
    page = _sign_in(context, "county")
    page.goto(f"/stars/{CONTEST}")
    assert _chart_counts(page, "chart-recommended") == _table_counts(page, "recommended")
    full = {r["organization"]: r["computed_stars"] for r in
            _api(site["base"], f"/api/contests/{CONTEST}/stars/township/2025", _token(site["base"], "county"))}
    shown = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('table.certs tbody tr')]
        .map(r => [r.dataset.organization, r.dataset.recommended]))""")
    assert shown == {o: str(s) for o, s in full.items()}
    context.close()


# -- item 12: promotion in the console --------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_console_offers_promotion_only_until_a_round_has_promoted(browser: Browser, site: dict[str, Any],
                                                                      lang: str) -> None:
    context = _context(browser, site["base"])
    page = _sign_in(context, "county", lang)
    page.goto(f"/console/{CONTEST}?lang={lang}")
    promote = "晋级到下一级" if lang == "zh" else "Promote"
    done = "已晋级到" if lang == "zh" else "Promoted to"
    townships = ["R-GL-2025-05", "R-SLD-2025-05", "R-TK-2025-05", "R-WD-2025-05", "R-WL-2025-05", "R-WSZ-2025-05"]
    for code in townships:
        row = page.locator(f'tr[data-round="{code}"]')
        expect(row.locator(".state")).to_have_text("已定" if lang == "zh" else "Final")
        assert row.get_by_role("button", name=promote).count() == 0, code
        expect(row.locator(".promotion-done")).to_contain_text(f"{done} R-WS-FINAL-2025")
        assert row.locator(".promotion-done a").get_attribute("href") == "#round-R-WS-FINAL-2025"
    assert page.get_by_role("button", name=promote).count() == 0  # the banner final promotes nowhere
    page.locator('tr[data-round="R-GL-2025-05"] .promotion-done a').click()
    assert page.url.endswith("#round-R-WS-FINAL-2025")
    _shot(page, f"console-promoted-{lang}")
    context.close()


def test_a_final_round_not_yet_promoted_is_promoted_once_from_the_console(browser: Browser,
                                                                          site: dict[str, Any]) -> None:
    context = _context(browser, site["base"])
    page = _sign_in(context, "admin")
    page.goto(f"/console/{PROMO}")
    row = page.locator('tr[data-round="R-PROMO-T"]')
    button = row.get_by_role("button", name="晋级到下一级")
    expect(button).to_be_visible()
    assert row.locator(".promotion-done").count() == 0
    button.click()
    expect(page.locator("#confirm-text")).to_contain_text("R-PROMO-T → R-PROMO-F")
    page.locator("#confirm-ok").click()
    expect(row.locator(".promotion-done")).to_contain_text("已晋级到 R-PROMO-F", timeout=15_000)
    assert row.get_by_role("button", name="晋级到下一级").count() == 0
    finalists = _api(site["base"], "/api/rounds/R-PROMO-F/finalists", _token(site["base"], "admin"))
    assert [f["entrant"] for f in finalists] == ["PO1"]
    _shot(page, "console-promoted-once-zh")
    context.close()


# -- item 11: accepting a unit's recommendations in one step ---------------------------------------


def _accepted_events(site: dict[str, Any]) -> list[dict[str, Any]]:
    request = urllib.request.Request(site["base"] + "/api/events")
    request.add_header("Authorization", f"Bearer {_token(site['base'], 'auditor')}")
    with urllib.request.urlopen(request, timeout=30) as r:
        lines = [json.loads(line) for line in r.read().splitlines() if line.strip()]
    return [{**json.loads(e["state"]), "aggregate": e["aggregate"]} for e in lines
            if e.get("topic", "").endswith("Certification.RecommendationAccepted")]


def _states(site: dict[str, Any]) -> dict[str, tuple[str, int | None]]:
    rows = _api(site["base"], f"/api/contests/{CONTEST}/stars/township/2025", _token(site["base"], "county"))
    return {r["organization"]: (r["state"], r["stars"]) for r in rows}


def test_an_admin_accepts_a_townships_recommendations_in_one_step(browser: Browser, site: dict[str, Any]) -> None:
    before = _states(site)
    assert {state for state, _ in before.values()} == {"initially_evaluated"}
    context = _context(browser, site["base"], viewport={"width": 1366, "height": 900})
    page = _sign_in(context, "county")
    page.goto(f"/console/{CONTEST}")
    form = page.locator("form#accept-township-2025")
    form.locator("select[name=unit]").select_option("WS-GL")
    page.locator('select[name=except][data-organization="WS-GL-03"]').select_option("3")
    page.locator('select[name=except][data-organization="WS-SLD-01"]').select_option("5")  # outside the scope
    form.get_by_role("button", name="采纳建议并审定").click()
    # an exception other than the computed recommendation needs a reason: the preview says so, nothing is asked
    expect(form.locator(".result")).to_contain_text("WS-GL-03")
    expect(form.locator(".result")).to_contain_text("理由")
    expect(page.locator("#confirm")).to_be_hidden()
    form.locator("input[name=reason]").fill("实地核查发现台账不全")
    form.get_by_role("button", name="采纳建议并审定").click()
    dialog = page.locator("#confirm-text")
    expect(dialog).to_contain_text("手工改定（例外）1 个")
    assert "11 个组织" in dialog.inner_text()
    text = dialog.inner_text()
    assert "WS-GL-03 敖包塔拉村：★★★（建议 ★★★★★）；理由：实地核查发现台账不全" in text
    assert "采纳建议 10 个" in text and "WS-SLD-01" not in text
    recommended = {o: s for o, (_, s) in before.items()}
    for org in ("WS-GL-01", "WS-GL-11"):
        assert org in text
    _shot(page, "console-accept-confirm-zh", full_page=False)
    page.get_by_role("button", name="取消").click()  # no: nothing is recorded
    expect(page.locator("#confirm")).to_be_hidden()
    assert _states(site) == before and _accepted_events(site) == []

    form.get_by_role("button", name="采纳建议并审定").click()
    expect(dialog).to_contain_text("手工改定（例外）1 个")
    page.locator("#confirm-ok").click()
    row = page.locator('table.certs tr[data-organization="WS-GL-03"]')
    expect(row).to_contain_text("已认定", timeout=15_000)  # the page reloads
    after = _states(site)
    gl = {o for o in after if o.startswith("WS-GL-")}
    assert len(gl) == 11 and all(after[o][0] == "certified" for o in gl)
    assert after["WS-GL-03"] == ("certified", 3)
    assert all(after[o] == before[o] for o in after if o not in gl)  # the other townships are left as they were
    events = _accepted_events(site)
    assert len(events) == 11 and len({e["aggregate"] for e in events}) == 11  # one event per organization
    assert {e["actor"] for e in events} == {"county"} and {e["unit"] for e in events} == {"WS-GL"}
    hand = [e for e in events if e["exception"]]
    assert len(hand) == 1 and (hand[0]["stars"], hand[0]["reason"]) == (3, "实地核查发现台账不全")
    assert all(e["stars"] == e["recommended"] for e in events if not e["exception"])
    assert recommended == {o: s for o, (_, s) in before.items()}
    _shot(page, "console-accepted-zh")

    # the stars pages: the certified stars have a chart of their own, which counts the table's column
    page.goto(f"/stars/{CONTEST}")
    assert _chart_counts(page, "chart-certified") == _table_counts(page, "stars")
    assert sum(_chart_counts(page, "chart-certified").values()) == 11
    public = context.browser.new_context(base_url=site["base"], locale="zh-CN")
    shown = public.new_page()
    shown.goto(f"/stars/{CONTEST}?lang=en")
    assert _chart_counts(shown, "chart-certified") == _table_counts(shown, "stars")
    assert _chart_counts(shown, "chart-recommended") == _table_counts(shown, "recommended")
    _shot(shown, "public-stars-certified-en")
    public.close()
    context.close()


def test_the_confirmation_in_english_lists_what_would_be_recorded(browser: Browser, site: dict[str, Any]) -> None:
    context = _context(browser, site["base"], viewport={"width": 1366, "height": 900})
    page = _sign_in(context, "county", "en")
    page.goto(f"/console/{CONTEST}?lang=en")
    form = page.locator("form#accept-township-2025")
    form.locator("select[name=unit]").select_option("WS-SLD")
    page.locator('select[name=except][data-organization="WS-SLD-02"]').select_option("none")
    form.locator("input[name=reason]").fill("discipline inspection pending")
    form.get_by_role("button", name="Accept and certify").click()
    dialog = page.locator("#confirm-text")
    expect(dialog).to_contain_text("Set by hand (exceptions), 1:")
    assert "10 organization(s)" in dialog.inner_text() and "WS-SLD-02" in dialog.inner_text()
    assert "no rating (recommended ★" in dialog.inner_text()
    _shot(page, "console-accept-confirm-en", full_page=False)
    page.get_by_role("button", name="Cancel").click()
    assert _states(site)["WS-SLD-02"][0] == "initially_evaluated"
    context.close()
