"""Rule sets: the TOML file of rulebook section 2, parsed and validated.

``parse_ruleset(text)`` returns a frozen :class:`RuleSet` with every default filled
in, or raises :class:`~domain.errors.RuleSetInvalid` listing every problem with the
field it is in (``criteria[2].max``, ``panel.min_judges`` ...).  Numbers are read
exactly: TOML floats are parsed as ``Decimal`` and kept as ``Fraction``.

The digest of a rule set is the SHA-256 of its canonical JSON (defaults filled,
numbers as decimal text), so two files that differ only in comments or layout have
the same digest.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from decimal import Decimal
from fractions import Fraction
from typing import Any

from domain import text as texts
from domain.errors import InvalidValue, RuleSetInvalid
from domain.numbers import NotANumber, decimal_places, exact_text, fraction, parse_decimal
from domain.text import NAME_MAX, TITLE_MAX
from domain.rules import classes as _classes, flags as _flags, ladder as _ladder, voting as _voting
from domain.rules import star_evidence as _star_evidence

PANEL_METHODS = ("mean", "trimmed_mean", "median")
TRIM_ON = ("total", "criterion")
SOURCES = ("panel", "input", "votes", "round")
AWARD_TIES = ("consume", "extra")
CUTOFF_TIES = ("include", "exclude")
STANDINGS_METHODS = ("sum", "mean", "rank_points")

# Bounds on what a rule set may say (beyond the rulebook's own rules): enough for any
# contest, small enough that nothing computed from them can take long.
MAX_COUNT = 10_000  # award counts, quotas, reserves, min_judges ...
MAX_VERSION = 999_999
MAX_MARK_DECIMALS = 6  # a judge's mark (the seeds use 1 decimal); sheets are summed in whole millionths
MAX_RESULT_DECIMALS = 6  # the final score: the seeds use 2
MAX_RULE_DECIMALS = 6  # weights, maxima, bands, shares
MAX_ITEMS = 50  # criteria, components, awards, bands, rank points, tie-breakers, veto items
MAX_TEXT_BYTES = 1_000_000

RULES_CODE = re.compile(r"[a-z0-9-]+")
CRITERION_CODE = re.compile(r"[a-z0-9_]+")
COMPONENT_CODE = re.compile(r"[a-z0-9_-]+")


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str
    max: Fraction


@dataclass(frozen=True)
class Component:
    code: str
    source: str
    weight: Fraction
    max: Fraction | None = None


@dataclass(frozen=True)
class Panel:
    method: str = "mean"
    trim: int = 1
    trim_on: str = "total"
    min_judges: int = 1


@dataclass(frozen=True)
class AwardTier:
    code: str
    name: str
    count: int
    fund: Fraction | None = None


@dataclass(frozen=True)
class Promotion:
    to_level: str
    quota: int
    cutoff_ties: str = "include"
    min_score: Fraction = Fraction(0)
    reserves: int = 0


@dataclass(frozen=True)
class Standings:
    method: str = "mean"
    rank_points: tuple[Fraction, ...] = ()


@dataclass(frozen=True)
class StarBand:
    stars: int
    min: Fraction


@dataclass(frozen=True)
class Stars:
    bands: tuple[StarBand, ...]
    quota: dict[int, Fraction] = field(default_factory=dict)
    veto: tuple[str, ...] = ()
    model: str = "bands"
    # rulebook section 19.3 (domain.rules.star_evidence): fixed counts per star level, and the
    # evidence combined into the score (None: the contest score alone)
    counts: dict[int, int] = field(default_factory=dict)
    evidence: Any = None


@dataclass(frozen=True)
class RuleSet:
    code: str
    version: int
    title: str
    mark_decimals: int
    criteria: tuple[Criterion, ...]
    panel: Panel
    components: tuple[Component, ...]
    max_bonus: Fraction
    max_penalty: Fraction
    result_decimals: int
    tie_breakers: tuple[str, ...]
    awards: tuple[AwardTier, ...]
    award_ties: str
    promotion: Promotion | None
    standings: Standings
    stars: Stars | None
    # 结果运用 (rulebook sections 15-19), each parsed by its own module of this package; a
    # section a file leaves out is absent from the canonical JSON, so older digests stand
    ladder: tuple[Any, ...] = ()  # domain.rules.ladder: consequences as tracked work
    classes: Any = None  # domain.rules.classes: 一类/二类/三类
    voting: Any = None  # domain.rules.voting: ballots in voting rounds
    flags: tuple[Any, ...] = ()  # domain.rules.flags: 五面红旗 and other flags

    @property
    def ref(self) -> str:
        return f"{self.code}@{self.version}"

    def criterion(self, code: str) -> Criterion | None:
        return next((c for c in self.criteria if c.code == code), None)

    def component(self, code: str) -> Component | None:
        return next((c for c in self.components if c.code == code), None)

    @cached_property
    def uses_panel(self) -> bool:
        return any(c.source == "panel" for c in self.components)

    @cached_property
    def needs_criterion_values(self) -> bool:
        return any(t.startswith("criterion:") for t in self.tie_breakers)

    def canonical(self) -> dict[str, Any]:
        """Every setting, defaults included, as JSON-ready data."""

        def num(value: Fraction | None) -> str | None:
            return None if value is None else exact_text(value)

        return {
            "code": self.code,
            "version": self.version,
            "title": self.title,
            "marks": {"decimals": self.mark_decimals},
            "criteria": [{"code": c.code, "name": c.name, "max": num(c.max)} for c in self.criteria],
            "panel": {
                "method": self.panel.method,
                "trim": self.panel.trim,
                "trim_on": self.panel.trim_on,
                "min_judges": self.panel.min_judges,
            },
            "components": [
                {"code": c.code, "source": c.source, "weight": num(c.weight), "max": num(c.max)}
                for c in self.components
            ],
            "adjustments": {"max_bonus": num(self.max_bonus), "max_penalty": num(self.max_penalty)},
            "result": {"decimals": self.result_decimals},
            "ranking": {"tie_breakers": list(self.tie_breakers)},
            "awards": [
                {"code": a.code, "name": a.name, "count": a.count, "fund": num(a.fund)}
                for a in self.awards
            ],
            "award_policy": {"ties": self.award_ties},
            "promotion": None
            if self.promotion is None
            else {
                "to_level": self.promotion.to_level,
                "quota": self.promotion.quota,
                "cutoff_ties": self.promotion.cutoff_ties,
                "min_score": num(self.promotion.min_score),
                "reserves": self.promotion.reserves,
            },
            "standings": {
                "method": self.standings.method,
                "rank_points": [num(p) for p in self.standings.rank_points],
            },
            "stars": None
            if self.stars is None
            else {
                "model": self.stars.model,
                "bands": [{"stars": b.stars, "min": num(b.min)} for b in self.stars.bands],
                "quota": {str(k): num(v) for k, v in sorted(self.stars.quota.items())},
                "veto": list(self.stars.veto),
                **_star_evidence.canonical(self.stars.evidence, self.stars.counts),
            },
        }

    def canonical_all(self) -> dict[str, Any]:
        """``canonical`` with the sections of 结果运用 a file gives (absent ones left out)."""
        out = self.canonical()
        for key, value in (("ladder", _ladder.canonical(self.ladder)), ("classes", _classes.canonical(self.classes)),
                           ("voting", _voting.canonical(self.voting)), ("flags", _flags.canonical(self.flags))):
            if value is not None:
                out[key] = value
        return out

    @cached_property
    def digest(self) -> str:
        text = json.dumps(self.canonical_all(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Problems:
    """Collects (field, english, chinese) problems while a file is read."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, str]] = []

    def add(self, path: str, en: str, zh: str) -> None:
        self.items.append((path, en, zh))


