"""The pages' words and charts, without a browser: every phrase a template or the page
code shows has its English; the charts are SVG computed from exact values and carry
their numbers as text."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from api.web import charts
from api.web.text import EN, translate

WEB = Path(__file__).resolve().parents[2] / "api" / "web"
PHRASE = re.compile(r"""_\(\s*(["'])(.+?)\1\s*\)""")


def _phrases() -> set[str]:
    found = set()
    for path in sorted((WEB / "templates").glob("*.html")):
        found |= {m.group(2) for m in PHRASE.finditer(path.read_text(encoding="utf-8"))}
    pages = (WEB / "pages.py").read_text(encoding="utf-8")
    found |= set(re.findall(r'\("web\.\w+", "([^"]+)"\)', pages))  # the navigation
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
