"""Consequences as tracked work in Chromium (rulebook sections 15-16): the demo closes May 2025 of
嘎鲁图镇; on a clock in July the tasks page, the console's overdue list, a pair's page and the
organization's own page read as words (约谈 by 党委副书记, 逾期 in red), in Chinese and English;
an exchange is recorded through the pair's page; a judge is refused the tasks page.
Screenshots: tests/artifacts/screenshots/work-*.png."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_web import PASSWORD, ROOT, _context, _shot, _sign_in, browser  # noqa: F401 - fixtures
from tests.served import leitai_serve

CONTEST = "wushen-2025"
JULY = "2025-07-02T10:00"  # the demo's drill clock after its step of 结果运用


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("work-web")
    db = f"sqlite:///{folder / 'work.db'}"
    done = subprocess.run([sys.executable, "-m", "api.cli.main", "--db", db, "demo", "--no-serve"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    from domain.services.app import Leitai
    from domain.services.store import application_env, parse_url
    from tests.http import give_password

    store = parse_url(db)
    app = Leitai(env=application_env(store), store=store)
    try:
        give_password(app, ("township-gl", "judge-j01", "org-ws-gl-03", "auditor"), PASSWORD)
    finally:
        app.close()
    with leitai_serve(db, folder, env={"LEITAI_CLOCK": JULY}) as served:
        yield served.base


def _colour(locator: Any) -> str:
    return locator.evaluate("e => getComputedStyle(e).color")


def test_the_tasks_page_lists_the_ladder_in_words_with_the_overdue_in_red(browser: Browser, server: str) -> None:  # noqa: F811
    page = _sign_in(_context(browser, server), "township-gl")
    page.goto(f"/console/{CONTEST}/tasks")
    expect(page.locator("h2#tasks-h")).to_have_text("后果阶梯的任务")
    done = page.locator("table.tasks tr", has_text="达布淖尔村").first
    for word in ("约谈", "党委副书记", "2025-06-16", "已办结", "2025-05 后 3 名（第 11 名）"):
        expect(done).to_contain_text(word)
    late = page.locator("table.tasks span.error-text", has_text="逾期")
    expect(late).to_have_count(3)
    assert _colour(late.first) != _colour(done.locator("span.task-state")), "逾期 looks like any other state"
    expect(page.locator("table.tasks", has_text="已免办")).to_contain_text("已在同月全旗经验交流会上作典型发言")
    pairs = page.locator("section[aria-labelledby=pairs-h] tbody tr")
    expect(pairs).to_have_count(4)
    expect(pairs.first).to_contain_text("每月 至少 2 次")
    _shot(page, "work-tasks-zh")
    page.goto(f"/console/{CONTEST}/tasks?overdue=1")
    expect(page.locator("table.tasks tbody tr", has_text="逾期")).to_have_count(3)
    page.goto(f"/console/{CONTEST}/tasks?lang=en")
    expect(page.locator("h2#tasks-h")).to_have_text("The ladder's tasks")
    first = page.locator("table.tasks tr", has_text="WS-GL-02").first
    expect(first).to_contain_text("Interview")
    expect(first).to_contain_text("2025-05 bottom 3 (rank 11)")
    expect(page.locator("table.tasks span.error-text", has_text="Overdue")).to_have_count(3)
    _shot(page, "work-tasks-en")


def test_the_console_lists_the_overdue_tasks(browser: Browser, server: str) -> None:  # noqa: F811
    page = _sign_in(_context(browser, server), "township-gl")
    page.goto(f"/console/{CONTEST}")
    section = page.locator("#overdue")
    expect(section.locator("h2")).to_contain_text("逾期任务")
    expect(section.locator("h2 .chip")).to_have_text("3")
    rows = section.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("约谈")
    expect(rows.first).to_contain_text("党委副书记")
    section.screenshot(path=str(ROOT / "tests" / "artifacts" / "screenshots" / "work-console-overdue.png"))


def test_a_pairs_page_shows_its_exchanges_against_the_obligation_and_records_one(
        browser: Browser, server: str) -> None:  # noqa: F811
    page = _sign_in(_context(browser, server), "township-gl")
    page.goto(f"/console/pairs/{CONTEST}:WS-GL:2025-05:WS-GL-10")  # 毛乌浩特嘎查: one exchange in June
    expect(page.locator("h1")).to_contain_text("沙尔塔拉村 → 毛乌浩特嘎查")
    windows = page.locator("section[aria-labelledby=ob-h] tbody tr")
    expect(windows.nth(0)).to_contain_text("未达到")
    expect(windows.nth(0).locator(".error-text")).to_have_text("未达到")
    expect(windows.nth(1)).to_contain_text("进行中")
    form = page.locator("form.command")
    form.locator("input[name=date]").fill("2025-07-01")
    form.locator("input[name=place]").fill("沙尔塔拉村党群服务中心")
    form.locator("input[name=participants]").fill("两村党组织书记")
    form.locator("textarea[name=summary]").fill("交流产业项目经验")
    form.locator("button[type=submit]").click()
    page.locator("#confirm-ok").click()
    expect(page.locator("section[aria-labelledby=ex-h] tbody tr", has_text="2025-07-01")).to_have_count(1,
                                                                                                  timeout=10000)
    expect(page.locator("section[aria-labelledby=ob-h] tbody tr").nth(1)).to_contain_text("1")
    _shot(page, "work-pair-zh")


def test_the_organization_sees_its_classes_and_its_tasks(browser: Browser, server: str) -> None:  # noqa: F811
    page = _sign_in(_context(browser, server), "org-ws-gl-03")
    page.goto("/org/WS-GL-03")
    classes = page.locator("#classes")
    expect(classes.locator("h2")).to_have_text("分类历史")
    expect(classes.locator("tbody tr").first).to_contain_text("一类")
    tasks = page.locator("#tasks")
    expect(tasks).to_contain_text("经验交流")
    expect(tasks).to_contain_text("已办结")
    expect(tasks.locator("a", has_text="敖包塔拉村 → 达布淖尔村")).to_have_count(1)
    _shot(page, "work-organization-zh")
    tasks.locator("a", has_text="敖包塔拉村 → 达布淖尔村").click()  # its pair: read only, every link its own to follow
    expect(page.locator("h1")).to_contain_text("敖包塔拉村 → 达布淖尔村")
    expect(page.locator("form.command")).to_have_count(0)
    for href in page.locator("main a").evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        assert page.request.get(href).status == 200, href


def test_a_judge_and_the_public_do_not_see_the_work(browser: Browser, server: str) -> None:  # noqa: F811
    page = _sign_in(_context(browser, server), "judge-j01")
    assert page.goto(f"/console/{CONTEST}/tasks").status == 403
    public = _context(browser, server).new_page()
    public.goto("/org/WS-GL-02")
    expect(public.locator("#tasks")).to_have_count(0)  # 约谈 is not for the public
    expect(public.locator("#classes")).to_have_count(0)


def test_the_replay_page_shows_the_classes_and_tasks_other_rules_would_change(
        browser: Browser, server: str) -> None:  # noqa: F811
    from api.cli.demo import EXAMPLE

    text = (EXAMPLE / "rules" / "township-2025.toml").read_text(encoding="utf-8")
    text = text.replace("version = 1", "version = 2").replace('share = "0.3"', 'share = "0.1"')
    page = _sign_in(_context(browser, server), "auditor")  # a township's admin replays only its own rounds
    page.goto(f"/console/{CONTEST}/replay")
    page.fill("#rules-text", text)
    page.locator("#replay-form button[type=submit]").click()
    work = page.locator("#replay-work")
    expect(work).to_be_visible(timeout=30000)
    expect(work.locator("summary")).to_contain_text("分类与任务的变化")
    work.locator("summary").click()
    row = work.locator("tbody tr", has_text="WS-GL").filter(has_text="2025-05").first
    expect(row).to_contain_text("一类 → 二类")  # 30 % of 11 kept three in 一类; 10 % keeps one
    work.screenshot(path=str(ROOT / "tests" / "artifacts" / "screenshots" / "work-replay.png"))


def test_the_replay_page_shows_a_recount_and_the_flags_other_rules_would_change(
        browser: Browser, server: str) -> None:  # noqa: F811
    """The console shows what `leitai replay` prints for ballots (a recount is a replay) and flags."""
    from api.cli.demo import EXAMPLE

    votes = (EXAMPLE / "voting" / "popularity-2025.toml").read_text(encoding="utf-8").replace(
        "version = 1", "version = 2", 1)
    parts = votes.split('weight = "0.4"')  # party and people 0.4 each, cadres 0.2 -> 0.2, 0.2, 0.6
    votes = parts[0] + 'weight = "0.2"' + parts[1] + 'weight = "0.2"' + parts[2]
    votes = votes.replace('name = "镇村干部"\nweight = "0.2"', 'name = "镇村干部"\nweight = "0.6"')
    page = _sign_in(_context(browser, server), "auditor")
    page.goto(f"/console/{CONTEST}/replay")
    page.fill("#rules-text", votes)
    page.locator("#replay-form button[type=submit]").click()
    recount = page.locator("#replay-voting")
    expect(recount).to_be_visible(timeout=30000)
    expect(recount.locator("summary")).to_contain_text("重新计票的变化")
    recount.locator("summary").click()
    row = recount.locator("tbody tr", has_text="WS-GL-03").first  # party 0.2, people 0.2, cadres 0.6
    expect(row).to_contain_text("R-WS-VOTE-2025")
    expect(row).to_contain_text("名次 2 → 1")
    recount.screenshot(path=str(ROOT / "tests" / "artifacts" / "screenshots" / "replay-recount.png"))

    flags = (EXAMPLE / "evidence" / "flags-2025.toml").read_text(encoding="utf-8").replace(
        "version = 1", "version = 2", 1).replace('min = 90 }, { kind = "no_veto" }', 'min = 95 }, { kind = "no_veto" }')
    page.fill("#rules-text", flags)
    page.locator("#replay-form button[type=submit]").click()
    changed = page.locator("#replay-flags")
    expect(changed).to_be_visible(timeout=30000)
    expect(changed.locator("summary")).to_contain_text("红旗条件的变化")
    changed.locator("summary").click()
    row = changed.locator("tbody tr", has_text="WS-TK-02")
    expect(row).to_contain_text("脱贫致富红旗")
    expect(row.locator("td").nth(3)).to_have_text("满足")
    expect(row.locator("td").nth(4)).to_have_text("不满足")


@pytest.mark.parametrize("secure", [True, False], ids=["webcrypto", "script"])
def test_an_attachment_is_hashed_in_the_browser_and_never_sent(browser: Browser, server: str, secure: bool,
                                                               tmp_path: Any) -> None:  # noqa: F811
    """The tasks page computes a chosen file's SHA-256 for the attachment field (rulebook 15.2): by WebCrypto,
    or - a county server on plain http is no secure context - by the same computation in script."""
    import hashlib

    context = _context(browser, server)
    if not secure:
        context.add_init_script("Object.defineProperty(window, 'isSecureContext', { get: () => false });")
    page = _sign_in(context, "township-gl")
    page.goto(f"/console/{CONTEST}/tasks")
    # a step that asks for an attachment, as the ladder's second interview does (the demo issues only first steps)
    page.evaluate("""() => {
      const form = document.createElement("form");
      form.className = "command"; form.id = "probe";
      form.innerHTML = '<input name="attachment" pattern="sha256:[0-9a-f]{64}">' +
        '<input type="file" name="_attachment_file" data-digest-for="attachment">';
      document.querySelector("main").appendChild(form);
    }""")
    content = ("会议纪要：约谈达布淖尔村党支部书记。\n" * 40).encode("utf-8") + bytes(range(256))  # several blocks
    file = tmp_path / "minutes.bin"
    file.write_bytes(content)
    page.set_input_files("#probe input[type=file]", str(file))
    expect(page.locator("#probe input[name=attachment]")).to_have_value("sha256:" + hashlib.sha256(content).hexdigest())
    assert page.evaluate("() => window.isSecureContext") is secure
