"""The pages' words and charts, without a browser: every phrase a template or the page
code shows has its English; the charts are SVG computed from exact values and carry
their numbers as text; each page carries its own stylesheet and scripts, allowed by their
hash and nothing else inline, compressed, with the session token under a one-time pad."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from collections import Counter
from pathlib import Path

from flask import Flask, Response

from api.web import charts
from api.web.pages import ASSETS, SECURITY_HEADERS, compressed, masked
from api.web.text import EN, translate

WEB = Path(__file__).resolve().parents[2] / "api" / "web"
PHRASE = re.compile(r"""_\(\s*(["'])(.+?)\1\s*\)""")


def _phrases() -> set[str]:
    found = set()
    for path in sorted((WEB / "templates").glob("*.html")):
        found |= {m.group(2) for m in PHRASE.finditer(path.read_text(encoding="utf-8"))}
    for module in sorted(WEB.glob("*.py")):  # the navigation (pages.py), and any page module's
        found |= set(re.findall(r'\("web\.\w+", "([^"]+)"\)', module.read_text(encoding="utf-8")))
    return found


def test_every_phrase_on_a_page_has_its_english() -> None:
    phrases = _phrases()
    assert len(phrases) > 100
    missing = sorted(p for p in phrases if p not in EN)
    assert not missing, f"phrases without English in api/web/text.py: {missing}"


def test_english_is_english_and_chinese_is_the_default() -> None:
    assert translate("zh")("评委打分") == "评委打分"
    assert translate("en")("评委打分") == "Judging"
    han = re.compile(r"[\u4e00-\u9fff]")
    assert not [text for text in EN.values() if han.search(text)]


def test_the_star_chart_draws_each_unit_and_says_its_numbers() -> None:
    svg = charts.star_distribution({"嘎鲁图镇": Counter({3: 2, 4: 5, 5: 1}), "图克镇": Counter({4: 3})}, "zh")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "嘎鲁图镇: ★★★★ × 5" in svg and "图克镇: ★★★★ × 3" in svg
    assert 'aria-label="各单位星级分布"' in svg
    assert charts.star_distribution({}, "zh") == ""


def test_the_bias_chart_places_each_judge_against_the_panel_mean() -> None:
    sheets = [{"judge": j, "entrant": e, "marks": {"a": m}, "counts": True, "voided": False}
              for j, e, m in [("J1", "O1", "10"), ("J2", "O1", "12"), ("J3", "O1", "14"),
                              ("J1", "O2", "9"), ("J2", "O2", "11"), ("J3", "O2", "13")]]
    svg = charts.judge_bias(sheets, "en")
    # J1 is two below the mean on each entrant, J3 two above, J2 on it
    assert "J1: -2.000" in svg and "J2: +0.000" in svg and "J3: +2.000" in svg
    voided = [{**s, "voided": True} if s["judge"] == "J3" else s for s in sheets]
    assert "J3" not in charts.judge_bias(voided, "en")


def test_the_rank_history_puts_rank_one_on_top() -> None:
    svg = charts.rank_history([("2025-04", 3, "R-A"), ("2025-05", 1, "R-B")], "zh")
    ys = [float(y) for y in re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)"', svg)]
    assert ys[1] < ys[0]
    assert "2025-05 R-B: 第 1 名" in svg


def _directive(name: str) -> list[str]:
    policy = SECURITY_HEADERS["Content-Security-Policy"]
    found = [d.split() for d in policy.split(";") if d.split() and d.split()[0] == name]
    assert len(found) == 1, policy
    return found[0][1:]


def test_the_inline_stylesheet_and_scripts_are_allowed_by_their_hash_and_nothing_else() -> None:
    for name, text in ASSETS.items():
        digest = "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"
        assert digest in _directive("script-src" if name.endswith(".js") else "style-src"), name
        assert text == (WEB / "static" / name).read_text(encoding="utf-8")
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in _directive(directive) and "'unsafe-eval'" not in _directive(directive)
    # every script and style element of a template is one of these files, inline (one request per page)
    inlined_anywhere = set()
    for path in sorted((WEB / "templates").glob("*.html")):
        html = path.read_text(encoding="utf-8")
        assert not re.search(r"<link[^>]+stylesheet|<script[^>]+src=", html), path.name
        for tag, body in re.findall(r"<(script|style)\b[^>]*>(.*?)</\1>", html, re.S):
            inlined = re.fullmatch(r"""\{\{ inline_asset\("([\w.]+)"\) \}\}""", body)
            assert inlined and inlined.group(1) in ASSETS, f"{path.name}: a <{tag}> the policy does not allow"
            inlined_anywhere.add(inlined.group(1))
        assert " style=" not in html, f"{path.name}: a style attribute the policy does not allow"
    assert inlined_anywhere == set(ASSETS)


def test_pages_are_compressed_for_a_browser_that_takes_it() -> None:
    app = Flask(__name__)
    page = "<p>擂台 评分表</p>\n" * 400
    with app.test_request_context(headers={"Accept-Encoding": "gzip, deflate, br"}):
        answer = compressed(Response(page, mimetype="text/html"))
        assert answer.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in answer.headers["Vary"]
        assert gzip.decompress(answer.get_data()).decode("utf-8") == page
        assert len(answer.get_data()) < len(page.encode("utf-8")) / 10
        assert "Content-Encoding" not in compressed(Response("<p>短</p>", mimetype="text/html")).headers
        assert "Content-Encoding" not in compressed(Response("{}" * 2000, mimetype="application/json")).headers
    with app.test_request_context():  # a client that does not say it takes gzip gets the page as it is
        answer = compressed(Response(page, mimetype="text/html"))
        assert "Content-Encoding" not in answer.headers and answer.get_data(as_text=True) == page


def test_the_page_carries_the_session_token_under_a_fresh_pad() -> None:
    token = "eyJuYW1lIjoianVkZ2UtajAxIn0.aBcD-_eF.Gh1J2kL3"

    def unmask(carried: str) -> str:
        pad, sealed = (base64.urlsafe_b64decode(part) for part in carried.split("."))
        return bytes(a ^ b for a, b in zip(sealed, pad, strict=True)).decode("utf-8")

    first, second = masked(token), masked(token)
    assert first != second and token not in first
    assert unmask(first) == unmask(second) == token


def test_signed_in_pages_are_never_cached_and_public_ones_always_revalidated() -> None:
    from api.web.pages import remember_language

    app = Flask(__name__)
    with app.test_request_context("/results"):
        assert remember_language(Response("<p>x</p>", mimetype="text/html")).headers["Cache-Control"] == "no-cache"
    with app.test_request_context("/judge", headers={"Cookie": "leitai_token=t"}):
        assert remember_language(Response("<p>x</p>", mimetype="text/html")).headers["Cache-Control"] == "no-store"
