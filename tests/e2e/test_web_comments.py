"""Comments (点评, rulebook section 17) where people read them, in a real browser (Chromium,
Playwright) against a real ``leitai serve``: the audit page of an entrant and the
organization's own page show each comment and its correction in words (who, at which
stage, the text as it stands, when and why it was corrected and what it said before), in
Chinese and in English, axe-core clean; a withdrawn comment only to the round's admins;
the score sheet (评分汇总表) printed to PDF and its .xlsx carry them after the marks.
Screenshots: ``tests/artifacts/screenshots/comments-*.png``."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e import test_web  # skips this module too where there is no Chromium
from tests.e2e.test_web import PASSWORD, _context, _shot, _sign_in

browser = test_web.browser  # the fixture

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
JUDGE_FIRST = "汇报扎实。"
JUDGE_NOW = "汇报扎实，数据翔实；建议讲清集体经济收益的分配。"
LEADER = "镇党委书记 张三"
LEADER_TEXT = "党建引领产业发展的路子走得实。\n要把好经验推广到全镇。"
WITHDRAWN = "这条点评写错了对象。"
COLLEAGUE = "J2 在评分期间的点评。"


def _build(db: str) -> None:
    """The small contest: R1 at T1 scored, with a judge's comment corrected, a leader's
    comment over two lines and a withdrawn one; closed and published."""
    from api.wiring import open_app
    from domain.services.clock import FixedClock
    from domain.services.setup import RoundSpec
    from tests.conftest import ADMIN
    from tests.http import add_account
    from tests.scenario import judge, score_all, small_contest

    app = open_app(db, clock=FixedClock("2025-05-20T09:00"))
    try:
        small_contest(app)
        app.record_comment("R1", "O1", JUDGE_FIRST, judge("J1"), judge="J1", stage="汇报演讲")
        app.correct_comment("R1", 1, JUDGE_NOW, "补充建议", judge("J1"))
        app.record_comment("R1", "O1", LEADER_TEXT, ADMIN, leader=LEADER, stage="书记点评")
        app.record_comment("R1", "O1", WITHDRAWN, judge("J2"), judge="J2")
        app.withdraw_comment("R1", 3, "评错了对象", ADMIN)
        score_all(app)
        app.close_round("R1", ADMIN)
        app.publish("R1", ADMIN, on=date(2025, 5, 20))
        # R2 is being scored: J2 has commented on O1 already (blind to J1 until it closes)
        app.schedule_round("c", RoundSpec("R2", "township", "T1", "2025-06", "town", judges=("J1", "J2", "J3"),
                                          theme="六月擂台"), ADMIN)
        app.open_round("R2", ADMIN)
        app.record_comment("R2", "O1", COLLEAGUE, judge("J2"), judge="J2")
        for name, role, scope in (("county", "admin", {"contest": "c", "unit": "C"}),
                                  ("org1", "organization", {"organization": "O1"}),
                                  ("judge1", "judge", {"contest": "c", "judge": "J1"})):
            add_account(app, name, role, password=PASSWORD, **scope)
    finally:
        app.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.served import leitai_serve

    folder = tmp_path_factory.mktemp("comments-web")
    db = f"sqlite:///{folder / 'web.db'}"
    _build(db)
    with leitai_serve(db, folder, env={"LEITAI_CLOCK": "2025-05-21T10:00"}) as served:
        yield served.base


def _axe(page: Page) -> list[Any]:
    if not AXE.exists():
        return []
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document.querySelector('#comments'), {runOnly: {type: 'tag', values: "
                           "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})")
    return [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in result["violations"]]


def _readable(page: Page, lang: str) -> None:
    """The comments section says, in words, who commented, at which stage, what they say now,
    and that (and why) the judge's comment was corrected, with the text it replaced."""
    section = page.locator("#comments")
    expect(section).to_be_visible()
    judge = section.locator("li.comment[data-comment='1']")
    leader = section.locator("li.comment[data-comment='2']")
    if lang == "zh":
        expect(section.locator("h2")).to_have_text("点评")
        expect(judge.locator(".comment-author")).to_have_text("评委 评委J1")
        expect(judge).to_contain_text("汇报演讲")
        expect(judge).to_contain_text("已更正")
        expect(judge.locator(".comment-history")).to_contain_text("理由：补充建议")
        expect(judge.locator(".comment-before")).to_have_text(f"原文：{JUDGE_FIRST}")
        expect(leader.locator(".comment-author")).to_have_text(LEADER)
        expect(leader).to_contain_text("领导点评")
        expect(section).to_contain_text("点评不计入成绩。")
    else:
        expect(section.locator("h2")).to_have_text("Comments")
        expect(judge.locator(".comment-author")).to_have_text("Judge 评委J1")
        expect(judge).to_contain_text("corrected")
        expect(judge.locator(".comment-history")).to_contain_text("Reason: 补充建议")
        expect(judge.locator(".comment-before")).to_have_text(f"Before: {JUDGE_FIRST}")
        expect(leader).to_contain_text("leader's comment")
        expect(section).to_contain_text("Comments are never part of a score.")
    expect(judge.locator(".comment-text")).to_have_text(JUDGE_NOW)
    # the leader's two lines stay two lines
    box = leader.locator(".comment-text")
    assert box.inner_text().splitlines() == LEADER_TEXT.splitlines()
    style = box.evaluate("e => getComputedStyle(e).whiteSpace")
    assert style == "pre-line", style
    font = judge.locator(".comment-text").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert font >= 14, font  # legible on a phone too


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_audit_page_shows_each_comment_and_its_correction_in_words(browser: Browser, server: str,
                                                                       lang: str) -> None:
    context = _context(browser, server, bypass_csp=True)
    page = _sign_in(context, "org1", lang)
    page.goto(f"/audit/R1/O1?lang={lang}")
    _readable(page, lang)
    assert WITHDRAWN not in page.locator("body").inner_text()  # the entrant never sees a withdrawn comment
    assert _axe(page) == []
    _shot(page, f"comments-audit-{lang}")
    page.locator("#comments").screenshot(path=f"/tmp/comments-audit-{lang}.png")
    context.close()


