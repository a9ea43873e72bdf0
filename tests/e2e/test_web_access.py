"""Every page as a person reads it: the test walks the pages of the demo (and the rounds of the
day that ``tests/e2e/test_web.py`` adds: one scored live, one blind, one to close, one not
started), signed out and as each role, following the links each one is shown, and on each page,
in Chinese and in English, at 1920x1080, 1366x768 and 390x844:

- axe-core (injected from ``tests/browser``, installed by ``tests/install-browser``) finds no
  WCAG 2.1 A or AA violation, colour contrast included;
- on a phone, a table either fits or scrolls inside its own box: the page never scrolls
  sideways, and no cell of a table that does not scroll is narrower than two characters;
- a screenshot of each (the whole page, and what the screen shows first) goes to the page
  gallery: ``tests/artifacts/gallery`` always, and the folder ``LEITAI_GALLERY`` names too
  (``make screenshots`` sets it to ``docs/screenshots``).

Pages that several roles reach are checked once, as the first role that reaches them (signed
out first), two of each kind (two audit pages, two results pages...; the pages of ALWAYS
besides): what a role adds (the console, the judge's page, the organization's own page, the
auditor's marks) is checked as that role, and each role's own home page and menu. A link a
reader is shown that leads to a refusal or an error is a failure too.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e import test_web
from tests.e2e.test_web import ROOT, _context, _sign_in

server = test_web.server  # the fixtures, module-scoped: this module's own server and browser
browser = test_web.browser

AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
GALLERY = Path(os.environ.get("LEITAI_ARTIFACTS", ROOT / "tests" / "artifacts")) / "gallery"
EXTRA_GALLERY = os.environ.get("LEITAI_GALLERY")
VIEWPORTS = {"1920": (1920, 1080), "1366": (1366, 768), "390": (390, 844)}
LANGUAGES = ("zh", "en")
# signed out first: a page everyone reaches is checked as the public sees it
# (the county's organizer before a township's: the console in the gallery shows the whole contest)
ROLES = (None, "judge-j01", "org-ws-gl-03", "county", "township-gl", "admin", "auditor")
# pages checked whatever the walk finds (the README shows them): the final's audit page with
# its trimmed sheets as an auditor reads it, the judge's page of a round scored live and of one scored blind
# (and the sign-in page, and the page a missing round answers with)
ALWAYS = {None: ("/login", "/results/R-NO-SUCH-ROUND"), "judge-j01": ("/judge/R-WEB-LIVE", "/judge/R-WEB-BLIND"),
          "auditor": ("/audit/R-WS-FINAL-2025/WS-SLD-09",)}
EXPECTED = {"/results/R-NO-SUCH-ROUND": 404}  # what a page answers, where it is not 200
PER_KIND = 2  # pages of one kind (one route) checked: two audit pages, two result pages...
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

if not AXE.exists():
    if os.environ.get("LEITAI_REQUIRE_BROWSER") == "1":
        pytest.fail(f"axe-core is not at {AXE}: run tests/install-browser", pytrace=False)
    pytest.skip("axe-core is not installed (tests/install-browser)", allow_module_level=True)


def _kind(path: str) -> str:
    """The route a path belongs to: /audit/R-1/E-2 -> audit/2 (its first word and its depth)."""
    parts = [p for p in path.split("/") if p]
    return f"{parts[0] if parts else 'home'}/{len(parts)}"


def _followed(href: str, server: str) -> str | None:
    """The page a link leads to, if it is a page of this server to check (no API, no file, no
    language switch, no fragment of a page)."""
    url = urlsplit(href)
    if url.scheme and f"{url.scheme}://{url.netloc}" != server:
        return None
    path = url.path or "/"
    if path.startswith(("/api/", "/static/", "/healthz", "/login", "/logout")) or path.endswith(
            ("/table", ".xlsx", ".html", ".csv", ".json", ".pdf", ".js")):
        return None
    return path


def _links(page: Page, server: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    found = []
    for href in hrefs:
        path = _followed(href, server)
        if path and path not in found:
            found.append(path)
    return found


def _walk(page: Page, server: str, seen_kinds: dict[str, int], checked: set[str], broken: list[str]) -> list[str]:
    """The pages this viewer reaches from the home page, three links deep, that no one checked yet."""
    todo, found, visited = ["/"], [], set()
    for depth in range(4):
        following = []
        for path in todo:
            if path in found or path in visited:
                continue
            visited.add(path)
            kind = _kind(path)
            new = path not in checked and seen_kinds.get(kind, 0) < PER_KIND
            if not new and path != "/":
                continue
            came_from = page.url
            response = page.goto(path)
            if response is None or response.status >= 400:  # a link this reader is shown leads nowhere
                broken.append(f"{path} (linked from {came_from}) answered {response.status if response else 'nothing'}")
                continue
            path = urlsplit(page.url).path  # where it led (/me leads to the organization's page)
            if new and path not in checked and path not in found:
                seen_kinds[kind] = seen_kinds.get(kind, 0) + 1
                found.append(path)
            if depth < 3:
                following += _links(page, server)
        todo = following
    return found


def _with_lang(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


def _axe(page: Page) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    return [{"rule": v["id"], "impact": v["impact"], "help": v["help"],
             "where": [(n["target"], n.get("failureSummary", "")[:200]) for n in v["nodes"][:4]]}
            for v in result["violations"]]


NARROW_CELLS = """() => {
  const out = {pageScrollsSideways: document.documentElement.scrollWidth > window.innerWidth + 1, narrow: []};
  for (const table of document.querySelectorAll('table')) {
    if (!table.offsetParent) continue;
    let scrolls = false;
    for (let box = table; box && box !== document.body; box = box.parentElement) {
      const overflow = getComputedStyle(box).overflowX;
      if ((overflow === 'auto' || overflow === 'scroll') && box.clientWidth < window.innerWidth + 1) { scrolls = true; break; }
    }
    if (scrolls) continue;
    for (const cell of table.querySelectorAll('th, td')) {
      const text = cell.innerText.trim();
      if (!text || !cell.offsetParent) continue;
      const style = getComputedStyle(cell);
      const inner = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      const chars = Math.min(2, [...text].length);
      if (inner < chars * parseFloat(style.fontSize) * 0.9) out.narrow.push(`${text.slice(0, 12)} (${Math.round(inner)} px)`);
    }
  }
  return out;
}"""


def _name(role: str | None, path: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9-]+", "_", path.strip("/")) or "home"
    return f"{role or 'public'}--{slug}"


def _shoot(page: Page, name: str) -> None:
    for folder in filter(None, (GALLERY, Path(EXTRA_GALLERY).resolve() if EXTRA_GALLERY else None)):
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        page.screenshot(path=str(folder / f"{name}-top.png"))  # and what the screen shows first, unscrolled


def test_every_page_is_accessible_and_fits_every_screen_in_both_languages(browser: Browser, server: str) -> None:
    seen_kinds: dict[str, int] = {}
    checked: set[str] = set()
    problems: list[str] = []
    pages_checked = 0
    for role in ROLES:
        context = _context(browser, server, viewport={"width": 1366, "height": 768}, bypass_csp=True)
        page = _sign_in(context, role) if role else context.new_page()
        broken: list[str] = []
        paths = _walk(page, server, seen_kinds, checked, broken)
        problems += [f"{role or 'signed out'}: {b}" for b in broken]
        if role and "/" not in paths:  # each role's own home page and menu
            paths.insert(0, "/")
        paths += [p for p in ALWAYS.get(role, ()) if p not in paths]
        checked.update(paths)
        for size, (width, height) in VIEWPORTS.items():
            page.set_viewport_size({"width": width, "height": height})
            for lang in LANGUAGES:
                for path in paths:
                    response = page.goto(_with_lang(path, lang))
                    where = f"{role or 'signed out'} {path} {lang} {size}"
                    if response is None or response.status != EXPECTED.get(path, 200):
                        problems.append(f"{where}: answered {response.status if response else 'nothing'}")
                        continue
                    page.wait_for_load_state("load")
                    pages_checked += 1
                    for violation in _axe(page):
                        problems.append(f"{where}: {violation}")
                    if size == "390":
                        fit = page.evaluate(NARROW_CELLS)
                        if fit["pageScrollsSideways"]:
                            problems.append(f"{where}: the page scrolls sideways on a phone")
                        if fit["narrow"]:
                            problems.append(f"{where}: cells narrower than two characters: {fit['narrow'][:6]}")
                    _shoot(page, f"{_name(role, path)}--{lang}-{size}")
        context.close()
    kinds = sorted(seen_kinds)
    print(f"\n   {pages_checked} page views checked ({len(checked)} pages of {len(kinds)} kinds: {', '.join(kinds)})")
    # every audience's pages were reached: a walk that lost its way checks nothing
    for kind in ("home/0", "results/1", "results/2", "screen/2", "judge/1", "judge/2", "audit/3", "org/2",
                 "console/1", "console/2", "console/3", "stars/2", "judges/2", "me/1"):
        if kind not in seen_kinds:
            problems.append(f"no page of the kind {kind} was reached (reached: {kinds})")
    assert not problems, "\n".join(problems[:60]) + f"\n({len(problems)} in all)"
