"""Stars from several kinds of evidence (rulebook section 19.3): the ``[stars]`` keys
``evidence``, ``platform_source``, ``honour_points`` and ``counts``, and the honour levels.

This module never imports ``domain.rules.ruleset`` (which imports it): ``r`` and ``p`` are
its reader and problems.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from domain.errors import InvalidValue
from domain.numbers import exact_text

# highest first: an honour "at or above county" is one of the first four
HONOUR_LEVELS = ("national", "provincial", "city", "county", "township")
HONOUR_LEVEL_ZH = {"national": "国家级", "provincial": "省级", "city": "市级", "county": "县级", "township": "乡镇级"}
_LEVEL_WORDS = {
    "national": ("国家级", "全国", "国家", "中央"),
    "provincial": ("省级", "省", "自治区级", "省部级"),
    "city": ("市级", "地市级", "盟市级", "市", "州级"),
    "county": ("县级", "区级", "旗级", "县区级", "县", "县市区级"),
    "township": ("乡镇级", "镇级", "乡级", "街道级", "苏木级", "乡镇", "镇", "街道"),
}
EVIDENCE_KINDS = ("contest", "platform", "honours")


def parse_honour_level(value: Any, field_name: str = "level") -> str:
    """A level code from its code or a common Chinese name."""
    text = unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else ""
    low = text.lower()
    for code, words in _LEVEL_WORDS.items():
        if low == code or text in words:
            return code
    raise InvalidValue(field_name, value, "unknown honour level; use one of " + ", ".join(HONOUR_LEVELS),
                       "未知的荣誉级别，应为 " + "、".join(f"{c}（{HONOUR_LEVEL_ZH[c]}）" for c in HONOUR_LEVELS) + " 之一")


def at_or_above(level: str, floor: str) -> bool:
    return HONOUR_LEVELS.index(level) <= HONOUR_LEVELS.index(floor)


@dataclass(frozen=True)
class Evidence:
    """What a star recommendation combines: weights (summing to 1) of each kind of evidence."""

    weights: dict[str, Fraction]
    platform_source: str | None = None
    honour_points: dict[str, Fraction] = field(default_factory=dict)


def parse(r: Any, table: dict[str, Any], p: Any, band_stars: set[int]) -> tuple[Evidence | None, dict[int, int]]:
    """The evidence settings (None when ``evidence`` is not given) and the fixed counts."""
    counts: dict[int, int] = {}
    raw_counts = table.get("counts", {})
    if not isinstance(raw_counts, dict):
        p.add("stars.counts", "must be a table like { 5 = 100 }", "应为 { 5 = 100 } 形式")
        raw_counts = {}
    for key, value in raw_counts.items():
        path = f"stars.counts.{key}"
        if not str(key).isdigit() or int(key) not in band_stars:
            p.add(path, f"\"{key}\" is not a star level of the bands", f"「{key}」 不是分档中的星级")
            continue
        count = r.integer(raw_counts, key, path, None, 0)
        if count is not None:
            counts[int(key)] = count
    for key in ("platform_source", "honour_points"):
        if key in table and "evidence" not in table:
            p.add(f"stars.{key}", "applies only with stars.evidence", "只有给出 stars.evidence 时才适用")
    if "evidence" not in table:
        return None, counts
    raw = table["evidence"]
    if not isinstance(raw, dict) or not raw:
        p.add("stars.evidence", "must be a table like { contest = \"0.7\", platform = \"0.2\", honours = \"0.1\" }",
              "应为 { contest = \"0.7\", platform = \"0.2\", honours = \"0.1\" } 形式")
        return None, counts
    weights: dict[str, Fraction] = {}
    for key, value in raw.items():
        path = f"stars.evidence.{key}"
        if key not in EVIDENCE_KINDS:
            p.add(path, "unknown kind of evidence (contest, platform, honours)", "未知的依据（contest、platform、honours）")
            continue
        weight = r.value(value, path, None)
        if weight is None:
            continue
        if not 0 <= weight <= 1:
            p.add(path, f"weight {exact_text(weight)} is outside 0..1", f"权重 {exact_text(weight)} 不在 0 到 1 之间")
            continue
        weights[key] = weight
    if len(weights) == len(raw) and sum(weights.values()) != 1:
        total = exact_text(sum(weights.values(), Fraction(0)))
        p.add("stars.evidence", f"the weights must add up to exactly 1 (they add up to {total})",
              f"各项权重之和必须正好为 1（现为 {total}）")
    source = None
    if "platform_source" in table:
        source = r.name(table, "platform_source", "stars.platform_source", "", 64) or None
    if weights.get("platform", 0) > 0 and not source:
        p.add("stars.platform_source", "is required when evidence.platform is above 0",
              "evidence.platform 大于 0 时必须给出平台数据来源")
    points: dict[str, Fraction] = {}
    raw_points = table.get("honour_points", {})
    if not isinstance(raw_points, dict):
        p.add("stars.honour_points", "must be a table like { national = 100, county = 40 }",
              "应为 { national = 100, county = 40 } 形式")
        raw_points = {}
    for key, value in raw_points.items():
        path = f"stars.honour_points.{key}"
        if key not in HONOUR_LEVELS:
            p.add(path, "not an honour level (" + ", ".join(HONOUR_LEVELS) + ")",
                  "不是荣誉级别（" + "、".join(HONOUR_LEVELS) + "）")
            continue
        value = r.value(value, path, None)
        if value is None:
            continue
        if not 0 <= value <= 100:
            p.add(path, f"{exact_text(value)} is outside 0..100", f"{exact_text(value)} 不在 0 到 100 之间")
            continue
        points[key] = value
    if weights.get("honours", 0) > 0 and not raw_points:
        p.add("stars.honour_points", "is required when evidence.honours is above 0",
              "evidence.honours 大于 0 时必须给出各级荣誉的分数")
    return Evidence(weights, source, points), counts


def canonical(evidence: Evidence | None, counts: dict[int, int]) -> dict[str, Any]:
    """The keys these settings add to the canonical ``stars`` (none when not given: digests stay)."""
    out: dict[str, Any] = {}
    if counts:
        out["counts"] = {str(k): v for k, v in sorted(counts.items())}
    if evidence is not None:
        out["evidence"] = {k: exact_text(v) for k, v in sorted(evidence.weights.items())}
        if evidence.platform_source:
            out["platform_source"] = evidence.platform_source
        if evidence.honour_points:
            out["honour_points"] = {k: exact_text(v) for k, v in sorted(evidence.honour_points.items())}
    return out