def test_the_organization_page_shows_the_comments_to_the_public_once_published(browser: Browser,
                                                                               server: str) -> None:
    context = _context(browser, server, bypass_csp=True)
    page = context.new_page()
    page.goto("/org/O1")
    _readable(page, "zh")
    expect(page.locator("#comments h3[data-round='R1']")).to_contain_text("R1")
    assert WITHDRAWN not in page.locator("body").inner_text()
    assert _axe(page) == []
    _shot(page, "comments-organization")
    page.screenshot(path="/tmp/comments-organization.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: nothing runs off the side
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.locator("#comments").screenshot(path="/tmp/comments-organization-phone.png")
    context.close()


def test_a_withdrawn_comment_shows_to_the_rounds_admin_as_withdrawn(browser: Browser, server: str) -> None:
    context = _context(browser, server, bypass_csp=True)
    page = _sign_in(context, "county")
    page.goto("/audit/R1/O1")
    withdrawn = page.locator("#comments li.comment[data-comment='3']")
    expect(withdrawn).to_contain_text("已撤回")
    expect(withdrawn.locator(".comment-history")).to_contain_text("理由：评错了对象")
    expect(withdrawn.locator(".comment-text s")).to_have_text(WITHDRAWN)  # struck through: no longer said
    page.locator("#comments").screenshot(path="/tmp/comments-audit-admin.png")
    context.close()


def test_the_score_sheet_prints_the_comments_after_the_marks(browser: Browser, server: str) -> None:
    import json
    import urllib.request

    from openpyxl import load_workbook

    from tests.e2e.test_documents_print import _flat, pdf_pages

    request = urllib.request.Request(server + "/api/auth/token", method="POST",
                                     data=json.dumps({"name": "county", "password": PASSWORD}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as r:
        token = json.loads(r.read())["token"]

    def fetch(name: str) -> bytes:
        asked = urllib.request.Request(f"{server}/api/rounds/R1/documents/{name}",
                                       headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(asked, timeout=30) as r:
            return r.read()

    page = browser.new_page()
    page.set_content(fetch("score-sheet.html").decode("utf-8"))
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    page.set_viewport_size({"width": 794, "height": 1123})
    page.locator("section.comments").screenshot(path="/tmp/comments-score-sheet.png")
    page.close()
    text = _flat("".join(pdf_pages(pdf)))
    said = text[text.index("三、点评（不计入成绩）"):]
    assert _flat(JUDGE_NOW) in said and _flat(LEADER) in said and _flat(LEADER_TEXT) in said
    assert "更正，理由：补充建议" in said and _flat(WITHDRAWN) not in text
    assert text.index("二、评委评分明细") < text.index("三、点评")  # after the marks
    book = load_workbook(io.BytesIO(fetch("score-sheet.xlsx")))
    rows = [tuple(row) for row in book["点评"].iter_rows(values_only=True)]
    assert rows[1][:6] == ("编号", "组织代码", "名称", "点评人", "环节", "点评内容")
    assert (1, "O1", "村O1", "评委 评委J1（J1）", "汇报演讲", JUDGE_NOW) == tuple(rows[2][:6])
    assert rows[3][3] == LEADER and rows[3][5] == LEADER_TEXT and len(rows) == 4  # the withdrawn one is not there



def test_a_judge_comments_from_the_phone_beside_the_sheet_and_sees_only_their_own(browser: Browser,
                                                                                  server: str) -> None:
    context = _context(browser, server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = _sign_in(context, "judge1")
    page.goto("/judge/R2")
    box = page.locator("details.comment-box[data-entrant='O1']")
    expect(box.locator("summary")).to_contain_text("点评")
    box.locator("summary").click()
    box.locator("textarea[name=text]").fill("手机上登记的点评：\n发言条理清楚。")
    box.locator("input[name=stage]").fill("汇报演讲")
    box.get_by_role("button", name="登记点评").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("不计入成绩")
    dialog.get_by_role("button", name="确认").click()
    page.wait_for_load_state("load")
    mine = page.locator("details.comment-box[data-entrant='O1'] li.comment")
    expect(mine).to_have_count(1, timeout=10_000)
    expect(mine.locator(".comment-text")).to_have_text("手机上登记的点评：\n发言条理清楚。")
    expect(mine).to_contain_text("汇报演讲")
    body = page.locator("body").inner_text()
    assert COLLEAGUE not in body  # blind: a colleague's comment is not shown while the round is scored
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.locator("details.comment-box[data-entrant='O1']").screenshot(path="/tmp/comments-judge-phone.png")
    _shot(page, "comments-judge-phone")
    context.close()


def test_the_rounds_admin_records_a_leaders_comment_and_corrects_it_on_the_audit_page(browser: Browser,
                                                                                     server: str) -> None:
    context = _context(browser, server, bypass_csp=True)
    page = _sign_in(context, "county")
    page.goto("/audit/R1/O2")
    assert _axe(page) == []  # the form too
    form = page.locator("form.leader-comment")
    form.get_by_label("点评领导（职务 姓名）").fill("县委书记 李四")
    form.get_by_label("环节（可不填）").fill("书记点评")
    form.get_by_label("点评内容").fill("治理有效。")
    form.get_by_role("button", name="登记领导点评").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("不计入成绩")
    dialog.get_by_role("button", name="确认").click()
    said = page.locator("#comments li.comment")
    expect(said).to_have_count(1, timeout=10_000)
    expect(said.locator(".comment-author")).to_have_text("县委书记 李四")
    said.locator(".comment-edit summary").click()
    fix = said.locator("form[data-url$='/corrections']")
    fix.get_by_label("更正后的点评").fill("治理有效，村规民约执行到位。")
    fix.get_by_label("理由").fill("补充")
    fix.get_by_role("button", name="更正点评").click()
    page.get_by_role("dialog").get_by_role("button", name="确认").click()
    expect(page.locator("#comments li.comment .comment-text")).to_have_text("治理有效，村规民约执行到位。",
                                                                            timeout=10_000)
    expect(page.locator("#comments li.comment .comment-before")).to_have_text("原文：治理有效。")
    page.locator("#comments").screenshot(path="/tmp/comments-audit-admin-form.png")
    page.goto("/audit/R1/O2?lang=en")
    expect(page.locator("form.leader-comment button[type=submit]")).to_have_text("Record the leader's comment")
    assert _axe(page) == []
    context.close()
    public = browser.new_page(base_url=server)  # the public reads it on the organization's page (published)
    public.goto("/org/O2")
    expect(public.locator("#comments")).to_contain_text("治理有效，村规民约执行到位。")
    public.close()
