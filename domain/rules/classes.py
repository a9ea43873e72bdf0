"""Classification (一类创先进、二类促提升、三类抓调整, rulebook section 16): a class for
each organization computed from a period's standings.

Parsed from the rule set's ``[classes]`` table.  This module never imports
``domain.rules.ruleset`` (which imports it): ``r`` and ``p`` are its reader and problems.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from domain.numbers import exact_text

CLASS_CODE = re.compile(r"[a-z0-9_-]+")
BY = ("score", "rank")
BAND_KEYS = {"code", "name", "min", "share", "count"}
MIN_BANDS, MAX_BANDS = 2, 10


@dataclass(frozen=True)
class Band:
    code: str
    name: str
    min: Fraction | None = None  # by score: score >= min (None on the last band: everyone else)
    share: Fraction | None = None  # by rank: this share of the ranked organizations
    count: int | None = None  # by rank: this many organizations


@dataclass(frozen=True)
class Classes:
    by: str
    bands: tuple[Band, ...]

    def name(self, code: str) -> str:
        return next((b.name for b in self.bands if b.code == code), code)


def parse(r: Any, doc: dict[str, Any], p: Any) -> Classes | None:
    """The ``[classes]`` settings, or None when the file has none."""
    if "classes" not in doc:
        return None
    table = doc["classes"]
    if not isinstance(table, dict):
        p.add("classes", "must be a table ([classes])", "应为表（[classes]）")
        return None
    r.unknown_keys(table, {"by", "bands"}, "classes")
    by = r.text(table, "by", "classes.by", None, choices=BY)
    raw = table.get("bands")
    if not isinstance(raw, list) or not all(isinstance(b, dict) for b in raw):
        p.add("classes.bands", "must be an array of tables ([[classes.bands]])", "应为表数组（[[classes.bands]]）")
        return None
    if not MIN_BANDS <= len(raw) <= MAX_BANDS:
        p.add("classes.bands", f"must have {MIN_BANDS} to {MAX_BANDS} bands, not {len(raw)}",
              f"应有 {MIN_BANDS} 到 {MAX_BANDS} 档（现为 {len(raw)} 档）")
        return None
    bands: list[Band] = []
    seen: set[str] = set()
    for i, item in enumerate(raw, 1):
        path = f"classes.bands[{i}]"
        last = i == len(raw)
        r.unknown_keys(item, BAND_KEYS, path)
        code = r.text(item, "code", f"{path}.code", None, CLASS_CODE)
        if code is not None and code in seen:
            p.add(f"{path}.code", f"\"{code}\" is repeated", f"“{code}”重复")
        seen.add(code or "")
        name = r.name(item, "name", f"{path}.name", code or "")
        minimum = share = count = None
        if by == "score":
            for key in ("share", "count"):
                if key in item:
                    p.add(f"{path}.{key}", "only with by = \"rank\"", "只能用于 by = \"rank\"")
            if "min" in item or not last:
                minimum = r.number(item, "min", f"{path}.min", None)
            previous = bands[-1].min if bands else None
            if minimum is not None and previous is not None and minimum >= previous:
                p.add(f"{path}.min", "bands must go strictly from high to low", "分档的 min 必须严格从高到低")
        elif by == "rank":
            if "min" in item:
                p.add(f"{path}.min", "only with by = \"score\"", "只能用于 by = \"score\"")
            if last:
                for key in ("share", "count"):
                    if key in item:
                        p.add(f"{path}.{key}", "the last band takes everyone else: leave it out",
                              "最后一档包括其余所有组织，不填此项")
            elif "share" in item and "count" in item:
                p.add(path, "give share or count, not both", "share 和 count 只能填一个")
            elif "count" in item:
                count = r.integer(item, "count", f"{path}.count", None, 1, 10000)
            else:
                share = r.number(item, "share", f"{path}.share", None)
                if share is not None and not 0 <= share <= 1:
                    p.add(f"{path}.share", "must be from 0 to 1", "应在 0 到 1 之间")
        bands.append(Band(code or "", name, minimum, share, count))
    if by is None:
        return None
    return Classes(by, tuple(bands))


def canonical(classes: Classes | None) -> Any:
    """JSON-ready settings for the digest; None when the file has none."""
    if classes is None:
        return None
    out = []
    for b in classes.bands:
        band: dict[str, Any] = {"code": b.code, "name": b.name}
        if b.min is not None:
            band["min"] = exact_text(b.min)
        if b.share is not None:
            band["share"] = exact_text(b.share)
        if b.count is not None:
            band["count"] = b.count
        out.append(band)
    return {"by": classes.by, "bands": out}


def classify(classes: Classes, standings: Sequence[Any]) -> dict[str, str]:
    """entrant -> class code for a period's standings (ranked; ``shown`` is the score)."""
    out: dict[str, str] = {}
    if classes.by == "score":
        for s in standings:
            for band in classes.bands:
                if band.min is None or Fraction(s.shown) >= band.min:
                    out[s.entrant] = band.code
                    break
        return out
    ranked = list(standings)
    n, taken = len(ranked), 0
    for band in classes.bands:
        if band.share is None and band.count is None:  # the last band: everyone else
            end = n
        else:
            size = band.count if band.count is not None else math.floor((band.share or 0) * n)
            end = min(n, taken + size)
            while 0 < end < n and end > taken and ranked[end].rank == ranked[end - 1].rank:
                end += 1  # a tie at the edge goes whole into the higher band
        for s in ranked[taken:end]:
            out[s.entrant] = band.code
        taken = max(taken, end)
    return out
