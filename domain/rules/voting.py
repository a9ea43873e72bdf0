"""Ballots and voting rounds (rulebook section 18): voter groups and their weights, how
many voting rounds, how many choices a ballot carries, what each round carries over, and
how the final tally feeds the ``votes`` component.

Parsed from the rule set's ``[voting]`` table.  This module never imports
``domain.rules.ruleset`` (which imports it): ``r`` and ``p`` are its reader and problems.
The count itself (:func:`count`) is a pure function of the settings and the ballots.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from math import lcm
from typing import Any

from domain.numbers import exact_text, round_half_up

GROUP_CODE = re.compile(r"[a-z0-9_-]+")
MAX_GROUPS = 10
MAX_ROUNDS = 10
MAX_CHOICES = 50
MAX_CARRY = 1000
MAX_FEED = 10**12  # the largest number Leitai accepts (rulebook 3.1): a vote count fed is at most this
SHOWN_DECIMALS = 4  # W as shown on the screen; the tally keeps it exact
_KEYS = {"component", "choices", "groups", "rounds"}


@dataclass(frozen=True)
class VoterGroup:
    code: str
    name: str
    weight: Fraction


@dataclass(frozen=True)
class Voting:
    component: str
    choices: int
    groups: tuple[VoterGroup, ...]
    carry: tuple[int | None, ...]  # per voting round; None for the last

    @property
    def rounds(self) -> int:
        return len(self.carry)

    def group(self, code: str) -> VoterGroup | None:
        return next((g for g in self.groups if g.code == code), None)


def parse(r: Any, doc: dict[str, Any], p: Any, components: list[Any]) -> Voting | None:
    """The ``[voting]`` settings, or None when the file has none."""
    if "voting" not in doc:
        return None
    table = doc["voting"]
    if not isinstance(table, dict):
        p.add("voting", "must be a table ([voting])", "应为表（[voting]）")
        return None
    r.unknown_keys(table, _KEYS, "voting")
    component = r.text(table, "component", "voting.component", None, GROUP_CODE)
    if component is not None:
        found = next((c for c in components if c.code == component), None)
        if found is None:
            p.add("voting.component", f"no component \"{component}\" in [[components]]",
                  f"[[components]] 中没有成绩项 「{component}」")
        elif found.source != "votes":
            p.add("voting.component", f"component \"{component}\" has source \"{found.source}\", not \"votes\"",
                  f"成绩项 「{component}」 的来源是 「{found.source}」，不是 「votes」")
    choices = r.integer(table, "choices", "voting.choices", None, 1, MAX_CHOICES)
    groups = _groups(r, table, p)
    carry = _rounds(r, table, p)
    if component is None or choices is None or not groups or not carry:
        return None
    return Voting(component, choices, tuple(groups), tuple(carry))


def _tables(table: dict[str, Any], key: str, p: Any, most: int) -> list[dict[str, Any]]:
    value = table.get(key)
    if value is None:
        p.add(f"voting.{key}", f"at least one [[voting.{key}]] is required", f"至少需要一项 [[voting.{key}]]")
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        p.add(f"voting.{key}", f"must be an array of tables ([[voting.{key}]])", f"应为表数组（[[voting.{key}]]）")
        return []
    if not 1 <= len(value) <= most:
        p.add(f"voting.{key}", f"from 1 to {most} entries, not {len(value)}", f"应有 1 到 {most} 项（现为 {len(value)} 项）")
        return []
    return value


def _groups(r: Any, table: dict[str, Any], p: Any) -> list[VoterGroup]:
    out: list[VoterGroup] = []
    for i, item in enumerate(_tables(table, "groups", p, MAX_GROUPS), 1):
        path = f"voting.groups[{i}]"
        r.unknown_keys(item, {"code", "name", "weight"}, path)
        code = r.text(item, "code", f"{path}.code", None, GROUP_CODE, limit=32)
        name = r.name(item, "name", f"{path}.name", code or "")
        weight = r.number(item, "weight", f"{path}.weight", None)
        if weight is not None and weight <= 0:
            p.add(f"{path}.weight", f"must be greater than 0, not {exact_text(weight)}",
                  f"必须大于 0（现为 {exact_text(weight)}）")
            continue
        if code is not None and weight is not None:
            if any(g.code == code for g in out):
                p.add(f"{path}.code", f"duplicate group code \"{code}\"", f"组别代码 「{code}」 重复")
                continue
            out.append(VoterGroup(code, name, weight))
    if out and len(out) == len(table.get("groups", [])):
        total = sum((g.weight for g in out), Fraction(0))
        if total != 1:
            p.add("voting.groups", f"the weights must add up to exactly 1, not {exact_text(total)}",
                  f"各组权重之和必须恰好为 1（现为 {exact_text(total)}）")
            return []
    return out


def _rounds(r: Any, table: dict[str, Any], p: Any) -> list[int | None]:
    items = _tables(table, "rounds", p, MAX_ROUNDS)
    out: list[int | None] = []
    for i, item in enumerate(items, 1):
        path = f"voting.rounds[{i}]"
        r.unknown_keys(item, {"carry"}, path)
        last = i == len(items)
        if last:
            if "carry" in item:
                p.add(f"{path}.carry", "the last voting round carries no one on: leave carry out",
                      "最后一轮投票不再进入下一轮：不要填写 carry")
            out.append(None)
            continue
        carry = r.integer(item, "carry", f"{path}.carry", None, 1, MAX_CARRY)
        before = out[-1] if out else None
        if carry is not None and before is not None and carry >= before:
            p.add(f"{path}.carry", f"must be less than the round before's {before}, not {carry}",
                  f"应少于上一轮的 {before}（现为 {carry}）")
        out.append(carry)
    return out if len(out) == len(items) and all(c is not None for c in out[:-1]) else []


def canonical(voting: Voting | None) -> Any:
    """JSON-ready settings for the digest; None when the file has none."""
    if voting is None:
        return None
    return {"component": voting.component, "choices": voting.choices,
            "groups": [{"code": g.code, "name": g.name, "weight": exact_text(g.weight)} for g in voting.groups],
            "rounds": [{"carry": c} for c in voting.carry]}


# -- the count (rulebook 18.3 and 18.4) -------------------------------------------------------

@dataclass(frozen=True)
class Ballot:
    ballot: str
    group: str
    choices: tuple[str, ...]


class CannotCount(ValueError):
    """No group cast a valid ballot, or the feed would exceed the largest number (18.3, 18.4)."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh


