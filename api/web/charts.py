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


def star_distribution(per_unit: Mapping[str, Counter[int]], lang: str, label: str | None = None) -> str:
    """How many organizations of each unit hold each star rating: one stacked bar per unit;
    ``label`` says what is counted (recommendations or certified stars)."""
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
    label = label or ("各单位星级分布" if lang == "zh" else "Star ratings per unit")
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


LEVEL_COLOURS = (ACCENT, "#b8860b", "#2e7d32", "#6a1b9a")


def _marker(shape: int, x: float, y: float, colour: str, tip: str) -> str:
    """A point of a series: a circle, a square, a diamond, a triangle (one shape per level)."""
    title = f"<title>{escape(tip)}</title>"
    if shape == 0:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}">{title}</circle>'
    if shape == 1:
        return f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="{colour}">{title}</rect>'
    corners = ([(x, y - 7), (x + 7, y), (x, y + 7), (x - 7, y)] if shape == 2
               else [(x, y - 7), (x + 7, y + 5), (x - 7, y + 5)])
    points = " ".join(f"{px:.1f},{py:.1f}" for px, py in corners)
    return f'<polygon points="{points}" fill="{colour}">{title}</polygon>'


def rank_history(history: list[tuple[Any, ...]], lang: str, level_name: Any = None) -> str:
    """An organization's rank in each round, in time order (rank 1 at the top): one series
    per level, for a rank among a township's villages and a rank among the county's
    finalists are not one line (1st at home, then 2nd in the final, is not "2 -> 1").
    ``history``: (period, rank, round[, level[, entrants in the round]]) in time order;
    ``level_name`` names a level.  The scale runs to the largest round's last rank, so a
    2nd of twelve stands near the top."""
    if not history:
        return ""
    name = level_name or (lambda level: level)
    rows = [(period, rank, code, *(list(rest) + ["", None])[:2]) for period, rank, code, *rest in history]
    levels = list(dict.fromkeys(row[3] for row in rows))  # in the order they first appear
    several = len(levels) > 1
    worst = max(max(row[1], row[4] or 0) for row in rows)
    left, top, width = 70, 56 if several else 30, 760
    height = top + 230
    first, last = left + 50, width - 110  # room for a label either side
    step = Fraction(last - first, max(1, len(rows) - 1))

    def y(rank: int) -> float:
        return float(top + Fraction(height - top - 50) * (rank - 1) / max(1, worst - 1))

    def x(i: int) -> float:
        return float(first + step * i) if len(rows) > 1 else float((first + last) / 2)

    body = [f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - 50}" stroke="{GRID}"/>']
    for rank in sorted({1, worst}):
        body.append(f'<line x1="{left}" y1="{y(rank):.1f}" x2="{width - 40}" y2="{y(rank):.1f}" stroke="{GRID}" '
                    'stroke-dasharray="4 4"/>')
        body.append(_text(left - 8, y(rank) + 5, str(rank), 12, "end"))
    for n, level in enumerate(levels):
        colour, shape = LEVEL_COLOURS[n % len(LEVEL_COLOURS)], n % 4
        mine = [(x(i), y(row[1])) for i, row in enumerate(rows) if row[3] == level]
        if len(mine) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in mine)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5" '
                        f'data-level="{escape(level)}"/>')
        if several:  # the legend: which points are which level's ranks
            lx = left + n * 180
            body.append(_marker(shape, lx + 6, 18, colour, name(level)))
            body.append(_text(lx + 18, 23, name(level), 13))
    for i, (period, rank, code, level, entrants) in enumerate(rows):
        n = levels.index(level)
        colour = LEVEL_COLOURS[n % len(LEVEL_COLOURS)]
        of = (f"（共 {entrants} 个）" if lang == "zh" else f" of {entrants}") if entrants else ""
        what = (f"{period} {code}: " + (f"{name(level)} " if several else "") + f"第 {rank} 名{of}" if lang == "zh"
                else f"{period} {code}: rank {rank}{of}" + (f" ({name(level)})" if several else ""))
        px, py = x(i), y(rank)
        body.append(_marker(n % 4, px, py, colour, what))
        shown = f"第 {rank} 名{of}" if lang == "zh" else f"#{rank}{of}"
        body.append(_text(px, py - 12, shown, 12, "middle"))
        body.append(_text(px, height - 28, period, 12, "middle"))
        if several:
            body.append(_text(px, height - 12, name(level), 12, "middle", colour))
    label = "名次变化" if lang == "zh" else "Rank over time"
    if several:
        label += ("（" + "、".join(name(level) for level in levels) + "的名次分开画）" if lang == "zh" else
                  " (" + ", ".join(name(level) for level in levels) + " ranks drawn apart)")
    return _svg(width, height, label, body)