_TOP = {"code", "version", "title", "marks", "criteria", "panel", "components", "adjustments",
        "result", "ranking", "awards", "award_policy", "promotion", "standings", "stars",
        "ladder", "classes", "voting", "flags"}
_KEYS = {
    "marks": {"decimals"},
    "criteria": {"code", "name", "max"},
    "panel": {"method", "trim", "trim_on", "min_judges"},
    "components": {"code", "source", "weight", "max"},
    "adjustments": {"max_bonus", "max_penalty"},
    "result": {"decimals"},
    "ranking": {"tie_breakers"},
    "awards": {"code", "name", "count", "fund"},
    "award_policy": {"ties"},
    "promotion": {"to_level", "quota", "cutoff_ties", "min_score", "reserves"},
    "standings": {"method", "rank_points"},
    "stars": {"model", "bands", "quota", "veto", "counts", "evidence", "platform_source", "honour_points"},
    "bands": {"stars", "min"},
}


class _Reader:
    def __init__(self, problems: _Problems) -> None:
        self.p = problems

    def unknown_keys(self, table: dict[str, Any], allowed: set[str], path: str) -> None:
        for key in table:
            if key not in allowed:
                where = f"{path}.{key}" if path else key
                self.p.add(where, "unknown key", "未知的设置项")

    def table(self, doc: dict[str, Any], key: str) -> dict[str, Any]:
        value = doc.get(key, {})
        if not isinstance(value, dict):
            self.p.add(key, "must be a table ([" + key + "])", "应为表（[" + key + "]）")
            return {}
        self.unknown_keys(value, _KEYS[key], key)
        return value

    def array_of_tables(self, doc: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = doc.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.p.add(key, f"must be an array of tables ([[{key}]])", f"应为表数组（[[{key}]]）")
            return []
        if len(value) > MAX_ITEMS:
            self.p.add(key, f"at most {MAX_ITEMS} entries", f"最多 {MAX_ITEMS} 项")
            return []
        for i, item in enumerate(value, 1):
            self.unknown_keys(item, _KEYS[key], f"{key}[{i}]")
        return value

    def integer(self, table: dict[str, Any], key: str, path: str, default: int | None,
                minimum: int, maximum: int = MAX_COUNT) -> int | None:
        if key not in table:
            if default is None:
                self.p.add(path, "is required", "必须填写")
            return default
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.p.add(path, f"must be a whole number, not {_shown(value)}", f"应为整数，而不是 {_shown(value)}")
            return default
        if not minimum <= value <= maximum:
            self.p.add(path, f"must be from {minimum} to {maximum}, not {_shown(value)}",
                       f"应在 {minimum} 到 {maximum} 之间（现为 {_shown(value)}）")
            return default
        return value

    def number(self, table: dict[str, Any], key: str, path: str,
               default: Fraction | None) -> Fraction | None:
        if key not in table:
            if default is None:
                self.p.add(path, "is required", "必须填写")
            return default
        return self.value(table[key], path, default)

    def value(self, raw: Any, path: str, default: Fraction | None) -> Fraction | None:
        try:
            number = parse_decimal(raw)
        except NotANumber as bad:
            self.p.add(path, f"must be a number (e.g. 30 or \"0.5\"): {_shown(raw)} is {bad.problem}",
                       f"应为数字（如 30 或 \"0.5\"）：{_shown(raw)} {bad.problem_zh}")
            return default
        if decimal_places(number) > MAX_RULE_DECIMALS:
            self.p.add(path, f"at most {MAX_RULE_DECIMALS} decimals ({_shown(raw)})",
                       f"最多 {MAX_RULE_DECIMALS} 位小数（现为 {_shown(raw)}）")
            return default
        return fraction(number)

    def text(self, table: dict[str, Any], key: str, path: str, default: str | None,
             pattern: re.Pattern[str] | None = None, choices: tuple[str, ...] = (),
             limit: int = 64) -> str | None:
        if key not in table:
            if default is None:
                self.p.add(path, "is required", "必须填写")
            return default
        value = table[key]
        if not isinstance(value, str):
            self.p.add(path, f"must be text, not {_shown(value)}", f"应为文本，而不是 {_shown(value)}")
            return default
        if pattern is not None and not pattern.fullmatch(value):
            self.p.add(path, f"{_shown(value)} must use only {pattern.pattern}",
                       f"{_shown(value)} 只能由 {pattern.pattern} 组成")
            return default
        if pattern is not None and len(value) > limit:
            self.p.add(path, f"at most {limit} characters", f"最多 {limit} 个字符")
            return default
        if choices and value not in choices:
            options = " | ".join(f'"{c}"' for c in choices)
            self.p.add(path, f"{_shown(value)} is not one of {options}", f"{_shown(value)} 不是可选值之一：{options}")
            return default
        return value

    def name(self, table: dict[str, Any], key: str, path: str, default: str, limit: int = NAME_MAX) -> str:
        """A name shown to people: checked like every name (domain.text)."""
        if key not in table:
            return default
        try:
            return texts.name(table[key], path, limit=limit, required=False) or default
        except InvalidValue as bad:
            self.p.add(path, bad.fields["problem"], bad.fields["problem_zh"])
            return default


def parse_ruleset(text: str, source: str = "rules") -> RuleSet:
    """Parse and validate a rule set; raise RuleSetInvalid naming every bad field."""
    problems = _Problems()
    doc = load_toml(text, source)
    r = _Reader(problems)
    r.unknown_keys(doc, _TOP, "")

    code = r.text(doc, "code", "code", None, RULES_CODE)
    version = r.integer(doc, "version", "version", None, 1, MAX_VERSION)
    title = r.name(doc, "title", "title", "", TITLE_MAX)
    marks = r.table(doc, "marks")
    mark_decimals = r.integer(marks, "decimals", "marks.decimals", 1, 0, MAX_MARK_DECIMALS)

    criteria = _criteria(r, doc, problems)
    panel = _panel(r, doc, problems)
    components = _components(r, doc, problems)

    adjustments = r.table(doc, "adjustments")
    max_bonus = r.number(adjustments, "max_bonus", "adjustments.max_bonus", Fraction(0))
    max_penalty = r.number(adjustments, "max_penalty", "adjustments.max_penalty", Fraction(0))
    for key, value in (("max_bonus", max_bonus), ("max_penalty", max_penalty)):
        if value is not None and value < 0:
            problems.add(f"adjustments.{key}", "must not be negative", "不能为负数")

    result = r.table(doc, "result")
    result_decimals = r.integer(result, "decimals", "result.decimals", 2, 0, MAX_RESULT_DECIMALS)

    tie_breakers = _tie_breakers(r, doc, problems, criteria, components)
    awards, award_ties = _awards(r, doc, problems)
    promotion = _promotion(r, doc, problems)
    standings = _standings(r, doc, problems)
    stars = _stars(r, doc, problems)
    ladder = _ladder.parse(r, doc, problems)
    classes = _classes.parse(r, doc, problems)
    voting = _voting.parse(r, doc, problems, components)
    flags = _flags.parse(r, doc, problems)

    if problems.items:
        raise RuleSetInvalid(source, problems.items)
    assert code is not None and version is not None
    return RuleSet(
        code=code,
        version=version,
        title=title,
        mark_decimals=mark_decimals or 0,
        criteria=tuple(criteria),
        panel=panel,
        components=tuple(components),
        max_bonus=max_bonus or Fraction(0),
        max_penalty=max_penalty or Fraction(0),
        result_decimals=2 if result_decimals is None else result_decimals,
        tie_breakers=tuple(tie_breakers),
        awards=tuple(awards),
        award_ties=award_ties,
        promotion=promotion,
        standings=standings,
        stars=stars,
        ladder=ladder,
        classes=classes,
        voting=voting,
        flags=flags,
    )


def load_toml(text: str, source: str) -> dict[str, Any]:
    """A TOML document, or RuleSetInvalid saying what is wrong with the file itself."""
    if not isinstance(text, str):
        raise RuleSetInvalid(source, [("file", "not text", "不是文本文件")])
    if len(text.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
        raise RuleSetInvalid(source, [("file", f"larger than {MAX_TEXT_BYTES:,} bytes", f"文件超过 {MAX_TEXT_BYTES:,} 字节")])
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise RuleSetInvalid(source, [("toml", f"not valid TOML: {exc}", f"不是有效的 TOML：{exc}")]) from None
    except RecursionError:
        raise RuleSetInvalid(source, [("toml", "nested too deeply", "嵌套层次过深")]) from None


def _shown(value: Any) -> str:
    """A TOML value as the file wrote it (not a Python repr)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + (value if len(value) <= 40 else value[:40] + "…") + '"'
    if isinstance(value, (int, Decimal)):
        text = str(value)
        return text if len(text) <= 40 else text[:20] + "…"
    if isinstance(value, dict):
        return "{…}"
    if isinstance(value, list):
        return "[…]"
    return str(value)[:40]


def _duplicates(codes: list[str]) -> set[str]:
    seen: set[str] = set()
    return {c for c in codes if c in seen or seen.add(c)}  # type: ignore[func-returns-value]


def _criteria(r: _Reader, doc: dict[str, Any], p: _Problems) -> list[Criterion]:
    items = r.array_of_tables(doc, "criteria")
    if "criteria" not in doc or (not items and isinstance(doc.get("criteria"), list)):
        p.add("criteria", "at least one [[criteria]] is required", "至少需要一项评分指标 [[criteria]]")
    out: list[Criterion] = []
    for i, item in enumerate(items, 1):
        path = f"criteria[{i}]"
        code = r.text(item, "code", f"{path}.code", None, CRITERION_CODE)
        name = r.name(item, "name", f"{path}.name", code or "")
        maximum = r.number(item, "max", f"{path}.max", None)
        if maximum is not None and maximum <= 0:
            p.add(f"{path}.max", f"must be greater than 0, not {exact_text(maximum)}",
                  f"必须大于 0（现为 {exact_text(maximum)}）")
        if code is not None and maximum is not None:
            out.append(Criterion(code, name, maximum))
    for dup in sorted(_duplicates([c.code for c in out])):
        p.add("criteria", f"duplicate criterion code \"{dup}\"", f"评分指标代码 「{dup}」 重复")
    return out


def _panel(r: _Reader, doc: dict[str, Any], p: _Problems) -> Panel:
    table = r.table(doc, "panel")
    method = r.text(table, "method", "panel.method", "mean", choices=PANEL_METHODS) or "mean"
    trim = r.integer(table, "trim", "panel.trim", 1, 0, 10)
    trim_on = r.text(table, "trim_on", "panel.trim_on", "total", choices=TRIM_ON) or "total"
    min_judges = r.integer(table, "min_judges", "panel.min_judges", 1, 1, 99)
    trim = 1 if trim is None else trim
    min_judges = 1 if min_judges is None else min_judges
    if method == "trimmed_mean" and min_judges - 2 * trim < 1:
        p.add("panel.min_judges",
              f"trimmed_mean drops {trim} highest and {trim} lowest, so min_judges must be at "
              f"least {2 * trim + 1} (it is {min_judges})",
              f"去掉 {trim} 个最高分和 {trim} 个最低分后至少要剩 1 份，min_judges 至少为 {2 * trim + 1}（现为 {min_judges}）")
    return Panel(method=method, trim=trim, trim_on=trim_on, min_judges=min_judges)


def _components(r: _Reader, doc: dict[str, Any], p: _Problems) -> list[Component]:
    if "components" not in doc:
        return [Component("arena", "panel", Fraction(1))]
    items = r.array_of_tables(doc, "components")
    if not items and isinstance(doc.get("components"), list):
        p.add("components", "at least one [[components]] is required when the key is given",
              "给出 components 时至少需要一项")
    out: list[Component] = []
    for i, item in enumerate(items, 1):
        path = f"components[{i}]"
        code = r.text(item, "code", f"{path}.code", None, COMPONENT_CODE)
        source = r.text(item, "source", f"{path}.source", None, choices=SOURCES)
        weight = r.number(item, "weight", f"{path}.weight", Fraction(1))
        if weight is not None and weight < 0:
            p.add(f"{path}.weight", f"must not be negative ({exact_text(weight)})",
                  f"权重不能为负数（现为 {exact_text(weight)}）")
        maximum: Fraction | None = None
        if source in ("input", "votes"):
            maximum = r.number(item, "max", f"{path}.max", None)
            if maximum is not None and maximum <= 0:
                p.add(f"{path}.max", "must be greater than 0", "必须大于 0")
        elif "max" in item and source is not None:
            p.add(f"{path}.max", f"max applies only to input and votes components, not \"{source}\"",
                  f"max 只适用于 input 和 votes 成绩项，不适用于 「{source}」")
        if code is not None and source is not None and weight is not None:
            out.append(Component(code, source, weight, maximum))
    for dup in sorted(_duplicates([c.code for c in out])):
        p.add("components", f"duplicate component code \"{dup}\"", f"成绩项代码 「{dup}」 重复")
    return out


def _tie_breakers(r: _Reader, doc: dict[str, Any], p: _Problems, criteria: list[Criterion],
                  components: list[Component]) -> list[str]:
    table = r.table(doc, "ranking")
    value = table.get("tie_breakers", [])
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        p.add("ranking.tie_breakers", f"must be a list of at most {MAX_ITEMS}", f"应为列表（最多 {MAX_ITEMS} 项）")
        return []
    out: list[str] = []
    criterion_codes = {c.code for c in criteria}
    component_codes = {c.code for c in components}
    for i, item in enumerate(value, 1):
        path = f"ranking.tie_breakers[{i}]"
        if not isinstance(item, str):
            p.add(path, f"must be text, not {_shown(item)}", f"应为文本，而不是 {_shown(item)}")
            continue
        kind, _, code = item.partition(":")
        if item == "unrounded":
            out.append(item)
        elif kind == "component" and code in component_codes:
            out.append(item)
        elif kind == "criterion" and code in criterion_codes:
            out.append(item)
        elif kind == "component":
            p.add(path, f"names unknown component \"{code}\"", f"引用了不存在的成绩项 「{code}」")
        elif kind == "criterion":
            p.add(path, f"names unknown criterion \"{code}\"", f"引用了不存在的评分指标 「{code}」")
        else:
            p.add(path, f"{_shown(item)} is not \"unrounded\", \"component:<code>\" or \"criterion:<code>\"",
                  f"{_shown(item)} 应为 \"unrounded\"、\"component:<代码>\" 或 \"criterion:<代码>\"")
    return out


def _awards(r: _Reader, doc: dict[str, Any], p: _Problems) -> tuple[list[AwardTier], str]:
    out: list[AwardTier] = []
    for i, item in enumerate(r.array_of_tables(doc, "awards"), 1):
        path = f"awards[{i}]"
        code = r.text(item, "code", f"{path}.code", None, COMPONENT_CODE)
        name = r.name(item, "name", f"{path}.name", code or "")
        count = r.integer(item, "count", f"{path}.count", None, 1)
        fund = r.number(item, "fund", f"{path}.fund", None) if "fund" in item else None
        if fund is not None and fund < 0:
            p.add(f"{path}.fund", "must not be negative", "不能为负数")
        if code is not None and count is not None:
            out.append(AwardTier(code, name, count, fund))
    for dup in sorted(_duplicates([a.code for a in out])):
        p.add("awards", f"duplicate award code \"{dup}\"", f"奖项代码 「{dup}」 重复")
    policy = r.table(doc, "award_policy")
    ties = r.text(policy, "ties", "award_policy.ties", "consume", choices=AWARD_TIES) or "consume"
    return out, ties


def _promotion(r: _Reader, doc: dict[str, Any], p: _Problems) -> Promotion | None:
    if "promotion" not in doc:
        return None
    table = r.table(doc, "promotion")
    to_level = r.text(table, "to_level", "promotion.to_level", None)
    quota = r.integer(table, "quota", "promotion.quota", None, 1)
    cutoff = r.text(table, "cutoff_ties", "promotion.cutoff_ties", "include", choices=CUTOFF_TIES)
    min_score = r.number(table, "min_score", "promotion.min_score", Fraction(0))
    reserves = r.integer(table, "reserves", "promotion.reserves", 0, 0)
    if to_level is None or quota is None:
        return None
    return Promotion(to_level, quota, cutoff or "include", min_score or Fraction(0), reserves or 0)


def _standings(r: _Reader, doc: dict[str, Any], p: _Problems) -> Standings:
    table = r.table(doc, "standings")
    method = r.text(table, "method", "standings.method", "mean", choices=STANDINGS_METHODS) or "mean"
    points: list[Fraction] = []
    raw = table.get("rank_points", [])
    if not isinstance(raw, list) or len(raw) > MAX_ITEMS:
        p.add("standings.rank_points", f"must be a list of at most {MAX_ITEMS} numbers", f"应为数字列表（最多 {MAX_ITEMS} 项）")
        raw = []
    for i, item in enumerate(raw, 1):
        value = r.value(item, f"standings.rank_points[{i}]", None)
        if value is None:
            continue
        if value < 0:
            p.add(f"standings.rank_points[{i}]", "must not be negative", "不能为负数")
        points.append(value)
    if method == "rank_points" and not raw:
        p.add("standings.rank_points", "is required when method = \"rank_points\"",
              "method 为 \"rank_points\" 时必须给出名次积分")
    return Standings(method, tuple(points))


def _stars(r: _Reader, doc: dict[str, Any], p: _Problems) -> Stars | None:
    if "stars" not in doc:
        return None
    table = r.table(doc, "stars")
    r.text(table, "model", "stars.model", "bands", choices=("bands",))
    raw_bands = table.get("bands")
    bands: list[StarBand] = []
    if not isinstance(raw_bands, list) or not raw_bands or len(raw_bands) > 5:
        p.add("stars.bands", "one to five bands { stars = N, min = X } are required",
              "需要一到五个星级分档 { stars = N, min = X }")
        raw_bands = []
    for i, item in enumerate(raw_bands, 1):
        path = f"stars.bands[{i}]"
        if not isinstance(item, dict):
            p.add(path, "must be a table { stars = N, min = X }", "应为 { stars = N, min = X }")
            continue
        r.unknown_keys(item, _KEYS["bands"], path)
        stars = r.integer(item, "stars", f"{path}.stars", None, 1, 5)
        minimum = r.number(item, "min", f"{path}.min", None)
        if stars is not None and minimum is not None:
            bands.append(StarBand(stars, minimum))
    for i in range(1, len(bands)):
        if bands[i].min >= bands[i - 1].min:
            p.add("stars.bands", "bands must be listed highest first, in strictly descending min",
                  "星级分档必须按 min 从高到低排列")
            break
    for dup in sorted(_duplicates([str(b.stars) for b in bands])):
        p.add("stars.bands", f"star level {dup} appears twice", f"星级 {dup} 重复")
    quota: dict[int, Fraction] = {}
    raw_quota = table.get("quota", {})
    if not isinstance(raw_quota, dict):
        p.add("stars.quota", "must be a table like { 5 = \"0.10\" }", "应为 { 5 = \"0.10\" } 形式")
        raw_quota = {}
    band_stars = {b.stars for b in bands}
    for key, value in raw_quota.items():
        path = f"stars.quota.{key}"
        if not str(key).isdigit() or int(key) not in band_stars:
            p.add(path, f"{_shown(key)} is not a star level of the bands", f"{_shown(key)} 不是分档中的星级")
            continue
        share = r.value(value, path, None)
        if share is None:
            continue
        if not 0 <= share <= 1:
            p.add(path, f"share {exact_text(share)} is outside 0..1", f"比例 {exact_text(share)} 不在 0 到 1 之间")
            continue
        quota[int(key)] = share
    veto = table.get("veto", [])
    if (not isinstance(veto, list) or len(veto) > MAX_ITEMS
            or not all(isinstance(v, str) and COMPONENT_CODE.fullmatch(v) and len(v) <= 64 for v in veto)):
        p.add("stars.veto", "must be a list of veto item codes ([a-z0-9_-]+)", "应为一票否决事项代码的列表（[a-z0-9_-]+）")
        veto = []
    evidence, counts = _star_evidence.parse(r, table, p, band_stars)
    return Stars(tuple(bands), quota, tuple(veto), counts=counts, evidence=evidence)


__all__ = [
    "AwardTier", "Component", "Criterion", "Panel", "Promotion", "RuleSet", "StarBand", "Stars",
    "Standings", "parse_ruleset",
]