def ballots_digest(ballots: Iterable[Ballot]) -> str:
    """sha256 of the valid ballots ``[id, group, [choices sorted]]`` sorted by id, as compact JSON."""
    rows = sorted([b.ballot, b.group, sorted(b.choices)] for b in ballots)
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def count(voting: Voting, number: int, candidates: Iterable[str], ballots: Iterable[Ballot],
          voided: int = 0) -> dict[str, Any]:
    """The tally of voting round ``number`` (1-based): JSON-ready, exact values as text."""
    candidates = sorted(set(candidates))
    ballots = list(ballots)
    n = {g.code: 0 for g in voting.groups}
    c: dict[str, dict[str, int]] = {x: {g.code: 0 for g in voting.groups} for x in candidates}
    for b in ballots:
        if b.group not in n:
            raise CannotCount(f"ballot {b.ballot} is of group {b.group}, which these rules do not have",
                              f"选票 {b.ballot} 的组别 {b.group} 不在这套规则中")
        n[b.group] += 1
        for x in b.choices:
            c[x][b.group] += 1
    voted = [g for g in voting.groups if n[g.code] > 0]
    if not voted:
        raise CannotCount("no group cast a valid ballot: the voting round cannot be counted",
                          "没有任何组别投出有效选票，本轮投票不能计票")
    share = sum((g.weight for g in voted), Fraction(0))
    effective = {g.code: (g.weight / share if n[g.code] else Fraction(0)) for g in voting.groups}
    weighted = {x: sum((effective[g] * Fraction(c[x][g], n[g]) for g in n if n[g]), Fraction(0))
                for x in candidates}
    totals = {x: sum(c[x].values()) for x in candidates}
    order = sorted(candidates, key=lambda x: (-weighted[x], -totals[x], x))
    rank = {x: 1 + sum(1 for y in candidates if weighted[y] > weighted[x]) for x in candidates}
    carry = voting.carry[number - 1] if number <= voting.rounds else None
    last = number >= voting.rounds
    if last:
        carried: list[str] = []
    elif carry is None or len(order) <= carry:
        carried = list(order)
    else:
        edge = weighted[order[carry - 1]]
        carried = [x for x in order if weighted[x] >= edge]
    entries = [{"entrant": x, "by_group": dict(c[x]), "ballots": totals[x], "weighted": exact_text(weighted[x]),
                "shown": str(round_half_up(weighted[x], SHOWN_DECIMALS)), "rank": rank[x],
                "tied": sum(1 for y in candidates if rank[y] == rank[x]) > 1, "carried": x in carried}
               for x in order]
    tally: dict[str, Any] = {
        "voting_round": number, "rounds": voting.rounds, "last": last, "carry": carry,
        "groups": [{"code": g.code, "name": g.name, "weight": exact_text(g.weight), "ballots": n[g.code],
                    "effective_weight": exact_text(effective[g.code])} for g in voting.groups],
        "valid": len(ballots), "voided": voided, "entries": entries, "carried": sorted(carried),
        "digest": ballots_digest(ballots),
    }
    if last:
        tally["feed"] = feed(weighted)
    return tally


def feed(weighted: dict[str, Fraction]) -> dict[str, int]:
    """The vote counts fed to the ``votes`` component: W × D, D the least common multiple of
    the denominators, so every count is whole and their ratios are exactly those of W."""
    d = lcm(*(w.denominator for w in weighted.values())) if weighted else 1
    if d > MAX_FEED:
        raise CannotCount(f"the common denominator of the tallies ({d}) is larger than 10^12",
                          f"加权得票的公分母（{d}）超过 10¹²，不能计入成绩项")
    return {x: int(w * d) for x, w in sorted(weighted.items())}


def weighted_of(tally: dict[str, Any]) -> dict[str, Fraction]:
    """The exact W of each entrant of a recorded tally."""
    return {e["entrant"]: Fraction(e["weighted"]) for e in tally["entries"]}
