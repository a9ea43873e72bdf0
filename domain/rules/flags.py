"""Flags (五面红旗 and the like, rulebook section 19.4): independent certifications of an
organization, each with its own criteria.

Parsed from the rule set's ``[[flags]]`` tables.  This module never imports
``domain.rules.ruleset`` (which imports it): ``r`` and ``p`` are its reader and problems.
``check`` is the pure test of one flag's criteria against an organization's evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from domain.numbers import exact_text
from domain.rules.star_evidence import HONOUR_LEVEL_ZH, HONOUR_LEVELS, at_or_above

FLAG_CODE = re.compile(r"[a-z0-9_-]+")
MAX_FLAGS = 20
MAX_CRITERIA = 20
KINDS = {"score": {"min"}, "platform": {"source", "min"}, "honour": {"level"}, "stars": {"min"}, "no_veto": set()}


@dataclass(frozen=True)
class Check:
    kind: str
    min: Fraction | None = None
    source: str | None = None
    level: str | None = None

    def canonical(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        if self.min is not None:
            out["min"] = exact_text(self.min)
        if self.source is not None:
            out["source"] = self.source
        if self.level is not None:
            out["level"] = self.level
        return out


@dataclass(frozen=True)
class Flag:
    code: str
    name: str
    criteria: tuple[Check, ...]


@dataclass(frozen=True)
class FlagEvidence:
    """What the criteria are checked against, for one organization and cycle (plain data)."""

    score: Fraction | None = None  # the annual standing score in its own unit (None: no standing)
    platform: dict[str, Fraction | None] = field(default_factory=dict)  # source -> the cycle's value
    honours: tuple[tuple[int, str, str], ...] = ()  # (number, level, name) of the cycle, not withdrawn
    stars: int | None = None  # the highest certified stars of the cycle
    vetoes: tuple[str, ...] = ()  # veto items recorded in the cycle


def parse(r: Any, doc: dict[str, Any], p: Any) -> tuple[Flag, ...]:
    """The ``[[flags]]`` settings (``()`` when the file has none)."""
    if "flags" not in doc:
        return ()
    raw = doc["flags"]
    if not isinstance(raw, list) or not raw or not all(isinstance(v, dict) for v in raw):
        p.add("flags", "must be an array of tables ([[flags]])", "应为表数组（[[flags]]）")
        return ()
    if len(raw) > MAX_FLAGS:
        p.add("flags", f"at most {MAX_FLAGS} flags", f"最多 {MAX_FLAGS} 面红旗")
        return ()
    out: list[Flag] = []
    for i, item in enumerate(raw, 1):
        path = f"flags[{i}]"
        r.unknown_keys(item, {"code", "name", "criteria"}, path)
        code = r.text(item, "code", f"{path}.code", None, FLAG_CODE)
        name = r.name(item, "name", f"{path}.name", "")
        if not name:
            p.add(f"{path}.name", "is required", "必须填写")
        checks = _criteria(r, item.get("criteria"), f"{path}.criteria", p)
        if code is not None and name and checks:
            out.append(Flag(code, name, checks))
    seen: set[str] = set()
    for f in out:
        if f.code in seen:
            p.add("flags", f"duplicate flag code \"{f.code}\"", f"红旗代码 「{f.code}」 重复")
        seen.add(f.code)
    return tuple(out)


def _criteria(r: Any, raw: Any, path: str, p: Any) -> tuple[Check, ...]:
    if not isinstance(raw, list) or not raw or len(raw) > MAX_CRITERIA:
        p.add(path, f"1 to {MAX_CRITERIA} criteria {{ kind = ... }} are required",
              f"需要 1 到 {MAX_CRITERIA} 项条件 {{ kind = ... }}")
        return ()
    out: list[Check] = []
    for j, item in enumerate(raw, 1):
        where = f"{path}[{j}]"
        if not isinstance(item, dict):
            p.add(where, "must be a table { kind = ... }", "应为 { kind = ... }")
            continue
        kind = r.text(item, "kind", f"{where}.kind", None, choices=tuple(KINDS))
        if kind is None:
            continue
        r.unknown_keys(item, {"kind"} | KINDS[kind], where)
        minimum = source = level = None
        if kind in ("score", "platform"):
            minimum = r.number(item, "min", f"{where}.min", None)
            if minimum is not None and minimum < 0:
                p.add(f"{where}.min", "must not be negative", "不能为负数")
        if kind == "stars":
            stars = r.integer(item, "min", f"{where}.min", None, 1, 5)
            minimum = None if stars is None else Fraction(stars)
        if kind == "platform":
            source = r.name(item, "source", f"{where}.source", "", 64) or None
            if source is None:
                p.add(f"{where}.source", "is required", "必须填写")
        if kind == "honour":
            level = r.text(item, "level", f"{where}.level", None, choices=HONOUR_LEVELS)
        if (kind in ("score", "platform", "stars") and minimum is None) or (kind == "platform" and source is None) \
                or (kind == "honour" and level is None):
            continue
        out.append(Check(kind, minimum, source, level))
    return tuple(out)


def canonical(flags: tuple[Flag, ...]) -> Any:
    """JSON-ready settings for the digest; None when the file has none."""
    if not flags:
        return None
    return [{"code": f.code, "name": f.name, "criteria": [c.canonical() for c in f.criteria]} for f in flags]


def check(flag: Flag, evidence: FlagEvidence) -> list[dict[str, Any]]:
    """Each criterion with whether it is met and the evidence it was checked against (JSON-ready)."""
    out: list[dict[str, Any]] = []
    for c in flag.criteria:
        result: dict[str, Any] = c.canonical()
        if c.kind == "score":
            met = evidence.score is not None and evidence.score >= (c.min or 0)
            result["found"] = None if evidence.score is None else exact_text(evidence.score)
        elif c.kind == "platform":
            value = evidence.platform.get(c.source or "")
            met = value is not None and value >= (c.min or 0)
            result["found"] = None if value is None else exact_text(value)
        elif c.kind == "honour":
            hits = [h for h in evidence.honours if at_or_above(h[1], c.level or "township")]
            met = bool(hits)
            result["found"] = [{"number": n, "level": lv, "name": nm} for n, lv, nm in hits]
        elif c.kind == "stars":
            met = evidence.stars is not None and evidence.stars >= (c.min or 0)
            result["found"] = evidence.stars
        else:  # no_veto
            met = not evidence.vetoes
            result["found"] = list(evidence.vetoes)
        result["met"] = met
        out.append(result)
    return out


def describe(result: dict[str, Any], lang: str = "zh") -> str:
    """One criterion's result in words (for the command line and the pages)."""
    zh = lang.startswith("zh")
    kind, found, met = result["kind"], result.get("found"), result.get("met")
    mark = ("✓ 满足" if met else "✗ 不满足") if zh else ("✓ met" if met else "✗ not met")
    none = "无" if zh else "none"
    if kind == "score":
        text = (f"年度得分 ≥ {result['min']}（实际 {found if found is not None else none}）" if zh
                else f"annual score ≥ {result['min']} (found {found if found is not None else none})")
    elif kind == "platform":
        text = (f"{result['source']} 平台分 ≥ {result['min']}（实际 {found if found is not None else '无数据'}）" if zh
                else f"{result['source']} platform value ≥ {result['min']} (found {found if found is not None else 'no data'})")
    elif kind == "honour":
        names = "、".join(h["name"] for h in found or []) or none
        text = (f"本周期有{HONOUR_LEVEL_ZH[result['level']]}及以上荣誉（{names}）" if zh
                else f"an honour at {result['level']} level or above this cycle ({names})")
    elif kind == "stars":
        text = (f"已审定星级 ≥ {result['min']} 星（实际 {found if found is not None else none}）" if zh
                else f"certified stars ≥ {result['min']} (found {found if found is not None else none})")
    else:
        items = "、".join(found or []) or none
        text = f"本周期无一票否决（{items}）" if zh else f"no veto item this cycle ({items})"
    return f"{text} {mark}" if zh else f"{text}: {mark}"
