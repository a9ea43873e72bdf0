"""Charts drawn on the server as SVG: nothing to load, nothing from the internet, readable
on a projector.  Values are computed exactly (Fraction); only the pixel positions are
rounded, and every chart carries its numbers as text (titles and a table beside it) for
those who would rather read than look.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from fractions import Fraction
from html import escape
from typing import Any

STAR_COLOURS = {1: "#c9d6e3", 2: "#9fb8d0", 3: "#6b93b8", 4: "#3c6e9c", 5: "#b8860b"}
INK, GRID, ACCENT, WARN = "#1a1a1a", "#d0d0d0", "#1f5fa8", "#b3261e"


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
            f'aria-label="{escape(label)}" class="chart"><title>{escape(label)}</title>' + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, size: int = 14, anchor: str = "start", fill: str = INK) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}">'
            f"{escape(text)}</text>")


def star_distribution(per_unit: Mapping[str, Counter[int]], lang: str) -> str:
    """How many organizations of each unit hold each star rating: one stacked bar per unit."""
    if not per_unit:
        return ""
    units = sorted(per_unit)
    largest = max(sum(c.values()) for c in per_unit.values()) or 1
    left, bar, gap, width = 150, 26, 12, 760
    height = 40 + len(units) * (bar + gap) + 40
    body = []
    for i, unit in enumerate(units):
        y = 30 + i * (bar + gap)
        body.append(_text(left - 8, y + bar * 0.7, unit, anchor="end"))
        x = Fraction(left)
        for stars in range(1, 6):
            n = per_unit[unit].get(stars, 0)
            if not n:
                continue
            w = Fraction(width - left - 40) * n / largest
            tip = f"{unit}: {'★' * stars} × {n}"
            body.append(f'<rect x="{float(x):.1f}" y="{y}" width="{float(w):.1f}" height="{bar}" '
                        f'fill="{STAR_COLOURS[stars]}" stroke="#fff"><title>{escape(tip)}</title></rect>')
            if w >= 18:
                body.append(_text(float(x + w / 2), y + bar * 0.7, str(n), 13, "middle",
                                  "#fff" if stars >= 3 else INK))
            x += w
    legend_y = height - 14
    for stars in range(1, 6):
        lx = left + (stars - 1) * 110
        body.append(f'<rect x="{lx}" y="{legend_y - 12}" width="14" height="14" fill="{STAR_COLOURS[stars]}"/>')
        body.append(_text(lx + 20, legend_y, "★" * stars, 13))
    label = "各单位星级分布" if lang == "zh" else "Star ratings per unit"
    return _svg(width, height, label, body)


def judge_bias(sheets: Iterable[Mapping[str, Any]], lang: str) -> str:
    """Each judge's sheet totals against the panel's mean for the same entrant: one dot
    per sheet, the judge's mean deviation as a bar; zero is the panel."""
    totals: dict[str, list[Fraction]] = {}
    by_judge: dict[str, list[tuple[str, Fraction]]] = {}
    for s in sheets:
        if s.get("voided") or not s.get("counts", True):
            continue
        total = sum((Fraction(v) for v in s["marks"].values()), Fraction(0))
        totals.setdefault(s["entrant"], []).append(total)
        by_judge.setdefault(s["judge"], []).append((s["entrant"], total))
    if not by_judge:
        return ""
    mean = {e: sum(v, Fraction(0)) / len(v) for e, v in totals.items()}
    deviations = {j: [t - mean[e] for e, t in rows] for j, rows in by_judge.items()}
    span = max((abs(d) for ds in deviations.values() for d in ds), default=Fraction(1)) or Fraction(1)
    judges = sorted(deviations)
    left, row, width = 110, 30, 760
    half = Fraction(width - 40 - left, 2)
    centre = left + half
    height = 50 + len(judges) * row + 30

    def x(d: Fraction) -> float:
        return float(centre + half * d / span)

    body = [f'<line x1="{float(centre):.1f}" y1="20" x2="{float(centre):.1f}" y2="{height - 30}" stroke="{INK}"/>',
            _text(float(centre), 14, "评审组平均" if lang == "zh" else "panel mean", 12, "middle"),
            _text(left, height - 10, f"-{float(span):.2f}", 12), _text(width - 40, height - 10,
                                                                       f"+{float(span):.2f}", 12, "end")]
    for i, judge in enumerate(judges):
        y = 40 + i * row
        ds = deviations[judge]
        average = sum(ds, Fraction(0)) / len(ds)
        body.append(_text(left - 8, y + 5, judge, anchor="end"))
        body.append(f'<line x1="{left}" y1="{y}" x2="{width - 40}" y2="{y}" stroke="{GRID}"/>')
        colour = WARN if abs(average) > span / 2 else ACCENT
        body.append(f'<rect x="{min(x(average), float(centre)):.1f}" y="{y - 8}" '
                    f'width="{abs(x(average) - float(centre)):.1f}" height="16" fill="{colour}" opacity="0.35">'
                    f'<title>{escape(judge)}: {float(average):+.3f}</title></rect>')
        for d in ds:
            body.append(f'<circle cx="{x(d):.1f}" cy="{y}" r="3" fill="{colour}"/>')
    label = "评委打分与评审组平均的偏差" if lang == "zh" else "Each judge's totals against the panel mean"
    return _svg(width, height, label, body)


def rank_history(history: list[tuple[str, int, str]], lang: str) -> str:
    """An organization's rank over the periods (rank 1 at the top)."""
    if not history:
        return ""
    worst = max(rank for _, rank, _ in history)
    left, top, width, height = 60, 30, 760, 260
    step = Fraction(width - left - 40, max(1, len(history) - 1))

    def y(rank: int) -> float:
        return float(top + Fraction(height - top - 50) * (rank - 1) / max(1, worst - 1))

    points = [(float(left + step * i), y(rank)) for i, (_, rank, _) in enumerate(history)]
    body = [f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - 50}" stroke="{GRID}"/>',
            _text(left - 8, top + 5, "1", 12, "end"), _text(left - 8, y(worst) + 5, str(worst), 12, "end")]
    if len(points) > 1:
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{ACCENT}" stroke-width="2.5"/>')
    for (px, py), (period, rank, code) in zip(points, history, strict=True):
        what = f"{period} {code}: 第 {rank} 名" if lang == "zh" else f"{period} {code}: rank {rank}"
        body.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="5" fill="{ACCENT}"><title>{escape(what)}</title></circle>')
        body.append(_text(px, py - 10, str(rank), 12, "middle"))
        body.append(_text(px, height - 28, period, 12, "middle"))
    label = "名次变化" if lang == "zh" else "Rank over time"
    return _svg(width, height, label, body)
